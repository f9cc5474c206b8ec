// The FHIR reader's course records (catalogue §6 COURSE-01): MedicationAdministration resources
// count doses, and the status codes of MedicationRequest, MedicationStatement and
// MedicationAdministration map to the native statuses. Small bundles written here.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fhir/fhir_reader.h"
#include "knowledge/loader.h"
#include "support/reader_knowledge.h"

namespace bp {
namespace {

// The reader needs only the lab units of the knowledge base.
const KnowledgeBase& Kb() { return testing_harness::ReaderKnowledge(); }

const char* kWoman =
    R"({"resource":{"resourceType":"Patient","id":"p1","gender":"female","birthDate":"1950-01-01"}})";

FhirExtract Read(const std::string& entries) {
  const std::string b = R"({"resourceType":"Bundle","type":"collection","entry":[)" +
                        std::string(kWoman) + entries + "]}";
  FhirOptions opt;
  opt.as_of = Date::FromYmd(2026, 3, 1);
  auto x = ReadFhirBundle(b, Kb(), opt);
  EXPECT_TRUE(x) << (x ? "" : x.error().message);
  return x ? std::move(x).value() : FhirExtract{};
}

std::string Admin(const std::string& id, const std::string& status, const std::string& product,
                  const std::string& date) {
  return R"(,{"resource":{"resourceType":"MedicationAdministration","id":")" + id +
         R"(","status":")" + status + R"(","subject":{"reference":"Patient/p1"},)" +
         R"("medicationCodeableConcept":{"text":")" + product + R"("},"effectiveDateTime":")" +
         date + R"("}})";
}

std::string Order(const std::string& type, const std::string& id, const std::string& status,
                  const std::string& product, const std::string& date,
                  const std::string& intent = "order") {
  const bool request = type == "MedicationRequest";
  return R"(,{"resource":{"resourceType":")" + type + R"(","id":")" + id + R"(","status":")" +
         status + R"(",)" + (request ? R"("intent":")" + intent + R"(",)" : std::string()) +
         R"("subject":{"reference":"Patient/p1"},"medicationCodeableConcept":{"text":")" + product +
         R"("},)" + (request ? R"("authoredOn":")" : R"("effectiveDateTime":")") + date + R"("}})";
}

const Medication* Find(const Patient& p, Agent a) {
  for (const auto& m : p.medications)
    if (m.agent == a) return &m;
  return nullptr;
}

bool Ignored(const FhirExtract& x, const std::string& ref) {
  return std::any_of(x.ignored.begin(), x.ignored.end(),
                     [&](const FhirIgnored& i) { return i.resource == ref; });
}

constexpr const char* kZol = "zoledronic acid 5 MG in 100 ML Injection";
constexpr const char* kRomo = "romosozumab-aqqg 105 MG/1.17ML Prefilled Syringe";
constexpr const char* kDmab = "denosumab 60 MG/ML Prefilled Syringe";

// COURSE-01: a completed administration is one dose on its date; not-done and entered-in-error
// are not doses (listed as ignored). in-progress, stopped and on-hold administrations were not
// completed: the catalogue counts completed ones only, so they are no dose either.
TEST(FhirCourseRecords, ZoledronicAcidInfusionsCountOnlyCompletedAdministrations) {
  const FhirExtract x = Read(
      Admin("z1", "completed", kZol, "2023-03-01") + Admin("z2", "completed", kZol, "2024-03-04") +
      Admin("z3", "not-done", kZol, "2025-03-02") +
      Admin("z4", "entered-in-error", kZol, "2025-03-03") +
      Admin("z5", "stopped", kZol, "2025-03-05") + Admin("z6", "on-hold", kZol, "2025-03-06") +
      Admin("z7", "in-progress", kZol, "2025-03-07"));
  const Medication* za = Find(x.patient, Agent::kZoledronicAcid);
  ASSERT_NE(za, nullptr);
  EXPECT_EQ(za->doses_received, 2);
  ASSERT_EQ(za->dose_dates.size(), 2u);
  EXPECT_EQ(za->dose_dates[0], Date::FromYmd(2023, 3, 1));
  EXPECT_EQ(za->last_dose, Date::FromYmd(2024, 3, 4));
  ASSERT_TRUE(za->dose_mg);
  EXPECT_DOUBLE_EQ(*za->dose_mg, 5);
  for (const char* ref :
       {"MedicationAdministration/z3", "MedicationAdministration/z4", "MedicationAdministration/z5",
        "MedicationAdministration/z6", "MedicationAdministration/z7"})
    EXPECT_TRUE(Ignored(x, ref)) << ref;
}

