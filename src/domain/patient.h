// The patient's bone-health record as the engine sees it: the native record of
// shared/spec/patient.schema.json after validation and unit conversion. Every measurement is in
// the canonical unit its name says; an absent measurement is std::nullopt (unknown, never
// normal). Absent lists are empty ("none recorded").
//
// No I/O, no JSON: readers (src/io, src/fhir) build these values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/date.h"
#include "domain/enums.h"

namespace bp {

// T-/Z-scores and FRAX are kept as integer tenths, rounded half away from zero as reports show
// them, so that comparisons at -2.5 or 20.0 are exact (catalogue §0.3.5).
using Tenths = int;
Tenths ToTenths(double v);
inline double FromTenths(Tenths t) { return t / 10.0; }

struct BmdMeasurement {
  std::optional<Date> date;
  BmdSite site = BmdSite::kLumbarSpine;
  std::optional<Tenths> t_score;
  std::optional<Tenths> z_score;
  std::optional<double> bmd_g_cm2;  // areal BMD at the site
  std::optional<double> lsc_g_cm2;  // the facility's least significant change, when reported
};

struct Frax {
  std::optional<Date> date;
  std::optional<Tenths> major_osteoporotic_pct;
  std::optional<Tenths> hip_pct;
  std::optional<bool> glucocorticoid_adjusted;
  std::string model;  // empty: US (spec README)
};

struct Fracture {
  FractureSite site = FractureSite::kOther;
  std::string vertebral_level;
  std::optional<Date> date;
  FractureMechanism mechanism = FractureMechanism::kUnknown;
  bool mechanism_recorded = false;
  std::optional<bool> pathologic_suspected;
  std::optional<bool> atypical;
};

// Values are in the canonical unit of the test (LabCanonicalUnit); readers convert.
struct Lab {
  LabTest test = LabTest::kCreatinine;
  double value = 0;
  std::optional<Date> date;
  std::optional<bool> baseline;
  std::optional<double> reference_low;
  std::optional<double> reference_high;
  std::string source;  // where it came from (input path or FHIR resource), for the trace
};

struct Condition {
  ConditionCode code = ConditionCode::kOsteoporosis;
  std::optional<Date> onset;
  bool active = true;
  std::string stage;
};

struct Medication {
  Agent agent = Agent::kAlendronate;
  MedStatus status = MedStatus::kActive;
  std::optional<Date> start;
  std::optional<Date> end;
  std::optional<Date> last_dose;
  std::optional<int> doses_received;
  std::optional<double> dose_mg_per_day;  // glucocorticoid: prednisone-equivalent
  std::optional<StopReason> stop_reason;
  std::optional<Route> route;
  std::optional<double> dose_mg;  // injected/infused agents: mg per administration
  bool held = false;              // on hold (FHIR on-hold): not stopped, no dose now
  std::vector<Date> dose_dates;   // every dose given, when known (sorted, as recorded)
};

struct OralBisphosphonateBarriers {
  std::optional<bool> cannot_remain_upright_30_60_min;
  std::optional<bool> cannot_follow_dosing_instructions;
  std::optional<bool> adherence_concern;
};

struct Falls {
  std::optional<int> count_past_year;
  std::optional<bool> injurious;
};

struct SpineFindings {
  std::optional<bool> neurological_deficit;
  std::optional<bool> instability;
  std::optional<Deformity> deformity;
  std::optional<bool> pulmonary_dysfunction;
  std::optional<SpinePain> pain;
  std::optional<double> weeks_of_conservative_care;
  std::optional<bool> on_analgesics;
  bool red_flags_recorded = false;  // the list was given (possibly empty)
  std::vector<RedFlag> red_flags;
};

struct Dental {
  std::optional<bool> invasive_procedure_planned;
  std::optional<bool> exam_within_6_months;
};

struct PriorReferral {
  Destination to = Destination::kPrimaryCare;
  std::optional<Date> date;
};

struct Patient {
  std::string id;
  std::optional<Date> as_of;
  Sex sex = Sex::kUnknown;
  std::optional<Date> birth_date;
  std::optional<double> age_years;
  std::optional<Menopause> menopausal_status;
  std::optional<double> weight_kg;
  std::optional<double> height_cm;
  std::vector<BmdMeasurement> bmd;
  std::optional<Frax> frax;
  std::vector<Fracture> fractures;
  std::vector<Lab> labs;
  std::vector<Condition> conditions;
  std::vector<Medication> medications;
  std::vector<Intolerance> intolerances;
  OralBisphosphonateBarriers oral_bisphosphonate_barriers;
  std::optional<bool> prefers_annual_infusion;
  Falls falls;
  bool spine_recorded = false;
  SpineFindings spine;
  Dental dental;
  std::optional<bool> hydration_adequate;
  std::vector<PriorReferral> prior_referrals;
  std::optional<bool> deceased;
  std::optional<Date> deceased_date;  // implies deceased
  std::optional<bool> breastfeeding;
};

}  // namespace bp
