// Drug holidays and treatment-failure reassessment.
#include "rules/steps.h"

namespace bp::rules {

namespace {

// The rules this topic implements (the registration: see Topic in steps.h).
constexpr std::string_view kRules[] = {"SEQ-06", "SEQ-07", "SEQ-08", "D26"};
}  // namespace

// SEQ-06/07: drug holidays.
void Holidays(Ctx& x, State& s) {
  const Facts& f = x.f;
  const Patient& p = x.p;
  // High risk enough to continue (SEQ-06): hip T <= -2.5, prior major osteoporotic fracture,
  // fracture on therapy, or very high risk.
  bool major_fx = false;
  for (const auto& e : f.events)
    if (e.fragility && (e.HipOrVertebral() || e.site == FractureSite::kHumerus ||
                        e.site == FractureSite::kWrist || e.site == FractureSite::kForearm))
      major_fx = true;
  const bool hip_low =
      f.t_hip_latest && x.P<&CP::tx_tscore_osteoporosis, "SEQ-06">().MetTenths(*f.t_hip_latest);
  const bool still_high =
      hip_low || major_fx || s.treatment_failure || x.a.risk_tier == RiskTier::kVeryHigh;
  // Formatted only where it is shown.
  const auto still_why = [&]() -> std::string {
    if (hip_low) return x.Say<"SEQ-06", "still_hip", "tscore">(Tn(*f.t_hip_latest));
    if (major_fx) return x.Say<"SEQ-06", "still_major_fracture">();
    return s.treatment_failure ? x.Say<"SEQ-06", "still_fracture_on_therapy">()
                               : x.Say<"SEQ-06", "still_very_high">();
  };
  bool oral_due = false, za_due = false;
  for (const auto& m : p.medications) {
    if (!IsOralBisphosphonate(m) || m.status != MedStatus::kActive) continue;
    if (!m.start) {
      x.Missing("medications[" + std::string(ToString(m.agent)) + "].start",
                x.Say<"SEQ-06", "needs_start">());
      continue;
    }
    const double years = CompletedMonths(*m.start, f.as_of) / 12.0;
    if (x.P<&CP::bp_oral_reassess_years, "SEQ-06", "D26">().Met(years)) {
      oral_due = true;
      x.Fired("SEQ-06", x.Say<"SEQ-06", "fired", "agent", "years">(ToString(m.agent), Num(years)));
      x.Warn("drug_holiday_reassessment_due", Severity::kInfo,
             x.Say<"SEQ-06", "warning", "years">(Num(years)), {"SEQ-06", "D26"});
      if (x.verbose && years >= x.P<&CP::bp_oral_max_years, "SEQ-06">())
        x.a.sequence.push_back(
            St{"oral_bp_max", x.Say<"SEQ-06", "maximum", "years">(Num(years)), {"SEQ-06"}});
    }
  }
  if (!oral_due) x.NotFired("SEQ-06");
  for (const auto& m : p.medications) {
    if (m.agent != Agent::kZoledronicAcid || m.status == MedStatus::kPlanned) continue;
    if (m.doses_received && x.P<&CP::za_reassess_doses, "SEQ-07", "D26">().Met(*m.doses_received)) {
      za_due = true;
      x.Fired("SEQ-07", x.Say<"SEQ-07", "fired", "doses">(Int(*m.doses_received)));
      x.Warn("drug_holiday_reassessment_due", Severity::kInfo,
             x.Say<"SEQ-07", "warning", "doses">(Int(*m.doses_received)), {"SEQ-07", "D26"});
    }
  }
  if (!za_due) x.NotFired("SEQ-07");
  x.Trace("D26", oral_due || za_due ? Outcome::kFired : Outcome::kNotFired,
          x.Say<"D26", "fired">());
  if ((oral_due || za_due) && x.a.treatment_indicated == true) {
    if (still_high) {
      if (x.verbose)
        x.a.sequence.push_back(St{"continue_after_review",
                                  x.Say<"SEQ-06", "continue", "why">(still_why()),
                                  {oral_due ? "SEQ-06" : "SEQ-07"}});
      x.NotFired("SEQ-08");
    } else {
      s.holiday = true;
      x.a.treatment_indicated = false;
      x.a.risk_tier = RiskTier::kNotIndicated;
      if (x.verbose)
        x.a.treatment_reasons.push_back(St{"drug_holiday",
                                           x.Say<"SEQ-06", "holiday">(),
                                           {oral_due ? "SEQ-06" : "SEQ-07", "RISK-03"}});
      x.Fired("SEQ-08", x.Say<"SEQ-08", "fired">());
      if (x.verbose)
        x.a.sequence.push_back(St{"holiday_review", x.Say<"SEQ-08", "review">(), {"SEQ-08"}});
    }
  } else {
    x.NotFired("SEQ-08");
  }
}

const Topic kHolidaysTopic{"holidays", kRules};

}  // namespace bp::rules
