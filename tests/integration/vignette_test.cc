// Every clinical vignette under tests/vignettes/ (recursively: the public ones copied from the
// specification, and any added beside them) run through the real binary, as a clinician's tool
// or an EHR would run it: `bonepath assess --format json FILE`. Each `expect` key is checked as
// shared/spec/README.md "Vignettes" defines it; an `expect` key this test does not know fails the
// case, so a new kind of expectation is never silently skipped. Every output is also validated
// against assessment.schema.json and every rule id it names must exist in the embedded knowledge.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "assessment_schema.h"
#include "knowledge/loader.h"
#include "run_process.h"

namespace bp {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing_harness::RunProcess;
using testing_harness::SchemaViolations;
using testing_harness::TempDir;

fs::path VignetteRoot() { return fs::path(BONEPATH_SOURCE_DIR) / "tests" / "vignettes"; }

std::vector<fs::path> AllVignettes() {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(VignetteRoot(), ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".json") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// "public/V10b-man-50.json" -> "public_V10b_man_50" (gtest names allow [A-Za-z0-9_] only).
std::string CaseName(const fs::path& file) {
  std::string rel = fs::relative(file, VignetteRoot()).replace_extension().generic_string();
  for (char& c : rel) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return rel;
}

// Every rule id the assessment names: each "rules" array anywhere (statements, regimens, avoid,
// pre-infusion checks, referral reasons, warnings, ...) and each trace entry's "rule".
void CollectRuleIds(const json& node, const std::string& where,
                    std::vector<std::pair<std::string, std::string>>* out) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      const std::string path = where + "." + key;
      if (key == "rules" && value.is_array()) {
        for (const auto& id : value)
          out->emplace_back(path, id.is_string() ? id.get<std::string>() : id.dump());
      } else if (key == "rule" && value.is_string()) {
        out->emplace_back(path, value.get<std::string>());
      } else {
        CollectRuleIds(value, path, out);
      }
    }
  } else if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i) {
      CollectRuleIds(node[i], where + "[" + std::to_string(i) + "]", out);
    }
  }
}

class VignetteTest : public ::testing::TestWithParam<fs::path> {
 protected:
  void SetUp() override {
    const std::string text = testing_harness::ReadFileBytes(GetParam());
    vignette_ = json::parse(text, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(vignette_.is_object()) << GetParam() << " is not a JSON object";
    ASSERT_TRUE(vignette_.contains("patient")) << GetParam() << " has no patient";
    ASSERT_TRUE(vignette_.contains("expect")) << GetParam() << " has no expect";
    patient_file_ = dir_.Write("patient.json", vignette_["patient"].dump(2));
  }

  // Runs assess in `format` and returns the process result; fails the test on a crash.
  testing_harness::ProcessResult Assess(const std::string& format) {
    auto r = RunProcess({BONEPATH_BINARY, "assess", "--format", format, patient_file_.string()});
    EXPECT_TRUE(r.spawned) << "cannot run " << BONEPATH_BINARY;
    EXPECT_FALSE(r.signaled) << r.Describe();
    return r;
  }

  TempDir dir_;
  json vignette_;
  fs::path patient_file_;
};

const json* FindReferral(const json& out, const std::string& to) {
  for (const auto& r : out["referrals"]) {
    if (r.value("to", "") == to) return &r;
  }
  return nullptr;
}

bool HasWarning(const json& out, const std::string& code) {
  for (const auto& w : out["warnings"]) {
    if (w.value("code", "") == code) return true;
  }
  return false;
}

std::string Codes(const json& items, const char* key) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ", ") + i.value(key, std::string("?"));
  return "[" + s + "]";
}

// A vignette's expected value is one value or a list of accepted values (shared spec, Vignettes).
bool Accepts(const json& want, const json& got) {
  if (!want.is_array()) return got == want;
  for (const auto& w : want)
    if (got == w) return true;
  return false;
}

