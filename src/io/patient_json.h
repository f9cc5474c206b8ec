// Writes a Patient as a native record (patient.schema.json): the inverse of ReadNativePatient.
//
// Contract:
// - Field names are those of the schema, enum values the wire names of domain/enums.h, in the
//   schema's order; absent optional values are left out (missing data stays missing).
// - Lab values are written in the canonical unit of their test (knowledge/units.json), which is
//   the unit ReadNativePatient converted them to.
// - ReadNativePatient(PatientToJson(p)) gives back `p` (labs' `source` aside), so the registry
//   and `bonepath fhir extract` can store and show a patient as a record `assess` accepts.
//
// Thread safety: pure functions over their arguments.
#pragma once

#include <string>

#include "domain/knowledge.h"
#include "domain/patient.h"

namespace bp {

// `indent` < 0: one line; otherwise pretty-printed with that many spaces per level.
std::string PatientToJson(const Patient& p, const KnowledgeBase& kb, int indent = -1);

}  // namespace bp
