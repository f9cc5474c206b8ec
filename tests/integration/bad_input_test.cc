// Malformed input through the real binary: each case must end with exit status 2 (never a crash,
// never a half-processed assessment), name the file and the field on stderr, and with
// `--format json` print {"error": {code, path, message}, "errors": [...]} with the contract's
// error code (shared/spec/README.md "Command line").
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "run_process.h"

namespace bp {
namespace {

using nlohmann::json;
using testing_harness::ProcessResult;
using testing_harness::RunProcess;
using testing_harness::TempDir;

// A complete, valid record; each case breaks one thing in it, so a failure of the positive control
// below means the breakage, not the rest of the record, is what the binary rejects.
json ValidRecord() {
  return json::parse(R"({
    "id": "bad-input",
    "as_of": "2026-03-01",
    "sex": "female",
    "age_years": 70,
    "menopausal_status": "postmenopausal",
    "weight_kg": 60,
    "labs": [
      {"test": "creatinine", "value": 0.9, "unit": "mg/dL", "date": "2026-02-20"},
      {"test": "calcium", "value": 9.4, "unit": "mg/dL", "date": "2026-02-20"}
    ],
    "bmd": [{"date": "2026-02-10", "site": "lumbar_spine", "t_score": -2.6}],
    "fractures": [{"site": "wrist", "date": "2025-06-01", "mechanism": "fragility"}]
  })");
}

struct BadCase {
  std::string name;
  std::string content;          // the file's bytes, unless random_bytes is set
  std::set<std::string> codes;  // acceptable codes for the headline error
  std::string path;             // the field path the error must name ("" when none)
  // Made in SetUp rather than stored, because every test process builds the whole case list.
  size_t random_bytes = 0;
};

// gtest prints parameters in failure messages; the name is enough.
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

std::string RandomBytes(size_t n) {
  std::mt19937 rng(20261123);
  std::string bytes(n, '\0');
  for (char& c : bytes) c = static_cast<char>(rng() & 0xff);
  return bytes;
}

std::string Dump(const json& j) { return j.dump(2); }

std::vector<BadCase> Cases() {
  std::vector<BadCase> cases;
  cases.push_back({"not_json", "this is not JSON {", {"invalid_json"}, ""});
  cases.push_back({"empty_file", "", {"invalid_json"}, ""});
  cases.push_back({"truncated_json", Dump(ValidRecord()).substr(0, 40), {"invalid_json"}, ""});
  {
    json j = ValidRecord();
    j["weight_lbs"] = 132;
    cases.push_back({"unknown_field", Dump(j), {"schema"}, "weight_lbs"});
  }
  {
    json j = ValidRecord();
    j["labs"][0]["flag"] = "high";
    cases.push_back({"unknown_nested_field", Dump(j), {"schema"}, "labs[0].flag"});
  }
  {
    json j = ValidRecord();
    j["sex"] = "woman";
    cases.push_back({"wrong_enum", Dump(j), {"schema"}, "sex"});
  }
  {
    json j = ValidRecord();
    j["fractures"][0]["site"] = "toe";
    cases.push_back({"wrong_nested_enum", Dump(j), {"schema"}, "fractures[0].site"});
  }
  {
    json j = ValidRecord();
    j["weight_kg"] = -60;
    cases.push_back({"negative_weight", Dump(j), {"schema"}, "weight_kg"});
  }
  {
    json j = ValidRecord();
    j["weight_kg"] = "sixty";
    cases.push_back({"weight_not_a_number", Dump(j), {"schema"}, "weight_kg"});
  }
  {
    json j = ValidRecord();
    j.erase("sex");
    cases.push_back({"missing_required_sex", Dump(j), {"schema"}, "sex"});
  }
  {
    json j = ValidRecord();
    j["labs"][0]["unit"] = "mmol";
    cases.push_back({"creatinine_in_mmol", Dump(j), {"unit"}, "labs[0].unit"});
  }
  {
    json j = ValidRecord();
    j["labs"][1]["unit"] = "mg/dL/day";
    cases.push_back({"calcium_unknown_unit", Dump(j), {"unit"}, "labs[1].unit"});
  }
  {
    json j = ValidRecord();
    j["fractures"][0]["date"] = "2026-13-01";
    cases.push_back({"month_13", Dump(j), {"date", "schema"}, "fractures[0].date"});
  }
  {
    json j = ValidRecord();
    j["bmd"][0]["date"] = "2025-02-30";
    cases.push_back({"february_30", Dump(j), {"date", "schema"}, "bmd[0].date"});
  }
  // The contract lists both `date` and `inconsistent`; a date after as_of is a valid calendar date
  // that contradicts another field, so either reading of the code is accepted, but it must be one.
  {
    json j = ValidRecord();
    j["fractures"][0]["date"] = "2026-03-02";
    cases.push_back(
        {"fracture_after_as_of", Dump(j), {"inconsistent", "date"}, "fractures[0].date"});
  }
  {
    json j = ValidRecord();
    j.erase("age_years");
    j["birth_date"] = "2026-06-01";
    cases.push_back({"birth_after_as_of", Dump(j), {"inconsistent", "date"}, "birth_date"});
  }
  {
    // 10 MB of random bytes: larger than any patient record, so it is refused before parsing.
    cases.push_back({"ten_megabytes_random", "", {"too_large"}, "", 10 * 1024 * 1024});
  }
  return cases;
}

class BadInputTest : public ::testing::TestWithParam<BadCase> {
 protected:
  void SetUp() override {
    const BadCase& c = GetParam();
    file_ =
        dir_.Write(c.name + ".json", c.random_bytes > 0 ? RandomBytes(c.random_bytes) : c.content);
  }

