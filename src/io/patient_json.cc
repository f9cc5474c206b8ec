#include "io/patient_json.h"

#include <nlohmann/json.hpp>
#include <optional>

#include "domain/enums.h"

namespace bp {
namespace {

using ojson = nlohmann::ordered_json;

template <typename T>
void Put(ojson& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}
template <typename E>
void PutEnum(ojson& j, const char* key, const std::optional<E>& v) {
  if (v) j[key] = std::string(ToString(*v));
}
void PutDate(ojson& j, const char* key, const std::optional<Date>& d) {
  if (d) j[key] = d->ToString();
}
void PutTenths(ojson& j, const char* key, const std::optional<Tenths>& t) {
  if (t) j[key] = FromTenths(*t);
}
void PutObject(ojson& j, const char* key, ojson o) {
  if (!o.empty()) j[key] = std::move(o);
}

std::string CanonicalUnit(const KnowledgeBase& kb, LabTest t) {
  for (const auto& lu : kb.lab_units)
    if (lu.test == ToString(t)) return lu.canonical;
  return std::string();
}

}  // namespace

std::string PatientToJson(const Patient& p, const KnowledgeBase& kb, int indent) {
  ojson j;
  j["schema"] = "bonepath.patient/1";
  j["id"] = p.id;
  PutDate(j, "as_of", p.as_of);
  j["sex"] = std::string(ToString(p.sex));
  PutDate(j, "birth_date", p.birth_date);
  Put(j, "age_years", p.age_years);
  PutEnum(j, "menopausal_status", p.menopausal_status);
  Put(j, "weight_kg", p.weight_kg);
  Put(j, "height_cm", p.height_cm);
  if (!p.bmd.empty()) {
    ojson a = ojson::array();
    for (const auto& b : p.bmd) {
      ojson o;
      PutDate(o, "date", b.date);
      o["site"] = std::string(ToString(b.site));
      PutTenths(o, "t_score", b.t_score);
      PutTenths(o, "z_score", b.z_score);
      Put(o, "bmd_g_cm2", b.bmd_g_cm2);
      Put(o, "lsc_g_cm2", b.lsc_g_cm2);
      a.push_back(std::move(o));
    }
    j["bmd"] = std::move(a);
  }
  if (p.frax) {
    ojson o = ojson::object();
    PutDate(o, "date", p.frax->date);
    PutTenths(o, "major_osteoporotic_pct", p.frax->major_osteoporotic_pct);
    PutTenths(o, "hip_pct", p.frax->hip_pct);
    Put(o, "glucocorticoid_adjusted", p.frax->glucocorticoid_adjusted);
    if (!p.frax->model.empty()) o["model"] = p.frax->model;
    j["frax"] = std::move(o);
  }
  if (!p.fractures.empty()) {
    ojson a = ojson::array();
    for (const auto& f : p.fractures) {
      ojson o;
      o["site"] = std::string(ToString(f.site));
      if (!f.vertebral_level.empty()) o["vertebral_level"] = f.vertebral_level;
      PutDate(o, "date", f.date);
      if (f.mechanism_recorded) o["mechanism"] = std::string(ToString(f.mechanism));
      Put(o, "pathologic_suspected", f.pathologic_suspected);
      Put(o, "atypical", f.atypical);
      a.push_back(std::move(o));
    }
    j["fractures"] = std::move(a);
  }
  if (!p.labs.empty()) {
    ojson a = ojson::array();
    for (const auto& l : p.labs) {
      ojson o;
      o["test"] = std::string(ToString(l.test));
      o["value"] = l.value;
      o["unit"] = CanonicalUnit(kb, l.test);
      PutDate(o, "date", l.date);
      Put(o, "baseline", l.baseline);
      Put(o, "reference_low", l.reference_low);
      Put(o, "reference_high", l.reference_high);
      a.push_back(std::move(o));
    }
    j["labs"] = std::move(a);
  }
  if (!p.conditions.empty()) {
    ojson a = ojson::array();
    for (const auto& c : p.conditions) {
      ojson o;
      o["code"] = std::string(ToString(c.code));
      PutDate(o, "onset", c.onset);
      o["active"] = c.active;
      if (!c.stage.empty()) o["stage"] = c.stage;
      a.push_back(std::move(o));
    }
    j["conditions"] = std::move(a);
  }
  if (!p.medications.empty()) {
    ojson a = ojson::array();
    for (const auto& m : p.medications) {
      ojson o;
      o["agent"] = std::string(ToString(m.agent));
      o["status"] = std::string(ToString(m.status));
      PutDate(o, "start", m.start);
      PutDate(o, "end", m.end);
      PutDate(o, "last_dose", m.last_dose);
      Put(o, "doses_received", m.doses_received);
      Put(o, "dose_mg_per_day", m.dose_mg_per_day);
      PutEnum(o, "stop_reason", m.stop_reason);
      PutEnum(o, "route", m.route);
      Put(o, "dose_mg", m.dose_mg);
      if (m.held) o["held"] = true;
      if (!m.dose_dates.empty()) {
        ojson d = ojson::array();
        for (const Date& x : m.dose_dates) d.push_back(x.ToString());
        o["dose_dates"] = std::move(d);
      }
      a.push_back(std::move(o));
    }
    j["medications"] = std::move(a);
  }
  if (!p.intolerances.empty()) {
    ojson a = ojson::array();
    for (auto i : p.intolerances) a.push_back(std::string(ToString(i)));
    j["intolerances"] = std::move(a);
  }
  {
    const auto& b = p.oral_bisphosphonate_barriers;
    ojson o = ojson::object();
    Put(o, "cannot_remain_upright_30_60_min", b.cannot_remain_upright_30_60_min);
    Put(o, "cannot_follow_dosing_instructions", b.cannot_follow_dosing_instructions);
    Put(o, "adherence_concern", b.adherence_concern);
    PutObject(j, "oral_bisphosphonate_barriers", std::move(o));
  }
  if (p.prefers_annual_infusion)
    j["preferences"] = ojson{{"prefers_annual_infusion", *p.prefers_annual_infusion}};
  {
    ojson o = ojson::object();
    Put(o, "count_past_year", p.falls.count_past_year);
    Put(o, "injurious", p.falls.injurious);
    PutObject(j, "falls", std::move(o));
  }
  if (p.spine_recorded) {
    const auto& s = p.spine;
    ojson o = ojson::object();
    Put(o, "neurological_deficit", s.neurological_deficit);
    Put(o, "instability", s.instability);
    PutEnum(o, "deformity", s.deformity);
    Put(o, "pulmonary_dysfunction", s.pulmonary_dysfunction);
    PutEnum(o, "pain", s.pain);
    Put(o, "weeks_of_conservative_care", s.weeks_of_conservative_care);
    Put(o, "on_analgesics", s.on_analgesics);
    if (s.red_flags_recorded) {
      ojson a = ojson::array();
      for (auto f : s.red_flags) a.push_back(std::string(ToString(f)));
      o["red_flags"] = std::move(a);
    }
    j["spine"] = std::move(o);
  }
  {
    ojson o = ojson::object();
    Put(o, "invasive_procedure_planned", p.dental.invasive_procedure_planned);
    Put(o, "exam_within_6_months", p.dental.exam_within_6_months);
    PutObject(j, "dental", std::move(o));
  }
  Put(j, "hydration_adequate", p.hydration_adequate);
  if (!p.prior_referrals.empty()) {
    ojson a = ojson::array();
    for (const auto& r : p.prior_referrals) {
      ojson o;
      o["to"] = std::string(ToString(r.to));
      PutDate(o, "date", r.date);
      a.push_back(std::move(o));
    }
    j["prior_referrals"] = std::move(a);
  }
  Put(j, "deceased", p.deceased);
  PutDate(j, "deceased_date", p.deceased_date);
  Put(j, "breastfeeding", p.breastfeeding);
  return j.dump(indent, ' ', false, ojson::error_handler_t::replace);
}

}  // namespace bp
