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
    const char* t = esophageal ? "esophageal disorder delaying emptying (stricture, achalasia)"
                               : "cannot remain upright for 30-60 minutes";
    x.Fired("CI-13", t);
    for (const char* a : {"alendronate", "risedronate", "ibandronate_oral"})
      x.AvoidAgent(a, std::string("BLOCK: ") + t,
                   {"CI-13", a[0] == 'a'   ? "CI-02"
                             : a[0] == 'r' ? "CI-03"
                                           : "CI-04"});
  } else {
    x.NotFired("CI-13");
  }
  if (oral_intol) {
    for (const char* a : {"alendronate", "risedronate", "ibandronate_oral"})
      x.AvoidAgent(a, "documented intolerance of oral bisphosphonates", {"SEL-03"});
  }
  bool oral_renal = false;
  if (f.crcl) {
    struct {
      const char* agent;
      const Threshold* t;
      const char* rule;
    } renal[] = {
        {"alendronate", &x.P<&CP::alendronate_crcl, "CI-02", "D11">(), "CI-02"},
        {"risedronate", &x.P<&CP::risedronate_crcl, "CI-03", "D11">(), "CI-03"},
        {"ibandronate_oral", &x.P<&CP::ibandronate_crcl, "CI-04", "CI-05", "D11">(), "CI-04"},
        {"ibandronate_iv", &x.P<&CP::ibandronate_crcl, "CI-04", "CI-05", "D11">(), "CI-05"}};
    for (const auto& r : renal) {
      if (r.t->Met(*f.crcl)) {
        oral_renal = true;
        x.AvoidAgent(
            r.agent,
            "BLOCK (not recommended): CrCl " + Num(*f.crcl) + " mL/min " + Desc(*r.t, "mL/min"),
            {r.rule, "D11", "D30"});
      }
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
  x.Trace("D11", Outcome::kFired, x.Texts().d11);
  x.Trace("D30", oral_renal ? Outcome::kFired : Outcome::kNotFired,
          "each drug's label value, not a 30-35 range");

  // SEL-03 reasons oral bisphosphonates are unsuitable.
  auto add_unsuit = [&](const char* why, const char* rule) {
    s.oral_unsuitable = true;
    if (!x.verbose) return;
    s.oral_unsuitable_reasons.push_back(why);
    if (std::find(s.oral_unsuitable_rules.begin(), s.oral_unsuitable_rules.end(), rule) ==
        s.oral_unsuitable_rules.end())
      s.oral_unsuitable_rules.push_back(rule);
  };
  bool medical_unsuitable = false;
  if (esophageal)
    add_unsuit("esophageal disorder that delays emptying", "CI-13"), medical_unsuitable = true;
  if (upright)
    add_unsuit("cannot remain upright for 30-60 minutes", "CI-13"), medical_unsuitable = true;
  if (x.f.HasActive(p, ConditionCode::kUpperGiDisorder))
    add_unsuit("active upper-GI disease", "SEL-03"), medical_unsuitable = true;
  if (x.f.HasActive(p, ConditionCode::kMalabsorption) ||
      x.f.HasActive(p, ConditionCode::kCeliacDisease) ||
      x.f.HasActive(p, ConditionCode::kBariatricSurgery) ||
      FindCondition(p, ConditionCode::kBariatricSurgery, false))
    add_unsuit("malabsorption or bariatric surgery", "SEL-03"), medical_unsuitable = true;
  if (oral_intol)
    add_unsuit("documented intolerance of oral bisphosphonates", "SEL-03"),
        medical_unsuitable = true;
  if (p.oral_bisphosphonate_barriers.cannot_follow_dosing_instructions.value_or(false))
    add_unsuit("cannot follow the dosing instructions", "SEL-03");
  if (p.oral_bisphosphonate_barriers.adherence_concern.value_or(false))
    add_unsuit("adherence concern", "SEL-03");
  if (p.prefers_annual_infusion.value_or(false)) add_unsuit("prefers annual dosing", "SEL-03");
  if (medical_unsuitable) {
    std::string t;
    for (const auto& r : s.oral_unsuitable_reasons) t += (t.empty() ? "" : ", ") + r;
    x.Warn("oral_bisphosphonate_unsuitable", Severity::kWarning,
           "Oral bisphosphonates are unsuitable (" + t + "): consider IV zoledronic acid.",
           s.oral_unsuitable_rules);
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
      za.push_back("CrCl " + Num(*f.crcl) + " mL/min " +
                   Desc(x.P<&CP::za_crcl, "CI-01", "D11", "D30">(), "mL/min"));
      za_rules.push_back("PRE-01");
      za_rules.push_back("D11");
    }
    if (aki) za.push_back("acute renal impairment");
    if (za_intolerance)
      za.push_back("hypersensitivity or intolerance"), za_rules.push_back("PRE-06");
    if (pregnant)
      za.push_back("pregnancy"), za_rules.push_back("CI-12"), za_rules.push_back("PRE-05");
    for (const auto& z : za) s.za_contra_text += (s.za_contra_text.empty() ? "" : ", ") + z;
    s.za_contra_rules = za_rules;
    x.Fired("CI-01", s.za_contra_text);
    x.AvoidAgent("zoledronic_acid", "BLOCK: " + s.za_contra_text, za_rules);
  } else if (s.za_contraindicated) {
  } else {
    x.Trace("CI-01", f.crcl ? Outcome::kNotFired : Outcome::kInsufficientData,
            f.crcl ? "CrCl " + Num(*f.crcl) + " mL/min" : "CrCl unknown");
  }
  if ((f.crcl && x.P<&CP::za_crcl, "CI-01", "D11", "D30">().Met(*f.crcl)) || aki)
    x.Warn("zoledronic_acid_renal_contraindication", Severity::kCritical,
           "Zoledronic acid is contraindicated: " +
               (f.crcl && x.P<&CP::za_crcl, "CI-01", "D11", "D30">().Met(*f.crcl)
                    ? "Cockcroft-Gault CrCl " + Num(*f.crcl) + " mL/min " +
                          Desc(x.P<&CP::za_crcl, "CI-01", "D11", "D30">(), "mL/min")
                    : std::string("acute renal impairment")) +
               ".",
           {"CI-01", "PRE-01"});
  // Renal borderline (CrCl within the band of a threshold).
  if (f.crcl) {
    for (const Threshold* t : {&x.P<&CP::za_crcl, "CI-01", "D11", "D30">(),
                               &x.P<&CP::alendronate_crcl, "CI-02", "D11">(),
                               &x.P<&CP::risedronate_crcl, "CI-03", "D11">()}) {
      if (std::abs(*f.crcl - t->value) <= x.P<&CP::crcl_borderline_band, "CI-01", "PRE-01">()) {
        x.Warn("renal_function_borderline", Severity::kWarning,
               "CrCl " + Num(*f.crcl) + " mL/min is within " +
                   Num(x.P<&CP::crcl_borderline_band, "CI-01", "PRE-01">()) + " mL/min of the " +
                   Num(t->value, 0) +
                   " mL/min threshold: recheck creatinine, "
                   "hydrate, review nephrotoxic drugs.",
               {"PRE-01"});
        break;
      }
    }
  }

  // CI-06 / CI-12: denosumab.
  if (HasIntolerance(p, Intolerance::kDenosumab))
    x.AvoidAgent("denosumab", "BLOCK: hypersensitivity or intolerance", {"CI-06"});
  if (pregnant) x.AvoidAgent("denosumab", "BLOCK: pregnancy", {"CI-06", "CI-12"});
  x.Trace("CI-06", x.Avoided("denosumab") ? Outcome::kFired : Outcome::kNotFired);
  x.Trace("CI-12", pregnant ? Outcome::kFired : Outcome::kNotFired);

  // CI-07 / SEQ-02: romosozumab.
  std::string romo;
  for (ConditionCode cv : {ConditionCode::kMyocardialInfarction, ConditionCode::kStroke}) {
    const Condition* cond = FindCondition(p, cv, false);
    if (!cond) continue;
    const char* name = cv == ConditionCode::kStroke ? "stroke" : "myocardial infarction";
    if (!cond->onset) {
      if (cond->active)
        romo += std::string(romo.empty() ? "" : "; ") + name +
                " with no date recorded (cannot exclude the past " +
                Int(x.P<&CP::romo_cv_months, "CI-07">()) + " months)";
    } else if (WithinMonths(*cond->onset, f.as_of, x.P<&CP::romo_cv_months, "CI-07">())) {
      romo += std::string(romo.empty() ? "" : "; ") + name + " on " + Dt(cond->onset);
    }
  }
  if (!romo.empty()) {
    x.AvoidAgent("romosozumab", "BLOCK: " + romo, {"CI-07"});
    x.Warn("romosozumab_cardiovascular_contraindication", Severity::kCritical,
           "Romosozumab must not be started: " + romo + " (boxed warning: no initiation within " +
               Int(x.P<&CP::romo_cv_months, "CI-07">()) +
               " months of a myocardial infarction or stroke).",
           {"CI-07"});
  }
  if (!f.female || f.menopause == Menopause::kPre)
    x.AvoidAgent(
        "romosozumab",
        f.male ? "not labelled for men in the US" : "US indication: postmenopausal women only",
        {"CI-07", "SEL-08"});
  if (HasIntolerance(p, Intolerance::kRomosozumab))
    x.AvoidAgent("romosozumab", "BLOCK: hypersensitivity", {"CI-07"});
  int romo_doses = 0;
  for (const auto& m : p.medications)
    if (m.agent == Agent::kRomosozumab && m.doses_received) romo_doses += *m.doses_received;
  if (x.P<&CP::romo_max_doses, "CI-07", "SEQ-02">().Met(romo_doses)) {
    x.AvoidAgent("romosozumab",
                 "BLOCK: " + Int(romo_doses) + " doses received (maximum " +
                     Num(x.P<&CP::romo_max_doses, "CI-07", "SEQ-02">().value, 0) + ")",
                 {"SEQ-02"});
    x.Fired("SEQ-02", Int(romo_doses) + " romosozumab doses");
  } else {
    x.NotFired("SEQ-02");
  }
  x.Trace("CI-07", x.Avoided("romosozumab") ? Outcome::kFired : Outcome::kNotFired);
  x.Trace("SEL-08", f.male ? Outcome::kFired : Outcome::kNotFired,
          f.male ? "man: romosozumab excluded; abaloparatide, teriparatide, "
                   "zoledronic acid, denosumab, alendronate, risedronate labelled"
                 : "");

  // CI-08 / CI-09 / SEQ-03 / SEQ-04: PTH analogs.
  std::vector<std::string> pth;
  if (x.f.HasActive(p, ConditionCode::kOpenEpiphyses)) pth.push_back("open epiphyses");
  if (x.f.HasActive(p, ConditionCode::kPagetDisease)) pth.push_back("Paget's disease of bone");
  if (x.f.HasActive(p, ConditionCode::kBoneMetastases) ||
      x.f.HasActive(p, ConditionCode::kSkeletalMalignancy) ||
      x.f.HasActive(p, ConditionCode::kMultipleMyeloma))
    pth.push_back("bone metastases or skeletal malignancy");
  if (FindCondition(p, ConditionCode::kPriorSkeletalRadiation, false))
    pth.push_back("prior skeletal radiation");
  if (x.f.HasActive(p, ConditionCode::kHereditaryOsteosarcomaRisk))
    pth.push_back("hereditary osteosarcoma risk");
  if (x.f.HasActive(p, ConditionCode::kHypophosphatasia))
    pth.push_back("metabolic bone disease other than osteoporosis");
  if (!pth.empty()) {
    std::string t;
    for (const auto& r : pth) t += (t.empty() ? "" : ", ") + r;
    x.AvoidAgent("teriparatide", "AVOID (specialist may override): " + t, {"CI-08", "D5"});
    x.AvoidAgent("abaloparatide", "AVOID (specialist may override): " + t, {"CI-09", "D5"});
    x.Warn("pth_analog_contraindication", Severity::kWarning,
           "Teriparatide and abaloparatide should be avoided: " + t + ".", {"CI-08", "CI-09"});
  }
  if (s.pathologic) {
    x.AvoidAgent("teriparatide",
                 "AVOID until malignancy is excluded (possible pathologic fracture)",
                 {"VCF-03", "CI-08"});
    x.AvoidAgent("abaloparatide",
                 "AVOID until malignancy is excluded (possible pathologic fracture)",
                 {"VCF-03", "CI-09"});
  }
  if (s.malignancy) {
    x.AvoidAgent("teriparatide", "AVOID: bone metastases or myeloma", {"CTIBL-04", "CI-08"});
    x.AvoidAgent("abaloparatide", "AVOID: bone metastases or myeloma", {"CTIBL-04", "CI-09"});
  }
  if (x.f.HasActive(p, ConditionCode::kHyperparathyroidism))
    x.AvoidAgent("abaloparatide", "AVOID: pre-existing hyperparathyroidism", {"CI-09"});
  if (HasIntolerance(p, Intolerance::kTeriparatide))
    x.AvoidAgent("teriparatide", "BLOCK: hypersensitivity", {"CI-08"});
  if (HasIntolerance(p, Intolerance::kAbaloparatide))
    x.AvoidAgent("abaloparatide", "BLOCK: hypersensitivity", {"CI-09"});
  double tptd_months = 0, abl_months = 0;
  for (const auto& m : p.medications) {
    if (m.agent != Agent::kTeriparatide && m.agent != Agent::kAbaloparatide) continue;
    if (!m.start || m.status == MedStatus::kPlanned) continue;
    const Date until = m.end ? std::min(*m.end, f.as_of) : f.as_of;
    const double months = CompletedMonths(*m.start, until);
    (m.agent == Agent::kTeriparatide ? tptd_months : abl_months) += months;
  }
  if (x.P<&CP::abl_max_months, "CI-09", "SEQ-04", "D4">().Met(tptd_months + abl_months)) {
    x.AvoidAgent("abaloparatide",
                 "BLOCK: cumulative PTH-analog exposure " + Num(tptd_months + abl_months) +
                     " months (limit " +
                     Num(x.P<&CP::abl_max_months, "CI-09", "SEQ-04", "D4">().value, 0) + ")",
                 {"SEQ-04", "CI-09", "D4"});
    x.Fired("SEQ-04", Num(tptd_months + abl_months) + " months of PTH analogs");
  } else {
    x.NotFired("SEQ-04");
  }
  if (x.P<&CP::tptd_max_months, "SEQ-03", "D4">().Met(tptd_months + abl_months)) {
    x.Fired("SEQ-03",
            "teriparatide/abaloparatide for " + Num(tptd_months + abl_months) + " months");
    x.Warn("teriparatide_beyond_24_months", Severity::kWarning,
           "Teriparatide beyond " + Num(x.P<&CP::tptd_max_months, "SEQ-03", "D4">().value, 0) +
               " months only if the patient remains at or has returned to high "
               "fracture risk (label revised 2020).",
           {"SEQ-03", "D4"});
  } else {
    x.NotFired("SEQ-03");
  }
  x.Trace("D4", (tptd_months + abl_months) > 0 ? Outcome::kFired : Outcome::kNotFired,
          Cat("teriparatide beyond " + Num(x.P<&CP::tptd_max_months, "D4">().value, 0) +
              " months warns; abaloparatide blocks at " +
              Num(x.P<&CP::abl_max_months, "D4">().value, 0) + " months cumulative"));
  x.Trace("CI-08", x.Avoided("teriparatide") ? Outcome::kFired : Outcome::kNotFired);
  x.Trace("CI-09", x.Avoided("abaloparatide") ? Outcome::kFired : Outcome::kNotFired);
  x.Trace("D5", pth.empty() ? Outcome::kNotFired : Outcome::kFired,
          "hypersensitivity blocks; the osteosarcoma-risk list is 'avoid'");

  // CI-10: raloxifene.
  if (FindCondition(p, ConditionCode::kVenousThromboembolism, false))
    x.AvoidAgent("raloxifene", "BLOCK: active or past venous thromboembolism", {"CI-10"});
  if (pregnant) x.AvoidAgent("raloxifene", "BLOCK: pregnancy", {"CI-10"});
  x.Trace("CI-10", x.Avoided("raloxifene") ? Outcome::kFired : Outcome::kNotFired);

  // CI-11: hypocalcemia gate.
  if (f.hypocalcemia) {
    x.Fired("CI-11", "hypocalcemia");
    x.Warn("hypocalcemia_correct_before_antiresorptive", Severity::kCritical,
           std::string("Low calcium (") +
               (f.ionized_calcium     ? "ionized " + Num(f.ionized_calcium->value, 2) + " mmol/L"
                : f.corrected_calcium ? "corrected " + Num(*f.corrected_calcium, 2) + " mg/dL"
                                      : std::string("recorded hypocalcemia")) +
               "): correct before any bisphosphonate, denosumab or romosozumab.",
           {"CI-11", "CALC-04", "PRE-02"});
  } else {
    x.Trace("CI-11", f.calcium_known ? Outcome::kNotFired : Outcome::kInsufficientData,
            f.calcium_known ? "" : "calcium unknown");
  }
  // CI-06b: denosumab in advanced CKD (evaluated where denosumab is in play, below).
  // CI-06c monitoring in predisposed patients: see Monitoring().
}

const Topic kContraindicationsTopic{"contraindications", kRules};

}  // namespace bp::rules
