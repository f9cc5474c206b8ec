// Catalogue §6 CONV-01: a fracture's mechanism from an external cause of injury recorded with it
// (ICD-10-CM V00-V99, W-codes; SNOMED CT events), through knowledge/valuesets/osteoporosis.json.
// Both sides: falls on the same level give fragility, transport accidents and falls from a
// height give high trauma, falls the code does not qualify leave the mechanism unknown.
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

constexpr const char* kIcd = "http://hl7.org/fhir/sid/icd-10-cm";
constexpr const char* kSct = "http://snomed.info/sct";

// A Condition with one coding; encounter "" means none.
std::string Cond(const std::string& id, const char* system, const std::string& code,
                 const std::string& date, const std::string& encounter) {
  return R"(,{"resource":{"resourceType":"Condition","id":")" + id +
         R"(","subject":{"reference":"Patient/p1"},)" +
         (encounter.empty() ? std::string()
                            : R"("encounter":{"reference":"Encounter/)" + encounter + R"("},)") +
         R"("code":{"coding":[{"system":")" + system + R"(","code":")" + code +
         R"("}]},"onsetDateTime":")" + date + R"("}})";
}

FhirExtract Read(const std::string& entries) {
  const std::string b =
      R"({"resourceType":"Bundle","type":"collection","entry":[)"
      R"({"resource":{"resourceType":"Patient","id":"p1","gender":"female","birthDate":"1950-01-01"}})" +
      entries + "]}";
  FhirOptions opt;
  opt.as_of = Date::FromYmd(2026, 3, 1);
  auto x = ReadFhirBundle(b, Kb(), opt);
  EXPECT_TRUE(x) << (x ? "" : x.error().message);
  return x ? std::move(x).value() : FhirExtract{};
}

// The hip fracture (SNOMED 5913000, by site) on encounter E1, 2026-01-10, with one cause.
FhirExtract HipWith(const char* system, const std::string& cause_code,
                    const std::string& cause_date = "2026-01-10",
                    const std::string& cause_encounter = "E1") {
  return Read(Cond("hip", kSct, "5913000", "2026-01-10", "E1") +
              Cond("cause", system, cause_code, cause_date, cause_encounter));
}

bool Ignored(const FhirExtract& x, const std::string& ref) {
  return std::any_of(x.ignored.begin(), x.ignored.end(),
                     [&](const FhirIgnored& i) { return i.resource == ref; });
}

void ExpectMechanism(const FhirExtract& x, FractureMechanism m, bool recorded) {
  ASSERT_EQ(x.patient.fractures.size(), 1u);
  EXPECT_EQ(x.patient.fractures[0].site, FractureSite::kHip);
  EXPECT_EQ(x.patient.fractures[0].mechanism, m);
  EXPECT_EQ(x.patient.fractures[0].mechanism_recorded, recorded);
}

TEST(FhirMechanism, FallOnTheSameLevelIsAFragilityFracture) {
  for (const char* code : {"W01.0XXA", "W18.30XA", "W06.XXXA", "W00.0XXA"}) {
    SCOPED_TRACE(code);
    const FhirExtract x = HipWith(kIcd, code);
    ExpectMechanism(x, FractureMechanism::kFragility, true);
    ASSERT_TRUE(x.provenance.count("/fractures/0/mechanism"));
    EXPECT_EQ(x.provenance.at("/fractures/0/mechanism"),
              std::vector<std::string>{"Condition/cause"});
  }
  ExpectMechanism(HipWith(kSct, "33036003"), FractureMechanism::kFragility, true);
}

TEST(FhirMechanism, TransportAccidentAndFallFromHeightAreHighTrauma) {
  for (const char* code : {"V43.52XA", "V89.2XXA", "W11.XXXA", "W13.9XXA", "W15.XXXA"}) {
    SCOPED_TRACE(code);
    ExpectMechanism(HipWith(kIcd, code), FractureMechanism::kHighTrauma, true);
  }
  ExpectMechanism(HipWith(kSct, "418399005"), FractureMechanism::kHighTrauma, true);
}

// A fall whose height the code does not say stays unknown (never defaulted either way), as does
// a wheelchair or mobility-scooter accident (V00.8-), which is not a vehicle crash.
TEST(FhirMechanism, UnqualifiedFallLeavesTheMechanismUnknown) {
  for (const char* code : {"W19.XXXA", "W10.1XXA", "W17.89XA", "V00.811A"}) {
    SCOPED_TRACE(code);
    const FhirExtract x = HipWith(kIcd, code);
    ExpectMechanism(x, FractureMechanism::kUnknown, false);
    EXPECT_FALSE(Ignored(x, "Condition/cause"));  // read, and it says nothing
  }
  ExpectMechanism(HipWith(kSct, "1912002"), FractureMechanism::kUnknown, false);
}

// Same encounter, or (without encounters on either side) within the merge window of 3 days.
TEST(FhirMechanism, CauseMustBelongToTheSameEvent) {
  {
    const FhirExtract x = HipWith(kIcd, "W01.0XXA", "2026-01-10", "E2");  // another encounter
    ExpectMechanism(x, FractureMechanism::kUnknown, false);
    EXPECT_TRUE(Ignored(x, "Condition/cause"));
  }
  {
    const FhirExtract x = Read(Cond("hip", kSct, "5913000", "2026-01-10", "") +
                               Cond("cause", kIcd, "W01.0XXA", "2026-01-12", ""));
    ExpectMechanism(x, FractureMechanism::kFragility, true);
  }
  {
    const FhirExtract x = Read(Cond("hip", kSct, "5913000", "2026-01-10", "") +
                               Cond("cause", kIcd, "W01.0XXA", "2026-01-14", ""));
    ExpectMechanism(x, FractureMechanism::kUnknown, false);
    EXPECT_TRUE(Ignored(x, "Condition/cause"));
  }
}

// Causes that disagree leave the mechanism unknown, with an input issue; a code asserting
// osteoporosis is kept against a high-trauma cause, with an input issue.
TEST(FhirMechanism, ConflictsAreReportedNotResolvedByGuessing) {
  {
    const FhirExtract x = Read(Cond("hip", kSct, "5913000", "2026-01-10", "E1") +
                               Cond("c1", kIcd, "W01.0XXA", "2026-01-10", "E1") +
                               Cond("c2", kIcd, "V43.52XA", "2026-01-10", "E1"));
    ExpectMechanism(x, FractureMechanism::kUnknown, false);
    EXPECT_TRUE(std::any_of(x.issues.begin(), x.issues.end(), [](const InputIssue& i) {
      return i.path == "/fractures/0/mechanism";
    }));
  }
  {
    const FhirExtract x = Read(Cond("hip", kSct, "5913000", "2026-01-10", "E1") +
                               Cond("osteo", kSct, "443165006", "2026-01-10", "E1") +
                               Cond("c2", kIcd, "V43.52XA", "2026-01-10", "E1"));
    ExpectMechanism(x, FractureMechanism::kFragility, true);
    EXPECT_TRUE(std::any_of(x.issues.begin(), x.issues.end(), [](const InputIssue& i) {
      return i.path == "/fractures/0/mechanism";
    }));
  }
}

}  // namespace
}  // namespace bp
