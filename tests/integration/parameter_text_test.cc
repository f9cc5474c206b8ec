// Texts that state a clinical number must take it from the knowledge parameter the decision uses,
// so that editing the parameter cannot leave the text contradicting the decision. Checked on the
// public denosumab-stop vignette (V13) under a test profile that moves both denosumab timings and
// the CTX checks after the follow-on infusion.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "domain/assessment.h"
#include "domain/knowledge.h"
#include "io/native_reader.h"
#include "knowledge/loader.h"
#include "rules/engine.h"

namespace bp {
namespace {

const KnowledgeBase& KnowledgeWithMovedDenosumabTimings() {
  static const KnowledgeBase kb = [] {
    KnowledgeBase k = EmbeddedKnowledge();
    ProfileDef p;
    p.name = "test-denosumab-timings";
    p.title = "Test: denosumab transition at 5 months, overdue after 9, CTX at 2 and 5";
    ParamValue transition = k.FindParameter("dmab_transition_za_months")->value;
    transition.number = 5;
    ParamValue overdue = k.FindParameter("dmab_overdue_months")->value;
    overdue.number = 9;
    p.overrides["dmab_transition_za_months"] = transition;
    p.overrides["dmab_overdue_months"] = overdue;
    ParamValue ctx_first = k.FindParameter("dmab_transition_ctx_first_months")->value;
    ctx_first.number = 2;
    ParamValue ctx_second = k.FindParameter("dmab_transition_ctx_second_months")->value;
    ctx_second.number = 5;
    p.overrides["dmab_transition_ctx_first_months"] = ctx_first;
    p.overrides["dmab_transition_ctx_second_months"] = ctx_second;
    k.profiles.push_back(p);
    return k;
  }();
  return kb;
}

Assessment AssessV13(const std::string& profile) {
  std::ifstream in(std::string(BONEPATH_SOURCE_DIR) +
                   "/tests/vignettes/public/V13-denosumab-stop.json");
  std::stringstream buf;
  buf << in.rdbuf();
  const auto vignette = nlohmann::json::parse(buf.str());
  const KnowledgeBase& kb = KnowledgeWithMovedDenosumabTimings();
  auto patient = ReadNativePatient(vignette.at("patient").dump(), kb, nullptr);
  EXPECT_TRUE(patient.has_value());
  auto engine = Engine::Create(kb, profile);
  EXPECT_TRUE(engine.has_value());
  if (!patient || !engine || !patient.value().as_of) return Assessment();
  return engine.value().Assess(patient.value(), *patient.value().as_of);
}

std::string WarningText(const Assessment& a, std::string_view code) {
  for (const auto& w : a.warnings)
    if (w.code == code) return w.text;
  return "";
}

TEST(ParameterTexts, DenosumabTransitionTextsFollowTheParameters) {
  const Assessment shipped = AssessV13("us-composite");
  const Assessment moved = AssessV13("test-denosumab-timings");

  const std::string shipped_warning = WarningText(shipped, "denosumab_discontinuation_rebound");
  const std::string moved_warning = WarningText(moved, "denosumab_discontinuation_rebound");
  EXPECT_NE(shipped_warning.find("about 6 months after the last injection (no later than 7)"),
            std::string::npos)
      << shipped_warning;
  EXPECT_NE(moved_warning.find("about 5 months after the last injection (no later than 9)"),
            std::string::npos)
      << moved_warning;

  // COURSE-14's transition statement: the months it compares, and the CTX checks after the
  // infusion (dmab_transition_ctx_first_months, dmab_transition_ctx_second_months).
  auto transition = [](const Assessment& a) -> std::string {
    for (const auto& st : a.sequence)
      if (st.code == "course_transition") return st.text;
    return "";
  };
  EXPECT_NE(transition(shipped).find("(about 6 months after the last injection, no later than "),
            std::string::npos)
      << transition(shipped);
  EXPECT_NE(transition(shipped).find("then CTX 3 and 6 months after the infusion."),
            std::string::npos)
      << transition(shipped);
  EXPECT_NE(transition(moved).find("(about 5 months after the last injection, no later than "),
            std::string::npos)
      << transition(moved);
  EXPECT_NE(transition(moved).find("then CTX 2 and 5 months after the infusion."),
            std::string::npos)
      << transition(moved);

  const Referral* infusion = moved.FindReferral(Destination::kInfusionCenter);
  ASSERT_NE(infusion, nullptr);
  ASSERT_FALSE(infusion->reasons.empty());
  const std::string referral = infusion->reasons.front().text;
  EXPECT_NE(referral.find("(5 months after the last denosumab injection)"), std::string::npos)
      << referral;
}

}  // namespace
}  // namespace bp
