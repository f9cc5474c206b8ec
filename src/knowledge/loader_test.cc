#include "knowledge/loader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace bp {
namespace {

std::vector<std::string> Problems(const std::string& text) {
  const std::vector<EmbeddedFile> files = {{"rules/a.json", text}, {"bibliography.json", "{}"}};
  std::vector<std::string> out;
  for (const auto& p :
       CheckCitedFiles(files, [](std::string_view path) { return path == "docs/conventions.md"; }))
    out.push_back(p.message);
  return out;
}

TEST(CheckCitedFiles, PathsOutsideTheRepositoryFail) {
  EXPECT_EQ(Problems(R"({"note": "see shared/spec/README.md 'Decision conventions'"})").size(), 1u);
  EXPECT_EQ(Problems(R"({"note": "from shared/seeds/, seed 004"})").size(), 1u);
  EXPECT_EQ(Problems(R"({"note": "see /work/shared/clinical/catalogue.md"})").size(), 1u);
  EXPECT_EQ(Problems(R"({"note": "see ../spec/vignettes/a.json"})").size(), 1u);
  EXPECT_EQ(Problems(R"({"note": "see vignettes/a.json"})").size(), 1u);
}

TEST(CheckCitedFiles, PathsInsideTheRepositoryPass) {
  EXPECT_TRUE(Problems(R"({"note": "see docs/conventions.md §3."})").empty());
  EXPECT_TRUE(Problems(R"({"note": "see knowledge/bibliography.json and rules/a.json"})").empty());
  EXPECT_TRUE(
      Problems(R"({"url": "https://example.org/a/b.json", "u": "mL/min, 1/3 radius"})").empty());
  EXPECT_TRUE(Problems(R"({"note": "Observation/abc and and/or"})").empty());
  // Inside, but not there: a knowledge file that does not exist, a document that does not.
  EXPECT_EQ(Problems(R"({"note": "see knowledge/rules/b.json"})").size(), 1u);
  EXPECT_EQ(Problems(R"({"note": "see docs/missing.md"})").size(), 1u);
}

// LoadKnowledge on a manifest and one rules file holding `rules` (a JSON array's text).
Result<KnowledgeBase> LoadRulesText(const std::string& rules) {
  const std::string manifest = R"({"version": "test-1"})";
  const std::string file = R"({"topic": "t", "rules": )" + rules + "}";
  const std::vector<EmbeddedFile> files = {{"manifest.json", manifest}, {"rules/t.json", file}};
  return LoadKnowledge(files);
}

std::vector<std::string> LoadProblems(const std::string& rules) {
  std::vector<std::string> out;
  auto r = LoadRulesText(rules);
  if (r) return out;
  for (const auto& e : r.errors()) out.push_back(e.path + ": " + e.message);
  return out;
}

// Lists that are missing are empty, not a crash (a manifest without "topics" once was).
TEST(LoadKnowledge, MissingListsAreEmpty) {
  const std::vector<EmbeddedFile> files = {{"manifest.json", R"({"version": "v"})"},
                                           {"units.json", R"({"labs": [{"test": "x"}]})"},
                                           {"drugs.json", "{}"}};
  auto r = LoadKnowledge(files);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->topics.empty());
  ASSERT_EQ(r->lab_units.size(), 1u);
  EXPECT_TRUE(r->lab_units[0].accepted.empty());
  EXPECT_TRUE(r->regimens.empty());
}

TEST(LoadKnowledge, ReadsEveryFieldOfARule) {
  auto r = LoadRulesText(R"([{"id": "X-1", "title": "T", "statement": "S", "kind": "refer",
      "citations": ["a", "b"], "seeds": ["001"], "parameters": ["p"],
      "texts": {"z": "last {p}", "a": "first"}, "verification": "V",
      "verification_note": "N", "review": {"status": "submitted", "reviewers": ["r"],
      "last_updated": "2026-12-04", "note": "RN"}, "expressible": false,
      "not_expressible_reason": "R", "unknown_field": 3}])");
  ASSERT_TRUE(r) << r.errors().front().message;
  ASSERT_EQ(r->rules.size(), 1u);
  const RuleDef& d = r->rules.front();
  EXPECT_EQ(d.id, "X-1");
  EXPECT_EQ(d.topic, "t");
  EXPECT_EQ(d.title, "T");
  EXPECT_EQ(d.statement, "S");
  EXPECT_EQ(d.kind, "refer");
  EXPECT_EQ(d.citations, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(d.seeds, (std::vector<std::string>{"001"}));
  EXPECT_EQ(d.parameters, (std::vector<std::string>{"p"}));
  ASSERT_EQ(d.texts.size(), 2u);  // in file order, not sorted
  EXPECT_EQ(d.texts[0].first, "z");
  EXPECT_EQ(d.texts[0].second, "last {p}");
  EXPECT_EQ(d.texts[1].first, "a");
  EXPECT_EQ(d.verification, "V");
  EXPECT_EQ(d.verification_note, "N");
  EXPECT_EQ(d.review.status, "submitted");
  EXPECT_EQ(d.review.reviewers, (std::vector<std::string>{"r"}));
  EXPECT_EQ(d.review.last_updated, "2026-12-04");
  EXPECT_EQ(d.review.note, "RN");
  EXPECT_FALSE(d.expressible);
  EXPECT_EQ(d.not_expressible_reason, "R");
}

TEST(LoadKnowledge, ManyRulesKeepTheirOrder) {
  std::string rules = "[";
  for (int i = 0; i < 300; ++i)
    rules += (i ? "," : "") + std::string(R"({"id": "R-)") + std::to_string(i) +
             R"(", "statement": "s"})";
  auto r = LoadRulesText(rules + "]");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->rules.size(), 300u);
  EXPECT_EQ(r->rules[0].id, "R-0");
  EXPECT_EQ(r->rules[299].id, "R-299");
  EXPECT_EQ(r->FindRule("R-150"), &r->rules[150]);
}

