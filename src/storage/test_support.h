// Test helper (used by src/storage/*_test.cc and src/registry/*_test.cc only): a fresh, empty
// database per test on each backend under test. SQLite always (a file in a temporary
// directory); PostgreSQL when BONEPATH_TEST_PG_URL names a server (each test gets its own schema,
// selected with the URL's search_path option, and drops it afterwards).
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "storage/database.h"

namespace bp::storage::testing {

inline std::vector<std::string> Backends() {
  std::vector<std::string> b{"sqlite"};
  if (const char* pg = std::getenv("BONEPATH_TEST_PG_URL"); pg && *pg) b.push_back("postgres");
  return b;
}

// A throwaway database; removed (SQLite file, PostgreSQL schema) when destroyed.
class ScratchDb {
 public:
  explicit ScratchDb(const std::string& backend) : backend_(backend) {
    static std::atomic<int> counter{0};
    const std::string tag = "bp_t" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    if (backend == "postgres") {
      base_ = std::getenv("BONEPATH_TEST_PG_URL");
      schema_ = tag;
      auto admin = OpenDatabase(base_);
      if (admin) (*admin)->ExecScript("CREATE SCHEMA " + schema_);
      url_ = base_ + (base_.find('?') == std::string::npos ? "?" : "&") +
             "options=-csearch_path%3D" + schema_;
    } else {
      dir_ = std::filesystem::temp_directory_path() / tag;
      std::filesystem::create_directories(dir_);
      url_ = (dir_ / "registry.db").string();
    }
  }
  ~ScratchDb() {
    if (backend_ == "postgres") {
      auto admin = OpenDatabase(base_);
      if (admin) (*admin)->ExecScript("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
    } else {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }
  ScratchDb(const ScratchDb&) = delete;
  ScratchDb& operator=(const ScratchDb&) = delete;

  // What --db takes.
  const std::string& url() const { return url_; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::string backend_, base_, schema_, url_;
  std::filesystem::path dir_;
};

}  // namespace bp::storage::testing
