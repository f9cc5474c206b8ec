#include "storage/database.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "storage/test_support.h"

namespace bp::storage {
namespace {

class DatabaseTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DatabaseTest, MigratesAFreshDatabaseAndRecordsEachFile) {
  testing::ScratchDb scratch(GetParam());
  auto db = OpenDatabase(scratch.url());
  ASSERT_TRUE(db) << db.error().message;
  ASSERT_TRUE((*db)->Migrate()) << (*db)->Migrate().error().message;
  auto applied = (*db)->AppliedMigrations();
  ASSERT_TRUE(applied);
  ASSERT_GE(applied->size(), 2u);
  EXPECT_EQ((*applied)[0], "0001_registry.sql");
  EXPECT_EQ((*applied)[1], "0002_audit_reason_and_indexes.sql");
  // Migrating again is a no-op.
  ASSERT_TRUE((*db)->Migrate());
  EXPECT_EQ((*db)->AppliedMigrations()->size(), applied->size());
}

TEST_P(DatabaseTest, UpgradesAnOlderDatabaseInPlace) {
  testing::ScratchDb scratch(GetParam());
  {
    auto db = OpenDatabase(scratch.url());
    ASSERT_TRUE(db);
    ASSERT_TRUE((*db)->Migrate(1));
    ASSERT_EQ((*db)->AppliedMigrations()->size(), 1u);
    // Data written by the old version.
    ASSERT_TRUE(
        (*db)->Exec("INSERT INTO patients (id, record_json, source_kind, source_sha256, "
                    "created_at, updated_at) VALUES ('p1', '{}', 'native', 'x', 't', 't')"));
    ASSERT_TRUE(
        (*db)->Exec("INSERT INTO assessments (patient_id, created_at, as_of, "
                    "input_sha256, knowledge_version, profile, output_json) VALUES "
                    "('p1', 't', '2026-01-01', 'h', 'v1', 'us-composite', '{}')"));
  }
  auto db = OpenDatabase(scratch.url());
  ASSERT_TRUE(db);
  ASSERT_TRUE((*db)->Migrate());
  EXPECT_GE((*db)->AppliedMigrations()->size(), 2u);
  auto rows = (*db)->Query("SELECT patient_id, reason FROM assessments");
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].Text(0), "p1");
  EXPECT_EQ((*rows)[0].Text(1), "import");  // the new column's default for old rows
}

TEST_P(DatabaseTest, ParametersRoundTripAndTransactionsRollBack) {
  testing::ScratchDb scratch(GetParam());
  auto db = OpenDatabase(scratch.url());
  ASSERT_TRUE(db);
  Database& d = **db;
  ASSERT_TRUE(d.ExecScript("CREATE TABLE t (a TEXT, b BIGINT, c DOUBLE PRECISION)"));
  // $2 before $1: placeholders bind by number, not by position.
  ASSERT_TRUE(d.Exec("INSERT INTO t (b, a, c) VALUES ($2, $1, $3)",
                     {std::string("x'; DROP TABLE t; --"), std::int64_t{42}, 1.5}));
  Status failed = d.Transaction([](Database& tx) -> Status {
    if (auto r = tx.Exec("INSERT INTO t (a) VALUES ($1)", {std::string("gone")}); !r) {
      return r.errors();
    }
    return Error{"internal", "", "abort"};
  });
  EXPECT_FALSE(failed);
  EXPECT_EQ(failed.error().code, "internal");
  auto rows = d.Query("SELECT a, b, c FROM t WHERE b = $1", {std::int64_t{42}});
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].Text(0), "x'; DROP TABLE t; --");
  EXPECT_EQ((*rows)[0].Int(1), 42);
  EXPECT_EQ(d.Query("SELECT a FROM t")->size(), 1u);  // the rolled-back row is not there
  auto missing = d.Query("SELECT a FROM t WHERE a = $1", {});
  EXPECT_FALSE(missing);
}

INSTANTIATE_TEST_SUITE_P(Registry, DatabaseTest, ::testing::ValuesIn(testing::Backends()),
                         [](const auto& info) { return info.param; });

TEST(RedactUrl, HidesThePassword) {
  EXPECT_EQ(RedactUrl("postgresql://u:secret@h:5432/db"), "postgresql://u:***@h:5432/db");
  EXPECT_EQ(RedactUrl("postgresql://u@h/db"), "postgresql://u@h/db");
  EXPECT_EQ(RedactUrl("bonepath.db"), "bonepath.db");
}

}  // namespace
}  // namespace bp::storage

namespace bp::storage {
namespace {

// Issue 15: a database corrupted in the middle kept being written. quick_check at open refuses
// it with a clear error, and nothing is written.
TEST(SqliteIntegrity, ACorruptedStoreIsRefusedAtOpen) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("bonepath-corrupt-" + std::to_string(getpid()) + ".db"))
                               .string();
  std::filesystem::remove(path);
  {
    auto db = OpenDatabase(path);
    ASSERT_TRUE(db) << db.error().message;
    ASSERT_TRUE((*db)->Migrate());
    ASSERT_TRUE((*db)->Exec("PRAGMA wal_checkpoint(TRUNCATE)"));
    for (int i = 0; i < 300; ++i)
      ASSERT_TRUE(
          (*db)->Exec("INSERT INTO cds_cards (uuid, service_id, code, indicator, "
                      "issued_at) VALUES ($1, 's', 'c', 'info', 't')",
                      {std::string(40, 'a') + std::to_string(i)}));
    ASSERT_TRUE((*db)->Exec("PRAGMA wal_checkpoint(TRUNCATE)"));
  }
  // Garbage over pages in the middle of the file (not the header).
  const auto size = std::filesystem::file_size(path);
  ASSERT_GT(size, 5 * 4096u);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size / 2 / 4096 * 4096));
    const std::string junk(2 * 4096, '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  auto db = OpenDatabase(path);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, "db_corrupt") << db.error().message;
  EXPECT_NE(db.error().message.find("damaged"), std::string::npos) << db.error().message;
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
}

TEST(MissingDatabase, OnlyForAFileThatIsNotThere) {
  EXPECT_TRUE(MissingDatabase("/nonexistent/typo.db"));
  EXPECT_FALSE(MissingDatabase(":memory:"));
  EXPECT_FALSE(MissingDatabase("postgresql://u@h/db"));
}

}  // namespace
}  // namespace bp::storage
