#include "rules/params.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

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

class Resolver {
 public:
  Resolver(const KnowledgeBase& kb, std::string_view profile) : kb_(kb), profile_(profile) {}

  Threshold T(const char* name) {
    auto v = Get(name, ParamValue::Kind::kNumber);
    Threshold t = v ? Threshold{v->number, v->cmp} : Threshold{};
    t.KeepText();
    return t;
  }
  double N(const char* name) {
    auto v = Get(name, ParamValue::Kind::kNumber);
    return v ? v->number : 0;
  }
  int I(const char* name) { return static_cast<int>(std::lround(N(name))); }
  bool B(const char* name) {
    auto v = Get(name, ParamValue::Kind::kBool);
    return v ? v->flag : false;
  }
  std::string S(const char* name) {
    auto v = Get(name, ParamValue::Kind::kText);
    return v ? v->text : std::string();
  }
  void Bad(const std::string& msg) { errors_.push_back({"internal", "knowledge", msg}); }
  Errors& errors() { return errors_; }

 private:
  std::optional<ParamValue> Get(const char* name, ParamValue::Kind kind) {
    auto v = kb_.Resolve(profile_, name);
    if (!v) {
      Bad(std::string("parameter ") + name + " is missing from the knowledge base");
      return std::nullopt;
    }
    if (v->kind != kind) {
      Bad(std::string("parameter ") + name + " has the wrong type");
      return std::nullopt;
    }
    return v;
  }
  const KnowledgeBase& kb_;
  std::string_view profile_;
  Errors errors_;
};

}  // namespace

