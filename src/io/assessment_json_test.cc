// The JSON output against the contract: a hand-built assessment validates against
// assessment.schema.json (valijson), numbers are rounded for display, and errors have the
// contract's shape.
#include "io/assessment_json.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "knowledge/loader.h"

namespace bp {
namespace {

using json = nlohmann::json;

// Errors from validating `doc` against tests/data/schemas/assessment.schema.json; empty: valid.
std::string SchemaErrors(const json& doc) {
  static const valijson::Schema* schema = [] {
    std::ifstream in(std::filesystem::path(BONEPATH_TEST_DATA) / "schemas" /
                     "assessment.schema.json");
    std::stringstream ss;
    ss << in.rdbuf();
    static json schema_doc = json::parse(ss.str());
    auto* s = new valijson::Schema;
    valijson::SchemaParser parser;
    valijson::adapters::NlohmannJsonAdapter adapter(schema_doc);
    parser.populateSchema(adapter, *s);
    return s;
  }();
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(doc);
  if (validator.validate(*schema, target, &results)) return {};
  std::string out;
  valijson::ValidationResults::Error e;
  while (results.popError(e)) {
    for (const auto& c : e.context) out += c;
    out += ": " + e.description + "\n";
  }
  return out.empty() ? "invalid" : out;
}

Assessment FullAssessment() {
  Assessment a;
  a.patient_id = "V03";
  a.as_of = Date::FromYmd(2026, 3, 1);
  a.knowledge_version = "test-version";
  a.profile = "us-composite";
  a.derived.age_years = 70;
  a.derived.bmi_kg_m2 = 24.6913;
  a.derived.crcl_ml_min = 34.95;
  a.derived.lowest_t_score = -2.7;
  a.derived.lowest_t_score_site = BmdSite::kFemoralNeck;
  a.derived.frax_major_osteoporotic_pct = 21.349;
  a.derived.corrected_calcium_mg_dl = 9.3;
  a.treatment_indicated = true;
  a.treatment_reasons = {{"", "T-score -2.7 at the femoral neck", {"D12"}}};
  a.risk_tier = RiskTier::kHigh;
  a.therapy_recommended = TherapyClass::kOralBisphosphonate;
  a.agents = {{"alendronate", "70 mg", Route::kOral, "weekly", "5 years", {"SEL-01"}}};
  a.alternatives = {{"denosumab", "60 mg", Route::kSubcutaneous, "every 6 months", "", {}}};
  a.avoid = {{"zoledronic_acid", "CrCl below 35 mL/min", {"CI-01"}}};
  a.sequence = {{"seq", "Reassess after 5 years", {"SEQ-01"}}};
  a.za_status = ZaStatus::kContraindicated;
  a.za_reasons = {{"", "CrCl 35.0 mL/min", {"PRE-01"}}};
  a.pre_infusion = {
      {PreCheckKind::kCreatinineClearance, CheckStatus::kFail, "CrCl 35.0", {"PRE-01"}},
      {PreCheckKind::kHydration, CheckStatus::kAdvice, "", {}}};
  a.referrals = {{Destination::kNephrology, Urgency::kRoutine, {{"", "CKD", {"REF-05"}}}}};
  a.warnings = {
      {"zoledronic_acid_renal_contraindication", Severity::kCritical, "CrCl < 35", {"PRE-01"}}};
  a.monitoring = {{"", "DXA in 2 years", {"MON-01"}}};
  a.adjuncts = {{"", "Calcium 1200 mg/day", {"ADJ-01"}}};
  a.workup = {{"", "25-OH vitamin D", {"LAB-01"}}};
  a.missing_data = {{"frax", "risk tier"}};
  a.trace = {{"PRE-01", Outcome::kFired, "CrCl 34.95 < 35"},
             {"NOT-A-RULE", Outcome::kNotFired, ""}};
  a.input_issues = {{"labs[0]", "stale", Severity::kWarning},
                    {"labs[1]", "note", Severity::kInfo},
                    {"labs[2]", "unusable", Severity::kCritical}};
  return a;
}

TEST(AssessmentJson, ValidatesAgainstTheContractSchema) {
  const std::string text = AssessmentToJson(FullAssessment(), EmbeddedKnowledge());
  const json doc = json::parse(text);
  EXPECT_EQ(SchemaErrors(doc), "");
  EXPECT_EQ(doc["schema"], "bonepath.assessment/1");
  EXPECT_EQ(doc["as_of"], "2026-03-01");
  EXPECT_EQ(doc["knowledge"]["version"], "test-version");
  EXPECT_EQ(doc["knowledge"]["profile"], "us-composite");
  EXPECT_TRUE(doc["knowledge"]["review_status"].is_string());
  EXPECT_NE(doc["knowledge"]["disclaimer"].get<std::string>().find("not a verdict"),
            std::string::npos);
}

TEST(AssessmentJson, EmptyAssessmentValidatesWithNulls) {
  Assessment a;
  a.patient_id = "x";
  a.profile = "us-composite";
  const json doc = json::parse(AssessmentToJson(a, EmbeddedKnowledge(), -1));
  EXPECT_EQ(SchemaErrors(doc), "");
  EXPECT_TRUE(doc["treatment"]["indicated"].is_null());
  EXPECT_EQ(doc["risk_tier"], "indeterminate");
  for (const auto& [k, v] : doc["derived"].items()) EXPECT_TRUE(v.is_null()) << k;
  // Knowledge version falls back to the knowledge base's own.
  EXPECT_EQ(doc["knowledge"]["version"], EmbeddedKnowledge().version);
}

TEST(AssessmentJson, RoundsDerivedValuesToOneDecimal) {
  const json doc = json::parse(AssessmentToJson(FullAssessment(), EmbeddedKnowledge()));
  const json& d = doc["derived"];
  EXPECT_DOUBLE_EQ(d["bmi_kg_m2"].get<double>(), 24.7);
  EXPECT_DOUBLE_EQ(d["crcl_ml_min"].get<double>(), 35.0);  // shown rounded, compared unrounded
  EXPECT_DOUBLE_EQ(d["frax_major_osteoporotic_pct"].get<double>(), 21.3);
  EXPECT_DOUBLE_EQ(d["lowest_t_score"].get<double>(), -2.7);
  EXPECT_EQ(d["lowest_t_score_site"], "femoral_neck");
  EXPECT_TRUE(d["frax_hip_pct"].is_null());
  EXPECT_TRUE(d["vitamin_d_25oh_ng_ml"].is_null());
}

TEST(AssessmentJson, MapsStatementsTraceAndIssues) {
  const json doc = json::parse(AssessmentToJson(FullAssessment(), EmbeddedKnowledge()));
  EXPECT_FALSE(doc["treatment"]["reasons"][0].contains("code"));  // empty code omitted
  EXPECT_EQ(doc["therapy"]["sequence"][0]["code"], "seq");
  EXPECT_EQ(doc["therapy"]["agents"][0]["route"], "oral");
  EXPECT_FALSE(doc["therapy"]["alternatives"][0].contains("rules"));
  EXPECT_FALSE(doc["therapy"]["alternatives"][0].contains("max_duration"));
  EXPECT_EQ(doc["infusion"]["zoledronic_acid"]["status"], "contraindicated");
  EXPECT_EQ(doc["infusion"]["zoledronic_acid"]["pre_infusion"][1]["status"], "advice");
  EXPECT_EQ(doc["referrals"][0]["to"], "nephrology");
  EXPECT_EQ(doc["warnings"][0]["severity"], "critical");
  const json& trace = doc["trace"];
  ASSERT_EQ(trace.size(), 2u);
  EXPECT_EQ(trace[0]["outcome"], "fired");
  EXPECT_TRUE(trace[0]["citations"].is_array());
  if (const RuleDef* def = EmbeddedKnowledge().FindRule("PRE-01")) {
    EXPECT_EQ(trace[0]["citations"].size(), def->citations.size());
    EXPECT_EQ(trace[0]["verification"], def->verification);
  }
  EXPECT_TRUE(trace[1]["citations"].empty());  // unknown rule: no citations, still valid
  EXPECT_FALSE(trace[1].contains("because"));
  const json& issues = doc["input_issues"];
  EXPECT_EQ(issues[0]["severity"], "warning");
  EXPECT_EQ(issues[1]["severity"], "info");
  EXPECT_EQ(issues[2]["severity"], "error");
}

TEST(AssessmentJson, SurvivesInvalidUtf8InStrings) {
  Assessment a = FullAssessment();
  a.patient_id = "bad\xFF\xFEid";
  const std::string text = AssessmentToJson(a, EmbeddedKnowledge());
  EXPECT_FALSE(json::parse(text, nullptr, false).is_discarded());
}

TEST(AssessmentJson, ErrorsHaveTheContractShape) {
  const Errors errs = {{"unit", "labs[2].unit", "\"mmol\" is not a unit for creatinine"},
                       {"schema", "weight_kg", "-70 is below the minimum 0"}};
  const json doc = json::parse(ErrorsToJson(errs));
  EXPECT_EQ(doc["error"]["code"], "unit");
  EXPECT_EQ(doc["error"]["path"], "labs[2].unit");
  ASSERT_EQ(doc["errors"].size(), 2u);
  EXPECT_EQ(doc["errors"][1]["path"], "weight_kg");
  EXPECT_EQ(doc["errors"][1]["message"], "-70 is below the minimum 0");

  const json none = json::parse(ErrorsToJson({}));
  EXPECT_EQ(none["error"]["code"], "internal");
  EXPECT_EQ(none["errors"].size(), 1u);
}

TEST(AssessmentJson, FormatsErrorsForStderr) {
  const Errors errs = {{"unit", "labs[2].unit", "\"mmol\" is not a unit for creatinine"},
                       {"invalid_json", "", "empty input"}};
  EXPECT_EQ(FormatErrorsForStderr("patient.json", errs),
            "patient.json: labs[2].unit: \"mmol\" is not a unit for creatinine\n"
            "patient.json: empty input\n");
}

}  // namespace
}  // namespace bp
