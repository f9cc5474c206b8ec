// Vertebral compression fracture pathway.
#include "rules/steps.h"

namespace bp::rules {

namespace {

// The rules this topic implements (the registration: see Topic in steps.h).
constexpr std::string_view kRules[] = {"SEL-07", "VCF-01", "VCF-02", "VCF-03", "VCF-04",
                                       "VCF-05", "VCF-06", "VCF-07", "VCF-08", "VCF-09",
                                       "D19",    "D20",    "D21",    "D22"};
}  // namespace

// VCF pathway (seed 003 with ACR-AC-VCF corrections).
void Vertebral(Ctx& x, State& s) {
  const Facts& f = x.f;
  const Patient& p = x.p;
  const FractureEvent* vcf = nullptr;
  for (const auto& e : f.events)
    if (e.site == FractureSite::kVertebral &&
        (!vcf || (e.date && (!vcf->date || *e.date > *vcf->date))))
      vcf = &e;
  static constexpr std::string_view kVcf[] = {"VCF-01", "VCF-02", "VCF-03", "VCF-04", "VCF-05",
                                              "VCF-06", "VCF-07", "VCF-08", "VCF-09", "D19",
                                              "D20",    "D21",    "D22"};
  // The pathway is for a new or symptomatic fracture: one within the fracture-liaison window, or
  // one for which spine findings were recorded. An old healed fracture still counts for the
  // indication and the tier, not for spine referrals.
  if (vcf && !p.spine_recorded &&
      !(vcf->date && WithinMonths(*vcf->date, f.as_of, x.P<&CP::fls_window_months, "VCF-01">())))
    vcf = nullptr;
  if (!vcf) {
    const std::string none = x.Say<"VCF-01", "no_fracture">();
    for (std::string_view r : kVcf) x.NotFired(r, none);
    return;
  }
  const auto& sp = p.spine;
  const bool neuro = sp.neurological_deficit.value_or(false);
  const bool instab = sp.instability.value_or(false);
  // VCF-03R: malignancy red flags (incl. an active coded malignancy); fever alone is VCF-03b
  // (suspected spinal infection: spine surgery and infectious disease, not oncology).
  const bool coded_malignancy = f.HasActive(p, ConditionCode::kBoneMetastases) ||
                                f.HasActive(p, ConditionCode::kSkeletalMalignancy) ||
                                f.HasActive(p, ConditionCode::kMultipleMyeloma) ||
                                f.HasActive(p, ConditionCode::kProstateCancer) ||
                                f.HasActive(p, ConditionCode::kBreastCancer) ||
                                f.HasActive(p, ConditionCode::kActiveMalignancy);
  bool malignancy_flag = vcf->pathologic || coded_malignancy;
  for (auto rf : sp.red_flags)
    malignancy_flag = malignancy_flag || rf != RedFlag::kFeverOrInfection;
  const bool red = malignancy_flag || s.infection;
  const bool deformity = sp.deformity && *sp.deformity != Deformity::kNone;
  const bool worsening =
      sp.pain == SpinePain::kSevereWorsening || sp.pulmonary_dysfunction.value_or(false);
  const std::string fx = FxName(x, *vcf);
  if (!sp.neurological_deficit)
    x.Missing("spine.neurological_deficit", x.Say<"VCF-01", "needs_neuro">());
  if (neuro) {
    x.Fired("VCF-01", x.Say<"VCF-01", "fired", "fracture">(fx));
    x.Refer(Destination::kSpineSurgery, Urgency::kImmediate,
            x.Say<"VCF-01", "refer", "fracture">(fx), {"VCF-01", "PRE-12", "D19"});
    x.a.workup.push_back(St{"urgent_mri", x.Say<"VCF-01", "mri">(), {"VCF-01"}});
  } else {
    x.NotFired("VCF-01");
  }
  if (instab) {
    x.Fired("VCF-02", x.Say<"VCF-02", "fired">());
    x.Refer(Destination::kSpineSurgery, Urgency::kUrgent, x.Say<"VCF-02", "refer">(),
            {"VCF-02", "D19"});
  } else {
    x.NotFired("VCF-02");
  }
  if (red) {
    std::string flags;
    for (auto rf : sp.red_flags) {
      std::string said(ToString(rf));  // the red flag in words, not its code
      std::replace(said.begin(), said.end(), '_', ' ');
      flags += (flags.empty() ? "" : ", ") + said;
    }
    if (coded_malignancy)
      flags += (flags.empty() ? "" : ", ") + x.Say<"VCF-03", "active_malignancy">();
    if (flags.empty()) flags = x.Say<"VCF-03", "pathologic">();
    x.Fired("VCF-03", x.Say<"VCF-03", "fired", "flags">(flags));
    if (malignancy_flag)
      x.Refer(Destination::kOncology, Urgency::kUrgent,
              x.Say<"VCF-03", "refer_oncology", "flags">(flags), {"VCF-03", "REF-05"});
    if (neuro || instab)
      x.Refer(Destination::kSpineSurgery, Urgency::kUrgent, x.Say<"VCF-03", "refer_spine">(),
              {"VCF-03"});
    x.a.workup.push_back(St{"mri_contrast", x.Say<"VCF-03", "mri">(), {"VCF-03"}});
    x.Warn("pathologic_fracture_suspected", Severity::kCritical,
           x.Say<"VCF-03", "warning", "flags">(flags), {"VCF-03", "RISK-04"});
  } else {
    x.NotFired("VCF-03");
    x.Fired("VCF-04", x.Say<"VCF-04", "fired">());
    x.a.workup.push_back(St{"mri", x.Say<"VCF-04", "mri">(), {"VCF-04"}});
  }
  const bool persistent =
      sp.pain == SpinePain::kPersistent || sp.pain == SpinePain::kSevereWorsening;
  const bool long_enough =
      sp.weeks_of_conservative_care &&
      x.P<&CP::va_min_pain_weeks, "VCF-05", "D20">().Met(*sp.weeks_of_conservative_care);
  if (persistent && long_enough && !neuro && !instab && !red) {
    const auto weeks = Num(*sp.weeks_of_conservative_care, 0);
    x.Fired("VCF-05", x.Say<"VCF-05", "fired", "weeks">(weeks));
    x.Refer(Destination::kInterventionalRadiology, Urgency::kRoutine,
            x.Say<"VCF-05", "refer", "weeks">(weeks), {"VCF-05", "D19", "D20"});
    x.Refer(Destination::kPainManagement, Urgency::kRoutine, x.Say<"VCF-05", "refer_pain">(),
            {"VCF-05"});
    x.Warn("vertebral_augmentation_evidence", Severity::kInfo, x.Say<"D20", "warning">(),
           {"D20", "VCF-05"});
    x.Fired("D20", x.Say<"D20", "fired">());
  } else {
    x.NotFired("VCF-05");
    x.NotFired("D20");
    if (persistent && !sp.weeks_of_conservative_care)
      x.Missing("spine.weeks_of_conservative_care", x.Say<"VCF-05", "needs_weeks">());
  }
  if (deformity && worsening && !red) {
    x.Fired("VCF-06", x.Say<"VCF-06", "fired">());
    x.Refer(Destination::kInterventionalRadiology, Urgency::kRoutine, x.Say<"VCF-06", "refer">(),
            {"VCF-06", "D19"});
    if (x.P<&CP::surgery_referral_for_deformity, "VCF-06", "D19">())
      x.Refer(Destination::kSpineSurgery, Urgency::kRoutine, x.Say<"VCF-06", "refer_surgery">(),
              {"VCF-06", "D19"});
  } else {
    x.NotFired("VCF-06");
  }
  x.Trace("D19", Outcome::kFired, x.Say<"D19", "fired">());
  const bool recent =
      vcf->date &&
      WithinMonths(*vcf->date, f.as_of,
                   static_cast<int>(x.P<&CP::vcf_conservative_max_months, "VCF-07">().value));
  if (!neuro && !instab && !red && (!deformity) && sp.pain != SpinePain::kPersistent &&
      sp.pain != SpinePain::kSevereWorsening) {
    x.Fired("VCF-07", x.Say<"VCF-07", "fired">());
    x.a.adjuncts.push_back(St{"vcf_conservative",
                              recent ? x.Say<"VCF-07", "recent">() : x.Say<"VCF-07", "older">(),
                              {"VCF-07"}});
  } else {
    x.NotFired("VCF-07");
  }
  // VCF-08 calcitonin.
  if (vcf->date && !neuro &&
      x.P<&CP::calcitonin_max_days, "SEL-07", "VCF-08", "D21">().Met(
          DaysBetween(*vcf->date, f.as_of))) {
    x.Fired("VCF-08", x.Say<"VCF-08", "fired", "days">(Int(DaysBetween(*vcf->date, f.as_of))));
    x.Fired("D21", x.Say<"D21", "fired">());
    x.a.adjuncts.push_back(
        St{"calcitonin", x.Say<"VCF-08", "adjunct">(), {"VCF-08", "SEL-07", "D21"}});
    x.Warn("calcitonin_malignancy_risk", Severity::kInfo, x.Say<"VCF-08", "warning">(),
           {"VCF-08", "SEL-07"});
  } else {
    x.NotFired("VCF-08");
    x.NotFired("D21");
  }
  // VCF-09 nerve-root block for L3/L4.
  const bool l34 = vcf->level == "L3" || vcf->level == "L4";
  if (l34 && persistent) {
    x.Fired("VCF-09", x.Say<"VCF-09", "fired">());
    x.Fired("D22", x.Say<"D22", "fired">());
    x.Refer(Destination::kPainManagement, Urgency::kRoutine, x.Say<"VCF-09", "refer">(),
            {"VCF-09", "D22"});
  } else {
    x.NotFired("VCF-09");
    x.NotFired("D22");
  }
  (void)s;
}

const Topic kVertebralTopic{"vertebral", kRules};

}  // namespace bp::rules
