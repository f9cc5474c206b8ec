// `bonepath registry`: the infusion and injection registry (src/registry) on a SQLite file or a
// PostgreSQL database (--db). Parsing and wiring only: windows, checklists and alerts are the
// registry's and the engine's.
//
// Exit status: 0 done; 2 bad usage or input (malformed date, unknown patient or agent, a date
// beyond the booking horizon, an unreadable record, a database that cannot be opened) with
// nothing changed; 1 an internal or database failure. Nothing about patients goes to stderr but
// the ids the user typed.
#include <cctype>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/input.h"
#include "cli/server_commands.h"
#include "io/assessment_json.h"
#include "io/line_reader.h"
#include "io/native_reader.h"
#include "io/render_util.h"
#include "knowledge/loader.h"
#include "registry/registry.h"
#include "registry/windows.h"
#include "rules/engine.h"
#include "storage/database.h"
#include "storage/registry_store.h"

namespace bp::cli {
namespace {

// Text from records (ids, texts) as printed to a terminal: control characters escaped.
std::string Shown(const std::string& s) { return render::EscapeControl(s); }

constexpr std::size_t kMaxRecordBytes = 256u * 1024 * 1024;
// One NDJSON line is one native record: far smaller than a file.
constexpr std::size_t kMaxNdjsonLine = 16u * 1024 * 1024;

struct RegistryArgs {
  std::string db = "bonepath.db";
  std::string profile = "us-composite";
  std::string format = "text";
  std::string as_of;
  // import
  std::vector<std::string> files;
  std::string ndjson;
  std::string bundle_patient;  // --patient: one patient of a multi-patient Bundle or Bulk folder
  int batch = 500;
  // dose
  std::string patient;
  std::string agent;
  std::string date;
  bool planned = false;
  // due
  std::string within;
};

int Fail(const Errors& errs, bool json, std::string_view where = "registry") {
  const int rc = ExitStatus(errs);
  std::fputs(FormatErrorsForStderr(where, errs).c_str(), stderr);
  if (json) std::cout << ErrorsToJson(errs) << "\n";
  return rc;
}

Result<Date> ParseDateArg(const std::string& flag, const std::string& value, Date fallback) {
  if (value.empty()) return fallback;
  auto d = Date::Parse(value);
  if (!d) return Error{"date", flag, "\"" + value + "\" is not a calendar date (YYYY-MM-DD)"};
  return *d;
}

// "30d", "30", "6w": a number of days.
Result<int> ParseWithin(const std::string& s, int fallback) {
  if (s.empty()) return fallback;
  std::size_t pos = 0;
  long n = -1;
  while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
  if (pos > 0 && pos <= 5) n = std::stol(s.substr(0, pos));
  const std::string unit = s.substr(pos);
  if (n >= 0 && (unit.empty() || unit == "d")) return static_cast<int>(n);
  if (n >= 0 && unit == "w") return static_cast<int>(n * 7);
  return Error{"schema", "--within", "\"" + s + "\" is not a number of days (30d) or weeks (4w)"};
}

// The store, the engine and the registry, opened for one command.
struct Session {
  std::unique_ptr<storage::RegistryStore> store;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<registry::Registry> reg;
};

// `read_only`: the command only reads, so a database that does not exist is an error rather
// than created empty.
Result<Session> Open(const RegistryArgs& a, bool read_only = false) {
  const KnowledgeBase& kb = EmbeddedKnowledge();
  if (read_only)
    if (auto missing = storage::MissingDatabase(a.db))
      return Error{"db_open", "--db", missing->message};
  auto engine = Engine::Create(kb, a.profile);
  if (!engine) return engine.errors();
  auto store = storage::OpenRegistryStore(a.db);
  if (!store) {
    Errors errs = store.errors();
    for (auto& e : errs) {
      if (e.path.empty()) e.path = "--db";
    }
    return errs;
  }
  Session s;
  s.store = std::move(*store);
  s.engine = std::make_unique<Engine>(std::move(*engine));
  s.reg =
      std::make_unique<registry::Registry>(*s.store, kb, *s.engine, registry::EmbeddedWindows());
  return s;
}

// One record to import: loaded from a file (any format LoadPatient reads) or an NDJSON line.
struct Source {
  std::string name;  // for messages: the file, or file:line
  std::string path;  // file to load, empty for an NDJSON line
  std::string line;
};

Result<registry::Registry::ImportItem> LoadItem(const Source& src, const KnowledgeBase& kb,
                                                const LoadOptions& opt) {
  registry::Registry::ImportItem item;
  if (src.path.empty()) {
    NativeReadOptions no;
    no.as_of_override = opt.as_of;
    std::vector<InputIssue> issues;
    auto p = ReadNativePatient(src.line, kb, &issues, no);
    if (!p) return p.errors();
    item.patient = std::move(*p);
    item.source_kind = "native";
    item.source_sha256 = registry::Sha256Hex(src.line);
  } else {
    auto loaded = LoadPatient(src.path, kb, opt);
    if (!loaded) return loaded.errors();
    item.patient = std::move(loaded->patient);
    item.source_kind = loaded->source_kind;
    if (loaded->source_kind != "fhir-bulk") {
      auto bytes = ReadInput(src.path, kMaxRecordBytes);
      if (!bytes) return bytes.errors();
      item.source_sha256 = registry::Sha256Hex(*bytes);
    }
  }
  if (item.patient.id.empty()) {
    return Error{"schema", "id", "the record has no patient id"};
  }
  item.as_of = AssessmentDate(item.patient, opt);
  return item;
}

int RunImport(const RegistryArgs& a) {
  const bool json = a.format == "json";
  const KnowledgeBase& kb = EmbeddedKnowledge();
  LoadOptions opt;
  if (!a.bundle_patient.empty()) opt.patient_id = a.bundle_patient;
  if (!a.as_of.empty()) {
    auto d = ParseDateArg("--as-of", a.as_of, Date::TodayUtc());
    if (!d) return Fail(d.errors(), json);
    opt.as_of = *d;
  }
  if (a.files.empty() && a.ndjson.empty()) {
    return Fail({{"schema", "", "nothing to import: name FILE... or --ndjson FILE"}}, json);
  }
  if (a.batch < 1) return Fail({{"schema", "--batch", "must be at least 1"}}, json);
  // Every record is read twice: first all are checked, so that one bad file imports nothing;
  // then they are imported in batches (one transaction each) without holding them all.
  std::vector<Source> sources;
  for (const auto& f : a.files) sources.push_back({f, f, ""});
  // The NDJSON file: a regular file only, read line by line with each line bounded while it is
  // read (a 2 GB file without a newline is refused after kMaxNdjsonLine, not buffered).
  if (!a.ndjson.empty()) {
    auto probe = LineReader::Open(a.ndjson, kMaxNdjsonLine);
    if (!probe) return Fail(probe.errors(), json);
  }
  Errors read_error;
  auto for_each_source = [&](const std::function<bool(const Source&)>& fn) {
    for (const auto& s : sources)
      if (!fn(s)) return false;
    if (!a.ndjson.empty()) {
      auto nd = LineReader::Open(a.ndjson, kMaxNdjsonLine);
      if (!nd) {
        read_error = nd.errors();
        return false;
      }
      std::string line;
      while (nd->Next(&line)) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        if (!fn({a.ndjson + ":" + std::to_string(nd->line_number()), "", line})) return false;
      }
      if (nd->error()) {
        read_error = {*nd->error()};
        return false;
      }
    }
    return true;
  };
  Errors bad;
  for_each_source([&](const Source& s) {
    auto item = LoadItem(s, kb, opt);
    if (!item) {
      std::fputs(FormatErrorsForStderr(s.name, item.errors()).c_str(), stderr);
      for (const auto& e : item.errors())
        bad.push_back({e.code, s.name + ": " + e.path, e.message});
    }
    return bad.size() < 500;
  });
  if (!read_error.empty()) return Fail(read_error, json);
  if (!bad.empty()) {
    std::fprintf(stderr, "bonepath registry import: nothing imported (%zu problem(s))\n",
                 bad.size());
    if (json) std::cout << ErrorsToJson(bad) << "\n";
    return ExitStatus(bad);
  }
  auto session = Open(a);
  if (!session) return Fail(session.errors(), json);
  std::vector<registry::Registry::ImportItem> batch;
  std::size_t created = 0, updated = 0;
  Errors failure;
  auto flush = [&]() {
    if (batch.empty()) return true;
    auto r = session->reg->Import(batch);
    batch.clear();
    if (!r) {
      failure = r.errors();
      return false;
    }
    for (const auto& o : *r) (o.updated ? updated : created)++;
    return true;
  };
  const bool ok = for_each_source([&](const Source& s) {
    auto item = LoadItem(s, kb, opt);
    if (!item) {
      failure = item.errors();
      return false;
    }
    batch.push_back(std::move(*item));
    if (static_cast<int>(batch.size()) >= a.batch) return flush();
    return true;
  });
  if (!ok && failure.empty()) failure = read_error;
  if (!ok || !flush()) {
    std::fprintf(stderr, "bonepath registry import: stopped after %zu record(s)\n",
                 created + updated);
    return Fail(failure, json);
  }
  if (json) {
    std::cout << nlohmann::json{{"imported", created + updated},
                                {"created", created},
                                {"updated", updated},
                                {"knowledge_version", kb.version}}
                     .dump(2)
              << "\n";
  } else {
    std::cout << "Imported " << created + updated << " record(s): " << created << " new, "
              << updated << " updated (knowledge " << kb.version << ").\n";
  }
  return kExitOk;
}

int RunDose(const RegistryArgs& a) {
  const bool json = a.format == "json";
  auto today = ParseDateArg("--as-of", a.as_of, Date::TodayUtc());
  if (!today) return Fail(today.errors(), json);
  if (a.date.empty()) return Fail({{"schema", "--date", "is required (YYYY-MM-DD)"}}, json);
  auto date = ParseDateArg("--date", a.date, *today);
  if (!date) return Fail(date.errors(), json);
  if (!registry::EmbeddedWindows().Find(a.agent)) {
    std::string known;
    for (const auto& w : registry::EmbeddedWindows().agents) {
      known += (known.empty() ? "" : ", ") + w.agent;
    }
    return Fail({{"schema", "--agent",
                  "\"" + a.agent + "\" is not an agent the registry follows (" + known + ")"}},
                json);
  }
  auto session = Open(a);
  if (!session) return Fail(session.errors(), json);
  auto r = session->reg->RecordDose(a.patient, a.agent, *date, a.planned, *today);
  if (!r)
    return Fail(r.errors(), json, r.error().code == "unknown_patient" ? a.patient : "registry");
  const char* what = a.planned ? "booked" : "given";
  if (json) {
    std::cout << nlohmann::json{{"patient_id", a.patient},
                                {"agent", a.agent},
                                {"date", date->ToString()},
                                {"planned", a.planned},
                                {"recorded", *r}}
                     .dump(2)
              << "\n";
  } else if (*r) {
    std::cout << "Recorded " << a.agent << " " << what << " on " << date->ToString() << ".\n";
  } else {
    std::cout << "Already recorded: " << a.agent << " " << what << " on " << date->ToString()
              << ".\n";
  }
  return kExitOk;
}

int RunDue(const RegistryArgs& a) {
  const bool json = a.format == "json";
  auto as_of = ParseDateArg("--as-of", a.as_of, Date::TodayUtc());
  if (!as_of) return Fail(as_of.errors(), json);
  auto within = ParseWithin(a.within, registry::EmbeddedWindows().within_default_days);
  if (!within) return Fail(within.errors(), json);
  auto session = Open(a, /*read_only=*/true);
  if (!session) return Fail(session.errors(), json);
  auto due = session->reg->Due(*as_of, *within);
  if (!due) return Fail(due.errors(), json);
  if (json) {
    std::cout << registry::DueToJson(*due, *as_of, *within) << "\n";
  } else if (a.format == "csv") {
    std::cout << registry::DueToCsv(*due);
  } else {
    std::printf("Doses due or overdue as of %s (upcoming within %d days): %zu\n",
                as_of->ToString().c_str(), *within, due->size());
    if (!due->empty()) {
      std::printf("%-9s %-20s %-16s %-10s  %-10s  %5s  %s\n", "STATUS", "PATIENT", "AGENT",
                  "LAST DOSE", "DUE", "LATE", "BOOKED");
    }
    for (const auto& e : *due) {
      std::printf("%-9s %-20s %-16s %-10s  %-10s  %4dd  %s\n",
                  std::string(registry::ToString(e.status)).c_str(), Shown(e.patient_id).c_str(),
                  e.agent.c_str(), e.last_dose.ToString().c_str(), e.due_date.ToString().c_str(),
                  e.days_late, e.booked ? e.booked->ToString().c_str() : "-");
    }
  }
  std::cout.flush();
  return std::cout ? kExitOk : kExitInternal;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

int RunChecklist(const RegistryArgs& a) {
  const bool json = a.format == "json";
  auto as_of = ParseDateArg("--as-of", a.as_of, Date::TodayUtc());
  if (!as_of) return Fail(as_of.errors(), json);
  auto date = ParseDateArg("--date", a.date, *as_of);
  if (!date) return Fail(date.errors(), json);
  auto session = Open(a);
  if (!session) return Fail(session.errors(), json);
  auto c = session->reg->Checklist(a.patient, *date);
  if (!c)
    return Fail(c.errors(), json, c.error().code == "unknown_patient" ? a.patient : "registry");
  const KnowledgeBase& kb = EmbeddedKnowledge();
  if (json) {
    std::cout << registry::ChecklistToJson(*c, kb) << "\n";
    return kExitOk;
  }
  const Assessment& as = c->assessment;
  std::printf("Pre-infusion checklist for %s on %s (knowledge %s, profile %s)\n",
              Shown(c->patient_id).c_str(), c->date.ToString().c_str(),
              as.knowledge_version.c_str(), as.profile.c_str());
  std::printf("Zoledronic acid: %s\n", std::string(ToString(as.za_status)).c_str());
  for (const auto& r : as.za_reasons) std::printf("  - %s\n", r.text.c_str());
  std::printf("\nChecks:\n");
  for (const auto& p : as.pre_infusion) {
    std::printf("  [%-7s] %s: %s\n", Upper(ToString(p.status)).c_str(),
                std::string(ToString(p.check)).c_str(), p.text.c_str());
  }
  if (!as.warnings.empty()) std::printf("\nWarnings:\n");
  for (const auto& w : as.warnings) {
    std::printf("  [%s] %s: %s\n", std::string(ToString(w.severity)).c_str(), w.code.c_str(),
                w.text.c_str());
  }
  if (!as.missing_data.empty()) std::printf("\nMissing data:\n");
  for (const auto& m : as.missing_data) {
    std::printf("  - %s (needed for %s)\n", m.field.c_str(), m.needed_for.c_str());
  }
  std::cout.flush();
  return kExitOk;
}

int RunAlerts(const RegistryArgs& a) {
  const bool json = a.format == "json";
  auto as_of = ParseDateArg("--as-of", a.as_of, Date::TodayUtc());
  if (!as_of) return Fail(as_of.errors(), json);
  auto session = Open(a, /*read_only=*/true);
  if (!session) return Fail(session.errors(), json);
  auto alerts = session->reg->Alerts(*as_of);
  if (!alerts) return Fail(alerts.errors(), json);
  if (json) {
    std::cout << registry::AlertsToJson(*alerts, *as_of) << "\n";
    return kExitOk;
  }
  std::printf("Alerts as of %s: %zu\n", as_of->ToString().c_str(), alerts->size());
  for (const auto& x : *alerts) {
    std::printf("  [%s] %s %s: %s\n", std::string(ToString(x.severity)).c_str(),
                Shown(x.patient_id).c_str(), x.code.c_str(), Shown(x.text).c_str());
  }
  return kExitOk;
}

int RunHistory(const RegistryArgs& a) {
  const bool json = a.format == "json";
  auto session = Open(a, /*read_only=*/true);
  if (!session) return Fail(session.errors(), json);
  auto h = session->reg->History(a.patient);
  if (!h)
    return Fail(h.errors(), json, h.error().code == "unknown_patient" ? a.patient : "registry");
  auto doses = session->reg->Doses(a.patient);
  if (!doses) return Fail(doses.errors(), json);
  if (json) {
    std::cout << registry::HistoryToJson(a.patient, *h, *doses) << "\n";
    return kExitOk;
  }
  std::printf("History of %s: %zu assessment(s), %zu dose(s)\n", Shown(a.patient).c_str(),
              h->size(), doses->size());
  for (const auto& r : *h) {
    const auto out = nlohmann::json::parse(r.output_json, nullptr, false);
    std::string summary;
    if (!out.is_discarded()) {
      summary = "risk " + out.value("/risk_tier"_json_pointer, std::string("?")) + ", therapy " +
                out.value("/therapy/recommended"_json_pointer, std::string("?")) +
                ", zoledronic acid " +
                out.value("/infusion/zoledronic_acid/status"_json_pointer, std::string("?"));
    }
    std::printf("  #%lld %s %-9s as of %s  knowledge %s  profile %s  input %.12s  %s\n",
                static_cast<long long>(r.id), r.created_at.c_str(), r.reason.c_str(),
                r.as_of.ToString().c_str(), r.knowledge_version.c_str(), r.profile.c_str(),
                r.input_sha256.c_str(), summary.c_str());
  }
  if (!doses->empty()) std::printf("Doses:\n");
  for (const auto& d : *doses) {
    std::printf("  %s %-16s %-7s (%s, recorded %s)\n", d.date.ToString().c_str(), d.agent.c_str(),
                d.planned ? "booked" : "given", d.source.c_str(), d.recorded_at.c_str());
  }
  return kExitOk;
}

const CommandRegistrar kReg("registry", [](CLI::App& app, int* status) {
  auto args = std::make_shared<RegistryArgs>();
  CLI::App* reg = app.add_subcommand("registry", kRegistryDescription);
  reg->require_subcommand(1);
  reg->fallthrough();
  reg->add_option("--db", args->db,
                  "SQLite file (default bonepath.db) or postgresql://user@host:port/db URL");
  reg->add_option("--profile", args->profile, "guideline profile (default us-composite)");

  auto add_format = [&](CLI::App* c, std::vector<std::string> formats) {
    c->add_option("--format", args->format, "output format")->check(CLI::IsMember(formats));
  };

  CLI::App* imp = reg->add_subcommand("import", "Register or update patients from records");
  imp->add_option("files", args->files, "native records or FHIR bundles (or Bulk Data folders)");
  imp->add_option("--ndjson", args->ndjson, "a file of native records, one per line");
  imp->add_option("--as-of", args->as_of, "assessment date (default: each record's, else today)");
  imp->add_option("--batch", args->batch, "records per transaction (default 500)");
  imp->add_option("--patient", args->bundle_patient,
                  "patient id in a multi-patient Bundle or a Bulk Data folder");
  add_format(imp, {"text", "json"});
  imp->callback([args, status] { *status = RunImport(*args); });

  CLI::App* dose = reg->add_subcommand("dose", "Record a dose given, or book one (--planned)");
  dose->add_option("patient", args->patient, "patient id")->required();
  dose->add_option("--agent", args->agent,
                   "zoledronic_acid | denosumab | romosozumab | ibandronate")
      ->required();
  dose->add_option("--date", args->date, "YYYY-MM-DD")->required();
  dose->add_flag("--planned", args->planned, "a booked dose (at most the booking horizon ahead)");
  dose->add_option("--as-of", args->as_of, "today's date for the checks (default today)");
  add_format(dose, {"text", "json"});
  dose->callback([args, status] { *status = RunDose(*args); });

  CLI::App* due = reg->add_subcommand("due", "Who is due or overdue, most urgent first");
  due->add_option("--within", args->within, "also list doses due within this many days (30d)");
  due->add_option("--as-of", args->as_of, "date (default today)");
  add_format(due, {"text", "csv", "json"});
  due->callback([args, status] { *status = RunDue(*args); });

  CLI::App* check =
      reg->add_subcommand("checklist", "The engine's pre-infusion checklist for a day");
  check->add_option("patient", args->patient, "patient id")->required();
  check->add_option("--date", args->date, "infusion day (default: --as-of, else today)");
  check->add_option("--as-of", args->as_of, "date (default today)");
  add_format(check, {"text", "json"});
  check->callback([args, status] { *status = RunChecklist(*args); });

  CLI::App* alerts = reg->add_subcommand("alerts", "Lapses, courses ending, reviews due");
  alerts->add_option("--as-of", args->as_of, "date (default today)");
  add_format(alerts, {"text", "json"});
  alerts->callback([args, status] { *status = RunAlerts(*args); });

  CLI::App* hist = reg->add_subcommand("history", "The audit trail of one patient");
  hist->add_option("patient", args->patient, "patient id")->required();
  add_format(hist, {"text", "json"});
  hist->callback([args, status] { *status = RunHistory(*args); });
});

}  // namespace
}  // namespace bp::cli
