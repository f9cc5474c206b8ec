#include "server/feedback_store.h"

namespace bp::server {

using storage::Database;
using storage::Ok;
using storage::Params;
using storage::Status;

Result<std::unique_ptr<FeedbackStore>> FeedbackStore::Open(const std::string& path_or_url) {
  auto db = storage::OpenDatabase(path_or_url);
  if (!db) return db.errors();
  auto migrated = (*db)->Migrate();
  if (!migrated) return migrated.errors();
  auto s = std::unique_ptr<FeedbackStore>(new FeedbackStore());
  s->db_ = std::move(*db);
  return s;
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
