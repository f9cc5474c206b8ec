// A measure over a Bulk Data export folder with bounded memory. When the folder is larger than
// the memory budget, a first pass reads each measure-relevant line into facts (once: errors name
// the export's file and line) and spills them in a compact binary form (record_codec.h) into one
// of K temporary partition files by a hash of its patient, so that each patient's facts meet in
// one partition; Medication resources, shared by all, stay in memory. Each partition is then
// decoded, grouped by patient and evaluated on all threads. Peak memory follows the budget, not
// the export size.
//
// Thread safety: EvaluateBulk uses `threads` workers internally; `sink` is called from the
// calling thread only, one patient at a time, in patient-id order within each partition.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "bulk/ndjson.h"
#include "measures/measure.h"

namespace bp::measures {

struct BulkOptions {
  int threads = 1;
  std::uint64_t budget_bytes = 48u * 1024 * 1024;  // raw NDJSON per partition
  std::size_t max_line_bytes = 64u * 1024 * 1024;
  std::string temp_dir;  // default: $TMPDIR or /tmp
  bool evidence = true;  // fill PatientResult::evaluated_resources (individual reports)
};

struct BulkStats {
  std::uint64_t patients = 0;
  std::size_t files = 0, skipped_entries = 0, partitions = 0;
};

using PatientSink = std::function<void(const PatientResult&)>;

std::optional<Error> EvaluateBulk(const Measure& m, const std::string& dir,
                                  const MeasurementPeriod& mp, const BulkOptions& opt,
                                  const PatientSink& sink, BulkStats* stats);

// The same for records already grouped (a Bundle): evaluates on `threads` workers and calls
// `sink` in input order.
void EvaluateRecords(const Measure& m, const std::vector<PatientRecord>& patients,
                     const MedicationIndex& meds, const MeasurementPeriod& mp, int threads,
                     const PatientSink& sink, bool evidence = true);

}  // namespace bp::measures
