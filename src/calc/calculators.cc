#include "calc/calculators.h"

#include <algorithm>
#include <cmath>

namespace bp::calc {

double CockcroftGaultMlMin(double age_years, double weight_kg, double creatinine_mg_dl, bool female,
                           const CockcroftGaultCoefficients& c) {
  const double crcl = (c.age_constant - age_years) * weight_kg / (c.denominator * creatinine_mg_dl);
  return female ? crcl * c.female_factor : crcl;
}

double IdealBodyWeightKg(double height_cm, bool female, const BodyWeightCoefficients& c) {
  const double height_in = height_cm / c.cm_per_inch;
  const double base = female ? c.female_base_kg : c.male_base_kg;
  return base + c.kg_per_inch * (height_in - c.height_base_in);
}

double AdjustedBodyWeightKg(double actual_kg, double ideal_kg, const BodyWeightCoefficients& c) {
  return ideal_kg + c.adjusted_factor * (actual_kg - ideal_kg);
}

double CkdEpi2021(double creatinine_mg_dl, double age_years, bool female,
                  const CkdEpiCoefficients& c) {
  const double kappa = female ? c.kappa_female : c.kappa_male;
  const double alpha = female ? c.alpha_female : c.alpha_male;
  const double ratio = creatinine_mg_dl / kappa;
  double egfr = c.constant * std::pow(std::min(ratio, 1.0), alpha) *
                std::pow(std::max(ratio, 1.0), c.exponent_high) * std::pow(c.age_base, age_years);
  if (female) egfr *= c.female_factor;
  return egfr;
}

double CorrectedCalciumMgDl(double calcium_mg_dl, double albumin_g_dl, double factor,
                            double albumin_reference_g_dl) {
  return calcium_mg_dl + factor * (albumin_reference_g_dl - albumin_g_dl);
}

double BmiKgM2(double weight_kg, double height_cm) {
  const double m = height_cm / 100.0;  // unit conversion, not a clinical number
  return weight_kg / (m * m);
}

GcBand GlucocorticoidBand(double prednisone_mg_day, const GcBandLimits& l) {
  if (prednisone_mg_day < l.low_below_mg) return GcBand::kLow;
  const bool high =
      l.high_inclusive ? prednisone_mg_day >= l.high_from_mg : prednisone_mg_day > l.high_from_mg;
  return high ? GcBand::kHigh : GcBand::kMedium;
}

}  // namespace bp::calc