Result<CompiledProfile> CompileProfile(const KnowledgeBase& kb, std::string_view profile) {
  if (!kb.FindProfile(profile)) {
    std::string names;
    for (const auto& p : kb.profiles) names += (names.empty() ? "" : ", ") + p.name;
    return Error{"unsupported", "--profile",
                 "unknown profile \"" + std::string(profile) + "\" (shipped: " + names + ")"};
  }
  Resolver r(kb, profile);
  CompiledProfile c;
  c.name = std::string(profile);

  const std::string model = r.S("risk_model");
  if (model == "aace2020")
    c.risk_model = RiskModel::kAace2020;
  else if (model == "endocrine_society")
    c.risk_model = RiskModel::kEndocrineSociety;
  else if (model == "seed004")
    c.risk_model = RiskModel::kSeed004;
  else
    r.Bad("risk_model must be aace2020, endocrine_society or seed004");
  c.vh_frax_mof = r.T("vh_frax_mof_pct");
  c.vh_frax_hip = r.T("vh_frax_hip_pct");
  c.vh_tscore = r.T("vh_tscore");
  c.vh_age_enabled = r.B("vh_age_enabled");
  c.vh_age = r.T("vh_age_gt");
  c.vh_recent_fx_months = r.I("vh_recent_fx_months");
  c.vh_falls = r.T("vh_falls_count");
  c.vh_use_falls = r.B("vh_use_falls");
  c.vh_use_fracture_on_harmful_drug = r.B("vh_use_fracture_on_harmful_drug");

  c.tx_tscore_osteoporosis = r.T("tx_tscore_osteoporosis");
  c.tx_tscore_low_bone_mass = r.T("tx_tscore_low_bone_mass");
  c.tx_frax_mof = r.T("tx_frax_mof_pct");
  c.tx_frax_hip = r.T("tx_frax_hip_pct");
  c.tx_frax_requires_low_bone_mass = r.B("tx_frax_requires_low_bone_mass");
  c.tx_low_bmd_fx_forearm = r.B("tx_low_bmd_fx_forearm");
  c.fragility_fracture_normal_bmd_indicates = r.B("fragility_fracture_normal_bmd_indicates");
  c.zscore_below_expected = r.T("zscore_below_expected");
  c.tscore_population_min_age_men = r.T("tscore_population_min_age_men");
  c.menopause_assumed_age = r.T("menopause_assumed_age_years");
  c.frax_min_age = r.T("frax_min_age");
  c.frax_max_age = r.T("frax_max_age");

  c.gc_bands.low_below_mg = r.N("gc_low_band_mg");
  c.gc_bands.high_from_mg = r.N("gc_high_band_mg");
  c.gc_bands.high_inclusive = r.B("gc_high_band_inclusive");
  c.gc_low_mof = r.N("gc_frax_low_mof_factor");
  c.gc_low_hip = r.N("gc_frax_low_hip_factor");
  c.gc_high_mof = r.N("gc_frax_high_mof_factor");
  c.gc_high_hip = r.N("gc_frax_high_hip_factor");
  c.gc_acr_min_dose = r.T("gc_acr_min_dose_mg");
  c.gc_acr_min_days = r.T("gc_acr_min_days");
  const std::string giop = r.S("giop_profile");
  if (giop == "acr22")
    c.giop_profile = GiopProfile::kAcr22;
  else if (giop == "seed000")
    c.giop_profile = GiopProfile::kSeed000;
  else
    r.Bad("giop_profile must be acr22 or seed000");
  c.giop_vh_tscore = r.T("giop_vh_tscore");
  c.giop_vh_frax_mof = r.T("giop_vh_frax_mof_pct");
  c.giop_vh_frax_hip = r.T("giop_vh_frax_hip_pct");
  c.giop_vh_dose = r.T("giop_vh_dose_mg");
  c.giop_vh_dose_days = r.T("giop_vh_dose_days");
  c.giop_vh_cumulative_g = r.T("giop_vh_cumulative_g");
  c.giop_high_tscore = r.T("giop_high_tscore");
  c.giop_high_frax_mof = r.T("giop_high_frax_mof_pct");
  c.giop_high_frax_hip = r.T("giop_high_frax_hip_pct");
  c.giop_mod_frax_mof = r.T("giop_mod_frax_mof_pct");
  c.giop_mod_frax_hip = r.T("giop_mod_frax_hip_pct");
  c.giop_mod_tscore = r.T("giop_mod_tscore");
  c.giop_young_age = r.T("giop_young_age");
  c.giop_young_zscore = r.T("giop_young_zscore");
  c.giop_young_dose = r.T("giop_young_dose_mg");
  c.giop_young_months = r.T("giop_young_months");
  c.giop_legacy_dose = r.T("giop_legacy_dose_mg");
  c.giop_legacy_months = r.T("giop_legacy_months");
  c.giop_legacy_tscore = r.T("giop_legacy_tscore");
  c.giop_za_label_dose = r.T("giop_za_label_dose_mg");
  c.giop_za_label_months = r.T("giop_za_label_months");

  const std::string ctibl = r.S("ctibl_threshold");
  if (ctibl == "seed000")
    c.ctibl = CtiblThreshold::kSeed000;
  else if (ctibl == "hadji17")
    c.ctibl = CtiblThreshold::kHadji17;
  else
    r.Bad("ctibl_threshold must be seed000 or hadji17");
  c.ctibl_tscore = r.T("ctibl_tscore");
  c.ctibl_frax_mof = r.T("ctibl_frax_mof_pct");
  c.ctibl_frax_hip = r.T("ctibl_frax_hip_pct");
  c.hadji_tscore = r.T("hadji_tscore");
  c.hadji_tscore_with_risk = r.T("hadji_tscore_with_risk");
  c.hadji_risk_factors = r.T("hadji_risk_factors_without_bmd");
  c.hadji_age = r.T("hadji_age_gt");
  c.hadji_bmi = r.T("hadji_bmi_lt");
  c.hadji_gc_months = r.T("hadji_gc_months");
  c.gc_harmful_drug_months = r.T("gc_harmful_drug_months");
  c.acp_osteopenia_age = r.T("acp_osteopenia_age_gt");

  c.cg = {r.N("cg_age_constant"), r.N("cg_denominator"), r.N("cg_female_factor")};
  c.bw = {r.N("ibw_male_base_kg"),   r.N("ibw_female_base_kg"), r.N("ibw_kg_per_inch"),
          r.N("ibw_height_base_in"), r.N("cm_per_inch"),        r.N("adjbw_factor")};
  c.ckd_epi = {r.N("ckd_epi_constant"),   r.N("ckd_epi_kappa_female"),
               r.N("ckd_epi_kappa_male"), r.N("ckd_epi_alpha_female"),
               r.N("ckd_epi_alpha_male"), r.N("ckd_epi_exponent_high"),
               r.N("ckd_epi_age_base"),   r.N("ckd_epi_female_factor")};
  const std::string w = r.S("crcl_weight");
  if (w == "actual")
    c.crcl_weight = CrclWeight::kActual;
  else if (w == "ibw")
    c.crcl_weight = CrclWeight::kIdeal;
  else if (w == "adjbw")
    c.crcl_weight = CrclWeight::kAdjusted;
  else
    r.Bad("crcl_weight must be actual, ibw or adjbw");
  c.crcl_borderline_band = r.N("crcl_borderline_band");
  c.za_crcl = r.T("za_crcl_min");
  c.alendronate_crcl = r.T("alendronate_crcl_min");
  c.risedronate_crcl = r.T("risedronate_crcl_min");
  c.ibandronate_crcl = r.T("ibandronate_crcl_min");
  c.denosumab_egfr = r.T("denosumab_egfr_min");
  c.refer_crcl = r.T("refer_if_crcl_below");

  c.ca_albumin_factor = r.N("ca_albumin_factor");
  c.ca_albumin_reference = r.N("ca_albumin_reference_g_dl");
  c.hypoca_corrected = r.T("hypoca_corrected_mg_dl");
  c.hypoca_ionized = r.T("hypoca_ionized_mmol_l");
  c.hyperca_corrected = r.T("hyperca_corrected_mg_dl");
  c.creatinine_max_age_days = r.I("creatinine_max_age_days_za");
  c.calcium_max_age_days = r.I("calcium_max_age_days_za");
  c.vitd_max_age_days = r.I("vitd_max_age_days_za");
  c.za_min_vitd = r.T("za_min_25ohd_ngml");
  c.vitd_target = r.T("vitd_target_warn_ngml");
  c.za_interval_months = r.I("za_interval_months");

  const std::string first = r.S("first_line_high_risk");
  if (first == "equal_options")
    c.first_line_equal_options = true;
  else if (first != "oral_bisphosphonate")
    r.Bad("first_line_high_risk must be oral_bisphosphonate or equal_options");
  const std::string dmab = r.S("denosumab_position");
  if (dmab == "first_line_option")
    c.denosumab_first_line = true;
  else if (dmab != "second_line")
    r.Bad("denosumab_position must be second_line or first_line_option");
  c.estrogen_raloxifene_warning = r.B("estrogen_raloxifene_warning");
  c.romo_cv_months = r.I("romo_cv_months");
  c.romo_max_doses = r.T("romo_max_doses");
  c.tptd_max_months = r.T("tptd_max_months_warn");
  c.abl_max_months = r.T("abl_cumulative_pth_max_months");
  c.treatment_failure_months = r.T("treatment_failure_months");

  c.fls_min_age = r.T("fls_min_age");
  c.myeloma_screen_age = r.T("myeloma_screen_min_age_years");
  c.fls_window_months = r.I("fls_window_months");
  c.va_min_pain_weeks = r.T("va_min_pain_weeks");
  c.surgery_referral_for_deformity = r.B("surgery_referral_for_deformity");
  c.vcf_conservative_max_months = r.T("vcf_conservative_max_months");
  c.calcitonin_max_days = r.T("calcitonin_max_fracture_age_days");
  c.young_age = r.T("young_age_years");

  c.bp_oral_reassess_years = r.T("bp_oral_reassess_years");
  c.bp_oral_max_years = r.N("bp_oral_max_years_high_risk");
  c.za_reassess_doses = r.T("za_reassess_after_doses");
  c.za_max_doses = r.N("za_max_doses_high_risk");
  c.dmab_interval_months = r.I("dmab_interval_months");
  c.dmab_overdue_months = r.T("dmab_overdue_months");
  c.dmab_transition_months = r.I("dmab_transition_za_months");
  c.btm_p1np_drop = r.T("btm_p1np_drop_pct");
  c.btm_ctx_drop = r.T("btm_ctx_drop_pct");

  c.alp_high = r.T("alp_fallback_high_u_l");
  c.alp_low = r.T("alp_fallback_low_u_l");
  c.phosphate_low = r.T("phosphate_fallback_low_mg_dl");
  c.vitd_osteomalacia = r.T("vitd_osteomalacia_ng_ml");
  c.fracture_same_event_days = r.I("fracture_same_event_days");

  CourseParams& cp = c.course;
  cp.oral_gap_months = r.I("course_merge_gap_oral_months");
  cp.za_due_months = r.I("za_interval_months");
  cp.za_overdue_after_months = r.I("za_overdue_after_months");
  cp.dmab_due_months = r.I("dmab_interval_months");
  cp.dmab_overdue_after_months = r.I("dmab_overdue_months");
  cp.romo_due_months = r.I("romo_interval_months");
  cp.romo_overdue_after_weeks = r.I("romo_overdue_after_weeks");
  cp.ibn_iv_due_months = r.I("ibn_iv_interval_months");
  cp.ibn_iv_overdue_extra_weeks = r.I("ibn_iv_overdue_extra_weeks");
  cp.recent_course_months = r.I("course_recent_months");
  cp.dose_merge_days = r.I("fracture_same_event_days");
  cp.za_osteoporosis_min_mg = r.N("za_osteoporosis_dose_mg");
  cp.dmab_oncology_min_mg = r.N("dmab_oncology_dose_mg");
  cp.oral_review_years = r.I("bp_oral_reassess_years");
  cp.za_review_doses = r.I("za_reassess_after_doses");
  CourseLimits& cl = c.course_limits;
  cl.romo_max_doses = r.I("romo_max_doses");
  cl.pth_max_months = r.N("pth_cumulative_max_months");
  cl.oral_review_years = r.N("bp_oral_reassess_years");
  cl.oral_max_years = r.N("bp_oral_max_years_high_risk");
  cl.za_review_doses = r.I("za_reassess_after_doses");
  cl.za_max_doses = r.I("za_max_doses_high_risk");
  cl.dmab_review_years = r.N("dmab_review_years");
  cl.dmab_second_review_years = r.N("dmab_second_review_years");
  cl.dmab_review_doses_unknown_start = r.I("dmab_review_doses_unknown_start");
  cl.holiday_review_years = r.I("holiday_review_years");
  cl.failure_min_months = r.I("treatment_failure_months");
  cl.anabolic_followup_critical_months = r.I("anabolic_followup_critical_months");
  const std::string lapse = r.S("dmab_lapse_action");
  if (lapse != "resume" && lapse != "zoledronic_acid")
    r.Bad("dmab_lapse_action must be resume or zoledronic_acid");
  cl.lapse_resume = lapse == "resume";
  c.review_high_risk_hip_t = r.T("review_high_risk_hip_t");
  c.hyperca_ionized = r.T("hyperca_ionized_mmol_l");
  c.possible_fragility_min_age = r.T("possible_fragility_min_age");
  const std::string presumed = r.S("possible_fragility_presumed_for_treatment");
  if (presumed != "hip_vertebral" && presumed != "none")
    r.Bad("possible_fragility_presumed_for_treatment must be hip_vertebral or none");
  c.presume_hip_vertebral_fragility = presumed == "hip_vertebral";
  c.pregnancy_current_months = r.I("pregnancy_current_months");

  if (!r.errors().empty()) return r.errors();
  for (const RegimenDef& d : kb.regimens) {
    CompiledRegimen cr;
    cr.agent = d.agent;
    cr.def = &d;
    cr.route = Parse<Route>(d.route).value_or(Route::kOral);
    for (const auto& id : d.rules)
      if (!cr.rules.contains(id)) cr.rules.push_back(id);  // MakeRegimen relies on no duplicates
    c.regimens.push_back(std::move(cr));
  }
  return c;
}

}  // namespace bp
