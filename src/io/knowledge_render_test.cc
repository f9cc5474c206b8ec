#include "io/knowledge_render.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "knowledge/loader.h"

namespace bp {
namespace {

KnowledgeBase TestKb() {
  KnowledgeBase kb;
  kb.version = "test.1";
  kb.title = "Test knowledge";
  kb.topics = {{"infusion", "Zoledronic acid pre-infusion checks", "Can the patient have it?"},
               {"referral", "Referral", "Whom to refer to?"}};
  RuleDef pre;
  pre.id = "PRE-01";
  pre.topic = "infusion";
  pre.title = "Renal function";
  pre.statement = "CrCl must be at least 35 mL/min before zoledronic acid.";
  pre.kind = "precheck";
  pre.citations = {"RECLAST"};
  pre.seeds = {"000", "001"};
  pre.parameters = {"za_min_crcl", "za_min_25ohd_ngml"};
  pre.verification = "V2";
  pre.verification_note = "label via DailyMed";
  pre.review = {"submitted", {}, "2026-11-23", ""};
  RuleDef ref = pre;
  ref.id = "REF-01";
  ref.topic = "referral";
  ref.title = "Fracture liaison";
  ref.statement = "Refer a fragility fracture to the FLS.";
  ref.parameters = {};
  ref.citations = {"CTF13"};
  kb.rules = {pre, ref};
  kb.bibliography = {{"RECLAST", "Reclast label.", "https://example.org/reclast", "text"},
                     {"CTF13", "Akesson 2013.", "", ""}};
  ParameterDef crcl;
  crcl.name = "za_min_crcl";
  crcl.unit = "mL/min";
  crcl.value.number = 35;
  crcl.value.cmp = Comparator::kGe;
  ParameterDef vitd;
  vitd.name = "za_min_25ohd_ngml";
  vitd.unit = "ng/mL";
  vitd.value.number = 20;
  vitd.value.cmp = Comparator::kLt;
  kb.parameters = {crcl, vitd};
  ProfileDef us{"us-composite", "US", "default", {}};
  ProfileDef aace{"aace-2020", "AACE", "AACE 2020", {}};
  aace.overrides["za_min_25ohd_ngml"].number = 30;  // comparator inherited for display
  kb.profiles = {us, aace};
  kb.questions = {{"001",
                   "What infusion is used for osteoporosis?",
                   "infusion",
                   {"PRE-01"},
                   "Zoledronic acid, once yearly, after the checks."}};
  return kb;
}

TEST(KnowledgeRender, TopicFilterKeepsOnlyThatTopic) {
  auto md = RenderKnowledgeMarkdown(TestKb(), "infusion");
  ASSERT_TRUE(md) << md.error().message;
  EXPECT_NE(md->find("PRE-01"), std::string::npos);
  EXPECT_EQ(md->find("REF-01"), std::string::npos);
  EXPECT_EQ(md->find("Akesson"), std::string::npos);  // bibliography filtered too
}

TEST(KnowledgeRender, RuleShowsEverythingAReviewerNeeds) {
  auto md = RenderKnowledgeMarkdown(TestKb(), "");
  ASSERT_TRUE(md);
  const std::string& s = *md;
  EXPECT_NE(s.find("`za_min_25ohd_ngml` = < 20 ng/mL (us-composite); aace-2020: < 30 ng/mL"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("`za_min_crcl` = ≥ 35 mL/min (us-composite)\n"), std::string::npos);
  EXPECT_NE(s.find("Seeds: 000, 001"), std::string::npos);
  EXPECT_NE(s.find("Reclast label. <https://example.org/reclast>"), std::string::npos);
  EXPECT_NE(s.find("**V2** (checked only through a faithful secondary reproduction"),
            std::string::npos);
  EXPECT_NE(s.find("label via DailyMed"), std::string::npos);
  EXPECT_NE(s.find("Review: submitted; reviewers: none yet; last updated 2026-11-23"),
            std::string::npos);
  EXPECT_NE(s.find("no rule has yet been approved by clinical review"), std::string::npos);
  // Topic order of the manifest; the question, then the seed's question and answer, then rules.
  EXPECT_LT(s.find("Zoledronic acid pre-infusion checks"), s.find("## 2. Referral"));
  EXPECT_LT(s.find("**Question:** Can the patient have it?"),
            s.find("Seed 001: What infusion is used for osteoporosis?"));
  EXPECT_LT(s.find("Seed 001"), s.find("#### `PRE-01`"));
}

TEST(KnowledgeRender, UnknownTopicListsValidOnes) {
  for (auto r : {RenderKnowledgeMarkdown(TestKb(), "nope"), RenderKnowledgeHtml(TestKb(), "nope"),
                 RenderKnowledgeJson(TestKb(), "nope")}) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "unsupported");
    EXPECT_NE(r.error().message.find("infusion, referral"), std::string::npos) << r.error().message;
  }
}

TEST(KnowledgeRender, JsonHasRulesParametersProfilesBibliographyQuestions) {
  auto out = RenderKnowledgeJson(TestKb(), "infusion");
  ASSERT_TRUE(out);
  const auto j = nlohmann::json::parse(*out);
  EXPECT_EQ(j["version"], "test.1");
  ASSERT_EQ(j["topics"].size(), 1u);
  const auto& rule = j["topics"][0]["rules"][0];
  EXPECT_EQ(rule["id"], "PRE-01");
  EXPECT_EQ(rule["review"]["status"], "submitted");
  EXPECT_EQ(rule["citations"][0]["citation"], "Reclast label.");
  EXPECT_EQ(rule["parameters"][1]["profiles"]["aace-2020"]["value"], 30);
  EXPECT_EQ(rule["parameters"][1]["default"]["comparator"], "<");
  EXPECT_EQ(j["topics"][0]["seed_questions"][0]["seed"], "001");
  EXPECT_EQ(j["parameters"].size(), 2u);
  EXPECT_EQ(j["profiles"].size(), 2u);
  EXPECT_EQ(j["bibliography"].size(), 1u);
  EXPECT_EQ(j["questions"].size(), 1u);
}

TEST(KnowledgeRender, HtmlIsSelfContained) {
  auto out = RenderKnowledgeHtml(TestKb(), "");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->find("<script"), std::string::npos);
  EXPECT_EQ(out->find("src="), std::string::npos);
  EXPECT_NE(out->find("id=\"rule-PRE-01\""), std::string::npos);
  EXPECT_NE(out->find("<a href=\"https://example.org/reclast\">"), std::string::npos);
}

