// "One voice" over every public vignette (the checks: one_voice.h); the same checks run over
// 12,000 generated patients in course_property_test.cc.
#include "one_voice.h"

#include <gtest/gtest.h>

#include <algorithm>
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

// The public vignette's patient, as the engine reads it.
nlohmann::json VignettePatient(const std::string& prefix) {
  for (const auto& entry :
       fs::directory_iterator(fs::path(BONEPATH_SOURCE_DIR) / "tests" / "vignettes" / "public"))
    if (entry.path().filename().string().rfind(prefix, 0) == 0) {
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      return nlohmann::json::parse(ss.str())["patient"];
    }
  ADD_FAILURE() << "no vignette " << prefix;
  return {};
}

Assessment AssessJson(const nlohmann::json& patient) {
  const KnowledgeBase& kb = EmbeddedKnowledge();
  static auto engine = Engine::Create(kb);
  std::vector<InputIssue> issues;
  NativeReadOptions opt;
  opt.today = kAsOf;
  auto p = ReadNativePatient(patient.dump(), kb, &issues, opt);
  EXPECT_TRUE(p);
  if (!p) return Assessment{};
  return engine->Assess(*p, p->as_of.value_or(kAsOf));
}

std::string AllText(const Assessment& a) {
  std::string all;
  for (const auto& [where, t] : one_voice::Texts(a)) all += where + ": " + t + "\n";
  return all;
}

void SetLab(nlohmann::json& p, const std::string& test, double value) {
  for (auto& l : p["labs"])
    if (l["test"] == test) l["value"] = value;
}

// W07 (denosumab stopped, last dose 11 months ago): no statement speaks of "about 6 months
// after the last injection" once that is past; the specialist hears one reason; the course
// decision (COURSE-15) gives the reason for the therapy.
TEST(OneVoice, LapsedDenosumabIsOverdueNotAboutSixMonths) {
  const Assessment a = AssessJson(VignettePatient("W07-"));
  const std::string all = AllText(a);
  EXPECT_EQ(all.find("about 6 months"), std::string::npos) << all;
  EXPECT_EQ(all.find("If it is to stop"), std::string::npos) << all;
  ASSERT_FALSE(a.treatment_reasons.empty());
  bool overdue_reason = false;
  for (const auto& r : a.treatment_reasons)
    if (r.code == "therapy") {
      overdue_reason = r.text.find("11 months ago") != std::string_view::npos &&
                       r.text.find("overdue after 7") != std::string_view::npos &&
                       std::find(r.rules.begin(), r.rules.end(), "COURSE-15") != r.rules.end();
    }
  EXPECT_TRUE(overdue_reason) << all;
  const Referral* spec = a.FindReferral(Destination::kOsteoporosisSpecialist);
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(spec->reasons.size(), 1u) << all;
  const Referral* inf = a.FindReferral(Destination::kInfusionCenter);
  ASSERT_NE(inf, nullptr);
  EXPECT_EQ(inf->reasons.size(), 1u) << all;
  EXPECT_EQ(one_voice::Problems(a), "");
}

// W17 (romosozumab order active after 12 doses): "without a gap" once in what must follow, no
// "BLOCK:" in any text, no romosozumab monitoring once its course is complete; the avoid entry
// still says it is a block (for the CDS card).
TEST(OneVoice, CompleteRomosozumabCourseSpeaksOnce) {
  const Assessment a = AssessJson(VignettePatient("W17-"));
  const std::string all = AllText(a);
  std::string said;
  for (const auto& s : a.sequence) said += s.text + "\n";
  for (const auto& w : a.warnings) said += w.text + "\n";
  std::size_t n = 0;
  for (std::size_t at = said.find("without a gap"); at != std::string::npos;
       at = said.find("without a gap", at + 1))
    ++n;
  EXPECT_EQ(n, 1u) << all;
  EXPECT_EQ(all.find("BLOCK"), std::string::npos) << all;
  for (const auto& m : a.monitoring) EXPECT_NE(m.code, "romo_cv") << all;
  bool block = false;
  for (const auto& v : a.avoid)
    block =
        block || (v.agent == "romosozumab" && v.text.find("blocked: ") != std::string_view::npos);
  EXPECT_TRUE(block);
  for (const auto& v : a.avoid)
    if (v.agent == "romosozumab") {
      const std::string t = v.text;
      EXPECT_EQ(t.find("doses received"), t.rfind("doses received")) << t;
    }
  EXPECT_EQ(one_voice::Problems(a), "");
}

