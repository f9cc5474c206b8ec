// The CDS Hooks service's records in the service database (src/storage: SQLite by default,
// PostgreSQL by URL): the cards it issued (uuid -> card kind, so that feedback can be reported
// by card) and the feedback the EHR posts, stored idempotently (the same card, outcome and
// outcomeTimestamp twice is one row). Tables come from migrations/0100_cds_feedback.sql. No
// patient identifiers are stored.
//
// Thread safety: one connection guarded by a mutex (the port is one connection).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cdshooks/cds_service.h"
#include "common/result.h"
#include "storage/database.h"

namespace bp::server {

struct FeedbackRow {
  std::string card_code;  // "unknown" when the card was not issued through this database
  std::string outcome;
  std::string override_code;
  std::string override_display;
  long long count = 0;
};

class FeedbackStore {
 public:
  // Opens (creating and migrating) the database named by `path_or_url` (":memory:" for tests).
  static Result<std::unique_ptr<FeedbackStore>> Open(const std::string& path_or_url);

  Result<bool> RecordCards(const std::string& service_id,
                           const std::vector<cds::IssuedCard>& cards);
  // Returns how many items were new (the rest were already stored).
  Result<int> RecordFeedback(const std::string& service_id,
                             const std::vector<cds::FeedbackItem>& items);
  // The JWT replay record (jwt_verifier.h ReplayStore): true when (issuer, jti) is new and now
  // recorded until keep_until; false when it was recorded before. Purges expired rows now and then.
  Result<bool> RememberJti(const std::string& issuer, const std::string& jti, long long keep_until,
                           long long now);
  // Counts by card kind, outcome and override reason.
  Result<std::vector<FeedbackRow>> Report();

 private:
  FeedbackStore() = default;
  std::unique_ptr<storage::Database> db_;
  std::mutex mu_;
  long long last_purge_ = 0;
};

}  // namespace bp::server
