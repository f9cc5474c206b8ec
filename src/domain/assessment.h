// What the engine decides for one patient: the value behind assessment.schema.json. Every
// statement names the rules that produced it (ids resolve in the knowledge base, which supplies
// citations when rendered).
//
// Lifetime: the engine's texts are Text (domain/text.h) and its rule ids views; both refer to
// literals or to strings of the KnowledgeBase the engine was created with (regimen doses and
// intervals, the rule ids of a regimen), so that KnowledgeBase must outlive the Assessment.
// EmbeddedKnowledge() is static. Texts the engine formats live in the assessment's TextArena;
// Texts built from a std::string own it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/date.h"
#include "domain/enums.h"
#include "domain/text.h"

namespace bp {

struct Statement {
  Text code;  // optional stable code
  Text text;
  RuleIds rules;
};

struct Regimen {
  Text agent;
  Text dose;
  Route route = Route::kOral;
  Text interval;
  Text max_duration;
  RuleIds rules;
};

struct Avoid {
  Text agent;
  Text text;
  RuleIds rules;
};

struct PreCheck {
  PreCheckKind check = PreCheckKind::kCreatinineClearance;
  CheckStatus status = CheckStatus::kUnknown;
  Text text;
  RuleIds rules;
};

struct Referral {
  Destination to = Destination::kPrimaryCare;
  Urgency urgency = Urgency::kRoutine;
  std::vector<Statement> reasons;
};

struct Warning {
  Text code;
  Severity severity = Severity::kWarning;
  Text text;
  RuleIds rules;
};

struct MissingData {
  Text field;
  Text needed_for;
};

struct TraceEntry {
  Text rule;
  Outcome outcome = Outcome::kNotFired;
  Text because;
};

struct InputIssue {
  std::string path;
  std::string message;
  Severity severity = Severity::kWarning;  // rendered as info/warning/error
};

struct Derived {
  std::optional<double> age_years;
  std::optional<double> bmi_kg_m2;
  std::optional<double> crcl_ml_min;
  std::optional<double> egfr_ml_min_1_73m2;
  std::optional<double> lowest_t_score;
  std::optional<BmdSite> lowest_t_score_site;
  std::optional<double> frax_major_osteoporotic_pct;
  std::optional<double> frax_hip_pct;
  std::optional<double> corrected_calcium_mg_dl;
  std::optional<double> vitamin_d_25oh_ng_ml;
  std::optional<double> prednisone_equivalent_mg_day;
};

struct Assessment {
  // The texts the engine built for this assessment (Texts refer into it). Shared by copies:
  // it is never written after Engine::Assess returns.
  std::shared_ptr<const TextArena> texts;

  std::string patient_id;
  Date as_of;
  std::string knowledge_version;
  std::string profile;
  Derived derived;

  std::optional<bool> treatment_indicated;
  std::vector<Statement> treatment_reasons;
  RiskTier risk_tier = RiskTier::kIndeterminate;

  TherapyClass therapy_recommended = TherapyClass::kNone;
  std::vector<Regimen> agents;
  std::vector<Regimen> alternatives;
  std::vector<Avoid> avoid;
  std::vector<Statement> sequence;

  ZaStatus za_status = ZaStatus::kNotIndicated;
  std::vector<Statement> za_reasons;
  std::vector<PreCheck> pre_infusion;

  std::vector<Referral> referrals;
  std::vector<Warning> warnings;
  std::vector<Statement> monitoring;
  std::vector<Statement> adjuncts;
  std::vector<Statement> workup;
  std::vector<MissingData> missing_data;
  std::vector<TraceEntry> trace;
  std::vector<InputIssue> input_issues;

  bool HasWarning(std::string_view code) const {
    for (const auto& w : warnings)
      if (w.code == code) return true;
    return false;
  }
  const Referral* FindReferral(Destination d) const {
    for (const auto& r : referrals)
      if (r.to == d) return &r;
    return nullptr;
  }
};

}  // namespace bp
