// Properties of the course decisions (catalogue §6) over 12,000 generated patients on, after or
// before a course of every agent in every state (fixed seed: a failure reproduces with the
// printed index). Each is a clinical invariant of the contract's conventions:
//   - no agent is both offered (agents, alternatives) and avoided;
//   - a course the engine blocks or avoids is never continued;
//   - nothing is offered in pregnancy; no bisphosphonate after an atypical femoral fracture;
//   - an active denosumab course of a living patient never ends with nothing recommended;
//   - no due date in therapy.current is before as_of;
//   - a recommended class always comes with an agent;
//   - the course decision never says both continue and stop;
//   - a deceased patient gets patient_deceased and nothing else;
//   - hypercalcemia or hyperparathyroidism on a course makes the decision the specialist's;
//   - the JSON validates against the assessment schema (a sample).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "assessment_schema.h"
#include "common/date.h"
#include "domain/assessment.h"
#include "domain/patient.h"
#include "io/assessment_json.h"
#include "io/patient_json.h"
#include "knowledge/loader.h"
#include "one_voice.h"
#include "rules/engine.h"
#include "support/property_size.h"

namespace bp {
namespace {

constexpr int kDefaultPatients = 12000;
constexpr unsigned kSeed = 20261203;
const Date kAsOf = Date::FromYmd(2026, 3, 1);

template <typename T>
T Pick(std::mt19937& rng, std::initializer_list<T> v) {
  std::uniform_int_distribution<std::size_t> d(0, v.size() - 1);
  return *(v.begin() + d(rng));
}
bool Chance(std::mt19937& rng, double p) { return std::bernoulli_distribution(p)(rng); }
int Uniform(std::mt19937& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

Patient Generate(std::mt19937& rng, int index) {
  Patient p;
  p.id = "course-" + std::to_string(index);
  p.as_of = kAsOf;
  p.sex = Chance(rng, 0.8) ? Sex::kFemale : Sex::kMale;
  p.age_years = Uniform(rng, 30, 92);
  if (p.sex == Sex::kFemale)
    p.menopausal_status = *p.age_years >= 50 ? Menopause::kPost : Menopause::kPre;
  p.weight_kg = Uniform(rng, 40, 100);
  p.height_cm = Uniform(rng, 145, 185);
  auto lab = [&](LabTest t, double v, int age_days) {
    Lab l;
    l.test = t;
    l.value = v;
    l.date = kAsOf.AddDays(-age_days);
    p.labs.push_back(l);
  };
  if (Chance(rng, 0.9)) lab(LabTest::kCreatinine, Uniform(rng, 5, 40) / 10.0, Uniform(rng, 1, 60));
  if (Chance(rng, 0.9)) lab(LabTest::kCalcium, Uniform(rng, 78, 112) / 10.0, Uniform(rng, 1, 60));
  if (Chance(rng, 0.8)) lab(LabTest::kAlbumin, Uniform(rng, 28, 48) / 10.0, Uniform(rng, 1, 60));
  if (Chance(rng, 0.8)) lab(LabTest::kVitaminD25oh, Uniform(rng, 8, 60), Uniform(rng, 1, 200));
  if (Chance(rng, 0.85)) {
    const Date d = kAsOf.AddMonths(-Uniform(rng, 1, 60));
    for (BmdSite s : {BmdSite::kLumbarSpine, BmdSite::kTotalHip, BmdSite::kFemoralNeck}) {
      BmdMeasurement b;
      b.date = d;
      b.site = s;
      b.t_score = Uniform(rng, -40, 5);
      p.bmd.push_back(b);
    }
  }
  const int n_fx = Pick(rng, {0, 0, 1, 1, 2});
  for (int i = 0; i < n_fx; ++i) {
    Fracture f;
    f.site = Pick(rng, {FractureSite::kHip, FractureSite::kVertebral, FractureSite::kWrist,
                        FractureSite::kHumerus, FractureSite::kFemur, FractureSite::kPelvis});
    if (Chance(rng, 0.9)) f.date = kAsOf.AddDays(-Uniform(rng, 10, 3000));
    const int m = Uniform(rng, 0, 3);
    if (m < 3) {
      f.mechanism = m == 0   ? FractureMechanism::kFragility
                    : m == 1 ? FractureMechanism::kHighTrauma
                             : FractureMechanism::kUnknown;
      f.mechanism_recorded = true;
    }
    if (f.site == FractureSite::kFemur && Chance(rng, 0.4)) f.atypical = true;
    if (Chance(rng, 0.05)) f.pathologic_suspected = true;
    p.fractures.push_back(f);
  }
  auto cond = [&](ConditionCode c, double prob, bool dated = true) {
    if (!Chance(rng, prob)) return;
    Condition k;
    k.code = c;
    if (dated) k.onset = kAsOf.AddMonths(-Uniform(rng, 0, 30));
    k.active = !Chance(rng, 0.1);
    p.conditions.push_back(k);
  };
  if (p.sex == Sex::kFemale && *p.age_years < 50) cond(ConditionCode::kPregnancy, 0.2);
  cond(ConditionCode::kMyocardialInfarction, 0.05);
  cond(ConditionCode::kStroke, 0.03);
  cond(ConditionCode::kOsteonecrosisOfJaw, 0.03);
  cond(ConditionCode::kAtypicalFemoralFracture, 0.03);
  cond(ConditionCode::kDialysis, 0.03);
  cond(ConditionCode::kMultipleMyeloma, 0.02);
  cond(ConditionCode::kPrimaryHyperparathyroidism, 0.02);
  cond(ConditionCode::kOsteoporosis, 0.2);
  if (Chance(rng, 0.03)) p.breastfeeding = true;
  // Courses: every agent, every status.
  const int n_courses = Pick(rng, {0, 1, 1, 1, 2});
  for (int i = 0; i < n_courses; ++i) {
    Medication m;
    m.agent = Pick(rng, {Agent::kAlendronate, Agent::kRisedronate, Agent::kIbandronate,
                         Agent::kZoledronicAcid, Agent::kDenosumab, Agent::kTeriparatide,
                         Agent::kAbaloparatide, Agent::kRomosozumab, Agent::kRaloxifene});
    m.status = Pick(rng, {MedStatus::kActive, MedStatus::kActive, MedStatus::kCompleted,
                          MedStatus::kStopped, MedStatus::kPlanned});
    const int months = Uniform(rng, 1, 150);
    if (m.status == MedStatus::kPlanned) {
      if (Chance(rng, 0.5)) m.start = kAsOf;
    } else if (Chance(rng, 0.9)) {
      m.start = kAsOf.AddMonths(-months);
    }
    if (m.status == MedStatus::kActive && Chance(rng, 0.1)) m.held = true;
    if ((m.status == MedStatus::kCompleted || m.status == MedStatus::kStopped) && m.start &&
        Chance(rng, 0.6))
      m.end = m.start->AddMonths(Uniform(rng, 1, months));
    const bool injected = m.agent == Agent::kZoledronicAcid || m.agent == Agent::kDenosumab ||
                          m.agent == Agent::kRomosozumab;
    if (injected && m.status != MedStatus::kPlanned) {
      if (Chance(rng, 0.85)) m.last_dose = kAsOf.AddMonths(-Uniform(rng, 0, std::min(months, 20)));
      if (Chance(rng, 0.8)) m.doses_received = Uniform(rng, 1, 16);
      if (m.agent != Agent::kRomosozumab && Chance(rng, 0.1))
        m.dose_mg = Pick(rng, {4.0, 5.0, 60.0, 120.0});
    }
    if (m.status == MedStatus::kStopped && Chance(rng, 0.5))
      m.stop_reason =
          Pick(rng, {StopReason::kIntolerance, StopReason::kAdverseEvent, StopReason::kDrugHoliday,
                     StopReason::kPatientChoice, StopReason::kOther});
    if (m.status == MedStatus::kCompleted && Chance(rng, 0.5))
      m.stop_reason = StopReason::kCourseComplete;
    p.medications.push_back(m);
  }
  {
    // Oral adherence and absorption (COURSE-18 prerequisite, COURSE-19 zoledronic acid first),
    // from a generator of their own so that the patients above stay as they were.
    std::mt19937 own(kSeed + static_cast<unsigned>(index));
    if (Chance(own, 0.15)) p.oral_bisphosphonate_barriers.adherence_concern = true;
    if (Chance(own, 0.05)) {
      Condition k;
      k.code = ConditionCode::kCeliacDisease;
      k.active = true;
      p.conditions.push_back(k);
    }
  }
  if (Chance(rng, 0.03)) {
    p.deceased = true;
    if (Chance(rng, 0.5)) p.deceased_date = kAsOf.AddDays(-Uniform(rng, 0, 400));
  }
  return p;
}

bool IsBp(std::string_view a) {
  return a == "alendronate" || a == "risedronate" || a == "ibandronate_oral" ||
         a == "ibandronate_iv" || a == "zoledronic_acid";
}

class CourseProperties : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto e = Engine::Create(EmbeddedKnowledge());
    ASSERT_TRUE(e);
    engine_ = new Engine(std::move(e).value());
    std::mt19937 rng(kSeed);
    cases_ = new std::vector<std::pair<Patient, Assessment>>;
    const int n = testing_harness::PropertyPatients(kDefaultPatients);
    for (int i = 0; i < n; ++i) {
      Patient p = Generate(rng, i);
      Assessment a = engine_->Assess(p, kAsOf);
      cases_->emplace_back(std::move(p), std::move(a));
    }
  }
  static void TearDownTestSuite() {
    delete cases_;
    delete engine_;
  }
  static Engine* engine_;
  static std::vector<std::pair<Patient, Assessment>>* cases_;

