#include "cdshooks/discovery.h"

#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "knowledge/embedded.h"

namespace bp::cds {
namespace {

using nlohmann::json;

// FHIR system URIs of the short keys used in knowledge/valuesets/.
const std::map<std::string, std::string>& SystemUris() {
  static const std::map<std::string, std::string> m = {
      {"loinc", "http://loinc.org"},
      {"sct", "http://snomed.info/sct"},
      {"rxnorm", "http://www.nlm.nih.gov/research/umls/rxnorm"},
  };
  return m;
}

json EmbeddedJson(std::string_view path) {
  for (const auto& f : EmbeddedKnowledgeFiles())
    if (f.path == path) return json::parse(f.content, nullptr, false);
  return json();
}

// "system|code,system|code,..." for the codes of `files` in `system` whose domain is listed.
std::string CodeList(std::initializer_list<std::string_view> files, const std::string& system,
                     const std::set<std::string>& domains) {
  const std::string& uri = SystemUris().at(system);
  std::set<std::string> seen;
  std::string out;
  for (std::string_view file : files) {
    json doc = EmbeddedJson(file);
    if (!doc.is_object() || !doc.contains("codes") || !doc["codes"].is_array()) continue;
    for (const auto& c : doc["codes"]) {
      if (!c.is_object()) continue;
      if (c.value("system", "") != system || !domains.count(c.value("domain", ""))) continue;
      const std::string code = c.value("code", "");
      if (code.empty() || !seen.insert(code).second) continue;
      if (!out.empty()) out += ',';
      out += uri + "|" + code;
    }
  }
  return out;
}

std::vector<PrefetchTemplate> CommonTemplates() {
  const std::string observations =
      CodeList({"valuesets/observations.json"}, "loinc", {"dxa", "dxa_panel", "lab", "vital"});
  // Conditions by SNOMED CT only: the ICD-10-CM tables are prefix-matched by the reader and a
  // token search cannot express a prefix; SNOMED is what problem lists carry (docs/cds-hooks.md).
  const std::string conditions =
      CodeList({"valuesets/osteoporosis.json", "valuesets/conditions.json"}, "sct",
               {"condition", "fracture", "menopause"});
  const std::string medications = CodeList({"valuesets/medications.json"}, "rxnorm", {"agent"});
  return {
      {"patient", "Patient", "Patient/{{context.patientId}}", true},
      // DXA and laboratory values older than five years no longer decide anything: the reader
      // takes the latest value and flags stale laboratory results.
      {"observations", "Observation",
       "Observation?patient={{context.patientId}}&code=" + observations + "&date=ge{{today-5y}}",
       false},
      // Fractures count at any age (prior fracture is a risk factor): no date bound.
      {"conditions", "Condition", "Condition?patient={{context.patientId}}&code=" + conditions,
       false},
      // Ten years covers the longest treatment history a rule looks at (bisphosphonate holiday).
      {"medicationRequests", "MedicationRequest",
       "MedicationRequest?patient={{context.patientId}}&code=" + medications +
           "&authoredon=ge{{today-10y}}",
       false},
      {"medicationStatements", "MedicationStatement",
       "MedicationStatement?patient={{context.patientId}}&code=" + medications, false},
      {"allergies", "AllergyIntolerance",
       "AllergyIntolerance?patient={{context.patientId}}&code=" + medications, false},
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
