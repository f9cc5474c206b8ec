// What the engine decides for one patient: the value behind assessment.schema.json. Every
// statement names the rules that produced it (ids resolve in the knowledge base, which supplies
// citations when rendered).
//
// Plain values: texts are std::string and lists std::vector, so an assessment is copied, moved,
// kept and sent to another thread like any other value. Only rule ids are views (RuleIds), of
// literals or of strings of the KnowledgeBase the engine was created with (the rule ids of a
// regimen), so that KnowledgeBase must outlive the Assessment. EmbeddedKnowledge() is static.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/date.h"
#include "domain/enums.h"

namespace bp {

// The catalogue ids behind a statement: views of literals or of the KnowledgeBase's strings.
using RuleIds = std::vector<std::string_view>;

struct Statement {
  std::string code;  // optional stable code
  std::string text;
  RuleIds rules;
};

struct Regimen {
  std::string agent;
  std::string dose;
  Route route = Route::kOral;
  std::string interval;
  std::string max_duration;
  RuleIds rules;
};

struct Avoid {
  std::string agent;
  std::string text;
  RuleIds rules;
};

struct PreCheck {
  PreCheckKind check = PreCheckKind::kCreatinineClearance;
  CheckStatus status = CheckStatus::kUnknown;
  std::string text;
  RuleIds rules;
};

struct Referral {
  Destination to = Destination::kPrimaryCare;
  Urgency urgency = Urgency::kRoutine;
  std::vector<Statement> reasons;
};

struct Warning {
  std::string code;
  Severity severity = Severity::kWarning;
  std::string text;
  RuleIds rules;
};

// One osteoporosis course on record and the decision for it (assessment therapy.current;
// catalogue §6 COURSE-03/04).
struct CurrentCourse {
  Agent agent = Agent::kAlendronate;
  std::optional<Route> route;
  CourseState state = CourseState::kActive;
  CourseAction decision = CourseAction::kNone;
  std::string switch_to;  // agent or class; empty: null
  std::optional<int> doses_received;
  std::optional<DosesSource> doses_source;
  std::optional<double> cumulative_months;
  std::optional<Date> start;
  std::optional<Date> last_dose;
  std::optional<Date> next_due;  // never before as_of
  std::optional<StopReason> stop_reason;
  std::string text;
  RuleIds rules;
};

struct MissingData {
  std::string field;
  std::string needed_for;
};

struct TraceEntry {
  std::string rule;
  Outcome outcome = Outcome::kNotFired;
  std::string because;
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
  std::string patient_id;
  Date as_of;
  std::string knowledge_version;  // the KnowledgeBase's
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
  std::vector<CurrentCourse> current;  // therapy.current

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
