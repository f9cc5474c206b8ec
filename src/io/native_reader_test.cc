// The native reader against bad input (every violation reported with its path and code), unit
// conversion, rounding of reported scores, and agreement with patient.schema.json itself
// (checked with valijson, so the hand-written checks cannot drift from the contract).
#include "io/native_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
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

const Date kAsOf = Date::FromYmd(2026, 3, 1);

Result<Patient> Read(std::string_view text, std::vector<InputIssue>* issues = nullptr,
                     NativeReadOptions options = {}) {
  if (!options.today) options.today = kAsOf;
  return ReadNativePatient(text, EmbeddedKnowledge(), issues, options);
}

// A minimal valid record with `extra` merged in.
std::string Record(const json& extra = json::object()) {
  json j = {{"id", "p1"}, {"sex", "female"}, {"as_of", "2026-03-01"}};
  j.update(extra);
  return j.dump();
}

const Error* FindError(const Errors& errs, std::string_view path) {
  auto it = std::find_if(errs.begin(), errs.end(), [&](const Error& e) { return e.path == path; });
  return it == errs.end() ? nullptr : &*it;
}

std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// True when `doc` is valid per tests/data/schemas/patient.schema.json.
bool SchemaValid(const json& doc) {
  static const valijson::Schema* schema = [] {
    static json schema_doc = json::parse(
        Slurp(std::filesystem::path(BONEPATH_TEST_DATA) / "schemas" / "patient.schema.json"));
    auto* s = new valijson::Schema;
    valijson::SchemaParser parser;
    valijson::adapters::NlohmannJsonAdapter adapter(schema_doc);
    parser.populateSchema(adapter, *s);
    return s;
  }();
  valijson::Validator validator;
  valijson::adapters::NlohmannJsonAdapter target(doc);
  return validator.validate(*schema, target, nullptr);
}

TEST(NativeReader, ReadsMinimalRecord) {
  auto r = Read(Record());
  ASSERT_TRUE(r.has_value()) << r.error().path << ": " << r.error().message;
  EXPECT_EQ(r->id, "p1");
  EXPECT_EQ(r->sex, Sex::kFemale);
  EXPECT_EQ(r->as_of, kAsOf);
  EXPECT_FALSE(r->spine_recorded);
}

TEST(NativeReader, RejectsNotJson) {
  auto r = Read("{\"id\": \"p1\", sex: female}");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "invalid_json");
  EXPECT_NE(r.error().message.find("not valid JSON"), std::string::npos) << r.error().message;
}

TEST(NativeReader, RejectsEmptyInput) {
  for (std::string_view text : {"", "  \n\t "}) {
    auto r = Read(text);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, "invalid_json");
    EXPECT_EQ(r.error().message, "empty input");
  }
}

TEST(NativeReader, RejectsNonObjectTopLevel) {
  for (std::string_view text : {"[1, 2]", "\"patient\"", "42", "null"}) {
    auto r = Read(text);
    ASSERT_FALSE(r.has_value()) << text;
    EXPECT_EQ(r.error().code, "schema") << text;
    EXPECT_EQ(r.error().path, "");
  }
}

TEST(NativeReader, RejectsUnknownTopLevelField) {
  auto r = Read(Record({{"weight", 70}}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "schema");
  EXPECT_EQ(r.error().path, "weight");
  EXPECT_NE(r.error().message.find("weight_kg"), std::string::npos) << r.error().message;
}

TEST(NativeReader, RejectsUnknownNestedField) {
  auto r = Read(Record({{"labs", {{{"test", "calcium"}, {"value", 9.4}, {"units", "mg/dL"}}}},
                        {"spine", {{"neuro_deficit", true}}}}));
  ASSERT_FALSE(r.has_value());
  const Error* unknown = FindError(r.errors(), "labs[0].units");
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(unknown->code, "schema");
  const Error* missing = FindError(r.errors(), "labs[0].unit");
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->message, "required field is missing");
  EXPECT_NE(FindError(r.errors(), "spine.neuro_deficit"), nullptr);
}

