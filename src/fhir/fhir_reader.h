// The FHIR R4 reader: turns a Bundle (any type), a single resource or a Bulk Data export folder
// into the native patient record (domain/patient.h), and says what it understood: where each
// fact came from (provenance), what it ignored and why, the problems it met in the input
// (input issues with FHIRPath-style locations) and the mapping rules of knowledge/rules/fhir.json
// it applied (mapping_trace). Codes are matched through knowledge/valuesets/ (LOINC, SNOMED CT,
// ICD-10-CM, RxNorm); lab units through knowledge/units.json. docs/fhir.md describes every
// mapping decision.
//
// Errors (a Result error; the CLI exits 2) only when the input cannot be read at all: not JSON,
// not FHIR, several patients and no patient_id, patient_id not found, nothing usable. Everything
// else (an unknown unit, a malformed element, an unresolved reference) is an input issue and the
// rest of the data is still used.
//
// Thread safety: the functions are reentrant; the code tables are built once, on first use.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/date.h"
#include "common/result.h"
#include "domain/assessment.h"
#include "domain/knowledge.h"
#include "domain/patient.h"

namespace simdjson::dom {
class element;
}  // namespace simdjson::dom

namespace bp {

struct FhirIgnored {
  std::string resource;  // "Claim/1"
  std::string why;
};

struct FhirExtract {
  Patient patient;  // native record, canonical units
  // JSON pointer into the native record ("/labs/0", "/bmd/2/t_score", "/birth_date") ->
  // the resources it came from ["Observation/abc", ...].
  std::map<std::string, std::vector<std::string>> provenance;
  std::vector<FhirIgnored> ignored;
  // FHIRPath-style paths: Bundle.entry[12].resource.valueQuantity.value.
  std::vector<InputIssue> issues;
  // Rule ids from knowledge/rules/fhir.json (outcome fired, `because` naming the resources),
  // one entry per mapping decision applied.
  std::vector<TraceEntry> mapping_trace;
  std::map<std::string, int> skipped_counts;  // resourceType -> count skipped
};

struct FhirOptions {
  std::optional<std::string> patient_id;
  // Values dated after as_of are ignored (with an issue); staleness is counted back from it.
  // Also the date menopausal status is inferred for (default: today, UTC).
  std::optional<Date> as_of;
};

// True when text is a FHIR resource (has "resourceType") rather than a native bonepath record.
bool LooksLikeFhir(std::string_view text);

// A Bundle of any type (or one bare resource). Errors (exit 2 upstream): not JSON (code
// invalid_json), wrong resourceType (schema), several patients and no patient_id (inconsistent,
// the message lists the ids), patient_id not found (inconsistent), nothing usable remains
// (unsupported).
Result<FhirExtract> ReadFhirBundle(std::string_view text, const KnowledgeBase& kb,
                                   const FhirOptions& opt);

// The bytes the JSON parser may read past the end of its input (simdjson's padding).
inline constexpr std::size_t kFhirInputPadding = 64;

// ReadFhirBundle for input held in a string: when the string has kFhirInputPadding bytes of
// spare capacity (reserve size + kFhirInputPadding before filling it), it is parsed in place;
// otherwise it is copied into a padded buffer first, as ReadFhirBundle does. Same result.
Result<FhirExtract> ReadFhirBundleInPlace(const std::string& text, const KnowledgeBase& kb,
                                          const FhirOptions& opt);

// Resources already parsed by the JSON layer (src/common/json.h: nesting and duplicate keys
// checked), read as the entries of a collection Bundle, in order: what ReadFhirBundle gives for
// {"resourceType":"Bundle","type":"collection","entry":[{"resource":...},...]}, without writing
// the resources back to text and parsing them again (the CDS Hooks prefetch). The elements must
// outlive the call.
Result<FhirExtract> ReadFhirResources(std::span<const simdjson::dom::element> resources,
                                      const KnowledgeBase& kb, const FhirOptions& opt);

// A Bulk Data export folder: every *.ndjson file (one resource a line; files named
// Type.NNN.ndjson or anything .ndjson). Same errors as ReadFhirBundle, plus io.
Result<FhirExtract> ReadBulkExport(const std::string& dir, const KnowledgeBase& kb,
                                   const FhirOptions& opt);

// The `bonepath fhir extract` document: {"patient", "provenance", "ignored", "input_issues",
// "skipped", "mapping_trace"}.
std::string FhirExtractToJson(const FhirExtract& x, int indent = 2);

// Rule ids the reader can emit in mapping_trace (for `bonepath knowledge check`).
std::span<const std::string_view> FhirImplementedRules();

}  // namespace bp
