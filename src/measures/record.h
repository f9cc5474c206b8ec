// The FHIR R4 facts the bone measures read, per patient, in the shape of the QI-Core elements the
// CQL names (Encounter.type/period/status, Condition.onset[x]/abatement[x]/clinicalStatus, ...).
// Only what the measures use is kept, so that a record stays small whatever the source held.
//
// Thread safety: value types; a RecordBuilder is used by one thread at a time.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "measures/cql_time.h"

namespace simdjson::dom {
class element;
}

namespace bp::measures {

// A CodeableConcept as the measures ask of it (`in "Value Set"`, `~ "Code"`): the terminology ids
// (terminology.h) of its codings that some supported measure refers to. Codings no measure refers
// to can never make either question true, so they are not kept; nor is the text. Up to two ids are
// held inline, so that reading a concept allocates nothing in the common case.
class Concept {
 public:
  void Add(std::uint32_t term) {
    if (term == 0) return;
    if (n_ < kInline)
      inline_[n_++] = term;
    else
      more_.push_back(term);
  }
  bool empty() const { return n_ == 0; }
  template <typename F>
  bool Any(F&& f) const {
    for (std::uint8_t i = 0; i < n_; ++i)
      if (f(inline_[i])) return true;
    for (std::uint32_t t : more_)
      if (f(t)) return true;
    return false;
  }

 private:
  static constexpr std::uint8_t kInline = 2;
  std::array<std::uint32_t, kInline> inline_{};
  std::uint8_t n_ = 0;
  std::vector<std::uint32_t> more_;
};

// FHIR Quantity as FHIRHelpers.ToQuantity reads it: the unit is code, else unit, else '1'.
struct Quantity {
  double value = 0;
  std::string unit;
  bool comparator = false;  // ToQuantity raises an error for these: never compared
};

// A choice of time: dateTime, Period or Age (onset[x], abatement[x], effective[x],
// performed[x], timing bounds). kNone when absent or of a kind the measures do not read.
struct TimeChoice {
  enum class Kind { kNone, kDateTime, kPeriod, kQuantity } kind = Kind::kNone;
  std::optional<DateTime> at;          // kDateTime
  std::optional<DateTime> start, end;  // kPeriod
  std::optional<Quantity> quantity;    // kQuantity (an age)
};

struct Resource {
  std::string_view type;  // "Encounter": a literal, never the input's text
  std::string id;         // "abc"
  std::string Reference() const {
    std::string r;
    r.reserve(type.size() + 1 + id.size());
    return r.append(type).append(1, '/').append(id);
  }
};

struct EncounterFact : Resource {
  std::string status;
  std::vector<Concept> type_;
  TimeChoice period;
};

struct ConditionFact : Resource {
  Concept code, clinical_status, verification_status;
  TimeChoice onset, abatement;
};

struct ProcedureFact : Resource {
  std::string status;
  Concept code;
  TimeChoice performed;
  std::vector<Concept> body_site;
};

struct ObservationFact : Resource {
  std::string status;
  Concept code;
  std::vector<Concept> category;
  TimeChoice effective;
  std::optional<DateTime> issued;
  std::optional<Quantity> value_quantity;
  std::optional<long long> value_integer;
};

struct ServiceRequestFact : Resource {
  std::string status, intent;
  Concept code;
  std::optional<bool> do_not_perform;
  std::optional<DateTime> authored_on;
};

struct DosageFact {
  std::optional<long long> frequency, frequency_max;
  std::optional<double> period;
  std::string period_unit;
  std::size_t time_of_day_count = 0;
  TimeChoice bounds;             // boundsPeriod / boundsDuration
  std::vector<DateTime> events;  // timing.event
  std::size_t dose_and_rate_count = 0;
  std::optional<Quantity> dose;  // doseQuantity, or the high of doseRange
};

struct MedicationRequestFact : Resource {
  std::string status, intent;
  Concept medication;                // medicationCodeableConcept
  std::string medication_reference;  // medicationReference.reference
  std::optional<DateTime> authored_on;
  std::vector<DosageFact> dosage;
  std::optional<Quantity> expected_supply_duration;
  std::optional<Quantity> dispense_quantity;
  std::optional<long long> number_of_repeats_allowed;
  std::optional<DateTime> validity_start;
};

struct MedicationFact : Resource {
  Concept code;
};

struct PatientRecord {
  std::string id;
  std::string gender;
  std::optional<DateTime> birth_date;  // a CQL Date
  std::vector<EncounterFact> encounters;
  std::vector<ConditionFact> conditions;
  std::vector<ProcedureFact> procedures;
  std::vector<ObservationFact> observations;
  std::vector<ServiceRequestFact> service_requests;
  std::vector<MedicationRequestFact> medication_requests;
};

// Medication resources are shared by patients (no subject): looked up by id.
using MedicationIndex = std::map<std::string, MedicationFact, std::less<>>;

// Resource types the measures read; everything else is skipped unparsed.
bool IsMeasureResourceType(std::string_view type);

// False when no "resourceType" in the JSON text names a type the measures read, so that the
// line can be skipped without parsing (Practitioner, Organization, Coverage, ... in a Bulk Data
// export). Conservative: true whenever a measure type appears as any resourceType value.
bool MayHoldMeasureResource(std::string_view json);

// The patient a resource belongs to: Patient.id, or the id in subject/patient/beneficiary
// ("Patient/123", "urn:uuid:123"). Empty when it names none.
std::string SubjectOf(simdjson::dom::element resource);
// The same as a view into the parsed document (valid while the parser holds it).
std::string_view SubjectView(simdjson::dom::element resource);

// Adds one resource to `record` (Patient fills the demographics). Errors name the element
// ("Encounter.period.start") and never quote patient data. Resources of other types are ignored.
std::optional<Error> AddResource(simdjson::dom::element resource, PatientRecord& record);
// Adds a Medication to the index.
std::optional<Error> AddMedication(simdjson::dom::element resource, MedicationIndex& index);

}  // namespace bp::measures