TEST(NativeReader, QuotesHostileUnknownKeysInPaths) {
  auto r = Read(Record({{"line\nbreak", 1}, {"dental", {{std::string(1000, 'k'), true}}}}));
  ASSERT_FALSE(r.has_value());
  ASSERT_EQ(r.errors().size(), 2u);
  EXPECT_EQ(r.errors()[0].path, "[\"line\\nbreak\"]");
  EXPECT_EQ(r.errors()[1].path, "dental[\"" + std::string(79, 'k') + "...]");
}

TEST(NativeReader, CapsTheNumberOfListedViolations) {
  json many = json::array();
  for (int i = 0; i < 2000; ++i) many.push_back("aspirin");
  auto r = Read(Record({{"intolerances", many}}));
  ASSERT_FALSE(r.has_value());
  ASSERT_EQ(r.errors().size(), 501u);
  EXPECT_EQ(r.errors().back().message, "1500 further violations not listed");
}

TEST(NativeReader, RejectsWrongEnumListingAllowedValues) {
  auto r = Read(
      Record({{"sex", "femal"}, {"medications", {{{"agent", "fosamax"}, {"status", "active"}}}}}));
  ASSERT_FALSE(r.has_value());
  const Error* sex = FindError(r.errors(), "sex");
  ASSERT_NE(sex, nullptr);
  EXPECT_EQ(sex->code, "schema");
  EXPECT_EQ(sex->message, "\"femal\" is not one of: female, male, unknown");
  const Error* agent = FindError(r.errors(), "medications[0].agent");
  ASSERT_NE(agent, nullptr);
  EXPECT_NE(agent->message.find("alendronate"), std::string::npos);
}

