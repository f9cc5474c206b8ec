// Facts derived from a Patient on the assessment date under one profile: ages, the population
// gate, the latest lab values, computed renal and calcium values, the lowest T-score, adjusted
// FRAX, glucocorticoid exposure, and fracture events. The engine decides from these; they are
// computed once per assessment and profile.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "domain/patient.h"
#include "rules/params.h"

namespace bp {

bool HasCondition(const Patient& p, ConditionCode c);  // active conditions only

struct LabValue {
  double value = 0;
  std::optional<Date> date;
  const Lab* lab = nullptr;
  std::optional<int> age_days;  // nullopt when undated
  bool Fresh(int max_days) const { return age_days && *age_days <= max_days; }
  bool BelowReference(const Threshold& fallback) const {
    if (lab && lab->reference_low) return value < *lab->reference_low;
    return fallback.Met(value);
  }
  bool AboveReference(const Threshold& fallback) const {
    if (lab && lab->reference_high) return value > *lab->reference_high;
    return fallback.Met(value);
  }
};

struct FractureEvent {
  FractureSite site = FractureSite::kOther;
  std::optional<Date> date;
  bool fragility = false;
  bool mechanism_unknown = false;
  bool pathologic = false;
  bool atypical = false;
  std::string_view level;           // the Patient's (which outlives the Facts)
  int first_index = 0;              // position in Patient::fractures of the event's first record
  bool possible_fragility = false;  // CALC-09: unknown mechanism, 50 or over at the fracture
  bool presumed = false;            // CALC-09: presumed fragility for treatment (hip, spine)
  bool HipOrVertebral() const {
    return site == FractureSite::kHip || site == FractureSite::kVertebral;
  }
};

struct Facts {
  Date as_of;
  std::optional<double> age;
  bool female = false, male = false, sex_unknown = false;
  std::optional<Menopause> menopause;  // effective (recorded or assumed)
  bool menopause_assumed = false;
  // T-score population (postmenopausal/perimenopausal women, men >= 50); nullopt: unknown.
  std::optional<bool> in_t_population;

  std::optional<LabValue> creatinine, calcium, ionized_calcium, albumin, vitd, egfr_reported, alp,
      phosphate, pth, tsh, prolactin, urine_calcium;
  std::optional<LabValue> p1np_base, p1np_follow, ctx_base, ctx_follow;

  std::optional<double> bmi;
  std::optional<double> crcl;  // Cockcroft-Gault, unrounded
  bool crcl_sex_assumed = false;
  std::string crcl_weight_method;  // "actual" unless the profile says otherwise
  std::optional<double> egfr;      // reported, else CKD-EPI 2021
  bool egfr_computed = false;
  std::optional<double> corrected_calcium;
  bool hypocalcemia = false;
  bool calcium_known = false;
  bool hypercalcemia = false;           // CALC-04 (catalogue §6): above the upper limit
  bool hypercalcemia_fallback = false;  // compared with the fallback (no lab range)

  std::optional<Tenths> t_min;  // lowest on record (D32), any site incl. 1/3 radius (D33)
  std::optional<BmdSite> t_min_site;
  std::optional<Date> t_min_date;
  std::optional<Tenths> t_min_central;  // lumbar spine, femoral neck, total hip (TX-03)
  std::optional<Tenths> t_hip_latest;   // femoral neck / total hip on the latest scan
  std::optional<Tenths> z_min;
  std::optional<Date> latest_dxa;

  bool frax_present = false;
  std::optional<double> frax_mof, frax_hip;  // after glucocorticoid adjustment
  std::optional<double> frax_mof_raw, frax_hip_raw;
  bool frax_gc_adjusted_here = false;
  bool frax_gc_boundary = false;
  bool frax_gc_adjust_unknown = false;  // glucocorticoid active but dose unknown

  bool gc_active = false;
  std::optional<double> gc_dose_mg;  // prednisone-equivalent, active systemic
  std::optional<int> gc_days_actual;
  std::optional<int> gc_days_planned;
  bool gc_applies_acr = false;
  bool gc_duration_unknown = false;
  std::optional<double> gc_cumulative_g_year;

  std::vector<FractureEvent> events;
  int fragility_events = 0;
  bool any_hip_vert_fragility = false;
  bool any_pathologic = false;
  bool any_mechanism_unknown = false;
  bool any_possible_fragility = false;

  // Bit c set: an active condition with code c (codes below 64; see HasActive).
  std::uint64_t active_conditions = 0;
  // HasCondition(p, c) from the bits (the engine asks it dozens of times per assessment).
  bool HasActive(const Patient& p, ConditionCode c) const {
    const auto i = static_cast<unsigned>(c);
    return i < 64 ? ((active_conditions >> i) & 1u) != 0 : HasCondition(p, c);
  }
};

// The facts refer to `p`, which must outlive them.
Facts DeriveFacts(const Patient& p, Date as_of, const CompiledProfile& c);

// Helpers shared by the decisions.
bool HasCondition(const Patient& p, ConditionCode c);  // active conditions only
const Condition* FindCondition(const Patient& p, ConditionCode c, bool active_only = true);
const Medication* FindMedication(const Patient& p, Agent a, MedStatus s);
const Medication* FindMedicationAny(const Patient& p, Agent a);
inline bool HasIntolerance(const Patient& p, Intolerance i) {
  for (Intolerance x : p.intolerances)
    if (x == i) return true;
  return false;
}
bool IsOsteoporosisDrug(Agent a);
bool IsBisphosphonate(Agent a);
bool IsAnabolic(Agent a);
bool IsAntiresorptive(Agent a);

}  // namespace bp
