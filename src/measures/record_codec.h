// A compact binary form of the facts of one resource, for the partition files of a Bulk Data
// folder (bulk_eval.cc): the first pass reads each line into facts once and writes them in this
// form, the second pass decodes them without parsing JSON again. Private to one run (written and
// read by the same binary, removed afterwards): no versioning, native byte order.
//
// Thread safety: stateless functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "measures/record.h"

namespace bp::measures {

// Appends to `out` one frame: the patient id and the facts AddResource put in `scratch` for one
// resource of `type` (a Patient's demographics, or the one fact in one of its lists).
void EncodeFacts(std::string_view type, std::string_view patient, const PatientRecord& scratch,
                 std::string& out);

// Decodes every frame of `data` into the records by patient id. False when `data` is not a whole
// sequence of frames.
using RecordMap = std::unordered_map<std::string, PatientRecord>;
bool DecodeFactsInto(std::string_view data, RecordMap& records);

}  // namespace bp::measures
