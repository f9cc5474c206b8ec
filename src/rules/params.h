// A profile's parameters resolved once into typed fields, so that the hot path compares doubles
// instead of looking names up. Every field is a named parameter of knowledge/parameters.json;
// Compile fails if one is missing or has the wrong type.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "calc/calculators.h"
#include "common/result.h"
#include "domain/enums.h"
#include "domain/knowledge.h"
#include "rules/course.h"
#include "rules/ids.h"

namespace bp {

// A number with the comparator its source uses (catalogue §0.3.4: comparators are literal).
struct Threshold {
  double value = 0;
  Comparator cmp = Comparator::kNone;
  // True when x meets the threshold ("x <cmp> value").
  bool Met(double x) const { return Compare(x, value); }
  // The number and comparator (the kept text follows from them).
  friend bool operator==(const Threshold& a, const Threshold& b) {
    return a.value == b.value && a.cmp == b.cmp;
  }
  // Same, for values kept in tenths (T-scores, FRAX as reported).
  bool MetTenths(int tenths) const {
    // Thresholds are given to one decimal: compare in integer tenths so -2.5 is exact.
    // std::lround (half away from zero) without the library call: x - t is exact here.
    const double x = value * 10.0;
    int v = static_cast<int>(x);
    if (const double frac = x - v; frac >= 0.5)
      ++v;
    else if (frac <= -0.5)
      --v;
    return Compare(tenths, v);
  }
  // "x <cmp> v" for the threshold's comparator (false for none).
  template <typename T>
  bool Compare(T x, T v) const {
    switch (cmp) {
      case Comparator::kLt:
        return x < v;
      case Comparator::kLe:
        return x <= v;
      case Comparator::kGt:
        return x > v;
      case Comparator::kGe:
        return x >= v;
      case Comparator::kEq:
        return x == v;
      case Comparator::kNone:
        return false;
    }
    return false;
  }
  std::string Describe(std::string_view unit) const;  // e.g. "< 35 mL/min"
  // The same in pieces (comparator, value, unit), for callers that format without allocating.
  template <typename Emit>
  void DescribeTo(std::string_view unit, Emit&& emit) const {
    emit(Operator());
    if (text_len > 0) {
      emit(std::string_view(text.data(), text_len));
    } else {
      char buf[kValueBuffer];
      emit(std::string_view(buf, WriteValue(buf)));
    }
    if (!unit.empty() && unit != "1") {
      emit(std::string_view(" "));  // "20 %", as the texts and the values used write it
      emit(unit);
    }
  }
  std::string_view Operator() const;                // "< ", "≤ ", ... ("" for none)
  static constexpr std::size_t kValueBuffer = 352;  // kFixedBufferSize (common/decimal.h)
  std::size_t WriteValue(char* out) const;          // the value as printf's "%g" writes it
  // WriteValue's text, kept by CompileProfile so that describing costs no formatting (empty:
  // formatted when described).
  void KeepText();
  std::array<char, 22> text{};
  std::uint8_t text_len = 0;
};

// A knowledge-base regimen with its route parsed and its rule ids as views (built once per
// profile, so that the engine does not look them up by name and parse them per assessment).
struct CompiledRegimen {
  std::string_view agent;
  const RegimenDef* def = nullptr;
  Route route = Route::kOral;
  std::vector<std::string_view> rules;
};

enum class RiskModel { kAace2020, kEndocrineSociety, kSeed004 };
enum class GiopProfile { kAcr22, kSeed000 };
enum class CtiblThreshold { kSeed000, kHadji17 };
enum class CrclWeight { kActual, kIdeal, kAdjusted };

struct CompiledProfile {
  std::string name;

  RiskModel risk_model = RiskModel::kAace2020;
  Threshold vh_frax_mof, vh_frax_hip, vh_tscore, vh_age, vh_falls, vh_multiple_fractures;
  bool vh_age_enabled = false, vh_use_falls = true, vh_use_fracture_on_harmful_drug = true;
  int vh_recent_fx_months = 0;

  Threshold tx_tscore_osteoporosis, tx_tscore_low_bone_mass, tx_frax_mof, tx_frax_hip;
  bool tx_frax_requires_low_bone_mass = true, tx_low_bmd_fx_forearm = false;
  bool fragility_fracture_normal_bmd_indicates = false;
  Threshold zscore_below_expected, tscore_population_min_age_men, menopause_assumed_age;
  Threshold frax_min_age, frax_max_age;

