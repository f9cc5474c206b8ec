// The CDS Hooks 2.0 discovery document of bonepath: four services (patient-view, order-select,
// order-sign, encounter-discharge) and their prefetch templates. Templates are short and
// standard: searches by {{context.patientId}}, bounded by category where FHIR has one; codes are
// filtered on this side by the FHIR reader (knowledge/valuesets/), so URLs stay short and
// ICD-10-CM coded conditions are not missed.
//
// The same templates drive the fetch of whatever the EHR did not prefetch (cds_service.h).
//
// Thread safety: Services() builds once (function-local static) and is read-only afterwards.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/date.h"

namespace bp::cds {

struct PrefetchTemplate {
  std::string key;            // prefetch key ("patient", "observations", ...)
  std::string resource_type;  // what it returns ("Patient", "Observation", ...)
  std::string query;          // FHIR query relative to fhirServer, with {{...}} tokens
  bool required = false;      // no decision without it: 412 when neither prefetched nor fetched
};

struct ServiceDef {
  std::string id;    // "bonepath-patient-view"
  std::string hook;  // "patient-view"
  std::string title;
  std::string description;
  std::vector<PrefetchTemplate> prefetch;
};

// The four services, in discovery order.
const std::vector<ServiceDef>& Services();
// nullptr for an unknown id.
const ServiceDef* FindService(std::string_view id);

// {"services": [...]} as served at GET /cds-services.
std::string DiscoveryJson();

// Replaces {{context.X}}, {{userPractitionerId}}, {{today}} and {{today-Ny}} / {{today-Nm}} /
// {{today-Nd}} in a template. Context values are URL-encoded; unknown tokens are left as they
// are (the FHIR server then answers with an error that is reported, not guessed around).
std::string ExpandTemplate(std::string_view query,
                           const std::vector<std::pair<std::string, std::string>>& context,
                           Date today);

}  // namespace bp::cds