 public:
  static const std::vector<std::pair<Patient, Assessment>>* Cases() { return cases_; }
};
Engine* CourseProperties::engine_ = nullptr;
std::vector<std::pair<Patient, Assessment>>* CourseProperties::cases_ = nullptr;

// "patient i", and with BONEPATH_PROPERTY_DUMP set the record and the rules that fired.
std::string Who(std::size_t i) {
  std::string s = "patient " + std::to_string(i);
  if (std::getenv("BONEPATH_PROPERTY_DUMP") == nullptr) return s;
  const auto& [p, a] = (*CourseProperties::Cases())[i];
  s += "\n  record: " + PatientToJson(p, EmbeddedKnowledge()) + "\n  fired:";
  for (const auto& t : a.trace)
    if (t.outcome == Outcome::kFired) s += " " + t.rule + " (" + t.because + ")";
  s += "\n  output: " + AssessmentToJson(a, EmbeddedKnowledge(), -1);
  return s;
}

bool Avoided(const Assessment& a, std::string_view agent) {
  for (const auto& v : a.avoid)
    if (v.agent == agent) return true;
  return false;
}

TEST_F(CourseProperties, GeneratorCoversCoursesInEveryState) {
  std::set<std::pair<int, int>> seen;
  for (const auto& [p, a] : *cases_)
    for (const auto& c : a.current)
      seen.insert({static_cast<int>(c.agent), static_cast<int>(c.state)});
  EXPECT_GE(seen.size(), 30u);
}

TEST_F(CourseProperties, NoAgentIsOfferedAndAvoided) {
  for (std::size_t i = 0; i < cases_->size(); ++i) {
    const Assessment& a = (*cases_)[i].second;
    for (const auto* list : {&a.agents, &a.alternatives})
      for (const auto& r : *list) ASSERT_FALSE(Avoided(a, r.agent)) << Who(i) << ": " << r.agent;
  }
}

TEST_F(CourseProperties, ABlockedCourseIsNeverContinued) {
  for (std::size_t i = 0; i < cases_->size(); ++i) {
    const Assessment& a = (*cases_)[i].second;
    for (const auto& c : a.current) {
      if (c.decision != CourseAction::kContinue) continue;
      std::string agent(ToString(c.agent));
      if (c.agent == Agent::kIbandronate)
        agent = c.route == Route::kIntravenous ? "ibandronate_iv" : "ibandronate_oral";
      ASSERT_FALSE(Avoided(a, agent)) << Who(i) << ": " << agent << " continued";
    }
  }
}

TEST_F(CourseProperties, NothingOfferedInPregnancyNoBisphosphonateAfterAff) {
  for (std::size_t i = 0; i < cases_->size(); ++i) {
    const auto& [p, a] = (*cases_)[i];
    const bool pregnant = a.HasWarning("pregnancy_osteoporosis_drugs_withheld");
    const bool aff = a.HasWarning("atypical_femoral_fracture");
    for (const auto* list : {&a.agents, &a.alternatives})
      for (const auto& r : *list) {
        ASSERT_FALSE(pregnant) << Who(i) << ": " << r.agent << " in pregnancy";
        ASSERT_FALSE(aff && IsBp(r.agent)) << Who(i) << ": after an AFF";
      }
    if (pregnant) {
      ASSERT_NE(a.za_status, ZaStatus::kEligible) << Who(i);
    }
  }
}

TEST_F(CourseProperties, ActiveDenosumabNeverEndsWithNothing) {
  for (std::size_t i = 0; i < cases_->size(); ++i) {
    const auto& [p, a] = (*cases_)[i];
    if (a.HasWarning("patient_deceased")) continue;
    bool dmab_active = false;
    for (const auto& c : a.current)
      dmab_active =
          dmab_active || (c.agent == Agent::kDenosumab &&
                          (c.state == CourseState::kActive || c.state == CourseState::kOverdue ||
                           c.state == CourseState::kHeld));
    if (!dmab_active) continue;
    ASSERT_NE(a.therapy_recommended, TherapyClass::kNone) << Who(i);
  }
}

// Catalogue §6.B step 2: hypercalcemia or primary hyperparathyroidism (hypercalcemia_evaluate)
// with a course under way and treatment indicated makes the decision the specialist's; a single
// course is not continued meanwhile, except denosumab under the specialist (§6.H.11).
TEST_F(CourseProperties, HypercalcemiaOnACourseIsTheSpecialistsDecision) {
  int n = 0;
  for (std::size_t i = 0; i < cases_->size(); ++i) {
    const Assessment& a = (*cases_)[i].second;
    if (!a.HasWarning("hypercalcemia_evaluate") || a.treatment_indicated != true) continue;
    int ongoing = 0;
    for (const auto& c : a.current)
      ongoing += c.state == CourseState::kActive || c.state == CourseState::kOverdue ||
                 c.state == CourseState::kHeld;
    if (ongoing == 0) continue;
    ++n;
    ASSERT_EQ(a.therapy_recommended, TherapyClass::kSpecialistDecision) << Who(i);
    if (ongoing > 1) continue;  // concurrent courses: COURSE-23, the specialist already decides
    for (const auto& c : a.current)
      ASSERT_FALSE(c.decision == CourseAction::kContinue && c.agent != Agent::kDenosumab)
          << Who(i) << ": " << ToString(c.agent) << " continued";
  }
  EXPECT_GT(n, 0);
}

TEST_F(CourseProperties, NoDueDateBeforeAsOfAndEveryClassHasAnAgent) {
  for (std::size_t i = 0; i < cases_->size(); ++i) {
    const Assessment& a = (*cases_)[i].second;
    for (const auto& c : a.current)
      if (c.next_due) {
        ASSERT_GE(*c.next_due, kAsOf) << Who(i);
      }
    const TherapyClass t = a.therapy_recommended;
    if (t != TherapyClass::kNone && t != TherapyClass::kSpecialistDecision) {
      ASSERT_FALSE(a.agents.empty()) << Who(i) << ": " << ToString(t);
    }
  }
}

TEST_F(CourseProperties, OneVoice) {
  for (std::size_t i = 0; i < cases_->size(); ++i) {
    const Assessment& a = (*cases_)[i].second;
    bool cont = false, stop = false;
    for (const auto& st : a.sequence) {
      cont = cont || st.code == "course_continue";
      stop = stop || st.code == "course_stop";
    }
    // Concurrent courses may continue one and stop another only under a specialist gate:
    // denosumab continued under the specialist (never simply stopped, §6.H.11) beside an agent
    // the gate's avoidances stop (COURSE-24). One course is never said both ways.
    const auto decided = [&](CourseAction d) {
      return std::count_if(a.current.begin(), a.current.end(),
                           [&](const CurrentCourse& c) { return c.decision == d; });
    };
    const bool dmab_beside_stop =
        std::any_of(a.current.begin(), a.current.end(),
                    [](const CurrentCourse& c) {
                      return c.agent == Agent::kDenosumab && c.decision == CourseAction::kContinue;
                    }) &&
        decided(CourseAction::kContinue) == 1 && decided(CourseAction::kStop) >= 1 &&
        a.therapy_recommended == TherapyClass::kSpecialistDecision;
    ASSERT_FALSE(cont && stop && !dmab_beside_stop) << Who(i);
    if (a.risk_tier == RiskTier::kIndeterminate) {
      ASSERT_FALSE(a.treatment_indicated) << Who(i);
    }
    if (a.treatment_indicated == false) {
      ASSERT_EQ(a.therapy_recommended, TherapyClass::kNone) << Who(i);
    }
  }
}

// The one-voice checks of one_voice.h (contradictions, jargon) over every generated patient.
TEST_F(CourseProperties, OneVoiceTextsAndContradictions) {
  int reports = 0;
  for (std::size_t i = 0; i < cases_->size() && reports < 10; ++i) {
    const std::string problems = one_voice::Problems((*cases_)[i].second);
    if (problems.empty()) continue;
    ADD_FAILURE() << Who(i) << problems;
    ++reports;
  }
}

TEST_F(CourseProperties, DeceasedPatientsGetNothingElse) {
  int n = 0;
  for (std::size_t i = 0; i < cases_->size(); ++i) {
    const auto& [p, a] = (*cases_)[i];
    if (!a.HasWarning("patient_deceased")) continue;
    ++n;
    ASSERT_EQ(a.warnings.size(), 1u) << Who(i);
    ASSERT_TRUE(a.referrals.empty()) << Who(i);
    ASSERT_TRUE(a.agents.empty() && a.alternatives.empty() && a.avoid.empty()) << Who(i);
    ASSERT_TRUE(a.missing_data.empty()) << Who(i);
    ASSERT_EQ(a.therapy_recommended, TherapyClass::kNone) << Who(i);
  }
  EXPECT_GT(n, static_cast<int>(cases_->size() / 240));  // 50 of the default 12,000
}

TEST_F(CourseProperties, JsonValidatesAgainstTheSchema) {
  for (std::size_t i = 0; i < cases_->size(); i += 40) {
    const std::string j = AssessmentToJson((*cases_)[i].second, EmbeddedKnowledge(), -1);
    const std::string why = testing_harness::SchemaViolations(nlohmann::json::parse(j));
    ASSERT_TRUE(why.empty()) << Who(i) << ": " << why;
  }
}

}  // namespace
}  // namespace bp
