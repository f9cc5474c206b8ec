#include "storage/postgres/postgres_database.h"

#include <libpq-fe.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "storage/postgres/postgres_module.h"

namespace bp::storage {
namespace {

constexpr int kTransactionAttempts = 5;

void IgnoreNotice(void*, const char*) {}

// Frees a PGresult on every path.
struct ResultGuard {
  PGresult* r;
  ~ResultGuard() { PQclear(r); }
};

std::string FormatDouble(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

class PostgresDatabase final : public Database {
 public:
  explicit PostgresDatabase(PGconn* c) : conn_(c) {}
  ~PostgresDatabase() override { PQfinish(conn_); }

  std::string_view dialect() const override { return "postgres"; }

  Result<std::int64_t> Exec(std::string_view sql, const Params& params) override {
    ResultGuard g{Run(sql, params)};
    if (auto e = Check(g.r, "exec")) return *e;
    const char* n = PQcmdTuples(g.r);
    return static_cast<std::int64_t>(n && *n ? std::strtoll(n, nullptr, 10) : 0);
  }

  Result<Rows> Query(std::string_view sql, const Params& params) override {
    ResultGuard g{Run(sql, params)};
    if (auto e = Check(g.r, "query")) return *e;
    Rows rows;
    const int nrows = PQntuples(g.r);
    const int ncols = PQnfields(g.r);
    rows.reserve(nrows);
    for (int i = 0; i < nrows; ++i) {
      Row row;
      row.cols.reserve(ncols);
      for (int c = 0; c < ncols; ++c) {
        if (PQgetisnull(g.r, i, c)) {
          row.cols.emplace_back(std::nullopt);
        } else {
          row.cols.emplace_back(std::string(PQgetvalue(g.r, i, c), PQgetlength(g.r, i, c)));
        }
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  Status ExecScript(std::string_view sql) override {
    const std::string s(sql);
    ResultGuard g{PQexec(conn_, s.c_str())};
    if (auto e = Check(g.r, "script")) return *e;
    return Ok{};
  }

  Status Transaction(const std::function<Status(Database&)>& body) override {
    if (in_transaction_) return Error{"internal", "", "transactions do not nest"};
    for (int attempt = 1;; ++attempt) {
      if (Status b = ExecScript("BEGIN"); !b) return b;
      in_transaction_ = true;
      Status st = body(*this);
      if (st) st = ExecScript("COMMIT");
      in_transaction_ = false;
      if (st) return st;
      if (PQtransactionStatus(conn_) != PQTRANS_IDLE) ExecScript("ROLLBACK");
      if (st.error().code == "db_busy" && attempt < kTransactionAttempts) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20 * attempt));
        continue;
      }
      return st;
    }
  }

 private:
  PGresult* Run(std::string_view sql, const Params& params) {
    std::vector<std::string> text(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const SqlValue& v = params[i];
      if (std::holds_alternative<std::monostate>(v)) continue;
      if (const auto* iv = std::get_if<std::int64_t>(&v)) {
        text[i] = std::to_string(*iv);
      } else if (const auto* dv = std::get_if<double>(&v)) {
        text[i] = FormatDouble(*dv);
      } else {
        text[i] = std::get<std::string>(v);
      }
      values[i] = text[i].c_str();
    }
    const std::string s(sql);
    return PQexecParams(conn_, s.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                        nullptr, nullptr, 0);
  }

  // nullopt when the statement succeeded.
  std::optional<Error> Check(PGresult* r, std::string_view what) {
    const ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return std::nullopt;
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    const std::string sqlstate = state ? state : "";
    const bool retry = sqlstate == "40001" || sqlstate == "40P01";
    std::string msg = r ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    return Error{retry ? ErrorCode::kDbBusy : ErrorCode::kDb, "", std::string(what) + ": " + msg};
  }

  PGconn* conn_;
  bool in_transaction_ = false;
};

Result<std::unique_ptr<Database>> Connect(const std::string& url) {
  PGconn* c = PQconnectdb(url.c_str());
  if (c == nullptr || PQstatus(c) != CONNECTION_OK) {
    std::string msg = c ? PQerrorMessage(c) : "out of memory";
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    PQfinish(c);
    return Error{"db_open", "", "cannot connect to " + RedactUrl(url) + ": " + msg};
  }
  PQsetNoticeProcessor(c, IgnoreNotice, nullptr);
  return Result<std::unique_ptr<Database>>(
      std::unique_ptr<Database>(std::make_unique<PostgresDatabase>(c)));
}

}  // namespace
}  // namespace bp::storage

// The module's entry points (postgres_module.h); the only symbols it exports.
extern "C" __attribute__((visibility("default"))) const char* bonepath_postgres_abi() {
  return BP_POSTGRES_MODULE_ABI;
}

extern "C" __attribute__((visibility("default"))) void bonepath_postgres_open(
    const std::string* url, bp::Result<std::unique_ptr<bp::storage::Database>>* out) {
  try {
    *out = bp::storage::Connect(*url);
  } catch (const std::exception& e) {  // nothing may unwind across the module boundary
    *out = bp::Error{"db_open", "", std::string("PostgreSQL module: ") + e.what()};
  }
}
