// The FHIR reader on real third-party data (tests/data, byte-identical copies of
// shared/data; see tests/data/PROVENANCE.md) and on small malformed inputs written here.
#include "fhir/fhir_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "knowledge/loader.h"
#include "support/reader_knowledge.h"

namespace bp {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Data(const std::string& rel) { return std::string(BONEPATH_TEST_DATA) + "/" + rel; }

// The reader needs only the lab units of the knowledge base.
const KnowledgeBase& Kb() { return testing_harness::ReaderKnowledge(); }

Result<FhirExtract> ReadFile(const std::string& rel, FhirOptions opt = {}) {
  return ReadFhirBundle(Slurp(Data(rel)), Kb(), opt);
}

bool HasTrace(const FhirExtract& x, std::string_view rule) {
  return std::any_of(x.mapping_trace.begin(), x.mapping_trace.end(),
                     [&](const TraceEntry& t) { return t.rule == rule; });
}

bool HasCondition(const Patient& p, ConditionCode c) {
  return std::any_of(p.conditions.begin(), p.conditions.end(),
                     [&](const Condition& k) { return k.code == c; });
}

const Medication* FindMed(const Patient& p, Agent a) {
  for (const auto& m : p.medications)
    if (m.agent == a) return &m;
  return nullptr;
}

std::optional<Tenths> LowestT(const Patient& p) {
  std::optional<Tenths> low;
  for (const auto& b : p.bmd)
    if (b.t_score && (!low || *b.t_score < *low)) low = b.t_score;
  return low;
}

int Fragility(const Patient& p) {
  return static_cast<int>(std::count_if(p.fractures.begin(), p.fractures.end(), [](auto& f) {
    return f.mechanism == FractureMechanism::kFragility;
  }));
}

// ---- Synthea (smart-on-fhir/generated-sample-data R4/SYNTHEA) ----

// Hallie Hoeger, born 1926: DXA T-scores (LOINC 38265-5, {T-score}) of -0.02 on 2012-04-02 and
// -3.31 on 2016-10-09; osteoporosis diagnosed 2016-10-09; alendronate 904419 from 2016-10-09
// (active); forearm fractures 2012-04-02 (no osteoporosis code) and 2020-12-16 with 443165006.
// Catalogue: T <= -2.5 is osteoporosis (and the recorded diagnosis is one too), so treatment is
// indicated; the 2020 fracture happened on alendronate.
TEST(FhirSynthea, HallieHoeger) {
  auto x = ReadFile("synthea-r4/Hallie_Hoeger_62a0b57c-4129-43d9-b787-bcf7ad4fa654.json");
  ASSERT_TRUE(x) << x.error().message;
  const Patient& p = x->patient;
  EXPECT_EQ(p.id, "c34852c9-ffba-4bda-890a-eef4bc683e42");
  EXPECT_EQ(p.sex, Sex::kFemale);
  ASSERT_TRUE(p.birth_date);
  EXPECT_EQ(p.birth_date->ToString(), "1926-06-06");
  ASSERT_EQ(p.bmd.size(), 2u);
  EXPECT_EQ(p.bmd[1].date->ToString(), "2016-10-09");
  EXPECT_EQ(p.bmd[1].t_score, -33);
  EXPECT_EQ(p.bmd[1].site, BmdSite::kFemoralNeck);  // FHIR-TSCORE-38265-5
  EXPECT_TRUE(HasTrace(*x, "FHIR-TSCORE-38265-5"));
  EXPECT_TRUE(x->provenance.count("/bmd/1/t_score"));
  EXPECT_TRUE(HasCondition(p, ConditionCode::kOsteoporosis));
  EXPECT_TRUE(HasTrace(*x, "FHIR-DX-RECORDED"));
  const Medication* aln = FindMed(p, Agent::kAlendronate);
  ASSERT_NE(aln, nullptr);
  EXPECT_EQ(aln->status, MedStatus::kActive);
  EXPECT_EQ(aln->start->ToString(), "2016-10-09");
  ASSERT_EQ(p.fractures.size(), 2u);
  EXPECT_EQ(p.fractures[0].site, FractureSite::kForearm);
  EXPECT_EQ(p.fractures[0].mechanism, FractureMechanism::kUnknown);
  EXPECT_EQ(p.fractures[1].site, FractureSite::kForearm);
  EXPECT_EQ(p.fractures[1].mechanism, FractureMechanism::kFragility);  // FHIR-443165006
  EXPECT_FALSE(p.fractures[1].pathologic_suspected.value_or(false));
  EXPECT_EQ(p.menopausal_status, Menopause::kPost);  // FHIR-MENOPAUSE-AGE
  EXPECT_TRUE(HasTrace(*x, "FHIR-MENOPAUSE-AGE"));
  EXPECT_TRUE(p.weight_kg && p.height_cm);
  EXPECT_GT(x->skipped_counts.at("Claim"), 0);
}

// Clorinda Wilkinson (2.8 MB), born 1924, died 2019: osteoporosis 2004-11-08 and alendronate
// from that day; no DXA Observation; four fractures each coded with 443165006 on the same date
// (clavicle 2011, forearm 2012, wrist 2014, rib 2015); a stroke in 2007. The recorded diagnosis
// alone is a basis for treatment (FHIR-DX-RECORDED); the four are fragility fractures.
TEST(FhirSynthea, ClorindaWilkinson) {
  auto x = ReadFile("synthea-r4/Clorinda_Wilkinson_3a77c3ad-6d14-4ec5-ac60-05a01355bb27.json");
  ASSERT_TRUE(x) << x.error().message;
  const Patient& p = x->patient;
  EXPECT_TRUE(p.bmd.empty());
  EXPECT_TRUE(HasCondition(p, ConditionCode::kOsteoporosis));
  EXPECT_TRUE(HasCondition(p, ConditionCode::kStroke));
  ASSERT_EQ(p.fractures.size(), 4u);
  EXPECT_EQ(Fragility(p), 4);
  EXPECT_EQ(p.fractures[0].site, FractureSite::kClavicle);
  EXPECT_EQ(p.fractures[1].site, FractureSite::kForearm);
  EXPECT_EQ(p.fractures[2].site, FractureSite::kWrist);
  EXPECT_EQ(p.fractures[3].site, FractureSite::kRib);
  EXPECT_EQ(x->provenance.at("/fractures/0").size(), 2u);  // site code + 443165006
  const Medication* aln = FindMed(p, Agent::kAlendronate);
  ASSERT_NE(aln, nullptr);
  EXPECT_EQ(aln->start->ToString(), "2004-11-08");
  // Labs: the most recent creatinine (Synthea LOINC 38483-4) wins.
  EXPECT_TRUE(std::any_of(p.labs.begin(), p.labs.end(),
                          [](const Lab& l) { return l.test == LabTest::kCreatinine; }));
  EXPECT_TRUE(HasTrace(*x, "FHIR-LATEST-VALUE"));
  EXPECT_TRUE(HasTrace(*x, "FHIR-CONDITION-STATUS"));  // resolved fractures still count
}

// Twyla Moen, born 1945: osteoporosis and alendronate from 2006-01-22; a wrist fracture on
// 2017-10-02 with 443165006 (a fragility fracture on alendronate for 11 years); no DXA.
TEST(FhirSynthea, TwylaMoen) {
  auto x = ReadFile("synthea-r4/Twyla_Moen_a3f60302-e902-468f-a683-6373d24fc4fd.json");
  ASSERT_TRUE(x) << x.error().message;
  const Patient& p = x->patient;
  EXPECT_TRUE(HasCondition(p, ConditionCode::kOsteoporosis));
  ASSERT_EQ(p.fractures.size(), 1u);
  EXPECT_EQ(p.fractures[0].site, FractureSite::kWrist);
  EXPECT_EQ(p.fractures[0].mechanism, FractureMechanism::kFragility);
  ASSERT_NE(FindMed(p, Agent::kAlendronate), nullptr);
  EXPECT_EQ(FindMed(p, Agent::kAlendronate)->start->ToString(), "2006-01-22");
}

// Vicenta Maggio, born 1924, died 2002: T-scores -0.3 (1992-10-02) and -3.5 (1994-06-27),
// osteoporosis 1994-06-27, a forearm fracture 1992-10-02 without an osteoporosis code; no
// alendronate in this bundle. The lowest T-score, -3.5, is osteoporosis.
TEST(FhirSynthea, VicentaMaggio) {
  auto x = ReadFile("synthea-r4/Vicenta_Maggio_456879da-8654-413e-b211-6308d9815586.json");
  ASSERT_TRUE(x) << x.error().message;
  const Patient& p = x->patient;
  ASSERT_EQ(p.bmd.size(), 2u);
  EXPECT_EQ(LowestT(p), -35);
  EXPECT_TRUE(HasCondition(p, ConditionCode::kOsteoporosis));
  ASSERT_EQ(p.fractures.size(), 1u);
  EXPECT_EQ(p.fractures[0].mechanism, FractureMechanism::kUnknown);
  EXPECT_EQ(FindMed(p, Agent::kAlendronate), nullptr);
}

TEST(FhirSynthea, ExtractJsonIsNativeShape) {
  auto x = ReadFile("synthea-r4/Hallie_Hoeger_62a0b57c-4129-43d9-b787-bcf7ad4fa654.json");
  ASSERT_TRUE(x);
  auto j = nlohmann::json::parse(FhirExtractToJson(*x));
  EXPECT_EQ(j["patient"]["schema"], "bonepath.patient/1");
  EXPECT_EQ(j["patient"]["sex"], "female");
  EXPECT_EQ(j["patient"]["bmd"][1]["site"], "femoral_neck");
  EXPECT_DOUBLE_EQ(j["patient"]["bmd"][1]["t_score"].get<double>(), -3.3);
  EXPECT_TRUE(j["provenance"].contains("/birth_date"));
  EXPECT_TRUE(j["ignored"].is_array());
  EXPECT_TRUE(j["input_issues"].is_array());
  for (const auto& l : j["patient"]["labs"]) EXPECT_FALSE(l["unit"].get<std::string>().empty());
}

TEST(FhirSynthea, InPlaceReadIsTheSameRead) {
  FhirOptions opt;
  opt.as_of = Date::FromYmd(2026, 11, 23);
  const std::string text =
      Slurp(Data("synthea-r4/Clorinda_Wilkinson_3a77c3ad-6d14-4ec5-ac60-05a01355bb27.json"));
  std::string padded;
  padded.reserve(text.size() + kFhirInputPadding);
  padded = text;
  auto copied = ReadFhirBundle(text, Kb(), opt);
  auto in_place = ReadFhirBundleInPlace(padded, Kb(), opt);
  auto unpadded = ReadFhirBundleInPlace(text, Kb(), opt);  // copied unless capacity allows
  ASSERT_TRUE(copied && in_place && unpadded);
  EXPECT_EQ(FhirExtractToJson(*in_place), FhirExtractToJson(*copied));
  EXPECT_EQ(FhirExtractToJson(*unpadded), FhirExtractToJson(*copied));
  // Not JSON: the same error either way.
  std::string bad;
  bad.reserve(64 + kFhirInputPadding);
  bad = "{\"resourceType\": \"Bundle\", \"entry\": [";
  auto e = ReadFhirBundleInPlace(bad, Kb(), {});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, "invalid_json");
}