  ProcessResult Run(std::vector<std::string> extra) {
    std::vector<std::string> argv = {BONEPATH_BINARY, "assess"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(file_.string());
    ProcessResult r = RunProcess(argv);
    EXPECT_TRUE(r.spawned) << "cannot run " << BONEPATH_BINARY;
    EXPECT_FALSE(r.signaled) << "crashed: " << r.Describe();
    return r;
  }

  TempDir dir_;
  std::filesystem::path file_;
};

TEST_P(BadInputTest, TextFormatExitsTwoNamingFileAndField) {
  const BadCase& c = GetParam();
  const ProcessResult r = Run({});
  ASSERT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_NE(r.err.find(file_.filename().string()), std::string::npos)
      << "stderr does not name the file\n"
      << r.Describe();
  if (!c.path.empty()) {
    EXPECT_NE(r.err.find(c.path), std::string::npos) << "stderr does not name " << c.path << "\n"
                                                     << r.Describe();
  }
  // Nothing half-processed: no assessment is printed for a record that failed validation.
  EXPECT_EQ(r.out, "") << r.Describe();
}

TEST_P(BadInputTest, JsonFormatPrintsTheErrorObject) {
  const BadCase& c = GetParam();
  const ProcessResult r = Run({"--format", "json"});
  ASSERT_EQ(r.exit_code, 2) << r.Describe();
  const json out = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(out.is_object()) << "stdout is not a JSON object\n" << r.Describe();
  ASSERT_TRUE(out.contains("error") && out["error"].is_object()) << out.dump(2);
  ASSERT_TRUE(out.contains("errors") && out["errors"].is_array()) << out.dump(2);
  EXPECT_FALSE(out.contains("risk_tier")) << "an assessment was printed for invalid input";

  const json& error = out["error"];
  for (const char* key : {"code", "path", "message"}) {
    ASSERT_TRUE(error.contains(key) && error[key].is_string()) << key << " in " << out.dump(2);
  }
  EXPECT_TRUE(c.codes.count(error["code"].get<std::string>()))
      << "headline code " << error["code"] << "\n"
      << out.dump(2);
  EXPECT_FALSE(error["message"].get<std::string>().empty());

  ASSERT_FALSE(out["errors"].empty()) << out.dump(2);
  EXPECT_EQ(out["errors"][0], error) << "the headline is the first of the errors";
  bool path_named = c.path.empty();
  for (const auto& e : out["errors"]) {
    for (const char* key : {"code", "path", "message"}) {
      EXPECT_TRUE(e.contains(key) && e[key].is_string()) << key << " in " << e.dump();
    }
    if (!c.path.empty() && e.value("path", "") == c.path) path_named = true;
  }
  EXPECT_TRUE(path_named) << "no error has path " << c.path << "\n" << out.dump(2);
}

INSTANTIATE_TEST_SUITE_P(Cases, BadInputTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<BadCase>& info) {
                           return info.param.name;
                         });

// Positive control: the record every case breaks is itself accepted, so each rejection above is
// caused by the one thing the case changed.
TEST(BadInputControl, ValidRecordIsAssessed) {
  TempDir dir;
  const auto file = dir.Write("valid.json", ValidRecord().dump(2));
  const ProcessResult r =
      RunProcess({BONEPATH_BINARY, "assess", "--format", "json", file.string()});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  const json out = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(out.is_object() && out.contains("risk_tier")) << r.Describe();
}

// Every violation is reported, not just the first.
TEST(BadInputAll, ReportsEveryViolation) {
  json j = ValidRecord();
  j["weight_kg"] = -1;
  j["labs"][0]["unit"] = "mmol";
  j["fractures"][0]["site"] = "toe";
  TempDir dir;
  const auto file = dir.Write("three-errors.json", j.dump(2));
  const ProcessResult r =
      RunProcess({BONEPATH_BINARY, "assess", "--format", "json", file.string()});
  ASSERT_FALSE(r.signaled) << r.Describe();
  ASSERT_EQ(r.exit_code, 2) << r.Describe();
  const json out = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(out.is_object() && out.contains("errors")) << r.Describe();
  std::set<std::string> paths;
  for (const auto& e : out["errors"]) paths.insert(e.value("path", ""));
  for (const char* want : {"weight_kg", "labs[0].unit", "fractures[0].site"}) {
    EXPECT_TRUE(paths.count(want)) << "missing " << want << " in " << out["errors"].dump(2);
    EXPECT_NE(r.err.find(want), std::string::npos) << "stderr does not name " << want;
  }
}

TEST(BadInputFile, MissingFileExitsTwoNamingIt) {
  TempDir dir;
  const std::string missing = (dir.path() / "no-such-patient.json").string();
  for (const std::string format : {"text", "json"}) {
    SCOPED_TRACE(format);
    const ProcessResult r = RunProcess({BONEPATH_BINARY, "assess", "--format", format, missing});
    ASSERT_FALSE(r.signaled) << r.Describe();
    EXPECT_EQ(r.exit_code, 2) << r.Describe();
    EXPECT_NE(r.err.find("no-such-patient.json"), std::string::npos) << r.Describe();
  }
}

}  // namespace
}  // namespace bp
