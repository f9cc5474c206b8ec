#include "cdshooks/discovery.h"

#include <cctype>
#include <nlohmann/json.hpp>

namespace bp::cds {
namespace {

using nlohmann::json;

// Short, standard templates (CDS Hooks 2.0 prefetch tokens name context fields only): searches
// by patient, bounded by category where FHIR defines one, with no code lists. The codes are
// filtered on this side (the FHIR reader keeps what knowledge/valuesets/ knows and ignores the
// rest), so every URL stays far below the 8 KB many servers accept, ICD-10-CM coded conditions
// are found too, and further pages are fetched when needed (cds_service.h).
std::vector<PrefetchTemplate> CommonTemplates() {
  return {
      {"patient", "Patient", "Patient/{{context.patientId}}", true},
      // DXA results are imaging observations (US Core), laboratory and vital signs the rest.
      {"observations", "Observation",
       "Observation?patient={{context.patientId}}&category=laboratory,vital-signs,imaging,exam",
       false},
      {"conditions", "Condition", "Condition?patient={{context.patientId}}", false},
      {"medicationRequests", "MedicationRequest",
       "MedicationRequest?patient={{context.patientId}}&intent=order,plan", false},
      {"medicationStatements", "MedicationStatement",
       "MedicationStatement?patient={{context.patientId}}", false},
      {"allergies", "AllergyIntolerance", "AllergyIntolerance?patient={{context.patientId}}",
       false},
  };
}

std::string Encode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

const std::vector<ServiceDef>& Services() {
  static const std::vector<ServiceDef> services = [] {
    const std::vector<PrefetchTemplate> common = CommonTemplates();
    std::vector<ServiceDef> s;
    s.push_back({"bonepath-patient-view", "patient-view", "bonepath: osteoporosis care gaps",
                 "Cards when the chart shows a gap in osteoporosis care: treatment indicated but "
                 "none active, a denosumab dose overdue, a fragility fracture without a fracture "
                 "liaison referral, an anabolic course ending without a planned antiresorptive, "
                 "a bisphosphonate drug holiday review due.",
                 common});
    s.push_back({"bonepath-order-select", "order-select",
                 "bonepath: osteoporosis medication checks (order-select)",
                 "Checks a selected osteoporosis medication order against the patient's renal "
                 "function, calcium, vitamin D, contraindications and treatment sequence.",
                 common});
    s.push_back({"bonepath-order-sign", "order-sign",
                 "bonepath: osteoporosis medication checks (order-sign)",
                 "Checks osteoporosis medication orders before signing: the same checks as "
                 "order-select, on every draft order.",
                 common});
    std::vector<PrefetchTemplate> discharge = common;
    discharge.push_back({"encounter", "Encounter", "Encounter/{{context.encounterId}}", false});
    s.push_back({"bonepath-encounter-discharge", "encounter-discharge",
                 "bonepath: fracture liaison at discharge",
                 "Suggests a fracture liaison service referral when a fragility fracture was "
                 "recorded during the stay.",
                 discharge});
    return s;
  }();
  return services;
}

const ServiceDef* FindService(std::string_view id) {
  for (const auto& s : Services())
    if (s.id == id) return &s;
  return nullptr;
}

std::string DiscoveryJson() {
  json services = json::array();
  for (const auto& s : Services()) {
    json prefetch = json::object();
    for (const auto& t : s.prefetch) prefetch[t.key] = t.query;
    services.push_back({{"hook", s.hook},
                        {"id", s.id},
                        {"title", s.title},
                        {"description", s.description},
                        {"prefetch", prefetch},
                        {"usageRequirements",
                         "Send a JWT signed with ES384 or RS384 by a trusted issuer; "
                         "prefetch is optional (missing data is fetched from fhirServer)."}});
  }
  return json{{"services", services}}.dump();
}

std::string ExpandTemplate(std::string_view query,
                           const std::vector<std::pair<std::string, std::string>>& context,
                           Date today) {
  std::string out;
  size_t i = 0;
  while (i < query.size()) {
    const size_t open = query.find("{{", i);
    if (open == std::string_view::npos) {
      out += query.substr(i);
      break;
    }
    const size_t close = query.find("}}", open + 2);
    if (close == std::string_view::npos) {
      out += query.substr(i);
      break;
    }
    out += query.substr(i, open - i);
    const std::string_view token = query.substr(open + 2, close - open - 2);
    bool done = false;
    for (const auto& [name, value] : context) {
      if (token == "context." + name || (name == "userId" && token == "userPractitionerId")) {
        std::string v = value;
        if (token == "userPractitionerId" && v.rfind("Practitioner/", 0) == 0) v = v.substr(13);
        out += Encode(v);
        done = true;
        break;
      }
    }
    if (!done && token.rfind("today", 0) == 0) {
      std::string_view rest = token.substr(5);
      Date d = today;
      bool ok = rest.empty();
      if (rest.size() >= 3 && rest[0] == '-') {
        int n = 0;
        size_t k = 1;
        while (k < rest.size() && std::isdigit(static_cast<unsigned char>(rest[k])) && n < 10000)
          n = n * 10 + (rest[k++] - '0');
        if (k + 1 == rest.size() && k > 1) {
          ok = true;
          if (rest[k] == 'y')
            d = today.AddMonths(-12 * n);
          else if (rest[k] == 'm')
            d = today.AddMonths(-n);
          else if (rest[k] == 'd')
            d = today.AddDays(-n);
          else
            ok = false;
        }
      }
      if (ok) {
        out += d.ToString();
        done = true;
      }
    }
    if (!done) out += query.substr(open, close + 2 - open);
    i = close + 2;
  }
  return out;
}

}  // namespace bp::cds
