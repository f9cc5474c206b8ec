// The service database's WAL checkpoints run on a thread of their own, never in a hook call's
// commit (feedback_store.h): a checkpoint syncs the files and held up the call that crossed
// SQLite's 1,000-page mark, and every call queued behind the store's mutex. The log must still
// start over, or it grows without end under a steady stream of calls.
#include "server/feedback_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <thread>

namespace bp::server {
namespace {

namespace fs = std::filesystem;

class FeedbackStoreCheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "bonepath-store-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    db_ = (dir_ / "s.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  // `n` replay records, about 2.5 pages of write-ahead log each.
  static void Record(FeedbackStore& s, int n, std::chrono::microseconds pause = {}) {
    for (int i = 0; i < n; ++i) {
      auto r =
          s.RememberJti("https://ehr.example.org", "jti-" + std::to_string(i), 4000000000LL, 1000);
      ASSERT_TRUE(r);
      ASSERT_TRUE(*r);
      if (pause.count() > 0) std::this_thread::sleep_for(pause);
    }
  }
  fs::path dir_;
  std::string db_;
};

TEST_F(FeedbackStoreCheckpointTest, CommitsDoNotCheckpoint) {
  auto s = FeedbackStore::Open(db_, std::chrono::hours(1));  // the thread's turn never comes
  ASSERT_TRUE(s);
  const auto before = fs::file_size(db_);
  Record(**s, 800);  // about 2,000 pages: twice SQLite's automatic mark
  EXPECT_EQ(fs::file_size(db_), before) << "a commit copied the log into the database";
  EXPECT_GT(fs::file_size(db_ + "-wal"), 1000u * 4096u);
  auto again = (*s)->RememberJti("https://ehr.example.org", "jti-7", 4000000000LL, 1000);
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again) << "a recorded jti is a replay";
}

TEST_F(FeedbackStoreCheckpointTest, TheThreadCopiesTheLogAndItStartsOver) {
  auto s = FeedbackStore::Open(db_, std::chrono::milliseconds(50));
  ASSERT_TRUE(s);
  const auto before = fs::file_size(db_);
  // A steady stream: 4,000 records (about 10,000 pages, 40 MB of log if it never started over)
  // over a second or more, while the thread checkpoints every 50 ms (and lets the log start
  // over every 250 ms).
  Record(**s, 4000, std::chrono::microseconds(250));
  EXPECT_GT(fs::file_size(db_), before) << "nothing was copied into the database";
  EXPECT_LT(fs::file_size(db_ + "-wal"), 16u << 20) << "the log never started over";
}

}  // namespace
}  // namespace bp::server
