// The decision engine. Reads top to bottom in the order the catalogue applies its rules:
// derived values, indication, risk tier, glucocorticoid and cancer-treatment rules, drug
// holidays, contraindications, therapy selection, zoledronic acid pre-infusion checks,
// referrals, warnings, then monitoring, sequencing and work-up. Every statement carries the
// catalogue ids of the rules behind it; every threshold comes from the compiled profile.
#include "rules/engine.h"

#include <algorithm>
#include <set>
#include <string>

#include "common/decimal.h"
#include "rules/facts.h"
#include "rules/params.h"
#include "rules/steps.h"

namespace bp {

namespace rules {
namespace {

// The rules this topic implements (the registration: see Topic in steps.h).
constexpr std::string_view kRules[] = {"CONV-PROFILE-DISAGREEMENT"};
}  // namespace
const Topic kEngineTopic{"engine", kRules};
}  // namespace rules

using namespace rules;  // NOLINT: the engine is the rules' own driver

Result<Engine> Engine::Create(const KnowledgeBase& kb, std::string_view profile) {
  auto main = CompileProfile(kb, profile);
  if (!main) return main.errors();
  Engine e;
  e.kb_ = &kb;
  e.main_ = std::make_unique<CompiledProfile>(std::move(main).value());
  std::vector<std::string> problems;
  e.sentences_ = std::make_unique<Sentences>(Sentences::Compile(kb, profile, problems));
  if (!problems.empty())
    return Error{"internal", "knowledge",
                 "the rules' texts do not match the engine (" + problems.front() +
                     (problems.size() > 1 ? "; and " + std::to_string(problems.size() - 1) + " more"
                                          : std::string()) +
                     "): run `bonepath knowledge check`"};
  for (const auto& p : kb.profiles) {
    if (p.name == profile) continue;
    auto other = CompileProfile(kb, p.name);
    if (!other) return other.errors();
    e.others_.push_back(std::make_unique<CompiledProfile>(std::move(other).value()));
  }
  return e;
}

Engine::Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;
Engine::~Engine() = default;

const std::string& Engine::profile() const { return main_->name; }

namespace {

// Runs the steps for `p` under profile `c` into `a`. verbose=false (the other profiles, for
// guideline_disagreement) runs the decision core only, up to the end of Selection: treatment,
// tier and therapy, which is what guideline_disagreement compares.
void Decide(const Patient& p, const Facts& f, const CompiledProfile& c, const KnowledgeBase& kb,
            const Sentences* sentences, Assessment& a, bool verbose) {
  Ctx x(p, f, c, kb, a);
  x.verbose = verbose;
  x.sentences = verbose ? sentences : nullptr;
  State s;
  Demographics(x, s);
  Indication(x, s);
  Glucocorticoids(x, s);
  CancerTreatment(x, s);
  Tier(x, s);
  // GIOP very high may raise the tier after RISK-01 (the higher tier wins).
  if (s.giop_very_high && x.a.treatment_indicated == true) x.a.risk_tier = RiskTier::kVeryHigh;
  Indeterminate(x, s);
  Holidays(x, s);
  Course(x, s);
  Osteomalacia(x, s);
  Contraindications(x, s);
  Selection(x, s);
  CourseTherapy(x, s);
  if (!verbose) return;
  Infusion(x, s);
  Vertebral(x, s);
  Referrals(x, s);
  Medications(x, s);
  MonitoringAndWorkup(x, s);
  // TX-05's advice for women over 65 with low bone mass stands only if nothing else indicated
  // treatment (GIOP or CTIBL may have, after TX-05 ran), and not during a drug holiday: the
  // holiday (COURSE-12/13/20) is that individual decision about the bisphosphonate, already made.
  if (s.acp_osteopenia && (a.treatment_indicated != false || x.course.holiday))
    std::erase_if(a.warnings, [](const Warning& w) { return w.code == "acp_osteopenia_over_65"; });
  // Pathologic-fracture warning for fractures marked suspected (outside the VCF pathway).
  if (f.any_pathologic)
    x.Warn("pathologic_fracture_suspected", Severity::kCritical, x.Say<"RISK-04", "warning">(),
           {"RISK-04", "CALC-08"});
  CourseFinish(x, s);
}

const char* TierName(RiskTier t) { return ToString(t).data(); }

}  // namespace

Assessment Engine::Assess(const Patient& p, Date as_of) const {
  Assessment a;
  // Every implemented rule leaves about one trace entry: one allocation instead of the growth.
  a.trace.reserve(ImplementedRules().size() + 16);
  a.patient_id = p.id;
  a.as_of = as_of;
  a.knowledge_version = kb_->version;
  a.profile = main_->name;
  const Facts facts = DeriveFacts(p, as_of, *main_);
  // CONV-02: a deceased patient gets patient_deceased and nothing else; no profile is compared.
  if (Deceased(p, as_of)) {
    Ctx x(p, facts, *main_, *kb_, a);
    x.sentences = sentences_.get();
    DeceasedAssessment(x);
    // Every other rule did not run (CONV-02: "every other rule not_fired").
    const std::string not_run = x.Say<"CONV-02", "not_run">();
    for (std::string_view id : ImplementedRules())
      if (id != "CONV-02") x.NotFired(id, not_run);
    return a;
  }
  Decide(p, facts, *main_, *kb_, sentences_.get(), a, /*verbose=*/true);

  // Guideline disagreement: would another shipped profile decide differently?
  // The main profile's sentences, for CONV-PROFILE-DISAGREEMENT.
  Ctx x(p, facts, *main_, *kb_, a);
  x.sentences = sentences_.get();
  Cat diff;
  std::string said;  // the same for a person: profile titles, no enum names
  auto title = [&](const std::string& name) -> std::string {
    for (const auto& pd : kb_->profiles)
      if (pd.name == name && !pd.title.empty()) return pd.title;
    return name;
  };
  auto words = [](std::string_view v) {
    std::string w(v);
    std::replace(w.begin(), w.end(), '_', ' ');
    return w;
  };
  for (size_t i = 0; i < others_.size(); ++i) {
    const CompiledProfile* other = others_[i].get();
    Assessment b;
    const Facts other_facts = DeriveFacts(p, as_of, *other);
    Decide(p, other_facts, *other, *kb_, nullptr, b, /*verbose=*/false);
    const bool treatment = b.treatment_indicated != a.treatment_indicated;
    const bool tier = b.risk_tier != a.risk_tier;
    const bool therapy = b.therapy_recommended != a.therapy_recommended;
    if (!treatment && !tier && !therapy) continue;
    if (!diff.empty()) diff.Append("; ");
    diff.Append(other->name).Append(": ");
    said += (said.empty() ? "" : "; ") + title(other->name) + ": ";
    if (treatment) {
      const std::string answer =
          b.treatment_indicated
              ? (*b.treatment_indicated ? x.Say<"CONV-PROFILE-DISAGREEMENT", "yes">()
                                        : x.Say<"CONV-PROFILE-DISAGREEMENT", "no">())
              : x.Say<"CONV-PROFILE-DISAGREEMENT", "undetermined">();
      const std::string text = x.Say<"CONV-PROFILE-DISAGREEMENT", "treatment", "answer">(answer);
      diff.Append(text);
      said += text;
    }
    if (tier) {
      diff.Append(treatment ? ", " : "")
          .Append(x.Say<"CONV-PROFILE-DISAGREEMENT", "trace_tier", "tier">(
              std::string_view(TierName(b.risk_tier))));
      said += (treatment ? ", " : "") +
              x.Say<"CONV-PROFILE-DISAGREEMENT", "tier", "tier">(words(TierName(b.risk_tier)));
    }
    if (therapy) {
      diff.Append(treatment || tier ? ", " : "")
          .Append(x.Say<"CONV-PROFILE-DISAGREEMENT", "therapy", "therapy">(
              ToString(b.therapy_recommended)));
      said += (treatment || tier ? ", " : "") +
              x.Say<"CONV-PROFILE-DISAGREEMENT", "therapy", "therapy">(
                  words(ToString(b.therapy_recommended)));
    }
  }
  if (!diff.empty()) {
    a.warnings.push_back({"guideline_disagreement",
                          Severity::kInfo,
                          x.Say<"CONV-PROFILE-DISAGREEMENT", "warning", "differences", "profile">(
                              said, title(main_->name)),
                          {"CONV-PROFILE-DISAGREEMENT"}});
    a.trace.push_back({"CONV-PROFILE-DISAGREEMENT", Outcome::kFired, diff.str()});
  } else {
    a.trace.push_back({"CONV-PROFILE-DISAGREEMENT", Outcome::kNotFired,
                       x.Say<"CONV-PROFILE-DISAGREEMENT", "not_fired">()});
  }
  return a;
}

std::span<const std::string_view> Engine::ImplementedRules() {
  static const std::vector<std::string_view> ids = [] {
    std::vector<std::string_view> all;
    for (const Topic* t : {&kDemographicsTopic,      &kIndicationTopic,  &kTierTopic,
                           &kGlucocorticoidsTopic,   &kCancerTopic,      &kHolidaysTopic,
                           &kContraindicationsTopic, &kSelectionTopic,   &kInfusionTopic,
                           &kVertebralTopic,         &kReferralsTopic,   &kMedicationsTopic,
                           &kMonitoringTopic,        &kCourseModelTopic, &kCourseStopsTopic,
                           &kCourseDecisionTopic,    &kCourseGatesTopic, &kCourseTherapyTopic,
                           &kCourseFinishTopic,      &kEngineTopic})
      for (std::string_view id : t->rules)
        if (std::find(all.begin(), all.end(), id) == all.end()) all.push_back(id);
    return all;
  }();
  return ids;
}

std::vector<RuleParameterRead> Engine::ParameterReads() { return RuleParameterReads(); }

std::vector<std::string> Engine::CheckTexts(const KnowledgeBase& kb) {
  std::set<std::string> problems;  // a problem under every profile is said once
  std::vector<std::string> found;
  for (const auto& p : kb.profiles) {
    found.clear();
    Sentences::Compile(kb, p.name, found);
    for (auto& f : found) problems.insert(p.name + ": " + f);
  }
  for (auto& u : Sentences::Unsaid(kb)) problems.insert(std::move(u));
  return {problems.begin(), problems.end()};
}

std::vector<RuleParameterRead> Engine::SaidParameters(const KnowledgeBase& kb) {
  std::vector<std::string> problems;                   // reported by CheckTexts
  return Sentences::Compile(kb, "", problems).said();  // the default values
}

std::vector<TypedParameter> Engine::TypedParameters() {
  std::vector<TypedParameter> out;
  for (const ParamBinding& b : ParamBindings()) out.push_back(b.parameter);
  return out;
}

}  // namespace bp
