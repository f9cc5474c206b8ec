#include "rules/params.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>

#include "common/decimal.h"

namespace bp {

std::string_view Threshold::Operator() const {
  switch (cmp) {
    case Comparator::kLt:
      return "< ";
    case Comparator::kLe:
      return "\xE2\x89\xA4 ";
    case Comparator::kGt:
      return "> ";
    case Comparator::kGe:
      return "\xE2\x89\xA5 ";
    case Comparator::kEq:
      return "= ";
    case Comparator::kNone:
      break;
  }
  return "";
}

std::size_t Threshold::WriteValue(char* out) const {
  // As printf's "%g" (std::to_chars general, precision 6), without the locale. Thresholds below
  // 1000 with at most three decimals (nearly all) take the fixed-point path: d is the fewest
  // decimals for which value * 10^d is whole (within 1e-9, far below the sixth significant
  // digit that "%g" rounds to), so the digits and the absence of trailing zeros are those of
  // "%g".
  static constexpr double kScale[] = {1, 10, 100, 1000};
  if (std::fabs(value) < 1000) {
    for (int d = 0; d <= 3; ++d) {
      const double scaled = value * kScale[d];
      const double whole =
          static_cast<double>(static_cast<long long>(scaled + (scaled < 0 ? -0.5 : 0.5)));
      if (std::fabs(scaled - whole) <= 1e-9 * std::fabs(scaled)) return WriteFixed(out, value, d);
    }
  }
  const auto r = std::to_chars(out, out + kValueBuffer, value, std::chars_format::general, 6);
  return static_cast<std::size_t>(r.ptr - out);
}

void Threshold::KeepText() {
  char buf[kValueBuffer];
  const std::size_t n = WriteValue(buf);
  if (n <= text.size()) {
    std::memcpy(text.data(), buf, n);
    text_len = static_cast<std::uint8_t>(n);
  } else {
    text_len = 0;
  }
}

std::string Threshold::Describe(std::string_view unit) const {
  std::string s;
  DescribeTo(unit, [&s](std::string_view piece) { s.append(piece); });
  return s;
}

namespace {

using CP = CompiledProfile;

template <auto Member>
auto& FieldOf(CP& c) {
  return c.*Member;
}
template <auto Member, auto Inner>
auto& FieldOf(CP& c) {
  return (c.*Member).*Inner;
}

// Stores a number, a switch or a choice in the field the path names.
template <auto... Path>
bool Store(CP& c, const ParamValue& v) {
  auto& field = FieldOf<Path...>(c);
  using F = std::remove_reference_t<decltype(field)>;
  if constexpr (std::is_same_v<F, Threshold>) {
    field = Threshold{v.number, v.cmp};
    field.KeepText();
  } else if constexpr (std::is_same_v<F, bool>) {
    field = v.flag;
  } else if constexpr (std::is_same_v<F, int>) {
    field = static_cast<int>(std::lround(v.number));
  } else {
    static_assert(std::is_same_v<F, double>,
                  "a parameter field is a Threshold, double, int or bool");
    field = v.number;
  }
  return true;
}

template <auto... Path>
constexpr ParamValue::Kind KindOf() {
  using F = std::remove_reference_t<decltype(FieldOf<Path...>(std::declval<CP&>()))>;
  return std::is_same_v<F, bool> ? ParamValue::Kind::kBool : ParamValue::Kind::kNumber;
}

// The key a binding registers: the top-level field, or the member of a set read by member
// (params.h, In).
template <auto Member, auto... Inner>
constexpr FieldKey KeyOf() {
  using Set = std::remove_cvref_t<decltype(std::declval<CP&>().*Member)>;
  if constexpr (sizeof...(Inner) == 1 && kReadByMember<Set>)
    return FieldKeyOf<Inner...>();
  else
    return FieldKeyOf<Member>();
}

template <auto Member, auto... Inner>
constexpr ParamBinding Bind(std::string_view name, std::string_view unit) {
  return {{name, unit, KindOf<Member, Inner...>()},
          KeyOf<Member, Inner...>(),
          &Store<Member, Inner...>,
          {}};
}

// A choice among texts: the value each text stands for.
template <typename E>
struct Option {
  std::string_view text;
  E value;
};
template <auto Options, auto... Path>
bool StoreChoice(CP& c, const ParamValue& v) {
  for (const auto& o : *Options)
    if (o.text == v.text) {
      FieldOf<Path...>(c) = o.value;
      return true;
    }
  return false;
}
template <auto Options, auto Member, auto... Inner>
constexpr ParamBinding Choice(std::string_view name, std::string_view choices) {
  return {{name, "", ParamValue::Kind::kText},
          KeyOf<Member, Inner...>(),
          &StoreChoice<Options, Member, Inner...>,
          choices};
}

constexpr Option<RiskModel> kRiskModels[] = {{"aace2020", RiskModel::kAace2020},
                                             {"endocrine_society", RiskModel::kEndocrineSociety},
                                             {"seed004", RiskModel::kSeed004}};
constexpr Option<GiopProfile> kGiopProfiles[] = {{"acr22", GiopProfile::kAcr22},
                                                 {"seed000", GiopProfile::kSeed000}};
constexpr Option<CtiblThreshold> kCtiblThresholds[] = {{"seed000", CtiblThreshold::kSeed000},
                                                       {"hadji17", CtiblThreshold::kHadji17}};
constexpr Option<CrclWeight> kCrclWeights[] = {
    {"actual", CrclWeight::kActual}, {"ibw", CrclWeight::kIdeal}, {"adjbw", CrclWeight::kAdjusted}};
constexpr Option<bool> kFirstLine[] = {{"oral_bisphosphonate", false}, {"equal_options", true}};
constexpr Option<bool> kDenosumabPosition[] = {{"second_line", false}, {"first_line_option", true}};
constexpr Option<bool> kLapseAction[] = {{"resume", true}, {"zoledronic_acid", false}};
constexpr Option<bool> kPresumedFragility[] = {{"hip_vertebral", true}, {"none", false}};

// The typed profile: every parameter of knowledge/parameters.json and the field it fills (a
// parameter may fill more than one). knowledge check compares it with parameters.json.
const ParamBinding kBindings[] = {
    Choice<&kRiskModels, &CP::risk_model>("risk_model", "aace2020, endocrine_society or seed004"),
    Choice<&kGiopProfiles, &CP::giop_profile>("giop_profile", "acr22 or seed000"),
    Choice<&kCtiblThresholds, &CP::ctibl>("ctibl_threshold", "seed000 or hadji17"),
    Choice<&kCrclWeights, &CP::crcl_weight>("crcl_weight", "actual, ibw or adjbw"),
    Choice<&kFirstLine, &CP::first_line_equal_options>("first_line_high_risk",
                                                       "oral_bisphosphonate or equal_options"),
    Choice<&kDenosumabPosition, &CP::denosumab_first_line>("denosumab_position",
                                                           "second_line or first_line_option"),
    Choice<&kLapseAction, &CP::course_limits, &CourseLimits::lapse_resume>(
        "dmab_lapse_action", "resume or zoledronic_acid"),
    Choice<&kPresumedFragility, &CP::presume_hip_vertebral_fragility>(
        "possible_fragility_presumed_for_treatment", "hip_vertebral or none"),
    Bind<&CP::vh_frax_mof>("vh_frax_mof_pct", "%"),
    Bind<&CP::vh_frax_hip>("vh_frax_hip_pct", "%"),
    Bind<&CP::vh_tscore>("vh_tscore", "1"),
    Bind<&CP::vh_age_enabled>("vh_age_enabled", ""),
    Bind<&CP::vh_age>("vh_age_gt", "years"),
    Bind<&CP::vh_recent_fx_months>("vh_recent_fx_months", "months"),
    Bind<&CP::vh_falls>("vh_falls_count", "falls/year"),
    Bind<&CP::vh_multiple_fractures>("vh_multiple_fractures_count", "fractures"),
    Bind<&CP::vh_use_falls>("vh_use_falls", ""),
    Bind<&CP::vh_use_fracture_on_harmful_drug>("vh_use_fracture_on_harmful_drug", ""),
    Bind<&CP::tx_tscore_osteoporosis>("tx_tscore_osteoporosis", "1"),
    Bind<&CP::tx_tscore_low_bone_mass>("tx_tscore_low_bone_mass", "1"),
    Bind<&CP::tx_frax_mof>("tx_frax_mof_pct", "%"),
    Bind<&CP::tx_frax_hip>("tx_frax_hip_pct", "%"),
    Bind<&CP::tx_frax_requires_low_bone_mass>("tx_frax_requires_low_bone_mass", ""),
    Bind<&CP::tx_low_bmd_fx_forearm>("tx_low_bmd_fx_forearm", ""),
    Bind<&CP::fragility_fracture_normal_bmd_indicates>("fragility_fracture_normal_bmd_indicates",
                                                       ""),
    Bind<&CP::zscore_below_expected>("zscore_below_expected", "1"),
    Bind<&CP::tscore_population_min_age_men>("tscore_population_min_age_men", "years"),
    Bind<&CP::menopause_assumed_age>("menopause_assumed_age_years", "years"),
    Bind<&CP::frax_min_age>("frax_min_age", "years"),
    Bind<&CP::frax_max_age>("frax_max_age", "years"),
    Bind<&CP::gc_bands, &calc::GcBandLimits::low_below_mg>("gc_low_band_mg", "mg/day"),
    Bind<&CP::gc_bands, &calc::GcBandLimits::high_from_mg>("gc_high_band_mg", "mg/day"),
    Bind<&CP::gc_bands, &calc::GcBandLimits::high_inclusive>("gc_high_band_inclusive", ""),
    Bind<&CP::gc_low_mof>("gc_frax_low_mof_factor", "1"),
    Bind<&CP::gc_low_hip>("gc_frax_low_hip_factor", "1"),
    Bind<&CP::gc_high_mof>("gc_frax_high_mof_factor", "1"),
    Bind<&CP::gc_high_hip>("gc_frax_high_hip_factor", "1"),
    Bind<&CP::gc_acr_min_dose>("gc_acr_min_dose_mg", "mg/day"),
    Bind<&CP::gc_acr_min_days>("gc_acr_min_days", "days"),
    Bind<&CP::giop_vh_tscore>("giop_vh_tscore", "1"),
    Bind<&CP::giop_vh_frax_mof>("giop_vh_frax_mof_pct", "%"),
    Bind<&CP::giop_vh_frax_hip>("giop_vh_frax_hip_pct", "%"),
    Bind<&CP::giop_vh_dose>("giop_vh_dose_mg", "mg/day"),
    Bind<&CP::giop_vh_dose_days>("giop_vh_dose_days", "days"),
    Bind<&CP::giop_vh_cumulative_g>("giop_vh_cumulative_g", "g/year"),
    Bind<&CP::giop_high_tscore>("giop_high_tscore", "1"),
    Bind<&CP::giop_high_frax_mof>("giop_high_frax_mof_pct", "%"),
    Bind<&CP::giop_high_frax_hip>("giop_high_frax_hip_pct", "%"),
    Bind<&CP::giop_mod_frax_mof>("giop_mod_frax_mof_pct", "%"),
    Bind<&CP::giop_mod_frax_hip>("giop_mod_frax_hip_pct", "%"),
    Bind<&CP::giop_mod_tscore>("giop_mod_tscore", "1"),
    Bind<&CP::giop_young_age>("giop_young_age", "years"),
    Bind<&CP::giop_young_zscore>("giop_young_zscore", "1"),
    Bind<&CP::giop_young_dose>("giop_young_dose_mg", "mg/day"),
    Bind<&CP::giop_young_months>("giop_young_months", "months"),
    Bind<&CP::giop_legacy_dose>("giop_legacy_dose_mg", "mg/day"),
    Bind<&CP::giop_legacy_months>("giop_legacy_months", "months"),
    Bind<&CP::giop_legacy_tscore>("giop_legacy_tscore", "1"),
    Bind<&CP::giop_za_label_dose>("giop_za_label_dose_mg", "mg/day"),
    Bind<&CP::giop_za_label_months>("giop_za_label_months", "months"),
    Bind<&CP::ctibl_tscore>("ctibl_tscore", "1"),
    Bind<&CP::ctibl_frax_mof>("ctibl_frax_mof_pct", "%"),
    Bind<&CP::ctibl_frax_hip>("ctibl_frax_hip_pct", "%"),
    Bind<&CP::hadji_tscore>("hadji_tscore", "1"),
    Bind<&CP::hadji_tscore_with_risk>("hadji_tscore_with_risk", "1"),
    Bind<&CP::hadji_risk_factors>("hadji_risk_factors_without_bmd", "risk factors"),
    Bind<&CP::hadji_age>("hadji_age_gt", "years"),
    Bind<&CP::hadji_bmi>("hadji_bmi_lt", "kg/m2"),
    Bind<&CP::hadji_gc_months>("hadji_gc_months", "months"),
    Bind<&CP::gc_harmful_drug_months>("gc_harmful_drug_months", "months"),
    Bind<&CP::acp_osteopenia_age>("acp_osteopenia_age_gt", "years"),
    Bind<&CP::crcl_borderline_band>("crcl_borderline_band", "mL/min"),
    Bind<&CP::za_crcl>("za_crcl_min", "mL/min"),
    Bind<&CP::alendronate_crcl>("alendronate_crcl_min", "mL/min"),
    Bind<&CP::risedronate_crcl>("risedronate_crcl_min", "mL/min"),
    Bind<&CP::ibandronate_crcl>("ibandronate_crcl_min", "mL/min"),
    Bind<&CP::denosumab_egfr>("denosumab_egfr_min", "mL/min/1.73m2"),
    Bind<&CP::refer_crcl>("refer_if_crcl_below", "mL/min"),
    Bind<&CP::ca_albumin_factor>("ca_albumin_factor", "mg/dL per g/dL"),
    Bind<&CP::ca_albumin_reference>("ca_albumin_reference_g_dl", "g/dL"),
    Bind<&CP::hypoca_corrected>("hypoca_corrected_mg_dl", "mg/dL"),
    Bind<&CP::hypoca_ionized>("hypoca_ionized_mmol_l", "mmol/L"),
    Bind<&CP::hyperca_corrected>("hyperca_corrected_mg_dl", "mg/dL"),
    Bind<&CP::creatinine_max_age_days>("creatinine_max_age_days_za", "days"),
    Bind<&CP::calcium_max_age_days>("calcium_max_age_days_za", "days"),
    Bind<&CP::vitd_max_age_days>("vitd_max_age_days_za", "days"),
    Bind<&CP::za_min_vitd>("za_min_25ohd_ngml", "ng/mL"),
    Bind<&CP::vitd_target>("vitd_target_warn_ngml", "ng/mL"),
    Bind<&CP::za_interval_months>("za_interval_months", "months"),
    Bind<&CP::estrogen_raloxifene_warning>("estrogen_raloxifene_warning", ""),
    Bind<&CP::romo_cv_months>("romo_cv_months", "months"),
    Bind<&CP::romo_max_doses>("romo_max_doses", "doses"),
    Bind<&CP::tptd_max_months>("tptd_max_months_warn", "months"),
    Bind<&CP::abl_max_months>("abl_cumulative_pth_max_months", "months"),
    Bind<&CP::treatment_failure_months>("treatment_failure_months", "months"),
    Bind<&CP::fls_min_age>("fls_min_age", "years"),
    Bind<&CP::myeloma_screen_age>("myeloma_screen_min_age_years", "years"),
    Bind<&CP::fls_window_months>("fls_window_months", "months"),
    Bind<&CP::va_min_pain_weeks>("va_min_pain_weeks", "weeks"),
    Bind<&CP::surgery_referral_for_deformity>("surgery_referral_for_deformity", ""),
    Bind<&CP::vcf_conservative_max_months>("vcf_conservative_max_months", "months"),
    Bind<&CP::calcitonin_max_days>("calcitonin_max_fracture_age_days", "days"),
    Bind<&CP::young_age>("young_age_years", "years"),
    Bind<&CP::bp_oral_reassess_years>("bp_oral_reassess_years", "years"),
    Bind<&CP::bp_oral_max_years>("bp_oral_max_years_high_risk", "years"),
    Bind<&CP::za_reassess_doses>("za_reassess_after_doses", "doses"),
    Bind<&CP::za_max_doses>("za_max_doses_high_risk", "doses"),
    Bind<&CP::dmab_interval_months>("dmab_interval_months", "months"),
    Bind<&CP::dmab_overdue_months>("dmab_overdue_months", "months"),
    Bind<&CP::dmab_transition_months>("dmab_transition_za_months", "months"),
    Bind<&CP::dmab_ctx_first_months>("dmab_transition_ctx_first_months", "months"),
    Bind<&CP::dmab_ctx_second_months>("dmab_transition_ctx_second_months", "months"),
    Bind<&CP::holiday_reassess_min_years>("holiday_reassess_min_years", "years"),
    Bind<&CP::holiday_reassess_max_years>("holiday_reassess_max_years", "years"),
    Bind<&CP::btm_p1np_drop>("btm_p1np_drop_pct", "%"),
    Bind<&CP::btm_ctx_drop>("btm_ctx_drop_pct", "%"),
    Bind<&CP::btm_lsc_p1np>("btm_lsc_p1np_pct", "%"),
    Bind<&CP::btm_lsc_ctx>("btm_lsc_ctx_pct", "%"),
    Bind<&CP::alp_high>("alp_fallback_high_u_l", "U/L"),
    Bind<&CP::alp_low>("alp_fallback_low_u_l", "U/L"),
    Bind<&CP::phosphate_low>("phosphate_fallback_low_mg_dl", "mg/dL"),
    Bind<&CP::vitd_osteomalacia>("vitd_osteomalacia_ng_ml", "ng/mL"),
    Bind<&CP::bmd_lsc_spine>("bmd_lsc_fallback_spine_pct", "%"),
    Bind<&CP::bmd_lsc_hip>("bmd_lsc_fallback_hip_pct", "%"),
    Bind<&CP::fracture_same_event_days>("fracture_same_event_days", "days"),
    Bind<&CP::course, &CourseParams::oral_gap_months>("course_merge_gap_oral_months", "months"),
    Bind<&CP::course, &CourseParams::za_due_months>("za_interval_months", "months"),
    Bind<&CP::course, &CourseParams::za_overdue_after_months>("za_overdue_after_months", "months"),
    Bind<&CP::course, &CourseParams::dmab_due_months>("dmab_interval_months", "months"),
    Bind<&CP::course, &CourseParams::dmab_overdue_after_months>("dmab_overdue_months", "months"),
    Bind<&CP::course, &CourseParams::dmab_transition_months>("dmab_transition_za_months", "months"),
    Bind<&CP::course, &CourseParams::romo_due_months>("romo_interval_months", "months"),
    Bind<&CP::course, &CourseParams::romo_overdue_after_weeks>("romo_overdue_after_weeks", "weeks"),
    Bind<&CP::course, &CourseParams::ibn_iv_due_months>("ibn_iv_interval_months", "months"),
    Bind<&CP::course, &CourseParams::ibn_iv_overdue_extra_weeks>("ibn_iv_overdue_extra_weeks",
                                                                 "weeks"),
    Bind<&CP::course, &CourseParams::recent_course_months>("course_recent_months", "months"),
    Bind<&CP::course, &CourseParams::dose_merge_days>("fracture_same_event_days", "days"),
    Bind<&CP::course, &CourseParams::za_osteoporosis_min_mg>("za_osteoporosis_dose_mg", "mg"),
    Bind<&CP::course, &CourseParams::dmab_oncology_min_mg>("dmab_oncology_dose_mg", "mg"),
    Bind<&CP::course, &CourseParams::oral_review_years>("bp_oral_reassess_years", "years"),
    Bind<&CP::course, &CourseParams::za_review_doses>("za_reassess_after_doses", "doses"),
    Bind<&CP::course_limits, &CourseLimits::romo_max_doses>("romo_max_doses", "doses"),
    Bind<&CP::course_limits, &CourseLimits::pth_max_months>("pth_cumulative_max_months", "months"),
    Bind<&CP::course_limits, &CourseLimits::oral_review_years>("bp_oral_reassess_years", "years"),
    Bind<&CP::course_limits, &CourseLimits::oral_max_years>("bp_oral_max_years_high_risk", "years"),
    Bind<&CP::course_limits, &CourseLimits::za_review_doses>("za_reassess_after_doses", "doses"),
    Bind<&CP::course_limits, &CourseLimits::za_max_doses>("za_max_doses_high_risk", "doses"),
    Bind<&CP::course_limits, &CourseLimits::dmab_review_years>("dmab_review_years", "years"),
    Bind<&CP::course_limits, &CourseLimits::dmab_second_review_years>("dmab_second_review_years",
                                                                      "years"),
    Bind<&CP::course_limits, &CourseLimits::dmab_review_doses_unknown_start>(
        "dmab_review_doses_unknown_start", "doses"),
    Bind<&CP::course_limits, &CourseLimits::holiday_review_years>("holiday_review_years", "years"),
    Bind<&CP::course_limits, &CourseLimits::failure_min_months>("treatment_failure_months",
                                                                "months"),
    Bind<&CP::course_limits, &CourseLimits::failure_urgent_months>(
        "treatment_failure_urgent_months", "months"),
    Bind<&CP::course_limits, &CourseLimits::failure_incident_fractures>(
        "treatment_failure_incident_fractures", "fractures"),
    Bind<&CP::course_limits, &CourseLimits::anabolic_followup_critical_months>(
        "anabolic_followup_critical_months", "months"),
    Bind<&CP::review_high_risk_hip_t>("review_high_risk_hip_t", "1"),
    Bind<&CP::hyperca_ionized>("hyperca_ionized_mmol_l", "mmol/L"),
    Bind<&CP::possible_fragility_min_age>("possible_fragility_min_age", "years"),
    Bind<&CP::pregnancy_current_months>("pregnancy_current_months", "months"),
    Bind<&CP::review_dxa_max_age_months>("review_dxa_max_age_months", "months"),
    Bind<&CP::ckd_urgent_fracture_months>("ckd_urgent_fracture_months", "months"),
    Bind<&CP::hyperca_urgent_above_uln>("hyperca_urgent_above_uln_mg_dl", "mg/dL"),
    Bind<&CP::cg, &calc::CockcroftGaultCoefficients::age_constant>("cg_age_constant", "years"),
    Bind<&CP::cg, &calc::CockcroftGaultCoefficients::denominator>("cg_denominator", "1"),
    Bind<&CP::cg, &calc::CockcroftGaultCoefficients::female_factor>("cg_female_factor", "1"),
    Bind<&CP::bw, &calc::BodyWeightCoefficients::male_base_kg>("ibw_male_base_kg", "kg"),
    Bind<&CP::bw, &calc::BodyWeightCoefficients::female_base_kg>("ibw_female_base_kg", "kg"),
    Bind<&CP::bw, &calc::BodyWeightCoefficients::kg_per_inch>("ibw_kg_per_inch", "kg/in"),
    Bind<&CP::bw, &calc::BodyWeightCoefficients::height_base_in>("ibw_height_base_in", "in"),
    Bind<&CP::bw, &calc::BodyWeightCoefficients::cm_per_inch>("cm_per_inch", "cm/in"),
    Bind<&CP::bw, &calc::BodyWeightCoefficients::adjusted_factor>("adjbw_factor", "1"),
    Bind<&CP::ckd_epi, &calc::CkdEpiCoefficients::constant>("ckd_epi_constant", "1"),
    Bind<&CP::ckd_epi, &calc::CkdEpiCoefficients::kappa_female>("ckd_epi_kappa_female", "mg/dL"),
    Bind<&CP::ckd_epi, &calc::CkdEpiCoefficients::kappa_male>("ckd_epi_kappa_male", "mg/dL"),
    Bind<&CP::ckd_epi, &calc::CkdEpiCoefficients::alpha_female>("ckd_epi_alpha_female", "1"),
    Bind<&CP::ckd_epi, &calc::CkdEpiCoefficients::alpha_male>("ckd_epi_alpha_male", "1"),
    Bind<&CP::ckd_epi, &calc::CkdEpiCoefficients::exponent_high>("ckd_epi_exponent_high", "1"),
    Bind<&CP::ckd_epi, &calc::CkdEpiCoefficients::age_base>("ckd_epi_age_base", "1/year"),
    Bind<&CP::ckd_epi, &calc::CkdEpiCoefficients::female_factor>("ckd_epi_female_factor", "1"),
};

// The read registrations, filled while the program starts (ReadRegistration's constructor).
std::vector<std::pair<std::string_view, FieldKey>>& ReadRegistry() {
  static std::vector<std::pair<std::string_view, FieldKey>> reads;
  return reads;
}

}  // namespace

std::span<const ParamBinding> ParamBindings() { return kBindings; }

params_detail::ReadRegistration::ReadRegistration(FieldKey field,
                                                  std::initializer_list<std::string_view> rules) {
  for (std::string_view rule : rules) ReadRegistry().emplace_back(rule, field);
}

std::vector<RuleParameterRead> RuleParameterReads() {
  std::vector<RuleParameterRead> out;
  for (const auto& [rule, field] : ReadRegistry())
    for (const ParamBinding& b : kBindings)
      if (b.field == field) {
        const RuleParameterRead r{rule, b.parameter.name};
        if (std::none_of(out.begin(), out.end(), [&](const RuleParameterRead& o) {
              return o.rule == r.rule && o.parameter == r.parameter;
            }))
          out.push_back(r);
      }
  return out;
}

Result<CompiledProfile> CompileProfile(const KnowledgeBase& kb, std::string_view profile) {
  if (!kb.FindProfile(profile)) {
    std::string names;
    for (const auto& p : kb.profiles) names += (names.empty() ? "" : ", ") + p.name;
    return Error{"unsupported", "--profile",
                 "unknown profile \"" + std::string(profile) + "\" (shipped: " + names + ")"};
  }
  CompiledProfile c;
  c.name = std::string(profile);
  Errors errors;
  for (const ParamBinding& b : kBindings) {
    const std::string name(b.parameter.name);
    const auto v = kb.Resolve(profile, name);
    if (!v)
      errors.push_back(
          {"internal", "knowledge", "parameter " + name + " is missing from the knowledge base"});
    else if (v->kind != b.parameter.kind)
      errors.push_back({"internal", "knowledge", "parameter " + name + " has the wrong type"});
    else if (!b.set(c, *v))
      errors.push_back({"internal", "knowledge", name + " must be " + std::string(b.choices)});
  }
  if (!errors.empty()) return errors;
  for (const RegimenDef& d : kb.regimens) {
    CompiledRegimen cr;
    cr.agent = d.agent;
    cr.def = &d;
    cr.route = Parse<Route>(d.route).value_or(Route::kOral);
    for (const auto& id : d.rules)
      if (!rules::HasId(cr.rules, id))
        cr.rules.push_back(id);  // MakeRegimen relies on no duplicates
    c.regimens.push_back(std::move(cr));
  }
  return c;
}

}  // namespace bp
