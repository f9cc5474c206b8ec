// Loads the knowledge base from the files embedded at build time (or from a directory, for
// authoring), and checks it. The file formats are described in docs/knowledge-authoring.md.
//
// Thread safety: Embedded() builds once (function-local static) and is then read-only.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "domain/knowledge.h"
#include "knowledge/embedded.h"

namespace bp {

// Parses a set of knowledge files (path relative to knowledge/, content).
Result<KnowledgeBase> LoadKnowledge(std::span<const EmbeddedFile> files);

// The knowledge compiled into this binary. Aborts with a message if it does not parse (the build
// embeds files that `bonepath knowledge check` validates in CI, so this is a build defect).
const KnowledgeBase& EmbeddedKnowledge();

// Problems found by CheckKnowledge; empty when valid.
struct KnowledgeProblem {
  std::string where;  // file or rule id
  std::string message;
};

// Validates: unique rule ids; every citation key resolves in the bibliography; every numeric
// parameter has a unit; every parameter a rule or profile names exists; every profile override
// has the parameter's type; every warning, question and regimen names existing rules; every
// expressible rule is implemented by the engine (`implemented` lists the ids the engine can emit)
// and every implemented id exists.
std::vector<KnowledgeProblem> CheckKnowledge(const KnowledgeBase& kb,
                                             std::span<const std::string_view> implemented);

// Validates that each rule's `parameters` are exactly the parameters its code reads (`reads`,
// derived from the engine's read sites): a parameter declared but not read, or read but not
// declared, is a problem.
std::vector<KnowledgeProblem> CheckRuleParameters(const KnowledgeBase& kb,
                                                  std::span<const RuleParameterRead> reads);

// Validates parameters.json against the engine's typed profile (`typed`): every parameter is
// resolved by the engine and every parameter the engine resolves exists, with the same unit and
// kind (number, switch, text).
std::vector<KnowledgeProblem> CheckTypedParameters(const KnowledgeBase& kb,
                                                   std::span<const TypedParameter> typed);

// Validates every JSON file of the knowledge (value sets and registry windows included) under
// the JSON layer's contract (common/json.h): above all no key given twice in an object, which
// the loaders, reading the first or the last, would otherwise accept silently.
std::vector<KnowledgeProblem> CheckJsonFiles(std::span<const EmbeddedFile> files);

// Validates the files the knowledge names, so that a reader can follow every one: a path written
// anywhere in a knowledge file (a citation, a note, a description: "docs/conventions.md") must lie
// inside the bonepath repository. A path into the material bonepath is developed from, which does
// not ship ("shared/spec/README.md", "seeds/..", an absolute or "../" file path) is a problem; so
// is a knowledge file that is not among `files` ("knowledge/x.json", or "rules/x.json" relative
// to knowledge/). Other repository paths ("docs/conventions.md") must satisfy `exists` (path
// relative to the repository root) when it is given, i.e. when the root is known. URLs, and paths
// inside other distributions ("bundles/measure/x.json" of a measure package), are not checked.
std::vector<KnowledgeProblem> CheckCitedFiles(
    std::span<const EmbeddedFile> files,
    const std::function<bool(std::string_view)>& exists = nullptr);

}  // namespace bp
