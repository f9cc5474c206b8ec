// Patients already on treatment (catalogue §6): deceased patients (CONV-02), the specialist
// gates of the course decision (CI-12, VCF-03b, SEL-09, CI-08/09 hypercalcemia), the course
// model and its decision (COURSE-01..26, rules/course.h), the therapy that decision asks for,
// and the invariants that keep one voice (COURSE-24, COURSE-25).
#include "rules/course.h"
#include "rules/steps.h"

namespace bp::rules {

namespace {

// The rules this topic implements (the registration: see Topic in steps.h).
constexpr std::string_view kRules[] = {
    "COURSE-01", "COURSE-02", "COURSE-03", "COURSE-04", "COURSE-05", "COURSE-06", "COURSE-07",
    "COURSE-08", "COURSE-09", "COURSE-10", "COURSE-11", "COURSE-12", "COURSE-13", "COURSE-14",
    "COURSE-15", "COURSE-16", "COURSE-17", "COURSE-18", "COURSE-19", "COURSE-20", "COURSE-21",
    "COURSE-22", "COURSE-23", "COURSE-24", "COURSE-25", "COURSE-26", "CONV-02",   "CALC-09",
    "SEL-09",    "VCF-03b",   "D34",       "D35",       "D36",       "D37",       "D38",
    "D39",       "D40",       "D41",       "D42",       "D43",       "D44"};

// Statement codes of the course decision, static (Text::Static).
std::string_view CourseCode(std::string_view code) {
  static constexpr std::string_view kCodes[] = {
      "course_continue", "course_stop",       "course_switch", "course_holiday",
      "course_resume",   "course_transition", "course_hold"};
  for (auto c : kCodes)
    if (c == code) return c;
  return "course_continue";
}

RuleIds Ids(const std::vector<std::string_view>& rules) {
  RuleIds r;
  for (auto id : rules) r.push_back(id);
  return r;
}

// The avoid names of an agent (ibandronate has two routes).
void AvoidNames(std::string_view agent, std::vector<std::string_view>* out) {
  if (agent == "ibandronate") {
    out->push_back("ibandronate_oral");
    out->push_back("ibandronate_iv");
    return;
  }
  for (auto a : kAvoidable)
    if (a == agent) out->push_back(a);
}

// A warning code from the knowledge base (the text lives as long as the knowledge).
std::string_view WarningCode(const KnowledgeBase& kb, std::string_view code) {
  for (const auto& w : kb.warnings)
    if (w.code == code) return w.code;
  return {};
}

bool PregnancyCurrent(Ctx& x) {
  for (const auto& c : x.p.conditions) {
    if (c.code != ConditionCode::kPregnancy || !c.active) continue;
    if (!c.onset || *c.onset >= x.f.as_of.AddMonths(-x.P(&CP::pregnancy_current_months)))
      return true;
  }
  return false;
}

bool CkdG4Plus(const Patient& p) {
  for (const auto& c : p.conditions)
    if (c.active && c.code == ConditionCode::kChronicKidneyDisease &&
        (c.stage == "G4" || c.stage == "G5" || c.stage == "G5D"))
      return true;
  return false;
}

bool AdvancedCkd(Ctx& x) {
  const Facts& f = x.f;
  if (f.HasActive(x.p, ConditionCode::kDialysis) || CkdG4Plus(x.p)) return true;
  return f.egfr && x.P(&CP::denosumab_egfr).Met(*f.egfr);
}

// A recent vertebral fracture (12 months, or undated with back pain) for VCF-03/03b.
bool RecentVertebral(Ctx& x) {
  const Facts& f = x.f;
  for (const auto& e : f.events) {
    if (e.site != FractureSite::kVertebral) continue;
    if (e.date ? WithinMonths(*e.date, f.as_of, x.P(&CP::fls_window_months))
               : (x.p.spine.pain && *x.p.spine.pain != SpinePain::kNone))
      return true;
  }
  return false;
}

bool HasRedFlag(const Patient& p, RedFlag r) {
  return std::find(p.spine.red_flags.begin(), p.spine.red_flags.end(), r) !=
         p.spine.red_flags.end();
}

// COURSE-12/13 high risk at the review; nullopt when the DXA to decide it is missing.
std::optional<bool> HighRiskAtReview(Ctx& x, const State& s) {
  const Facts& f = x.f;
  bool major_fx = false;
  for (const auto& e : f.events)
    if (e.fragility && (e.HipOrVertebral() || e.site == FractureSite::kHumerus ||
                        e.site == FractureSite::kWrist || e.site == FractureSite::kForearm))
      major_fx = true;
  const bool hip_low =
      f.t_hip_latest && x.P(&CP::review_high_risk_hip_t).MetTenths(*f.t_hip_latest);
  const bool frax = (f.frax_mof && x.P(&CP::tx_frax_mof).Met(*f.frax_mof)) ||
                    (f.frax_hip && x.P(&CP::tx_frax_hip).Met(*f.frax_hip));
  const bool gc = f.gc_active && f.gc_dose_mg && *f.gc_dose_mg >= x.P(&CP::gc_bands).high_from_mg;
  if (hip_low || major_fx || s.treatment_failure || frax || gc ||
      x.a.risk_tier == RiskTier::kVeryHigh)
    return true;
  if (!f.latest_dxa || *f.latest_dxa < f.as_of.AddMonths(-24)) return std::nullopt;
  return false;
}

void Avoid(Ctx& x, std::string_view agent, const std::string& text, RuleIds rules) {
  std::vector<std::string_view> names;
  AvoidNames(agent, &names);
  for (auto n : names) x.AvoidAgent(n, text, rules);
}

void Gate(Ctx& x, State& s, std::optional<bool> indicated, RiskTier tier) {
  s.course_gate = true;
  x.a.treatment_indicated = indicated;
  x.a.risk_tier = tier;
}

}  // namespace

// CONV-02: a deceased patient gets no recommendation at all.
bool Deceased(const Patient& p, Date as_of) {
  if (p.deceased_date) return *p.deceased_date <= as_of;
  return p.deceased.value_or(false);
}

void DeceasedAssessment(Ctx& x) {
  Assessment& a = x.a;
  a.treatment_indicated = false;
  a.risk_tier = RiskTier::kNotIndicated;
  a.therapy_recommended = TherapyClass::kNone;
  a.za_status = ZaStatus::kNotIndicated;
  x.Warn("patient_deceased", Severity::kCritical,
         x.p.deceased_date ? "The patient died on " + x.p.deceased_date->ToString() +
                                 ": no recommendation is made."
                           : std::string("The patient is recorded as deceased: no recommendation "
                                         "is made."),
         {"CONV-02"});
  x.Fired("CONV-02", "patient deceased");
}

// The gates (step 2 of the course order) and the course decision, after the tier.
void Course(Ctx& x, State& s) {
  const Facts& f = x.f;
  const Patient& p = x.p;
  Assessment& a = x.a;
  // Specialist gates.
  const bool pregnant = PregnancyCurrent(x);
  const bool breastfeeding = p.breastfeeding.value_or(false);
  const bool recent_vcf = RecentVertebral(x);
  const bool infection = recent_vcf && (HasRedFlag(p, RedFlag::kFeverOrInfection) ||
                                        f.HasActive(p, ConditionCode::kBacteremiaOrEndocarditis));
  const bool advanced_ckd = AdvancedCkd(x);
  const bool phpt = f.HasActive(p, ConditionCode::kPrimaryHyperparathyroidism) ||
                    (f.HasActive(p, ConditionCode::kHyperparathyroidism) &&
                     !f.HasActive(p, ConditionCode::kSecondaryHyperparathyroidism) &&
                     !CkdG4Plus(p) && !f.HasActive(p, ConditionCode::kDialysis));
  s.infection = infection;
  if (pregnant || breastfeeding) {
    Gate(x, s, std::nullopt, RiskTier::kIndeterminate);
    s.pregnancy_gate = pregnant;
    s.lactation_gate = breastfeeding && !pregnant;
    const char* why = pregnant ? "BLOCK: pregnancy (no osteoporosis drug is started; active ones "
                                 "are stopped; specialist and obstetric decision)"
                               : "BLOCK: breastfeeding (no osteoporosis drug is started; "
                                 "specialist decision)";
    for (auto ag : kAvoidable) x.AvoidAgent(ag, why, {"CI-12"});
    x.Fired("CI-12", pregnant ? "pregnancy" : "breastfeeding");
  }
  if (infection) {
    Gate(x, s, std::nullopt, RiskTier::kIndeterminate);
    x.Fired("VCF-03b", "vertebral fracture with fever or a bloodstream infection");
  } else {
    x.NotFired("VCF-03b");
  }
  // The course model, and the inputs of its decision.
  const CourseParams& cp = x.P(&CP::course);
  const CourseLimits& cl = x.P(&CP::course_limits);
  const CourseModel m = DeriveCourses(p, f.as_of, cp);
  CourseInputs in;
  in.as_of = f.as_of;
  in.pregnant = pregnant;
  in.breastfeeding = breastfeeding;
  in.advanced_ckd = advanced_ckd;
  in.hypocalcemia = f.hypocalcemia;
  in.calcium_unknown_or_stale =
      !f.calcium_known ||
      !((f.ionized_calcium && f.ionized_calcium->Fresh(x.P(&CP::calcium_max_age_days))) ||
        (f.calcium && f.calcium->Fresh(x.P(&CP::calcium_max_age_days))));
  for (const auto& c : p.conditions)
    if (c.code == ConditionCode::kMyocardialInfarction || c.code == ConditionCode::kStroke) {
      if (c.onset)
        in.mi_stroke_dates.push_back(*c.onset);
      else
        in.mi_stroke_undated = true;
    }
  in.romo_cv_months = x.P(&CP::romo_cv_months);
  bool aff = f.HasActive(p, ConditionCode::kAtypicalFemoralFracture) ||
             FindCondition(p, ConditionCode::kAtypicalFemoralFracture, false);
  for (const auto& e : f.events) aff = aff || e.atypical;
  in.aff = aff;
  if (const Condition* onj = FindCondition(p, ConditionCode::kOsteonecrosisOfJaw, false)) {
    in.onj_active = onj->active;
    in.onj_resolved = !onj->active;
  }
  in.indicated = a.treatment_indicated;
  in.tier = a.risk_tier;
  in.high_risk_at_review = HighRiskAtReview(x, s);
  for (const auto& e : f.events)
    if (e.fragility && e.date) in.fragility_fractures.push_back(*e.date);
  in.romo_eligible =
      f.female && f.menopause == Menopause::kPost && !f.hypocalcemia && !advanced_ckd &&
      !in.mi_stroke_undated &&
      std::none_of(in.mi_stroke_dates.begin(), in.mi_stroke_dates.end(),
                   [&](Date d) { return d >= f.as_of.AddMonths(-in.romo_cv_months); });
  in.raloxifene_allowed = !x.P(&CP::estrogen_raloxifene_warning);
  for (Intolerance i : p.intolerances) switch (i) {
      case Intolerance::kOralBisphosphonate:
        in.intolerant.push_back(Agent::kAlendronate);
        in.intolerant.push_back(Agent::kRisedronate);
        in.intolerant.push_back(Agent::kIbandronate);
        break;
      case Intolerance::kZoledronicAcid:
        in.intolerant.push_back(Agent::kZoledronicAcid);
        break;
      case Intolerance::kDenosumab:
        in.intolerant.push_back(Agent::kDenosumab);
        break;
      case Intolerance::kTeriparatide:
        in.intolerant.push_back(Agent::kTeriparatide);
        break;
      case Intolerance::kAbaloparatide:
        in.intolerant.push_back(Agent::kAbaloparatide);
        break;
      case Intolerance::kRomosozumab:
        in.intolerant.push_back(Agent::kRomosozumab);
        break;
    }
  // Hypercalcemia and primary hyperparathyroidism: PTH analogs avoided (CI-08, CI-09).
  if (phpt || f.hypercalcemia) {
    const std::string why = phpt ? "primary hyperparathyroidism: may worsen hypercalcemia"
                                 : "hypercalcemia: may worsen it";
    for (auto ag : {"teriparatide", "abaloparatide"})
      x.AvoidAgent(ag, "AVOID (specialist may override): " + why,
                   {ag[0] == 't' ? "CI-08" : "CI-09", "CALC-04"});
  }
  // The gates of SEL-09 (advanced CKD) and LAB-03 (primary hyperparathyroidism) apply when
  // treatment is indicated, and the course decides that as it would without the gate: a course
  // under way or a transition is the evidence of an indication (COURSE-04, COURSE-05, COURSE-26),
  // a drug holiday without a restart trigger is not indicated (COURSE-20). SEL-09 also applies
  // when a fracture makes treatment likely and nothing decided the indication.
  const bool earlier_gate = s.course_gate || s.pathologic;  // pregnancy, infection, malignancy
  bool want_ckd = false, want_phpt = false;
  std::optional<bool> course_indicated = a.treatment_indicated;
  if (advanced_ckd || phpt) {
    in.specialist_gate = earlier_gate;
    const CourseDecision plain = DecideCourse(m, cp, cl, in);
    if (!earlier_gate) {
      if (plain.indicated) course_indicated = *plain.indicated;
      if (plain.tier_floor_high) course_indicated = true;
      if (s.outside_population && plain.target == CourseTarget::kContinueCurrent)
        course_indicated = true;
    }
    want_ckd = course_indicated == true || (!course_indicated && f.fragility_events > 0);
    want_ckd = want_ckd && advanced_ckd;
    want_phpt = phpt && course_indicated == true;
  }
  if (want_phpt) s.course_gate = s.phpt_gate = true;
  if (want_ckd) {
    s.course_gate = s.ckd_gate = true;
    x.Fired("SEL-09", "eGFR below 30 or dialysis");
    // Before the course decision and Selection, so that neither offers or continues them
    // (an active denosumab course is never simply stopped, §6.H.11).
    x.AvoidAgent("romosozumab", "AVOID: advanced CKD (hypocalcemia, cardiovascular risk)",
                 {"SEL-09"});
    bool dmab_on = false;
    for (const auto& e : x.p.medications)
      dmab_on = dmab_on || (e.agent == Agent::kDenosumab && e.status == MedStatus::kActive);
    if (!dmab_on)
      x.AvoidAgent("denosumab", "AVOID: advanced CKD (boxed warning: CKD-MBD evaluation first)",
                   {"SEL-09"});
  } else {
    x.NotFired("SEL-09");
  }
  // Under the gate, the indication the course gives stands (the gate decides the therapy).
  if ((want_ckd || want_phpt) && !earlier_gate && course_indicated == true &&
      a.treatment_indicated != true) {
    a.treatment_indicated = true;
    if (a.risk_tier == RiskTier::kNotIndicated || a.risk_tier == RiskTier::kIndeterminate)
      a.risk_tier = RiskTier::kHigh;
    x.Fired("COURSE-05", "tier floored at high: on treatment, pre-treatment risk unknown");
  }
  in.specialist_gate = s.course_gate || s.pathologic;
  x.course = DecideCourse(m, cp, cl, in);
  const CourseDecision& d = x.course;
  s.course_target = d.target;
  if (s.outside_population && d.target == CourseTarget::kContinueCurrent && !s.course_gate) {
    s.course_outside_population = true;
    a.treatment_indicated = true;
    if (a.risk_tier == RiskTier::kIndeterminate || a.risk_tier == RiskTier::kNotIndicated)
      a.risk_tier = RiskTier::kHigh;
  }
  s.treatment_failure = s.treatment_failure || d.treatment_failure;
  for (const auto& av : d.avoid) Avoid(x, av.code, av.text, Ids(av.rules));
  // Treatment decided by the course (not over a gate: the gate's indeterminate tier stands).
  if (!s.course_gate && !s.pathologic) {
    if (d.indicated) a.treatment_indicated = *d.indicated;
    // Treatment indicated by the course: an indeterminate or not-indicated tier is floored at
    // high (§6.H.7; indeterminate always goes with indicated null).
    if (a.treatment_indicated == true &&
        (a.risk_tier == RiskTier::kNotIndicated || a.risk_tier == RiskTier::kIndeterminate))
      a.risk_tier = RiskTier::kHigh;
    if (d.tier_floor_high &&
        (a.risk_tier == RiskTier::kNotIndicated || a.risk_tier == RiskTier::kIndeterminate)) {
      a.risk_tier = RiskTier::kHigh;
      a.treatment_indicated = true;
      x.Fired("COURSE-05",
              "tier floored at high: on treatment, pre-treatment risk "
              "unknown");
    }
    if (d.holiday) {
      s.holiday = true;
      a.treatment_indicated = false;
      // The tier may stay high during a holiday (catalogue §6.H.7); without one it is
      // not_indicated.
      if (a.risk_tier == RiskTier::kIndeterminate) a.risk_tier = RiskTier::kNotIndicated;
    }
  }
}

// After Selection: the therapy the course decision asks for, then COURSE-24.
void CourseTherapy(Ctx& x, State& s) {
  Assessment& a = x.a;
  auto clear = [&] {
    a.agents.clear();
    a.alternatives.clear();
  };
  auto oral_ok = [&] {
    return s.oral_candidates_any && !x.Avoided("alendronate") && !x.Avoided("risedronate");
  };
  const bool za_ok = !s.za_contraindicated && !x.Avoided("zoledronic_acid");
  const bool dmab_ok = !x.Avoided("denosumab");
  auto set = [&](TherapyClass c, std::initializer_list<std::string_view> agents) {
    a.therapy_recommended = c;
    clear();
    for (auto ag : agents)
      if (!x.Avoided(ag)) x.AddRegimen(a.agents, ag, {"COURSE-04"});
  };
  auto antiresorptive = [&](bool allow_oral) {
    if (allow_oral && oral_ok()) {
      a.therapy_recommended = TherapyClass::kOralBisphosphonate;
      clear();
      for (auto ag : s.oral_candidates) x.AddRegimen(a.agents, ag, {"COURSE-17"});
      if (za_ok) x.AddRegimen(a.alternatives, "zoledronic_acid", {"COURSE-17"});
      if (dmab_ok) x.AddRegimen(a.alternatives, "denosumab", {"COURSE-17"});
      return true;
    }
    if (za_ok) {
      set(TherapyClass::kIvZoledronicAcid, {"zoledronic_acid"});
      if (dmab_ok) x.AddRegimen(a.alternatives, "denosumab", {"COURSE-17"});
      return true;
    }
    if (dmab_ok) {
      set(TherapyClass::kDenosumab, {"denosumab"});
      return true;
    }
    return false;
  };
  auto anabolic = [&](bool romo_first) {
    static constexpr std::string_view kOrder[] = {"romosozumab", "abaloparatide", "teriparatide"};
    std::vector<std::string_view> ok;
    for (auto ag : kOrder)
      if (!x.Avoided(ag) && (romo_first || ag != "romosozumab")) ok.push_back(ag);
    if (ok.empty()) return false;
    a.therapy_recommended = TherapyClass::kAnabolic;
    clear();
    x.AddRegimen(a.agents, ok.front(), {"COURSE-19"});
    for (std::size_t i = 1; i < ok.size(); ++i) x.AddRegimen(a.alternatives, ok[i], {"COURSE-19"});
    return true;
  };
  auto specialist = [&] {
    a.therapy_recommended = TherapyClass::kSpecialistDecision;
    clear();
  };
  const bool romo_ok = x.f.female && x.f.menopause == Menopause::kPost;
  if (s.course_gate || s.pathologic) {
    specialist();
  } else {
    switch (s.course_target) {
      case CourseTarget::kNewStart:
        break;
      case CourseTarget::kContinueCurrent: {
        const CurrentCourse* e = nullptr;
        for (const auto& c : x.course.current)
          if (c.decision == CourseAction::kContinue) e = &c;
        if (!e) break;
        const char* cls = nullptr;
        switch (e->agent) {
          case Agent::kAlendronate:
          case Agent::kRisedronate:
          case Agent::kIbandronate:
            a.therapy_recommended = TherapyClass::kOralBisphosphonate;
            cls = "oral";
            break;
          case Agent::kZoledronicAcid:
            a.therapy_recommended = TherapyClass::kIvZoledronicAcid;
            break;
          case Agent::kDenosumab:
            a.therapy_recommended = TherapyClass::kDenosumab;
            break;
          case Agent::kTeriparatide:
          case Agent::kAbaloparatide:
          case Agent::kRomosozumab:
            a.therapy_recommended = TherapyClass::kAnabolic;
            break;
          default:
            break;
        }
        (void)cls;
        if (a.therapy_recommended != TherapyClass::kNone &&
            a.therapy_recommended != TherapyClass::kSpecialistDecision) {
          clear();
          std::string_view ag = ToString(e->agent);
          if (e->agent == Agent::kIbandronate) ag = "ibandronate_oral";
          x.AddRegimen(a.agents, ag, {"COURSE-05"});
        }
        break;
      }
      case CourseTarget::kAntiresorptive:
        if (!antiresorptive(true)) specialist();
        break;
      case CourseTarget::kNonBisphosphonate:
        if (a.risk_tier == RiskTier::kVeryHigh ? !anabolic(romo_ok) : !dmab_ok) {
          if (dmab_ok)
            set(TherapyClass::kDenosumab, {"denosumab"});
          else
            specialist();
        } else if (a.risk_tier != RiskTier::kVeryHigh) {
          set(TherapyClass::kDenosumab, {"denosumab"});
        }
        break;
      case CourseTarget::kAnabolic:
        if (!anabolic(romo_ok)) {
          if (dmab_ok) {
            set(TherapyClass::kDenosumab, {"denosumab"});
            if (za_ok) x.AddRegimen(a.alternatives, "zoledronic_acid", {"COURSE-19"});
          } else {
            specialist();
          }
        }
        break;
      case CourseTarget::kPthAnalog:
        if (!anabolic(false)) specialist();
        break;
      case CourseTarget::kZoledronicNow:
        if (za_ok) {
          set(TherapyClass::kIvZoledronicAcid, {"zoledronic_acid"});
        } else if (dmab_ok) {
          set(TherapyClass::kDenosumab, {"denosumab"});
        } else if (!antiresorptive(true)) {
          specialist();
        }
        break;
      case CourseTarget::kDenosumabNow:
        if (dmab_ok) {
          set(TherapyClass::kDenosumab, {"denosumab"});
          if (za_ok) x.AddRegimen(a.alternatives, "zoledronic_acid", {"COURSE-15"});
        } else if (!antiresorptive(true)) {
          specialist();
        }
        break;
      case CourseTarget::kSpecialist:
        specialist();
        break;
      case CourseTarget::kNothing:
        a.therapy_recommended = TherapyClass::kNone;
        a.treatment_indicated = false;
        clear();
        break;
    }
  }
  // COURSE-05 continues only an agent that is neither blocked nor avoided. An avoidance found
  // after the course decision (CI: bone metastases, hypercalcemia, advanced CKD...) stops the
  // course and the specialist decides what follows. Active denosumab is the exception
  // (§6.H.11): it is never simply stopped; the specialist supervises it, and it is not avoided.
  for (auto& c : x.course.current) {
    if (c.decision != CourseAction::kContinue) continue;
    const std::string_view name =
        c.agent == Agent::kIbandronate
            ? (c.route == Route::kIntravenous ? "ibandronate_iv" : "ibandronate_oral")
            : ToString(c.agent);
    if (!x.Avoided(name)) continue;
    if (c.agent == Agent::kDenosumab) {
      x.avoided &= ~(1u << AvoidBit("denosumab"));
      std::erase_if(a.avoid, [](const auto& v) { return v.agent == "denosumab"; });
      continue;
    }
    std::string reason;
    for (const auto& v : a.avoid)
      if (v.agent == name) reason = v.text.str();
    std::string human(ToString(c.agent));
    std::replace(human.begin(), human.end(), '_', ' ');
    c.decision = CourseAction::kStop;
    c.switch_to = "specialist_decision";
    c.text = "stop: " + reason;
    c.rules = {"COURSE-05", "COURSE-24"};
    for (auto& q : x.course.sequence)
      if (q.code == "course_continue") {
        q.code = "course_stop";
        q.text = "Stop " + human + " (" + reason + "); the specialist decides what follows.";
        q.rules = {"COURSE-05", "COURSE-24"};
      }
    x.course.referrals.push_back({"osteoporosis_specialist",
                                  static_cast<int>(Urgency::kRoutine),
                                  human + " stopped: " + reason,
                                  {"COURSE-24"}});
    if (s.course_target == CourseTarget::kContinueCurrent) specialist();
  }
  // COURSE-24: no agent is offered and avoided at once.
  auto drop = [&](List<Regimen>& l) {
    for (auto it = l.begin(); it != l.end();) {
      if (x.Avoided(it->agent.view())) {
        x.Fired("COURSE-24", std::string(it->agent.view()) + " removed: it has an avoid entry");
        it = l.erase(it);
      } else {
        ++it;
      }
    }
  };
  drop(a.agents);
  drop(a.alternatives);
  const TherapyClass t = a.therapy_recommended;
  // The other profiles' runs build no regimen lists: only the returned assessment is checked.
  if (x.verbose && a.agents.empty() && t != TherapyClass::kNone &&
      t != TherapyClass::kSpecialistDecision) {
    if (!a.alternatives.empty()) {
      a.agents.push_back(a.alternatives.front());
      a.alternatives.erase(a.alternatives.begin());
      const std::string_view ag = a.agents.front().agent.view();
      a.therapy_recommended =
          ag == "zoledronic_acid" ? TherapyClass::kIvZoledronicAcid
          : ag == "denosumab"     ? TherapyClass::kDenosumab
          : (ag == "romosozumab" || ag == "teriparatide" || ag == "abaloparatide")
              ? TherapyClass::kAnabolic
              : TherapyClass::kOralBisphosphonate;
    } else {
      a.therapy_recommended = TherapyClass::kSpecialistDecision;
    }
  }
}

// At the end of a verbose run: the course's statements, warnings, referrals and
// therapy.current; the gates' outputs; the one-voice clean-up.
void CourseFinish(Ctx& x, State& s) {
  Assessment& a = x.a;
  const Facts& f = x.f;
  const CourseDecision& d = x.course;
  const bool indicated_for_cards = a.treatment_indicated == true;
  (void)indicated_for_cards;
  // Gates.
  if (s.pregnancy_gate || s.lactation_gate) {
    x.Warn(s.pregnancy_gate ? "pregnancy_osteoporosis_drugs_withheld"
                            : "lactation_osteoporosis_drugs_withheld",
           s.pregnancy_gate ? Severity::kCritical : Severity::kWarning,
           s.pregnancy_gate
               ? "Pregnancy: no osteoporosis drug is started and active ones are stopped; "
                 "calcium and vitamin D, glucocorticoid minimisation, falls and fracture care; "
                 "specialist and obstetric decision."
               : "Breastfeeding: no osteoporosis drug is started and active ones are stopped; "
                 "specialist decision.",
           {"CI-12"});
    x.Refer(Destination::kOsteoporosisSpecialist, Urgency::kUrgent,
            s.pregnancy_gate ? "pregnancy with osteoporosis or a fracture: specialist and "
                               "obstetric decision"
                             : "breastfeeding with osteoporosis or a fracture: specialist decision",
            {"CI-12", "REF-02"});
    if (s.pregnancy_gate)
      x.Refer(Destination::kObstetrics, Urgency::kUrgent,
              "pregnancy: obstetric decision with the bone specialist", {"CI-12"});
    a.za_status = s.pregnancy_gate ? ZaStatus::kContraindicated : ZaStatus::kDeferred;
  }
  if (s.infection) {
    x.Warn("spinal_infection_suspected", Severity::kCritical,
           "Vertebral fracture with fever or a bloodstream infection: suspected vertebral "
           "osteomyelitis or discitis.",
           {"VCF-03b"});
    x.Warn("pathologic_fracture_suspected", Severity::kWarning,
           "The vertebral fracture may be caused by infection: osteoporosis treatment waits.",
           {"VCF-03b"});
    const bool deficit = x.p.spine.neurological_deficit.value_or(false);
    x.Refer(Destination::kSpineSurgery, deficit ? Urgency::kImmediate : Urgency::kUrgent,
            "suspected spinal infection: spine surgery and infectious-disease evaluation",
            {"VCF-03b"});
    x.Refer(Destination::kInfectiousDisease, deficit ? Urgency::kImmediate : Urgency::kUrgent,
            "suspected spinal infection", {"VCF-03b"});
    a.workup.push_back(St{"spinal_infection",
                          "Two sets of blood cultures, ESR, CRP and CBC; MRI of the spine without "
                          "and with IV contrast; image-guided biopsy if the cultures give no "
                          "organism.",
                          {"VCF-03b"}});
    a.za_status = ZaStatus::kDeferred;
  }
  if (s.ckd_gate) {
    const bool recent_fx = std::any_of(f.events.begin(), f.events.end(), [&](const auto& e) {
      return e.date && WithinMonths(*e.date, f.as_of, 12);
    });
    const Urgency u = recent_fx ? Urgency::kUrgent : Urgency::kRoutine;
    // The rules SEL-09 replaces for selection still decide here: denosumab is not simply
    // preferred (D10, CI-06b) and nephrology sees the patient (REF-06).
    x.Fired("CI-06b", "eGFR below 30 or dialysis: denosumab a specialist decision (SEL-09)");
    x.Fired("D10", "advanced CKD: specialist decision after CKD-MBD evaluation (SEL-09)");
    x.Fired("REF-06", "advanced CKD: nephrology (SEL-09)");
    x.Warn("advanced_ckd_specialist_decision", Severity::kWarning,
           "eGFR below 30 or dialysis: CKD-MBD evaluation first; every osteoporosis drug is a "
           "specialist decision.",
           {"SEL-09"});
    x.Refer(Destination::kNephrology, u, "advanced CKD: CKD-MBD evaluation before treatment",
            {"SEL-09"});
    x.Refer(Destination::kOsteoporosisSpecialist, u,
            "advanced CKD: the osteoporosis drug is a specialist decision", {"SEL-09"});
    a.workup.push_back(St{"ckd_mbd",
                          "CKD-MBD tests: corrected or ionized calcium, phosphate, intact PTH, "
                          "25-OH vitamin D, 1,25-dihydroxyvitamin D, alkaline phosphatase.",
                          {"SEL-09"}});
  }
  if (f.hypercalcemia || s.phpt_gate) {
    x.Warn("hypercalcemia_evaluate", Severity::kWarning,
           f.hypercalcemia
               ? std::string("Calcium above the upper limit") +
                     (f.hypercalcemia_fallback
                          ? " (upper limit not reported; fallback " +
                                Num(x.P(&CP::hyperca_corrected).value) + " mg/dL used)"
                          : "") +
                     ": repeat calcium, intact PTH, 25-OH vitamin D, creatinine, 24-hour urine "
                     "calcium; PTH analogs avoided."
               : std::string("Primary hyperparathyroidism: PTH analogs avoided; "
                             "parathyroidectomy evaluation."),
           {"CALC-04", "CI-08", "CI-09", "LAB-03"});
    if (s.phpt_gate) {
      x.Refer(Destination::kOsteoporosisSpecialist, Urgency::kRoutine,
              "primary hyperparathyroidism with osteoporosis: parathyroidectomy evaluation",
              {"LAB-03", "REF-02"});
      if (a.za_status != ZaStatus::kNotIndicated) a.za_status = ZaStatus::kDeferred;
    }
  }
  // CALC-09: fractures of unknown mechanism at 50 or over.
  bool possible = false;
  for (const auto& e : f.events) {
    if (!e.possible_fragility) continue;
    possible = true;
    x.Warn("fracture_mechanism_unknown", Severity::kWarning,
           e.presumed ? "A " + std::string(ToString(e.site)) +
                            " fracture with no recorded mechanism is presumed a fragility "
                            "fracture for treatment; the fracture liaison service confirms it."
                      : "A " + std::string(ToString(e.site)) +
                            " fracture with no recorded mechanism counts for fracture liaison "
                            "case finding only until its mechanism is recorded.",
           {"CALC-09"});
    x.Missing("fractures[" + std::to_string(e.first_index) + "].mechanism",
              "needed to confirm a fragility fracture; decides treatment for non-hip, "
              "non-vertebral sites (CALC-09)");
  }
  if (possible)
    x.Fired("CALC-09", "fracture of unknown mechanism at 50 or over");
  else
    x.NotFired("CALC-09");
  // The course model (COURSE-01..04).
  if (!d.current.empty()) {
    std::string list;
    for (const auto& c : d.current)
      list += (list.empty() ? "" : ", ") + std::string(ToString(c.agent)) + " " +
              std::string(ToString(c.state)) + " -> " + std::string(ToString(c.decision));
    x.Fired("COURSE-01", Int(d.current.size()) + " course(s) on record");
    x.Fired("COURSE-02", "exposure counted at " + f.as_of.ToString());
    x.Fired("COURSE-03", list);
    x.Fired("COURSE-04", "decision written to therapy.current");
  }
  if (s.course_outside_population) {
    x.Fired("COURSE-26", "outside the T-score population, on a course: the course decides");
    x.Refer(Destination::kOsteoporosisSpecialist, Urgency::kRoutine,
            "on an osteoporosis course outside the T-score population", {"COURSE-26", "REF-07"});
  }
  // The course.
  for (const auto& t : d.trace)
    if (!t.rules.empty()) x.Fired(t.rules.front(), t.text);
  std::vector<Statement> course_statements;
  for (const auto& q : d.sequence)
    course_statements.push_back(St{Text::Static(CourseCode(q.code)), q.text, Ids(q.rules)});
  if (!course_statements.empty()) {
    // The course decision is the first statement; the older sequence statements that contradict
    // it (continue vs stop) go.
    const bool stops = std::any_of(d.sequence.begin(), d.sequence.end(),
                                   [](const auto& q) { return q.code != "course_continue"; });
    if (stops)
      std::erase_if(a.sequence, [](const Statement& st) {
        return st.code == "continue_after_review" || st.code == "denosumab_review";
      });
    List<Statement> merged(a.sequence.get_allocator());
    for (auto& st : course_statements) merged.push_back(std::move(st));
    for (auto& st : a.sequence) merged.push_back(std::move(st));
    a.sequence = std::move(merged);
  }
  for (const auto& w : d.warnings) {
    const std::string_view code = WarningCode(x.kb, w.code);
    if (code.empty()) continue;
    x.Warn(code, static_cast<Severity>(w.level), w.text, Ids(w.rules));
  }
  for (const auto& r : d.referrals)
    if (auto to = Parse<Destination>(r.code))
      x.Refer(*to, static_cast<Urgency>(r.level), r.text, Ids(r.rules));
  for (const auto& w : d.workup) a.workup.push_back(St{"course_workup", w.text, Ids(w.rules)});
  for (const auto& mdat : d.missing) x.Missing(mdat.code, mdat.text);
  a.current = d.current;
  if (d.za_course_limit && a.za_status != ZaStatus::kNotIndicated)
    a.za_status = ZaStatus::kDeferred;
  if (a.HasWarning("atypical_femoral_fracture") && a.za_status == ZaStatus::kContraindicated &&
      !s.pregnancy_gate && !s.za_contraindicated)
    a.za_status = ZaStatus::kDeferred;  // AFF: not a label contraindication (COURSE-07)
  if (s.infection && !s.pathologic)
    std::erase_if(a.referrals, [](const Referral& r) { return r.to == Destination::kOncology; });
  // No infusion booking when zoledronic acid is not what is recommended now.
  if (a.therapy_recommended != TherapyClass::kIvZoledronicAcid &&
      std::none_of(a.alternatives.begin(), a.alternatives.end(),
                   [](const Regimen& r) { return r.agent == "zoledronic_acid"; }) &&
      (s.course_target != CourseTarget::kNewStart || s.course_gate))
    std::erase_if(a.referrals,
                  [](const Referral& r) { return r.to == Destination::kInfusionCenter; });
  // Where the sources disagree, what the engine chose (D34-D44), when it applied.
  auto has = [&](std::string_view code) { return a.HasWarning(code); };
  auto fired_any = [&](std::string_view rule) {
    return std::any_of(a.trace.begin(), a.trace.end(), [&](const TraceEntry& t) {
      return t.rule == rule && t.outcome == Outcome::kFired;
    });
  };
  const struct {
    std::string_view id;
    bool fired;
    const char* because;
  } disagreements[] = {
      {"D34", has("atypical_femoral_fracture"),
       "AFF: bisphosphonates blocked, not only interrupted"},
      {"D35", s.pregnancy_gate,
       "pregnancy: zoledronic acid blocked (label warning; engine policy)"},
      {"D36", has("romosozumab_cardiovascular_contraindication"),
       "myocardial infarction or stroke: romosozumab not started or stopped"},
      {"D37", has("pth_analog_cumulative_limit"), "one cumulative PTH-analog counter"},
      {"D38", has("bisphosphonate_max_duration_reached"),
       "after the bisphosphonate maximum: a non-bisphosphonate or a holiday"},
      {"D39", fired_any("COURSE-17"), "after an anabolic: the profile's antiresorptive order"},
      {"D40", fired_any("COURSE-15"),
       "lapsed denosumab: resume if active, zoledronic acid if stopped"},
      {"D41", fired_any("CALC-09"), "unknown mechanism: FLS case finding; hip/spine presumed"},
      {"D42", d.treatment_failure,
       "treatment_failure (contract) and treatment_failure_possible (IOF)"},
      {"D43",
       d.treatment_failure && std::any_of(d.current.begin(), d.current.end(),
                                          [](const CurrentCourse& c) {
                                            return c.agent == Agent::kDenosumab &&
                                                   c.decision == CourseAction::kSwitch;
                                          }),
       "after denosumab: romosozumab, not a PTH analog alone"},
      {"D44", f.hypercalcemia && f.hypercalcemia_fallback,
       "no laboratory upper limit: the fallback upper limit was used"},
  };
  for (const auto& dg : disagreements) {
    if (dg.fired)
      x.Fired(dg.id, dg.because);
    else
      x.NotFired(dg.id);
  }
  // Every rule of this topic that did not fire says so.
  for (auto id : kRules)
    if (!fired_any(id) && std::none_of(a.trace.begin(), a.trace.end(),
                                       [&](const TraceEntry& t) { return t.rule == id; }))
      x.NotFired(id);
}

const Topic kCourseTopic{"course", kRules};

}  // namespace bp::rules