// The generic checks find each class of defect.
TEST(OneVoice, ChecksFindEachDefect) {
  Assessment a = AssessJson(VignettePatient("W17-"));
  ASSERT_EQ(one_voice::Problems(a), "");
  Assessment twice = a;
  twice.sequence.push_back(twice.sequence.back());
  EXPECT_NE(one_voice::Problems(twice).find("said twice"), std::string::npos);
  Assessment marker = a;
  marker.avoid.front().text = "BLOCK: pregnancy";
  EXPECT_NE(one_voice::Problems(marker).find("internal marker"), std::string::npos);
  Assessment monitor = a;
  monitor.monitoring.push_back(
      {"romo_cv", "Romosozumab: watch for chest pain.", RuleIds{"MON-05"}});
  EXPECT_NE(one_voice::Problems(monitor).find("monitoring for romosozumab"), std::string::npos);
  Assessment reason_twice = a;  // W17 before the course and SEQ-02 spoke with one voice
  reason_twice.avoid.front().text =
      "course complete (12/12 doses); blocked: 12 doses received (maximum 12)";
  EXPECT_NE(one_voice::Problems(reason_twice).find("gives one reason twice"), std::string::npos);
  const Assessment w07 = AssessJson(VignettePatient("W07-"));
  Assessment voices = w07;
  for (auto& r : voices.referrals)
    if (r.to == Destination::kOsteoporosisSpecialist) {
      r.reasons.push_back({"", "denosumab lapsed: plan it", RuleIds{"SEQ-05"}});
    }
  const std::string p = one_voice::Problems(voices);
  EXPECT_NE(p.find("not a sentence"), std::string::npos) << p;
  EXPECT_NE(p.find("rest on SEQ-05"), std::string::npos) << p;
}

// COURSE-15 with the pre-infusion checks (item: "give zoledronic acid now" must be possible).
std::string CourseStatement(const Assessment& a) {
  for (const auto& s : a.sequence)
    if (s.code == "course_transition") return s.text;
  return "";
}

TEST(OneVoice, ZoledronicNowFollowsThePreInfusionChecks) {
  const nlohmann::json w07 = VignettePatient("W07-");
  {  // every check passes: now
    const Assessment a = AssessJson(w07);
    EXPECT_EQ(a.za_status, ZaStatus::kEligible);
    EXPECT_NE(CourseStatement(a).find("give zoledronic acid now"), std::string::npos);
  }
  {  // eGFR below 30 (a specialist gate, SEL-09): the specialist chooses the follow-on now
    nlohmann::json p = w07;
    SetLab(p, "creatinine", 2.0);
    const Assessment a = AssessJson(p);
    EXPECT_EQ(a.therapy_recommended, TherapyClass::kSpecialistDecision);
    const std::string st = CourseStatement(a);
    EXPECT_NE(st.find("overdue since 2025-11-01: the specialist chooses the follow-on now"),
              std::string::npos)
        << AllText(a);
    EXPECT_TRUE(a.HasWarning("denosumab_transition_overdue"));
    EXPECT_EQ(AllText(a).find("If it is to stop"), std::string::npos) << AllText(a);
    EXPECT_EQ(one_voice::Problems(a), "");
  }
  {  // CrCl below 35 (eGFR above 30): zoledronic acid cannot be given; denosumab resumed
    nlohmann::json p = w07;
    SetLab(p, "creatinine", 1.2);
    p["weight_kg"] = 45;
    const Assessment a = AssessJson(p);
    EXPECT_NE(a.therapy_recommended, TherapyClass::kIvZoledronicAcid);
    const std::string st = CourseStatement(a);
    EXPECT_NE(st.find("zoledronic acid cannot be given"), std::string::npos) << st;
    EXPECT_NE(st.find("creatinine clearance"), std::string::npos) << st;
    EXPECT_EQ(st.find("give zoledronic acid now"), std::string::npos) << st;
    EXPECT_EQ(a.FindReferral(Destination::kInfusionCenter), nullptr);
    for (const auto& c : a.current)
      if (c.agent == Agent::kDenosumab) {
        EXPECT_EQ(c.switch_to, "denosumab");
      }
    EXPECT_EQ(one_voice::Problems(a), "");
  }
  {  // low calcium: correct it first, then the infusion
    nlohmann::json p = w07;
    SetLab(p, "calcium", 7.6);
    const Assessment a = AssessJson(p);
    const std::string st = CourseStatement(a);
    if (a.therapy_recommended == TherapyClass::kIvZoledronicAcid) {
      EXPECT_EQ(a.za_status, ZaStatus::kEligibleAfterCorrection);
      EXPECT_NE(st.find("correct first: serum calcium"), std::string::npos) << st;
    } else {
      EXPECT_NE(st.find("cannot be given"), std::string::npos) << st;
    }
    EXPECT_EQ(st.find("give zoledronic acid now"), std::string::npos) << st;
    EXPECT_EQ(one_voice::Problems(a), "");
  }
  {  // low vitamin D: correct it first
    nlohmann::json p = w07;
    SetLab(p, "vitamin_d_25oh", 12);
    const Assessment a = AssessJson(p);
    EXPECT_EQ(a.za_status, ZaStatus::kEligibleAfterCorrection);
    const std::string st = CourseStatement(a);
    EXPECT_NE(st.find("correct first: 25-OH vitamin D"), std::string::npos) << st;
    EXPECT_EQ(one_voice::Problems(a), "");
  }
  {  // no calcium: needed before the infusion
    nlohmann::json p = w07;
    nlohmann::json labs = nlohmann::json::array();
    for (const auto& l : p["labs"])
      if (l["test"] != "calcium") labs.push_back(l);
    p["labs"] = labs;
    const Assessment a = AssessJson(p);
    EXPECT_EQ(a.za_status, ZaStatus::kInsufficientData);
    const std::string st = CourseStatement(a);
    EXPECT_NE(st.find("needed before the infusion: serum calcium"), std::string::npos) << st;
    EXPECT_EQ(one_voice::Problems(a), "");
  }
}