TEST(NativeReader, RejectsNegativeWeightAndOtherBounds) {
  auto r = Read(Record({{"weight_kg", -70}}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "schema");
  EXPECT_EQ(r.error().path, "weight_kg");
  // exclusiveMinimum: 0 itself is out; maximum is inclusive.
  EXPECT_FALSE(Read(Record({{"weight_kg", 0}})).has_value());
  EXPECT_TRUE(Read(Record({{"weight_kg", 400}})).has_value());
  EXPECT_FALSE(Read(Record({{"weight_kg", 400.1}})).has_value());
  EXPECT_FALSE(Read(Record({{"weight_kg", "70"}})).has_value());
  EXPECT_FALSE(Read(Record({{"bmd", {{{"site", "total_hip"}, {"t_score", -10.5}}}}})).has_value());
  EXPECT_FALSE(Read(Record({{"id", ""}})).has_value());
  EXPECT_FALSE(Read(Record({{"id", std::string(129, 'x')}})).has_value());
  EXPECT_TRUE(Read(Record({{"id", std::string(128, 'x')}})).has_value());
  EXPECT_FALSE(Read(Record({{"falls", {{"count_past_year", 1.5}}}})).has_value());
  EXPECT_TRUE(Read(Record({{"falls", {{"count_past_year", 2.0}}}})).has_value());
  EXPECT_FALSE(Read(Record({{"hydration_adequate", "yes"}})).has_value());
}

TEST(NativeReader, RejectsUnknownUnitNamingTheField) {
  json labs = json::array();
  labs.push_back({{"test", "calcium"}, {"value", 9.4}, {"unit", "mg/dL"}});
  labs.push_back({{"test", "albumin"}, {"value", 4.0}, {"unit", "g/dL"}});
  labs.push_back({{"test", "creatinine"}, {"value", 80}, {"unit", "mmol"}});
  auto r = Read(Record({{"labs", labs}}));
  ASSERT_FALSE(r.has_value());
  ASSERT_EQ(r.errors().size(), 1u);
  EXPECT_EQ(r.error().code, "unit");
  EXPECT_EQ(r.error().path, "labs[2].unit");
  EXPECT_EQ(r.error().message, "\"mmol\" is not a unit for creatinine (accepted: mg/dL, umol/L)");
}

TEST(NativeReader, RejectsInvalidCalendarDates) {
  auto r = Read(Record({{"as_of", "2026-13-01"},
                        {"fractures", {{{"site", "hip"}, {"date", "2026-02-30"}}}},
                        {"birth_date", "1950/01/01"}}));
  ASSERT_FALSE(r.has_value());
  for (std::string_view path : {"as_of", "fractures[0].date", "birth_date"}) {
    const Error* e = FindError(r.errors(), path);
    ASSERT_NE(e, nullptr) << path;
    EXPECT_EQ(e->code, "date") << path;
  }
  // Leap day exists in 2024 only.
  EXPECT_TRUE(Read(Record({{"birth_date", "2024-02-29"}})).has_value());
  EXPECT_FALSE(Read(Record({{"birth_date", "2025-02-29"}})).has_value());
}

TEST(NativeReader, RejectsFractureAfterAsOf) {
  auto r = Read(Record({{"fractures", {{{"site", "hip"}, {"date", "2026-03-02"}}}}}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "inconsistent");
  EXPECT_EQ(r.error().path, "fractures[0].date");
  EXPECT_EQ(r.error().message, "2026-03-02 is after as_of 2026-03-01");
  // The as_of day itself is fine.
  EXPECT_TRUE(Read(Record({{"fractures", {{{"site", "hip"}, {"date", "2026-03-01"}}}}})));
}

TEST(NativeReader, RejectsBirthAfterAsOf) {
  auto r = Read(Record({{"birth_date", "2027-01-01"}}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "inconsistent");
  EXPECT_EQ(r.error().path, "birth_date");
}

TEST(NativeReader, RejectsMedicationEndBeforeStart) {
  auto r = Read(Record({{"medications",
                         {{{"agent", "alendronate"},
                           {"status", "stopped"},
                           {"start", "2024-01-01"},
                           {"end", "2023-06-01"}}}}}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "inconsistent");
  EXPECT_EQ(r.error().path, "medications[0].end");
}

TEST(NativeReader, ChecksDatesAgainstTheAsOfOverride) {
  const std::string text = Record(
      {{"labs",
        {{{"test", "calcium"}, {"value", 9.4}, {"unit", "mg/dL"}, {"date", "2026-04-01"}}}}});
  EXPECT_FALSE(Read(text).has_value());
  NativeReadOptions later;
  later.as_of_override = Date::FromYmd(2026, 5, 1);
  auto r = Read(text, nullptr, later);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->as_of, Date::FromYmd(2026, 5, 1));
  NativeReadOptions earlier;
  earlier.as_of_override = Date::FromYmd(2026, 1, 1);
  auto e =
      Read(Record({{"bmd", {{{"site", "total_hip"}, {"date", "2026-02-01"}}}}}), nullptr, earlier);
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().path, "bmd[0].date");
}

TEST(NativeReader, WithoutAsOfChecksAgainstToday) {
  json j = {
      {"id", "p1"}, {"sex", "male"}, {"fractures", {{{"site", "rib"}, {"date", "2026-03-02"}}}}};
  auto r = Read(j.dump());  // today pinned to 2026-03-01
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "inconsistent");
  EXPECT_EQ(Read(Record()).value().as_of, kAsOf);
}

TEST(NativeReader, PlannedMedicationMayStartLater) {
  auto r = Read(
      Record({{"medications",
               {{{"agent", "zoledronic_acid"}, {"status", "planned"}, {"start", "2026-04-01"}}}}}));
  EXPECT_TRUE(r.has_value());
}

TEST(NativeReader, RefusesTenMegabytesOfRandomBytes) {
  std::mt19937 rng(20261123);
  std::string bytes(10 * 1024 * 1024, '\0');
  for (char& c : bytes) c = static_cast<char>(rng() & 0xFF);
  auto r = Read(bytes);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "too_large");
  // Under the limit the same bytes reach the parser and are refused as JSON, not a crash.
  auto small = Read(std::string_view(bytes).substr(0, 1024 * 1024));
  ASSERT_FALSE(small.has_value());
  EXPECT_EQ(small.error().code, "invalid_json");
  // Random bytes inside a string: ill-formed UTF-8 is invalid JSON.
  auto in_string = Read("{\"id\": \"" + bytes.substr(0, 4096) + "\", \"sex\": \"male\"}");
  ASSERT_FALSE(in_string.has_value());
}

