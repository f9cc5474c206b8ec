#include "registry/registry.h"

#include <openssl/evp.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "fhir/fhir_reader.h"
#include "io/assessment_json.h"
#include "io/native_reader.h"
#include "io/patient_json.h"

namespace bp::registry {
namespace {

using json = nlohmann::json;

Error InvalidInput(std::string path, std::string message) {
  return Error{"invalid_input", std::move(path), std::move(message)};
}

int SeverityRank(Severity s) { return static_cast<int>(s); }

std::optional<Severity> ParseSeverity(std::string_view s) { return Parse<Severity>(s); }

// The course of `agent` the assessment ends (stop, switch, transition, holiday), or nullptr.
// Denosumab is never simply stopped: only an explicit stop ends its doses (a switch continues it
// until the next agent starts, COURSE-19).
const CurrentCourse* EndedCourse(const Assessment& a, std::string_view agent) {
  for (const auto& c : a.current) {
    if (ToString(c.agent) != agent) continue;
    if (c.decision == CourseAction::kStop ||
        (c.agent != Agent::kDenosumab &&
         (c.decision == CourseAction::kSwitch || c.decision == CourseAction::kTransition ||
          c.decision == CourseAction::kHoliday)))
      return &c;
  }
  return nullptr;
}

}  // namespace

std::string_view ToString(DueStatus s) {
  switch (s) {
    case DueStatus::kUpcoming:
      return "upcoming";
    case DueStatus::kDue:
      return "due";
    case DueStatus::kOverdue:
      return "overdue";
  }
  return "upcoming";
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 0xf]);
  }
  return out;
}

std::vector<DueEntry> ComputeDue(const std::vector<storage::DoseSummary>& summaries,
                                 const Windows& windows, Date as_of, int within_days) {
  std::vector<DueEntry> out;
  const Date horizon = as_of.AddDays(within_days);
  for (const auto& s : summaries) {
    const AgentWindow* w = windows.Find(s.agent);
    if (w == nullptr || !s.last_given) continue;
    // The record says the course has ended (and no dose was given after that end).
    const bool ended = s.record_status == "stopped" || s.record_status == "completed";
    if (ended && (!s.record_end || *s.record_end >= *s.last_given)) continue;
    const int doses = std::max(s.given_count, s.record_doses_received.value_or(0));
    if (w->max_doses && doses >= *w->max_doses) continue;  // course complete: see alerts
    DueEntry e;
    e.patient_id = s.patient_id;
    e.agent = s.agent;
    e.last_dose = *s.last_given;
    e.due_date = w->due_after.After(e.last_dose);
    e.overdue_date = w->overdue_after.After(e.last_dose);
    e.doses_given = doses;
    e.booked = s.booked;
    e.rules = w->rules;
    if (as_of > e.overdue_date) {
      e.status = DueStatus::kOverdue;
    } else if (as_of >= e.due_date) {
      e.status = DueStatus::kDue;
    } else if (e.due_date <= horizon) {
      e.status = DueStatus::kUpcoming;
    } else {
      continue;
    }
    e.days_late = std::max(0, DaysBetween(e.due_date, as_of));
    out.push_back(std::move(e));
  }
  auto rank = [&](const DueEntry& e) {
    const AgentWindow* w = windows.Find(e.agent);
    return w ? w->urgency_rank : 99;
  };
  std::sort(out.begin(), out.end(), [&](const DueEntry& a, const DueEntry& b) {
    if (a.status != b.status) return a.status > b.status;  // overdue, due, upcoming
    if (rank(a) != rank(b)) return rank(a) < rank(b);
    if (a.due_date != b.due_date) return a.due_date < b.due_date;
    return a.patient_id < b.patient_id;
  });
  return out;
}

Registry::Registry(storage::RegistryStore& store, const KnowledgeBase& kb, const Engine& engine,
                   const Windows& windows)
    : store_(store), kb_(kb), engine_(engine), windows_(windows) {}

// The stored record is the native record (io/patient_json.h), written directly: no round trip
// through the `fhir extract` document.
std::string Registry::NativeJson(const Patient& p) const { return PatientToJson(p, kb_); }

