// Pregnancy and breastfeeding read from FHIR (catalogue §1.1 pregnant_or_possible, §6 CI-12R;
// knowledge rule FHIR-PREGNANCY-LACTATION): Observations LOINC 82810-3 and 63895-7 with coded
// answers (LOINC answer lists, SNOMED CT) or booleans, and pregnancy Conditions. An unknown
// answer stays unknown: never "not pregnant", never "not breastfeeding".
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

constexpr const char* kLoinc = "http://loinc.org";
constexpr const char* kSct = "http://snomed.info/sct";

FhirExtract Read(const std::string& entries) {
  const std::string b =
      R"({"resourceType":"Bundle","type":"collection","entry":[)"
      R"({"resource":{"resourceType":"Patient","id":"p1","gender":"female","birthDate":"1992-01-01"}})" +
      entries + "]}";
  FhirOptions opt;
  opt.as_of = Date::FromYmd(2026, 3, 1);
  auto x = ReadFhirBundle(b, Kb(), opt);
  EXPECT_TRUE(x) << (x ? "" : x.error().message);
  return x ? std::move(x).value() : FhirExtract{};
}

// A status Observation with a coded answer (system, code) or, when system is empty, with
// valueBoolean `code` ("true"/"false").
std::string Obs(const std::string& id, const char* loinc, const std::string& system,
                const std::string& code, const std::string& date) {
  const std::string value = system.empty() ? R"("valueBoolean":)" + code
                                           : R"("valueCodeableConcept":{"coding":[{"system":")" +
                                                 system + R"(","code":")" + code + R"("}]})";
  return R"(,{"resource":{"resourceType":"Observation","id":")" + id +
         R"(","status":"final","subject":{"reference":"Patient/p1"},"code":{"coding":[{"system":"http://loinc.org","code":")" +
         loinc + R"("}]},"effectiveDateTime":")" + date + R"(",)" + value + "}}";
}

std::string Preg(const std::string& id, const std::string& system, const std::string& code,
                 const std::string& date = "2026-02-01") {
  return Obs(id, "82810-3", system, code, date);
}
std::string Bf(const std::string& id, const std::string& system, const std::string& code,
               const std::string& date = "2026-02-01") {
  return Obs(id, "63895-7", system, code, date);
}

const Condition* Pregnancy(const Patient& p) {
  for (const auto& c : p.conditions)
    if (c.code == ConditionCode::kPregnancy) return &c;
  return nullptr;
}

TEST(FhirPregnancy, PositiveStatusIsAPregnancyDatedByTheObservation) {
  for (const auto& [system, code] : std::vector<std::pair<std::string, std::string>>{
           {kLoinc, "LA15173-0"}, {kSct, "77386006"}, {kSct, "146799005"}, {"", "true"}}) {
    SCOPED_TRACE(code);
    const FhirExtract x = Read(Preg("o1", system, code));
    const Condition* c = Pregnancy(x.patient);
    ASSERT_NE(c, nullptr);
    EXPECT_TRUE(c->active);
    EXPECT_EQ(c->onset, Date::FromYmd(2026, 2, 1));
    EXPECT_EQ(x.provenance.at("/conditions/0"), std::vector<std::string>{"Observation/o1"});
  }
}

TEST(FhirPregnancy, NegativeAndUnknownStatusGiveNoPregnancy) {
  for (const auto& [system, code] :
       std::vector<std::pair<std::string, std::string>>{{kLoinc, "LA26683-5"},
                                                        {kSct, "60001007"},
                                                        {"", "false"},
                                                        {kLoinc, "LA4489-6"},
                                                        {kSct, "261665006"},
                                                        {kLoinc, "LA0000-0"}}) {
    SCOPED_TRACE(code);
    EXPECT_EQ(Pregnancy(Read(Preg("o1", system, code)).patient), nullptr);
  }
}