// A key given twice, in any knowledge file: the loader would keep one of the values silently.
TEST(CheckJsonFiles, NamesTheFileAndPathOfAKeyGivenTwice) {
  const std::string rules = R"({"topic": "t", "rules": [{"id": "X-1", "statement": "a",
      "statement": "b"}]})";
  const std::string params = R"({"parameters": [{"name": "p", "value": 1, "value": 2}]})";
  const std::string valueset = R"({"resourceType": "ValueSet", "id": "a", "id": "b"})";
  const std::vector<EmbeddedFile> files = {{"manifest.json", R"({"version": "v"})"},
                                           {"rules/t.json", rules},
                                           {"parameters.json", params},
                                           {"valuesets/x.json", valueset}};
  const auto p = CheckJsonFiles(files);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].where, "rules/t.json");
  EXPECT_EQ(p[0].message, "rules[0].statement: duplicate key: the object holds this key twice");
  EXPECT_EQ(p[1].where, "parameters.json");
  EXPECT_EQ(p[1].message, "parameters[0].value: duplicate key: the object holds this key twice");
  EXPECT_EQ(p[2].where, "valuesets/x.json");
  EXPECT_EQ(p[2].message, "id: duplicate key: the object holds this key twice");
}

TEST(CheckJsonFiles, TheShippedKnowledgeHasNoDuplicateKey) {
  EXPECT_TRUE(CheckJsonFiles(EmbeddedKnowledgeFiles()).empty());
}

TEST(LoadKnowledge, NamesTheRuleAndFieldOfAWrongType) {
  EXPECT_EQ(LoadProblems(R"([{"id": "X-1", "title": 3}])"),
            (std::vector<std::string>{R"(rules/t.json: X-1: "title" is not a string)"}));
  EXPECT_EQ(LoadProblems(R"([{"id": "X-1", "texts": ["a"]}])"),
            (std::vector<std::string>{R"(rules/t.json: X-1: "texts" is not an object)"}));
  EXPECT_EQ(LoadProblems(R"([{"id": "X-1", "texts": {"a": 1}}])"),
            (std::vector<std::string>{"rules/t.json: X-1: texts.a is not a string"}));
  EXPECT_EQ(LoadProblems(R"([{"title": "no id"}])"),
            (std::vector<std::string>{R"(rules/t.json: a rule without "id")"}));
  EXPECT_EQ(LoadProblems(R"(["X-1"])"),
            (std::vector<std::string>{"rules/t.json: a rule that is not an object"}));
  EXPECT_EQ(LoadProblems(R"({"id": "X-1"})"),
            (std::vector<std::string>{R"(rules/t.json: missing "rules" array)"}));
}

// The shipped knowledge names no file a reader cannot open.
TEST(CheckCitedFiles, ShippedKnowledge) {
  const std::filesystem::path root = BONEPATH_SOURCE_DIR;
  const auto problems = CheckCitedFiles(EmbeddedKnowledgeFiles(), [&](std::string_view path) {
    return std::filesystem::exists(root / std::filesystem::path(path));
  });
  for (const auto& p : problems) ADD_FAILURE() << p.where << ": " << p.message;
}

}  // namespace
}  // namespace bp