TEST(NativeReader, RejectsDeepNestingBeforeParsing) {
  auto r = Read(std::string(100000, '['));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "too_large");
}

TEST(NativeReader, ReportsEveryViolation) {
  auto r = Read(Record({{"sex", "f"},
                        {"weight_kg", -1},
                        {"bogus", 1},
                        {"bmd", {{{"site", "wrist"}, {"t_score", "low"}}}},
                        {"labs", {{{"test", "creatinine"}, {"value", 1}, {"unit", "mmol"}}}},
                        {"fractures", {{{"site", "hip"}, {"date", "2026-12-01"}}}},
                        {"intolerances", {"denosumab", "aspirin"}}}));
  ASSERT_FALSE(r.has_value());
  std::map<std::string, std::string> got;
  for (const auto& e : r.errors()) got[e.path] = std::string(e.code.name());
  const std::map<std::string, std::string> want = {{"sex", "schema"},
                                                   {"weight_kg", "schema"},
                                                   {"bogus", "schema"},
                                                   {"bmd[0].site", "schema"},
                                                   {"bmd[0].t_score", "schema"},
                                                   {"labs[0].unit", "unit"},
                                                   {"fractures[0].date", "inconsistent"},
                                                   {"intolerances[1]", "schema"}};
  EXPECT_EQ(got, want);
}

TEST(NativeReader, ConvertsLabUnitsOnBothSides) {
  json labs = json::array();
  labs.push_back({{"test", "creatinine"},
                  {"value", 79.56},
                  {"unit", "umol/L"},
                  {"reference_low", 44.2},
                  {"reference_high", 97.24}});
  labs.push_back({{"test", "vitamin_d_25oh"}, {"value", 50}, {"unit", "nmol/L"}});
  labs.push_back({{"test", "calcium"},
                  {"value", 2.35},
                  {"unit", "mmol/L"},
                  {"reference_low", 2.15},
                  {"reference_high", 2.55}});
  labs.push_back({{"test", "albumin"}, {"value", 40}, {"unit", "g/L"}});
  labs.push_back({{"test", "creatinine"}, {"value", 0.9}, {"unit", "mg/dL"}});
  labs.push_back({{"test", "creatinine"}, {"value", 88.4}, {"unit", "\xC2\xB5mol/L"}});
  labs.push_back({{"test", "creatinine"}, {"value", 88.4}, {"unit", "UMOL/L"}});
  labs.push_back({{"test", "egfr"}, {"value", 55}, {"unit", "mL/min/{1.73_m2}"}});
  labs.push_back({{"test", "ctx"}, {"value", 450}, {"unit", "pg/mL"}});
  labs.push_back({{"test", "urine_calcium_24h"}, {"value", 200}, {"unit", "mg/(24.h)"}});
  labs.push_back({{"test", "tsh"}, {"value", 2.1}, {"unit", "uIU/mL"}});
  labs.push_back({{"test", "pth"}, {"value", 5}, {"unit", "pmol/L"}});
  labs.push_back({{"test", "phosphate"}, {"value", 1}, {"unit", "mmol/L"}});
  labs.push_back({{"test", "ionized_calcium"}, {"value", 4.8}, {"unit", "mg/dL"}});
  auto r = Read(Record({{"labs", labs}}));
  ASSERT_TRUE(r.has_value()) << r.error().path << ": " << r.error().message;
  const auto& l = r->labs;
  ASSERT_EQ(l.size(), labs.size());
  EXPECT_NEAR(l[0].value, 0.9, 1e-9);
  EXPECT_NEAR(*l[0].reference_low, 0.5, 1e-9);
  EXPECT_NEAR(*l[0].reference_high, 1.1, 1e-9);
  EXPECT_EQ(l[0].source, "labs[0]");
  EXPECT_EQ(l[0].test, LabTest::kCreatinine);
  EXPECT_NEAR(l[1].value, 20.032, 1e-3);
  EXPECT_NEAR(l[2].value, 9.4188, 1e-9);
  EXPECT_NEAR(*l[2].reference_low, 8.6172, 1e-9);
  EXPECT_NEAR(*l[2].reference_high, 10.2204, 1e-9);
  EXPECT_NEAR(l[3].value, 4.0, 1e-12);
  EXPECT_DOUBLE_EQ(l[4].value, 0.9);
  EXPECT_NEAR(l[5].value, 1.0, 1e-12);
  EXPECT_NEAR(l[6].value, 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(l[7].value, 55);
  EXPECT_NEAR(l[8].value, 0.45, 1e-12);
  EXPECT_DOUBLE_EQ(l[9].value, 200);
  EXPECT_DOUBLE_EQ(l[10].value, 2.1);
  EXPECT_NEAR(l[11].value, 47.15, 1e-9);
  EXPECT_NEAR(l[12].value, 3.097, 1e-12);
  EXPECT_NEAR(l[13].value, 1.1976, 1e-4);
  EXPECT_EQ(l[13].source, "labs[13]");
}

TEST(NativeReader, FindLabUnitIsNotationInsensitive) {
  const KnowledgeBase& kb = EmbeddedKnowledge();
  EXPECT_TRUE(FindLabUnit(kb, LabTest::kEgfr, "mL/min/1.73 m\xC2\xB2"));
  EXPECT_TRUE(FindLabUnit(kb, LabTest::kCreatinine, "\xCE\xBCmol/L"));  // Greek mu
  EXPECT_FALSE(FindLabUnit(kb, LabTest::kCreatinine, "mmol/L"));
  EXPECT_FALSE(FindLabUnit(kb, LabTest::kCreatinine, ""));
  EXPECT_FALSE(FindLabUnit(kb, LabTest::kAlbumin, "mg/dL"));
  auto c = FindLabUnit(kb, LabTest::kCalcium, "MMOL/L");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->canonical, "mg/dL");
  EXPECT_DOUBLE_EQ(c->factor, 4.008);
}

