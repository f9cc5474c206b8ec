// `knowledge check` ties rules, code and parameters together: these tests break a copy of the
// shipped knowledge in one place each and expect the check to name the problem.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/fhir_reader.h"
#include "knowledge/loader.h"
#include "rules/engine.h"

namespace bp {
namespace {

// Everything `bonepath knowledge check` compares with the code (cmd_knowledge.cc).
std::vector<KnowledgeProblem> CheckAgainstCode(const KnowledgeBase& kb) {
  std::vector<std::string_view> implemented(Engine::ImplementedRules().begin(),
                                            Engine::ImplementedRules().end());
  const auto fhir = FhirImplementedRules();
  implemented.insert(implemented.end(), fhir.begin(), fhir.end());
  auto out = CheckKnowledge(kb, implemented);
  // A parameter a rule's texts say counts as used by the rule, like one its code reads.
  std::vector<RuleParameterRead> used = Engine::ParameterReads();
  for (const RuleParameterRead& r : Engine::SaidParameters(kb)) used.push_back(r);
  for (auto& p : CheckRuleParameters(kb, used)) out.push_back(std::move(p));
  for (auto& p : CheckTypedParameters(kb, Engine::TypedParameters())) out.push_back(std::move(p));
  return out;
}

bool Has(const std::vector<KnowledgeProblem>& problems, std::string_view where,
         std::string_view words) {
  return std::any_of(problems.begin(), problems.end(), [&](const KnowledgeProblem& p) {
    return p.where == where && p.message.find(words) != std::string::npos;
  });
}

std::string Describe(const std::vector<KnowledgeProblem>& problems) {
  std::string s;
  for (const auto& p : problems) s += p.where + ": " + p.message + "\n";
  return s;
}

RuleDef& Rule(KnowledgeBase& kb, std::string_view id) {
  for (auto& r : kb.rules)
    if (r.id == id) return r;
  ADD_FAILURE() << "no rule " << id;
  return kb.rules.front();
}

TEST(RuleParameters, ShippedKnowledgeAgreesWithTheCode) {
  const auto problems = CheckAgainstCode(EmbeddedKnowledge());
  EXPECT_TRUE(problems.empty()) << Describe(problems);
}

TEST(RuleParameters, ReadsAreDerivedFromTheReadSites) {
  const auto reads = Engine::ParameterReads();
  auto read = [&](std::string_view rule, std::string_view param) {
    return std::any_of(reads.begin(), reads.end(), [&](const RuleParameterRead& r) {
      return r.rule == rule && r.parameter == param;
    });
  };
  EXPECT_TRUE(read("PRE-01", "za_crcl_min"));
  EXPECT_TRUE(read("CALC-01", "cg_age_constant"));  // a coefficient set stands for its members
  EXPECT_FALSE(read("PRE-01", "vh_tscore"));
}

TEST(RuleParameters, FailsWhenARuleHasNoImplementation) {
  KnowledgeBase kb = EmbeddedKnowledge();
  RuleDef extra = Rule(kb, "PRE-04");
  extra.id = "PRE-99";
  extra.parameters.clear();
  kb.rules.push_back(extra);
  const auto problems = CheckAgainstCode(kb);
  EXPECT_TRUE(Has(problems, "PRE-99", "no engine code emits this rule")) << Describe(problems);
}

TEST(RuleParameters, FailsWhenTheCodeFiresAnIdTheKnowledgeLacks) {
  KnowledgeBase kb = EmbeddedKnowledge();
  std::erase_if(kb.rules, [](const RuleDef& r) { return r.id == "PRE-01"; });
  const auto problems = CheckAgainstCode(kb);
  EXPECT_TRUE(Has(problems, "PRE-01", "engine emits a rule the knowledge lacks"))
      << Describe(problems);
  EXPECT_TRUE(Has(problems, "PRE-01", "reads parameters for a rule the knowledge lacks"))
      << Describe(problems);
}

TEST(RuleParameters, FailsWhenAParameterIsDeclaredButNotRead) {
  KnowledgeBase kb = EmbeddedKnowledge();
  Rule(kb, "PRE-01").parameters.push_back("vh_tscore");
  const auto problems = CheckAgainstCode(kb);
  EXPECT_TRUE(Has(problems, "PRE-01", "lists parameter \"vh_tscore\", which its code does not"))
      << Describe(problems);
  EXPECT_EQ(problems.size(), 1u) << Describe(problems);
}

TEST(RuleParameters, FailsWhenAParameterIsReadButNotDeclared) {
  KnowledgeBase kb = EmbeddedKnowledge();
  std::erase(Rule(kb, "PRE-01").parameters, "za_crcl_min");
  const auto problems = CheckAgainstCode(kb);
  EXPECT_TRUE(Has(problems, "PRE-01", "reads parameter \"za_crcl_min\", which the rule does not"))
      << Describe(problems);
  EXPECT_EQ(problems.size(), 1u) << Describe(problems);
}

// The course rules read members of the course sets (params.h, In): each member read is
// attributed to its rules alone, and checked both ways like every other rule.
TEST(RuleParameters, CourseSetMembersAreAttributedToTheirRules) {
  const auto reads = Engine::ParameterReads();
  auto read = [&](std::string_view rule, std::string_view param) {
    return std::any_of(reads.begin(), reads.end(), [&](const RuleParameterRead& r) {
      return r.rule == rule && r.parameter == param;
    });
  };
  EXPECT_TRUE(read("COURSE-10", "romo_max_doses"));
  EXPECT_FALSE(read("COURSE-10", "pth_cumulative_max_months"));
  EXPECT_TRUE(read("COURSE-18", "treatment_failure_months"));
  KnowledgeBase kb = EmbeddedKnowledge();
  Rule(kb, "COURSE-10").parameters.push_back("pth_cumulative_max_months");
  const auto problems = CheckAgainstCode(kb);
  EXPECT_TRUE(Has(problems, "COURSE-10", "lists parameter \"pth_cumulative_max_months\""))
      << Describe(problems);
}

TEST(TypedParameters, FailOnADifferentUnitKindOrName) {
  {
    KnowledgeBase kb = EmbeddedKnowledge();
    for (auto& p : kb.parameters)
      if (p.name == "za_crcl_min") p.unit = "mL/s";
    const auto problems = CheckAgainstCode(kb);
    EXPECT_TRUE(Has(problems, "za_crcl_min", "unit \"mL/s\" in parameters.json"))
        << Describe(problems);
  }
  {
    KnowledgeBase kb = EmbeddedKnowledge();
    for (auto& p : kb.parameters)
      if (p.name == "vh_use_falls") p.value.kind = ParamValue::Kind::kNumber, p.unit = "1";
    const auto problems = CheckAgainstCode(kb);
    EXPECT_TRUE(Has(problems, "vh_use_falls", "gives a number, the engine's typed profile takes"))
        << Describe(problems);
  }
  {
    KnowledgeBase kb = EmbeddedKnowledge();
    for (auto& p : kb.parameters)
      if (p.name == "romo_cv_months") p.name = "romo_cv_months_renamed";
    const auto problems = CheckAgainstCode(kb);
    EXPECT_TRUE(Has(problems, "romo_cv_months", "parameters.json lacks it")) << Describe(problems);
    EXPECT_TRUE(Has(problems, "romo_cv_months_renamed", "no field of the engine's typed profile"))
        << Describe(problems);
  }
}

}  // namespace
}  // namespace bp