// Unknown never unsays a pregnancy; "not pregnant" after "pregnant" does.
TEST(FhirPregnancy, LaterUnknownKeepsAnEarlierPositiveLaterNegativeEndsIt) {
  EXPECT_NE(Pregnancy(Read(Preg("o1", kLoinc, "LA15173-0", "2026-01-05") +
                           Preg("o2", kLoinc, "LA4489-6", "2026-02-10"))
                          .patient),
            nullptr);
  EXPECT_EQ(Pregnancy(Read(Preg("o1", kLoinc, "LA15173-0", "2025-06-05") +
                           Preg("o2", kLoinc, "LA26683-5", "2026-02-10"))
                          .patient),
            nullptr);
}

TEST(FhirPregnancy, PregnancyConditionsAreRead) {
  for (const auto& [system, code] : std::vector<std::pair<std::string, std::string>>{
           {kSct, "77386006"},
           {kSct, "72892002"},
           {"http://hl7.org/fhir/sid/icd-10-cm", "Z33.1"},
           {"http://hl7.org/fhir/sid/icd-10-cm", "Z34.02"},
           {"http://hl7.org/fhir/sid/icd-10-cm", "O09.522"}}) {
    SCOPED_TRACE(code);
    const FhirExtract x = Read(
        R"(,{"resource":{"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/p1"},"code":{"coding":[{"system":")" +
        system + R"(","code":")" + code + R"("}]},"onsetDateTime":"2025-12-01"}})");
    const Condition* c = Pregnancy(x.patient);
    ASSERT_NE(c, nullptr);
    EXPECT_TRUE(c->active);
  }
}

TEST(FhirBreastfeeding, AnswersSetBreastfeedingUnknownLeavesItUnset) {
  EXPECT_EQ(Read(Bf("o1", kLoinc, "LA29252-6")).patient.breastfeeding, true);
  EXPECT_EQ(Read(Bf("o1", "", "true")).patient.breastfeeding, true);
  EXPECT_EQ(Read(Bf("o1", kLoinc, "LA29253-4")).patient.breastfeeding, false);
  EXPECT_EQ(Read(Bf("o1", "", "false")).patient.breastfeeding, false);
  EXPECT_FALSE(Read(Bf("o1", kLoinc, "LA4489-6")).patient.breastfeeding.has_value());
  EXPECT_FALSE(Read(Bf("o1", kSct, "261665006")).patient.breastfeeding.has_value());
  EXPECT_FALSE(Read(Bf("o1", kLoinc, "LA0000-0")).patient.breastfeeding.has_value());
  EXPECT_FALSE(Read("").patient.breastfeeding.has_value());  // absent: unknown, not "no"
  const FhirExtract x = Read(Bf("o1", kLoinc, "LA29252-6"));
  EXPECT_EQ(x.provenance.at("/breastfeeding"), std::vector<std::string>{"Observation/o1"});
}

// Latest known answer wins; a later unknown makes an earlier "no" unknown (stale) but keeps an
// earlier "yes".
TEST(FhirBreastfeeding, OrderOfAnswers) {
  EXPECT_EQ(Read(Bf("o1", kLoinc, "LA29252-6", "2025-10-01") +
                 Bf("o2", kLoinc, "LA29253-4", "2026-02-01"))
                .patient.breastfeeding,
            false);
  EXPECT_EQ(Read(Bf("o1", kLoinc, "LA29253-4", "2025-10-01") +
                 Bf("o2", kLoinc, "LA29252-6", "2026-02-01"))
                .patient.breastfeeding,
            true);
  EXPECT_FALSE(
      Read(Bf("o1", kLoinc, "LA29253-4", "2025-10-01") + Bf("o2", kLoinc, "LA4489-6", "2026-02-01"))
          .patient.breastfeeding.has_value());
  EXPECT_EQ(
      Read(Bf("o1", kLoinc, "LA29252-6", "2025-10-01") + Bf("o2", kLoinc, "LA4489-6", "2026-02-01"))
          .patient.breastfeeding,
      true);
}

}  // namespace
}  // namespace bp
