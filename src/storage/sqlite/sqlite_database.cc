#include "storage/sqlite/sqlite_database.h"

#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <unordered_map>

namespace bp::storage {
namespace {

// How long a statement waits for another process's write lock before SQLITE_BUSY.
constexpr int kBusyTimeoutMs = 30000;
// Whole-transaction retries after SQLITE_BUSY (the busy timeout has already waited).
constexpr int kTransactionAttempts = 5;

Error DbError(sqlite3* db, int rc, std::string_view what) {
  const bool busy = rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
  return Error{busy ? ErrorCode::kDbBusy : ErrorCode::kDb, "",
               std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc))};
}

class SqliteDatabase final : public Database {
 public:
  explicit SqliteDatabase(sqlite3* db) : db_(db) {}
  ~SqliteDatabase() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  std::string_view dialect() const override { return "sqlite"; }

  Result<std::int64_t> Exec(std::string_view sql, const Params& params) override {
    if (corrupt_) return Corrupt();
    auto stmt = Prepare(sql, params);
    if (!stmt) return stmt.errors();
    int rc;
    while ((rc = sqlite3_step(*stmt)) == SQLITE_ROW) {
    }
    sqlite3_reset(*stmt);
    if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB) {
      corrupt_ = true;  // no further write to a damaged file
      return Corrupt();
    }
    if (rc != SQLITE_DONE) return DbError(db_, rc, "exec");
    return static_cast<std::int64_t>(sqlite3_changes(db_));
  }

  Result<Rows> Query(std::string_view sql, const Params& params) override {
    auto stmt = Prepare(sql, params);
    if (!stmt) return stmt.errors();
    Rows rows;
    int rc;
    const int n = sqlite3_column_count(*stmt);
    while ((rc = sqlite3_step(*stmt)) == SQLITE_ROW) {
      Row row;
      row.cols.reserve(n);
      for (int i = 0; i < n; ++i) {
        if (sqlite3_column_type(*stmt, i) == SQLITE_NULL) {
          row.cols.emplace_back(std::nullopt);
        } else {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(*stmt, i));
          row.cols.emplace_back(std::string(text, sqlite3_column_bytes(*stmt, i)));
        }
      }
      rows.push_back(std::move(row));
    }
    sqlite3_reset(*stmt);
    if (rc != SQLITE_DONE) return DbError(db_, rc, "query");
    return rows;
  }

  Status ExecScript(std::string_view sql) override {
    const std::string s(sql);
    char* msg = nullptr;
    const int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &msg);
    if (rc != SQLITE_OK) {
      Error e{rc == SQLITE_BUSY ? ErrorCode::kDbBusy : ErrorCode::kDb, "",
              msg ? msg : sqlite3_errstr(rc)};
      sqlite3_free(msg);
      return e;
    }
    return Ok{};
  }

  Status Transaction(const std::function<Status(Database&)>& body) override {
    if (corrupt_) return Corrupt();
    for (int attempt = 1;; ++attempt) {
      if (in_transaction_) return Error{"internal", "", "transactions do not nest"};
      Status begin = ExecScript("BEGIN IMMEDIATE");
      if (!begin) {
        if (begin.error().code == "db_busy" && attempt < kTransactionAttempts) continue;
        return begin;
      }
      in_transaction_ = true;
      Status st = body(*this);
      if (st) st = ExecScript("COMMIT");
      in_transaction_ = false;
      if (st) return st;
      // A failed COMMIT (busy) leaves the transaction open; roll back in every failure case.
      if (!sqlite3_get_autocommit(db_)) ExecScript("ROLLBACK");
      if (st.error().code == "db_busy" && attempt < kTransactionAttempts) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20 * attempt));
        continue;
      }
      return st;
    }
  }

 private:
  // A cached prepared statement, reset, with `params` bound to $1..$N by name.
  Result<sqlite3_stmt*> Prepare(std::string_view sql, const Params& params) {
    sqlite3_stmt* stmt = nullptr;
    std::string key(sql);
    if (auto it = cache_.find(key); it != cache_.end()) {
      stmt = it->second;
      sqlite3_reset(stmt);
      sqlite3_clear_bindings(stmt);
    } else {
      const int rc =
          sqlite3_prepare_v2(db_, key.c_str(), static_cast<int>(key.size()), &stmt, nullptr);
      if (rc != SQLITE_OK) return DbError(db_, rc, "prepare");
      if (stmt == nullptr) return Error{"db", "", "empty statement"};
      cache_.emplace(std::move(key), stmt);
    }
    const int count = sqlite3_bind_parameter_count(stmt);
    for (int i = 1; i <= count; ++i) {
      const char* name = sqlite3_bind_parameter_name(stmt, i);
      if (name == nullptr || name[0] != '$') return Error{"db", "", "placeholders must be $N"};
      const long n = std::strtol(name + 1, nullptr, 10);
      if (n < 1 || static_cast<std::size_t>(n) > params.size()) {
        return Error{"db", "", std::string("no value for placeholder ") + name};
      }
      const SqlValue& v = params[n - 1];
      int rc = SQLITE_OK;
      if (std::holds_alternative<std::monostate>(v)) {
        rc = sqlite3_bind_null(stmt, i);
      } else if (const auto* iv = std::get_if<std::int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, i, *iv);
      } else if (const auto* dv = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, i, *dv);
      } else {
        const auto& sv = std::get<std::string>(v);
        rc = sqlite3_bind_text(stmt, i, sv.data(), static_cast<int>(sv.size()), SQLITE_TRANSIENT);
      }
      if (rc != SQLITE_OK) return DbError(db_, rc, "bind");
    }
    return stmt;
  }

  static Error Corrupt() {
    return Error{"db_corrupt", "",
                 "the database file is damaged; nothing more is written to it (restore it from a "
                 "backup)"};
  }

 public:
  // SQLite's quick_check (O(size), no index cross-check): a damaged store is found at open,
  // before anything is written to it.
  Status QuickCheck() {
    auto rows = Query("PRAGMA quick_check", {});
    if (!rows || rows->size() != 1 || (*rows)[0].Text(0) != "ok") {
      corrupt_ = true;
      return Corrupt();
    }
    return Ok{};
  }

 private:
  bool corrupt_ = false;
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
  bool in_transaction_ = false;
};

}  // namespace

Result<std::unique_ptr<Database>> OpenSqliteDatabase(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error e{"db_open", "",
            "cannot open " + path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc))};
    sqlite3_close_v2(db);
    return e;
  }
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  auto out = std::make_unique<SqliteDatabase>(db);
  // journal_mode=WAL needs the lock briefly; the busy timeout covers a concurrent opener.
  const char* pragmas = path == ":memory:" ? "PRAGMA foreign_keys=ON;"
                                           : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                                             "PRAGMA foreign_keys=ON;";
  if (Status st = out->ExecScript(pragmas); !st) {
    Error e = st.error();
    const bool damaged = e.message.find("malformed") != std::string::npos ||
                         e.message.find("not a database") != std::string::npos;
    e.code = damaged ? ErrorCode::kDbCorrupt : ErrorCode::kDbOpen;
    e.message = "cannot open " + path + ": " +
                (damaged ? "the database file is damaged (" + e.message +
                               "); nothing is written to it (restore it from a backup)"
                         : e.message);
    return e;
  }
  if (path != ":memory:") {
    if (Status st = out->QuickCheck(); !st) {
      Error e = st.error();
      e.message = path + ": " + e.message;
      return e;
    }
  }
  return Result<std::unique_ptr<Database>>(std::unique_ptr<Database>(std::move(out)));
}

}  // namespace bp::storage