void Registry::MergeDoses(Patient& p, const std::vector<storage::DoseRecord>& doses,
                          Date as_of) const {
  std::map<std::string, std::vector<Date>> given;  // agent -> dates, ascending
  for (const auto& d : doses) {
    if (!d.planned && d.date <= as_of && windows_.Find(d.agent)) given[d.agent].push_back(d.date);
  }
  for (auto& [agent_name, dates] : given) {
    std::sort(dates.begin(), dates.end());
    dates.erase(std::unique(dates.begin(), dates.end()), dates.end());
    const auto agent = Parse<Agent>(agent_name);
    if (!agent) continue;
    const AgentWindow* w = windows_.Find(agent_name);
    Medication* med = nullptr;
    for (auto& m : p.medications) {
      if (m.agent != *agent || m.status == MedStatus::kPlanned) continue;
      if (!med || m.status == MedStatus::kActive) med = &m;
    }
    if (med == nullptr) {
      Medication m;
      m.agent = *agent;
      m.status = MedStatus::kActive;
      m.start = dates.front();
      m.last_dose = dates.back();
      m.doses_received = static_cast<int>(dates.size());
      if (auto r = Parse<Route>(w->route)) m.route = *r;
      p.medications.push_back(m);
      continue;
    }
    const std::optional<Date> record_last = med->last_dose;
    int later = 0;
    for (const Date& d : dates)
      if (!record_last || d > *record_last) ++later;
    if (med->doses_received) {
      med->doses_received = *med->doses_received + later;
    } else if (!record_last) {
      med->doses_received = static_cast<int>(dates.size());
    }
    if (!record_last || dates.back() > *record_last) med->last_dose = dates.back();
    // A dose given after the record's end restarts the course.
    if ((med->status == MedStatus::kStopped || med->status == MedStatus::kCompleted) &&
        (!med->end || dates.back() > *med->end) && later > 0) {
      med->status = MedStatus::kActive;
      med->end.reset();
      med->stop_reason.reset();
    }
    if (!med->start || dates.front() < *med->start) med->start = dates.front();
  }
}

Result<Patient> Registry::ParseStored(const storage::StoredPatient& sp, Date as_of) {
  NativeReadOptions opt;
  opt.today = std::max(as_of, Date::TodayUtc());
  std::vector<InputIssue> issues;
  auto p = ReadNativePatient(sp.record_json, kb_, &issues, opt);
  if (!p) {
    return Error{"internal", "",
                 "the stored record of this patient does not read back: " + p.error().path + ": " +
                     p.error().message};
  }
  return p;
}

Result<Patient> Registry::LoadForAssessment(const std::string& patient_id, Date as_of) {
  auto sp = store_.GetPatient(patient_id);
  if (!sp) return sp.errors();
  if (!*sp) return Error{"unknown_patient", "patient", "no patient with this id in the registry"};
  auto p = ParseStored(**sp, as_of);
  if (!p) return p.errors();
  auto doses = store_.Doses(patient_id);
  if (!doses) return doses.errors();
  MergeDoses(*p, *doses, as_of);
  return p;
}

Result<std::vector<ImportOutcome>> Registry::Import(const std::vector<ImportItem>& items) {
  std::vector<ImportOutcome> outcomes;
  std::vector<storage::PatientWrite> writes;
  for (const ImportItem& item : items) {
    auto w = PrepareImport(item, &outcomes.emplace_back());
    if (!w) return w.errors();
    writes.push_back(std::move(*w));
  }
  auto created = store_.SavePatients(writes);
  if (!created) return created.errors();
  // What was committed decides "new" or "updated", not what was seen before the transaction.
  for (size_t i = 0; i < outcomes.size() && i < created->size(); ++i)
    outcomes[i].updated = !(*created)[i];
  return outcomes;
}