TEST_P(VignetteTest, MeetsExpectations) {
  const auto r = Assess("json");
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  const json out = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(out.is_object()) << "stdout is not a JSON object:\n" << r.Describe();

  const std::string violations = SchemaViolations(out);
  EXPECT_EQ(violations, "") << "output does not satisfy assessment.schema.json";
  // The checks below index into the output; without the required structure they would only add
  // noise to the schema failure above.
  ASSERT_TRUE(violations.empty());

  const json& expect = vignette_["expect"];
  const std::string summary = "\noutput: " + out.dump(1).substr(0, 6000);
  for (const auto& [key, want] : expect.items()) {
    SCOPED_TRACE("expect." + key);
    if (key == "treatment_indicated") {
      EXPECT_TRUE(Accepts(want, out["treatment"]["indicated"]))
          << "got " << out["treatment"]["indicated"].dump() << ", accepted " << want.dump()
          << summary;
    } else if (key == "risk_tier") {
      EXPECT_TRUE(Accepts(want, out["risk_tier"]))
          << "got " << out["risk_tier"].dump() << ", accepted " << want.dump() << summary;
    } else if (key == "therapy_recommended") {
      EXPECT_TRUE(Accepts(want, out["therapy"]["recommended"]))
          << "got " << out["therapy"]["recommended"].dump() << ", accepted " << want.dump()
          << summary;
    } else if (key == "zoledronic_acid_status") {
      EXPECT_TRUE(Accepts(want, out["infusion"]["zoledronic_acid"]["status"]))
          << "got " << out["infusion"]["zoledronic_acid"]["status"].dump() << ", accepted "
          << want.dump() << summary;
    } else if (key == "referrals_include") {
      for (const auto& ref : want) {
        const std::string to = ref.at("to");
        const json* got = FindReferral(out, to);
        EXPECT_NE(got, nullptr) << "no referral to " << to
                                << "; referrals: " << Codes(out["referrals"], "to") << summary;
        if (got != nullptr && ref.contains("urgency")) {
          EXPECT_EQ((*got)["urgency"], ref["urgency"]) << "referral to " << to << summary;
        }
      }
    } else if (key == "referrals_exclude") {
      for (const auto& to : want) {
        EXPECT_EQ(FindReferral(out, to), nullptr) << "unexpected referral to " << to << summary;
      }
    } else if (key == "warnings_include") {
      for (const auto& code : want) {
        EXPECT_TRUE(HasWarning(out, code))
            << "missing warning " << code << "; warnings: " << Codes(out["warnings"], "code")
            << summary;
      }
    } else if (key == "warnings_exclude") {
      for (const auto& code : want) {
        EXPECT_FALSE(HasWarning(out, code)) << "unexpected warning " << code << summary;
      }
    } else if (key == "avoid_include") {
      for (const auto& agent : want) {
        const auto& avoid = out["therapy"]["avoid"];
        const bool found = std::any_of(avoid.begin(), avoid.end(), [&](const json& a) {
          return a.value("agent", "") == agent.get<std::string>();
        });
        EXPECT_TRUE(found) << agent << " not in therapy.avoid " << Codes(avoid, "agent") << summary;
      }
    } else {
      ADD_FAILURE() << "unknown expect key '" << key << "' (see shared/spec/README.md)";
    }
  }
}

TEST_P(VignetteTest, EveryRuleIdResolvesInTheKnowledgeBase) {
  const auto r = Assess("json");
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  const json out = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(out.is_object()) << r.Describe();

  const KnowledgeBase& kb = EmbeddedKnowledge();
  std::vector<std::pair<std::string, std::string>> ids;
  CollectRuleIds(out, "$", &ids);
  // A decision with no rule behind it would be an unsourced statement.
  EXPECT_FALSE(ids.empty()) << "the assessment names no rule at all";
  for (const auto& [where, id] : ids) {
    EXPECT_NE(kb.FindRule(id), nullptr) << where << ": rule '" << id << "' is not in the knowledge";
  }
  // Each trace entry carries its rule's citations: bibliography keys that must resolve, so a
  // reader can always get from a decision to its source.
  for (const auto& entry : out["trace"]) {
    for (const auto& key : entry.value("citations", json::array())) {
      EXPECT_NE(kb.FindReference(key.get<std::string>()), nullptr)
          << "trace rule " << entry.value("rule", "?") << ": citation " << key
          << " is not in the bibliography";
    }
  }
  // The output says which knowledge produced it; it must be the one embedded in this binary.
  EXPECT_EQ(out["knowledge"]["version"], kb.version);
  EXPECT_EQ(out["knowledge"]["profile"], "us-composite");
}

// The human formats must render the same decision without failing; their content is checked by
// the renderers' own tests.
TEST_P(VignetteTest, RendersInEveryFormat) {
  for (const std::string format : {"text", "markdown", "html"}) {
    SCOPED_TRACE(format);
    const auto r = Assess(format);
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    EXPECT_FALSE(r.out.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Vignettes, VignetteTest, ::testing::ValuesIn(AllVignettes()),
                         [](const ::testing::TestParamInfo<fs::path>& info) {
                           return CaseName(info.param);
                         });

// Guards the discovery itself: an empty or misplaced folder would otherwise pass vacuously.
TEST(VignetteDiscovery, FindsThePublicVignettes) {
  const auto files = AllVignettes();
  EXPECT_GE(files.size(), 13u) << "looked in " << VignetteRoot();
  std::set<std::string> names;
  for (const auto& f : files) EXPECT_TRUE(names.insert(CaseName(f)).second) << f;
}

}  // namespace
}  // namespace bp
