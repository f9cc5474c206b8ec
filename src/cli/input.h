// Loading one patient for assessment from what the user named: a native record, a FHIR Bundle
// (detected from the content), a FHIR Bulk Data export folder, or "-" for standard input.
// Shared by every command that assesses (assess, registry import, screening).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/date.h"
#include "common/result.h"
#include "domain/assessment.h"
#include "domain/knowledge.h"
#include "domain/patient.h"

namespace bp::cli {

struct LoadedPatient {
  Patient patient;
  std::vector<InputIssue> issues;
  std::vector<TraceEntry> mapping_trace;  // FHIR mapping decisions (empty for native input)
  std::string source_kind;                // "native", "fhir-bundle", "fhir-bulk"
};

struct LoadOptions {
  std::optional<std::string> patient_id;
  std::optional<Date> as_of;  // --as-of
};

// Reads the whole file (or stdin). Errors carry the file name in `path` when it cannot be read.
Result<std::string> ReadInput(const std::string& path, std::size_t max_bytes);

Result<LoadedPatient> LoadPatient(const std::string& path, const KnowledgeBase& kb,
                                  const LoadOptions& opt);

// The assessment date: --as-of, else the record's as_of, else today (UTC).
Date AssessmentDate(const Patient& p, const LoadOptions& opt);

}  // namespace bp::cli