TEST(FhirSynthea, AsOfIgnoresLaterData) {
  FhirOptions opt;
  opt.as_of = Date::FromYmd(2015, 1, 1);
  auto x = ReadFile("synthea-r4/Hallie_Hoeger_62a0b57c-4129-43d9-b787-bcf7ad4fa654.json", opt);
  ASSERT_TRUE(x);
  ASSERT_EQ(x->patient.bmd.size(), 1u);  // the 2016 scan is after as_of
  EXPECT_FALSE(HasCondition(x->patient, ConditionCode::kOsteoporosis));
  EXPECT_TRUE(HasTrace(*x, "FHIR-AFTER-AS-OF"));
}

// ---- US Core DXA examples: site-specific codes, unit "1" ----

TEST(FhirUsCore, SiteSpecificScoresLandOnHipAndNeck) {
  // The report and its six observations, gathered into one collection Bundle.
  std::string b = R"({"resourceType":"Bundle","type":"collection","entry":[)";
  bool first = true;
  for (const auto& f : fs::directory_iterator(Data("us-core-dxa"))) {
    b += (first ? "" : ",") + std::string(R"({"fullUrl":"urn:x:)") + f.path().stem().string() +
         R"(","resource":)" + Slurp(f.path()) + "}";
    first = false;
  }
  b += "]}";
  auto x = ReadFhirBundle(b, Kb(), {});
  ASSERT_TRUE(x) << x.error().message;
  const Patient& p = x->patient;
  EXPECT_EQ(p.id, "example");
  const BmdMeasurement* hip = nullptr;
  const BmdMeasurement* neck = nullptr;
  for (const auto& m : p.bmd) {
    if (m.site == BmdSite::kTotalHip) hip = &m;
    if (m.site == BmdSite::kFemoralNeck) neck = &m;
  }
  ASSERT_NE(hip, nullptr);
  ASSERT_NE(neck, nullptr);
  EXPECT_TRUE(hip->t_score && hip->z_score);
  EXPECT_TRUE(neck->t_score && neck->z_score);
  EXPECT_EQ(hip->t_score, -16);  // -1.62
  EXPECT_EQ(hip->date->ToString(), "2021-11-10");
  // The BMD in g/cm2 joins the scores of the same scan and site (LOINC 46278-8, 80954-1).
  EXPECT_EQ(p.bmd.size(), 2u);
  ASSERT_TRUE(hip->bmd_g_cm2 && neck->bmd_g_cm2);
  EXPECT_DOUBLE_EQ(*hip->bmd_g_cm2, 0.734);
  EXPECT_DOUBLE_EQ(*neck->bmd_g_cm2, 0.631);
  EXPECT_FALSE(hip->lsc_g_cm2);  // the examples report no least significant change
  // The DiagnosticReport is named in the provenance of each measurement.
  bool report = false;
  for (const auto& [k, v] : x->provenance)
    if (k.rfind("/bmd/", 0) == 0)
      for (const auto& r : v) report = report || r == "DiagnosticReport/bone-density-report";
  EXPECT_TRUE(report);
}

