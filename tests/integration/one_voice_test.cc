// "One voice" over every public vignette (the checks: one_voice.h); the same checks run over
// 12,000 generated patients in course_property_test.cc.
#include "one_voice.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "common/date.h"
#include "domain/assessment.h"
#include "domain/patient.h"
#include "io/native_reader.h"
#include "knowledge/loader.h"
#include "rules/engine.h"

namespace bp {
namespace {

namespace fs = std::filesystem;

const Date kAsOf = Date::FromYmd(2026, 3, 1);

TEST(OneVoice, EveryPublicVignette) {
  const KnowledgeBase& kb = EmbeddedKnowledge();
  auto engine = Engine::Create(kb);
  ASSERT_TRUE(engine);
  int n = 0;
  for (const auto& entry :
       fs::recursive_directory_iterator(fs::path(BONEPATH_SOURCE_DIR) / "tests" / "vignettes")) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const nlohmann::json v = nlohmann::json::parse(ss.str(), nullptr, false);
    if (v.is_discarded() || !v.contains("patient")) continue;
    std::vector<InputIssue> issues;
    NativeReadOptions opt;
    opt.today = kAsOf;
    auto p = ReadNativePatient(v["patient"].dump(), kb, &issues, opt);
    ASSERT_TRUE(p) << entry.path();
    const Date as_of = p->as_of.value_or(kAsOf);
    const Assessment a = engine->Assess(*p, as_of);
    EXPECT_EQ(one_voice::Problems(a), "") << entry.path().filename();
    ++n;
  }
  EXPECT_GE(n, 19);
}

}  // namespace
}  // namespace bp
