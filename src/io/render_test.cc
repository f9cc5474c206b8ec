#include "io/render.h"

#include <gtest/gtest.h>

#include <cctype>

#include "knowledge/loader.h"

namespace bp {
namespace {

// A small knowledge base of our own, so the renderers are tested whatever the shipped knowledge
// holds today.
KnowledgeBase TestKb() {
  KnowledgeBase kb;
  kb.version = "test.1";
  kb.topics = {{"infusion", "Infusion", "Can the patient have an infusion?"}};
  auto rule = [](std::string id, std::string title, std::vector<std::string> cites) {
    RuleDef r;
    r.id = std::move(id);
    r.topic = "infusion";
    r.title = std::move(title);
    r.statement = "Statement of " + r.id + " <with markup>.";
    r.citations = std::move(cites);
    r.verification = "V2";
    r.review.status = "submitted";
    r.review.last_updated = "2026-11-23";
    return r;
  };
  kb.rules = {rule("PRE-01", "Renal check", {"RECLAST"}),
              rule("PRE-03", "Vitamin D", {"RECLAST", "AACE20"}),
              rule("D12", "Osteoporosis by T-score", {"BHOF22"}),
              rule("REF-01", "Fracture liaison", {"CTF13"}),
              rule("WARN-X", "A warning", {"BHOF22"})};
  kb.bibliography = {{"RECLAST", "Reclast (zoledronic acid) prescribing information.",
                      "https://example.org/reclast", "label"},
                     {"AACE20", "Camacho PM et al. AACE/ACE 2020.", "", ""},
                     {"BHOF22", "LeBoff MS et al. Osteoporos Int 2022.", "", ""},
                     {"CTF13", "Akesson K et al. Osteoporos Int 2013.", "", ""}};
  return kb;
}

Assessment TestAssessment() {
  Assessment a;
  a.patient_id = "P<1>&\"x\"";
  a.as_of = Date::FromYmd(2026, 3, 1);
  a.knowledge_version = "test.1";
  a.profile = "us-composite";
  a.derived.age_years = 72;
  a.derived.crcl_ml_min = 41.26;
  a.treatment_indicated = true;
  a.treatment_reasons = {{"", "Lowest T-score -2.7 at the femoral neck.", {"D12"}}};
  a.risk_tier = RiskTier::kHigh;
  a.therapy_recommended = TherapyClass::kOralBisphosphonate;
  a.agents = {{"alendronate", "70 mg", Route::kOral, "weekly", "5 years", {"D12"}}};
  a.za_status = ZaStatus::kEligibleAfterCorrection;
  a.za_reasons = {{"", "Vitamin D is below the minimum.", {"PRE-03"}}};
  a.pre_infusion = {
      {PreCheckKind::kCreatinineClearance, CheckStatus::kPass, "CrCl 41.3", {"PRE-01"}},
      {PreCheckKind::kVitaminD, CheckStatus::kFail, "18 ng/mL < 20", {"PRE-03"}}};
  a.referrals = {{Destination::kFractureLiaisonService,
                  Urgency::kRoutine,
                  {{"", "Fragility fracture within 12 months.", {"REF-01"}}}}};
  a.warnings = {
      {"vitamin_d_deficiency_correct_first", Severity::kWarning, "Correct vitamin D.", {"PRE-03"}},
      {"guideline_disagreement", Severity::kInfo, "Profiles differ.", {"WARN-X"}},
      {"denosumab_discontinuation_rebound", Severity::kCritical, "Never stop.", {"WARN-X"}}};
  a.missing_data = {{"labs.calcium", "zoledronic acid pre-infusion check"}};
  a.input_issues = {{"labs[2].unit", "unknown unit, value ignored", Severity::kWarning}};
  a.trace = {{"D12", Outcome::kFired, "T -2.7"}, {"PRE-01", Outcome::kFired, ""},
             {"PRE-03", Outcome::kFired, ""},    {"REF-01", Outcome::kFired, ""},
             {"WARN-X", Outcome::kFired, ""},    {"PRE-02", Outcome::kNotFired, ""}};
  return a;
}

TEST(RenderText, DecisionComesBeforeTheRuleList) {
  const std::string out = RenderText(TestAssessment(), TestKb(), false);
  const size_t decision = out.find("Treatment indicated: yes");
  const size_t rules = out.find("RULES APPLIED");
  ASSERT_NE(decision, std::string::npos) << out;
  ASSERT_NE(rules, std::string::npos);
  EXPECT_LT(decision, rules);
  EXPECT_LT(out.find("Zoledronic acid infusion"), out.find("REFERRALS"));
  EXPECT_NE(out.find("not a verdict"), std::string::npos);
  EXPECT_NE(out.find("no rule has yet been approved by clinical review"), std::string::npos);
  EXPECT_NE(out.find("alendronate: 70 mg, oral, weekly"), std::string::npos);
}

TEST(RenderText, CriticalWarningsFirst) {
  const std::string out = RenderText(TestAssessment(), TestKb(), false);
  const size_t crit = out.find("denosumab_discontinuation_rebound");
  const size_t warn = out.find("vitamin_d_deficiency_correct_first");
  const size_t info = out.find("guideline_disagreement");
  EXPECT_LT(crit, warn);
  EXPECT_LT(warn, info);
}

TEST(RenderText, CorrectFirstBeforePassedChecks) {
  const std::string out = RenderText(TestAssessment(), TestKb(), false);
  EXPECT_LT(out.find("Correct first: 25-OH vitamin D"), out.find("Passes: creatinine clearance"));
}

TEST(RenderText, AnsiOnlyWithColor) {
  EXPECT_EQ(RenderText(TestAssessment(), TestKb(), false).find('\x1b'), std::string::npos);
  EXPECT_NE(RenderText(TestAssessment(), TestKb(), true).find("\x1b["), std::string::npos);
}

TEST(RenderText, EveryStatementShowsItsRules) {
  const std::string out = RenderText(TestAssessment(), TestKb(), false);
  EXPECT_NE(out.find("Fragility fracture within 12 months. [REF-01]"), std::string::npos) << out;
  EXPECT_NE(out.find("PRE-01 — Renal check [V2, submitted] — RECLAST"), std::string::npos) << out;
}

// The headline gives the status; its reason is said once, in the line below it.
TEST(RenderText, EligibleInfusionSaysItsReasonOnce) {
  Assessment a = TestAssessment();
  a.za_status = ZaStatus::kEligible;
  a.za_reasons = {{"", "Every pre-infusion check passes.", {"PRE-01"}}};
  const std::string out = RenderText(a, TestKb(), false);
  EXPECT_NE(out.find("Zoledronic acid infusion: eligible\n"), std::string::npos) << out;
  const std::string lower = "every pre-infusion check passes";
  EXPECT_EQ(out.find(lower), std::string::npos) << out;
  EXPECT_NE(out.find("Every pre-infusion check passes. [PRE-01]"), std::string::npos) << out;
}

TEST(RenderText, IndeterminateSaysUndetermined) {
  Assessment a;
  a.patient_id = "p";
  a.risk_tier = RiskTier::kIndeterminate;
  a.za_status = ZaStatus::kNotIndicated;
  const std::string out = RenderText(a, TestKb(), false);
  EXPECT_NE(out.find("Treatment indicated: undetermined"), std::string::npos) << out;
  EXPECT_NE(out.find("No referral suggested"), std::string::npos);
}

TEST(RenderMarkdown, ContainsEveryWarningCodeAndRule) {
  const Assessment a = TestAssessment();
  const std::string out = RenderMarkdown(a, TestKb());
  for (const auto& w : a.warnings) EXPECT_NE(out.find(w.code), std::string::npos) << w.code;
  for (const auto& t : a.trace) {
    if (t.outcome == Outcome::kFired) {
      EXPECT_NE(out.find("`" + t.rule + "`"), std::string::npos) << t.rule;
    }
  }
  // Raw HTML from the assessment must not pass through a Markdown renderer.
  Assessment b = a;
  b.patient_id = "<b>x</b>";
  const std::string md = RenderMarkdown(b, TestKb());
  for (size_t i = md.find('<'); i != std::string::npos; i = md.find('<', i + 1)) {
    const bool autolink = md.compare(i + 1, 8, "https://") == 0;  // a citation URL
    if (!autolink && (std::isalpha(static_cast<unsigned char>(md[i + 1])) || md[i + 1] == '/')) {
      EXPECT_EQ(md[i - 1], '\\') << md.substr(i, 10);
    }
  }
  EXPECT_NE(md.find("\\<b>x\\</b>"), std::string::npos);
  EXPECT_LT(out.find("## Decision"), out.find("## Rules applied"));
  EXPECT_NE(out.find("Reclast (zoledronic acid) prescribing information."), std::string::npos);
}

TEST(RenderHtml, SelfContainedAndEscaped) {
  const Assessment a = TestAssessment();
  const std::string out = RenderHtml(a, TestKb());
  EXPECT_EQ(out.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(out.find("<script"), std::string::npos);
  EXPECT_EQ(out.find("<link"), std::string::npos);
  EXPECT_EQ(out.find("src="), std::string::npos);
  EXPECT_EQ(out.find("@import"), std::string::npos);
  EXPECT_EQ(out.find("url("), std::string::npos);
  EXPECT_NE(out.find("@media print"), std::string::npos);
  EXPECT_EQ(out.find("P<1>"), std::string::npos);
  EXPECT_NE(out.find("P&lt;1&gt;&amp;&quot;x&quot;"), std::string::npos);
  EXPECT_EQ(out.find("<with markup>"), std::string::npos);
  // The only http(s) occurrences are citation links (href and the visible link text).
  size_t pos = 0, http = 0, hrefs = 0;
  while ((pos = out.find("http", pos)) != std::string::npos) {
    ++http;
    if (out.compare(pos - 6, 6, "href=\"") == 0) ++hrefs;
    pos += 4;
  }
  EXPECT_EQ(hrefs, 2u);  // RECLAST, under PRE-01 and PRE-03
  EXPECT_EQ(http, 2 * hrefs);
}

TEST(RenderHtml, EveryRuleIdLinksToTheAppendix) {
  const Assessment a = TestAssessment();
  const std::string out = RenderHtml(a, TestKb());
  for (const auto& t : a.trace) {
    if (t.outcome != Outcome::kFired) continue;
    EXPECT_NE(out.find("id=\"rule-" + t.rule + "\""), std::string::npos) << t.rule;
    EXPECT_NE(out.find("href=\"#rule-" + t.rule + "\""), std::string::npos) << t.rule;
  }
  EXPECT_LT(out.find("class=\"decision\""), out.find("class=\"appendix\""));
  EXPECT_NE(out.find("LeBoff MS et al."), std::string::npos);
}

TEST(RenderHtml, UnknownRuleIsShownNotDropped) {
  Assessment a = TestAssessment();
  a.workup = {{"", "Order TSH.", {"NOPE-9"}}};
  const std::string out = RenderHtml(a, TestKb());
  EXPECT_NE(out.find("NOPE-9"), std::string::npos);
  EXPECT_NE(out.find("not in the knowledge base"), std::string::npos);
}

// With the knowledge compiled into this binary: every rule the assessment names is listed.
TEST(RenderHtml, EmbeddedKnowledge) {
  const KnowledgeBase& kb = EmbeddedKnowledge();
  // Empty or missing knowledge is a broken build, not a reason to skip.
  ASSERT_GE(kb.rules.size(), 5u) << "the embedded knowledge holds no rules";
  Assessment a = TestAssessment();
  a.trace.clear();
  std::vector<std::string> ids;
  for (size_t i = 0; i < kb.rules.size() && i < 5; ++i) ids.push_back(kb.rules[i].id);
  a.workup = {{"", "Order labs.", RuleIds()}};
  for (const auto& id : ids) a.workup.back().rules.push_back(id);  // ids outlives a
  const std::string out = RenderHtml(a, kb);
  for (const auto& id : ids) EXPECT_NE(out.find(">" + id + "</span>"), std::string::npos) << id;
  EXPECT_EQ(out.find("<script"), std::string::npos);
}

}  // namespace
}  // namespace bp
