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
