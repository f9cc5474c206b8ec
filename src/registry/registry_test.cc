// The registry on every backend under test (SQLite always; PostgreSQL with BONEPATH_TEST_PG_URL):
// windows, ordering, re-import, bad input, concurrent writers, and a SIGKILL in mid-import.
#include "registry/registry.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "io/native_reader.h"
#include "knowledge/loader.h"
#include "storage/test_support.h"

namespace bp::registry {
namespace {

const Date kToday = Date::FromYmd(2026, 3, 1);

// A valid native record; `medications` is a JSON array.
std::string Record(const std::string& id, const std::string& medications = "[]") {
  return R"({"schema": "bonepath.patient/1", "id": ")" + id +
         R"(", "as_of": "2026-03-01", "sex": "female", "age_years": 70, "weight_kg": 60,
  "labs": [{"test": "creatinine", "value": 0.9, "unit": "mg/dL", "date": "2026-02-20"},
           {"test": "calcium", "value": 9.3, "unit": "mg/dL", "date": "2026-02-20"},
           {"test": "albumin", "value": 4.0, "unit": "g/dL", "date": "2026-02-20"},
           {"test": "vitamin_d_25oh", "value": 34, "unit": "ng/mL", "date": "2026-02-20"}],
  "bmd": [{"date": "2026-02-10", "site": "femoral_neck", "t_score": -2.7}],
  "medications": )" +
         medications + "}";
}

Patient Parse(const std::string& json) {
  std::vector<InputIssue> issues;
  auto p = ReadNativePatient(json, EmbeddedKnowledge(), &issues);
  EXPECT_TRUE(p) << (p ? "" : p.error().path + ": " + p.error().message);
  return p ? *p : Patient{};
}

Registry::ImportItem Item(const std::string& json) {
  return {Parse(json), "native", Sha256Hex(json), kToday};
}

class RegistryTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    scratch_ = std::make_unique<storage::testing::ScratchDb>(GetParam());
    auto store = storage::OpenRegistryStore(scratch_->url());
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    auto engine = Engine::Create(EmbeddedKnowledge());
    ASSERT_TRUE(engine);
    engine_ = std::make_unique<Engine>(std::move(*engine));
    reg_ = std::make_unique<Registry>(*store_, EmbeddedKnowledge(), *engine_, EmbeddedWindows());
  }

  std::unique_ptr<storage::testing::ScratchDb> scratch_;
  std::unique_ptr<storage::RegistryStore> store_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Registry> reg_;
};

TEST_P(RegistryTest, ReimportUpdatesAndNeverDuplicates) {
  const std::string meds =
      R"([{"agent": "denosumab", "status": "active", "last_dose": "2025-09-01"}])";
  ASSERT_TRUE(reg_->Import({Item(Record("p1", meds))}));
  auto again = reg_->Import({Item(Record("p1", meds))});
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE((*again)[0].updated);
  EXPECT_EQ(*store_->CountPatients(), 1);
  auto doses = store_->Doses("p1");
  ASSERT_TRUE(doses);
  ASSERT_EQ(doses->size(), 1u);  // the record's last dose, once
  EXPECT_EQ((*doses)[0].source, "record");
  auto history = reg_->History("p1");
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 2u);
  for (const auto& a : *history) {
    EXPECT_EQ(a.reason, "import");
    EXPECT_EQ(a.input_sha256.size(), 64u);
    EXPECT_EQ(a.knowledge_version, EmbeddedKnowledge().version);
    EXPECT_EQ(a.profile, "us-composite");
    EXPECT_NE(a.output_json.find("\"patient_id\""), std::string::npos);
  }
}

