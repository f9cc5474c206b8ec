// Cancer-treatment-induced bone loss (CTIBL) rules.
#include "rules/steps.h"

namespace bp::rules {

namespace {

// The rules this topic implements (the registration: see Topic in steps.h).
constexpr std::string_view kRules[] = {"CTIBL-01", "CTIBL-02", "CTIBL-03",
                                       "CTIBL-04", "REF-05",   "D25"};
}  // namespace

// CTIBL: cancer-treatment-induced bone loss.
void CancerTreatment(Ctx& x, State& s) {
  const Facts& f = x.f;
  const Patient& p = x.p;
  auto active = [&](Agent a) { return FindMedication(p, a, MedStatus::kActive) != nullptr; };
  const bool ai = active(Agent::kAromataseInhibitor) && f.female && f.menopause != Menopause::kPre;
  const bool ovarian = active(Agent::kGnrhAgonist) && f.female && f.menopause == Menopause::kPre;
  const bool adt =
      (active(Agent::kAndrogenDeprivationTherapy) || active(Agent::kGnrhAgonist)) && f.male;
  if (s.malignancy) {
    x.Fired("CTIBL-04", x.Say<"CTIBL-04", "fired">());
    x.Refer(Destination::kOncology, Urgency::kRoutine, x.Say<"CTIBL-04", "refer">(),
            {"CTIBL-04", "REF-05"});
  } else {
    x.NotFired("CTIBL-04");
  }
  if (!ai && !ovarian && !adt) {
    const std::string none = x.Say<"CTIBL-01", "none">();
    for (std::string_view r : {"CTIBL-01", "CTIBL-02", "CTIBL-03", "D25"}) x.NotFired(r, none);
    return;
  }
  const std::string who = ai        ? x.Say<"CTIBL-01", "aromatase_inhibitor">()
                          : ovarian ? x.Say<"CTIBL-01", "ovarian_suppression">()
                                    : x.Say<"CTIBL-01", "androgen_deprivation">();
  x.Fired("CTIBL-01", x.Say<"CTIBL-01", "fired", "treatment">(who));
  bool indicated = false;
  std::string why;
  if (x.P<&CP::ctibl, "CTIBL-02", "CTIBL-03", "D25">() == CtiblThreshold::kHadji17 && ai) {
    x.NotFired("CTIBL-02", x.Say<"CTIBL-02", "not_used">());
    int risk = 0;
    if (x.AgeKnown() && x.P<&CP::hadji_age, "CTIBL-03">().Met(x.Age())) ++risk;
    if (f.bmi && x.P<&CP::hadji_bmi, "CTIBL-03">().Met(*f.bmi)) ++risk;
    if (f.fragility_events) ++risk;
    if (f.gc_days_actual &&
        x.P<&CP::hadji_gc_months, "CTIBL-03">().Met(*f.gc_days_actual / 30.4375))
      ++risk;
    if (f.t_min && x.P<&CP::hadji_tscore, "CTIBL-03">().MetTenths(*f.t_min)) {
      indicated = true;
      why = x.Say<"CTIBL-03", "tscore", "tscore">(Tn(*f.t_min));
    } else if (f.t_min && x.P<&CP::hadji_tscore_with_risk, "CTIBL-03">().MetTenths(*f.t_min) &&
               risk >= 1) {
      indicated = true;
      why = x.Say<"CTIBL-03", "tscore_with_risk", "tscore", "count">(Tn(*f.t_min), Int(risk));
    } else if (!f.t_min && x.P<&CP::hadji_risk_factors, "CTIBL-03">().Met(risk)) {
      indicated = true;
      why = x.Say<"CTIBL-03", "risk_factors", "count">(Int(risk));
    }
    x.Trace(
        "CTIBL-03",
        indicated ? Outcome::kFired : (f.t_min ? Outcome::kNotFired : Outcome::kInsufficientData),
        why);
  } else {
    x.NotFired("CTIBL-03", x.Say<"CTIBL-03", "not_used">());
    const bool frax = (f.frax_mof && x.P<&CP::ctibl_frax_mof, "CTIBL-02">().Met(*f.frax_mof)) ||
                      (f.frax_hip && x.P<&CP::ctibl_frax_hip, "CTIBL-02">().Met(*f.frax_hip));
    if ((f.t_min && x.P<&CP::ctibl_tscore, "CTIBL-02">().MetTenths(*f.t_min)) || frax) {
      indicated = true;
      why = f.t_min && x.P<&CP::ctibl_tscore, "CTIBL-02">().MetTenths(*f.t_min)
                ? x.Say<"CTIBL-02", "tscore", "tscore">(Tn(*f.t_min))
                : x.Say<"CTIBL-02", "frax">();
    }
    x.Trace("CTIBL-02",
            indicated
                ? Outcome::kFired
                : (f.t_min || f.frax_present ? Outcome::kNotFired : Outcome::kInsufficientData),
            why);
  }
  x.Trace("D25", Outcome::kFired,
          x.P<&CP::ctibl, "CTIBL-02", "CTIBL-03", "D25">() == CtiblThreshold::kHadji17
              ? x.Say<"D25", "hadji">()
              : x.Say<"D25", "seed000">());
  if (!f.t_min) x.Missing("bmd", x.Say<"CTIBL-01", "needs_bmd">());
  if (indicated) {
    s.ctibl_indicated = true;
    s.ctibl_only = x.a.treatment_indicated != true;
    x.a.treatment_indicated = true;
    if (x.a.risk_tier == RiskTier::kNotIndicated || x.a.risk_tier == RiskTier::kIndeterminate)
      x.a.risk_tier = RiskTier::kHigh;
    if (x.verbose)
      x.a.treatment_reasons.push_back(
          St{"ctibl",
             x.Say<"CTIBL-01", "reason", "treatment", "finding">(who, why),
             {x.P<&CP::ctibl, "CTIBL-02", "CTIBL-03", "D25">() == CtiblThreshold::kHadji17 && ai
                  ? "CTIBL-03"
                  : "CTIBL-02",
              "CTIBL-01"}});
  }
}

const Topic kCancerTopic{"cancer", kRules};

}  // namespace bp::rules
