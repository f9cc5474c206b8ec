// The shared CQL libraries the two measures include, as C++ functions of the same names:
// FHIRHelpers 4.4.000 (ToInterval, ToQuantity), QICoreCommon 2.1.000 (toInterval,
// abatementInterval, prevalenceInterval, earliest), Status 1.8.000 (isEncounterPerformed, ...)
// and CumulativeMedicationDuration 4.1.000 (medicationRequestPeriod).
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string_view>

#include "measures/cql_time.h"
#include "measures/measure_knowledge.h"
#include "measures/record.h"

namespace bp::measures {

// The measurement period, Interval[start, end] at millisecond precision.
struct MeasurementPeriod {
  DateTime start, end;
  Interval AsInterval() const { return Interval::Closed(start, end); }
};

// QICoreCommon 2.1.000 `toInterval(choice)` after FHIRHelpers 4.4.000 `ToValue`: a dateTime is
// Interval[d, d]; a Period Interval[start, end] (Interval(null, end] without a start); an Age
// Interval[birthDate + age, birthDate + age + 1 year).
std::optional<Interval> ToInterval(const TimeChoice& t, const std::optional<DateTime>& birth_date);
// QICoreCommon 2.1.000 `abatementInterval(condition)`.
std::optional<Interval> AbatementInterval(const ConditionFact& c,
                                          const std::optional<DateTime>& birth_date);
// QICoreCommon 2.1.000 `prevalenceInterval(condition)`; `k` supplies the clinical status codes.
std::optional<Interval> PrevalenceInterval(const ConditionFact& c,
                                           const std::optional<DateTime>& birth_date,
                                           const MeasureKnowledge& k);
// QICoreCommon 2.1.000 `earliest(choice)` for an interval: its start when it has one (not null,
// not the minimum DateTime), else its end.
std::optional<DateTime> Earliest(const std::optional<Interval>& period);

// CumulativeMedicationDuration 4.1.000 `medicationRequestPeriod(Request)` (Interval<Date>).
std::optional<Interval> MedicationRequestPeriod(const MedicationRequestFact& r);

// Status 1.8.000 filters, one resource at a time.
bool IsEncounterPerformed(const EncounterFact& e);
bool IsProcedurePerformed(const ProcedureFact& p);
bool IsAssessmentPerformed(const ObservationFact& o, const MeasureKnowledge& k);
bool IsObservationFinal(const ObservationFact& o);  // isObservationBMI / isDiagnosticStudyPerformed
bool IsMedicationActive(const MedicationRequestFact& m);
bool IsMedicationOrder(const MedicationRequestFact& m);
bool IsDiagnosticStudyOrder(const ServiceRequestFact& s);

// `[MedicationRequest: "Value Set"]`: medicationCodeableConcept in the value set, or a
// medicationReference to a Medication whose code is.
bool MedicationInValueSet(const MedicationRequestFact& m, std::string_view valueset,
                          const MeasureKnowledge& k, const MedicationIndex& meds);

// System.Quantity comparisons: values compared when the units are the same (UCUM conversion is
// not done: different units give null).
Tri QuantityLessOrEqual(const std::optional<Quantity>& q, double v, std::string_view unit);
Tri QuantityLess(const std::optional<Quantity>& q, double v, std::string_view unit);
Tri QuantityGreater(const std::optional<Quantity>& q, double v, std::string_view unit);
Tri QuantityGreaterOrEqual(const std::optional<Quantity>& q, double v, std::string_view unit);

}  // namespace bp::measures
