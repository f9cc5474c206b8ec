// MeasureReports follow the FHIR R4 structure: the required elements (status, type, measure,
// period), population codes and counts, subject and evaluatedResource for individual reports,
// measureScore for summaries, contained Lists referenced by subjectResults for subject-lists.
#include "measures/report.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "measures/bundle.h"

namespace bp::measures {
namespace {

using nlohmann::json;

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

MeasurementPeriod Period2025() {
  return {DateTime::MakeDateTime(2025, 1, 1, 0, 0, 0, 0, 0),
          DateTime::MakeDateTime(2025, 12, 31, 23, 59, 59, 999, 0)};
}

void ExpectRequired(const json& r, const std::string& type) {
  ASSERT_EQ(r.value("resourceType", ""), "MeasureReport");
  const std::set<std::string> statuses = {"complete", "pending", "error"};
  EXPECT_TRUE(statuses.count(r.value("status", ""))) << r.dump();
  EXPECT_EQ(r.value("type", ""), type);
  ASSERT_TRUE(r.contains("measure") && r["measure"].is_string());
  EXPECT_NE(r["measure"].get<std::string>().find("http"), std::string::npos);
  ASSERT_TRUE(r.contains("period"));
  EXPECT_EQ(r["period"]["start"].get<std::string>().size(), 10u);
  EXPECT_EQ(r["period"]["end"].get<std::string>().size(), 10u);
  EXPECT_LE(r["period"]["start"].get<std::string>(), r["period"]["end"].get<std::string>());
  if (r.contains("improvementNotation")) {
    const auto& c = r["improvementNotation"]["coding"][0];
    EXPECT_EQ(c["system"], "http://terminology.hl7.org/CodeSystem/measure-improvement-notation");
    EXPECT_TRUE(c["code"] == "increase" || c["code"] == "decrease") << c.dump();
  }
  ASSERT_TRUE(r.contains("group") && r["group"].is_array() && r["group"].size() == 1);
  // R4 measure-population codes (required binding), each population once.
  const std::set<std::string> codes = {"initial-population",    "numerator",
                                       "numerator-exclusion",   "denominator",
                                       "denominator-exclusion", "denominator-exception",
                                       "measure-population",    "measure-population-exclusion",
                                       "measure-observation"};
  std::set<std::string> seen;
  ASSERT_TRUE(r["group"][0]["population"].is_array());
  EXPECT_FALSE(r["group"][0]["population"].empty());
  for (const auto& p : r["group"][0]["population"]) {
    const auto& coding = p["code"]["coding"][0];
    EXPECT_EQ(coding["system"], "http://terminology.hl7.org/CodeSystem/measure-population");
    ASSERT_TRUE(coding["code"].is_string());
    EXPECT_TRUE(codes.count(coding["code"].get<std::string>())) << coding.dump();
    EXPECT_TRUE(seen.insert(coding["code"].get<std::string>()).second) << coding.dump();
    ASSERT_TRUE(p["count"].is_number_integer());
    EXPECT_GE(p["count"].get<int>(), 0);
  }
  if (r["group"][0].contains("measureScore")) {
    EXPECT_TRUE(r["group"][0]["measureScore"]["value"].is_number());
  }
  for (const auto& e : r.value("evaluatedResource", json::array()))
    EXPECT_TRUE(e.contains("reference") && e["reference"].is_string()) << e.dump();
}

struct Deck {
  std::unique_ptr<Measure> measure;
  std::vector<Population> cases;
};

Deck LoadDeck(const std::string& id, const std::string& folder) {
  Deck d;
  auto m = MakeMeasure(id);
  EXPECT_TRUE(m.has_value());
  d.measure = std::move(*m);
  for (const auto& e :
       std::filesystem::directory_iterator(std::string(BONEPATH_TEST_DATA) + "/ecqm/" + folder)) {
    auto pop = ReadBundle(ReadFile(e.path()));
    EXPECT_TRUE(pop.has_value());
    d.cases.push_back(std::move(*pop));
  }
  return d;
}

TEST(MeasureReport, IndividualHasRequiredElementsAndEvidence) {
  for (const auto& [id, folder] : {std::pair{"CMS249", "cms249"}, std::pair{"CMS645", "cms645"}}) {
    Deck d = LoadDeck(id, folder);
    for (const auto& c : d.cases) {
      const auto r = d.measure->EvaluatePatient(c.patients[0], c.medications, Period2025());
      const json j =
          json::parse(IndividualReport(d.measure->knowledge(), r, {"2025-01-01", "2025-12-31"}));
      ExpectRequired(j, "individual");
      EXPECT_EQ(j["measure"], d.measure->knowledge().url + "|" + d.measure->knowledge().version);
      EXPECT_EQ(j["subject"]["reference"], "Patient/" + c.patients[0].id);
      EXPECT_EQ(j["group"][0]["population"].size(), d.measure->knowledge().populations.size());
      ASSERT_TRUE(j.contains("evaluatedResource"));
      EXPECT_EQ(j["evaluatedResource"][0]["reference"], "Patient/" + c.patients[0].id);
      for (const auto& ref : j["evaluatedResource"]) {
        const std::string s = ref["reference"];
        EXPECT_NE(s.find('/'), std::string::npos) << s;
      }
      // In the initial population, the evidence names more than the patient (its encounter).
      if (r.member[0]) {
        EXPECT_GE(j["evaluatedResource"].size(), 2u) << c.patients[0].id;
      }
    }
  }
}

TEST(MeasureReport, SummaryAndSubjectListAgreeWithIndividuals) {
  Deck d = LoadDeck("CMS249", "cms249");
  const auto& k = d.measure->knowledge();
  SummaryAccumulator summary(k, false), list(k, true);
  std::vector<int> counts(k.populations.size(), 0);
  for (const auto& c : d.cases) {
    const auto r = d.measure->EvaluatePatient(c.patients[0], c.medications, Period2025());
    summary.Add(r);
    list.Add(r);
    for (std::size_t i = 0; i < counts.size(); ++i) counts[i] += r.member[i];
  }
  const json s = json::parse(summary.Report({"2025-01-01", "2025-12-31"}));
  ExpectRequired(s, "summary");
  EXPECT_FALSE(s.contains("subject"));
  for (std::size_t i = 0; i < counts.size(); ++i)
    EXPECT_EQ(s["group"][0]["population"][i]["count"], counts[i]);
  // Proportion: (NUMER - NUMEX) / (DEN - DENEX).
  ASSERT_TRUE(s["group"][0].contains("measureScore"));
  const double score = s["group"][0]["measureScore"]["value"];
  EXPECT_NEAR(score, double(counts[3] - counts[4]) / double(counts[1] - counts[2]), 1e-6);

  const json l = json::parse(list.Report({"2025-01-01", "2025-12-31"}));
  ExpectRequired(l, "subject-list");
  std::map<std::string, json> contained;
  for (const auto& c : l["contained"]) {
    EXPECT_EQ(c["resourceType"], "List");
    EXPECT_TRUE(c.contains("status") && c.contains("mode"));  // required in R4 List
    contained["#" + c["id"].get<std::string>()] = c;
  }
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const auto& p = l["group"][0]["population"][i];
    const std::string ref = p["subjectResults"]["reference"];
    ASSERT_TRUE(contained.count(ref)) << ref;
    const auto& entries = contained[ref].value("entry", json::array());
    EXPECT_EQ(static_cast<int>(entries.size()), counts[i]);
  }
}

TEST(MeasureReport, NoScoreWithAnEmptyDenominator) {
  auto m = MakeMeasure("CMS645");
  ASSERT_TRUE(m.has_value());
  SummaryAccumulator s((*m)->knowledge(), false);
  const json j = json::parse(s.Report({"2025-01-01", "2025-12-31"}));
  ExpectRequired(j, "summary");
  EXPECT_FALSE(j["group"][0].contains("measureScore"));
}

TEST(MeasureReport, JsonStringEscapes) {
  EXPECT_EQ(JsonString("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
}

}  // namespace
}  // namespace bp::measures
