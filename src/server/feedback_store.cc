#include "server/feedback_store.h"

#include <sqlite3.h>

namespace bp::server {
namespace {
// How many background checkpoints between two with the store's mutex held (see the header).
constexpr int kRestartEvery = 5;
}  // namespace

using storage::Database;
using storage::Ok;
using storage::Params;
using storage::Status;

Result<std::unique_ptr<FeedbackStore>> FeedbackStore::Open(
    const std::string& path_or_url, std::chrono::milliseconds checkpoint_every) {
  auto db = storage::OpenDatabase(path_or_url);
  if (!db) return db.errors();
  auto migrated = (*db)->Migrate();
  if (!migrated) return migrated.errors();
  auto s = std::unique_ptr<FeedbackStore>(new FeedbackStore());
  s->db_ = std::move(*db);
  // An SQLite file: checkpoints move to a connection and a thread of their own (see the
  // header). The connection reads the schema once, which opens the log (a connection that has
  // read nothing checkpoints nothing). When it cannot be opened, SQLite's automatic
  // checkpoints stay on.
  if (s->db_->dialect() == "sqlite" && path_or_url != ":memory:") {
    sqlite3* ckpt = nullptr;
    if (sqlite3_open_v2(path_or_url.c_str(), &ckpt, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                        nullptr) == SQLITE_OK &&
        sqlite3_exec(ckpt, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr) ==
            SQLITE_OK) {
      if (auto off = s->db_->Query("PRAGMA wal_autocheckpoint=0"); !off) {
        sqlite3_close_v2(ckpt);
        return off.errors();
      }
      FeedbackStore* self = s.get();
      s->checkpointer_ = std::thread(
          [self, ckpt, checkpoint_every] { self->CheckpointLoop(ckpt, checkpoint_every); });
    } else {
      sqlite3_close_v2(ckpt);
    }
  }
  return s;
}

FeedbackStore::~FeedbackStore() {
  {
    std::lock_guard<std::mutex> lock(ck_mu_);
    stopping_ = true;
  }
  ck_cv_.notify_all();
  if (checkpointer_.joinable()) checkpointer_.join();
}

void FeedbackStore::CheckpointLoop(void* ckpt_db, std::chrono::milliseconds every) {
  auto* db = static_cast<sqlite3*>(ckpt_db);
  std::unique_lock<std::mutex> lock(ck_mu_);
  for (int pass = 1; !ck_cv_.wait_for(lock, every, [this] { return stopping_; }); ++pass) {
    lock.unlock();
    // The bulk of the log, while calls go on writing.
    sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (pass % kRestartEvery == 0) {
      // The pages written meanwhile, with no write in progress: the log is then fully copied
      // and the next write starts it over. This step holds the calls' writes up (two syncs), so
      // it runs only every kRestartEvery passes: fewer stalls, for a longer log.
      std::lock_guard<std::mutex> store(mu_);
      sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    }
    lock.lock();
  }
  lock.unlock();
  sqlite3_close_v2(db);
}

Result<bool> FeedbackStore::RecordCards(const std::string& service_id,
                                        const std::vector<cds::IssuedCard>& cards) {
  if (cards.empty()) return true;
  const std::string now = storage::NowUtcTimestamp();
  std::lock_guard<std::mutex> lock(mu_);
  Status st = db_->Transaction([&](Database& db) -> Status {
    for (const auto& c : cards) {
      auto r = db.Exec(
          "INSERT INTO cds_cards (uuid, service_id, code, indicator, issued_at) "
          "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (uuid) DO NOTHING",
          Params{c.uuid, service_id, c.code, c.indicator, now});
      if (!r) return r.errors();
    }
    return Ok{};
  });
  if (!st) return st.errors();
  return true;
}

Result<int> FeedbackStore::RecordFeedback(const std::string& service_id,
                                          const std::vector<cds::FeedbackItem>& items) {
  const std::string now = storage::NowUtcTimestamp();
  int added = 0;
  std::lock_guard<std::mutex> lock(mu_);
  Status st = db_->Transaction([&](Database& db) -> Status {
    added = 0;
    for (const auto& f : items) {
      std::string acc;
      for (const auto& s : f.accepted_suggestions) acc += (acc.empty() ? "" : ",") + s;
      auto r = db.Exec(
          "INSERT INTO cds_feedback (card_uuid, outcome, outcome_timestamp, service_id, "
          "accepted_suggestions, override_code, override_system, override_display, user_comment, "
          "received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
          "ON CONFLICT (card_uuid, outcome, outcome_timestamp) DO NOTHING",
          Params{f.card, f.outcome, f.outcome_timestamp, service_id, acc, f.override_code,
                 f.override_system, f.override_display, f.user_comment, now});
      if (!r) return r.errors();
      added += static_cast<int>(*r);
    }
    return Ok{};
  });
  if (!st) return st.errors();
  return added;
}

Result<bool> FeedbackStore::RememberJti(const std::string& issuer, const std::string& jti,
                                        long long keep_until, long long now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (now - last_purge_ >= 60) {
    last_purge_ = now;
    if (auto p = db_->Exec("DELETE FROM jwt_replay WHERE expires < $1",
                           Params{static_cast<std::int64_t>(now)});
        !p)
      return p.errors();
  }
  auto r = db_->Exec(
      "INSERT INTO jwt_replay (issuer, jti, expires) VALUES ($1, $2, $3) "
      "ON CONFLICT (issuer, jti) DO NOTHING",
      Params{issuer, jti, static_cast<std::int64_t>(keep_until)});
  if (!r) return r.errors();
  return *r == 1;
}

Result<std::vector<FeedbackRow>> FeedbackStore::Report() {
  std::lock_guard<std::mutex> lock(mu_);
  auto rows = db_->Query(
      "SELECT COALESCE(c.code, 'unknown'), f.outcome, f.override_code, MAX(f.override_display), "
      "COUNT(*) FROM cds_feedback f LEFT JOIN cds_cards c ON c.uuid = f.card_uuid "
      "GROUP BY COALESCE(c.code, 'unknown'), f.outcome, f.override_code "
      "ORDER BY 1, 2, 3");
  if (!rows) return rows.errors();
  std::vector<FeedbackRow> out;
  for (const auto& r : *rows) out.push_back({r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4)});
  return out;
}

}  // namespace bp::server
