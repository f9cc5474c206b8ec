// The interface between bonepath and its PostgreSQL driver module, bonepath-postgres.so.
//
// The adapter (postgres_database.cc) links libpq, whose dependency tree (Kerberos, LDAP, GnuTLS,
// SASL) costs ~5 ms of dynamic loading in every process that links it. Only deployments that use
// PostgreSQL need it, so the adapter is built as a module that OpenPostgresDatabase
// (postgres_driver.cc) loads on the first postgresql:// URL, and `bonepath assess` never pays.
//
// The module is built from the same tree as the executable; C++ objects (Result, Database) cross
// the boundary, so both sides must agree on this ABI string, which names the interface version,
// the product version and the compiler. The module is never unloaded: the Database objects it
// makes live in its code.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "storage/database.h"

#ifndef BONEPATH_VERSION
#error "BONEPATH_VERSION must be defined for the PostgreSQL module interface"
#endif

#define BP_POSTGRES_MODULE_ABI "bonepath-postgres/1 " BONEPATH_VERSION " " __VERSION__

namespace bp::storage {

inline constexpr const char* kPostgresModuleFile = "bonepath-postgres.so";
inline constexpr const char* kPostgresAbiSymbol = "bonepath_postgres_abi";
inline constexpr const char* kPostgresOpenSymbol = "bonepath_postgres_open";

// const char* bonepath_postgres_abi(void): the module's BP_POSTGRES_MODULE_ABI.
using PostgresAbiFn = const char* (*)();
// void bonepath_postgres_open(const std::string* url, Result<std::unique_ptr<Database>>* out)
using PostgresOpenFn = void (*)(const std::string* url, Result<std::unique_ptr<Database>>* out);

}  // namespace bp::storage
