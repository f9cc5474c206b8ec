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
    x.Fired("CTIBL-04",
            "bone metastases, skeletal malignancy or myeloma: osteoporosis-dose "
            "rules do not apply");
    x.Refer(Destination::kOncology, Urgency::kRoutine,
            "Bone metastases, skeletal malignancy or myeloma: bone-targeted therapy "
            "is an oncology decision; osteoporosis-dose rules do not apply.",
            {"CTIBL-04", "REF-05"});
  } else {
    x.NotFired("CTIBL-04");
  }
  if (!ai && !ovarian && !adt) {
    for (std::string_view r : {"CTIBL-01", "CTIBL-02", "CTIBL-03", "D25"})
      x.NotFired(r, "no cancer-treatment bone loss population");
    return;
  }
  const char* who = ai        ? "aromatase inhibitor"
                    : ovarian ? "ovarian suppression"
                              : "androgen deprivation therapy";
  x.Fired("CTIBL-01", std::string("on ") + who);
  bool indicated = false;
  std::string why;
  if (x.P<&CP::ctibl, "CTIBL-02", "CTIBL-03", "D25">() == CtiblThreshold::kHadji17 && ai) {
    x.NotFired("CTIBL-02", "profile uses HADJI17 for aromatase inhibitors");
    int risk = 0;
    if (x.AgeKnown() && x.P<&CP::hadji_age, "CTIBL-03">().Met(x.Age())) ++risk;
    if (f.bmi && x.P<&CP::hadji_bmi, "CTIBL-03">().Met(*f.bmi)) ++risk;
    if (f.fragility_events) ++risk;
    if (f.gc_days_actual &&
        x.P<&CP::hadji_gc_months, "CTIBL-03">().Met(*f.gc_days_actual / 30.4375))
      ++risk;
    if (f.t_min && x.P<&CP::hadji_tscore, "CTIBL-03">().MetTenths(*f.t_min)) {
      indicated = true;
      if (x.verbose)
        why = "T-score " + Tn(*f.t_min) + " " + Desc(x.P<&CP::hadji_tscore, "CTIBL-03">(), "");
    } else if (f.t_min && x.P<&CP::hadji_tscore_with_risk, "CTIBL-03">().MetTenths(*f.t_min) &&
               risk >= 1) {
      indicated = true;
      if (x.verbose) why = "T-score " + Tn(*f.t_min) + " with " + Int(risk) + " risk factor(s)";
    } else if (!f.t_min && x.P<&CP::hadji_risk_factors, "CTIBL-03">().Met(risk)) {
      indicated = true;
      if (x.verbose) why = Int(risk) + " risk factors without BMD";
    }
    x.Trace(
        "CTIBL-03",
        indicated ? Outcome::kFired : (f.t_min ? Outcome::kNotFired : Outcome::kInsufficientData),
        why);
  } else {
    x.NotFired("CTIBL-03", "profile uses the seed-000 threshold");
    const bool frax = (f.frax_mof && x.P<&CP::ctibl_frax_mof, "CTIBL-02">().Met(*f.frax_mof)) ||
                      (f.frax_hip && x.P<&CP::ctibl_frax_hip, "CTIBL-02">().Met(*f.frax_hip));
    if ((f.t_min && x.P<&CP::ctibl_tscore, "CTIBL-02">().MetTenths(*f.t_min)) || frax) {
      indicated = true;
      if (x.verbose)
        why = f.t_min && x.P<&CP::ctibl_tscore, "CTIBL-02">().MetTenths(*f.t_min)
                  ? "T-score " + Tn(*f.t_min)
                  : "FRAX at treatment threshold";
    }
    x.Trace("CTIBL-02",
            indicated
                ? Outcome::kFired
                : (f.t_min || f.frax_present ? Outcome::kNotFired : Outcome::kInsufficientData),
            why);
  }
  x.Trace("D25", Outcome::kFired,
          x.P<&CP::ctibl, "CTIBL-02", "CTIBL-03", "D25">() == CtiblThreshold::kHadji17
              ? "HADJI17 thresholds"
              : "seed-000 thresholds");
  if (!f.t_min) x.Missing("bmd", "cancer-treatment bone loss threshold (CTIBL-01..03)");
  if (indicated) {
    s.ctibl_indicated = true;
    s.ctibl_only = x.a.treatment_indicated != true;
    x.a.treatment_indicated = true;
    if (x.a.risk_tier == RiskTier::kNotIndicated || x.a.risk_tier == RiskTier::kIndeterminate)
      x.a.risk_tier = RiskTier::kHigh;
    x.a.treatment_reasons.push_back(
        St{"ctibl",
           std::string("Cancer-treatment-induced bone loss (") + who + ", " + why +
               "): treatment indicated for the duration of therapy.",
           {x.P<&CP::ctibl, "CTIBL-02", "CTIBL-03", "D25">() == CtiblThreshold::kHadji17 && ai
                ? "CTIBL-03"
                : "CTIBL-02",
            "CTIBL-01"}});
  }
}

const Topic kCancerTopic{"cancer", kRules};

}  // namespace bp::rules
