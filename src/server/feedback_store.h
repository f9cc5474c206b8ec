// The CDS Hooks service's records in the service database (src/storage: SQLite by default,
// PostgreSQL by URL): the cards it issued (uuid -> card kind, so that feedback can be reported
// by card) and the feedback the EHR posts, stored idempotently (the same card, outcome and
// outcomeTimestamp twice is one row). Tables come from migrations/0100_cds_feedback.sql. No
// patient identifiers are stored.
//
// Thread safety: one connection guarded by a mutex (the port is one connection).
//
// WAL checkpoints (an SQLite file): not in a hook call's commit. By default SQLite checkpoints in
// the commit that takes the write-ahead log past 1,000 pages, and a checkpoint syncs the files:
// the call whose `jti` record crossed the mark (about one in 400, at 2.5 pages a record) waited
// 18-31 ms here, with every call queued behind the store's mutex. Automatic checkpoints are off
// on the store's connection; every `checkpoint_every` a thread of its own, on a second
// connection, copies the log while writes go on (PASSIVE: it blocks no writer); every fifth
// time it then copies, with the store's mutex held, the few pages written meanwhile, so that the
// log is fully copied and the next write starts it over from the beginning (without that step,
// under a steady stream of writes the log grows without end; with it, the calls' writes wait for
// two syncs, once every five checkpoints). Each commit is in the log before the call is answered,
// as before.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
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
  static Result<std::unique_ptr<FeedbackStore>> Open(
      const std::string& path_or_url,
      std::chrono::milliseconds checkpoint_every = std::chrono::seconds(1));
  ~FeedbackStore();
  FeedbackStore(const FeedbackStore&) = delete;
  FeedbackStore& operator=(const FeedbackStore&) = delete;

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
  void CheckpointLoop(void* ckpt_db, std::chrono::milliseconds every);
  std::unique_ptr<storage::Database> db_;
  std::mutex mu_;
  long long last_purge_ = 0;
  std::mutex ck_mu_;
  std::condition_variable ck_cv_;
  bool stopping_ = false;  // guarded by ck_mu_
  std::thread checkpointer_;
};

}  // namespace bp::server
