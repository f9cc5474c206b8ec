// Migrations and the adapter choice; the SQL itself lives in the adapters and the .sql files.
#include "storage/database.h"

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>

#include "storage/postgres/postgres_database.h"
#include "storage/sqlite/sqlite_database.h"

namespace bp::storage {
namespace {

struct Pending {
  int number = 0;
  std::string name;  // file name without directory, e.g. "0001_registry.sql"
  std::string_view sql;
};

std::string BaseName(std::string_view path) {
  const auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// The migrations of `dialect`, ordered; a dialect file replaces a common one of the same name.
std::vector<Pending> MigrationsFor(std::string_view dialect) {
  std::map<std::string, Pending> by_name;
  for (const bool dialect_pass : {false, true}) {
    for (const MigrationFile& f : EmbeddedMigrations()) {
      const std::string_view dir =
          f.path.find('/') == std::string_view::npos ? "" : f.path.substr(0, f.path.find('/'));
      if (dialect_pass ? dir != dialect : !dir.empty()) continue;
      Pending p;
      p.name = BaseName(f.path);
      p.number = std::atoi(p.name.c_str());
      p.sql = f.sql;
      by_name[p.name] = p;
    }
  }
  std::vector<Pending> out;
  for (auto& [name, p] : by_name) out.push_back(p);
  std::sort(out.begin(), out.end(), [](const Pending& a, const Pending& b) {
    return a.number != b.number ? a.number < b.number : a.name < b.name;
  });
  return out;
}

constexpr std::string_view kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, "
    "applied_at TEXT NOT NULL)";
// Two processes opening a fresh PostgreSQL database at once would race on CREATE TABLE: a
// transaction-scoped advisory lock serialises migration (SQLite's BEGIN IMMEDIATE already does).
constexpr std::string_view kPgMigrationLock = "SELECT pg_advisory_xact_lock(7270011)";

}  // namespace

std::int64_t Row::Int(std::size_t i) const {
  const auto& c = cols.at(i);
  if (!c) return 0;
  return std::strtoll(c->c_str(), nullptr, 10);
}

Status Database::Migrate(std::optional<int> upto) {
  const std::vector<Pending> all = MigrationsFor(dialect());
  for (const Pending& m : all) {
    if (upto && m.number > *upto) break;
    Status st = Transaction([&](Database& db) -> Status {
      if (db.dialect() == "postgres") {
        if (auto r = db.Query(kPgMigrationLock); !r) return r.errors();
      }
      if (auto r = db.Exec(kCreateMigrationsTable); !r) return r.errors();
      auto done = db.Query("SELECT 1 FROM schema_migrations WHERE name = $1", {m.name});
      if (!done) return done.errors();
      if (!done->empty()) return Ok{};
      if (Status s = db.ExecScript(m.sql); !s) {
        Error e = s.error();
        e.message = "migration " + m.name + ": " + e.message;
        return e;
      }
      auto ins = db.Exec("INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)",
                         {m.name, NowUtcTimestamp()});
      if (!ins) return ins.errors();
      return Ok{};
    });
    if (!st) return st;
  }
  return Ok{};
}

Result<std::vector<std::string>> Database::AppliedMigrations() {
  auto r = Query("SELECT name FROM schema_migrations ORDER BY name");
  if (!r) return r.errors();
  std::vector<std::string> out;
  for (const Row& row : *r) out.push_back(row.Text(0));
  return out;
}

Result<std::unique_ptr<Database>> OpenDatabase(const std::string& path_or_url) {
  if (path_or_url.rfind("postgresql://", 0) == 0 || path_or_url.rfind("postgres://", 0) == 0) {
    return OpenPostgresDatabase(path_or_url);
  }
  return OpenSqliteDatabase(path_or_url);
}

std::optional<Error> MissingDatabase(const std::string& path_or_url) {
  if (path_or_url.rfind("postgresql://", 0) == 0 || path_or_url.rfind("postgres://", 0) == 0 ||
      path_or_url == ":memory:")
    return std::nullopt;
  std::error_code ec;
  if (std::filesystem::exists(path_or_url, ec)) return std::nullopt;
  return Error{"db_open", path_or_url,
               "no database here (a command that only reads does not create one)"};
}

std::string NowUtcTimestamp() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace bp::storage
