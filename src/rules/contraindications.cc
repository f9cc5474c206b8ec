// Contraindications and agents to avoid.
#include "rules/steps.h"

namespace bp::rules {

namespace {

// The rules this topic implements (the registration: see Topic in steps.h).
constexpr std::string_view kRules[] = {"SEL-03", "SEL-08", "CI-01", "CI-02",  "CI-03",  "CI-04",
                                       "CI-05",  "CI-06",  "CI-07", "CI-08",  "CI-09",  "CI-10",
                                       "CI-11",  "CI-12",  "CI-13", "SEQ-02", "SEQ-03", "SEQ-04",
                                       "D4",     "D5",     "D11",   "D30"};
}  // namespace

// CI: contraindications and cautions, per agent.
void Contraindications(Ctx& x, State& s) {
  const Facts& f = x.f;
  const Patient& p = x.p;
  const bool pregnant = x.f.HasActive(p, ConditionCode::kPregnancy);
  const bool aki = x.f.HasActive(p, ConditionCode::kAcuteKidneyInjury);
  const bool esophageal = x.f.HasActive(p, ConditionCode::kEsophagealDisorder);
  const bool upright =
      p.oral_bisphosphonate_barriers.cannot_remain_upright_30_60_min.value_or(false);
  const bool oral_intol =
      HasIntolerance(p, Intolerance::kOralBisphosphonate) ||
      std::any_of(p.medications.begin(), p.medications.end(), [](const Medication& m) {
        return IsOralBisphosphonate(m) && m.status == MedStatus::kStopped &&
               (m.stop_reason == StopReason::kIntolerance ||
                m.stop_reason == StopReason::kAdverseEvent);
      });

  // CI-13 / CI-02..04: oral bisphosphonates.
  if (esophageal || upright) {
    const std::string t = esophageal ? x.Say<"CI-13", "esophageal">() : x.Say<"CI-13", "upright">();
    x.Fired("CI-13", t);
    const std::string block = x.Say<"CI-13", "block", "reason">(t);
    for (const char* a : {"alendronate", "risedronate", "ibandronate_oral"})
      x.AvoidAgent(a, block, {"CI-13", a[0] == 'a' ? "CI-02" : a[0] == 'r' ? "CI-03" : "CI-04"});
  } else {
    x.NotFired("CI-13");
  }
  if (oral_intol) {
    const std::string t = x.Say<"SEL-03", "intolerance">();
    for (const char* a : {"alendronate", "risedronate", "ibandronate_oral"})
      x.AvoidAgent(a, t, {"SEL-03"});
  }
  bool oral_renal = false;
  if (f.crcl) {
    const Cat crcl = Num(*f.crcl);
    // Each drug's own label threshold (D11), said with the parameter it compared.
    if (x.P<&CP::alendronate_crcl, "CI-02", "D11">().Met(*f.crcl)) {
      oral_renal = true;
      x.AvoidAgent("alendronate", x.Say<"CI-02", "renal", "crcl">(crcl), {"CI-02", "D11", "D30"});
    }
    if (x.P<&CP::risedronate_crcl, "CI-03", "D11">().Met(*f.crcl)) {
      oral_renal = true;
      x.AvoidAgent("risedronate", x.Say<"CI-03", "renal", "crcl">(crcl), {"CI-03", "D11", "D30"});
    }
    if (x.P<&CP::ibandronate_crcl, "CI-04", "CI-05", "D11">().Met(*f.crcl)) {
      oral_renal = true;
      x.AvoidAgent("ibandronate_oral", x.Say<"CI-04", "renal", "crcl">(crcl),
                   {"CI-04", "D11", "D30"});
      x.AvoidAgent("ibandronate_iv", x.Say<"CI-05", "renal", "crcl">(crcl),
                   {"CI-05", "D11", "D30"});
    }
  }
  x.Trace("CI-02", (esophageal || upright ||
                    (f.crcl && x.P<&CP::alendronate_crcl, "CI-02", "D11">().Met(*f.crcl)))
                       ? Outcome::kFired
                       : Outcome::kNotFired);
  x.Trace("CI-03", (esophageal || upright ||
                    (f.crcl && x.P<&CP::risedronate_crcl, "CI-03", "D11">().Met(*f.crcl)))
                       ? Outcome::kFired
                       : Outcome::kNotFired);
  x.Trace("CI-04", (esophageal || upright ||
                    (f.crcl && x.P<&CP::ibandronate_crcl, "CI-04", "CI-05", "D11">().Met(*f.crcl)))
                       ? Outcome::kFired
                       : Outcome::kNotFired);
  x.Trace("CI-05", (f.crcl && x.P<&CP::ibandronate_crcl, "CI-04", "CI-05", "D11">().Met(*f.crcl))
                       ? Outcome::kFired
                       : Outcome::kNotFired);
  x.Trace("D11", Outcome::kFired, x.Say<"D11", "fired">());
  x.Trace("D30", oral_renal ? Outcome::kFired : Outcome::kNotFired, x.Say<"D30", "fired">());

  // SEL-03 reasons oral bisphosphonates are unsuitable.
  auto add_unsuit = [&](std::string why, const char* rule) {
    s.oral_unsuitable = true;
    if (!x.verbose) return;
    s.oral_unsuitable_reasons.push_back(std::move(why));
    if (std::find(s.oral_unsuitable_rules.begin(), s.oral_unsuitable_rules.end(), rule) ==
        s.oral_unsuitable_rules.end())
      s.oral_unsuitable_rules.push_back(rule);
  };
  bool medical_unsuitable = false;
  if (esophageal)
    add_unsuit(x.Say<"CI-13", "unsuitable_esophageal">(), "CI-13"), medical_unsuitable = true;
  if (upright) add_unsuit(x.Say<"CI-13", "upright">(), "CI-13"), medical_unsuitable = true;
  if (x.f.HasActive(p, ConditionCode::kUpperGiDisorder))
    add_unsuit(x.Say<"SEL-03", "upper_gi">(), "SEL-03"), medical_unsuitable = true;
  if (x.f.HasActive(p, ConditionCode::kMalabsorption) ||
      x.f.HasActive(p, ConditionCode::kCeliacDisease) ||
      x.f.HasActive(p, ConditionCode::kBariatricSurgery) ||
      FindCondition(p, ConditionCode::kBariatricSurgery, false))
    add_unsuit(x.Say<"SEL-03", "malabsorption">(), "SEL-03"), medical_unsuitable = true;
  if (oral_intol) add_unsuit(x.Say<"SEL-03", "intolerance">(), "SEL-03"), medical_unsuitable = true;
  if (p.oral_bisphosphonate_barriers.cannot_follow_dosing_instructions.value_or(false))
    add_unsuit(x.Say<"SEL-03", "instructions">(), "SEL-03");
  if (p.oral_bisphosphonate_barriers.adherence_concern.value_or(false))
    add_unsuit(x.Say<"SEL-03", "adherence">(), "SEL-03");
  if (p.prefers_annual_infusion.value_or(false)) add_unsuit(x.Say<"SEL-03", "annual">(), "SEL-03");
  if (medical_unsuitable) {
    std::string t;
    for (const auto& r : s.oral_unsuitable_reasons) t += (t.empty() ? "" : ", ") + r;
    x.Warn("oral_bisphosphonate_unsuitable", Severity::kWarning,
           x.Say<"SEL-03", "warning", "reasons">(t), s.oral_unsuitable_rules);
  }
  // Oral candidates still usable (renal may allow risedronate when alendronate is not).
  for (std::string_view a : {std::string_view("alendronate"), std::string_view("risedronate")})
    if (!x.Avoided(a)) s.oral_candidates.push_back(a);
  s.oral_candidates_any = !s.oral_candidates.empty() && !s.oral_unsuitable;

  // CI-01: zoledronic acid.
  const bool za_renal = f.crcl && x.P<&CP::za_crcl, "CI-01", "D11", "D30">().Met(*f.crcl);
  const bool za_intolerance = HasIntolerance(p, Intolerance::kZoledronicAcid);
  if (za_renal || aki || za_intolerance || pregnant) {
    s.za_contraindicated = true;
    x.MarkAvoided("zoledronic_acid");
  }
  if (s.za_contraindicated && x.verbose) {
    std::vector<std::string> za;
    RuleIds za_rules = {"CI-01"};
    if (za_renal) {
      za.push_back(x.Say<"CI-01", "renal", "crcl">(Num(*f.crcl)));
      za_rules.push_back("PRE-01");
      za_rules.push_back("D11");
    }
    if (aki) za.push_back(x.Say<"CI-01", "aki">());
    if (za_intolerance) za.push_back(x.Say<"CI-01", "intolerance">()), za_rules.push_back("PRE-06");
    if (pregnant)
      za.push_back(x.Say<"CI-01", "pregnancy">()), za_rules.push_back("CI-12"),
          za_rules.push_back("PRE-05");
    for (const auto& z : za) s.za_contra_text += (s.za_contra_text.empty() ? "" : ", ") + z;
    s.za_contra_rules = za_rules;
    x.Fired("CI-01", s.za_contra_text);
    x.AvoidAgent("zoledronic_acid", x.Say<"CI-01", "block", "reasons">(s.za_contra_text), za_rules);
  } else if (s.za_contraindicated) {
  } else {
    x.Trace(
        "CI-01", f.crcl ? Outcome::kNotFired : Outcome::kInsufficientData,
        f.crcl ? x.Say<"CI-01", "crcl", "crcl">(Num(*f.crcl)) : x.Say<"CI-01", "crcl_unknown">());
  }
  if (za_renal || aki)
    x.Warn("zoledronic_acid_renal_contraindication", Severity::kCritical,
           za_renal ? x.Say<"CI-01", "warning_renal", "crcl">(Num(*f.crcl))
                    : x.Say<"CI-01", "warning_aki">(),
           {"CI-01", "PRE-01"});
  // Renal borderline (PRE-01): CrCl within the band of the first threshold it is near, said
  // with that threshold's parameter.
  if (f.crcl) {
    const double band = x.P<&CP::crcl_borderline_band, "CI-01", "PRE-01">();
    auto near = [&](const Threshold& t) { return std::abs(*f.crcl - t.value) <= band; };
    const Cat crcl = Num(*f.crcl);
    std::string said;
    bool borderline = true;
    if (near(x.P<&CP::za_crcl, "CI-01", "PRE-01">()))
      said = x.Say<"PRE-01", "borderline_za", "crcl">(crcl);
    else if (near(x.P<&CP::alendronate_crcl, "PRE-01">()))
      said = x.Say<"PRE-01", "borderline_alendronate", "crcl">(crcl);
    else if (near(x.P<&CP::risedronate_crcl, "PRE-01">()))
      said = x.Say<"PRE-01", "borderline_risedronate", "crcl">(crcl);
    else
      borderline = false;
    if (borderline) x.Warn("renal_function_borderline", Severity::kWarning, said, {"PRE-01"});
  }

  // CI-06 / CI-12: denosumab.
  if (HasIntolerance(p, Intolerance::kDenosumab))
    x.AvoidAgent("denosumab", x.Say<"CI-06", "block_intolerance">(), {"CI-06"});
  if (pregnant) x.AvoidAgent("denosumab", x.Say<"CI-06", "block_pregnancy">(), {"CI-06", "CI-12"});
  x.Trace("CI-06", x.Avoided("denosumab") ? Outcome::kFired : Outcome::kNotFired);
  x.Trace("CI-12", pregnant ? Outcome::kFired : Outcome::kNotFired);

  // CI-07 / SEQ-02: romosozumab.
  // The block is decided by the flag; the events are said only when the run is verbose.
  bool romo_cv = false;
  std::string romo;
  for (ConditionCode cv : {ConditionCode::kMyocardialInfarction, ConditionCode::kStroke}) {
    const Condition* cond = FindCondition(p, cv, false);
    if (!cond) continue;
    const bool undated = !cond->onset && cond->active;
    if (!undated &&
        !(cond->onset && WithinMonths(*cond->onset, f.as_of, x.P<&CP::romo_cv_months, "CI-07">())))
      continue;
    romo_cv = true;
    const std::string name = cv == ConditionCode::kStroke
                                 ? x.Say<"CI-07", "stroke">()
                                 : x.Say<"CI-07", "myocardial_infarction">();
    if (!romo.empty()) romo += "; ";
    romo += undated ? x.Say<"CI-07", "undated", "event">(name)
                    : x.Say<"CI-07", "dated", "event", "date">(name, Dt(cond->onset));
  }
  if (romo_cv) {
    x.AvoidAgent("romosozumab", x.Say<"CI-07", "block", "events">(romo), {"CI-07"});
    x.Warn("romosozumab_cardiovascular_contraindication", Severity::kCritical,
           x.Say<"CI-07", "warning", "events">(romo), {"CI-07"});
  }
  if (!f.female || f.menopause == Menopause::kPre)
    x.AvoidAgent("romosozumab",
                 f.male ? x.Say<"CI-07", "men">() : x.Say<"CI-07", "not_postmenopausal">(),
                 {"CI-07", "SEL-08"});
  if (HasIntolerance(p, Intolerance::kRomosozumab))
    x.AvoidAgent("romosozumab", x.Say<"CI-07", "block_hypersensitivity">(), {"CI-07"});
  int romo_doses = 0;
  for (const auto& m : p.medications)
    if (m.agent == Agent::kRomosozumab && m.doses_received) romo_doses += *m.doses_received;
  if (x.P<&CP::romo_max_doses, "CI-07", "SEQ-02">().Met(romo_doses)) {
    x.AvoidAgent("romosozumab", x.Say<"SEQ-02", "block", "doses">(Int(romo_doses)), {"SEQ-02"});
    x.Fired("SEQ-02", x.Say<"SEQ-02", "fired", "doses">(Int(romo_doses)));
  } else {
    x.NotFired("SEQ-02");
  }
  x.Trace("CI-07", x.Avoided("romosozumab") ? Outcome::kFired : Outcome::kNotFired);
  x.Trace("SEL-08", f.male ? Outcome::kFired : Outcome::kNotFired,
          f.male ? x.Say<"SEL-08", "fired">() : std::string());

  // CI-08 / CI-09 / SEQ-03 / SEQ-04: PTH analogs.
  // The avoidance is decided by the flag; the reasons are said only when the run is verbose.
  bool pth_avoid = false;
  std::string pth;
  auto pth_reason = [&](std::string said) {
    pth_avoid = true;
    if (!pth.empty()) pth += ", ";
    pth += said;
  };
  if (x.f.HasActive(p, ConditionCode::kOpenEpiphyses))
    pth_reason(x.Say<"CI-08", "open_epiphyses">());
  if (x.f.HasActive(p, ConditionCode::kPagetDisease)) pth_reason(x.Say<"CI-08", "paget">());
  if (x.f.HasActive(p, ConditionCode::kBoneMetastases) ||
      x.f.HasActive(p, ConditionCode::kSkeletalMalignancy) ||
      x.f.HasActive(p, ConditionCode::kMultipleMyeloma))
    pth_reason(x.Say<"CI-08", "skeletal_malignancy">());
  if (FindCondition(p, ConditionCode::kPriorSkeletalRadiation, false))
    pth_reason(x.Say<"CI-08", "radiation">());
  if (x.f.HasActive(p, ConditionCode::kHereditaryOsteosarcomaRisk))
    pth_reason(x.Say<"CI-08", "osteosarcoma_risk">());
  if (x.f.HasActive(p, ConditionCode::kHypophosphatasia))
    pth_reason(x.Say<"CI-08", "metabolic_bone_disease">());
  if (pth_avoid) {
    x.AvoidAgent("teriparatide", x.Say<"CI-08", "avoid", "reasons">(pth), {"CI-08", "D5"});
    x.AvoidAgent("abaloparatide", x.Say<"CI-09", "avoid", "reasons">(pth), {"CI-09", "D5"});
    x.Warn("pth_analog_contraindication", Severity::kWarning,
           x.Say<"CI-08", "warning", "reasons">(pth), {"CI-08", "CI-09"});
  }
  if (s.pathologic) {
    x.AvoidAgent("teriparatide", x.Say<"CI-08", "pathologic">(), {"VCF-03", "CI-08"});
    x.AvoidAgent("abaloparatide", x.Say<"CI-09", "pathologic">(), {"VCF-03", "CI-09"});
  }
  if (s.malignancy) {
    x.AvoidAgent("teriparatide", x.Say<"CI-08", "malignancy">(), {"CTIBL-04", "CI-08"});
    x.AvoidAgent("abaloparatide", x.Say<"CI-09", "malignancy">(), {"CTIBL-04", "CI-09"});
  }
  if (x.f.HasActive(p, ConditionCode::kHyperparathyroidism))
    x.AvoidAgent("abaloparatide", x.Say<"CI-09", "hyperparathyroidism">(), {"CI-09"});
  if (HasIntolerance(p, Intolerance::kTeriparatide))
    x.AvoidAgent("teriparatide", x.Say<"CI-08", "block_hypersensitivity">(), {"CI-08"});
  if (HasIntolerance(p, Intolerance::kAbaloparatide))
    x.AvoidAgent("abaloparatide", x.Say<"CI-09", "block_hypersensitivity">(), {"CI-09"});
  double tptd_months = 0, abl_months = 0;
  for (const auto& m : p.medications) {
    if (m.agent != Agent::kTeriparatide && m.agent != Agent::kAbaloparatide) continue;
    if (!m.start || m.status == MedStatus::kPlanned) continue;
    const Date until = m.end ? std::min(*m.end, f.as_of) : f.as_of;
    const double months = CompletedMonths(*m.start, until);
    (m.agent == Agent::kTeriparatide ? tptd_months : abl_months) += months;
  }
  if (x.P<&CP::abl_max_months, "CI-09", "SEQ-04", "D4">().Met(tptd_months + abl_months)) {
    const Cat months = Num(tptd_months + abl_months);
    x.AvoidAgent("abaloparatide", x.Say<"SEQ-04", "block", "months">(months),
                 {"SEQ-04", "CI-09", "D4"});
    x.Fired("SEQ-04", x.Say<"SEQ-04", "fired", "months">(months));
  } else {
    x.NotFired("SEQ-04");
  }
  if (x.P<&CP::tptd_max_months, "SEQ-03", "D4">().Met(tptd_months + abl_months)) {
    x.Fired("SEQ-03", x.Say<"SEQ-03", "fired", "months">(Num(tptd_months + abl_months)));
    x.Warn("teriparatide_beyond_24_months", Severity::kWarning, x.Say<"SEQ-03", "warning">(),
           {"SEQ-03", "D4"});
  } else {
    x.NotFired("SEQ-03");
  }
  x.Trace("D4", (tptd_months + abl_months) > 0 ? Outcome::kFired : Outcome::kNotFired,
          x.Say<"D4", "fired">());
  x.Trace("CI-08", x.Avoided("teriparatide") ? Outcome::kFired : Outcome::kNotFired);
  x.Trace("CI-09", x.Avoided("abaloparatide") ? Outcome::kFired : Outcome::kNotFired);
  x.Trace("D5", pth_avoid ? Outcome::kFired : Outcome::kNotFired, x.Say<"D5", "fired">());

  // CI-10: raloxifene.
  if (FindCondition(p, ConditionCode::kVenousThromboembolism, false))
    x.AvoidAgent("raloxifene", x.Say<"CI-10", "vte">(), {"CI-10"});
  if (pregnant) x.AvoidAgent("raloxifene", x.Say<"CI-10", "pregnancy">(), {"CI-10"});
  x.Trace("CI-10", x.Avoided("raloxifene") ? Outcome::kFired : Outcome::kNotFired);

  // CI-11: hypocalcemia gate.
  if (f.hypocalcemia) {
    x.Fired("CI-11", x.Say<"CI-11", "fired">());
    x.Warn("hypocalcemia_correct_before_antiresorptive", Severity::kCritical,
           f.ionized_calcium
               ? x.Say<"CI-11", "warning_ionized", "calcium">(Num(f.ionized_calcium->value, 2))
           : f.corrected_calcium
               ? x.Say<"CI-11", "warning_corrected", "calcium">(Num(*f.corrected_calcium, 2))
               : x.Say<"CI-11", "warning_recorded">(),
           {"CI-11", "CALC-04", "PRE-02"});
  } else {
    x.Trace("CI-11", f.calcium_known ? Outcome::kNotFired : Outcome::kInsufficientData,
            f.calcium_known ? std::string() : x.Say<"CI-11", "unknown">());
  }
  // CI-06b: denosumab in advanced CKD (evaluated where denosumab is in play, below).
  // CI-06c monitoring in predisposed patients: see Monitoring().
}

const Topic kContraindicationsTopic{"contraindications", kRules};

}  // namespace bp::rules
