#include "measures/bundle.h"

#include <simdjson.h>

#include <unordered_map>

namespace bp::measures {

Result<Population> ReadBundle(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::padded_string padded(json);
  if (parser.parse(padded).get(root) != simdjson::SUCCESS)
    return Error{"invalid_json", "", "not valid JSON"};
  std::string_view rt;
  if (root["resourceType"].get(rt) != simdjson::SUCCESS)
    return Error{"schema", "resourceType", "resourceType: missing or not a string"};
  std::vector<simdjson::dom::element> resources;
  if (rt == "Bundle") {
    simdjson::dom::element entries;
    if (root["entry"].get(entries) == simdjson::SUCCESS) {
      simdjson::dom::array a;
      if (entries.get(a) != simdjson::SUCCESS)
        return Error{"schema", "Bundle.entry", "Bundle.entry: not an array"};
      for (auto e : a) {
        simdjson::dom::element r;
        if (e["resource"].get(r) == simdjson::SUCCESS && r.is_object()) resources.push_back(r);
      }
    }
  } else {
    resources.push_back(root);
  }
  Population pop;
  std::unordered_map<std::string, std::size_t> index;
  std::size_t patients = 0;
  for (auto r : resources) {
    std::string_view t;
    if (r["resourceType"].get(t) == simdjson::SUCCESS && t == "Patient") ++patients;
  }
  std::string only_patient;
  if (patients == 1)
    for (auto r : resources) {
      std::string_view t;
      if (r["resourceType"].get(t) == simdjson::SUCCESS && t == "Patient")
        only_patient = SubjectOf(r);
    }
  // Patients first, so that records follow the order of the Patient resources.
  for (int pass = 0; pass < 2; ++pass) {
    std::size_t n = 0;
    for (auto r : resources) {
      const std::size_t pos = n++;
      std::string_view t;
      if (r["resourceType"].get(t) != simdjson::SUCCESS)
        return Error{"schema", "entry[" + std::to_string(pos) + "].resource.resourceType",
                     "entry[" + std::to_string(pos) + "].resource: no resourceType"};
      if ((pass == 0) != (t == "Patient")) continue;
      if (!IsMeasureResourceType(t)) continue;
      std::optional<Error> err;
      if (t == "Medication") {
        err = AddMedication(r, pop.medications);
      } else {
        std::string subject = SubjectOf(r);
        if (subject.empty()) subject = only_patient;
        auto it = index.find(subject);
        if (t == "Patient") {
          if (it == index.end()) {
            it = index.emplace(subject, pop.patients.size()).first;
            pop.patients.emplace_back();
          }
        } else if (it == index.end()) {
          continue;  // names no patient of this bundle
        }
        err = AddResource(r, pop.patients[it->second]);
      }
      if (err) {
        err->path = "entry[" + std::to_string(pos) + "].resource." + err->path;
        err->message = "entry[" + std::to_string(pos) + "].resource: " + err->message;
        return *err;
      }
    }
  }
  return pop;
}

}  // namespace bp::measures
