// The decision engine: a validated Patient and an assessment date in, an Assessment out, with a
// trace of every rule considered. Clinical numbers come from the knowledge base's parameters,
// resolved once per profile when the engine is created.
//
// Thread safety: an Engine is immutable after Create; Assess may be called concurrently.
// The KnowledgeBase must outlive the Engine.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/date.h"
#include "common/result.h"
#include "domain/assessment.h"
#include "domain/knowledge.h"
#include "domain/patient.h"

namespace bp {

struct CompiledProfile;  // parameters resolved to typed values (rules/params.h)
class ProfileDiffs;      // which other profiles differ in which parameter (rules/params.h)
struct ProfileTexts;     // trace texts formatted once per engine (rules/engine.cc)

// How Assess finds guideline disagreement. kSkipUnaffected (the default) does not re-run a
// profile whose facts are the same and whose every parameter the decisions read has the main
// profile's value (it would decide the same), starts a profile whose parameters differ only
// from Tier on at Tier, from the main run's state there, and ends a run after Tier when Tier left
// the main run's state and the steps after it read only equal parameters; kRunAll runs every
// profile from the start to the end of Selection, for tests that check the shortcuts change
// nothing.
enum class ProfileComparison { kSkipUnaffected, kRunAll };

class Engine {
 public:
  // Fails (code "unsupported") for an unknown profile, or (code "internal") when a parameter the
  // engine needs is missing from the knowledge base or has the wrong type.
  static Result<Engine> Create(const KnowledgeBase& kb, std::string_view profile = "us-composite",
                               ProfileComparison comparison = ProfileComparison::kSkipUnaffected);

  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;
  ~Engine();

  // Decides for `p` on `as_of`. Never fails: missing data is reported in the assessment.
  Assessment Assess(const Patient& p, Date as_of) const;

  const KnowledgeBase& knowledge() const { return *kb_; }
  const std::string& profile() const;

  // Every rule id the engine can emit (for `bonepath knowledge check`).
  static std::span<const std::string_view> ImplementedRules();

 private:
  Engine();
  const KnowledgeBase* kb_ = nullptr;
  ProfileComparison comparison_ = ProfileComparison::kSkipUnaffected;
  std::unique_ptr<CompiledProfile> main_;
  // The other shipped profiles, for guideline_disagreement.
  std::vector<std::unique_ptr<CompiledProfile>> others_;
  // others_share_facts_[i]: others_[i] derives the same facts as main_ (SameFactsParameters).
  std::vector<bool> others_share_facts_;
  std::unique_ptr<ProfileDiffs> diffs_;  // others_ against main_
  std::unique_ptr<ProfileTexts> texts_;  // main_'s
};

}  // namespace bp