Result<storage::PatientWrite> Registry::PrepareImport(const ImportItem& item,
                                                      ImportOutcome* outcome) {
  const Patient& patient = item.patient;
  const Date as_of = item.as_of;
  if (patient.id.empty()) return InvalidInput("id", "the record has no patient id");
  auto existing = store_.GetPatient(patient.id);
  if (!existing) return existing.errors();
  std::vector<storage::DoseRecord> prior;
  if (*existing) {
    auto d = store_.Doses(patient.id);
    if (!d) return d.errors();
    prior = std::move(*d);
  }
  const std::string now = storage::NowUtcTimestamp();
  storage::StoredPatient sp;
  sp.id = patient.id;
  sp.record_json = NativeJson(patient);
  sp.source_kind = item.source_kind;
  sp.source_sha256 = item.source_sha256;
  sp.created_at = now;
  sp.updated_at = now;

  std::vector<storage::AgentLine> lines;
  std::vector<storage::DoseRecord> record_doses;
  for (const Medication& m : patient.medications) {
    const std::string agent(ToString(m.agent));
    const AgentWindow* w = windows_.Find(agent);
    if (w == nullptr) continue;
    if (m.route && ToString(*m.route) != w->route) continue;  // oral ibandronate is not ours
    if (m.status == MedStatus::kPlanned) continue;
    storage::AgentLine line{agent, std::string(ToString(m.status)), m.end, m.doses_received};
    auto same =
        std::find_if(lines.begin(), lines.end(), [&](const auto& l) { return l.agent == agent; });
    if (same == lines.end()) {
      lines.push_back(line);
    } else if (m.status == MedStatus::kActive) {
      *same = line;  // the active line wins over an older, ended one
    }
    if (m.last_dose) {
      storage::DoseRecord d;
      d.patient_id = patient.id;
      d.agent = agent;
      d.date = *m.last_dose;
      d.source = "record";
      d.recorded_at = now;
      record_doses.push_back(d);
    }
  }

  Patient merged = patient;
  MergeDoses(merged, prior, as_of);
  ImportOutcome& out = *outcome;
  out.patient_id = patient.id;
  out.updated = existing->has_value();
  out.assessment = engine_.Assess(merged, as_of);

  storage::AssessmentRecord a;
  a.patient_id = patient.id;
  a.created_at = now;
  a.as_of = as_of;
  // The engine saw the record itself unless earlier registry doses were merged into it.
  a.input_sha256 = Sha256Hex(prior.empty() ? sp.record_json : NativeJson(merged));
  a.knowledge_version = kb_.version;
  a.profile = engine_.profile();
  a.reason = "import";
  a.output_json = AssessmentToJson(out.assessment, kb_, -1);
  return storage::PatientWrite{std::move(sp), std::move(lines), std::move(record_doses),
                               std::move(a)};
}

namespace {
// Catalogue §6 CONV-02: a patient who had died by `as_of` is booked and listed for nothing.
bool DeceasedBy(const Patient& p, Date as_of) {
  if (p.deceased_date) return *p.deceased_date <= as_of;
  return p.deceased.value_or(false);
}
}  // namespace

Result<bool> Registry::RecordDose(const std::string& patient_id, std::string_view agent, Date date,
                                  bool planned, Date today) {
  const AgentWindow* w = windows_.Find(agent);
  if (w == nullptr) {
    std::string known;
    for (const auto& a : windows_.agents) known += (known.empty() ? "" : ", ") + a.agent;
    return InvalidInput("--agent", "\"" + std::string(agent) +
                                       "\" is not an agent the registry follows (" + known + ")");
  }
  if (!planned && date > today) {
    return InvalidInput("--date", date.ToString() +
                                      " is in the future: a dose not yet given "
                                      "is booked with --planned");
  }
  if (planned && date > today.AddMonths(windows_.booking_horizon_months)) {
    return InvalidInput("--date", date.ToString() + " is more than " +
                                      std::to_string(windows_.booking_horizon_months) +
                                      " months ahead (the booking horizon)");
  }
  if (planned) {
    auto p = LoadForAssessment(patient_id, today);
    if (p && DeceasedBy(*p, today))
      return Error{"inconsistent", "patient", "the patient is recorded as deceased: no booking"};
    if (p) {
      const Assessment a = engine_.Assess(*p, today);
      if (const CurrentCourse* c = EndedCourse(a, agent)) {
        std::string rules;
        for (auto r : c->rules) rules += (rules.empty() ? "" : ", ") + std::string(r);
        return Error{"inconsistent", "--agent",
                     "the current assessment ends this " + std::string(agent) + " course (" +
                         std::string(ToString(c->decision)) + "; " + rules + "): no booking"};
      }
    }
  }
  storage::DoseRecord d;
  d.patient_id = patient_id;
  d.agent = std::string(agent);
  d.date = date;
  d.planned = planned;
  d.source = "registry";
  auto r = store_.AddDose(d);
  if (!r && r.error().code == "unknown_patient") {
    return Error{"unknown_patient", "patient", "no patient with this id in the registry"};
  }
  return r;
}

