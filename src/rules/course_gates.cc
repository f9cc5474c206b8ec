// Patients already on treatment (catalogue §6), the steps before Selection: deceased patients
// (CONV-02) and, after the tier, the specialist gates of the course order (CI-12, VCF-03b,
// SEL-09, CI-08/09 hypercalcemia) and the course decision (rules/course.h). The therapy it asks
// for is in course_therapy.cc, its outputs in course_finish.cc.
#include <tuple>

#include "rules/course.h"
#include "rules/steps.h"

namespace bp::rules {

namespace {

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

bool PregnancyCurrent(Ctx& x) {
  for (const auto& c : x.p.conditions) {
    if (c.code != ConditionCode::kPregnancy || !c.active) continue;
    if (!c.onset || *c.onset >= x.f.as_of.AddMonths(
                                    -x.P<&CP::pregnancy_current_months, "CI-12", "COURSE-09">()))
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
  return f.egfr && x.P<&CP::denosumab_egfr, "SEL-09", "COURSE-16", "COURSE-19">().Met(*f.egfr);
}

// A recent vertebral fracture (12 months, or undated with back pain) for VCF-03/03b.
bool RecentVertebral(Ctx& x) {
  const Facts& f = x.f;
  for (const auto& e : f.events) {
    if (e.site != FractureSite::kVertebral) continue;
    if (e.date ? WithinMonths(*e.date, f.as_of, x.P<&CP::fls_window_months, "VCF-03b">())
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
      f.t_hip_latest &&
      x.P<&CP::review_high_risk_hip_t, "COURSE-12", "COURSE-13">().MetTenths(*f.t_hip_latest);
  const bool frax =
      (f.frax_mof && x.P<&CP::tx_frax_mof, "COURSE-12", "COURSE-13">().Met(*f.frax_mof)) ||
      (f.frax_hip && x.P<&CP::tx_frax_hip, "COURSE-12", "COURSE-13">().Met(*f.frax_hip));
  const bool gc = f.gc_active && f.gc_dose_mg &&
                  *f.gc_dose_mg >= x.P<&CP::gc_bands, "COURSE-12", "COURSE-13">().high_from_mg;
  if (hip_low || major_fx || s.treatment_failure || frax || gc ||
      x.a.risk_tier == RiskTier::kVeryHigh)
    return true;
  if (!f.latest_dxa ||
      *f.latest_dxa <
          f.as_of.AddMonths(-x.P<&CP::review_dxa_max_age_months, "COURSE-12", "COURSE-13">()))
    return std::nullopt;
  return false;
}

// A measured change compared at a micro-unit grain, so that a change exactly equal to its limit
// meets it despite binary rounding.
double Grain(double v) { return std::round(v * 1e6) / 1e6; }

// The first BMD loss BmdLoss found: the site, the two scans and the facility's least significant
// change (none: the profile's fallback percentage was compared), for the caller to say.
struct BmdChange {
  BmdSite site = BmdSite::kTotalHip;
  const BmdMeasurement* ref = nullptr;
  const BmdMeasurement* last = nullptr;
  std::optional<double> lsc_g_cm2;
};

// The values a BMD loss sentence supplies: "site", "from_bmd", "from", "to_bmd", "to" and, with
// a facility's least significant change, "lsc".
struct BmdSaid {
  std::string site;
  Cat from_bmd, from, to_bmd, to, lsc;
  explicit BmdSaid(const BmdChange& c)
      : site(ToString(c.site)),
        from_bmd(Num(*c.ref->bmd_g_cm2, 3)),
        from(Dt(c.ref->date)),
        to_bmd(Num(*c.last->bmd_g_cm2, 3)),
        to(Dt(c.last->date)),
        lsc(c.lsc_g_cm2 ? Num(*c.lsc_g_cm2, 3) : Cat()) {
    std::replace(site.begin(), site.end(), '_', ' ');
  }
};

// BMD loss at `sites` since `from`: from the reference scan (the last on or before `from`, else
// the first after it) to the latest scan after the reference, against the least significant
// change: the facility's (lsc_g_cm2 of either scan), else the profile's fallback percentage of
// the reference BMD. nullopt: no pair of scans at any of the sites.
std::optional<bool> BmdLoss(const Patient& p, Date from, std::initializer_list<BmdSite> sites,
                            const Threshold& spine_pct, const Threshold& hip_pct,
                            BmdChange* finding) {
  std::optional<bool> loss;
  for (BmdSite site : sites) {
    const BmdMeasurement *ref = nullptr, *last = nullptr;
    for (const auto& b : p.bmd) {
      if (b.site != site || !b.date || !b.bmd_g_cm2) continue;
      if (*b.date <= from ? (!ref || *ref->date > from || *b.date > *ref->date)
                          : (!ref || (*ref->date > from && *b.date < *ref->date)))
        ref = &b;
    }
    if (!ref) continue;
    for (const auto& b : p.bmd)
      if (b.site == site && b.date && b.bmd_g_cm2 && *b.date > *ref->date && *b.date > from &&
          (!last || *b.date > *last->date))
        last = &b;
    if (!last) continue;
    const double decrease = *ref->bmd_g_cm2 - *last->bmd_g_cm2;
    const Threshold& fallback = site == BmdSite::kLumbarSpine ? spine_pct : hip_pct;
    const std::optional<double> lsc = last->lsc_g_cm2 ? last->lsc_g_cm2 : ref->lsc_g_cm2;
    const bool met =
        lsc ? Threshold{Grain(*lsc), fallback.cmp}.Met(Grain(decrease))
            : fallback.Met(Grain(*ref->bmd_g_cm2 > 0 ? 100.0 * decrease / *ref->bmd_g_cm2 : 0));
    if (met && !loss.value_or(false)) *finding = BmdChange{site, ref, last, lsc};
    loss = loss.value_or(false) || met;
  }
  return loss;
}

// Bone turnover markers on an antiresorptive started on `from` against the pre-treatment
// baseline: suppressed when P1NP or CTX fell by at least btm_lsc_pct (the threshold's
// comparator). nullopt: no baseline with an on-course value after `from`.
template <RuleId Rule>
std::optional<bool> BtmNotSuppressed(Ctx& x, Date from, std::string* finding) {
  const Facts& f = x.f;
  struct Marker {
    const std::optional<LabValue>& base;
    const std::optional<LabValue>& on;
    const Threshold& lsc;
    bool p1np;
  };
  const Marker markers[] = {{f.p1np_base, f.p1np_follow, x.P<&CP::btm_lsc_p1np, Rule>(), true},
                            {f.ctx_base, f.ctx_follow, x.P<&CP::btm_lsc_ctx, Rule>(), false}};
  bool known = false, suppressed = false;
  std::string said;
  for (const auto& m : markers) {
    if (!m.base || !m.on || m.base->value <= 0 || !m.on->date || *m.on->date <= from) continue;
    known = true;
    const double drop = Grain(100.0 * (m.base->value - m.on->value) / m.base->value);
    suppressed = suppressed || m.lsc.Met(drop);
    const Cat change = Num(drop >= 0 ? drop : -drop, 0);
    said += (said.empty() ? "" : ", ") +
            (m.p1np ? (drop >= 0 ? x.Say<Rule, "p1np_down", "change">(change)
                                 : x.Say<Rule, "p1np_up", "change">(change))
                    : (drop >= 0 ? x.Say<Rule, "ctx_down", "change">(change)
                                 : x.Say<Rule, "ctx_up", "change">(change)));
  }
  if (!known) return std::nullopt;
  *finding = x.Say<Rule, "btm_not_suppressed", "markers">(said);
  return !suppressed;
}

// COURSE-21 (b)-(f): what ends a drug holiday that started on `start`, each as found.
std::vector<std::string> HolidayRestartTriggers(Ctx& x, Date start) {
  const Facts& f = x.f;
  const Patient& p = x.p;
  std::vector<std::string> out;
  // (b) total hip or femoral neck BMD down by at least the least significant change.
  BmdChange bmd;
  const Threshold& hip_lsc = x.P<&CP::bmd_lsc_hip, "COURSE-21">();
  if (BmdLoss(p, start, {BmdSite::kTotalHip, BmdSite::kFemoralNeck}, hip_lsc, hip_lsc, &bmd) ==
      true) {
    const BmdSaid v(bmd);
    out.push_back(
        bmd.lsc_g_cm2
            ? x.Say<"COURSE-21", "bmd_loss_lsc", "site", "from_bmd", "from", "to_bmd", "to", "lsc">(
                  v.site, v.from_bmd, v.from, v.to_bmd, v.to, v.lsc)
            : x.Say<"COURSE-21", "bmd_loss", "site", "from_bmd", "from", "to_bmd", "to">(
                  v.site, v.from_bmd, v.from, v.to_bmd, v.to));
  }
  // (c) a hip or femoral neck T-score at or below the review threshold on a review DXA.
  for (const auto& b : p.bmd)
    if ((b.site == BmdSite::kTotalHip || b.site == BmdSite::kFemoralNeck) && b.date &&
        *b.date > start && b.t_score &&
        x.P<&CP::review_high_risk_hip_t, "COURSE-21">().MetTenths(*b.t_score)) {
      std::string site(ToString(b.site));
      std::replace(site.begin(), site.end(), '_', ' ');
      out.push_back(
          x.Say<"COURSE-21", "hip_t", "site", "t", "date">(site, Tn(*b.t_score), Dt(b.date)));
      break;
    }
  // (d) a new major risk factor: a systemic glucocorticoid at the high dose for the months the
  // profile gives, an aromatase inhibitor or androgen deprivation started during the holiday.
  for (const auto& m : p.medications) {
    if (m.status != MedStatus::kActive || !m.start || *m.start <= start) continue;
    if (m.agent == Agent::kGlucocorticoid) {
      const Date to = m.end && *m.end > f.as_of ? *m.end : f.as_of;
      if (m.dose_mg_per_day && x.P<&CP::giop_legacy_dose, "COURSE-21">().Met(*m.dose_mg_per_day) &&
          x.P<&CP::giop_legacy_months, "COURSE-21">().Met(CalendarMonths(*m.start, to)))
        out.push_back(x.Say<"COURSE-21", "glucocorticoid", "dose", "date">(
            Num(*m.dose_mg_per_day, 1), Dt(m.start)));
    } else if (m.agent == Agent::kAromataseInhibitor ||
               m.agent == Agent::kAndrogenDeprivationTherapy) {
      std::string agent(ToString(m.agent));
      std::replace(agent.begin(), agent.end(), '_', ' ');
      out.push_back(x.Say<"COURSE-21", "agent_started", "agent", "date">(agent, Dt(m.start)));
    }
  }
  // (e) US FRAX on review above the treatment thresholds (TX-03).
  if (p.frax && p.frax->date && *p.frax->date > start && p.frax->model.empty() &&
      ((f.frax_mof && x.P<&CP::tx_frax_mof, "COURSE-21">().Met(*f.frax_mof)) ||
       (f.frax_hip && x.P<&CP::tx_frax_hip, "COURSE-21">().Met(*f.frax_hip))))
    out.push_back(x.Say<"COURSE-21", "frax", "date">(Dt(p.frax->date)));
  // (f) bone turnover markers back to the pre-treatment level or above the laboratory's range.
  for (const auto& [base, on, name] : {std::tuple{&f.p1np_base, &f.p1np_follow, "P1NP"},
                                       std::tuple{&f.ctx_base, &f.ctx_follow, "CTX"}}) {
    if (!*on || !(*on)->date || *(*on)->date <= start) continue;
    const bool back = *base && (*on)->value >= (*base)->value;
    const bool high =
        (*on)->lab && (*on)->lab->reference_high && (*on)->value > *(*on)->lab->reference_high;
    if (back || high)
      out.push_back(back ? x.Say<"COURSE-21", "marker_back", "marker", "date">(
                               std::string_view(name), Dt((*on)->date))
                         : x.Say<"COURSE-21", "marker_high", "marker", "date">(
                               std::string_view(name), Dt((*on)->date)));
  }
  return out;
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
         x.p.deceased_date ? x.Say<"CONV-02", "died_on", "date">(Dt(x.p.deceased_date))
                           : x.Say<"CONV-02", "deceased">(),
         {"CONV-02"});
  x.Fired("CONV-02", x.Say<"CONV-02", "fired">());
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
    const std::string why = pregnant ? x.Say<"CI-12", "gate_avoid_pregnancy">()
                                     : x.Say<"CI-12", "gate_avoid_breastfeeding">();
    for (auto ag : kAvoidable) x.AvoidAgent(ag, why, {"CI-12"});
    x.Fired("CI-12", pregnant ? x.Say<"CI-12", "gate_fired_pregnancy">()
                              : x.Say<"CI-12", "gate_fired_breastfeeding">());
  }
  if (infection) {
    Gate(x, s, std::nullopt, RiskTier::kIndeterminate);
    x.Fired("VCF-03b", x.Say<"VCF-03b", "fired">());
  } else {
    x.NotFired("VCF-03b");
  }
  // The course model, and the inputs of its decision.
  const CourseParams& cp = x.Set<&CP::course>();
  const CourseLimits& cl = x.Set<&CP::course_limits>();
  const CourseModel m = DeriveCourses(p, f.as_of, cp);
  CourseInputs in;
  in.as_of = f.as_of;
  in.pregnant = pregnant;
  in.breastfeeding = breastfeeding;
  in.advanced_ckd = advanced_ckd;
  in.hypocalcemia = f.hypocalcemia;
  in.calcium_unknown_or_stale =
      !f.calcium_known ||
      !((f.ionized_calcium &&
         f.ionized_calcium->Fresh(x.P<&CP::calcium_max_age_days, "COURSE-16">())) ||
        (f.calcium && f.calcium->Fresh(x.P<&CP::calcium_max_age_days, "COURSE-16">())));
  for (const auto& c : p.conditions)
    if (c.code == ConditionCode::kMyocardialInfarction || c.code == ConditionCode::kStroke) {
      if (c.onset)
        in.mi_stroke_dates.push_back(*c.onset);
      else
        in.mi_stroke_undated = true;
    }
  in.romo_cv_months = x.P<&CP::romo_cv_months, "COURSE-06", "COURSE-19", "D36">();
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
  in.raloxifene_allowed = !x.P<&CP::estrogen_raloxifene_warning, "COURSE-23">();
  CourseFailureInputs(x, in);
  // COURSE-21 (b)-(f): restart triggers during a drug holiday.
  if (const Episode* cur = m.Current(); cur && cur->state == CourseState::kHoliday)
    in.holiday_restart_triggers = HolidayRestartTriggers(x, HolidayStart(*cur, f.as_of, cp));
  // COURSE-18 F2: markers and BMD on the current course.
  if (const Episode* cur = m.Current(); cur && cur->Ongoing() && !cur->oncology) {
    if (const std::optional<Date> from = cur->first_dose ? cur->first_dose : cur->start) {
      if (IsCourseBisphosphonate(cur->agent) || cur->agent == Agent::kDenosumab)
        in.btm_not_suppressed = BtmNotSuppressed<"COURSE-18">(x, *from, &in.btm_finding);
      BmdChange bmd;
      in.bmd_loss_on_course = BmdLoss(p, *from, {BmdSite::kLumbarSpine, BmdSite::kTotalHip},
                                      x.P<&CP::bmd_lsc_spine, "COURSE-18">(),
                                      x.P<&CP::bmd_lsc_hip, "COURSE-18">(), &bmd);
      if (bmd.ref) {
        const BmdSaid v(bmd);
        in.bmd_finding =
            bmd.lsc_g_cm2 ? x.Say<"COURSE-18", "bmd_loss_lsc", "site", "from_bmd", "from", "to_bmd",
                                  "to", "lsc">(v.site, v.from_bmd, v.from, v.to_bmd, v.to, v.lsc)
            : bmd.site == BmdSite::kLumbarSpine
                ? x.Say<"COURSE-18", "bmd_loss_spine", "site", "from_bmd", "from", "to_bmd", "to">(
                      v.site, v.from_bmd, v.from, v.to_bmd, v.to)
                : x.Say<"COURSE-18", "bmd_loss_hip", "site", "from_bmd", "from", "to_bmd", "to">(
                      v.site, v.from_bmd, v.from, v.to_bmd, v.to);
      }
    }
  }
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
    x.AvoidAgent("teriparatide",
                 x.Say<"CI-08", "avoid", "reasons">(phpt ? x.Say<"CI-08", "gate_phpt">()
                                                         : x.Say<"CI-08", "gate_hypercalcemia">()),
                 {"CI-08", "CALC-04"});
    x.AvoidAgent("abaloparatide",
                 x.Say<"CI-09", "avoid", "reasons">(phpt ? x.Say<"CI-09", "gate_phpt">()
                                                         : x.Say<"CI-09", "gate_hypercalcemia">()),
                 {"CI-09", "CALC-04"});
  }
  // Calcium above the upper limit (CALC-04) makes the decision about a course the specialist's
  // as primary hyperparathyroidism does (catalogue §6.B step 2, CI-08R, LAB-03R); without a course
  // it asks for its work-up and avoids the PTH analogs only (LAB-03R: the specialist decision
  // follows a primary hyperparathyroidism the work-up finds).
  const Episode* course = m.Current();
  const bool hyperca_course = f.hypercalcemia && course && !course->oncology;
  // The gates of SEL-09 (advanced CKD) and LAB-03 (primary hyperparathyroidism, hypercalcemia on
  // a course) apply when treatment is indicated, and the course decides that as it would without
  // the gate: a course under way or a transition is the evidence of an indication (COURSE-04,
  // COURSE-05, COURSE-26), a drug holiday without a restart trigger is not indicated (COURSE-20).
  // SEL-09 also applies when a fracture makes treatment likely and nothing decided the indication.
  const bool earlier_gate = s.course_gate || s.pathologic;  // pregnancy, infection, malignancy
  bool want_ckd = false, want_phpt = false, want_hyperca = false;
  std::optional<bool> course_indicated = a.treatment_indicated;
  if (advanced_ckd || phpt || hyperca_course) {
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
    want_hyperca = hyperca_course && course_indicated == true;
  }
  if (want_phpt) s.course_gate = s.phpt_gate = true;
  if (want_hyperca) s.course_gate = s.hyperca_gate = true;
  // LAB-03R: corrected (or total) calcium more than hyperca_urgent_above_uln above the upper
  // limit (the lab's, else the fallback) makes the specialist referral of either gate urgent.
  // The margin is one of total calcium (PHPT-CAN17); no source gives one for ionized calcium.
  // When ionized calcium showed the hypercalcemia (CALC-04 prefers it), a corrected or total
  // calcium on record beside it still decides the urgency (more data never lowers it); with
  // ionized calcium alone the referral stays routine, and LAB-03's trace says why.
  if ((want_phpt || want_hyperca) && f.hypercalcemia && f.calcium) {
    const double uln = f.calcium->lab && f.calcium->lab->reference_high
                           ? *f.calcium->lab->reference_high
                           : x.P<&CP::hyperca_corrected, "LAB-03">().value;
    const double ca = f.corrected_calcium ? *f.corrected_calcium : f.calcium->value;
    s.hyperca_urgent = x.P<&CP::hyperca_urgent_above_uln, "LAB-03">().Met(Grain(ca - uln));
  }
  if (want_ckd) {
    s.course_gate = s.ckd_gate = true;
    x.Fired("SEL-09", x.Say<"SEL-09", "fired">());
    // Before the course decision and Selection, so that neither offers or continues them
    // (an active denosumab course is never simply stopped, §6.H.11).
    x.AvoidAgent("romosozumab", x.Say<"SEL-09", "avoid_romosozumab">(), {"SEL-09"});
    bool dmab_on = false;
    for (const auto& e : x.p.medications)
      dmab_on = dmab_on || (e.agent == Agent::kDenosumab && e.status == MedStatus::kActive);
    if (!dmab_on) x.AvoidAgent("denosumab", x.Say<"SEL-09", "avoid_denosumab">(), {"SEL-09"});
  } else {
    x.NotFired("SEL-09");
  }
  // Under the gate, the indication the course gives stands (the gate decides the therapy).
  if ((want_ckd || want_phpt || want_hyperca) && !earlier_gate && course_indicated == true &&
      a.treatment_indicated != true) {
    a.treatment_indicated = true;
    if (a.risk_tier == RiskTier::kNotIndicated || a.risk_tier == RiskTier::kIndeterminate)
      a.risk_tier = RiskTier::kHigh;
    x.Fired("COURSE-05", x.Say<"COURSE-05", "tier_floor">());
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
  s.treatment_failure_possible = d.treatment_failure_possible;
  for (const auto& av : d.avoid) Avoid(x, av.code, av.text, av.rules);
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
      x.Fired("COURSE-05", x.Say<"COURSE-05", "tier_floor">());
    }
    if (d.holiday) {
      s.holiday = true;
      a.treatment_indicated = false;
      // The tier may stay high during a holiday (catalogue §6.H.7); without one it is
      // not_indicated.
      if (a.risk_tier == RiskTier::kIndeterminate) a.risk_tier = RiskTier::kNotIndicated;
    }
  }
  FailureTier(x, s);
  // A course that makes treatment indicated (COURSE-04, COURSE-05, COURSE-26, or a failure on
  // it) supersedes the "not indicated" that TX-05 and RISK-03 traced before the course was read:
  // the trace says so instead of contradicting the decision.
  // Its reason ("no treatment indication under the thresholds") goes too: the headline says
  // "indicated" and its reasons agree.
  if (x.verbose && a.treatment_indicated == true) {
    for (auto& t : a.trace)
      if ((t.rule == "TX-05" || t.rule == "RISK-03") && t.outcome == Outcome::kFired) {
        t.outcome = Outcome::kNotFired;
        t.because = x.Say<"COURSE-04", "supersedes", "rule">(t.rule);
      }
    std::erase_if(a.treatment_reasons, [](const Statement& st) {
      return !st.rules.empty() &&
             std::all_of(st.rules.begin(), st.rules.end(),
                         [](std::string_view r) { return r == "TX-05" || r == "RISK-03"; });
    });
  }
}

namespace {
// The rules this file implements (the registration: see Topic in steps.h).
constexpr std::string_view kRules[] = {"CONV-02", "SEL-09", "VCF-03b", "COURSE-26"};
}  // namespace
const Topic kCourseGatesTopic{"course gates", kRules};

}  // namespace bp::rules
