#include "rules/facts.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace bp {
namespace {

// `l` in place of `best` if it is the more recent: the most recent dated value wins; an undated
// value only when nothing is dated; of two on the same date, the later record.
void ConsiderLatest(std::optional<LabValue>& best, const Lab& l, Date as_of) {
  if (best && !(l.date && (!best->date || *l.date >= *best->date))) return;
  LabValue v{l.value, l.date, &l, std::nullopt};
  if (l.date) v.age_days = DaysBetween(*l.date, as_of);
  best = v;
}

bool Compatible(FractureSite a, FractureSite b) {
  if (a == b || a == FractureSite::kOther || b == FractureSite::kOther) return true;
  auto forearm = [](FractureSite s) {
    return s == FractureSite::kWrist || s == FractureSite::kForearm;
  };
  auto hip = [](FractureSite s) { return s == FractureSite::kHip || s == FractureSite::kFemur; };
  return (forearm(a) && forearm(b)) || (hip(a) && hip(b));
}

}  // namespace

bool IsBisphosphonate(Agent a) {
  return a == Agent::kAlendronate || a == Agent::kRisedronate || a == Agent::kIbandronate ||
         a == Agent::kZoledronicAcid;
}
bool IsAnabolic(Agent a) {
  return a == Agent::kTeriparatide || a == Agent::kAbaloparatide || a == Agent::kRomosozumab;
}
bool IsAntiresorptive(Agent a) { return IsBisphosphonate(a) || a == Agent::kDenosumab; }
bool IsOsteoporosisDrug(Agent a) {
  return IsAntiresorptive(a) || IsAnabolic(a) || a == Agent::kRaloxifene;
}

const Condition* FindCondition(const Patient& p, ConditionCode c, bool active_only) {
  for (const auto& x : p.conditions)
    if (x.code == c && (!active_only || x.active)) return &x;
  return nullptr;
}
bool HasCondition(const Patient& p, ConditionCode c) { return FindCondition(p, c) != nullptr; }

const Medication* FindMedication(const Patient& p, Agent a, MedStatus s) {
  for (const auto& m : p.medications)
    if (m.agent == a && m.status == s) return &m;
  return nullptr;
}
const Medication* FindMedicationAny(const Patient& p, Agent a) {
  for (const auto& m : p.medications)
    if (m.agent == a) return &m;
  return nullptr;
}