TEST_P(RegistryTest, DueListHasTheSpecWindowsAndOverdueDenosumabFirst) {
  ASSERT_TRUE(reg_->Import({Item(Record("za")), Item(Record("dmab-late")), Item(Record("dmab")),
                            Item(Record("romo")), Item(Record("iban")), Item(Record("za-late"))}));
  auto dose = [&](const char* p, const char* agent, Date d) {
    auto r = reg_->RecordDose(p, agent, d, false, kToday);
    ASSERT_TRUE(r) << r.error().message;
  };
  dose("za", "zoledronic_acid", Date::FromYmd(2025, 3, 20));       // due 2026-03-20: upcoming
  dose("za-late", "zoledronic_acid", Date::FromYmd(2025, 1, 31));  // overdue after 2026-02-28
  dose("dmab-late", "denosumab", Date::FromYmd(2025, 7, 31));      // overdue after 2026-02-28
  dose("dmab", "denosumab", Date::FromYmd(2025, 9, 1));            // due 2026-03-01
  dose("romo", "romosozumab", Date::FromYmd(2026, 1, 20));         // overdue after 2026-02-24
  dose("iban", "ibandronate", Date::FromYmd(2025, 11, 16));        // due 2026-02-16, overdue 03-02
  auto due = reg_->Due(kToday, 30);
  ASSERT_TRUE(due) << due.error().message;
  ASSERT_EQ(due->size(), 6u);
  std::vector<std::pair<std::string, DueStatus>> got;
  for (const auto& e : *due) got.emplace_back(e.patient_id, e.status);
  const std::vector<std::pair<std::string, DueStatus>> want = {
      {"dmab-late", DueStatus::kOverdue}, {"romo", DueStatus::kOverdue},
      {"za-late", DueStatus::kOverdue},   {"dmab", DueStatus::kDue},
      {"iban", DueStatus::kDue},          {"za", DueStatus::kUpcoming}};
  EXPECT_EQ(got, want);
  // The day before the overdue bound is still "due".
  auto before = reg_->Due(Date::FromYmd(2026, 2, 28), 0);
  ASSERT_TRUE(before);
  for (const auto& e : *before) {
    if (e.patient_id == "dmab-late" || e.patient_id == "za-late") {
      EXPECT_EQ(e.status, DueStatus::kDue) << e.patient_id;
    }
  }
  // Within 0 days: nothing upcoming.
  for (const auto& e : *before) EXPECT_NE(e.status, DueStatus::kUpcoming);
}

TEST_P(RegistryTest, RomosozumabStopsAfterTwelveAndEndedCoursesAreNotDue) {
  const std::string romo12 =
      R"([{"agent": "romosozumab", "status": "active", "last_dose": "2025-12-01",
           "doses_received": 12}])";
  const std::string stopped =
      R"([{"agent": "zoledronic_acid", "status": "stopped", "last_dose": "2023-01-01",
           "end": "2023-01-01", "stop_reason": "drug_holiday"}])";
  ASSERT_TRUE(reg_->Import({Item(Record("romo12", romo12)), Item(Record("holiday", stopped))}));
  auto due = reg_->Due(kToday, 30);
  ASSERT_TRUE(due);
  EXPECT_TRUE(due->empty());
  auto alerts = reg_->Alerts(kToday);
  ASSERT_TRUE(alerts) << alerts.error().message;
  bool anabolic = false;
  for (const auto& a : *alerts) {
    if (a.patient_id == "romo12" && (a.code == "anabolic_course_ending_without_antiresorptive" ||
                                     a.code == "anabolic_requires_antiresorptive_followup")) {
      anabolic = true;
    }
  }
  EXPECT_TRUE(anabolic);
  // A booked antiresorptive clears the registry's own alert.
  ASSERT_TRUE(reg_->RecordDose("romo12", "denosumab", Date::FromYmd(2026, 3, 15), true, kToday));
  auto after = reg_->Alerts(kToday);
  ASSERT_TRUE(after);
  for (const auto& a : *after) {
    EXPECT_FALSE(a.patient_id == "romo12" &&
                 a.code == "anabolic_course_ending_without_antiresorptive");
  }
}

// Issue 14: a course the assessment ends (romosozumab after a myocardial infarction during it,
// COURSE-06) is flagged in the due list and is not booked; without the infarction it is due as
// usual and can be booked.
TEST_P(RegistryTest, ACourseTheAssessmentStopsIsFlaggedAndNotBooked) {
  const std::string romo =
      R"([{"agent": "romosozumab", "status": "active", "start": "2025-06-20",
           "last_dose": "2026-02-20", "doses_received": 9}])";
  std::string mi = Record("romo-mi", romo);
  mi.insert(mi.find("\"medications\""),
            R"("conditions": [{"code": "myocardial_infarction", "onset": "2026-02-25"}], )");
  ASSERT_TRUE(reg_->Import({Item(mi), Item(Record("romo-ok", romo))}));
  ASSERT_TRUE(
      reg_->RecordDose("romo-mi", "romosozumab", Date::FromYmd(2026, 2, 20), false, kToday));
  ASSERT_TRUE(
      reg_->RecordDose("romo-ok", "romosozumab", Date::FromYmd(2026, 2, 20), false, kToday));
  auto due = reg_->Due(kToday, 30);
  ASSERT_TRUE(due) << due.error().message;
  int seen = 0;
  for (const auto& e : *due) {
    if (e.patient_id == "romo-mi") {
      ++seen;
      EXPECT_EQ(e.course_decision, "stop");
      EXPECT_NE(std::find(e.course_rules.begin(), e.course_rules.end(), "COURSE-06"),
                e.course_rules.end());
    }
    if (e.patient_id == "romo-ok") {
      ++seen;
      EXPECT_EQ(e.course_decision, "");
    }
  }
  EXPECT_EQ(seen, 2);
  const std::string json = DueToJson(*due, kToday, 30);
  EXPECT_NE(json.find("\"course_decision\": \"stop\""), std::string::npos) << json;
  EXPECT_NE(DueToCsv(*due).find(",stop\n"), std::string::npos);
  auto booked =
      reg_->RecordDose("romo-mi", "romosozumab", Date::FromYmd(2026, 3, 20), true, kToday);
  ASSERT_FALSE(booked);
  EXPECT_TRUE(booked.error().code == "inconsistent");
  EXPECT_NE(booked.error().message.find("COURSE-06"), std::string::npos);
  EXPECT_TRUE(reg_->RecordDose("romo-ok", "romosozumab", Date::FromYmd(2026, 3, 20), true, kToday));
}

