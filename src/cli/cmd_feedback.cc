// `bonepath feedback report [--db]`: accept and override rates of the CDS Hooks cards, by card
// and by override reason, from the service database. Parsing and wiring only. Compiled into
// bonepath-server, which `bonepath feedback` execs (cmd_server.cc).
#include <cstdio>
#include <map>

#include "cli/command.h"
#include "cli/server_commands.h"
#include "io/render_util.h"
#include "server/feedback_store.h"
#include "storage/database.h"

namespace bp::cli {
namespace {

int RunReport(const std::string& db) {
  // Reading must not create: a mistyped --db is an error, not a new empty database.
  if (auto missing = storage::MissingDatabase(db)) {
    std::fprintf(stderr, "bonepath: %s: %s\n", render::EscapeControl(db).c_str(),
                 missing->message.c_str());
    return kExitBadInput;
  }
  auto store = server::FeedbackStore::Open(db);
  if (!store) {
    std::fprintf(stderr, "bonepath: %s: %s\n", db.c_str(), store.error().message.c_str());
    return kExitBadInput;
  }
  auto rows = (*store)->Report();
  if (!rows) {
    std::fprintf(stderr, "bonepath: %s\n", rows.error().message.c_str());
    return kExitInternal;
  }
  struct Tally {
    long long accepted = 0, overridden = 0;
    std::map<std::string, long long> reasons;
  };
  std::map<std::string, Tally> by_card;
  for (const auto& r : *rows) {
    Tally& t = by_card[r.card_code];
    if (r.outcome == "accepted")
      t.accepted += r.count;
    else {
      t.overridden += r.count;
      std::string reason = r.override_code.empty() ? "(no reason given)" : r.override_code;
      if (!r.override_display.empty()) reason += " (" + r.override_display + ")";
      t.reasons[reason] += r.count;
    }
  }
  if (by_card.empty()) {
    std::printf("No feedback recorded.\n");
    return kExitOk;
  }
  std::printf("%-48s %8s %9s %10s %9s\n", "card", "feedback", "accepted", "overridden",
              "override%");
  for (const auto& [card, t] : by_card) {
    const long long n = t.accepted + t.overridden;
    std::printf("%-48s %8lld %9lld %10lld %8.1f%%\n", render::EscapeControl(card).c_str(), n,
                t.accepted, t.overridden,
                n ? 100.0 * static_cast<double>(t.overridden) / static_cast<double>(n) : 0.0);
    for (const auto& [reason, c] : t.reasons)
      std::printf("    override reason %-40s %lld\n", render::EscapeControl(reason).c_str(), c);
  }
  return kExitOk;
}

const CommandRegistrar kReg("feedback", [](CLI::App& app, int* status) {
  auto db = std::make_shared<std::string>("bonepath.db");
  CLI::App* cmd = app.add_subcommand("feedback", kFeedbackDescription);
  cmd->require_subcommand(1);
  CLI::App* rep =
      cmd->add_subcommand("report", "Accept/override rates by card and override reason");
  rep->add_option("--db", *db,
                  "service database: SQLite path or postgresql:// URL (default bonepath.db)");
  rep->callback([db, status] { *status = RunReport(*db); });
});

}  // namespace
}  // namespace bp::cli