TEST(NativeReader, EveryTestHasAUnitTable) {
  for (const auto& [test, name] : AllNames<LabTest>())
    EXPECT_NE(AcceptedUnits(EmbeddedKnowledge(), test), "none known") << name;
}

TEST(NativeReader, RoundsScoresToTenthsHalfAwayFromZero) {
  auto r = Read(Record({{"bmd",
                         {{{"site", "lumbar_spine"}, {"t_score", -2.45}, {"z_score", -1.04}},
                          {{"site", "femoral_neck"}, {"t_score", -2.44}, {"z_score", 0.05}}}},
                        {"frax", {{"major_osteoporotic_pct", 19.95}, {"hip_pct", 2.94}}}}));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->bmd[0].t_score, -25);
  EXPECT_EQ(r->bmd[0].z_score, -10);
  EXPECT_EQ(r->bmd[1].t_score, -24);
  EXPECT_EQ(r->bmd[1].z_score, 1);
  EXPECT_EQ(r->frax->major_osteoporotic_pct, 200);
  EXPECT_EQ(r->frax->hip_pct, 29);
  EXPECT_FALSE(r->frax->glucocorticoid_adjusted.has_value());
}

TEST(NativeReader, RecordsWhatWasGiven) {
  auto r = Read(Record(
      {{"spine", {{"red_flags", json::array()}}},
       {"fractures", {{{"site", "vertebral"}, {"mechanism", "fragility"}}, {{"site", "rib"}}}},
       {"conditions", {{{"code", "stroke"}}, {{"code", "stroke"}, {"active", false}}}}}));
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->spine_recorded);
  EXPECT_TRUE(r->spine.red_flags_recorded);
  EXPECT_TRUE(r->spine.red_flags.empty());
  EXPECT_TRUE(r->fractures[0].mechanism_recorded);
  EXPECT_EQ(r->fractures[0].mechanism, FractureMechanism::kFragility);
  EXPECT_FALSE(r->fractures[1].mechanism_recorded);
  EXPECT_TRUE(r->conditions[0].active);  // schema default
  EXPECT_FALSE(r->conditions[1].active);

  auto s = Read(Record({{"spine", {{"pain", "persistent"}}}}));
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->spine_recorded);
  EXPECT_FALSE(s->spine.red_flags_recorded);
}