// ---- Bulk Data export (smart-on-fhir/sample-bulk-fhir-datasets, 10-patients) ----

TEST(FhirBulk, OsteoporosisPatientWithAlendronateHistory) {
  FhirOptions opt;
  opt.patient_id = "a5cb8ce9-cec6-6b23-0990-cbaf753578a4";
  auto x = ReadBulkExport(Data("bulk-10-patients"), Kb(), opt);
  ASSERT_TRUE(x) << x.error().message;
  const Patient& p = x->patient;
  EXPECT_EQ(p.id, "a5cb8ce9-cec6-6b23-0990-cbaf753578a4");
  EXPECT_TRUE(HasCondition(p, ConditionCode::kOsteoporosis));
  // Fracture of forearm + 443165006 on the same date: one fragility fracture.
  ASSERT_EQ(p.fractures.size(), 1u);
  EXPECT_EQ(p.fractures[0].site, FractureSite::kForearm);
  EXPECT_EQ(p.fractures[0].mechanism, FractureMechanism::kFragility);
  const Medication* aln = FindMed(p, Agent::kAlendronate);
  ASSERT_NE(aln, nullptr);
  EXPECT_EQ(aln->status, MedStatus::kActive);  // 16 stopped orders, the latest active
  size_t idx = static_cast<size_t>(aln - p.medications.data());
  EXPECT_EQ(x->provenance.at("/medications/" + std::to_string(idx)).size(), 17u);
}