Facts DeriveFacts(const Patient& p, Date as_of, const CompiledProfile& c) {
  Facts f;
  f.as_of = as_of;
  if (p.birth_date)
    f.age = CompletedYears(*p.birth_date, as_of);
  else if (p.age_years)
    f.age = std::floor(*p.age_years);
  f.female = p.sex == Sex::kFemale;
  f.male = p.sex == Sex::kMale;
  f.sex_unknown = p.sex == Sex::kUnknown;
  for (const auto& cond : p.conditions) {
    const auto i = static_cast<unsigned>(cond.code);
    if (cond.active && i < 64) f.active_conditions |= std::uint64_t{1} << i;
  }

  // CONV-MENOPAUSE.
  if (f.female) {
    if (p.menopausal_status && *p.menopausal_status != Menopause::kUnknown) {
      f.menopause = p.menopausal_status;
    } else if (f.age) {
      f.menopause = Read<&CompiledProfile::menopause_assumed_age, "CALC-07", "CONV-MENOPAUSE",
                         "TX-06", "REF-07">(c)
                            .Met(*f.age)
                        ? Menopause::kPost
                        : Menopause::kPre;
      f.menopause_assumed = true;
    }
  }
  // CALC-07 population gate.
  if (f.female) {
    if (f.menopause) f.in_t_population = *f.menopause != Menopause::kPre;
  } else if (f.age) {
    // Men, and sex unknown: by the men's age limit (the more cautious reading for a
    // T-score-based decision is to require the same age as for men).
    f.in_t_population =
        Read<&CompiledProfile::tscore_population_min_age_men, "CALC-07", "TX-06", "REF-07">(c).Met(
            *f.age);
  }

  // The latest value of each test, in one pass over the labs (P1NP and CTX: the latest baseline
  // and the latest follow-up value, a record without the flag counting as follow-up).
  for (const Lab& l : p.labs) {
    if (l.date && *l.date > as_of) continue;  // readers reject these; be safe
    std::optional<LabValue>* slot = nullptr;
    switch (l.test) {
      case LabTest::kCreatinine:
        slot = &f.creatinine;
        break;
      case LabTest::kCalcium:
        slot = &f.calcium;
        break;
      case LabTest::kIonizedCalcium:
        slot = &f.ionized_calcium;
        break;
      case LabTest::kAlbumin:
        slot = &f.albumin;
        break;
      case LabTest::kVitaminD25oh:
        slot = &f.vitd;
        break;
      case LabTest::kEgfr:
        slot = &f.egfr_reported;
        break;
      case LabTest::kAlkalinePhosphatase:
        slot = &f.alp;
        break;
      case LabTest::kPhosphate:
        slot = &f.phosphate;
        break;
      case LabTest::kPth:
        slot = &f.pth;
        break;
      case LabTest::kTsh:
        slot = &f.tsh;
        break;
      case LabTest::kProlactin:
        slot = &f.prolactin;
        break;
      case LabTest::kUrineCalcium24h:
        slot = &f.urine_calcium;
        break;
      case LabTest::kP1np:
        slot = l.baseline.value_or(false) ? &f.p1np_base : &f.p1np_follow;
        break;
      case LabTest::kCtx:
        slot = l.baseline.value_or(false) ? &f.ctx_base : &f.ctx_follow;
        break;
    }
    if (slot) ConsiderLatest(*slot, l, as_of);
  }

  if (p.weight_kg && p.height_cm) f.bmi = calc::BmiKgM2(*p.weight_kg, *p.height_cm);

  // CALC-01/02: Cockcroft-Gault. Unknown sex: the lower (female) value (CONV-SEX-UNKNOWN).
  f.crcl_weight_method = "actual";
  if (f.creatinine && p.weight_kg && f.age && f.creatinine->value > 0) {
    double weight = *p.weight_kg;
    const bool female_calc = !f.male;
    if (Read<&CompiledProfile::crcl_weight, "CALC-01", "CALC-02", "D30">(c) !=
            CrclWeight::kActual &&
        p.height_cm) {
      const double ibw = calc::IdealBodyWeightKg(*p.height_cm, female_calc,
                                                 Read<&CompiledProfile::bw, "CALC-02">(c));
      weight =
          Read<&CompiledProfile::crcl_weight, "CALC-01", "CALC-02", "D30">(c) == CrclWeight::kIdeal
              ? ibw
              : calc::AdjustedBodyWeightKg(weight, ibw, Read<&CompiledProfile::bw, "CALC-02">(c));
      f.crcl_weight_method =
          Read<&CompiledProfile::crcl_weight, "CALC-01", "CALC-02", "D30">(c) == CrclWeight::kIdeal
              ? "ideal"
              : "adjusted";
    }
    f.crcl =
        calc::CockcroftGaultMlMin(*f.age, weight, f.creatinine->value, female_calc,
                                  Read<&CompiledProfile::cg, "CALC-01", "CONV-SEX-UNKNOWN">(c));
    f.crcl_sex_assumed = f.sex_unknown;
  }
  // CALC-03: eGFR reported, else CKD-EPI 2021 (unknown sex: the lower of both).
  if (f.egfr_reported) {
    f.egfr = f.egfr_reported->value;
  } else if (f.creatinine && f.age && f.creatinine->value > 0) {
    const double fem = calc::CkdEpi2021(f.creatinine->value, *f.age, true,
                                        Read<&CompiledProfile::ckd_epi, "CALC-03">(c));
    const double mal = calc::CkdEpi2021(f.creatinine->value, *f.age, false,
                                        Read<&CompiledProfile::ckd_epi, "CALC-03">(c));
    f.egfr = f.female ? fem : f.male ? mal : std::min(fem, mal);
    f.egfr_computed = true;
  }
  // CALC-04: corrected calcium; ionized preferred when present.
  if (f.calcium && f.albumin)
    f.corrected_calcium = calc::CorrectedCalciumMgDl(
        f.calcium->value, f.albumin->value, Read<&CompiledProfile::ca_albumin_factor, "CALC-04">(c),
        Read<&CompiledProfile::ca_albumin_reference, "CALC-04">(c));
  if (f.ionized_calcium) {
    f.calcium_known = true;
    f.hypocalcemia = f.ionized_calcium->BelowReference(
        Read<&CompiledProfile::hypoca_ionized, "CALC-04", "CI-06", "CI-11", "PRE-02">(c));
  } else if (f.corrected_calcium) {
    f.calcium_known = true;
    // The lab's range applies to total calcium; corrected calcium is compared to it too.
    LabValue corrected = *f.calcium;
    corrected.value = *f.corrected_calcium;
    f.hypocalcemia = corrected.BelowReference(
        Read<&CompiledProfile::hypoca_corrected, "CALC-04", "CI-06", "CI-11", "PRE-02">(c));
  } else if (f.calcium) {
    // Total calcium without albumin: usable when already low, not to call it normal.
    f.calcium_known = f.calcium->BelowReference(
        Read<&CompiledProfile::hypoca_corrected, "CALC-04", "CI-06", "CI-11", "PRE-02">(c));
    f.hypocalcemia = f.calcium_known;
  }
  if (HasCondition(p, ConditionCode::kHypocalcemia)) {
    f.hypocalcemia = true;
    f.calcium_known = true;
  }
  // CALC-04 (catalogue §6): hypercalcemia above the lab's upper limit, else the fallback; the
  // corrected value is compared unrounded. Total calcium without albumin counts when already high.
  if (f.ionized_calcium) {
    f.hypercalcemia = f.ionized_calcium->AboveReference(
        Read<&CompiledProfile::hyperca_ionized, "CALC-04", "D44">(c));
    f.hypercalcemia_fallback = !(f.ionized_calcium->lab && f.ionized_calcium->lab->reference_high);
  } else if (f.calcium) {
    LabValue v = *f.calcium;
    if (f.corrected_calcium) v.value = *f.corrected_calcium;
    f.hypercalcemia =
        v.AboveReference(Read<&CompiledProfile::hyperca_corrected, "CALC-04", "D44", "LAB-03">(c));
    f.hypercalcemia_fallback = !(f.calcium->lab && f.calcium->lab->reference_high);
  }

  // BMD: the lowest T-score on record establishes the diagnosis (D32), radius counts (D33).
  for (const auto& b : p.bmd) {
    if (b.date && (!f.latest_dxa || *b.date > *f.latest_dxa)) f.latest_dxa = b.date;
  }
  for (const auto& b : p.bmd) {
    if (b.t_score) {
      if (!f.t_min || *b.t_score < *f.t_min) {
        f.t_min = b.t_score;
        f.t_min_site = b.site;
        f.t_min_date = b.date;
      }
      if (b.site != BmdSite::kRadius33 && (!f.t_min_central || *b.t_score < *f.t_min_central))
        f.t_min_central = b.t_score;
      const bool hip = b.site == BmdSite::kTotalHip || b.site == BmdSite::kFemoralNeck;
      if (hip && (b.date == f.latest_dxa || !f.latest_dxa) &&
          (!f.t_hip_latest || *b.t_score < *f.t_hip_latest))
        f.t_hip_latest = b.t_score;
    }
    if (b.z_score && (!f.z_min || *b.z_score < *f.z_min)) f.z_min = b.z_score;
  }

  // CALC-05: glucocorticoid exposure (systemic; the record's dose is prednisone-equivalent).
  double dose_sum = 0;
  bool dose_known = true;
  for (const auto& m : p.medications) {
    if (m.agent != Agent::kGlucocorticoid) continue;
    if (m.status != MedStatus::kActive && m.status != MedStatus::kPlanned) continue;
    if (m.status == MedStatus::kActive) f.gc_active = true;
    if (m.dose_mg_per_day)
      dose_sum += *m.dose_mg_per_day;
    else
      dose_known = false;
    if (m.start && *m.start <= as_of) {
      const int actual = DaysBetween(*m.start, as_of);
      if (m.status == MedStatus::kActive)
        f.gc_days_actual = std::max(f.gc_days_actual.value_or(0), actual);
    }
    if (m.start && m.end)
      f.gc_days_planned = std::max(f.gc_days_planned.value_or(0), DaysBetween(*m.start, *m.end));
    if (!m.start && !m.end) f.gc_duration_unknown = true;
  }
  const bool any_gc = std::any_of(p.medications.begin(), p.medications.end(), [](const auto& m) {
    return m.agent == Agent::kGlucocorticoid &&
           (m.status == MedStatus::kActive || m.status == MedStatus::kPlanned);
  });
  if (any_gc && dose_known) f.gc_dose_mg = dose_sum;
  if (f.gc_dose_mg &&
      Read<&CompiledProfile::gc_acr_min_dose, "CALC-05", "D6", "GIOP-01">(c).Met(*f.gc_dose_mg)) {
    const int days = std::max(f.gc_days_actual.value_or(0), f.gc_days_planned.value_or(0));
    f.gc_applies_acr = Read<&CompiledProfile::gc_acr_min_days, "CALC-05", "GIOP-01">(c).Met(days);
    if (f.gc_days_actual)
      f.gc_cumulative_g_year = *f.gc_dose_mg * std::min(*f.gc_days_actual, 365) / 1000.0;
  }

  // FRAX, with CALC-06 adjustment when a systemic glucocorticoid is active.
  if (p.frax) {
    f.frax_present = p.frax->major_osteoporotic_pct || p.frax->hip_pct;
    if (p.frax->major_osteoporotic_pct)
      f.frax_mof_raw = FromTenths(*p.frax->major_osteoporotic_pct);
    if (p.frax->hip_pct) f.frax_hip_raw = FromTenths(*p.frax->hip_pct);
    f.frax_mof = f.frax_mof_raw;
    f.frax_hip = f.frax_hip_raw;
    if (f.gc_active && !p.frax->glucocorticoid_adjusted.value_or(false)) {
      if (!f.gc_dose_mg) {
        f.frax_gc_adjust_unknown = true;
      } else {
        const auto band = calc::GlucocorticoidBand(
            *f.gc_dose_mg, Read<&CompiledProfile::gc_bands, "CALC-06", "D7">(c));
        double mof = 1, hip = 1;
        if (band == calc::GcBand::kLow)
          mof = Read<&CompiledProfile::gc_low_mof, "CALC-06", "GIOP-02">(c),
          hip = Read<&CompiledProfile::gc_low_hip, "CALC-06", "GIOP-02">(c);
        if (band == calc::GcBand::kHigh)
          mof = Read<&CompiledProfile::gc_high_mof, "CALC-06", "GIOP-02">(c),
          hip = Read<&CompiledProfile::gc_high_hip, "CALC-06", "GIOP-02">(c);
        if (f.frax_mof) *f.frax_mof *= mof;
        if (f.frax_hip) *f.frax_hip *= hip;
        f.frax_gc_adjusted_here = band != calc::GcBand::kMedium;
        f.frax_gc_boundary =
            *f.gc_dose_mg == Read<&CompiledProfile::gc_bands, "CALC-06", "D7">(c).high_from_mg;
      }
    }
  }

  // Fractures: records of one event (± N days, compatible sites) merge (CONV-FRACTURE-EVENT).
  for (int i = 0; i < static_cast<int>(p.fractures.size()); ++i) {
    const auto& fx = p.fractures[static_cast<size_t>(i)];
    FractureEvent* same = nullptr;
    for (auto& e : f.events) {
      if (e.date && fx.date &&
          std::abs(DaysBetween(*e.date, *fx.date)) <=
              Read<&CompiledProfile::fracture_same_event_days, "CALC-08", "CONV-FRACTURE-EVENT",
                   "CONV-01">(c) &&
          Compatible(e.site, fx.site)) {
        same = &e;
        break;
      }
    }
    const bool pathologic = fx.pathologic_suspected.value_or(false);
    const bool fragility = fx.mechanism == FractureMechanism::kFragility && !pathologic;
    if (same) {
      if (same->site == FractureSite::kOther) same->site = fx.site;
      same->fragility = same->fragility || fragility;
      same->mechanism_unknown =
          same->mechanism_unknown && !fragility && fx.mechanism == FractureMechanism::kUnknown;
      same->pathologic = same->pathologic || pathologic;
      same->atypical = same->atypical || fx.atypical.value_or(false);
      if (same->level.empty()) same->level = fx.vertebral_level;
      continue;
    }
    FractureEvent e;
    e.site = fx.site;
    e.date = fx.date;
    e.fragility = fragility;
    e.mechanism_unknown = fx.mechanism == FractureMechanism::kUnknown && !pathologic;
    e.pathologic = pathologic;
    e.atypical = fx.atypical.value_or(false);
    e.level = fx.vertebral_level;
    e.first_index = i;
    f.events.push_back(std::move(e));
  }
  // CALC-08R / CALC-09: an atypical femoral fracture is not a fragility fracture; a fracture of
  // unknown mechanism at 50 or over (at the fracture) is a possible fragility fracture, presumed
  // one for treatment at the hip and spine under the default profile.
  for (auto& e : f.events) {
    if (e.atypical) e.fragility = false;
    if (!e.mechanism_unknown || e.fragility || e.pathologic || e.atypical) continue;
    std::optional<double> age_at = f.age;
    if (p.birth_date && e.date)
      age_at = CompletedYears(*p.birth_date, *e.date);
    else if (f.age && e.date && *e.date <= as_of)
      age_at = *f.age - CompletedYears(*e.date, as_of);
    if (!age_at || !Read<&CompiledProfile::possible_fragility_min_age, "CALC-09">(c).Met(*age_at))
      continue;
    e.possible_fragility = true;
    if (Read<&CompiledProfile::presume_hip_vertebral_fragility, "CALC-09", "D41">(c) &&
        e.HipOrVertebral()) {
      e.fragility = true;
      e.presumed = true;
    }
  }
  for (const auto& e : f.events) {
    if (e.possible_fragility) f.any_possible_fragility = true;
    if (e.fragility) {
      ++f.fragility_events;
      if (e.HipOrVertebral()) f.any_hip_vert_fragility = true;
    }
    if (e.pathologic) f.any_pathologic = true;
    if (e.mechanism_unknown && !e.fragility) f.any_mechanism_unknown = true;
  }
  return f;
}

}  // namespace bp
