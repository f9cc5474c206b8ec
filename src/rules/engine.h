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
namespace rules {
class Sentences;  // the main profile's sentences (rules/say.h)
}

class Engine {
 public:
  // Fails (code "unsupported") for an unknown profile, or (code "internal") when a parameter the
  // engine needs is missing from the knowledge base or has the wrong type.
  static Result<Engine> Create(const KnowledgeBase& kb, std::string_view profile = "us-composite");

  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;
  ~Engine();

  // Decides for `p` on `as_of`. Never fails: missing data is reported in the assessment.
  Assessment Assess(const Patient& p, Date as_of) const;

  const KnowledgeBase& knowledge() const { return *kb_; }
  const std::string& profile() const;

  // Every rule id the engine can emit (for `bonepath knowledge check`).
  static std::span<const std::string_view> ImplementedRules();
  // The parameters each rule's code reads, derived from the read sites (rules/params.h, Read).
  static std::vector<RuleParameterRead> ParameterReads();
  // The typed profile: every parameter the engine resolves, with its unit and kind.
  static std::vector<TypedParameter> TypedParameters();
  // The rules' sentences (rules/say.h) checked against `kb` under every profile: each call
  // site's text exists and compiles, and every text in knowledge/ is said. Empty when valid.
  static std::vector<std::string> CheckTexts(const KnowledgeBase& kb);
  // The parameters each rule's texts say (views of `kb`'s strings), under `kb`'s default values:
  // `knowledge check` counts them as used by the rule, with the ones its code reads.
  static std::vector<RuleParameterRead> SaidParameters(const KnowledgeBase& kb);

 private:
  Engine();
  const KnowledgeBase* kb_ = nullptr;
  std::unique_ptr<CompiledProfile> main_;
  // The other shipped profiles, for guideline_disagreement.
  std::vector<std::unique_ptr<CompiledProfile>> others_;
  std::unique_ptr<rules::Sentences> sentences_;  // main_'s
};

}  // namespace bp
