// The decision engine. Reads top to bottom in the order the catalogue applies its rules:
// derived values, indication, risk tier, glucocorticoid and cancer-treatment rules, drug
// holidays, contraindications, therapy selection, zoledronic acid pre-infusion checks,
// referrals, warnings, then monitoring, sequencing and work-up. Every statement carries the
// catalogue ids of the rules behind it; every threshold comes from the compiled profile.
#include "rules/engine.h"

#include <algorithm>
#include <mutex>
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

namespace {

Text Interned(const Cat& c) {
  static std::mutex mutex;
  static auto* table = new std::set<std::string, std::less<>>();  // never freed: see above
  const std::lock_guard<std::mutex> lock(mutex);
  auto it = table->find(c.view());
  if (it == table->end()) it = table->emplace(c.view()).first;
  return Text::Static(*it);
}

ProfileTexts MakeProfileTexts(const CompiledProfile& c) {
  ProfileTexts t;
  t.calc07_in =
      Interned("in the T-score population (postmenopausal or perimenopausal woman, or man aged " +
               Desc(c.tscore_population_min_age_men, "years") + ")");
  t.calc07_out = Interned("outside the T-score population (premenopausal woman or man under " +
                          Num(c.tscore_population_min_age_men.value, 0) + "): Z-scores apply");
  t.d1 = Interned("FRAX very-high-risk thresholds " + Desc(c.vh_frax_mof, "%") + " / " +
                  Desc(c.vh_frax_hip, "%") + "; 20 % / 3 % are treatment thresholds only");
  t.d2 = Interned("T-score very-high-risk threshold " + Desc(c.vh_tscore, ""));
  t.d11 = Interned("per-drug renal thresholds: zoledronic acid " + Desc(c.za_crcl, "mL/min") +
                   ", alendronate " + Desc(c.alendronate_crcl, "mL/min") +
                   ", risedronate/ibandronate " + Desc(c.risedronate_crcl, "mL/min") +
                   " (Cockcroft-Gault, not eGFR)");
  t.d12 = Interned("minimum " + Num(c.za_min_vitd.value, 0) + " ng/mL blocks; AACE target " +
                   Num(c.vitd_target.value, 0) + " ng/mL warns");
  t.d13 = Interned("any fracture in the past " + Int(c.vh_recent_fx_months) +
                   " months counts (AACE 2020), not only vertebral or hip");
  t.d26 = Interned("reassess after " + Num(c.bp_oral_reassess_years.value, 0) + " years oral or " +
                   Num(c.za_reassess_doses.value, 0) + " years IV");
  t.d27 = Interned("refer below CrCl " + Num(c.refer_crcl.value, 0) + " mL/min; always at eGFR " +
                   Desc(c.denosumab_egfr, ""));
  t.giop_acr_scope = Interned("ACR 2022 scope not met (" + Desc(c.gc_acr_min_dose, "mg/day") +
                              " for " + Desc(c.gc_acr_min_days, "days") + ")");
  t.giop_vh_dose = Interned("glucocorticoid " + Desc(c.giop_vh_dose, "mg/day") + " for " +
                            Desc(c.giop_vh_dose_days, "days"));
  t.giop_vh_cumulative = Interned("cumulative " + Desc(c.giop_vh_cumulative_g, "g") + " in a year");
  const std::string young(Num(c.giop_young_age.value, 0).view());
  t.giop_young = Interned("age under " + Cat(young));
  t.giop_young_no_frax = Interned("under " + Cat(young) + ": FRAX not used");
  t.giop_not_young = Interned("age " + Cat(young) + " or over");
  return t;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

Result<Engine> Engine::Create(const KnowledgeBase& kb, std::string_view profile,
                              ProfileComparison comparison) {
  auto main = CompileProfile(kb, profile);
  if (!main) return main.errors();
  Engine e;
  e.kb_ = &kb;
  e.comparison_ = comparison;
  e.main_ = std::make_unique<CompiledProfile>(std::move(main).value());
  for (const auto& p : kb.profiles) {
    if (p.name == profile) continue;
    auto other = CompileProfile(kb, p.name);
    if (!other) return other.errors();
    e.others_.push_back(std::make_unique<CompiledProfile>(std::move(other).value()));
    e.others_share_facts_.push_back(SameFactsParameters(*e.main_, *e.others_.back()));
  }
  std::vector<const CompiledProfile*> others;
  for (const auto& o : e.others_) others.push_back(o.get());
  e.diffs_ = std::make_unique<ProfileDiffs>(std::move(others));
  e.texts_ = std::make_unique<ProfileTexts>(MakeProfileTexts(*e.main_));
  return e;
}

Engine::Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;
Engine::~Engine() = default;

const std::string& Engine::profile() const { return main_->name; }

namespace {

// verbose=false decides treatment, tier and therapy only (for the other profiles).
// What guideline_disagreement compares.
struct Decisions {
  std::optional<bool> treatment_indicated;
  RiskTier risk_tier = RiskTier::kIndeterminate;
  TherapyClass therapy = TherapyClass::kNone;
  explicit Decisions(const Assessment& a)
      : treatment_indicated(a.treatment_indicated),
        risk_tier(a.risk_tier),
        therapy(a.therapy_recommended) {}
  friend bool operator==(const Decisions&, const Decisions&) = default;
};

// What the steps from Tier on read of the first four (Demographics, Indication, Glucocorticoids,
// CancerTreatment): their State and the indication and tier they set. A run under another
// profile with the same facts and the same value of every parameter those four steps read
// would reach exactly this, so it starts from here (Engine::Assess). The same after Tier, for the
// steps after it (Indeterminate to Selection): they read nothing else of the steps before them.
struct StepState {
  State s;
  std::optional<bool> treatment_indicated;
  RiskTier risk_tier = RiskTier::kIndeterminate;
  void Capture(const State& state, const Assessment& a) {
    s = state;
    treatment_indicated = a.treatment_indicated;
    risk_tier = a.risk_tier;
  }
  bool Same(const State& state, const Assessment& a) const {
    return a.treatment_indicated == treatment_indicated && a.risk_tier == risk_tier && state == s;
  }
};

// `reads`: records the profile parameters the decisions read, up to the end of Selection (where
// the other profiles' runs stop), in three segments: the first four steps, Tier, and the steps
// after it; `at_selection` receives the decisions there. `capture` receives the state before
// Tier, `after_tier` the state after it; `resume` starts from a state before Tier instead of
// running the first four steps. `stop_after_tier`: a run under another profile that reads the
// same value of every parameter the steps after Tier read ends after Tier when its state equals
// that one; it would decide the same. Returns true when it ended there.
bool Decide(const Patient& p, const Facts& f, const CompiledProfile& c, const KnowledgeBase& kb,
            Assessment& a, bool verbose, ProfileReads* reads = nullptr,
            std::optional<Decisions>* at_selection = nullptr, StepState* capture = nullptr,
            const StepState* resume = nullptr, StepState* after_tier = nullptr,
            const StepState* stop_after_tier = nullptr, const ProfileTexts* texts = nullptr) {
  Ctx x(p, f, c, kb, a);
  x.verbose = verbose;
  x.texts = texts;
  x.reads = reads;
  if (verbose) {
    // Typical sizes (every golden case, vignette and example): one allocation each, no regrowth.
    a.trace.reserve(160);
    a.treatment_reasons.reserve(4);
    a.monitoring.reserve(4);
    a.warnings.reserve(4);
    a.agents.reserve(3);
    a.alternatives.reserve(4);
  }
  State s;
  if (resume) {
    s = resume->s;
    a.treatment_indicated = resume->treatment_indicated;
    a.risk_tier = resume->risk_tier;
  } else {
    Demographics(x, s);
    Indication(x, s);
    Glucocorticoids(x, s);
    CancerTreatment(x, s);
    if (capture) capture->Capture(s, a);
    if (reads) reads->StartSegment();  // Tier's reads
  }
  Tier(x, s);
  // GIOP very high may raise the tier after RISK-01 (the higher tier wins).
  if (s.giop_very_high && x.a.treatment_indicated == true) x.a.risk_tier = RiskTier::kVeryHigh;
  if (after_tier) after_tier->Capture(s, a);
  if (reads) reads->StartSegment();  // the reads of the steps after Tier
  if (stop_after_tier && stop_after_tier->Same(s, a)) return true;
  Indeterminate(x, s);
  Holidays(x, s);
  Course(x, s);
  Osteomalacia(x, s);
  Contraindications(x, s);
  Selection(x, s);
  CourseTherapy(x, s);
  // The other profiles' runs stop here.
  x.reads = nullptr;
  if (at_selection) at_selection->emplace(a);
  if (!verbose) return false;
  Infusion(x, s);
  Vertebral(x, s);
  Referrals(x, s);
  Medications(x, s);
  MonitoringAndWorkup(x, s);
  // TX-05's advice for women over 65 with low bone mass stands only if nothing else indicated
  // treatment (GIOP or CTIBL may have, after TX-05 ran).
  if (s.acp_osteopenia && a.treatment_indicated != false)
    std::erase_if(a.warnings, [](const Warning& w) { return w.code == "acp_osteopenia_over_65"; });
  // Pathologic-fracture warning for fractures marked suspected (outside the VCF pathway).
  if (f.any_pathologic)
    x.Warn("pathologic_fracture_suspected", Severity::kCritical,
           "A fracture is marked as possibly pathologic: exclude malignancy before osteoporosis "
           "treatment.",
           {"RISK-04", "CALC-08"});
  CourseFinish(x, s);
  return false;
}

const char* TierName(RiskTier t) { return ToString(t).data(); }

}  // namespace

Assessment Engine::Assess(const Patient& p, Date as_of) const {
  // The texts the engine formats and the lists it fills go to the assessment's arena (the other
  // profiles' runs below use it too: they end before this function does).
  std::shared_ptr<Arena> held = ArenaPool::Get();
  Arena* const arena = held.get();
  const ArenaScope scope(arena);
  Assessment a(std::move(held));  // the assessment holds the arena
  a.patient_id = p.id;
  a.as_of = as_of;
  a.knowledge_version = Text::Static(kb_->version);
  a.profile = main_->name;
  const Facts facts = DeriveFacts(p, as_of, *main_, arena);
  // CONV-02: a deceased patient gets patient_deceased and nothing else; no profile is compared.
  if (Deceased(p, as_of)) {
    Ctx x(p, facts, *main_, *kb_, a);
    x.texts = texts_.get();
    DeceasedAssessment(x);
    for (std::string_view id : ImplementedRules())
      if (id != "CONV-02")
        a.trace.push_back({Text::Static(id), Outcome::kNotFired, "patient deceased"});
    arena->Seal();
    return a;
  }
  ProfileReads reads(*diffs_);
  std::optional<Decisions> at_selection;
  StepState before_tier, after_tier;
  Decide(p, facts, *main_, *kb_, a, /*verbose=*/true, &reads, &at_selection, &before_tier, nullptr,
         &after_tier, nullptr, texts_.get());
  // A profile that would run exactly as this one did up to the end of Selection decides the
  // same there; these are the final decisions unless a later step changed them (none does).
  const bool skip_unaffected =
      comparison_ == ProfileComparison::kSkipUnaffected && at_selection == Decisions(a);

  // Guideline disagreement: would another shipped profile decide differently?
  // The other profiles' assessments never leave this function, whose `a` holds the arena: their
  // lists refer to it without owning it (an aliasing shared_ptr with no owner: copies count
  // nothing).
  const std::shared_ptr<Arena> unowned(std::shared_ptr<Arena>(), arena);
  Cat diff;
  for (size_t i = 0; i < others_.size(); ++i) {
    const CompiledProfile* other = others_[i].get();
    // Same facts, and the same value of every parameter read (the reads' segments):
    // - by the first four steps: start at Tier with their result;
    // - by Tier too, and the steps after it: the same decisions;
    // - by the steps after Tier: the same decisions if Tier leaves the same state (then the
    //   decisions at Selection are the same, and they are the final ones here).
    const bool compare = others_share_facts_[i] && i < ProfileDiffs::kMaxOthers &&
                         comparison_ == ProfileComparison::kSkipUnaffected;
    const std::uint32_t bit = compare ? std::uint32_t{1} << i : 0;
    const bool before = compare && (reads.Differing(0) & bit) == 0;
    const bool rest = compare && skip_unaffected && (reads.Differing(2) & bit) == 0;
    if (rest && before && (reads.Differing(1) & bit) == 0) continue;
    Assessment b(unowned);
    if (compare) {
      if (Decide(p, facts, *other, *kb_, b, /*verbose=*/false, nullptr, nullptr, nullptr,
                 before ? &before_tier : nullptr, nullptr, rest ? &after_tier : nullptr))
        continue;
    } else if (others_share_facts_[i]) {
      Decide(p, facts, *other, *kb_, b, /*verbose=*/false);
    } else {
      const Facts other_facts = DeriveFacts(p, as_of, *other, arena);
      Decide(p, other_facts, *other, *kb_, b, /*verbose=*/false);
    }
    const bool treatment = b.treatment_indicated != a.treatment_indicated;
    const bool tier = b.risk_tier != a.risk_tier;
    const bool therapy = b.therapy_recommended != a.therapy_recommended;
    if (!treatment && !tier && !therapy) continue;
    if (!diff.empty()) diff.Append("; ");
    diff.Append(other->name).Append(": ");
    if (treatment)
      diff.Append("treatment indicated ")
          .Append(b.treatment_indicated ? (*b.treatment_indicated ? "yes" : "no") : "undetermined");
    if (tier) diff.Append(treatment ? ", " : "").Append("tier ").Append(TierName(b.risk_tier));
    if (therapy)
      diff.Append(treatment || tier ? ", " : "")
          .Append("therapy ")
          .Append(ToString(b.therapy_recommended));
  }
  if (!diff.empty()) {
    a.warnings.push_back({"guideline_disagreement",
                          Severity::kInfo,
                          Keep("Other guideline profiles would decide differently (" + diff +
                               "). This assessment uses " + main_->name + "."),
                          {"CONV-PROFILE-DISAGREEMENT"}});
    a.trace.push_back({"CONV-PROFILE-DISAGREEMENT", Outcome::kFired, Keep(diff)});
  } else {
    a.trace.push_back(
        {"CONV-PROFILE-DISAGREEMENT", Outcome::kNotFired, "every shipped profile agrees"});
  }
  arena->Seal();  // read-only from here: lists that grow later use the heap
  return a;
}

std::span<const std::string_view> Engine::ImplementedRules() {
  static const std::vector<std::string_view> ids = [] {
    std::vector<std::string_view> all;
    for (const Topic* t :
         {&kDemographicsTopic, &kIndicationTopic, &kTierTopic, &kGlucocorticoidsTopic,
          &kCancerTopic, &kHolidaysTopic, &kContraindicationsTopic, &kSelectionTopic,
          &kInfusionTopic, &kVertebralTopic, &kReferralsTopic, &kMedicationsTopic,
          &kMonitoringTopic, &kCourseTopic, &kEngineTopic})
      for (std::string_view id : t->rules)
        if (std::find(all.begin(), all.end(), id) == all.end()) all.push_back(id);
    return all;
  }();
  return ids;
}

}  // namespace bp
