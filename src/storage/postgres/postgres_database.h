// The PostgreSQL adapter of the Database port (storage/database.h), over libpq. It is built as
// the module bonepath-postgres.so (postgres_module.h); OpenPostgresDatabase loads it on first use.
//
// Contract: one connection per Database, opened from a postgresql:// URL. Statements run with
// PQexecParams (parameters sent apart from the SQL text: no quoting, no injection). Transactions
// run at READ COMMITTED and are retried on serialization failure or deadlock (SQLSTATE 40001,
// 40P01). Server notices ("relation already exists, skipping") are discarded, so nothing of the
// database's content reaches stderr. Passwords never appear in error messages.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "storage/database.h"

namespace bp::storage {

Result<std::unique_ptr<Database>> OpenPostgresDatabase(const std::string& url);

}  // namespace bp::storage
