// Reads a FHIR Bundle (any type; one patient or several) into per-patient records for the
// measures. Resources are grouped by the patient they name (subject/patient); in a bundle with one
// Patient, resources that name none belong to it. Medication resources are indexed for
// medicationReference look-ups.
//
// Thread safety: stateless functions.
#pragma once

#include <string_view>
#include <vector>

#include "common/result.h"
#include "measures/record.h"

namespace bp::measures {

struct Population {
  std::vector<PatientRecord> patients;  // in the order their Patient resources appear
  MedicationIndex medications;
};

// `json` is the text of a Bundle (or of a single Patient resource). Errors name the element
// ("entry[3].resource: Encounter.period.start: ...") and never quote patient data.
Result<Population> ReadBundle(std::string_view json);

}  // namespace bp::measures
