// Pure clinical calculators (catalogue §2.1). Every coefficient is passed in from the knowledge
// base's parameters: no clinical number is a literal here. Units are in the names; results are
// unrounded (callers compare unrounded and display one decimal).
#pragma once

#include <optional>

namespace bp::calc {

// CALC-01 Cockcroft-Gault: (age_constant - age) * weight / (denominator * SCr), times the
// female factor for women. Not normalised to body surface area.
struct CockcroftGaultCoefficients {
  double age_constant = 0;   // 140
  double denominator = 0;    // 72
  double female_factor = 0;  // 0.85
  friend bool operator==(const CockcroftGaultCoefficients&,
                         const CockcroftGaultCoefficients&) = default;
};
double CockcroftGaultMlMin(double age_years, double weight_kg, double creatinine_mg_dl, bool female,
                           const CockcroftGaultCoefficients& c);

// CALC-02 Devine ideal body weight and adjusted body weight.
struct BodyWeightCoefficients {
  double male_base_kg = 0;     // 50
  double female_base_kg = 0;   // 45.5
  double kg_per_inch = 0;      // 2.3
  double height_base_in = 0;   // 60
  double cm_per_inch = 0;      // 2.54
  double adjusted_factor = 0;  // 0.4
  friend bool operator==(const BodyWeightCoefficients&, const BodyWeightCoefficients&) = default;
};
double IdealBodyWeightKg(double height_cm, bool female, const BodyWeightCoefficients& c);
double AdjustedBodyWeightKg(double actual_kg, double ideal_kg, const BodyWeightCoefficients& c);

// CALC-03 CKD-EPI 2021 (race-free) eGFR in mL/min/1.73 m2.
struct CkdEpiCoefficients {
  double constant = 0;       // 142
  double kappa_female = 0;   // 0.7
  double kappa_male = 0;     // 0.9
  double alpha_female = 0;   // -0.241
  double alpha_male = 0;     // -0.302
  double exponent_high = 0;  // -1.200
  double age_base = 0;       // 0.9938
  double female_factor = 0;  // 1.012
  friend bool operator==(const CkdEpiCoefficients&, const CkdEpiCoefficients&) = default;
};
double CkdEpi2021(double creatinine_mg_dl, double age_years, bool female,
                  const CkdEpiCoefficients& c);

// CALC-04 albumin-corrected calcium: Ca + factor * (reference - albumin).
double CorrectedCalciumMgDl(double calcium_mg_dl, double albumin_g_dl, double factor,
                            double albumin_reference_g_dl);

// BMI in kg/m2.
double BmiKgM2(double weight_kg, double height_cm);

// CALC-06 FRAX glucocorticoid dose bands.
enum class GcBand { kLow, kMedium, kHigh };
struct GcBandLimits {
  double low_below_mg = 0;     // < 2.5 is low
  double high_from_mg = 0;     // 7.5
  bool high_inclusive = true;  // >= 7.5 (KANIS11 table) or > 7.5 (abstract)
  friend bool operator==(const GcBandLimits&, const GcBandLimits&) = default;
};
GcBand GlucocorticoidBand(double prednisone_mg_day, const GcBandLimits& l);

}  // namespace bp::calc