TEST(FhirBulk, UnknownPatientIsAnErrorListingTheIds) {
  FhirOptions opt;
  opt.patient_id = "nobody";
  auto x = ReadBulkExport(Data("bulk-10-patients"), Kb(), opt);
  ASSERT_FALSE(x);
  EXPECT_EQ(x.error().code, "inconsistent");
  EXPECT_NE(x.error().message.find("a5cb8ce9-cec6-6b23-0990-cbaf753578a4"), std::string::npos);
}

TEST(FhirBulk, SeveralPatientsNeedAnId) {
  auto x = ReadBulkExport(Data("bulk-10-patients"), Kb(), {});
  ASSERT_FALSE(x);
  EXPECT_EQ(x.error().code, "inconsistent");
  EXPECT_NE(x.error().message.find("a5cb8ce9-cec6-6b23-0990-cbaf753578a4"), std::string::npos);
}

// ---- Malformed input ----

std::string Bundle(const std::string& entries) {
  return R"({"resourceType":"Bundle","type":"collection","entry":[)" + entries + "]}";
}
const char* kPatient =
    R"({"resource":{"resourceType":"Patient","id":"p1","gender":"female","birthDate":"1950-01-01"}})";

bool HasIssueAt(const FhirExtract& x, std::string_view path) {
  return std::any_of(x.issues.begin(), x.issues.end(),
                     [&](const InputIssue& i) { return i.path == path; });
}

// ---- BMD in g/cm2 and the facility's least significant change ----

std::string BmdObs(const std::string& id, const std::string& loinc, const std::string& date,
                   const std::string& value, const std::string& unit,
                   const std::string& extension = "") {
  return R"(,{"resource":{"resourceType":"Observation","id":")" + id +
         R"(","status":"final","code":{"coding":[{"system":"http://loinc.org","code":")" + loinc +
         R"("}]},"effectiveDateTime":")" + date + R"(","valueQuantity":{"value":)" + value +
         R"(,"unit":")" + unit + R"(","system":"http://unitsofmeasure.org","code":")" + unit +
         R"("})" + (extension.empty() ? "" : ",\"extension\":[" + extension + "]") + "}}";
}

std::string Lsc(const std::string& value, const std::string& unit = "g/cm2") {
  return R"({"url":"https://bonepath.org/fhir/StructureDefinition/least-significant-change","valueQuantity":{"value":)" +
         value + R"(,"code":")" + unit + R"("}})";
}

TEST(FhirBmd, TwoScansWithTheFacilitysLeastSignificantChange) {
  const std::string b =
      Bundle(std::string(kPatient) + BmdObs("h1", "38261-4", "2022-03-01", "0.801", "g/cm2") +
             BmdObs("t1", "38264-8", "2022-03-01", "-1.9", "1") +
             BmdObs("h2", "38261-4", "2024-03-05", "0.752", "g/cm2", Lsc("0.025")) +
             BmdObs("s2", "24966-4", "2024-03-05", "0.91", "g/cm²"));
  auto x = ReadFhirBundle(b, Kb(), {});
  ASSERT_TRUE(x) << x.error().message;
  const Patient& p = x->patient;
  ASSERT_EQ(p.bmd.size(), 3u);  // 2022 hip (T and BMD together), 2024 spine, 2024 hip
  EXPECT_EQ(p.bmd[0].site, BmdSite::kTotalHip);
  EXPECT_EQ(p.bmd[0].t_score, -19);
  ASSERT_TRUE(p.bmd[0].bmd_g_cm2);
  EXPECT_DOUBLE_EQ(*p.bmd[0].bmd_g_cm2, 0.801);
  EXPECT_FALSE(p.bmd[0].lsc_g_cm2);
  const BmdMeasurement* hip2 = nullptr;
  const BmdMeasurement* spine = nullptr;
  for (const auto& m : p.bmd) {
    if (m.date->ToString() != "2024-03-05") continue;
    (m.site == BmdSite::kTotalHip ? hip2 : spine) = &m;
  }
  ASSERT_TRUE(hip2 && spine);
  EXPECT_EQ(spine->site, BmdSite::kLumbarSpine);
  EXPECT_DOUBLE_EQ(*spine->bmd_g_cm2, 0.91);  // "g/cm²" is g/cm2
  ASSERT_TRUE(hip2->lsc_g_cm2);
  EXPECT_DOUBLE_EQ(*hip2->lsc_g_cm2, 0.025);
  EXPECT_FALSE(hip2->t_score);  // no score was reported for that scan: none invented
  bool lsc_prov = false;
  for (const auto& [k, v] : x->provenance)
    if (k.find("/lsc_g_cm2") != std::string::npos)
      lsc_prov = v == std::vector<std::string>{"Observation/h2"};
  EXPECT_TRUE(lsc_prov);
  EXPECT_TRUE(x->issues.empty());
}