TEST(KnowledgeRender, SeedQuestionAnswers) {
  const std::string s = RenderQuestionAnswers(TestKb());
  EXPECT_NE(s.find("Seed 001: What infusion is used for osteoporosis?"), std::string::npos);
  EXPECT_NE(s.find("CrCl must be at least 35 mL/min"), std::string::npos);
  EXPECT_NE(s.find("Reclast label."), std::string::npos);
}

// The shipped knowledge: empty or missing knowledge fails here rather than skipping.
TEST(KnowledgeRender, EmbeddedInfusionTopic) {
  const KnowledgeBase& kb = EmbeddedKnowledge();
  ASSERT_FALSE(kb.rules.empty()) << "the embedded knowledge holds no rules";
  ASSERT_NE(kb.FindRule("PRE-01"), nullptr) << "the embedded knowledge lacks PRE-01";
  ASSERT_FALSE(KnowledgeTopics(kb).empty()) << "the embedded knowledge has no topics";
  auto md = RenderKnowledgeMarkdown(kb, "infusion");
  ASSERT_TRUE(md);
  EXPECT_NE(md->find("PRE-01"), std::string::npos);
  EXPECT_EQ(md->find("REF-01"), std::string::npos);
  EXPECT_FALSE(RenderKnowledgeMarkdown(kb, "no-such-topic"));
  for (const auto& t : KnowledgeTopics(kb)) {
    EXPECT_TRUE(RenderKnowledgeHtml(kb, t)) << t;
    auto j = RenderKnowledgeJson(kb, t);
    ASSERT_TRUE(j) << t;
    EXPECT_FALSE(nlohmann::json::parse(*j, nullptr, false).is_discarded()) << t;
  }
}

}  // namespace
}  // namespace bp
