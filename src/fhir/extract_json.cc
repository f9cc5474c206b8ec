// The `bonepath fhir extract` document. The native record is written by io's PatientToJson, the
// writer the registry stores patients with, so that it can be saved and given back to
// `bonepath assess` as a native record.
#include <nlohmann/json.hpp>

#include "domain/enums.h"
#include "fhir/fhir_reader.h"
#include "io/patient_json.h"
#include "knowledge/loader.h"

namespace bp {
using json = nlohmann::ordered_json;

std::string FhirExtractToJson(const FhirExtract& x, int indent) {
  json j;
  // One line from PatientToJson (always valid JSON: invalid UTF-8 is replaced), re-read so the
  // document is indented as a whole.
  j["patient"] = json::parse(PatientToJson(x.patient, EmbeddedKnowledge()), nullptr, false);
  json prov = json::object();
  for (const auto& [k, v] : x.provenance) prov[k] = v;
  j["provenance"] = prov;
  json ign = json::array();
  for (const auto& i : x.ignored) ign.push_back({{"resource", i.resource}, {"why", i.why}});
  j["ignored"] = ign;
  json iss = json::array();
  for (const auto& i : x.issues) {
    const char* sev = i.severity == Severity::kInfo      ? "info"
                      : i.severity == Severity::kWarning ? "warning"
                                                         : "error";
    iss.push_back({{"path", i.path}, {"message", i.message}, {"severity", sev}});
  }
  j["input_issues"] = iss;
  json sk = json::object();
  for (const auto& [k, v] : x.skipped_counts) sk[k] = v;
  j["skipped"] = sk;
  json tr = json::array();
  for (const auto& t : x.mapping_trace)
    tr.push_back(
        {{"rule", t.rule}, {"outcome", std::string(ToString(t.outcome))}, {"because", t.because}});
  j["mapping_trace"] = tr;
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

}  // namespace bp
