// bonepath's native eCQMs: CMS249 (AppropriateDXAScansForWomenUnder65FHIR 0.2.001) and CMS645
// (BoneDensityProstateCancerAndrogenDeprivationTherapyFHIR 1.4.000). Each measure's CQL
// definitions are C++ functions of the same names (cms249.cc, cms645.cc); this interface
// evaluates one patient and applies the proportion-measure population rules:
//   DEN = IP and Denominator; DENEX = DEN and Denominator Exclusions;
//   NUMER = DEN and not DENEX and Numerator; NUMEX = NUMER and Numerator Exclusion;
//   DENEXCEP = DEN and not DENEX and not NUMER and Denominator Exception.
//
// Thread safety: a Measure is immutable after MakeMeasure; Evaluate may run on many threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "measures/measure_knowledge.h"
#include "measures/qicore.h"
#include "measures/record.h"

namespace bp::measures {

// Resources that contributed to a definition being true ("Type/id").
using Evidence = std::vector<const Resource*>;

struct PatientResult {
  std::string patient_id;
  // Membership per population, in the order of MeasureKnowledge::populations.
  std::vector<bool> member;
  // The resources that put the patient in the populations it is in ("Patient/x", "Encounter/y").
  std::vector<std::string> evaluated_resources;
};

// The criteria of one patient, before the population rules: one Tri per population, keyed by
// population code, plus what made each true.
struct Criteria {
  Tri initial_population, denominator, denominator_exclusion, numerator, numerator_exclusion,
      denominator_exception;
  Evidence ip_evidence, denex_evidence, numer_evidence, numex_evidence, denexcep_evidence;
};

class Measure {
 public:
  virtual ~Measure() = default;
  const MeasureKnowledge& knowledge() const { return k_; }
  // The measure's CQL for one patient.
  virtual Criteria Evaluate(const PatientRecord& p, const MedicationIndex& meds,
                            const MeasurementPeriod& mp) const = 0;
  // Evaluate, then the population rules. Without `evidence`, evaluated_resources stays empty
  // (summary reports do not show it, and naming the resources is most of a summary's cost).
  PatientResult EvaluatePatient(const PatientRecord& p, const MedicationIndex& meds,
                                const MeasurementPeriod& mp, bool evidence = true) const;

 protected:
  explicit Measure(MeasureKnowledge k) : k_(std::move(k)) {}
  MeasureKnowledge k_;
};

// "CMS249" or "CMS645" (case-insensitive).
Result<std::unique_ptr<Measure>> MakeMeasure(std::string_view id);
std::vector<std::string> SupportedMeasures();

// Measure implementations (cms249.cc, cms645.cc).
Result<std::unique_ptr<Measure>> MakeCms249();
Result<std::unique_ptr<Measure>> MakeCms645();

}  // namespace bp::measures
