// The knowledge base as values: rules with their statements, citations, verification and review
// status; the named parameters (every clinical number) and the profiles that set them; the
// bibliography; warning codes; drug regimens; lab units. Loaded from knowledge/*.json
// (src/knowledge) and read by the engine and the renderers. No I/O here.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace bp {

struct Review {
  std::string status;  // submitted | under_review | approved
  std::vector<std::string> reviewers;
  std::string last_updated;  // YYYY-MM-DD
  std::string note;
};

struct RuleDef {
  std::string id;     // catalogue id, e.g. "PRE-01", "D12"
  std::string topic;  // file it came from (e.g. "infusion")
  std::string title;
  std::string statement;  // plain-language statement for clinicians
  std::string kind;       // calc | indication | tier | select | refer | block | avoid | precheck
                          // | monitor | sequence | warn | decision | convention | mapping
  std::vector<std::string> citations;   // bibliography keys
  std::vector<std::string> seeds;       // "000".."004"
  std::vector<std::string> parameters;  // parameter names the rule uses
  // The sentences the engine says for the rule: key and template (rules/say.h), in file order.
  std::vector<std::pair<std::string, std::string>> texts;
  std::string verification;       // V | V2 | P | U
  std::string verification_note;  // what was checked, and how
  Review review;
  bool expressible = true;  // false: the native input cannot express it (reason in note)
  std::string not_expressible_reason;
};

struct Reference {
  std::string key;
  std::string citation;
  std::string url;
  std::string verified;  // what was verified (catalogue §5)
};

enum class Comparator { kNone, kLt, kLe, kGt, kGe, kEq };

struct ParamValue {
  enum class Kind { kNumber, kBool, kText } kind = Kind::kNumber;
  double number = 0;
  bool flag = false;
  std::string text;
  Comparator cmp = Comparator::kNone;
};

struct ParameterDef {
  std::string name;
  std::string unit;  // required for numbers ("1" for dimensionless)
  std::string description;
  std::vector<std::string> citations;
  std::string verification;
  ParamValue value;  // the us-composite default
};

// How the engine holds a parameter (rules/params.h, ParamBindings): the name it resolves, the
// unit its comparisons assume and the kind of value its typed field takes. `knowledge check`
// compares these with parameters.json.
struct TypedParameter {
  std::string_view name;
  std::string_view unit;  // "" for a switch or a choice
  ParamValue::Kind kind = ParamValue::Kind::kNumber;
};

// A parameter a rule's code reads (rules/params.h, Read): `knowledge check` compares these with
// each rule's `parameters`.
struct RuleParameterRead {
  std::string_view rule;
  std::string_view parameter;
};

struct ProfileDef {
  std::string name;
  std::string title;
  std::string description;
  std::map<std::string, ParamValue, std::less<>> overrides;  // found by a string_view
};

struct WarningDef {
  std::string code;
  std::string severity;  // default severity
  std::string title;
  std::vector<std::string> rules;
};

struct RegimenDef {
  std::string agent;
  std::string dose;
  std::string route;  // oral | intravenous | subcutaneous
  std::string interval;
  std::string max_duration;
  std::string setting;
  std::vector<std::string> rules;
};

// One accepted unit of a lab test and how to reach the canonical unit:
// canonical = value * factor.
struct UnitDef {
  std::string unit;
  double factor = 1;
};
struct LabUnits {
  std::string test;
  std::string canonical;
  std::vector<UnitDef> accepted;
};

struct QuestionDef {
  std::string seed;      // "000"
  std::string question;  // the seed's question
  std::string topic;
  std::vector<std::string> answer_rules;  // rule ids whose statements answer it, in order
  std::string summary;
};

struct TopicDef {
  std::string id;
  std::string title;
  std::string question;  // the general question of the topic
};

struct KnowledgeBase {
  std::string version;
  std::string title;
  std::vector<TopicDef> topics;
  std::vector<RuleDef> rules;
  std::vector<Reference> bibliography;
  std::vector<ParameterDef> parameters;
  std::vector<ProfileDef> profiles;
  std::vector<WarningDef> warnings;
  std::vector<RegimenDef> regimens;
  std::vector<LabUnits> lab_units;
  std::vector<QuestionDef> questions;

  // Lookups by id are hashed once BuildIndex has run (the loader calls it); renderers resolve a
  // citation for every trace entry, so a linear scan would cost ~30,000 comparisons per output.
  void BuildIndex();
  const RuleDef* FindRule(std::string_view id) const;
  const Reference* FindReference(std::string_view key) const;
  const ParameterDef* FindParameter(std::string_view name) const;
  const ProfileDef* FindProfile(std::string_view name) const;
  const RegimenDef* FindRegimen(std::string_view agent) const;
  const WarningDef* FindWarning(std::string_view code) const;
  // The value of a parameter under a profile (profile override, else the default);
  // nullopt when the parameter does not exist.
  std::optional<ParamValue> Resolve(std::string_view profile, std::string_view param) const;

 private:
  // Views of this knowledge base's own strings: moved with it (the vectors' buffers move), never
  // copied (a copy's index would view the original's strings; a copy scans until BuildIndex).
  struct Index {
    std::unordered_map<std::string_view, size_t> at;
    Index() = default;
    Index(const Index&) {}
    Index& operator=(const Index&) {
      at.clear();
      return *this;
    }
    Index(Index&&) noexcept = default;
    Index& operator=(Index&&) noexcept = default;
    ~Index() = default;
  };
  Index rule_index_;
  Index reference_index_;
  Index parameter_index_;
};

}  // namespace bp