TEST(NativeReader, NotesAgeThatDisagreesWithBirthDate) {
  std::vector<InputIssue> issues;
  auto r = Read(Record({{"birth_date", "1950-06-01"}, {"age_years", 60}}), &issues);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].path, "age_years");
}

// Every example and public vignette patient is valid for the reader and for the schema.
TEST(NativeReader, ReadsTheShippedExamplesAndVignettes) {
  namespace fs = std::filesystem;
  int n = 0;
  for (const char* dir : {"examples", "tests/vignettes/public"}) {
    const fs::path root = fs::path(BONEPATH_SOURCE_DIR) / dir;
    if (!fs::exists(root)) continue;
    for (const auto& entry : fs::directory_iterator(root)) {
      if (entry.path().extension() != ".json") continue;
      json doc = json::parse(Slurp(entry.path()));
      if (doc.contains("patient")) doc = doc["patient"];
      EXPECT_TRUE(SchemaValid(doc)) << entry.path();
      auto r = Read(doc.dump());
      EXPECT_TRUE(r.has_value()) << entry.path() << ": " << r.error().path << ": "
                                 << r.error().message;
      ++n;
    }
  }
  EXPECT_GT(n, 0);
}

// The hand-written checks and the schema agree on what is a schema violation.
TEST(NativeReader, AgreesWithTheSchemaOnStructure) {
  const std::vector<json> cases = {
      json::parse(Record()),
      json::parse(Record({{"weight_kg", 0}})),
      json::parse(Record({{"weight_kg", 0.1}})),
      json::parse(Record({{"age_years", 120}})),
      json::parse(Record({{"age_years", 120.5}})),
      json::parse(Record({{"schema", "bonepath.patient/1"}})),
      json::parse(Record({{"schema", "bonepath.patient/2"}})),
      json::parse(Record({{"menopausal_status", "post"}})),
      json::parse(Record({{"frax", {{"model", "UK"}, {"hip_pct", 100}}}})),
      json::parse(Record({{"frax", {{"hip_pct", -0.1}}}})),
      json::parse(Record({{"frax", json::array()}})),
      json::parse(Record({{"bmd", json::object()}})),
      json::parse(Record({{"bmd", {{{"t_score", -2}}}}})),
      json::parse(Record({{"labs", {{{"test", "tsh"}, {"value", true}, {"unit", "mIU/L"}}}}})),
      json::parse(Record(
          {{"labs", {{{"test", "tsh"}, {"value", 1}, {"unit", "mIU/L"}, {"baseline", 1}}}}})),
      json::parse(
          Record({{"medications",
                   {{{"agent", "denosumab"}, {"status", "active"}, {"doses_received", -1}}}}})),
      json::parse(Record(
          {{"medications", {{{"agent", "denosumab"}, {"status", "active"}, {"route", "im"}}}}})),
      json::parse(Record({{"prior_referrals", {{{"to", "dental"}, {"date", "2025-01-01"}}}}})),
      json::parse(Record({{"prior_referrals", {{{"date", "2025-01-01"}}}}})),
      json::parse(Record({{"preferences", {{"prefers_annual_infusion", nullptr}}}})),
      json::parse(Record({{"dental", {{"exam_within_6_months", false}, {"x", 1}}}})),
      json::parse(Record({{"spine", {{"red_flags", {"night_pain", "fever"}}}}})),
      json::parse(Record({{"spine", {{"weeks_of_conservative_care", -1}}}})),
      json::parse(Record({{"oral_bisphosphonate_barriers", {{"adherence_concern", true}}}})),
      json::parse(Record({{"conditions", {{{"code", "ckd"}}}}})),
      json::parse(
          Record({{"conditions", {{{"code", "chronic_kidney_disease"}, {"stage", "G4"}}}}})),
      json::parse(R"({"id": "x"})"),
      json::parse(R"({"sex": "male"})"),
  };
  for (const auto& doc : cases) {
    auto r = Read(doc.dump());
    bool reader_schema_ok = true;
    if (!r)
      for (const auto& e : r.errors())
        if (e.code == "schema" || e.code == "date") reader_schema_ok = false;
    EXPECT_EQ(reader_schema_ok, SchemaValid(doc)) << doc.dump();
  }
}