// A golden case of tests/cases/course.json (its base record with the case's merge patch).
nlohmann::json CoursePatient(const std::string& name_prefix) {
  std::ifstream in(fs::path(BONEPATH_SOURCE_DIR) / "tests" / "cases" / "course.json");
  std::stringstream ss;
  ss << in.rdbuf();
  const nlohmann::json file = nlohmann::json::parse(ss.str());
  for (const auto& c : file["cases"])
    if (c["name"].get<std::string>().rfind(name_prefix, 0) == 0) {
      nlohmann::json p = file["base"];
      p.merge_patch(c["patch"]);
      return p;
    }
  ADD_FAILURE() << "no course case " << name_prefix;
  return {};
}

// COURSE-18/19 (catalogue §6.H.3): a fracture on an oral bisphosphonate with an adherence
// concern raises treatment_failure, whose text says the prerequisite is not met; the decision,
// the course statement and the therapy all say zoledronic acid, none proposes a failure switch.
TEST(OneVoice, OralAdherenceConcernIsNotATrueFailure) {
  const Assessment a = AssessJson(
      CoursePatient("Vertebral fracture after 2 years of alendronate with an adherence"));
  EXPECT_EQ(one_voice::Problems(a), "");
  EXPECT_EQ(a.therapy_recommended, TherapyClass::kIvZoledronicAcid) << AllText(a);
  std::string failure;
  for (const auto& w : a.warnings)
    if (w.code == "treatment_failure") failure = w.text;
  EXPECT_NE(failure.find("adherence concern"), std::string::npos) << failure;
  EXPECT_NE(failure.find("not met"), std::string::npos) << failure;
  ASSERT_FALSE(a.sequence.empty());
  EXPECT_EQ(a.sequence.front().code, "course_switch");
  const std::string decision = a.sequence.front().text;
  EXPECT_NE(decision.find("to zoledronic acid"), std::string::npos) << decision;
  EXPECT_EQ(decision.find("anabolic"), std::string::npos) << decision;
  ASSERT_EQ(a.current.size(), 1u);
  EXPECT_EQ(a.current.front().switch_to, "zoledronic_acid");
  for (const auto& v : a.avoid) {
    EXPECT_NE(v.agent, "alendronate") << v.text;
  }
}

// The same patient whose kidneys rule out zoledronic acid (CrCl 33.9 < 35) and alendronate:
// denosumab follows, and it starts (she was never on it), it is not "resumed".
TEST(OneVoice, AdherenceSwitchWithoutZoledronicAcidStartsDenosumab) {
  nlohmann::json p =
      CoursePatient("Vertebral fracture after 2 years of alendronate with an adherence");
  SetLab(p, "creatinine", 1.6);
  const Assessment a = AssessJson(p);
  EXPECT_EQ(one_voice::Problems(a), "");
  EXPECT_EQ(a.therapy_recommended, TherapyClass::kDenosumab) << AllText(a);
  ASSERT_FALSE(a.sequence.empty());
  const std::string decision = a.sequence.front().text;
  EXPECT_NE(decision.find("start denosumab now"), std::string::npos) << decision;
  EXPECT_EQ(decision.find("resume"), std::string::npos) << decision;
}

// A course that alone makes treatment indicated (a forearm fracture after two years of
// alendronate, T -1.2): the headline says "indicated" and no reason or trace entry says "not
// indicated" (TX-05 and RISK-03 ran before the course was read; COURSE-04 supersedes them).
TEST(OneVoice, CourseThatIndicatesTreatmentSupersedesNotIndicated) {
  const Assessment a = AssessJson(CoursePatient("Forearm fracture after 2 years of alendronate"));
  ASSERT_EQ(a.treatment_indicated, true);
  EXPECT_EQ(one_voice::Problems(a), "");
  for (const auto& r : a.treatment_reasons)
    for (std::string_view id : r.rules) EXPECT_NE(id, "TX-05") << r.text;
}

// COURSE-18 F2 under the AACE 2020 risk model: the tier is very high (RISK-01(b)), and the
// trace, the reasons and the switch say so together.
TEST(OneVoice, PossibleFailureMakesTheTierVeryHigh) {
  const Assessment a = AssessJson(CoursePatient("F2 (c): alendronate 26 months"));
  EXPECT_EQ(one_voice::Problems(a), "");
  EXPECT_EQ(a.risk_tier, RiskTier::kVeryHigh);
  EXPECT_EQ(a.therapy_recommended, TherapyClass::kAnabolic);
  for (const auto& r : a.treatment_reasons) {
    EXPECT_NE(r.code, "high_risk") << r.text;
  }
  for (const auto& t : a.trace)
    if (t.rule == "RISK-02") {
      EXPECT_NE(t.outcome, Outcome::kFired) << t.because;
    }
}

}  // namespace
}  // namespace bp