Result<std::vector<DueEntry>> Registry::Due(Date as_of, int within_days) {
  auto s = store_.DoseSummaries();
  if (!s) return s.errors();
  std::vector<DueEntry> due = ComputeDue(*s, windows_, as_of, within_days);
  // Deceased patients leave the due list.
  std::map<std::string, bool> deceased;
  for (const auto& e : due) {
    if (deceased.count(e.patient_id)) continue;
    auto p = LoadForAssessment(e.patient_id, as_of);
    deceased[e.patient_id] = p && DeceasedBy(*p, as_of);
  }
  std::erase_if(due, [&](const DueEntry& e) { return deceased[e.patient_id]; });
  // A course the current assessment ends is flagged (one assessment per patient).
  std::map<std::string, Assessment> assessed;
  for (auto& e : due) {
    auto it = assessed.find(e.patient_id);
    if (it == assessed.end()) {
      auto p = LoadForAssessment(e.patient_id, as_of);
      if (!p) continue;
      it = assessed.emplace(e.patient_id, engine_.Assess(*p, as_of)).first;
    }
    if (const CurrentCourse* c = EndedCourse(it->second, e.agent)) {
      e.course_decision = std::string(ToString(c->decision));
      for (auto r : c->rules) e.course_rules.emplace_back(r);
    }
  }
  return due;
}

Result<ChecklistResult> Registry::Checklist(const std::string& patient_id, Date date) {
  auto p = LoadForAssessment(patient_id, date);
  if (!p) return p.errors();
  ChecklistResult c;
  c.patient_id = patient_id;
  c.date = date;
  c.assessment = engine_.Assess(*p, date);
  storage::AssessmentRecord a;
  a.patient_id = patient_id;
  a.as_of = date;
  a.input_sha256 = Sha256Hex(NativeJson(*p));
  a.knowledge_version = kb_.version;
  a.profile = engine_.profile();
  a.reason = "checklist";
  a.output_json = AssessmentToJson(c.assessment, kb_, -1);
  if (storage::Status st = store_.AddAssessment(a); !st) return st.errors();
  return c;
}

Result<std::vector<Alert>> Registry::Alerts(Date as_of) {
  std::vector<Alert> out;
  // Read before this run stores new assessments.
  auto versions = store_.LatestKnowledgeVersions();
  if (!versions) return versions.errors();
  for (const auto& [id, version] : *versions) {
    if (version == kb_.version) continue;
    out.push_back({id,
                   "assessment_knowledge_outdated",
                   Severity::kInfo,
                   "The last assessment used knowledge " + version + "; the current is " +
                       kb_.version + ": reassess (bonepath registry import or checklist).",
                   {},
                   "registry"});
  }
  auto summaries = store_.DoseSummaries();
  if (!summaries) return summaries.errors();
  auto ids = store_.PatientIds();
  if (!ids) return ids.errors();
  std::set<std::pair<std::string, std::string>> raised;  // (patient, code)
  std::set<std::string> dead;                            // deceased: no alert at all
  for (const std::string& id : *ids) {
    auto p = LoadForAssessment(id, as_of);
    if (!p) return p.errors();
    if (DeceasedBy(*p, as_of)) {
      dead.insert(id);
      continue;
    }
    const Assessment a = engine_.Assess(*p, as_of);
    bool any = false;
    for (const Warning& w : a.warnings) {
      for (const auto& aw : windows_.alert_warnings) {
        const auto min = ParseSeverity(aw.min_severity).value_or(Severity::kInfo);
        if (w.code != aw.code || SeverityRank(w.severity) < SeverityRank(min)) continue;
        out.push_back({id, w.code, w.severity, w.text,
                       std::vector<std::string>(w.rules.begin(), w.rules.end()), "engine"});
        raised.insert({id, w.code});
        any = true;
      }
    }
    if (any) {
      storage::AssessmentRecord r;
      r.patient_id = id;
      r.as_of = as_of;
      r.input_sha256 = Sha256Hex(NativeJson(*p));
      r.knowledge_version = kb_.version;
      r.profile = engine_.profile();
      r.reason = "alerts";
      r.output_json = AssessmentToJson(a, kb_, -1);
      if (storage::Status st = store_.AddAssessment(r); !st) return st.errors();
    }
  }
  // The registry's own dose data: a lapse the record alone does not show, and anabolic courses
  // reaching their last dose with no antiresorptive given or booked after them.
  for (const DueEntry& e : ComputeDue(*summaries, windows_, as_of, 0)) {
    if (e.agent != "denosumab" || e.status != DueStatus::kOverdue || dead.count(e.patient_id))
      continue;
    if (raised.count({e.patient_id, "denosumab_dose_overdue"})) continue;
    out.push_back({e.patient_id, "denosumab_dose_overdue", Severity::kCritical,
                   "Denosumab overdue: last dose " + e.last_dose.ToString() + ", due " +
                       e.due_date.ToString() + ": give it now; rebound vertebral fractures risk.",
                   e.rules, "registry"});
  }
  std::map<std::string, std::vector<const storage::DoseSummary*>> by_patient;
  for (const auto& s : *summaries) by_patient[s.patient_id].push_back(&s);
  for (const auto& [id, list] : by_patient) {
    if (dead.count(id)) continue;
    for (const auto* s : list) {
      const bool anabolic = std::count(windows_.anabolic_agents.begin(),
                                       windows_.anabolic_agents.end(), s->agent) > 0;
      const AgentWindow* w = windows_.Find(s->agent);
      if (!anabolic || !w || !w->max_doses || !s->last_given) continue;
      const int doses = std::max(s->given_count, s->record_doses_received.value_or(0));
      const bool ended = s->record_status == "completed" || s->record_status == "stopped";
      if (!ended && doses < *w->max_doses - windows_.anabolic_ending_within_doses) continue;
      bool follow_on = false;
      for (const auto* o : list) {
        if (!std::count(windows_.antiresorptive_agents.begin(),
                        windows_.antiresorptive_agents.end(), o->agent)) {
          continue;
        }
        if (o->booked || (o->last_given && *o->last_given >= *s->last_given)) follow_on = true;
      }
      if (follow_on || raised.count({id, "anabolic_requires_antiresorptive_followup"})) continue;
      out.push_back({id, "anabolic_course_ending_without_antiresorptive", Severity::kCritical,
                     s->agent + " course " + (ended ? "ended" : "ends") + " (" +
                         std::to_string(doses) + " of " + std::to_string(*w->max_doses) +
                         " doses, last " + s->last_given->ToString() +
                         ") with no antiresorptive given or booked after it: book one to "
                         "follow without a gap.",
                     windows_.alert_rules, "registry"});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Alert& a, const Alert& b) {
    if (a.severity != b.severity) return a.severity > b.severity;
    if (a.code != b.code) return a.code < b.code;
    return a.patient_id < b.patient_id;
  });
  return out;
}

