// JSON output of the CLI contract: the assessment (shared/spec/assessment.schema.json,
// "bonepath.assessment/1") and input errors (`{"error": {...}, "errors": [...]}`).
//
// Contract:
// - AssessmentToJson emits every field the schema requires, plus additions the schema allows:
//   knowledge.review_status and knowledge.disclaimer; derived.egfr_ml_min_1_73m2 and
//   derived.prednisone_equivalent_mg_day; per trace entry the rule's citations (bibliography
//   keys), verification mark and review status, taken from the knowledge base.
// - Derived numbers are rounded to one decimal for display (catalogue §0.3.5); null when absent.
// - Optional strings that are empty (statement code, regimen dose, ...) are omitted.
// - Strings are emitted as valid UTF-8 whatever they hold (invalid bytes are replaced).
// - Never throws.
//
// Thread safety: pure functions over their arguments.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "domain/assessment.h"
#include "domain/knowledge.h"

namespace bp {

// indent < 0: one line.
std::string AssessmentToJson(const Assessment& a, const KnowledgeBase& kb, int indent = 2);

// `{"error": <first>, "errors": [<every violation>]}`, each {code, path, message}. An empty list
// yields an "internal" error, so the output always has the contract's shape.
std::string ErrorsToJson(const Errors& errors, int indent = 2);

// One line per violation, as the CLI prints to stderr:
// `patient.json: labs[2].unit: "mmol" is not a unit for creatinine (accepted: mg/dL, umol/L)`.
// The path part is left out when the error concerns the whole input.
std::string FormatErrorsForStderr(std::string_view file, const Errors& errors);

}  // namespace bp
