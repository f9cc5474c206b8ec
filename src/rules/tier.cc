// The risk tier, and the indeterminate outcome when the data cannot decide.
#include "rules/steps.h"

namespace bp::rules {

namespace {

// The rules this topic implements (the registration: see Topic in steps.h).
constexpr std::string_view kRules[] = {
    "RISK-01",        "RISK-02", "RISK-03", "RISK-04", "RISK-P-ES",
    "RISK-P-SEED004", "D1",      "D2",      "D3",      "D13"};
}  // namespace

// RISK: tier for an indicated patient in the T-score population.
void Tier(Ctx& x, State& s) {
  const Facts& f = x.f;
  const Patient& p = x.p;
  const char* model_rule =
      x.P<&CP::risk_model, "RISK-01", "RISK-P-ES", "RISK-P-SEED004">() == RiskModel::kAace2020
          ? "RISK-01"
      : x.P<&CP::risk_model, "RISK-01", "RISK-P-ES", "RISK-P-SEED004">() ==
              RiskModel::kEndocrineSociety
          ? "RISK-P-ES"
          : "RISK-P-SEED004";
  // Fracture on therapy / treatment failure (RISK-01b, REF-02b).
  const Medication* fx_on_drug = nullptr;
  const FractureEvent* fx_on_drug_event = nullptr;
  for (const auto& e : f.events) {
    if (!e.fragility || !e.date) continue;
    for (const auto& m : p.medications) {
      if (!IsOsteoporosisDrug(m.agent) || !OnAt(m, *e.date)) continue;
      if (x.P<&CP::risk_model, "RISK-01", "RISK-P-ES", "RISK-P-SEED004">() == RiskModel::kSeed004 &&
          !IsBisphosphonate(m.agent))
        continue;
      fx_on_drug = &m;
      fx_on_drug_event = &e;
      if (m.start && x.P<&CP::treatment_failure_months, "RISK-01", "REF-02">().Met(
                         CompletedMonths(*m.start, *e.date)))
        s.treatment_failure = true;
    }
  }
  if (s.treatment_failure) {
    x.Warn("treatment_failure", Severity::kWarning,
           x.Say<"RISK-01", "treatment_failure", "fracture", "agent">(
               FxName(x, *fx_on_drug_event), render_words(ToString(fx_on_drug->agent))),
           {"RISK-01", "REF-02"});
  }

  if (x.a.treatment_indicated != true) {
    const std::string not_applied = x.Say<"RISK-03", "tiers_not_applied">();
    for (std::string_view r :
         {"RISK-01", "RISK-02", "RISK-P-ES", "RISK-P-SEED004", "D1", "D2", "D3", "D13"})
      x.NotFired(r, not_applied);
    if (x.a.treatment_indicated == false)
      x.Fired("RISK-03", x.Say<"RISK-03", "fired">());
    else
      x.NotFired("RISK-03");
    return;
  }
  x.NotFired("RISK-03");

  // Very-high-risk criteria met; their texts only for the returned assessment.
  // At most 9 criteria apply (AACE (a) to (g) with FRAX MOF and hip, and seed 004's age).
  int vh_count = 0;
  std::array<std::string, 12> vh;
  std::size_t vh_texts = 0;
  auto add_vh = [&](auto&& text) {
    ++vh_count;
    if (x.verbose && vh_texts < vh.size()) vh[vh_texts++] = text();
  };
  RuleIds vh_rules;
  if (x.verbose) vh_rules.push_back(model_rule);
  const auto months_recent = x.P<&CP::vh_recent_fx_months, "RISK-01", "RISK-P-SEED004", "D13">();
  auto frax_vh = [&](const Threshold& mof, const Threshold& hip, bool& boundary) {
    bool hit = false;
    if (f.frax_mof) {
      const bool m = f.frax_gc_adjusted_here ? mof.Met(*f.frax_mof)
                                             : mof.MetTenths(*p.frax->major_osteoporotic_pct);
      if (m) {
        hit = true;
        add_vh([&] { return x.Say<"RISK-01", "frax_mof", "mof">(Num(*f.frax_mof)); });
      }
      if (std::abs(*f.frax_mof - mof.value) < 1e-9) boundary = true;
    }
    if (f.frax_hip) {
      const bool h =
          f.frax_gc_adjusted_here ? hip.Met(*f.frax_hip) : hip.MetTenths(*p.frax->hip_pct);
      if (h) {
        hit = true;
        add_vh([&] { return x.Say<"RISK-01", "frax_hip", "hip">(Num(*f.frax_hip)); });
      }
      if (std::abs(*f.frax_hip - hip.value) < 1e-9) boundary = true;
    }
    return hit;
  };

  bool boundary = false;
  if (x.P<&CP::risk_model, "RISK-01", "RISK-P-ES", "RISK-P-SEED004">() ==
      RiskModel::kEndocrineSociety) {
    int vert = 0;
    for (const auto& e : f.events)
      if (e.fragility && e.site == FractureSite::kVertebral) ++vert;
    if (x.P<&CP::vh_multiple_fractures, "RISK-P-ES">().Met(vert))
      add_vh([&] { return x.Say<"RISK-P-ES", "multiple_vertebral">(); });
    if (f.t_min && x.P<&CP::tx_tscore_osteoporosis, "RISK-P-ES">().MetTenths(*f.t_min) &&
        f.fragility_events)
      add_vh([&] { return x.Say<"RISK-P-ES", "severe", "tscore">(Tn(*f.t_min)); });
    x.Trace("RISK-P-ES", vh_count == 0 ? Outcome::kNotFired : Outcome::kFired,
            vh_count == 0 ? Str(x.Say<"RISK-P-ES", "not_fired">()) : Str(vh.front()));
    x.NotFired("RISK-01", x.Say<"RISK-01", "uses_es">());
    x.NotFired("RISK-P-SEED004");
  } else {
    // (a) recent fragility fracture.
    for (const auto& e : f.events)
      if (e.fragility && RecentMonths(e.date, f.as_of, months_recent)) {
        add_vh([&] {
          return x.Say<"RISK-01", "recent_fracture", "fracture", "days">(
              FxName(x, e), Int(DaysBetween(*e.date, f.as_of)));
        });
        break;
      }
    // (b) fracture on an osteoporosis drug.
    if (fx_on_drug)
      add_vh([&] {
        return x.Say<"RISK-01", "fracture_on_drug", "agent">(
            render_words(ToString(fx_on_drug->agent)));
      });
    // (c) multiple fragility fractures.
    if (x.P<&CP::vh_multiple_fractures, "RISK-01">().Met(f.fragility_events))
      add_vh([&] { return x.Say<"RISK-01", "multiple", "count">(Int(f.fragility_events)); });
    // (d) fracture on a bone-harming drug.
    if (x.P<&CP::vh_use_fracture_on_harmful_drug, "RISK-01", "RISK-P-SEED004">()) {
      for (const auto& e : f.events) {
        if (!e.fragility || !e.date) continue;
        for (const auto& m : p.medications) {
          const bool harmful = m.agent == Agent::kAromataseInhibitor ||
                               m.agent == Agent::kAndrogenDeprivationTherapy ||
                               (m.agent == Agent::kGnrhAgonist && x.f.male) ||
                               (m.agent == Agent::kGlucocorticoid && m.start &&
                                x.P<&CP::gc_harmful_drug_months, "RISK-01">().Met(
                                    CompletedMonths(*m.start, *e.date)));
          if (harmful && OnAt(m, *e.date)) {
            add_vh([&] {
              return x.Say<"RISK-01", "fracture_on_drug", "agent">(render_words(ToString(m.agent)));
            });
            break;
          }
        }
      }
    }
    // (e) T-score.
    if (f.t_min) {
      if (x.P<&CP::vh_tscore, "RISK-01", "RISK-P-SEED004", "D2">().MetTenths(*f.t_min))
        add_vh([&] { return x.Say<"RISK-01", "tscore", "tscore">(Tn(*f.t_min)); });
      if (*f.t_min == static_cast<int>(std::lround(
                          x.P<&CP::vh_tscore, "RISK-01", "RISK-P-SEED004", "D2">().value * 10)))
        boundary = true;
    }
    // (f) falls.
    if (x.P<&CP::vh_use_falls, "RISK-01", "RISK-P-SEED004">()) {
      if ((p.falls.count_past_year &&
           x.P<&CP::vh_falls, "RISK-01">().Met(*p.falls.count_past_year)) ||
          p.falls.injurious.value_or(false))
        add_vh([&] {
          return p.falls.count_past_year
                     ? x.Say<"RISK-01", "falls_count", "falls">(Int(*p.falls.count_past_year))
                     : x.Say<"RISK-01", "falls_injurious">();
        });
    }
    // (g) FRAX.
    frax_vh(x.P<&CP::vh_frax_mof, "RISK-01", "RISK-P-SEED004", "D1">(),
            x.P<&CP::vh_frax_hip, "RISK-01", "RISK-P-SEED004", "D1">(), boundary);
    // seed 004: age.
    if (x.P<&CP::vh_age_enabled, "RISK-01", "RISK-P-SEED004", "D3">() && x.AgeKnown() &&
        x.P<&CP::vh_age, "RISK-01", "RISK-P-SEED004", "D3">().Met(x.Age())) {
      add_vh([&] { return x.Say<"RISK-P-SEED004", "age", "age">(Num(x.Age(), 0)); });
      if (x.verbose) vh_rules.push_back("D3");
      x.Fired("D3", x.Say<"D3", "fired">());
    } else {
      x.NotFired("D3", x.Say<"D3", "not_fired">());
    }
    x.Trace(model_rule, vh_count == 0 ? Outcome::kNotFired : Outcome::kFired,
            vh_count == 0 ? Str(x.Say<"RISK-01", "none">()) : Str(vh.front()));
    if (x.P<&CP::risk_model, "RISK-01", "RISK-P-ES", "RISK-P-SEED004">() == RiskModel::kAace2020) {
      x.NotFired("RISK-P-ES");
      x.NotFired("RISK-P-SEED004");
    } else {
      x.NotFired("RISK-01", x.Say<"RISK-01", "uses_seed004">());
      x.NotFired("RISK-P-ES");
    }
    if (x.P<&CP::vh_use_falls, "RISK-01", "RISK-P-SEED004">() && !p.falls.count_past_year &&
        !p.falls.injurious && vh_count == 0)
      x.Missing("falls.count_past_year", x.Say<"RISK-01", "needs_falls">());
  }
  x.Trace("D1", Outcome::kFired, x.Say<"D1", "fired">());
  x.Trace("D2", Outcome::kFired, x.Say<"D2", "fired">());
  x.Trace("D13", Outcome::kFired, x.Say<"D13", "fired">());
  if (boundary)
    x.Warn("very_high_risk_boundary", Severity::kInfo, x.Say<"RISK-01", "boundary">(),
           {"D1", "D2"});
  if (vh_count != 0) {
    x.a.risk_tier = RiskTier::kVeryHigh;
    Cat all;
    for (std::size_t i = 0; i < vh_texts; ++i) all.Append(i ? "; " : "").Append(vh[i]);
    if (x.verbose)
      x.a.treatment_reasons.push_back(
          St{"very_high_risk", x.Say<"RISK-01", "reason_very_high", "criteria">(all), vh_rules});
    x.NotFired("RISK-02");
  } else {
    x.a.risk_tier = RiskTier::kHigh;
    x.Fired("RISK-02", x.Say<"RISK-02", "fired">());
    if (x.verbose)
      x.a.treatment_reasons.push_back(
          St{"high_risk", x.Say<"RISK-02", "reason">(), {"RISK-02", model_rule}});
  }
}

// RISK-04: possibly pathologic fracture or malignancy: a specialist decides.
void Indeterminate(Ctx& x, State& s) {
  if (s.pathologic || s.malignancy) {
    x.Fired("RISK-04", s.pathologic ? x.Say<"RISK-04", "fired_pathologic">()
                                    : x.Say<"RISK-04", "fired_malignancy">());
    x.a.treatment_indicated = std::nullopt;
    x.a.risk_tier = RiskTier::kIndeterminate;
    if (x.verbose)
      x.a.treatment_reasons.push_back(St{"possibly_pathologic",
                                         s.pathologic ? x.Say<"RISK-04", "reason_pathologic">()
                                                      : x.Say<"RISK-04", "reason_malignancy">(),
                                         {"RISK-04"}});
  } else {
    x.NotFired("RISK-04");
  }
  if (x.a.risk_tier == RiskTier::kIndeterminate) x.a.treatment_indicated = std::nullopt;
}

const Topic kTierTopic{"tier", kRules};

}  // namespace bp::rules
