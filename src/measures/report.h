// FHIR R4 MeasureReport JSON for the measures' results (individual, summary, subject-list).
// Required elements of R4 MeasureReport: status, type, measure, period; each group.population
// carries its measure-population code and count; a summary adds group.measureScore (proportion:
// (NUMER - NUMEX) / (DEN - DENEX - DENEXCEP), absent when that denominator is 0); a subject-list
// names the patients of each population in a contained List (population.subjectResults).
//
// Thread safety: the writers are value types; one per thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "measures/measure.h"

namespace bp::measures {

struct ReportPeriod {
  std::string start, end;  // as given: YYYY-MM-DD
};

// One patient's MeasureReport (type individual).
std::string IndividualReport(const MeasureKnowledge& k, const PatientResult& r,
                             const ReportPeriod& period);

// Accumulates population counts (and, for subject-list, the patients of each population).
class SummaryAccumulator {
 public:
  SummaryAccumulator(const MeasureKnowledge& k, bool keep_subjects);
  void Add(const PatientResult& r);
  void Merge(const SummaryAccumulator& other);
  const std::vector<std::uint64_t>& counts() const { return counts_; }
  std::uint64_t patients() const { return patients_; }
  // The MeasureReport (type summary, or subject-list when subjects were kept).
  std::string Report(const ReportPeriod& period) const;

 private:
  const MeasureKnowledge* k_;
  bool keep_subjects_;
  std::uint64_t patients_ = 0;
  std::vector<std::uint64_t> counts_;
  std::vector<std::vector<std::string>> subjects_;
};

// JSON string literal with escapes.
std::string JsonString(std::string_view s);

}  // namespace bp::measures