TEST(FhirBmd, WrongUnitsAndImplausibleValuesAreNotUsed) {
  const std::string b =
      Bundle(std::string(kPatient) + BmdObs("u1", "38261-4", "2024-03-05", "801", "mg/cm2") +
             BmdObs("v1", "24966-4", "2024-03-05", "3.5", "g/cm2") +
             BmdObs("v0", "24701-5", "2024-03-05", "0", "g/cm2") +
             BmdObs("l1", "46278-8", "2024-03-05", "0.7", "g/cm2", Lsc("25", "mg/cm2")) +
             BmdObs("l2", "80954-1", "2024-03-05", "0.6", "g/cm2", Lsc("1.5")));
  auto x = ReadFhirBundle(b, Kb(), {});
  ASSERT_TRUE(x) << x.error().message;
  const Patient& p = x->patient;
  EXPECT_TRUE(HasIssueAt(*x, "Bundle.entry[1].resource.valueQuantity.code"));
  EXPECT_TRUE(HasIssueAt(*x, "Bundle.entry[2].resource.valueQuantity.value"));
  EXPECT_TRUE(HasIssueAt(*x, "Bundle.entry[3].resource.valueQuantity.value"));
  EXPECT_TRUE(HasIssueAt(
      *x, "Bundle.entry[4].resource.extension(least-significant-change).valueQuantity.code"));
  EXPECT_TRUE(HasIssueAt(
      *x, "Bundle.entry[5].resource.extension(least-significant-change).valueQuantity.value"));
  // The two BMDs with an unusable LSC are kept, without an LSC (the engine then falls back
  // to the profile's percentage); the others are not used at all.
  ASSERT_EQ(p.bmd.size(), 2u);
  for (const auto& m : p.bmd) {
    EXPECT_TRUE(m.bmd_g_cm2);
    EXPECT_FALSE(m.lsc_g_cm2);
    EXPECT_FALSE(m.t_score);
  }
}

TEST(FhirMalformed, NotJsonAndNotFhir) {
  auto a = ReadFhirBundle("{not json", Kb(), {});
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, "invalid_json");
  auto b = ReadFhirBundle(R"({"id":"x"})", Kb(), {});
  ASSERT_FALSE(b);
  EXPECT_FALSE(b.error().message.empty());
  EXPECT_FALSE(LooksLikeFhir(R"({"id":"x","sex":"female"})"));
  EXPECT_TRUE(LooksLikeFhir(R"({"resourceType":"Bundle"})"));
}

TEST(FhirMalformed, IssuesWithFhirPathLocations) {
  const std::string b = Bundle(
      std::string(kPatient) +
      R"(,{"fullUrl":"x"})"  // entry[1]: no resource
      R"(,{"resource":{"resourceType":"Observation","id":"o1","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2160-0"}]},"effectiveDateTime":"2025-01-01","valueQuantity":{"unit":"mg/dL","code":"mg/dL"}}})"
      R"(,{"resource":{"resourceType":"Observation","id":"o2","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2160-0"}]},"effectiveDateTime":"2025-01-01","valueQuantity":{"value":"1.1","code":"mg/dL"}}})"
      R"(,{"resource":{"resourceType":"Observation","id":"o3","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2160-0"}]},"effectiveDateTime":"2025-01-01","valueQuantity":{"value":1.1,"code":"mmol"}}})"
      R"(,{"resource":{"resourceType":"DiagnosticReport","id":"d1","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"83311-1"}]},"result":[{"reference":"Observation/missing"}]}})"
      R"(,{"resource":{"resourceType":"Observation","id":"o4","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},"effectiveDateTime":"2025-01-01T23:30:00-05:00","valueQuantity":{"value":150,"code":"[lb_av]"}}})");
  auto x = ReadFhirBundle(b, Kb(), {});
  ASSERT_TRUE(x) << x.error().message;
  EXPECT_TRUE(HasIssueAt(*x, "Bundle.entry[1]"));
  EXPECT_TRUE(HasIssueAt(*x, "Bundle.entry[2].resource.valueQuantity.value"));
  EXPECT_TRUE(HasIssueAt(*x, "Bundle.entry[3].resource.valueQuantity.value"));
  EXPECT_TRUE(HasIssueAt(*x, "Bundle.entry[4].resource.valueQuantity.code"));
  EXPECT_TRUE(HasIssueAt(*x, "Bundle.entry[5].resource.result[0].reference"));
  EXPECT_TRUE(x->patient.labs.empty());  // no creatinine usable
  ASSERT_TRUE(x->patient.weight_kg);
  EXPECT_NEAR(*x->patient.weight_kg, 150 * 0.45359237, 1e-9);
  EXPECT_EQ(x->provenance.at("/weight_kg")[0], "Observation/o4");
}

TEST(FhirMalformed, NothingUsableIsAnError) {
  auto x = ReadFhirBundle(
      Bundle(R"({"resource":{"resourceType":"Claim","id":"c1"}},{"fullUrl":"y"})"), Kb(), {});
  ASSERT_FALSE(x);
  EXPECT_EQ(x.error().code, "unsupported");
  EXPECT_FALSE(x.error().message.empty());
}

TEST(FhirMalformed, EntryMustBeArray) {
  auto x = ReadFhirBundle(R"({"resourceType":"Bundle","entry":{}})", Kb(), {});
  ASSERT_FALSE(x);
  EXPECT_NE(x.error().message.find("array"), std::string::npos);
}