TEST_P(RegistryTest, DenosumabLapseIsAnAlertAndChecklistIsStored) {
  ASSERT_TRUE(reg_->Import({Item(Record("p"))}));
  ASSERT_TRUE(reg_->RecordDose("p", "denosumab", Date::FromYmd(2025, 6, 1), false, kToday));
  auto alerts = reg_->Alerts(kToday);
  ASSERT_TRUE(alerts);
  ASSERT_FALSE(alerts->empty());
  // The lapse raises denosumab_dose_overdue (critical) next to the rebound warning (COURSE-15).
  const auto overdue = std::find_if(alerts->begin(), alerts->end(), [](const Alert& x) {
    return x.code == "denosumab_dose_overdue";
  });
  ASSERT_NE(overdue, alerts->end());
  EXPECT_EQ(overdue->severity, Severity::kCritical);
  auto c = reg_->Checklist("p", kToday);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_FALSE(c->assessment.pre_infusion.empty());
  EXPECT_TRUE(c->assessment.HasWarning("denosumab_dose_overdue"));
  auto h = reg_->History("p");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->back().reason, "checklist");
}

TEST_P(RegistryTest, BadInputChangesNothing) {
  ASSERT_TRUE(reg_->Import({Item(Record("p"))}));
  auto unknown = reg_->RecordDose("nobody", "denosumab", kToday, false, kToday);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, "unknown_patient");
  EXPECT_FALSE(reg_->RecordDose("p", "aspirin", kToday, false, kToday));
  EXPECT_FALSE(reg_->RecordDose("p", "denosumab", kToday.AddDays(1), false, kToday));
  EXPECT_FALSE(reg_->RecordDose("p", "denosumab", kToday.AddMonths(18).AddDays(1), true, kToday));
  EXPECT_TRUE(reg_->RecordDose("p", "denosumab", kToday.AddMonths(18), true, kToday));
  auto doses = store_->Doses("p");
  ASSERT_TRUE(doses);
  EXPECT_EQ(doses->size(), 1u);
  EXPECT_FALSE(reg_->Checklist("nobody", kToday));
  EXPECT_FALSE(reg_->History("nobody"));
  EXPECT_EQ(*store_->CountPatients(), 1);
}

