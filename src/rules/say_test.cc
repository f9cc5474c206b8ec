#include "rules/say.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "knowledge/loader.h"
#include "rules/engine.h"

namespace bp::rules {
namespace {

// A knowledge base with one rule, RULE-1, reading `crcl` (< 35 mL/min), `months` (no comparator)
// and `agent` (a text), whose texts are `texts`; profile "strict" sets crcl to 30.
KnowledgeBase Kb(std::vector<std::pair<std::string, std::string>> texts) {
  KnowledgeBase kb;
  kb.version = "test";
  RuleDef r;
  r.id = "RULE-1";
  r.parameters = {"crcl", "months", "agent", "flag"};
  r.texts = std::move(texts);
  kb.rules.push_back(r);
  ParameterDef crcl{"crcl", "mL/min", "", {}, "P", {}};
  crcl.value.number = 35;
  crcl.value.cmp = Comparator::kLt;
  ParameterDef months{"months", "months", "", {}, "P", {}};
  months.value.number = 6;
  ParameterDef agent{"agent", "", "", {}, "P", {}};
  agent.value.kind = ParamValue::Kind::kText;
  agent.value.text = "zoledronic acid";
  ParameterDef flag{"flag", "", "", {}, "P", {}};
  flag.value.kind = ParamValue::Kind::kBool;
  kb.parameters = {crcl, months, agent, flag};
  ProfileDef strict;
  strict.name = "strict";
  ParamValue v;
  v.number = 30;
  v.cmp = Comparator::kLe;
  strict.overrides["crcl"] = v;
  kb.profiles = {strict};
  kb.BuildIndex();
  return kb;
}

std::string Say(const Sentences& s, std::size_t id, std::vector<std::string_view> values) {
  return s.Fill(id, values);
}

TEST(Say, ParametersAreSaidFromTheProfileAndValuesFromTheCode) {
  const KnowledgeBase kb = Kb({{"a",
                                "CrCl {crcl:desc} blocks {agent}; every {months} months; "
                                "CrCl {value} ({crcl:cmp}, {crcl})"}});
  const std::vector<SaySite> sites = {{"RULE-1", "a", {"value"}}};
  std::vector<std::string> problems;
  const Sentences base = Sentences::Compile(kb, "", sites, problems);
  EXPECT_TRUE(problems.empty()) << problems.front();
  EXPECT_EQ(Say(base, 0, {"28.4"}),
            "CrCl < 35 mL/min blocks zoledronic acid; every 6 months; CrCl 28.4 (< 35, 35)");
  // Under another profile the number (and comparator) the rule compares is the one said.
  const Sentences strict = Sentences::Compile(kb, "strict", sites, problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(Say(strict, 0, {"28.4"}),
            "CrCl \xE2\x89\xA4 30 mL/min blocks zoledronic acid; every 6 months; CrCl 28.4 "
            "(\xE2\x89\xA4 30, 30)");
  // The parameters the text says are reported as used by the rule; `flag` is not said.
  std::vector<std::string> said;
  for (const auto& r : base.said()) said.emplace_back(r.parameter);
  std::sort(said.begin(), said.end());
  EXPECT_EQ(said, (std::vector<std::string>{"agent", "crcl", "months"}));
}

TEST(Say, ValuesMayRepeatAndBracesAreEscaped) {
  const KnowledgeBase kb = Kb({{"a", "{x} and {x}, {{literal}} {y}"}});
  const std::vector<SaySite> sites = {{"RULE-1", "a", {"x", "y"}}};
  std::vector<std::string> problems;
  const Sentences s = Sentences::Compile(kb, "", sites, problems);
  ASSERT_TRUE(problems.empty()) << problems.front();
  EXPECT_EQ(Say(s, 0, {"1", ""}), "1 and 1, {literal} ");
}

// Each defect is reported with the rule and the key, and names what is wrong.
void ExpectProblem(std::vector<std::pair<std::string, std::string>> texts, SaySite site,
                   const std::string& expected) {
  const KnowledgeBase kb = Kb(std::move(texts));
  std::vector<std::string> problems;
  const std::vector<SaySite> sites = {site};
  Sentences::Compile(kb, "", sites, problems);
  ASSERT_EQ(problems.size(), 1u) << expected;
  EXPECT_NE(problems[0].find(std::string(site.rule) + " text '" + std::string(site.key) + "'"),
            std::string::npos)
      << problems[0];
  EXPECT_NE(problems[0].find(expected), std::string::npos) << problems[0];
}

TEST(Say, DefectsAreReported) {
  ExpectProblem({{"a", "x"}}, {"RULE-1", "b", {}}, "not among the rule's \"texts\"");
  ExpectProblem({{"a", "x"}}, {"RULE-2", "a", {}}, "not in the knowledge");
  ExpectProblem({{"a", "CrCl {crcl_min}"}}, {"RULE-1", "a", {}}, "argument not found");
  ExpectProblem({{"a", "CrCl {crcl"}}, {"RULE-1", "a", {}}, "placeholders");
  ExpectProblem({{"a", "no value"}}, {"RULE-1", "a", {"value"}},
                "supplies 'value' but the text does not say it");
  ExpectProblem({{"a", "{crcl}"}}, {"RULE-1", "a", {"crcl"}}, "has the name of one of the rule");
  ExpectProblem({{"a", "{crcl:.2f}"}}, {"RULE-1", "a", {}}, "{name:cmp} or {name:desc}");
  ExpectProblem({{"a", "{months:cmp}"}}, {"RULE-1", "a", {}}, "no comparator");
  ExpectProblem({{"a", "{flag}"}}, {"RULE-1", "a", {}}, "switch parameter");
  ExpectProblem({{"a", "{agent:desc}"}}, {"RULE-1", "a", {}}, "text parameter");
  ExpectProblem({{"a", "{value:cmp}"}}, {"RULE-1", "a", {"value"}}, "takes no format");
  ExpectProblem({{"a", "line\nbreak"}}, {"RULE-1", "a", {}}, "control character");
  // The check reads eight bytes at a time: a control character in any position of a word, or in
  // the tail, is found; bytes of 0x20 and above (UTF-8 included) are not one.
  for (std::size_t at = 0; at < 19; ++at) {
    std::string text(19, 'x');
    text[at] = '\x1f';
    ExpectProblem({{"a", text}}, {"RULE-1", "a", {}}, "control character");
  }
  const KnowledgeBase kb = Kb({{"a", "  \xe2\x89\xa5 35 ~ \x7f \xff and the tail"}});
  std::vector<std::string> problems;
  Sentences::Compile(kb, "", std::vector<SaySite>{{"RULE-1", "a", {}}}, problems);
  EXPECT_TRUE(problems.empty()) << problems.front();
}

TEST(Say, AControlCharacterATextParameterBringsInIsReported) {
  KnowledgeBase kb = Kb({{"a", "{agent} then {value}"}});
  kb.parameters[2].value.text =
      "zoledronic\x01\x01"
      "acid";
  kb.BuildIndex();
  std::vector<std::string> problems;
  Sentences::Compile(kb, "", std::vector<SaySite>{{"RULE-1", "a", {"value"}}}, problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("control character in a parameter"), std::string::npos) << problems[0];
}

TEST(Say, TextsNoSiteSaysAreReported) {
  const KnowledgeBase kb = Kb({{"a", "x"}, {"b", "y"}});
  const std::vector<SaySite> sites = {{"RULE-1", "a", {}}};
  const std::vector<std::string> unsaid = Sentences::Unsaid(kb, sites);
  ASSERT_EQ(unsaid.size(), 1u);
  EXPECT_EQ(unsaid[0], "RULE-1 text 'b' is not said by the code");
}

// The shipped knowledge and the engine's call sites agree under every profile (what
// `bonepath knowledge check` runs), and the engine's sites are registered.
TEST(Say, ShippedTextsMatchTheEngine) {
  const std::vector<std::string> problems = Engine::CheckTexts(EmbeddedKnowledge());
  EXPECT_TRUE(problems.empty()) << problems.front();
  EXPECT_GT(SaySites().size(), 50u);
}

}  // namespace
}  // namespace bp::rules
