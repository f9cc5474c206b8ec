// Catalogue §6 CONV-01 and CALC-09 on real Synthea data: Hallie Hoeger's bundle (tests/data,
// byte-identical; see tests/data/PROVENANCE.md) with one Condition added in memory the way
// Synthea and most EHRs code a hip fracture: SNOMED 5913000 "Fracture of neck of femur", by site,
// with no mechanism in the code. At 50 or over it is a possible fragility fracture, presumed
// for treatment (hip), sent to the fracture liaison service to confirm the mechanism; under 50
// it is neither.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "fhir/fhir_reader.h"
#include "knowledge/loader.h"
#include "rules/engine.h"

namespace bp {
namespace {

const Date kAsOf = Date::FromYmd(2026, 12, 1);
constexpr const char* kHallie =
    "/synthea-r4/Hallie_Hoeger_62a0b57c-4129-43d9-b787-bcf7ad4fa654.json";  // born 1926-06-06

// The bundle as published plus a Synthea-style Condition (copied from the bundle's own first
// Condition, so subject, encounter and status elements are Synthea's) recoded to 5913000.
std::string WithSiteCodedHipFracture(const std::string& onset) {
  std::ifstream in(std::string(BONEPATH_TEST_DATA) + kHallie, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  nlohmann::json b = nlohmann::json::parse(s.str());
  nlohmann::json hip;
  for (const auto& e : b["entry"])
    if (e["resource"]["resourceType"] == "Condition") {
      hip = e;
      break;
    }
  EXPECT_FALSE(hip.is_null());
  hip["fullUrl"] = "urn:uuid:hip-fracture";
  auto& r = hip["resource"];
  r["id"] = "hip-fracture";
  r["code"] = {{"coding",
                {{{"system", "http://snomed.info/sct"},
                  {"code", "5913000"},
                  {"display", "Fracture of neck of femur"}}}},
               {"text", "Fracture of neck of femur"}};
  r["onsetDateTime"] = onset;
  r.erase("abatementDateTime");
  b["entry"].push_back(hip);
  return b.dump();
}

struct HipRun {
  FhirExtract x;
  Assessment a;
};

HipRun AssessWithHip(const std::string& onset) {
  FhirOptions opt;
  opt.as_of = kAsOf;
  auto x = ReadFhirBundle(WithSiteCodedHipFracture(onset), EmbeddedKnowledge(), opt);
  EXPECT_TRUE(x) << (x ? "" : x.error().message);
  static const Engine engine = std::move(Engine::Create(EmbeddedKnowledge())).value();
  Assessment a = engine.Assess(x->patient, kAsOf);
  return {std::move(x).value(), std::move(a)};
}

int HipIndex(const Patient& p) {
  for (size_t i = 0; i < p.fractures.size(); ++i)
    if (p.fractures[i].site == FractureSite::kHip) return static_cast<int>(i);
  return -1;
}

bool TraceFired(const Assessment& a, std::string_view rule) {
  return std::any_of(a.trace.begin(), a.trace.end(), [&](const TraceEntry& t) {
    return t.rule == rule && t.outcome == Outcome::kFired;
  });
}

TEST(FhirSyntheaHip, SiteCodedHipFractureAtAge100IsAPresumedFragilityFractureWithFls) {
  const auto [x, a] = AssessWithHip("2026-10-20T09:14:00-04:00");
  const int hip = HipIndex(x.patient);
  ASSERT_GE(hip, 0);
  const Fracture& f = x.patient.fractures[hip];
  EXPECT_EQ(f.mechanism, FractureMechanism::kUnknown);  // CONV-01: never defaulted
  EXPECT_FALSE(f.mechanism_recorded);
  EXPECT_EQ(f.date, Date::FromYmd(2026, 10, 20));

  EXPECT_EQ(a.treatment_indicated, true);
  // Presumed fragility for treatment (TX-01 counts the hip fracture) ...
  EXPECT_TRUE(
      std::any_of(a.treatment_reasons.begin(), a.treatment_reasons.end(), [](const Statement& s) {
        return s.text.find("hip on 2026-10-20") != std::string_view::npos &&
               std::find(s.rules.begin(), s.rules.end(), "TX-01") != s.rules.end();
      }));
  EXPECT_TRUE(TraceFired(a, "CALC-09"));
  EXPECT_TRUE(a.HasWarning("fracture_mechanism_unknown"));
  // ... and the fracture liaison service confirms the mechanism.
  const Referral* fls = a.FindReferral(Destination::kFractureLiaisonService);
  ASSERT_NE(fls, nullptr);
  EXPECT_TRUE(std::any_of(fls->reasons.begin(), fls->reasons.end(), [](const Statement& s) {
    return s.text.find("hip on 2026-10-20") != std::string_view::npos &&
           s.text.find("echanism not recorded") != std::string_view::npos;
  }));
  const std::string field = "fractures[" + std::to_string(hip) + "].mechanism";
  EXPECT_TRUE(std::any_of(a.missing_data.begin(), a.missing_data.end(),
                          [&](const MissingData& m) { return m.field == field; }));
}

// CALC-09: the one warning names every fracture of unknown mechanism: the hip presumed for
// treatment, and Hallie's 2012 forearm fracture (also of unknown mechanism) for case finding only.
// Before, the forearm's warning came first and the hip's "presumed" text was lost.
TEST(FhirSyntheaHip, WarningSaysTheHipFractureWasPresumed) {
  const auto [x, a] = AssessWithHip("2026-10-20T09:14:00-04:00");
  EXPECT_TRUE(std::any_of(a.warnings.begin(), a.warnings.end(), [](const Warning& w) {
    return w.code == "fracture_mechanism_unknown" && w.text.find("hip") != std::string_view::npos &&
           w.text.find("presumed") != std::string_view::npos &&
           w.text.find("case finding only") != std::string_view::npos;
  }));
}

// The other side of age 50 (CALC-09 possible_fragility_min_age): Hallie was 49 in September
// 1975. That hip fracture is neither presumed for treatment nor sent to the FLS.
TEST(FhirSyntheaHip, SiteCodedHipFractureAtAge49IsNotAPossibleFragilityFracture) {
  const auto [x, a] = AssessWithHip("1975-09-01T09:14:00-04:00");
  const int hip = HipIndex(x.patient);
  ASSERT_GE(hip, 0);
  EXPECT_EQ(x.patient.fractures[hip].mechanism, FractureMechanism::kUnknown);
  EXPECT_FALSE(std::any_of(
      a.treatment_reasons.begin(), a.treatment_reasons.end(),
      [](const Statement& s) { return s.text.find("hip on 1975") != std::string_view::npos; }));
  EXPECT_FALSE(std::any_of(a.warnings.begin(), a.warnings.end(), [](const Warning& w) {
    return w.text.find("hip fracture") != std::string_view::npos;
  }));
  EXPECT_EQ(a.FindReferral(Destination::kFractureLiaisonService), nullptr);
}

}  // namespace
}  // namespace bp
