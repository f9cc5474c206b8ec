// The FHIR reader, medications: MedicationRequest, MedicationStatement and
// MedicationAdministration with the status mapping of catalogue §6 COURSE-01, route and dose per
// administration (which tells the oncology products apart), prednisone-equivalent mg/day of
// glucocorticoids; AllergyIntolerance as intolerances. The merge makes one entry per agent and
// product strength with its dose dates.
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fhir/codes.h"
#include "fhir/fhir_reader_internal.h"

namespace bp::fhir_reader {
namespace {

// Catalogue §6 COURSE-01: MedicationStatement and MedicationRequest status codes normalised to
// the native values. on-hold is an active course on hold (*held); the planned code differs
// ("intended" vs "draft"); a cancelled request is stopped; entered-in-error, not-taken and
// unknown give nullopt (not counted; unknown is reported by the caller).
std::optional<MedStatus> MapMedStatus(std::string_view status, std::string_view planned,
                                      bool* held) {
  *held = false;
  if (status == "active") return MedStatus::kActive;
  if (status == "on-hold") {
    *held = true;
    return MedStatus::kActive;
  }
  if (status == "completed") return MedStatus::kCompleted;
  if (status == "stopped" || (planned == "draft" && status == "cancelled"))
    return MedStatus::kStopped;
  if (status == planned) return MedStatus::kPlanned;
  return std::nullopt;
}

// Strength in mg from product text ("prednisone 5 MG Oral Tablet").
std::optional<double> StrengthMg(std::string_view text) {
  const std::string t = fhir::Lower(text);
  auto pos = t.find(" mg");
  if (pos == std::string::npos || pos == 0) return std::nullopt;
  size_t start = pos;
  while (start > 0 &&
         (std::isdigit(static_cast<unsigned char>(t[start - 1])) || t[start - 1] == '.'))
    --start;
  if (start == pos) return std::nullopt;
  // A slash right after ("5 MG/ML") is a concentration, not a unit dose.
  if (pos + 3 < t.size() && t[pos + 3] == '/') return std::nullopt;
  return std::atof(t.substr(start, pos - start).c_str());
}

// Dose of one unit of an injectable product: "5 MG" strength, or volume x concentration
// ("1 ML denosumab 60 MG/ML Prefilled Syringe" = 60 mg; "100 ML zoledronic acid 0.04 MG/ML").
std::optional<double> ProductDoseMg(std::string_view text) {
  if (auto s = StrengthMg(text)) return s;
  const std::string t = fhir::Lower(text);
  auto number_before = [&](size_t pos) -> std::optional<double> {
    size_t start = pos;
    while (start > 0 &&
           (std::isdigit(static_cast<unsigned char>(t[start - 1])) || t[start - 1] == '.'))
      --start;
    if (start == pos) return std::nullopt;
    return std::atof(t.substr(start, pos - start).c_str());
  };
  const auto conc = t.find(" mg/ml");
  const auto vol = t.find(" ml ");
  if (conc == std::string::npos || vol == std::string::npos || vol > conc) return std::nullopt;
  auto c = number_before(conc);
  auto v = number_before(vol);
  if (!c || !v) return std::nullopt;
  return *c * *v;
}

}  // namespace

// ---- Medications ----

std::vector<const Concept*> Reader::MedConcepts(element r, const Entry& e) {
  std::optional<element> cc = Field(r, "medicationCodeableConcept");
  if (!cc) {
    if (auto mr = Field(r, "medicationReference")) {
      const std::string_view raw = Str(*mr, "reference");
      if (!raw.empty() && raw[0] == '#') {
        for (element c : Items(r, "contained"))
          if ("#" + std::string(Str(c, "id")) == raw) cc = Field(c, "code");
      } else {
        const std::string ref = ResolveRef(raw);
        if (auto it = by_ref_.find(ref); it != by_ref_.end())
          cc = Field(entries_[it->second].res, "code");
        else if (!raw.empty())
          Issue(e.loc + ".medicationReference.reference",
                e.ref + ": reference \"" + std::string(raw) + "\" does not resolve in this input");
      }
      if (!cc) {
        // The display of the reference still names the drug.
        auto v = ct_.LookupName(Str(*mr, "display"));
        std::vector<const Concept*> out;
        for (auto* c : v)
          if (c->domain == Domain::kAgent) out.push_back(c);
        return out;
      }
    }
  }
  std::vector<const Concept*> out;
  for (const Concept* c : ConceptsOf(cc))
    if (c->domain == Domain::kAgent) out.push_back(c);
  if (out.empty()) {
    for (const Concept* c : ct_.LookupName(CodeText(cc)))
      if (c->domain == Domain::kAgent) {
        out.push_back(c);
        break;  // longest pattern
      }
  }
  return out;
}

void Reader::DoMedication(const Entry& e) {
  auto concepts = MedConcepts(e.res, e);
  if (concepts.empty()) {
    Skip(e.type);
    return;
  }
  const Concept* c = concepts.front();
  auto agent = Parse<Agent>(c->value);
  if (!agent) {
    Skip(e.type);
    return;
  }
  const std::string status(Str(e.res, "status"));
  MedEvent m;
  m.agent = *agent;
  m.ref = e.ref;
  m.by_name = c->by_name;
  if (!c->route.empty()) m.route = Parse<Route>(c->route);
  if (!c->note.empty())
    Issue(e.loc + ".medication[x]", e.ref + ": " + std::string(c->note), Severity::kInfo);
  std::optional<MedStatus> st;
  bool held = false;
  if (e.type == "MedicationAdministration") {
    // COURSE-01: a completed administration is one dose on its effective date; any other status
    // (in-progress, not-done, on-hold, stopped, entered-in-error, unknown) is no dose.
    m.kind = MedEvent::Kind::kAdministration;
    if (status == "completed") st = MedStatus::kActive;
    m.date = EffectiveDate(e.res, e.loc, "effective");
  } else if (e.type == "MedicationStatement") {
    m.kind = MedEvent::Kind::kStatement;
    st = MapMedStatus(status, "intended", &held);
    if (status == "unknown")
      Issue(e.loc + ".status",
            e.ref + ": status unknown: not counted as a course (no dose on record confirms it)");
    if (auto p = Field(e.res, "effectivePeriod")) {
      m.date = ParseFhirDate(Str(*p, "start"));
      m.end = ParseFhirDate(Str(*p, "end"));
    } else {
      m.date = EffectiveDate(e.res, e.loc, "effective");
    }
    if (!m.date) m.date = ParseFhirDate(Str(e.res, "dateAsserted"));
  } else {
    m.kind = MedEvent::Kind::kOrder;
    st = MapMedStatus(status, "draft", &held);
    const std::string_view intent = Str(e.res, "intent");
    if (st == MedStatus::kActive && (intent == "proposal" || intent == "plan"))
      st = MedStatus::kPlanned;
    bool partial = false;
    m.date = ParseFhirDate(Str(e.res, "authoredOn"), &partial);
    for (element di : Items(e.res, "dosageInstruction")) {
      if (auto t = Field(di, "timing"))
        if (auto rep = Field(*t, "repeat"))
          if (auto bp = Field(*rep, "boundsPeriod")) {
            if (auto s = ParseFhirDate(Str(*bp, "start"))) m.date = s;
            m.end = ParseFhirDate(Str(*bp, "end"));
          }
      break;
    }
  }
  if (!st) {
    Ignore(e.ref, "status " + (status.empty() ? std::string("absent") : status));
    Trace(kRuleMedStatus, e.ref);
    return;
  }
  m.status = *st;
  m.held = held;
  if (status == "on-hold" || status == "draft" || status == "intended" || status == "cancelled")
    Trace(kRuleMedStatus, e.ref);
  if (AfterAsOf(m.date, e, "date")) return;
  // Route from the dosage or the product text where the agent has several.
  std::string route_text;
  for (element di : Items(e.res, "dosageInstruction")) {
    route_text = CodeText(Field(di, "route"));
    break;
  }
  if (auto d = Field(e.res, "dosage")) route_text += CodeText(Field(*d, "route"));
  route_text = fhir::Lower(route_text + " " + CodeText(Field(e.res, "medicationCodeableConcept")));
  if (route_text.find("intravenous") != std::string::npos ||
      (route_text.find("injection") != std::string::npos && *agent == Agent::kIbandronate))
    m.route = Route::kIntravenous;
  else if (route_text.find("oral") != std::string::npos)
    m.route = Route::kOral;
  else if (route_text.find("subcutaneous") != std::string::npos)
    m.route = Route::kSubcutaneous;
  // Dose per administration of injected/infused agents (tells the oncology products apart).
  if (m.route != Route::kOral) {
    const std::string product = CodeText(Field(e.res, "medicationCodeableConcept"));
    std::optional<element> dq;
    for (element di : Items(e.res, "dosageInstruction")) {
      for (element dr : Items(di, "doseAndRate")) {
        dq = Field(dr, "doseQuantity");
        break;
      }
      break;
    }
    if (auto d = Field(e.res, "dosage"); d && !dq) dq = Field(*d, "dose");
    if (dq) {
      double v = 0;
      auto f = Field(*dq, "value");
      const std::string u =
          fhir::NormaliseUnit(Str(*dq, "code").empty() ? Str(*dq, "unit") : Str(*dq, "code"));
      if (f && !f->get_double().get(v) && u == "mg") m.dose_mg = v;
    }
    if (!m.dose_mg) m.dose_mg = ProductDoseMg(product);
  }
  // Glucocorticoids: prednisone-equivalent mg/day from the dose and timing (catalogue §1.7).
  if (*agent == Agent::kGlucocorticoid) {
    double factor = 0;
    for (const Concept* x : concepts) factor = std::max(factor, x->prednisone_mg_per_mg);
    if (factor == 0)
      for (const Concept* x : ct_.LookupName(CodeText(Field(e.res, "medicationCodeableConcept"))))
        if (x->prednisone_mg_per_mg > 0) {
          factor = x->prednisone_mg_per_mg;
          break;
        }
    for (element di : Items(e.res, "dosageInstruction")) {
      std::optional<double> dose_mg;
      for (element dr : Items(di, "doseAndRate")) {
        if (auto q = Field(dr, "doseQuantity")) {
          double v = 0;
          auto f = Field(*q, "value");
          if (f && !f->get_double().get(v)) {
            const std::string u =
                fhir::NormaliseUnit(Str(*q, "code").empty() ? Str(*q, "unit") : Str(*q, "code"));
            if (u == "mg")
              dose_mg = v;
            else if (auto s = StrengthMg(CodeText(Field(e.res, "medicationCodeableConcept"))))
              dose_mg = v * *s;  // tablets, each of the product's strength
          }
        }
        break;
      }
      double per_day = 0;
      if (auto t = Field(di, "timing"))
        if (auto rep = Field(*t, "repeat")) {
          double freq = 1, period = 1;
          if (auto f = Field(*rep, "frequency"); f && f->get_double().get(freq)) freq = 1;
          if (auto f = Field(*rep, "period"); f && f->get_double().get(period)) period = 1;
          const std::string_view pu = Str(*rep, "periodUnit");
          const double days = pu == "d"    ? 1
                              : pu == "h"  ? 1.0 / 24
                              : pu == "wk" ? 7
                              : pu == "mo" ? 30
                                           : 0;
          if (days > 0 && period > 0) per_day = freq / (period * days);
        }
      if (dose_mg && per_day > 0 && factor > 0) m.dose_mg_per_day = *dose_mg * per_day * factor;
      break;
    }
  }
  meds_.push_back(m);
}

// ---- AllergyIntolerance ----

void Reader::DoAllergy(const Entry& e) {
  auto code = Field(e.res, "code");
  std::vector<const Concept*> concepts = ConceptsOf(code);
  for (const Concept* c : ct_.LookupName(CodeText(code))) concepts.push_back(c);
  std::optional<Intolerance> which;
  for (const Concept* c : concepts) {
    if (c->domain == Domain::kIntolerance) which = Parse<Intolerance>(c->value);
    if (c->domain != Domain::kAgent) continue;
    if (c->value == "alendronate" || c->value == "risedronate" || c->value == "ibandronate")
      which = Intolerance::kOralBisphosphonate;
    else if (auto i = Parse<Intolerance>(c->value))
      which = i;
    if (which) break;
  }
  if (!which) {
    Skip("AllergyIntolerance");
    return;
  }
  auto status_code = [&](const char* field) {
    auto c = Codings(Field(e.res, field));
    return c.empty() ? std::string() : std::string(c[0].code);
  };
  const std::string verification = status_code("verificationStatus");
  const std::string clinical = status_code("clinicalStatus");
  if (verification == "refuted" || verification == "entered-in-error" || clinical == "inactive" ||
      clinical == "resolved") {
    Ignore(e.ref, "verificationStatus " + verification + ", clinicalStatus " + clinical);
    Trace(kRuleConditionStatus, e.ref);
    return;
  }
  intol_.emplace_back(*which, e.ref);
  Trace(kRuleIntolerance, e.ref);
}

void Reader::FinishMedications() {
  Patient& p = out_.patient;
  // One entry per agent and product strength: the oncology products (zoledronic acid 4 mg,
  // denosumab 120 mg) stay apart from the osteoporosis ones (catalogue §6 COURSE-01). Records
  // without a dose stay apart too (a missing dose is read as the osteoporosis product); the
  // course model merges the entries of one course.
  std::map<std::pair<Agent, long>, std::vector<const MedEvent*>> by_key;
  constexpr long kNoDose = -1;
  for (const MedEvent& m : meds_)
    by_key[{m.agent, m.dose_mg ? std::lround(*m.dose_mg * 10) : kNoDose}].push_back(&m);
  for (auto& [key, evs] : by_key) {
    const Agent agent = key.first;
    Medication med;
    med.agent = agent;
    std::vector<std::string> refs;
    const MedEvent* latest_order = nullptr;
    bool by_name = false;
    std::vector<Date> admin_dates;
    int undated_admins = 0;
    for (const MedEvent* m : evs) {
      refs.push_back(m->ref);
      by_name = by_name || m->by_name;
      if (m->date && (!med.start || *m->date < *med.start)) med.start = m->date;
      if (m->route) med.route = m->route;
      if (m->dose_mg) med.dose_mg = m->dose_mg;
      if (m->kind == MedEvent::Kind::kAdministration) {
        if (m->date)
          admin_dates.push_back(*m->date);
        else
          ++undated_admins;
        if (m->date && (!med.last_dose || *m->date > *med.last_dose)) med.last_dose = m->date;
        continue;
      }
      if (!latest_order || (m->date && (!latest_order->date || *m->date >= *latest_order->date)))
        latest_order = m;
    }
    if (latest_order) {
      // The most recent order or statement says where the treatment stands.
      med.status = latest_order->status;
      med.held = latest_order->held;
      if (med.status != MedStatus::kActive && med.status != MedStatus::kPlanned)
        med.end = latest_order->end ? latest_order->end : latest_order->date;
      if (latest_order->dose_mg_per_day) med.dose_mg_per_day = latest_order->dose_mg_per_day;
    } else {
      med.status = MedStatus::kActive;  // administrations only: a course in progress
    }
    // COURSE-01: doses are distinct administration dates; records within the merge window
    // (the fracture window, +-3 days) are one dose.
    std::sort(admin_dates.begin(), admin_dates.end());
    const int window = std::max(0, ct_.params().fracture_merge_window_days);
    for (const Date& d : admin_dates)
      if (med.dose_dates.empty() || DaysBetween(med.dose_dates.back(), d) > window)
        med.dose_dates.push_back(d);
    const int doses = static_cast<int>(med.dose_dates.size()) + undated_admins;
    if (doses > 0) med.doses_received = doses;
    // An order is not a dose: last_dose comes from administrations only.
    const std::string ptr = "/medications/" + std::to_string(p.medications.size());
    out_.provenance[ptr] = refs;
    for (const MedEvent* m : evs)
      if (m->by_name) Trace(kRuleMedIngredient, m->ref);
    if (!by_name) Trace(kRuleMedIngredient, refs.front());
    p.medications.push_back(med);
  }
  std::set<Intolerance> seen;
  for (const auto& [i, ref] : intol_) {
    if (seen.insert(i).second) p.intolerances.push_back(i);
    auto it = std::find(p.intolerances.begin(), p.intolerances.end(), i);
    out_.provenance["/intolerances/" + std::to_string(it - p.intolerances.begin())].push_back(ref);
  }
}

}  // namespace bp::fhir_reader