TEST(FhirPatients, SeveralPatientsNeedAnId) {
  const std::string b = Bundle(
      std::string(kPatient) +
      R"(,{"resource":{"resourceType":"Patient","id":"p2","gender":"male"}})"
      R"(,{"resource":{"resourceType":"Condition","id":"c2","subject":{"reference":"Patient/p2"},"code":{"coding":[{"system":"http://snomed.info/sct","code":"64859006"}]}}})");
  auto x = ReadFhirBundle(b, Kb(), {});
  ASSERT_FALSE(x);
  EXPECT_EQ(x.error().code, "inconsistent");
  EXPECT_NE(x.error().message.find("p1"), std::string::npos);
  EXPECT_NE(x.error().message.find("p2"), std::string::npos);
  FhirOptions opt;
  opt.patient_id = "p1";
  auto one = ReadFhirBundle(b, Kb(), opt);
  ASSERT_TRUE(one);
  EXPECT_TRUE(one->patient.conditions.empty());  // p2's condition is not p1's
  opt.patient_id = "p2";
  auto two = ReadFhirBundle(b, Kb(), opt);
  ASSERT_TRUE(two);
  EXPECT_EQ(two->patient.sex, Sex::kMale);
  EXPECT_TRUE(HasCondition(two->patient, ConditionCode::kOsteoporosis));
  opt.patient_id = "p9";
  auto none = ReadFhirBundle(b, Kb(), opt);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, "inconsistent");
}

TEST(FhirPatients, VersionsOfOnePatientAreOnePatient) {
  const std::string b = Bundle(
      std::string(kPatient) + "," + kPatient +
      R"(,{"resource":{"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/p1"},"code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"M81.0"}]}}})");
  auto x = ReadFhirBundle(b, Kb(), {});
  ASSERT_TRUE(x) << x.error().message;
  EXPECT_TRUE(HasCondition(x->patient, ConditionCode::kOsteoporosis));
}

TEST(FhirMapping, StatusesIngredientsAndFrax) {
  const std::string b = Bundle(
      std::string(kPatient) +
      // Refuted osteoporosis does not count; resolved hyperthyroidism is inactive.
      R"(,{"resource":{"resourceType":"Condition","id":"c1","verificationStatus":{"coding":[{"code":"refuted"}]},"code":{"coding":[{"system":"http://snomed.info/sct","code":"64859006"}]}}})"
      R"(,{"resource":{"resourceType":"Condition","id":"c2","clinicalStatus":{"coding":[{"code":"resolved"}]},"code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"E05.90"}]}}})"
      // Denosumab biosimilar by name, two injections.
      R"(,{"resource":{"resourceType":"MedicationAdministration","id":"a1","status":"completed","medicationCodeableConcept":{"text":"denosumab-bbdz 60 mg/mL Jubbonti"},"effectiveDateTime":"2025-01-10"}})"
      R"(,{"resource":{"resourceType":"MedicationAdministration","id":"a2","status":"completed","medicationCodeableConcept":{"text":"denosumab-bbdz 60 mg/mL Jubbonti"},"effectiveDateTime":"2025-07-12"}})"
      // Cancelled order ignored; draft order planned.
      R"(,{"resource":{"resourceType":"MedicationRequest","id":"m1","status":"cancelled","intent":"order","medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"705875"}]},"authoredOn":"2025-02-01"}})"
      R"(,{"resource":{"resourceType":"MedicationRequest","id":"m2","status":"draft","intent":"order","medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"705875"}]},"authoredOn":"2025-03-01"}})"
      // Prednisone 5 mg twice a day = 10 mg/day prednisone-equivalent.
      R"(,{"resource":{"resourceType":"MedicationRequest","id":"m3","status":"active","intent":"order","medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"312617","display":"prednisone 5 MG Oral Tablet"}]},"authoredOn":"2025-01-01","dosageInstruction":[{"timing":{"repeat":{"frequency":2,"period":1,"periodUnit":"d"}},"doseAndRate":[{"doseQuantity":{"value":1,"unit":"tablet"}}]}]}})"
      R"(,{"resource":{"resourceType":"RiskAssessment","id":"r1","status":"final","method":{"text":"FRAX US"},"occurrenceDateTime":"2025-05-01","prediction":[{"outcome":{"text":"Major osteoporotic fracture"},"probabilityDecimal":0.214},{"outcome":{"text":"Hip fracture"},"probabilityDecimal":0.031}]}})"
      R"(,{"resource":{"resourceType":"AllergyIntolerance","id":"ai1","code":{"text":"Alendronate"},"patient":{"reference":"Patient/p1"}}})");
  auto x = ReadFhirBundle(b, Kb(), {});
  ASSERT_TRUE(x) << x.error().message;
  const Patient& p = x->patient;
  EXPECT_FALSE(HasCondition(p, ConditionCode::kOsteoporosis));
  ASSERT_TRUE(HasCondition(p, ConditionCode::kHyperthyroidism));
  EXPECT_FALSE(p.conditions[0].active);
  const Medication* dmab = FindMed(p, Agent::kDenosumab);
  ASSERT_NE(dmab, nullptr);
  EXPECT_EQ(dmab->doses_received, 2);
  EXPECT_EQ(dmab->last_dose->ToString(), "2025-07-12");
  EXPECT_EQ(dmab->start->ToString(), "2025-01-10");
  const Medication* za = FindMed(p, Agent::kZoledronicAcid);
  ASSERT_NE(za, nullptr);
  EXPECT_EQ(za->status, MedStatus::kPlanned);
  const Medication* gc = FindMed(p, Agent::kGlucocorticoid);
  ASSERT_NE(gc, nullptr);
  ASSERT_TRUE(gc->dose_mg_per_day);
  EXPECT_NEAR(*gc->dose_mg_per_day, 10.0, 1e-9);
  ASSERT_TRUE(p.frax);
  EXPECT_EQ(p.frax->major_osteoporotic_pct, 214);
  EXPECT_EQ(p.frax->hip_pct, 31);
  ASSERT_EQ(p.intolerances.size(), 1u);
  EXPECT_EQ(p.intolerances[0], Intolerance::kOralBisphosphonate);
  EXPECT_TRUE(HasTrace(*x, "FHIR-MED-INGREDIENT"));
  EXPECT_TRUE(HasTrace(*x, "FHIR-MED-STATUS"));
  EXPECT_TRUE(HasTrace(*x, "FHIR-FRAX"));
}

