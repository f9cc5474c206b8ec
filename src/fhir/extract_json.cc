// The `bonepath fhir extract` document. The native record is written with the field names of
// patient.schema.json and the wire names of domain/enums.h, so that it can be saved and given
// back to `bonepath assess` as a native record.
#include <nlohmann/json.hpp>

#include "domain/enums.h"
#include "fhir/codes.h"
#include "fhir/fhir_reader.h"

namespace bp {
namespace {

using json = nlohmann::ordered_json;

template <typename T>
void Put(json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}
void PutDate(json& j, const char* key, const std::optional<Date>& d) {
  if (d) j[key] = d->ToString();
}
void PutTenths(json& j, const char* key, const std::optional<Tenths>& t) {
  if (t) j[key] = FromTenths(*t);
}

std::string CanonicalUnit(LabTest t) {
  const auto& m = fhir::CodeTables::Get().params().lab_canonical_unit;
  auto it = m.find(std::string(ToString(t)));
  return it == m.end() ? std::string() : it->second;
}

json NativeJson(const Patient& p) {
  json j;
  j["schema"] = "bonepath.patient/1";
  j["id"] = p.id;
  PutDate(j, "as_of", p.as_of);
  j["sex"] = std::string(ToString(p.sex));
  PutDate(j, "birth_date", p.birth_date);
  Put(j, "age_years", p.age_years);
  if (p.menopausal_status) j["menopausal_status"] = std::string(ToString(*p.menopausal_status));
  Put(j, "weight_kg", p.weight_kg);
  Put(j, "height_cm", p.height_cm);
  if (!p.bmd.empty()) {
    json a = json::array();
    for (const auto& b : p.bmd) {
      json o;
      PutDate(o, "date", b.date);
      o["site"] = std::string(ToString(b.site));
      PutTenths(o, "t_score", b.t_score);
      PutTenths(o, "z_score", b.z_score);
      a.push_back(o);
    }
    j["bmd"] = a;
  }
  if (p.frax) {
    json o = json::object();
    PutDate(o, "date", p.frax->date);
    PutTenths(o, "major_osteoporotic_pct", p.frax->major_osteoporotic_pct);
    PutTenths(o, "hip_pct", p.frax->hip_pct);
    Put(o, "glucocorticoid_adjusted", p.frax->glucocorticoid_adjusted);
    if (!p.frax->model.empty()) o["model"] = p.frax->model;
    j["frax"] = o;
  }
  if (!p.fractures.empty()) {
    json a = json::array();
    for (const auto& f : p.fractures) {
      json o;
      o["site"] = std::string(ToString(f.site));
      if (!f.vertebral_level.empty()) o["vertebral_level"] = f.vertebral_level;
      PutDate(o, "date", f.date);
      if (f.mechanism_recorded) o["mechanism"] = std::string(ToString(f.mechanism));
      Put(o, "pathologic_suspected", f.pathologic_suspected);
      Put(o, "atypical", f.atypical);
      a.push_back(o);
    }
    j["fractures"] = a;
  }
  if (!p.labs.empty()) {
    json a = json::array();
    for (const auto& l : p.labs) {
      json o;
      o["test"] = std::string(ToString(l.test));
      o["value"] = l.value;
      o["unit"] = CanonicalUnit(l.test);
      PutDate(o, "date", l.date);
      Put(o, "baseline", l.baseline);
      Put(o, "reference_low", l.reference_low);
      Put(o, "reference_high", l.reference_high);
      a.push_back(o);
    }
    j["labs"] = a;
  }
  if (!p.conditions.empty()) {
    json a = json::array();
    for (const auto& c : p.conditions) {
      json o;
      o["code"] = std::string(ToString(c.code));
      PutDate(o, "onset", c.onset);
      o["active"] = c.active;
      if (!c.stage.empty()) o["stage"] = c.stage;
      a.push_back(o);
    }
    j["conditions"] = a;
  }
  if (!p.medications.empty()) {
    json a = json::array();
    for (const auto& m : p.medications) {
      json o;
      o["agent"] = std::string(ToString(m.agent));
      o["status"] = std::string(ToString(m.status));
      PutDate(o, "start", m.start);
      PutDate(o, "end", m.end);
      PutDate(o, "last_dose", m.last_dose);
      Put(o, "doses_received", m.doses_received);
      Put(o, "dose_mg_per_day", m.dose_mg_per_day);
      if (m.stop_reason) o["stop_reason"] = std::string(ToString(*m.stop_reason));
      if (m.route) o["route"] = std::string(ToString(*m.route));
      a.push_back(o);
    }
    j["medications"] = a;
  }
  if (!p.intolerances.empty()) {
    json a = json::array();
    for (auto i : p.intolerances) a.push_back(std::string(ToString(i)));
    j["intolerances"] = a;
  }
  return j;
}

}  // namespace

std::string FhirExtractToJson(const FhirExtract& x, int indent) {
  json j;
  j["patient"] = NativeJson(x.patient);
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
