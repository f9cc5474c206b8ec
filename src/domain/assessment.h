// What the engine decides for one patient: the value behind assessment.schema.json. Every
// statement names the rules that produced it (ids resolve in the knowledge base, which supplies
// citations when rendered).
//
// Lifetime: the engine's texts are Text (domain/text.h) and its rule ids views; both refer to
// literals or to strings of the KnowledgeBase the engine was created with (regimen doses and
// intervals, the rule ids of a regimen), so that KnowledgeBase must outlive the Assessment.
// EmbeddedKnowledge() is static. Texts the engine formats, and the lists, live in the
// assessment's Arena (domain/arena.h), which every list and the assessment hold alive: a list
// moved out stays valid, and a copy of a list or of the assessment is plain heap memory. Texts
// built from a std::string own it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/date.h"
#include "domain/arena.h"
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
  List<Statement> reasons;
};

struct Warning {
  Text code;
  Severity severity = Severity::kWarning;
  Text text;
  RuleIds rules;
};

// One osteoporosis course on record and the decision for it (assessment therapy.current;
// catalogue §6 COURSE-03/04). Plain heap strings: few per assessment.
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
  std::vector<std::string_view> rules;  // static or knowledge-owned ids
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
  Assessment() = default;
  // Lists that allocate from `arena` while it is open (the engine's assessments).
  explicit Assessment(const std::shared_ptr<Arena>& arena)
      : Assessment(arena.get(), std::shared_ptr<Arena>(arena)) {}
  // The same, taking `arena` over (no reference count to copy).
  explicit Assessment(std::shared_ptr<Arena>&& arena) : Assessment(arena.get(), std::move(arena)) {}

 private:
  // `hold` is moved from only in the member initializers, after `arena` was read.
  Assessment(Arena* arena, std::shared_ptr<Arena>&& hold)
      : texts(std::move(hold)),
        treatment_reasons(ArenaAllocator<Statement>::Unheld(arena)),
        agents(ArenaAllocator<Regimen>::Unheld(arena)),
        alternatives(ArenaAllocator<Regimen>::Unheld(arena)),
        avoid(ArenaAllocator<Avoid>::Unheld(arena)),
        sequence(ArenaAllocator<Statement>::Unheld(arena)),
        za_reasons(ArenaAllocator<Statement>::Unheld(arena)),
        pre_infusion(ArenaAllocator<PreCheck>::Unheld(arena)),
        referrals(ArenaAllocator<Referral>::Unheld(arena)),
        warnings(ArenaAllocator<Warning>::Unheld(arena)),
        monitoring(ArenaAllocator<Statement>::Unheld(arena)),
        adjuncts(ArenaAllocator<Statement>::Unheld(arena)),
        workup(ArenaAllocator<Statement>::Unheld(arena)),
        missing_data(ArenaAllocator<MissingData>::Unheld(arena)),
        trace(ArenaAllocator<TraceEntry>::Unheld(arena)) {}

 public:
  // The texts the engine built for this assessment (Texts refer into it). Shared by copies:
  // it is sealed (never written) once Engine::Assess returns.
  std::shared_ptr<const Arena> texts;

  std::string patient_id;
  Date as_of;
  Text knowledge_version;  // the KnowledgeBase's (static while it lives)
  std::string profile;
  Derived derived;

  std::optional<bool> treatment_indicated;
  List<Statement> treatment_reasons;
  RiskTier risk_tier = RiskTier::kIndeterminate;

  TherapyClass therapy_recommended = TherapyClass::kNone;
  List<Regimen> agents;
  List<Regimen> alternatives;
  List<Avoid> avoid;
  List<Statement> sequence;
  std::vector<CurrentCourse> current;  // therapy.current

  ZaStatus za_status = ZaStatus::kNotIndicated;
  List<Statement> za_reasons;
  List<PreCheck> pre_infusion;

  List<Referral> referrals;
  List<Warning> warnings;
  List<Statement> monitoring;
  List<Statement> adjuncts;
  List<Statement> workup;
  List<MissingData> missing_data;
  List<TraceEntry> trace;
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