Result<std::vector<storage::AssessmentRecord>> Registry::History(const std::string& patient_id) {
  auto sp = store_.GetPatient(patient_id);
  if (!sp) return sp.errors();
  if (!*sp) return Error{"unknown_patient", "patient", "no patient with this id in the registry"};
  return store_.History(patient_id);
}

Result<std::vector<storage::DoseRecord>> Registry::Doses(const std::string& patient_id) {
  return store_.Doses(patient_id);
}

// Written by hand rather than through a json tree: the due list of a large registry has tens
// of thousands of rows and must answer in well under a second.
std::string DueToJson(const std::vector<DueEntry>& due, Date, int) {
  auto str = [](const std::string& s) {
    return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
  };
  std::string out = "[";
  out.reserve(due.size() * 260 + 2);
  bool first = true;
  for (const auto& e : due) {
    out += first ? "\n  {" : ",\n  {";
    first = false;
    out += "\"patient_id\": " + str(e.patient_id);
    out += ", \"agent\": " + str(e.agent);
    out += ", \"last_dose\": \"" + e.last_dose.ToString() + "\"";
    out += ", \"due_date\": \"" + e.due_date.ToString() + "\"";
    out += ", \"overdue_after\": \"" + e.overdue_date.ToString() + "\"";
    out += ", \"status\": \"" + std::string(ToString(e.status)) + "\"";
    out += ", \"days_late\": " + std::to_string(e.days_late);
    out += ", \"doses_given\": " + std::to_string(e.doses_given);
    out += ", \"booked\": " + (e.booked ? "\"" + e.booked->ToString() + "\"" : std::string("null"));
    out += ", \"rules\": [";
    for (std::size_t i = 0; i < e.rules.size(); ++i) out += (i ? ", " : "") + str(e.rules[i]);
    out += "]";
    out += ", \"course_decision\": " +
           (e.course_decision.empty() ? std::string("null") : str(e.course_decision));
    out += ", \"course_rules\": [";
    for (std::size_t i = 0; i < e.course_rules.size(); ++i)
      out += (i ? ", " : "") + str(e.course_rules[i]);
    out += "]}";
  }
  out += first ? "]" : "\n]";
  return out;
}

