// Reads a native patient record (shared/spec/patient.schema.json) into a bp::Patient.
//
// Contract:
// - Validates by hand-written checks that mirror the schema: unknown fields at every level,
//   required fields, types, enums (the message lists the allowed values), numeric bounds, string
//   lengths, dates (pattern and calendar validity). EVERY violation is collected, each as
//   bp::Error{code, path, message} with a path such as `labs[2].unit` or `bmd[0].t_score`; codes
//   are those of the CLI contract (invalid_json, schema, unit, date, inconsistent, too_large).
// - Consistency: no recorded date (fracture, lab, DXA, FRAX, medication start/end/last dose,
//   condition onset, prior referral, birth) after the effective as_of; a medication's end not
//   before its start.
// - Lab values and reference limits are converted to the canonical unit of their test using the
//   knowledge base's unit table (knowledge/units.json); a unit not listed for the test is an
//   error (code "unit"). T-/Z-scores and FRAX become integer tenths (ToTenths).
// - Non-fatal observations go to `*issues` (may be null).
// - Never throws and never crashes, whatever the bytes: the input is untrusted.
//
// Thread safety: pure functions over their arguments.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/date.h"
#include "common/result.h"
#include "domain/assessment.h"
#include "domain/knowledge.h"
#include "domain/patient.h"

namespace bp {

struct NativeReadOptions {
  // `--as-of`: replaces the record's as_of (also in the returned Patient) and is the date the
  // consistency checks compare against.
  std::optional<Date> as_of_override;
  // The date to check against when neither the override nor the record gives as_of (the CLI
  // assesses "today" then). nullopt: Date::TodayUtc(). Tests pin it.
  std::optional<Date> today;
  // Inputs larger than this are refused before parsing (code "too_large").
  std::size_t max_input_bytes = 5 * 1024 * 1024;
};

Result<Patient> ReadNativePatient(std::string_view json_text, const KnowledgeBase& kb,
                                  std::vector<InputIssue>* issues,
                                  const NativeReadOptions& options = {});

// Converts a lab value given in `unit` to the canonical unit of `test`, per the knowledge base's
// unit table. Matching is case-insensitive and ignores notation differences (µ/μ vs u, spaces,
// braces, underscores, '²'). nullopt when the unit is not accepted for the test. Shared with the
// FHIR reader so both channels convert alike.
struct UnitConversion {
  double factor = 1;           // canonical = value * factor
  std::string_view canonical;  // points into kb
};
std::optional<UnitConversion> FindLabUnit(const KnowledgeBase& kb, LabTest test,
                                          std::string_view unit);

// "mg/dL, umol/L": the accepted units of a test, for error messages.
std::string AcceptedUnits(const KnowledgeBase& kb, LabTest test);

}  // namespace bp