TEST(FhirMapping, DatesInTheirOwnOffsetAndPeriods) {
  const std::string b = Bundle(
      std::string(kPatient) +
      R"(,{"resource":{"resourceType":"Observation","id":"h1","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8302-2"}]},"effectivePeriod":{"start":"2024-12-31T22:00:00-10:00","end":"2025-01-01T01:00:00+14:00"},"valueQuantity":{"value":64,"code":"[in_i]"}}})"
      R"(,{"resource":{"resourceType":"Observation","id":"t1","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"38263-0"}]},"bodySite":{"text":"Total hip"},"effectiveInstant":"2024-06-30T23:59:59+09:00","valueQuantity":{"value":-2.45,"code":"1"}}})");
  auto x = ReadFhirBundle(b, Kb(), {});
  ASSERT_TRUE(x) << x.error().message;
  ASSERT_TRUE(x->patient.height_cm);
  EXPECT_NEAR(*x->patient.height_cm, 64 * 2.54, 1e-9);
  ASSERT_EQ(x->patient.bmd.size(), 1u);
  EXPECT_EQ(x->patient.bmd[0].site, BmdSite::kTotalHip);  // bodySite decides
  EXPECT_EQ(x->patient.bmd[0].date->ToString(), "2024-06-30");
  EXPECT_EQ(x->patient.bmd[0].t_score, -25);  // -2.45 rounds half away from zero
}

// ---- The official FHIR R4 example package (hl7.fhir.r4.examples 4.0.1) ----