  calc::GcBandLimits gc_bands;
  double gc_low_mof = 0, gc_low_hip = 0, gc_high_mof = 0, gc_high_hip = 0;
  Threshold gc_acr_min_dose, gc_acr_min_days;
  GiopProfile giop_profile = GiopProfile::kAcr22;
  Threshold giop_vh_tscore, giop_vh_frax_mof, giop_vh_frax_hip, giop_vh_dose, giop_vh_dose_days,
      giop_vh_cumulative_g;
  Threshold giop_high_tscore, giop_high_frax_mof, giop_high_frax_hip;
  Threshold giop_mod_frax_mof, giop_mod_frax_hip, giop_mod_tscore;
  Threshold giop_young_age, giop_young_zscore, giop_young_dose, giop_young_months;
  Threshold giop_legacy_dose, giop_legacy_months, giop_legacy_tscore;
  Threshold giop_za_label_dose, giop_za_label_months;

  CtiblThreshold ctibl = CtiblThreshold::kSeed000;
  Threshold ctibl_tscore, ctibl_frax_mof, ctibl_frax_hip, hadji_tscore, hadji_tscore_with_risk,
      hadji_risk_factors, hadji_age, hadji_bmi, hadji_gc_months;
  Threshold gc_harmful_drug_months, acp_osteopenia_age;

  calc::CockcroftGaultCoefficients cg;
  calc::BodyWeightCoefficients bw;
  calc::CkdEpiCoefficients ckd_epi;
  CrclWeight crcl_weight = CrclWeight::kActual;
  double crcl_borderline_band = 0;
  Threshold za_crcl, alendronate_crcl, risedronate_crcl, ibandronate_crcl, denosumab_egfr,
      refer_crcl;

  double ca_albumin_factor = 0, ca_albumin_reference = 0;
  Threshold hypoca_corrected, hypoca_ionized, hyperca_corrected;
  int creatinine_max_age_days = 0, calcium_max_age_days = 0, vitd_max_age_days = 0;
  Threshold za_min_vitd, vitd_target;
  int za_interval_months = 0;

  bool first_line_equal_options = false;
  bool denosumab_first_line = false;
  bool estrogen_raloxifene_warning = true;
  int romo_cv_months = 0;
  Threshold romo_max_doses, tptd_max_months, abl_max_months, treatment_failure_months;

  Threshold fls_min_age;
  Threshold myeloma_screen_age;  // LAB-02: the myeloma screen above this age
  int fls_window_months = 0;
  Threshold va_min_pain_weeks, vcf_conservative_max_months, calcitonin_max_days, young_age;
  bool surgery_referral_for_deformity = false;

  Threshold bp_oral_reassess_years, za_reassess_doses;
  double bp_oral_max_years = 0, za_max_doses = 0;
  int dmab_interval_months = 0, dmab_transition_months = 0;
  // Said, not compared (the rules' texts state them; bound so that knowledge check keeps their
  // name, unit and kind): CTX after the post-denosumab infusion (SEQ-05, COURSE-14, COURSE-15)
  // and the reassessment interval of a bisphosphonate holiday (SEQ-08).
  int dmab_ctx_first_months = 0, dmab_ctx_second_months = 0;
  int holiday_reassess_min_years = 0, holiday_reassess_max_years = 0;
  Threshold dmab_overdue_months;
  Threshold btm_p1np_drop, btm_ctx_drop;
  Threshold btm_lsc_p1np, btm_lsc_ctx;  // COURSE-18/21: markers suppressed on an antiresorptive

  Threshold alp_high, alp_low, phosphate_low, vitd_osteomalacia;
  // Least significant change when the DXA report gives none (for the course rules).
  Threshold bmd_lsc_spine, bmd_lsc_hip;
  int fracture_same_event_days = 0;

  // Patients already on treatment (catalogue §6).
  CourseParams course;
  CourseLimits course_limits;
  Threshold review_high_risk_hip_t, hyperca_ionized, possible_fragility_min_age;
  bool presume_hip_vertebral_fragility = true;  // possible_fragility_presumed_for_treatment
  int pregnancy_current_months = 0;
  int review_dxa_max_age_months = 0;   // COURSE-12/13: an older DXA leaves the review undecided
  int ckd_urgent_fracture_months = 0;  // SEL-09: a fracture within this many months is urgent
  // LAB-03: calcium this far above the upper limit makes the hypercalcemia referral urgent.
  Threshold hyperca_urgent_above_uln;