// Two processes importing at once (overlapping ids) lose nothing and duplicate nothing.
TEST_P(RegistryTest, ConcurrentImportersLoseNothing) {
  constexpr int kEach = 120, kShared = 40;
  pid_t kids[2];
  for (int k = 0; k < 2; ++k) {
    kids[k] = fork();
    ASSERT_GE(kids[k], 0);
    if (kids[k] == 0) {
      auto store = storage::OpenRegistryStore(scratch_->url());
      auto engine = Engine::Create(EmbeddedKnowledge());
      if (!store || !engine) _exit(3);
      Registry reg(**store, EmbeddedKnowledge(), *engine, EmbeddedWindows());
      std::vector<Registry::ImportItem> batch;
      for (int i = 0; i < kEach + kShared; ++i) {
        const std::string id = i < kEach ? "c" + std::to_string(k) + "-" + std::to_string(i)
                                         : "shared-" + std::to_string(i);
        batch.push_back(Item(Record(id)));
        if (batch.size() == 7) {
          if (!reg.Import(batch)) _exit(4);
          batch.clear();
        }
      }
      if (!batch.empty() && !reg.Import(batch)) _exit(4);
      _exit(0);
    }
  }
  for (pid_t kid : kids) {
    int status = 0;
    waitpid(kid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  EXPECT_EQ(*store_->CountPatients(), 2 * kEach + kShared);
  auto h = reg_->History("shared-" + std::to_string(kEach));
  ASSERT_TRUE(h);
  EXPECT_EQ(h->size(), 2u);  // one import from each process
}

// A large import killed with SIGKILL: every committed patient is whole, none is partial.
TEST_P(RegistryTest, KilledImportLeavesOnlyWholePatients) {
  const std::string nd = (std::filesystem::temp_directory_path() /
                          ("bp_crash_" + std::to_string(getpid()) + ".ndjson"))
                             .string();
  {
    std::ofstream out(nd);
    const std::string meds =
        R"([{"agent": "denosumab", "status": "active", "last_dose": "2025-09-01"}])";
    for (int i = 0; i < 20000; ++i) {
      std::string r = Record("k" + std::to_string(i), meds);
      for (char& c : r)
        if (c == '\n') c = ' ';
      out << r << "\n";
    }
  }
  const pid_t kid = fork();
  ASSERT_GE(kid, 0);
  if (kid == 0) {
    execl(BONEPATH_BINARY_FOR_STORAGE_TESTS, "bonepath", "registry", "--db",
          scratch_->url().c_str(), "import", "--ndjson", nd.c_str(), "--batch", "25",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait until some batches are committed, then kill without warning.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  std::int64_t seen = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto n = store_->CountPatients();
    if (n && *n >= 200) {
      seen = *n;
      break;
    }
  }
  kill(kid, SIGKILL);
  int status = 0;
  waitpid(kid, &status, 0);
  std::filesystem::remove(nd);
  ASSERT_GE(seen, 200) << "the import did not progress";
  ASSERT_TRUE(WIFSIGNALED(status)) << "the import finished before it could be killed";

  auto store = storage::OpenRegistryStore(scratch_->url());  // reopen, as after a crash
  ASSERT_TRUE(store) << store.error().message;
  auto n = (*store)->CountPatients();
  ASSERT_TRUE(n);
  EXPECT_GE(*n, seen);
  EXPECT_LT(*n, 20000);
  EXPECT_EQ(*n % 25, 0) << "a batch was partly committed";
  auto db = storage::OpenDatabase(scratch_->url());
  ASSERT_TRUE(db);
  // Every patient has its assessment, its medication line and its record dose; nothing orphaned.
  auto partial = (*db)->Query(
      "SELECT COUNT(*) FROM patients p WHERE "
      "NOT EXISTS (SELECT 1 FROM assessments a WHERE a.patient_id = p.id) OR "
      "NOT EXISTS (SELECT 1 FROM doses d WHERE d.patient_id = p.id) OR "
      "NOT EXISTS (SELECT 1 FROM patient_agents g WHERE g.patient_id = p.id)");
  ASSERT_TRUE(partial) << partial.error().message;
  EXPECT_EQ(partial->front().Int(0), 0);
  auto counts =
      (*db)->Query("SELECT (SELECT COUNT(*) FROM assessments), (SELECT COUNT(*) FROM doses)");
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->front().Int(0), *n);
  EXPECT_EQ(counts->front().Int(1), *n);
  if (GetParam() == "sqlite") {
    auto ok = (*db)->Query("PRAGMA integrity_check");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->front().Text(0), "ok");
  }
}

// Issue 15: four concurrent importers of the same 5,000 patients claimed 5,970 "new". Each
// importer now reports what its own transactions committed: the "new" counts add up to the
// number of patients.
TEST_P(RegistryTest, ConcurrentImportersReportWhatTheyCommitted) {
  constexpr int kPatients = 60, kImporters = 4;
  pid_t kids[kImporters];
  for (int k = 0; k < kImporters; ++k) {
    kids[k] = fork();
    ASSERT_GE(kids[k], 0);
    if (kids[k] == 0) {
      auto store = storage::OpenRegistryStore(scratch_->url());
      auto engine = Engine::Create(EmbeddedKnowledge());
      if (!store || !engine) _exit(200);
      Registry reg(**store, EmbeddedKnowledge(), *engine, EmbeddedWindows());
      int created = 0;
      std::vector<Registry::ImportItem> batch;
      auto flush = [&] {
        auto r = reg.Import(batch);
        if (!r) _exit(201);
        for (const auto& o : *r) created += o.updated ? 0 : 1;
        batch.clear();
      };
      for (int i = 0; i < kPatients; ++i) {
        batch.push_back(Item(Record("p-" + std::to_string(i))));
        if (batch.size() == 5) flush();
      }
      if (!batch.empty()) flush();
      _exit(created);  // 0..kPatients
    }
  }
  int total_new = 0;
  for (pid_t kid : kids) {
    int status = 0;
    waitpid(kid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_LE(WEXITSTATUS(status), kPatients);
    total_new += WEXITSTATUS(status);
  }
  EXPECT_EQ(*store_->CountPatients(), kPatients);
  EXPECT_EQ(total_new, kPatients);
}

INSTANTIATE_TEST_SUITE_P(Registry, RegistryTest, ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& info) { return info.param; });

TEST(RegistryWindows, MatchTheSpecAndTheEngineParameters) {
  const Windows& w = EmbeddedWindows();
  EXPECT_EQ(w.within_default_days, 30);
  EXPECT_EQ(w.booking_horizon_months, 18);
  const AgentWindow* dmab = w.Find("denosumab");
  ASSERT_NE(dmab, nullptr);
  const KnowledgeBase& kb = EmbeddedKnowledge();
  const ParameterDef* interval = kb.FindParameter("dmab_interval_months");
  const ParameterDef* overdue = kb.FindParameter("dmab_overdue_months");
  ASSERT_NE(interval, nullptr);
  ASSERT_NE(overdue, nullptr);
  EXPECT_EQ(dmab->due_after.months, static_cast<int>(interval->value.number));
  EXPECT_EQ(dmab->overdue_after.months, static_cast<int>(overdue->value.number));
  const AgentWindow* za = w.Find("zoledronic_acid");
  ASSERT_NE(za, nullptr);
  EXPECT_EQ(za->due_after.months, 12);
  EXPECT_EQ(za->overdue_after.months, 13);
  const AgentWindow* romo = w.Find("romosozumab");
  ASSERT_NE(romo, nullptr);
  EXPECT_EQ(romo->overdue_after.days, 35);
  EXPECT_EQ(romo->max_doses, 12);
  const AgentWindow* iban = w.Find("ibandronate");
  ASSERT_NE(iban, nullptr);
  EXPECT_EQ(iban->overdue_after.months, 3);
  EXPECT_EQ(iban->overdue_after.days, 14);
  // Every rule id the windows name exists in the knowledge base.
  for (const auto& a : w.agents) {
    for (const auto& r : a.rules) EXPECT_NE(kb.FindRule(r), nullptr) << r;
  }
  for (const auto& r : w.alert_rules) EXPECT_NE(kb.FindRule(r), nullptr) << r;
}

}  // namespace
}  // namespace bp::registry