// The fields the contracts added for patients on treatment (catalogue §6.E).
TEST(NativeReader, CourseFieldsAreRead) {
  auto r = Read(Record(
      {{"deceased", true},
       {"deceased_date", "2026-01-10"},
       {"breastfeeding", false},
       {"bmd",
        {{{"site", "total_hip"}, {"t_score", -2.1}, {"bmd_g_cm2", 0.712}, {"lsc_g_cm2", 0.025}}}},
       {"conditions", {{{"code", "primary_hyperparathyroidism"}}}},
       {"prior_referrals", {{{"to", "obstetrics"}}}},
       {"medications",
        {{{"agent", "denosumab"},
          {"status", "active"},
          {"dose_mg", 60},
          {"held", true},
          {"dose_dates", {"2025-09-01", "2025-03-01"}}}}}}));
  ASSERT_TRUE(r) << r.errors()[0].path << ": " << r.errors()[0].message;
  const Patient& p = r.value();
  EXPECT_EQ(p.deceased, true);
  ASSERT_TRUE(p.deceased_date);
  EXPECT_EQ(p.breastfeeding, false);
  ASSERT_EQ(p.bmd.size(), 1u);
  EXPECT_DOUBLE_EQ(*p.bmd[0].bmd_g_cm2, 0.712);
  EXPECT_DOUBLE_EQ(*p.bmd[0].lsc_g_cm2, 0.025);
  EXPECT_EQ(p.conditions[0].code, ConditionCode::kPrimaryHyperparathyroidism);
  EXPECT_EQ(p.prior_referrals[0].to, Destination::kObstetrics);
  ASSERT_EQ(p.medications.size(), 1u);
  EXPECT_EQ(p.medications[0].dose_mg, 60);
  EXPECT_TRUE(p.medications[0].held);
  ASSERT_EQ(p.medications[0].dose_dates.size(), 2u);
  EXPECT_LT(p.medications[0].dose_dates[0], p.medications[0].dose_dates[1]);  // sorted
}

TEST(NativeReader, MalformedCourseFieldsNameTheField) {
  auto r = Read(Record({{"deceased", "yes"},
                        {"breastfeeding", 1},
                        {"bmd", {{{"site", "total_hip"}, {"bmd_g_cm2", 4}, {"lsc_g_cm2", -1}}}},
                        {"medications",
                         {{{"agent", "denosumab"},
                           {"status", "active"},
                           {"dose_mg", -60},
                           {"held", "no"},
                           {"dose_dates", {"2025-09-01", "2025-13-01", 7, "2026-05-01"}}}}}}));
  ASSERT_FALSE(r);
  for (const char* path :
       {"deceased", "breastfeeding", "bmd[0].bmd_g_cm2", "bmd[0].lsc_g_cm2",
        "medications[0].dose_mg", "medications[0].held", "medications[0].dose_dates[1]",
        "medications[0].dose_dates[2]", "medications[0].dose_dates[3]"})
    EXPECT_TRUE(FindError(r.errors(), path)) << path;
}

TEST(NativeReader, DeceasedFalseWithADateIsInconsistent) {
  auto r = Read(Record({{"deceased", false}, {"deceased_date", "2026-01-10"}}));
  ASSERT_FALSE(r);
  const Error* e = FindError(r.errors(), "deceased_date");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "inconsistent");
}

TEST(NativeReader, DeathAfterAsOfIsANoteNotAnError) {
  std::vector<InputIssue> issues;
  auto r = Read(Record({{"deceased_date", "2026-06-10"}}), &issues);
  ASSERT_TRUE(r);
  EXPECT_TRUE(std::any_of(issues.begin(), issues.end(),
                          [](const InputIssue& i) { return i.path == "deceased_date"; }));
}

}  // namespace
}  // namespace bp
