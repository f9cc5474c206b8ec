// The SQLite adapter of the Database port (storage/database.h).
//
// Contract: the file is opened (created if needed) in WAL mode with synchronous=NORMAL (a
// committed transaction survives a killed process; after a power loss the database is consistent
// but may miss the last commits), foreign keys on, and a busy timeout so that concurrent writers
// from other processes wait instead of failing. Transactions start with BEGIN IMMEDIATE (the
// write lock is taken up front, so two writers never deadlock upgrading a read lock) and are
// retried when the lock cannot be had within the timeout. ":memory:" is a private database.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "storage/database.h"

namespace bp::storage {

Result<std::unique_ptr<Database>> OpenSqliteDatabase(const std::string& path);

}  // namespace bp::storage