// Monthly romosozumab and 6-monthly denosumab injections: one dose per distinct date; two
// records within 3 days are one dose (a duplicate charting), the next month is another.
TEST(FhirCourseRecords, RomosozumabAndDenosumabInjectionsCountDistinctDates) {
  std::string e;
  for (int i = 0; i < 12; ++i)
    e += Admin("r" + std::to_string(i), "completed", kRomo,
               Date::FromYmd(2025, 1, 10).AddMonths(i).ToString());
  e += Admin("r-dup", "completed", kRomo, "2025-01-12");  // same dose as r0
  e +=
      Admin("d1", "completed", kDmab, "2024-06-01") + Admin("d2", "completed", kDmab, "2024-12-03");
  e += Admin("d3", "not-done", kDmab, "2025-06-02");
  const FhirExtract x = Read(e);
  const Medication* romo = Find(x.patient, Agent::kRomosozumab);
  ASSERT_NE(romo, nullptr);
  EXPECT_EQ(romo->doses_received, 12);
  EXPECT_EQ(romo->last_dose, Date::FromYmd(2025, 12, 10));
  EXPECT_EQ(romo->status, MedStatus::kActive);  // administrations only: a course in progress
  const Medication* dmab = Find(x.patient, Agent::kDenosumab);
  ASSERT_NE(dmab, nullptr);
  EXPECT_EQ(dmab->doses_received, 2);
  EXPECT_EQ(dmab->last_dose, Date::FromYmd(2024, 12, 3));
}

// An order is not a dose: with orders only, no dose is counted and no last dose is set.
TEST(FhirCourseRecords, OrdersAreNotDoses) {
  const FhirExtract x = Read(Order("MedicationRequest", "m1", "active", kRomo, "2025-01-02"));
  const Medication* romo = Find(x.patient, Agent::kRomosozumab);
  ASSERT_NE(romo, nullptr);
  EXPECT_FALSE(romo->doses_received);
  EXPECT_FALSE(romo->last_dose);
}

struct StatusCase {
  const char* type;
  const char* status;
  std::optional<MedStatus> expected;  // nullopt: not a course record (ignored)
  bool held;
  const char* intent = "order";
};

// COURSE-01 status mapping, each status alone in its own bundle (the latest order decides).
TEST(FhirCourseRecords, RequestAndStatementStatusesMapAsCourse01Says) {
  const std::vector<StatusCase> cases = {
      {"MedicationRequest", "active", MedStatus::kActive, false},
      {"MedicationRequest", "on-hold", MedStatus::kActive, true},
      {"MedicationRequest", "completed", MedStatus::kCompleted, false},
      {"MedicationRequest", "stopped", MedStatus::kStopped, false},
      {"MedicationRequest", "cancelled", MedStatus::kStopped, false},
      {"MedicationRequest", "draft", MedStatus::kPlanned, false},
      {"MedicationRequest", "entered-in-error", std::nullopt, false},
      {"MedicationRequest", "unknown", std::nullopt, false},
      {"MedicationRequest", "active", MedStatus::kPlanned, false, "proposal"},
      {"MedicationRequest", "active", MedStatus::kPlanned, false, "plan"},
      {"MedicationStatement", "active", MedStatus::kActive, false},
      {"MedicationStatement", "on-hold", MedStatus::kActive, true},
      {"MedicationStatement", "completed", MedStatus::kCompleted, false},
      {"MedicationStatement", "stopped", MedStatus::kStopped, false},
      {"MedicationStatement", "intended", MedStatus::kPlanned, false},
      {"MedicationStatement", "not-taken", std::nullopt, false},
      {"MedicationStatement", "entered-in-error", std::nullopt, false},
      {"MedicationStatement", "unknown", std::nullopt, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.type) + " " + c.status + " intent " + c.intent);
    const FhirExtract x = Read(Order(c.type, "m1", c.status, kDmab, "2025-06-01", c.intent));
    const Medication* m = Find(x.patient, Agent::kDenosumab);
    if (!c.expected) {
      EXPECT_EQ(m, nullptr);
      EXPECT_TRUE(Ignored(x, std::string(c.type) + "/m1"));
      if (std::string(c.type) == "MedicationStatement" && std::string(c.status) == "unknown") {
        EXPECT_TRUE(std::any_of(x.issues.begin(), x.issues.end(),
                                [](const InputIssue& i) { return i.path.ends_with(".status"); }));
      }
      continue;
    }
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->status, *c.expected);
    EXPECT_EQ(m->held, c.held);
    EXPECT_FALSE(Ignored(x, std::string(c.type) + "/m1"));
  }
}

// A stopped order after an active one: the most recent order says where the course stands, and
// the administrations still count as doses.
TEST(FhirCourseRecords, LatestOrderDecidesStatusAdministrationsStillCount) {
  const FhirExtract x = Read(Order("MedicationRequest", "m1", "active", kDmab, "2024-05-20") +
                             Order("MedicationRequest", "m2", "stopped", kDmab, "2025-07-01") +
                             Admin("d1", "completed", kDmab, "2024-06-01") +
                             Admin("d2", "completed", kDmab, "2024-12-03"));
  const Medication* dmab = Find(x.patient, Agent::kDenosumab);
  ASSERT_NE(dmab, nullptr);
  EXPECT_EQ(dmab->status, MedStatus::kStopped);
  EXPECT_EQ(dmab->end, Date::FromYmd(2025, 7, 1));
  EXPECT_EQ(dmab->doses_received, 2);
  EXPECT_EQ(dmab->last_dose, Date::FromYmd(2024, 12, 3));
}

}  // namespace
}  // namespace bp