  std::vector<CompiledRegimen> regimens;  // refer to the KnowledgeBase
  const CompiledRegimen* FindRegimen(std::string_view agent) const {
    for (const auto& r : regimens)
      if (rules::SameId(r.agent, agent)) return &r;
    return nullptr;
  }
};

Result<CompiledProfile> CompileProfile(const KnowledgeBase& kb, std::string_view profile);

// ---------------------------------------------------------------------------------------------
// Which parameter fills which field, and which rule reads which field.
//
// A field of CompiledProfile is named by a key, one per member pointer (FieldKeyOf<&CP::za_crcl>).
using FieldKey = const void*;
namespace params_detail {
template <auto Member>
inline constexpr char kFieldKey = 0;  // only its address is used
}  // namespace params_detail
template <auto Member>
constexpr FieldKey FieldKeyOf() {
  return &params_detail::kFieldKey<Member>;
}

// One row of the typed profile (params.cc, kBindings): a parameter of knowledge/parameters.json,
// with the unit the engine assumes and the field it fills. The kind follows from the field's C++
// type (Threshold, double, int: a number; bool: a switch; an enum: a choice of texts). Adding a
// parameter is one entry in parameters.json and one row; `knowledge check` fails when the two
// disagree on the name, the unit or the kind.
struct ParamBinding {
  TypedParameter parameter;
  FieldKey field;  // the top-level CompiledProfile field (a coefficient set for its members)
  // Stores the value; false when a text is not one of the field's choices.
  bool (*set)(CompiledProfile&, const ParamValue&);
  std::string_view choices;  // for a choice: "a, b or c"
};
std::span<const ParamBinding> ParamBindings();

// A rule id as a template argument ("PRE-01").
template <std::size_t N>
struct RuleId {
  char id[N]{};
  constexpr RuleId(const char (&s)[N]) {  // NOLINT: implicit on purpose
    for (std::size_t i = 0; i < N; ++i) id[i] = s[i];
  }
  constexpr std::string_view view() const { return {id, N - 1}; }
};

// Every read of a profile field is registered with the rules it decides when the program starts
// (one static registration per read site, whether or not the read ever runs), so that the rules'
// parameters are derived from the code: RuleParameterReads().
namespace params_detail {
struct ReadRegistration {
  ReadRegistration(FieldKey field, std::initializer_list<std::string_view> rules);
};
template <auto Member, RuleId... Rules>
inline const ReadRegistration kRead{FieldKeyOf<Member>(), {Rules.view()...}};
}  // namespace params_detail

// A field of the profile, read for the rules named: `Read<&CP::za_crcl, "PRE-01">(c)`.
template <auto Member, RuleId... Rules>
const auto& Read(const CompiledProfile& c) {
  static_assert(sizeof...(Rules) > 0, "a parameter read names the rule(s) it decides");
  (void)&params_detail::kRead<Member, Rules...>;
  return c.*Member;
}

// A parameter set the profile hands on whole to code that has no Ctx (the course model and
// decision take CourseParams and CourseLimits): its members are bound one by one (params.cc)
// and each member is read for the rules named where it is used,
// `In<&CourseLimits::failure_min_months, "COURSE-18">(lim)`.
template <typename S>
inline constexpr bool kReadByMember = false;
template <>
inline constexpr bool kReadByMember<CourseParams> = true;
template <>
inline constexpr bool kReadByMember<CourseLimits> = true;

template <auto Inner, RuleId... Rules, typename S>
const auto& In(const S& s) {
  static_assert(sizeof...(Rules) > 0, "a parameter read names the rule(s) it decides");
  static_assert(kReadByMember<S>, "In reads a member of a set bound member by member");
  (void)&params_detail::kRead<Inner, Rules...>;
  return s.*Inner;
}

// The parameters each rule's code reads, derived from the registrations above and the bindings
// (a field read stands for every parameter bound to it; a member of a set read by member, for
// the parameters bound to that member).
std::vector<RuleParameterRead> RuleParameterReads();

}  // namespace bp
