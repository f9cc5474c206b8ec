// The course model (COURSE-01..03) and the course decision (COURSE-04..25) on both sides of
// every limit: 12 romosozumab doses, 24 PTH-analog months, 5 and 10 oral years, 3 and 6
// zoledronic acid doses, 7 months since the last denosumab dose.
#include <gtest/gtest.h>

#include <algorithm>

#include "knowledge/loader.h"
#include "rules/course.h"
#include "rules/params.h"

namespace bp {
namespace {

const Date kAsOf = Date::FromYmd(2026, 3, 1);

const CompiledProfile& Profile() {
  static const CompiledProfile c = [] {
    auto r = CompileProfile(EmbeddedKnowledge(), "us-composite");
    EXPECT_TRUE(r);
    return std::move(r).value();
  }();
  return c;
}

Medication Med(Agent a, MedStatus s, std::optional<Date> start, std::optional<Date> last = {},
               std::optional<int> doses = {}) {
  Medication m;
  m.agent = a;
  m.status = s;
  m.start = start;
  m.last_dose = last;
  m.doses_received = doses;
  return m;
}

CourseModel Model(std::vector<Medication> meds) {
  Patient p;
  p.medications = std::move(meds);
  return DeriveCourses(p, kAsOf, Profile().course);
}

CourseDecision Decide(const CourseModel& m, RiskTier tier = RiskTier::kHigh,
                      std::optional<bool> high_risk = true) {
  CourseInputs in;
  in.as_of = kAsOf;
  in.indicated = true;
  in.tier = tier;
  in.high_risk_at_review = high_risk;
  in.romo_cv_months = 12;
  in.romo_eligible = true;
  return DecideCourse(m, Profile().course, Profile().course_limits, in);
}

bool HasWarning(const CourseDecision& d, std::string_view code) {
  return std::any_of(d.warnings.begin(), d.warnings.end(),
                     [&](const CourseEffect& w) { return w.code == code; });
}
bool Avoids(const CourseDecision& d, std::string_view agent) {
  return std::any_of(d.avoid.begin(), d.avoid.end(),
                     [&](const CourseEffect& w) { return w.code == agent; });
}
CourseAction DecisionOf(const CourseDecision& d, Agent a) {
  for (const auto& c : d.current)
    if (c.agent == a) return c.decision;
  return CourseAction::kNone;
}

TEST(CourseModel, CalendarMonthsClampTheDay) {
  EXPECT_DOUBLE_EQ(CalendarMonths(Date::FromYmd(2024, 1, 1), Date::FromYmd(2026, 1, 1)), 24.0);
  EXPECT_LT(CalendarMonths(Date::FromYmd(2024, 1, 2), Date::FromYmd(2026, 1, 1)), 24.0);
  EXPECT_DOUBLE_EQ(CalendarMonths(Date::FromYmd(2026, 1, 1), Date::FromYmd(2025, 1, 1)), 0.0);
}

TEST(CourseModel, DoseDatesCountDistinctDoses) {
  Medication m = Med(Agent::kDenosumab, MedStatus::kActive, {});
  m.dose_dates = {Date::FromYmd(2025, 3, 1), Date::FromYmd(2025, 3, 3),  // one dose (+-3 days)
                  Date::FromYmd(2025, 9, 1)};
  const CourseModel cm = Model({m});
  ASSERT_EQ(cm.episodes.size(), 1u);
  EXPECT_EQ(cm.episodes[0].doses, 2);
  EXPECT_EQ(cm.episodes[0].doses_source, DosesSource::kCounted);
  EXPECT_EQ(cm.episodes[0].last_dose, Date::FromYmd(2025, 9, 1));
  EXPECT_EQ(cm.current, 0);
}

TEST(CourseModel, DosesEstimatedFromDatesSayWhere) {
  const CourseModel cm = Model({Med(Agent::kZoledronicAcid, MedStatus::kActive,
                                    Date::FromYmd(2022, 2, 1), Date::FromYmd(2025, 2, 1))});
  EXPECT_EQ(cm.episodes[0].doses, 4);
  EXPECT_EQ(cm.episodes[0].doses_source, DosesSource::kEstimated);
  EXPECT_FALSE(cm.issues.empty());
}

TEST(CourseModel, OncologyProductsAreNotCourses) {
  Medication m = Med(Agent::kDenosumab, MedStatus::kActive, Date::FromYmd(2025, 1, 1),
                     Date::FromYmd(2026, 2, 1), 12);
  m.dose_mg = 120;
  const CourseModel cm = Model({m});
  ASSERT_EQ(cm.episodes.size(), 1u);
  EXPECT_TRUE(cm.episodes[0].oncology);
  EXPECT_EQ(cm.current, -1);
  EXPECT_EQ(cm.dmab_doses, 0);
}

TEST(CourseModel, PlannedIsNeverExposure) {
  const CourseModel cm = Model({Med(Agent::kAlendronate, MedStatus::kPlanned, kAsOf)});
  EXPECT_TRUE(cm.episodes.empty());
}

TEST(CourseModel, HeldAndOverdueStates) {
  Medication held = Med(Agent::kDenosumab, MedStatus::kActive, Date::FromYmd(2024, 1, 1),
                        Date::FromYmd(2025, 9, 1), 4);
  held.held = true;
  EXPECT_EQ(Model({held}).episodes[0].state, CourseState::kHeld);
  // 7 months after the last dose exactly: not yet overdue; one day later: overdue.
  const Date last = kAsOf.AddMonths(-7);
  EXPECT_EQ(Model({Med(Agent::kDenosumab, MedStatus::kActive, Date::FromYmd(2023, 1, 1), last, 5)})
                .episodes[0]
                .state,
            CourseState::kActive);
  EXPECT_EQ(Model({Med(Agent::kDenosumab, MedStatus::kActive, Date::FromYmd(2023, 1, 1),
                       last.AddDays(-1), 5)})
                .episodes[0]
                .state,
            CourseState::kOverdue);
}

// COURSE-10: 11 doses continue, 12 stop.
TEST(CourseDecision, RomosozumabTwelveDoses) {
  auto at = [](int doses) {
    return Decide(Model({Med(Agent::kRomosozumab, MedStatus::kActive, Date::FromYmd(2025, 3, 1),
                             Date::FromYmd(2026, 2, 1), doses)}));
  };
  const CourseDecision d11 = at(11);
  EXPECT_EQ(DecisionOf(d11, Agent::kRomosozumab), CourseAction::kContinue);
  EXPECT_FALSE(Avoids(d11, "romosozumab"));
  const CourseDecision d12 = at(12);
  EXPECT_EQ(DecisionOf(d12, Agent::kRomosozumab), CourseAction::kTransition);
  EXPECT_TRUE(Avoids(d12, "romosozumab"));
  EXPECT_TRUE(HasWarning(d12, "romosozumab_dose_limit_reached"));
  EXPECT_TRUE(HasWarning(d12, "anabolic_requires_antiresorptive_followup"));
  EXPECT_EQ(d12.target, CourseTarget::kAntiresorptive);
}

// COURSE-11: 23 months continue, 24 stop abaloparatide; teriparatide continues at high risk.
TEST(CourseDecision, PthAnalogTwentyFourMonths) {
  auto at = [](Agent a, int months, RiskTier tier) {
    return Decide(Model({Med(a, MedStatus::kActive, kAsOf.AddMonths(-months))}), tier);
  };
  EXPECT_EQ(DecisionOf(at(Agent::kAbaloparatide, 23, RiskTier::kHigh), Agent::kAbaloparatide),
            CourseAction::kContinue);
  const CourseDecision d = at(Agent::kAbaloparatide, 24, RiskTier::kHigh);
  EXPECT_TRUE(Avoids(d, "abaloparatide"));
  EXPECT_TRUE(HasWarning(d, "pth_analog_cumulative_limit"));
  EXPECT_EQ(d.target, CourseTarget::kAntiresorptive);
  const CourseDecision t = at(Agent::kTeriparatide, 24, RiskTier::kHigh);
  EXPECT_EQ(DecisionOf(t, Agent::kTeriparatide), CourseAction::kContinue);
  EXPECT_TRUE(HasWarning(t, "pth_analog_cumulative_limit"));
  const CourseDecision low = at(Agent::kTeriparatide, 24, RiskTier::kNotIndicated);
  EXPECT_EQ(DecisionOf(low, Agent::kTeriparatide), CourseAction::kTransition);
}

// COURSE-12: below 5 years nothing to review; 5 years reviewed; 10 years the maximum.
TEST(CourseDecision, OralBisphosphonateFiveAndTenYears) {
  auto at = [](double years, std::optional<bool> high) {
    const Date start = kAsOf.AddMonths(-static_cast<int>(years * 12));
    return Decide(Model({Med(Agent::kAlendronate, MedStatus::kActive, start)}), RiskTier::kHigh,
                  high);
  };
  const CourseDecision y4 = at(4.9, false);
  EXPECT_EQ(DecisionOf(y4, Agent::kAlendronate), CourseAction::kContinue);
  EXPECT_FALSE(HasWarning(y4, "drug_holiday_reassessment_due"));
  EXPECT_EQ(DecisionOf(at(5, false), Agent::kAlendronate), CourseAction::kHoliday);
  EXPECT_EQ(DecisionOf(at(5, true), Agent::kAlendronate), CourseAction::kContinue);
  EXPECT_EQ(DecisionOf(at(5, std::nullopt), Agent::kAlendronate), CourseAction::kContinue);
  const CourseDecision y9 = at(9.9, true);
  EXPECT_EQ(DecisionOf(y9, Agent::kAlendronate), CourseAction::kContinue);
  EXPECT_FALSE(HasWarning(y9, "bisphosphonate_max_duration_reached"));
  const CourseDecision y10 = at(10, true);
  EXPECT_EQ(DecisionOf(y10, Agent::kAlendronate), CourseAction::kSwitch);
  EXPECT_TRUE(HasWarning(y10, "bisphosphonate_max_duration_reached"));
  EXPECT_TRUE(Avoids(y10, "alendronate"));
  EXPECT_FALSE(Avoids(y10, "denosumab"));
  EXPECT_EQ(DecisionOf(at(10, false), Agent::kAlendronate), CourseAction::kHoliday);
}

// COURSE-13: 2 doses continue without review; 3 reviewed (high risk: continue zoledronic acid,
// never a switch to oral); 6 the maximum.
TEST(CourseDecision, ZoledronicAcidThreeAndSixDoses) {
  auto at = [](int doses, std::optional<bool> high) {
    return Decide(Model({Med(Agent::kZoledronicAcid, MedStatus::kActive, Date::FromYmd(2020, 2, 1),
                             Date::FromYmd(2025, 6, 1), doses)}),
                  RiskTier::kHigh, high);
  };
  const CourseDecision d2 = at(2, false);
  EXPECT_EQ(DecisionOf(d2, Agent::kZoledronicAcid), CourseAction::kContinue);
  EXPECT_FALSE(HasWarning(d2, "drug_holiday_reassessment_due"));
  const CourseDecision d3 = at(3, true);
  EXPECT_EQ(DecisionOf(d3, Agent::kZoledronicAcid), CourseAction::kContinue);
  EXPECT_EQ(d3.target, CourseTarget::kContinueCurrent);
  ASSERT_TRUE(d3.za_next_due);
  EXPECT_EQ(*d3.za_next_due, Date::FromYmd(2026, 6, 1));
  EXPECT_EQ(DecisionOf(at(3, false), Agent::kZoledronicAcid), CourseAction::kHoliday);
  EXPECT_EQ(DecisionOf(at(5, true), Agent::kZoledronicAcid), CourseAction::kContinue);
  const CourseDecision d6 = at(6, true);
  EXPECT_EQ(DecisionOf(d6, Agent::kZoledronicAcid), CourseAction::kSwitch);
  EXPECT_TRUE(Avoids(d6, "zoledronic_acid"));
  EXPECT_TRUE(d6.za_course_limit);
  EXPECT_TRUE(HasWarning(d6, "bisphosphonate_max_duration_reached"));
}

// COURSE-14/15: last denosumab dose 7 months ago continues; later the rebound window is open.
TEST(CourseDecision, DenosumabSevenMonths) {
  auto at = [](Date last, MedStatus s) {
    return Decide(Model({Med(Agent::kDenosumab, s, Date::FromYmd(2022, 6, 1), last, 6)}));
  };
  const CourseDecision on = at(kAsOf.AddMonths(-7), MedStatus::kActive);
  EXPECT_EQ(DecisionOf(on, Agent::kDenosumab), CourseAction::kContinue);
  EXPECT_FALSE(HasWarning(on, "denosumab_dose_overdue"));
  const CourseDecision late = at(kAsOf.AddMonths(-7).AddDays(-1), MedStatus::kActive);
  EXPECT_EQ(DecisionOf(late, Agent::kDenosumab), CourseAction::kResume);
  EXPECT_TRUE(HasWarning(late, "denosumab_dose_overdue"));
  EXPECT_EQ(late.target, CourseTarget::kDenosumabNow);
  const CourseDecision stopped = at(Date::FromYmd(2025, 4, 1), MedStatus::kStopped);
  EXPECT_EQ(DecisionOf(stopped, Agent::kDenosumab), CourseAction::kTransition);
  EXPECT_TRUE(HasWarning(stopped, "denosumab_transition_overdue"));
  EXPECT_TRUE(HasWarning(stopped, "denosumab_discontinuation_rebound"));
  EXPECT_EQ(stopped.target, CourseTarget::kZoledronicNow);
  // Stopped within the window: transition at 6 months, never dated before as_of.
  const CourseDecision recent = at(kAsOf.AddMonths(-5), MedStatus::kStopped);
  EXPECT_EQ(DecisionOf(recent, Agent::kDenosumab), CourseAction::kTransition);
  ASSERT_TRUE(recent.za_next_due);
  EXPECT_GE(*recent.za_next_due, kAsOf);
}

TEST(CourseDecision, AtypicalFemoralFractureBlocksEveryBisphosphonate) {
  CourseInputs in;
  in.as_of = kAsOf;
  in.indicated = true;
  in.tier = RiskTier::kHigh;
  in.aff = true;
  const CourseModel m =
      Model({Med(Agent::kAlendronate, MedStatus::kActive, Date::FromYmd(2017, 5, 1))});
  const CourseDecision d = DecideCourse(m, Profile().course, Profile().course_limits, in);
  for (auto a :
       {"alendronate", "risedronate", "ibandronate", "zoledronic_acid", "denosumab", "romosozumab"})
    EXPECT_TRUE(Avoids(d, a)) << a;
  EXPECT_FALSE(Avoids(d, "teriparatide"));
  EXPECT_EQ(d.target, CourseTarget::kPthAnalog);
  EXPECT_EQ(DecisionOf(d, Agent::kAlendronate), CourseAction::kStop);
}

TEST(CourseDecision, PregnancyStopsEveryCourse) {
  CourseInputs in;
  in.as_of = kAsOf;
  in.pregnant = true;
  const CourseModel m =
      Model({Med(Agent::kTeriparatide, MedStatus::kActive, Date::FromYmd(2025, 6, 1))});
  const CourseDecision d = DecideCourse(m, Profile().course, Profile().course_limits, in);
  EXPECT_EQ(DecisionOf(d, Agent::kTeriparatide), CourseAction::kStop);
  EXPECT_EQ(d.target, CourseTarget::kSpecialist);
}

TEST(CourseDecision, FailureNeedsTwelveMonthsOnTheCourse) {
  auto at = [](int months_before_fracture) {
    CourseInputs in;
    in.as_of = kAsOf;
    in.indicated = true;
    in.tier = RiskTier::kVeryHigh;
    in.high_risk_at_review = true;
    const Date fx = Date::FromYmd(2026, 1, 1);
    in.fragility_fractures = {fx};
    const CourseModel m = Model(
        {Med(Agent::kAlendronate, MedStatus::kActive, fx.AddMonths(-months_before_fracture))});
    return DecideCourse(m, Profile().course, Profile().course_limits, in);
  };
  const CourseDecision early = at(11);
  EXPECT_FALSE(early.treatment_failure);
  EXPECT_EQ(DecisionOf(early, Agent::kAlendronate), CourseAction::kContinue);
  const CourseDecision fail = at(12);
  EXPECT_TRUE(fail.treatment_failure);
  EXPECT_EQ(DecisionOf(fail, Agent::kAlendronate), CourseAction::kSwitch);
  EXPECT_TRUE(Avoids(fail, "alendronate"));
  EXPECT_FALSE(Avoids(fail, "zoledronic_acid"));
  EXPECT_EQ(fail.target, CourseTarget::kAnabolic);
}

// COURSE-14: the follow-on after a stopped denosumab is dated by dmab_transition_za_months (the
// months the rule compares), not by the dosing interval; the profiles set both to 6, so the test
// moves them apart.
TEST(CourseDecision, DenosumabTransitionDatedByTheTransitionMonths) {
  const Date last = kAsOf.AddMonths(-2);
  const CourseModel m =
      Model({Med(Agent::kDenosumab, MedStatus::kStopped, Date::FromYmd(2023, 6, 1), last, 6)});
  CourseInputs in;
  in.as_of = kAsOf;
  in.indicated = true;
  in.tier = RiskTier::kHigh;
  in.high_risk_at_review = true;
  for (const auto& [interval, transition] : {std::pair{6, 5}, std::pair{5, 6}}) {
    CourseParams cp = Profile().course;
    cp.dmab_due_months = interval;
    cp.dmab_transition_months = transition;
    const CourseDecision d = DecideCourse(m, cp, Profile().course_limits, in);
    ASSERT_TRUE(d.za_next_due) << interval << "/" << transition;
    EXPECT_EQ(*d.za_next_due, last.AddMonths(transition)) << interval << "/" << transition;
    // The sentence is COURSE-14's text in knowledge/, saying dmab_transition_za_months under the
    // profile (parameter_text_test.cc moves the parameter); without a run's Ctx it is not said.
    ASSERT_FALSE(d.sequence.empty());
    EXPECT_EQ(d.sequence.front().code, "course_transition");
  }
}

// COURSE-18 F2 (IOF 2012) without a fracture: markers not suppressed and BMD loss, both, after
// at least 12 months on the course; either alone is not a failure.
TEST(CourseDecision, PossibleTreatmentFailureNeedsBothMarkersAndBmd) {
  const CourseModel m = Model({Med(Agent::kAlendronate, MedStatus::kActive, kAsOf.AddMonths(-14))});
  auto decide = [&](bool btm, bool bmd, const CourseModel& model) {
    CourseInputs in;
    in.as_of = kAsOf;
    in.indicated = true;
    in.tier = RiskTier::kHigh;
    in.high_risk_at_review = true;
    in.btm_not_suppressed = btm;
    in.bmd_loss_on_course = bmd;
    in.btm_finding = "markers";
    in.bmd_finding = "bmd";
    return DecideCourse(model, Profile().course, Profile().course_limits, in);
  };
  const CourseDecision both = decide(true, true, m);
  EXPECT_TRUE(both.treatment_failure_possible);
  EXPECT_FALSE(both.treatment_failure);
  EXPECT_TRUE(HasWarning(both, "treatment_failure_possible"));
  EXPECT_FALSE(HasWarning(both, "treatment_failure"));
  EXPECT_TRUE(Avoids(both, "alendronate"));
  EXPECT_FALSE(Avoids(both, "zoledronic_acid"));
  EXPECT_EQ(both.target, CourseTarget::kNonBisphosphonate);
  EXPECT_EQ(DecisionOf(both, Agent::kAlendronate), CourseAction::kSwitch);
  for (auto [btm, bmd] : {std::pair{true, false}, std::pair{false, true}}) {
    const CourseDecision one = decide(btm, bmd, m);
    EXPECT_FALSE(HasWarning(one, "treatment_failure_possible"));
    EXPECT_EQ(DecisionOf(one, Agent::kAlendronate), CourseAction::kContinue);
  }
  // 11 months on the course: not judged yet.
  const CourseModel young =
      Model({Med(Agent::kAlendronate, MedStatus::kActive, kAsOf.AddMonths(-11))});
  EXPECT_FALSE(HasWarning(decide(true, true, young), "treatment_failure_possible"));
}

// COURSE-21: a restart trigger ends the holiday; after the bisphosphonate maximum the restart
// is a non-bisphosphonate, otherwise the selection chooses (the previous bisphosphonate too).
TEST(CourseDecision, HolidayRestartTriggers) {
  auto decide = [&](int years, std::vector<std::string> triggers) {
    Medication m = Med(Agent::kAlendronate, MedStatus::kStopped, kAsOf.AddMonths(-12 * years - 30));
    m.end = kAsOf.AddMonths(-30);
    m.stop_reason = StopReason::kDrugHoliday;
    CourseInputs in;
    in.as_of = kAsOf;
    in.tier = RiskTier::kHigh;
    in.high_risk_at_review = false;
    in.holiday_restart_triggers = std::move(triggers);
    return DecideCourse(Model({m}), Profile().course, Profile().course_limits, in);
  };
  const CourseDecision none = decide(5, {});
  EXPECT_TRUE(none.holiday);
  EXPECT_FALSE(HasWarning(none, "drug_holiday_restart_due"));
  const CourseDecision five = decide(5, {"femoral neck T-score -2.5"});
  EXPECT_FALSE(five.holiday);
  EXPECT_TRUE(HasWarning(five, "drug_holiday_restart_due"));
  EXPECT_EQ(five.target, CourseTarget::kNewStart);
  ASSERT_TRUE(five.indicated && *five.indicated);
  EXPECT_EQ(**five.indicated, true);
  EXPECT_EQ(DecisionOf(five, Agent::kAlendronate), CourseAction::kResume);
  const CourseDecision ten = decide(10, {"femoral neck T-score -2.5"});
  EXPECT_EQ(ten.target, CourseTarget::kNonBisphosphonate);
}

TEST(CourseDecision, FinishedAnabolicTransitions) {
  const CourseDecision d =
      Decide(Model({Med(Agent::kRomosozumab, MedStatus::kCompleted, Date::FromYmd(2024, 1, 1),
                        Date::FromYmd(2024, 12, 1), 12)}));
  EXPECT_EQ(DecisionOf(d, Agent::kRomosozumab), CourseAction::kTransition);
  EXPECT_EQ(d.target, CourseTarget::kAntiresorptive);
  // More than 3 months without an antiresorptive: critical.
  bool critical = false;
  for (const auto& w : d.warnings)
    critical = critical || (w.code == "anabolic_requires_antiresorptive_followup" &&
                            w.level == static_cast<int>(Severity::kCritical));
  EXPECT_TRUE(critical);
}

TEST(CourseDecision, NoDueDateBeforeAsOf) {
  for (int months = 0; months < 40; ++months)
    for (Agent a : {Agent::kDenosumab, Agent::kZoledronicAcid, Agent::kRomosozumab}) {
      for (MedStatus s : {MedStatus::kActive, MedStatus::kStopped, MedStatus::kCompleted}) {
        const CourseDecision d =
            Decide(Model({Med(a, s, kAsOf.AddMonths(-months - 6), kAsOf.AddMonths(-months), 2)}));
        for (const auto& c : d.current) {
          if (c.next_due) {
            EXPECT_GE(*c.next_due, kAsOf) << ToString(a) << " " << months;
          }
        }
        if (d.za_next_due) {
          EXPECT_GE(*d.za_next_due, kAsOf);
        }
      }
    }
}

}  // namespace
}  // namespace bp