TEST(FhirOfficialExamples, EveryHandledResourceAndBundleReadsOrFailsClearly) {
  const fs::path tmp =
      fs::temp_directory_path() / ("bp-fhir-examples-" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  const std::string cmd = "tar xzf '" + Data("fhir-r4-examples/hl7.fhir.r4.examples-4.0.1.tgz") +
                          "' -C '" + tmp.string() + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  static const std::set<std::string> kHandled = {"Patient",
                                                 "Observation",
                                                 "DiagnosticReport",
                                                 "Condition",
                                                 "Procedure",
                                                 "MedicationRequest",
                                                 "MedicationStatement",
                                                 "MedicationAdministration",
                                                 "AllergyIntolerance",
                                                 "RiskAssessment",
                                                 "FamilyMemberHistory",
                                                 "Bundle"};
  int all = 0, files = 0, read = 0, rejected = 0;
  for (const auto& f : fs::directory_iterator(tmp / "package")) {
    const std::string name = f.path().filename().string();
    const std::string type = name.substr(0, name.find('-'));
    if (f.path().extension() != ".json") continue;
    // Every file goes through the reader (no crash on any); the handled types are counted.
    const std::string text = Slurp(f.path());
    auto x = ReadFhirBundle(text, Kb(), {});
    ++all;
    if (!kHandled.count(type)) continue;
    ++files;
    // A Patient is always usable; other single resources without one may be rejected as
    // "nothing usable" (most examples are about data bonepath does not read).
    if (type == "Patient") {
      EXPECT_TRUE(x) << name << ": " << (x ? "" : x.error().message);
    }
    if (x) {
      ++read;
      (void)FhirExtractToJson(*x);
    } else {
      ++rejected;
      EXPECT_FALSE(x.error().message.empty()) << name;
      EXPECT_FALSE(x.error().code.name().empty()) << name;
    }
  }
  fs::remove_all(tmp);
  EXPECT_GT(all, 5000);
  EXPECT_GT(files, 200);
  EXPECT_GT(read, 20);
  std::printf("official examples: %d files of handled types, %d read, %d rejected\n", files, read,
              rejected);
}

// Catalogue §6 COURSE-01, CONV-01, CONV-02: statuses, doses from administrations, product
// strength, site-coded fractures without a mechanism, dropped sites, death.
TEST(FhirCourse, AdministrationsCountDosesAndSitesKeepAnUnknownMechanism) {
  const std::string b = Bundle(
      std::string(kPatient) +
      // Hip fracture coded by site only (Synthea style): mechanism unknown, not fragility.
      R"(,{"resource":{"resourceType":"Condition","id":"f1","code":{"coding":[{"system":"http://snomed.info/sct","code":"5913000"}]},"onsetDateTime":"2026-01-05"}})"
      // Skull fracture: dropped as outside fragility-fracture definitions.
      R"(,{"resource":{"resourceType":"Condition","id":"f2","code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"S02.0XXA"}]},"onsetDateTime":"2025-06-01"}})"
      // Three zoledronic acid administrations, two of them 2 days apart: two doses.
      R"(,{"resource":{"resourceType":"MedicationAdministration","id":"a1","status":"completed","medicationCodeableConcept":{"text":"zoledronic acid 5 MG in 100 ML Injection"},"effectiveDateTime":"2024-03-01"}})"
      R"(,{"resource":{"resourceType":"MedicationAdministration","id":"a2","status":"completed","medicationCodeableConcept":{"text":"zoledronic acid 5 MG in 100 ML Injection"},"effectiveDateTime":"2024-03-03"}})"
      R"(,{"resource":{"resourceType":"MedicationAdministration","id":"a3","status":"completed","medicationCodeableConcept":{"text":"zoledronic acid 5 MG in 100 ML Injection"},"effectiveDateTime":"2025-03-02"}})"
      R"(,{"resource":{"resourceType":"MedicationAdministration","id":"a4","status":"not-done","medicationCodeableConcept":{"text":"zoledronic acid 5 MG in 100 ML Injection"},"effectiveDateTime":"2025-09-02"}})"
      // Denosumab order on hold: an active course, held.
      R"(,{"resource":{"resourceType":"MedicationRequest","id":"m1","status":"on-hold","intent":"order","medicationCodeableConcept":{"text":"denosumab 60 MG/ML Prefilled Syringe"},"authoredOn":"2025-01-01"}})"
      // Oncology denosumab (120 mg): kept apart from the osteoporosis product.
      R"(,{"resource":{"resourceType":"MedicationAdministration","id":"a5","status":"completed","medicationCodeableConcept":{"text":"denosumab 120 MG Injection"},"effectiveDateTime":"2025-02-01"}})");
  FhirOptions opt;
  opt.as_of = Date::FromYmd(2026, 3, 1);
  auto x = ReadFhirBundle(b, Kb(), opt);
  ASSERT_TRUE(x) << x.error().message;
  const Patient& p = x->patient;
  ASSERT_EQ(p.fractures.size(), 1u);
  EXPECT_EQ(p.fractures[0].site, FractureSite::kHip);
  EXPECT_EQ(p.fractures[0].mechanism, FractureMechanism::kUnknown);
  EXPECT_FALSE(p.fractures[0].mechanism_recorded);
  EXPECT_TRUE(std::any_of(x->ignored.begin(), x->ignored.end(),
                          [](const FhirIgnored& i) { return i.resource == "Condition/f2"; }));
  const Medication* za = FindMed(p, Agent::kZoledronicAcid);
  ASSERT_NE(za, nullptr);
  EXPECT_EQ(za->doses_received, 2);
  ASSERT_EQ(za->dose_dates.size(), 2u);
  EXPECT_EQ(za->last_dose->ToString(), "2025-03-02");
  ASSERT_TRUE(za->dose_mg);
  EXPECT_DOUBLE_EQ(*za->dose_mg, 5);
  int dmab_courses = 0;
  for (const auto& m : p.medications) {
    if (m.agent != Agent::kDenosumab) continue;
    ++dmab_courses;
    if (m.dose_mg && *m.dose_mg >= 100) {
      EXPECT_EQ(m.doses_received, 1);
    } else {
      EXPECT_EQ(m.status, MedStatus::kActive);
      EXPECT_TRUE(m.held);
    }
  }
  EXPECT_EQ(dmab_courses, 2);
  EXPECT_FALSE(p.deceased.has_value());
}

TEST(FhirCourse, DeceasedPatient) {
  const std::string b = Bundle(
      R"({"resource":{"resourceType":"Patient","id":"p1","gender":"female","birthDate":"1940-01-01","deceasedDateTime":"2026-01-10T08:00:00Z"}})"
      R"(,{"resource":{"resourceType":"Condition","id":"f1","code":{"coding":[{"system":"http://snomed.info/sct","code":"5913000"}]},"onsetDateTime":"2025-12-05"}})");
  FhirOptions opt;
  opt.as_of = Date::FromYmd(2026, 3, 1);
  auto x = ReadFhirBundle(b, Kb(), opt);
  ASSERT_TRUE(x) << x.error().message;
  EXPECT_EQ(x->patient.deceased, true);
  EXPECT_EQ(x->patient.deceased_date, Date::FromYmd(2026, 1, 10));
  // Assessed before the death: alive then.
  opt.as_of = Date::FromYmd(2025, 12, 31);
  auto y = ReadFhirBundle(b, Kb(), opt);
  ASSERT_TRUE(y);
  EXPECT_NE(y->patient.deceased, true);
  const std::string c = Bundle(
      R"({"resource":{"resourceType":"Patient","id":"p1","gender":"male","deceasedBoolean":true}})"
      R"(,{"resource":{"resourceType":"Condition","id":"f1","code":{"coding":[{"system":"http://snomed.info/sct","code":"5913000"}]},"onsetDateTime":"2025-12-05"}})");
  auto z = ReadFhirBundle(c, Kb(), opt);
  ASSERT_TRUE(z);
  EXPECT_EQ(z->patient.deceased, true);
}

}  // namespace
}  // namespace bp
