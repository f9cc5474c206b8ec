// Every official test case of CMS249 and CMS645 (cqframework/ecqm-content-qicore-2024, copied
// byte-identical into tests/data/ecqm) must give the population counts of the MeasureReport the
// case carries. A failure names the case (its file and description) and the population.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "measures/bundle.h"
#include "measures/measure.h"

namespace bp::measures {
namespace {

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void RunFolderImpl(const std::string& measure_id, const std::string& dir,
                   std::size_t expected_cases);
void RunFolder(const std::string& measure_id, const std::string& dir, std::size_t expected_cases) {
  RunFolderImpl(measure_id, dir, expected_cases);
}

MeasurementPeriod Period2025() {
  return {DateTime::MakeDateTime(2025, 1, 1, 0, 0, 0, 0, 0),
          DateTime::MakeDateTime(2025, 12, 31, 23, 59, 59, 999, 0)};
}

void RunDeck(const std::string& measure_id, const std::string& folder, std::size_t expected_cases) {
  RunFolder(measure_id, std::string(BONEPATH_TEST_DATA) + "/ecqm/" + folder, expected_cases);
}

void RunFolderImpl(const std::string& measure_id, const std::string& dir,
                   std::size_t expected_cases) {
  auto m = MakeMeasure(measure_id);
  ASSERT_TRUE(m.has_value()) << m.error().message;
  const MeasureKnowledge& k = (*m)->knowledge();
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  ASSERT_EQ(files.size(), expected_cases);
  int mismatches = 0;
  for (const auto& f : files) {
    const std::string text = ReadFile(f);
    const auto j = nlohmann::json::parse(text);
    nlohmann::json expected;
    for (const auto& e : j["entry"])
      if (e["resource"]["resourceType"] == "MeasureReport") expected = e["resource"];
    ASSERT_FALSE(expected.is_null()) << f.filename() << ": no MeasureReport";
    std::string description;
    for (const auto& x : expected["extension"])
      if (x["url"].get<std::string>().find("testCaseDescription") != std::string::npos)
        description = x["valueMarkdown"].get<std::string>();
    auto pop = ReadBundle(text);
    ASSERT_TRUE(pop.has_value()) << f.filename() << ": " << pop.error().message;
    ASSERT_EQ(pop->patients.size(), 1u) << f.filename();
    const PatientResult r =
        (*m)->EvaluatePatient(pop->patients.front(), pop->medications, Period2025());
    for (const auto& p : expected["group"][0]["population"]) {
      const std::string code = p["code"]["coding"][0]["code"];
      const int want = p["count"];
      bool found = false;
      for (std::size_t i = 0; i < k.populations.size(); ++i) {
        if (k.populations[i].code != code) continue;
        found = true;
        const int got = r.member[i] ? 1 : 0;
        if (got != want) ++mismatches;
        EXPECT_EQ(got, want) << measure_id << " case " << f.filename().string() << " (\""
                             << description << "\"): population " << code;
      }
      EXPECT_TRUE(found) << measure_id << ": population " << code << " not reported";
    }
  }
  EXPECT_EQ(mismatches, 0) << measure_id << ": " << mismatches << " population mismatches";
}

TEST(OfficialDeck, Cms249EveryCaseMatches) { RunDeck("CMS249", "cms249", 53); }
TEST(OfficialDeck, Cms645EveryCaseMatches) { RunDeck("CMS645", "cms645", 49); }

// Our own cases (tests/measures/boundary, made by make_cases.py): one fact of an official case
// moved across one boundary of the logic, expected populations from the reference engine.
TEST(BoundaryCases, Cms249EveryCaseMatches) {
  RunFolder("CMS249", std::string(BONEPATH_SOURCE_DIR) + "/tests/measures/boundary/cms249", 64);
}
TEST(BoundaryCases, Cms645EveryCaseMatches) {
  RunFolder("CMS645", std::string(BONEPATH_SOURCE_DIR) + "/tests/measures/boundary/cms645", 23);
}

}  // namespace
}  // namespace bp::measures