namespace {
// One CSV cell (RFC 4180 quoting). A cell a spreadsheet would run as a formula (starting with
// = + - @, a tab or a carriage return: "=HYPERLINK(...)", "+cmd|...") is neutralised with a
// leading apostrophe and quoted (OWASP CSV injection); NUL bytes are dropped.
std::string CsvField(const std::string& raw) {
  std::string s;
  s.reserve(raw.size() + 1);
  for (char c : raw)
    if (c != '\0') s += c;
  const bool formula =
      !s.empty() && std::string_view("=+-@\t\r").find(s[0]) != std::string_view::npos;
  if (formula) s.insert(s.begin(), '\'');
  if (!formula && s.find_first_of(",\"\n\r\t") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}
}  // namespace

std::string DueToCsv(const std::vector<DueEntry>& due) {
  std::string out =
      "patient_id,agent,last_dose,due_date,overdue_after,status,days_late,booked,"
      "course_decision\n";
  for (const auto& e : due) {
    out += CsvField(e.patient_id) + "," + e.agent + "," + e.last_dose.ToString() + "," +
           e.due_date.ToString() + "," + e.overdue_date.ToString() + "," +
           std::string(ToString(e.status)) + "," + std::to_string(e.days_late) + "," +
           (e.booked ? e.booked->ToString() : "") + "," + e.course_decision + "\n";
  }
  return out;
}

std::string ChecklistToJson(const ChecklistResult& c, const KnowledgeBase& kb) {
  const Assessment& a = c.assessment;
  json x;
  x["patient_id"] = c.patient_id;
  x["date"] = c.date.ToString();
  x["zoledronic_acid_status"] = ToString(a.za_status);
  json reasons = json::array();
  for (const auto& r : a.za_reasons) reasons.push_back({{"text", r.text}, {"rules", r.rules}});
  x["zoledronic_acid_reasons"] = reasons;
  json checks = json::array();
  for (const auto& p : a.pre_infusion) {
    checks.push_back({{"check", ToString(p.check)},
                      {"status", ToString(p.status)},
                      {"text", p.text},
                      {"rules", p.rules}});
  }
  x["checks"] = checks;
  json warnings = json::array();
  for (const auto& w : a.warnings) {
    warnings.push_back({{"code", w.code},
                        {"severity", ToString(w.severity)},
                        {"text", w.text},
                        {"rules", w.rules}});
  }
  x["warnings"] = warnings;
  x["knowledge_version"] = a.knowledge_version;
  x["profile"] = a.profile;
  x["assessment"] = json::parse(AssessmentToJson(a, kb, -1), nullptr, false);
  return x.dump(2, ' ', false, json::error_handler_t::replace);
}

std::string AlertsToJson(const std::vector<Alert>& alerts, Date as_of) {
  json arr = json::array();
  for (const auto& a : alerts) {
    arr.push_back({{"patient_id", a.patient_id},
                   {"code", a.code},
                   {"severity", ToString(a.severity)},
                   {"text", a.text},
                   {"rules", a.rules},
                   {"source", a.source}});
  }
  json x;
  x["as_of"] = as_of.ToString();
  x["alerts"] = arr;
  return x.dump(2, ' ', false, json::error_handler_t::replace);
}

std::string HistoryToJson(const std::string& patient_id,
                          const std::vector<storage::AssessmentRecord>& history,
                          const std::vector<storage::DoseRecord>& doses) {
  json x;
  x["patient_id"] = patient_id;
  json h = json::array();
  for (const auto& a : history) {
    h.push_back({{"id", a.id},
                 {"created_at", a.created_at},
                 {"reason", a.reason},
                 {"as_of", a.as_of.ToString()},
                 {"input_sha256", a.input_sha256},
                 {"knowledge_version", a.knowledge_version},
                 {"profile", a.profile},
                 {"output", json::parse(a.output_json, nullptr, false)}});
  }
  x["assessments"] = h;
  json d = json::array();
  for (const auto& r : doses) {
    d.push_back({{"agent", r.agent},
                 {"date", r.date.ToString()},
                 {"planned", r.planned},
                 {"source", r.source},
                 {"recorded_at", r.recorded_at}});
  }
  x["doses"] = d;
  return x.dump(2, ' ', false, json::error_handler_t::replace);
}

}  // namespace bp::registry
