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
    for (std::string_view r : kVcf) x.NotFired(r, "no new or symptomatic vertebral fracture");
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
  const std::string fx = FxName(*vcf);
  if (!sp.neurological_deficit)
    x.Missing("spine.neurological_deficit",
              "urgent spine surgery referral (VCF-01) and infusion deferral (PRE-12)");
  if (neuro) {
    x.Fired("VCF-01", "neurological deficit with " + fx);
    x.Refer(Destination::kSpineSurgery, Urgency::kImmediate,
            "Vertebral fracture (" + fx +
                ") with a neurological deficit: same-day spine surgery or neurosurgery "
                "assessment and urgent MRI; osteoporosis drugs deferred.",
            {"VCF-01", "PRE-12", "D19"});
    x.a.workup.push_back(
        St{"urgent_mri", "Urgent MRI of the spine (neurological deficit).", {"VCF-01"}});
  } else {
    x.NotFired("VCF-01");
  }
  if (instab) {
    x.Fired("VCF-02", "spinal instability");
    x.Refer(Destination::kSpineSurgery, Urgency::kUrgent,
            "Spinal instability or cord compromise on imaging: urgent surgical evaluation.",
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
    if (coded_malignancy) flags += std::string(flags.empty() ? "" : ", ") + "active malignancy";
    if (flags.empty()) flags = "suspected pathologic fracture";
    x.Fired("VCF-03", flags);
    if (malignancy_flag)
      x.Refer(Destination::kOncology, Urgency::kUrgent,
              "Vertebral fracture with red flags (" + flags + "): possible malignancy.",
              {"VCF-03", "REF-05"});
    if (neuro || instab)
      x.Refer(Destination::kSpineSurgery, Urgency::kUrgent,
              "Possible pathologic vertebral fracture with neurological deficit or instability.",
              {"VCF-03"});
    x.a.workup.push_back(St{"mri_contrast",
                            "MRI of the whole spine with and without IV contrast (red flags for "
                            "malignancy or infection).",
                            {"VCF-03"}});
    x.Warn("pathologic_fracture_suspected", Severity::kCritical,
           "Possibly pathologic vertebral fracture (" + flags +
               "): exclude malignancy or infection before osteoporosis treatment.",
           {"VCF-03", "RISK-04"});
  } else {
    x.NotFired("VCF-03");
    x.Fired("VCF-04", "new vertebral fracture without known malignancy");
    x.a.workup.push_back(St{"mri",
                            "MRI of the spine without IV contrast (CT without contrast if MRI is "
                            "contraindicated) to confirm and date the fracture.",
                            {"VCF-04"}});
  }
  const bool persistent =
      sp.pain == SpinePain::kPersistent || sp.pain == SpinePain::kSevereWorsening;
  const bool long_enough =
      sp.weeks_of_conservative_care &&
      x.P<&CP::va_min_pain_weeks, "VCF-05", "D20">().Met(*sp.weeks_of_conservative_care);
  if (persistent && long_enough && !neuro && !instab && !red) {
    x.Fired("VCF-05", "pain persisting " + Num(*sp.weeks_of_conservative_care, 0) + " weeks");
    x.Refer(Destination::kInterventionalRadiology, Urgency::kRoutine,
            "Pain persisting " + Num(*sp.weeks_of_conservative_care, 0) +
                " weeks despite conservative care: evaluation for vertebral augmentation.",
            {"VCF-05", "D19", "D20"});
    x.Refer(Destination::kPainManagement, Urgency::kRoutine,
            "Persistent pain after a vertebral compression fracture.", {"VCF-05"});
    x.Warn("vertebral_augmentation_evidence", Severity::kInfo,
           "Vertebral augmentation: ACR rates it usually appropriate; AAOS recommends "
           "strongly against vertebroplasty and weakly for kyphoplasty. Share the decision.",
           {"D20", "VCF-05"});
    x.Fired("D20",
            "augmentation after " + Desc(x.P<&CP::va_min_pain_weeks, "VCF-05", "D20">(), "weeks"));
  } else {
    x.NotFired("VCF-05");
    x.NotFired("D20");
    if (persistent && !sp.weeks_of_conservative_care)
      x.Missing("spine.weeks_of_conservative_care", "vertebral augmentation referral (VCF-05)");
  }
  if (deformity && worsening && !red) {
    x.Fired("VCF-06", "deformity with worsening symptoms or pulmonary dysfunction");
    x.Refer(Destination::kInterventionalRadiology, Urgency::kRoutine,
            "Spinal deformity with worsening symptoms or pulmonary dysfunction: vertebral "
            "augmentation evaluation.",
            {"VCF-06", "D19"});
    if (x.P<&CP::surgery_referral_for_deformity, "VCF-06", "D19">())
      x.Refer(Destination::kSpineSurgery, Urgency::kRoutine,
              "Deformity: orthopedic or neurosurgical opinion (seed 003 profile).",
              {"VCF-06", "D19"});
  } else {
    x.NotFired("VCF-06");
  }
  x.Trace("D19", Outcome::kFired, "urgent surgery only for neurological deficit or instability");
  const bool recent =
      vcf->date &&
      WithinMonths(*vcf->date, f.as_of,
                   static_cast<int>(x.P<&CP::vcf_conservative_max_months, "VCF-07">().value));
  if (!neuro && !instab && !red && (!deformity) && sp.pain != SpinePain::kPersistent &&
      sp.pain != SpinePain::kSevereWorsening) {
    x.Fired("VCF-07", "conservative care");
    x.a.adjuncts.push_back(St{
        "vcf_conservative",
        std::string("Conservative care for the vertebral fracture (analgesia, early mobilisation, "
                    "bracing as needed) with osteoporosis management; reassess at 4-6 weeks") +
            (recent ? "; image again if symptoms persist beyond 8 weeks." : "."),
        {"VCF-07"}});
  } else {
    x.NotFired("VCF-07");
  }
  // VCF-08 calcitonin.
  if (vcf->date && !neuro &&
      x.P<&CP::calcitonin_max_days, "SEL-07", "VCF-08", "D21">().Met(
          DaysBetween(*vcf->date, f.as_of))) {
    x.Fired("VCF-08", "fracture " + Int(DaysBetween(*vcf->date, f.as_of)) +
                          " days old, neurologically intact");
    x.Fired("D21", "calcitonin optional for pain, never as osteoporosis treatment");
    x.a.adjuncts.push_back(St{"calcitonin",
                              "Calcitonin for 4 weeks is an option for acute fracture pain (AAOS "
                              "moderate recommendation); not an osteoporosis treatment.",
                              {"VCF-08", "SEL-07", "D21"}});
    x.Warn("calcitonin_malignancy_risk", Severity::kInfo,
           "Calcitonin: regulators flagged a malignancy risk with long-term use; "
           "limit to 4 weeks for acute pain.",
           {"VCF-08", "SEL-07"});
  } else {
    x.NotFired("VCF-08");
    x.NotFired("D21");
  }
  // VCF-09 nerve-root block for L3/L4.
  const bool l34 = vcf->level == "L3" || vcf->level == "L4";
  if (l34 && persistent) {
    x.Fired("VCF-09", "L3/L4 fracture with persistent pain");
    x.Fired("D22", "nerve-root block restricted to L3/L4");
    x.Refer(Destination::kPainManagement, Urgency::kRoutine,
            "L3/L4 fracture with persistent pain: an L2 nerve-root block may be considered (AAOS "
            "weak).",
            {"VCF-09", "D22"});
  } else {
    x.NotFired("VCF-09");
    x.NotFired("D22");
  }
  (void)s;
}

const Topic kVertebralTopic{"vertebral", kRules};

}  // namespace bp::rules