namespace bp::registry {
namespace {

// Issue 15: `registry due --format csv` wrote ids such as =HYPERLINK(...) as they were.
TEST(DueCsv, FormulaCellsAreNeutralisedAndNulDropped) {
  std::vector<DueEntry> due;
  for (const std::string& id :
       {std::string("=HYPERLINK(\"http://evil\",\"x\")"), std::string("+cmd|' /C calc'!A0"),
        std::string("@SUM(1+1)"), std::string("-2+3"), std::string("\tx"), std::string("\rx"),
        std::string("a\0b", 3), std::string("plain-id")}) {
    DueEntry e;
    e.patient_id = id;
    e.agent = "denosumab";
    e.last_dose = e.due_date = e.overdue_date = kToday;
    due.push_back(e);
  }
  const std::string csv = DueToCsv(due);
  std::vector<std::string> first_cells;
  size_t start = csv.find('\n') + 1;
  while (start < csv.size()) {
    // The first cell: quoted (up to the closing quote before a comma) or plain.
    std::string cell;
    if (csv[start] == '"') {
      size_t i = start + 1;
      for (; i < csv.size(); ++i) {
        if (csv[i] == '"' && i + 1 < csv.size() && csv[i + 1] == '"') {
          cell += '"';
          ++i;
        } else if (csv[i] == '"') {
          break;
        } else {
          cell += csv[i];
        }
      }
      start = csv.find('\n', i) + 1;
    } else {
      cell = csv.substr(start, csv.find(',', start) - start);
      start = csv.find('\n', start) + 1;
    }
    first_cells.push_back(cell);
  }
  ASSERT_EQ(first_cells.size(), due.size()) << csv;
  for (size_t i = 0; i + 2 < first_cells.size(); ++i)
    EXPECT_EQ(first_cells[i][0], '\'') << first_cells[i];
  EXPECT_EQ(first_cells[6], "ab");
  EXPECT_EQ(first_cells[7], "plain-id");
  EXPECT_EQ(csv.find('\0'), std::string::npos);
}

}  // namespace
}  // namespace bp::registry
