#include "measures/record.h"

#include <simdjson.h>

namespace bp::measures {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// Reads the elements of one resource; the first malformed element is kept as the error.
class Reader {
 public:
  explicit Reader(std::string type) : type_(std::move(type)) {}

  std::optional<Error>& error() { return error_; }

  void Fail(const std::string& path, const std::string& what) {
    if (!error_) error_ = Error{"schema", type_ + "." + path, type_ + "." + path + ": " + what};
  }

  std::string Str(element e, const char* key, const std::string& path) {
    element v;
    if (e[key].get(v) != simdjson::SUCCESS || v.is_null()) return {};
    std::string_view s;
    if (v.get(s) != simdjson::SUCCESS) {
      Fail(path, "not a string");
      return {};
    }
    return std::string(s);
  }

  std::optional<DateTime> Time(element e, const char* key, const std::string& path) {
    element v;
    if (e[key].get(v) != simdjson::SUCCESS || v.is_null()) return std::nullopt;
    std::string_view s;
    if (v.get(s) != simdjson::SUCCESS) {
      Fail(path, "not a date/time string");
      return std::nullopt;
    }
    auto d = DateTime::Parse(s);
    if (!d) Fail(path, "not a FHIR date/time (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss)");
    return d;
  }

  std::optional<bool> Bool(element e, const char* key, const std::string& path) {
    element v;
    if (e[key].get(v) != simdjson::SUCCESS || v.is_null()) return std::nullopt;
    bool b = false;
    if (v.get(b) != simdjson::SUCCESS) {
      Fail(path, "not a boolean");
      return std::nullopt;
    }
    return b;
  }

  std::optional<long long> Int(element e, const char* key, const std::string& path) {
    element v;
    if (e[key].get(v) != simdjson::SUCCESS || v.is_null()) return std::nullopt;
    int64_t i = 0;
    if (v.get(i) != simdjson::SUCCESS) {
      Fail(path, "not an integer");
      return std::nullopt;
    }
    return i;
  }

  std::optional<double> Num(element e, const char* key, const std::string& path) {
    element v;
    if (e[key].get(v) != simdjson::SUCCESS || v.is_null()) return std::nullopt;
    double d = 0;
    if (v.get(d) != simdjson::SUCCESS) {
      Fail(path, "not a number");
      return std::nullopt;
    }
    return d;
  }

  Concept CodeableConcept(element e, const char* key, const std::string& path) {
    element v;
    Concept c;
    if (e[key].get(v) != simdjson::SUCCESS || v.is_null()) return c;
    ReadConcept(v, path, c);
    return c;
  }

  void ReadConcept(element v, const std::string& path, Concept& c) {
    if (!v.is_object()) {
      Fail(path, "not a CodeableConcept");
      return;
    }
    array codings;
    element cv;
    if (v["coding"].get(cv) != simdjson::SUCCESS) return;
    if (cv.get(codings) != simdjson::SUCCESS) {
      Fail(path + ".coding", "not an array");
      return;
    }
    for (element coding : codings) {
      if (!coding.is_object()) {
        Fail(path + ".coding", "not a Coding");
        return;
      }
      c.push_back({Str(coding, "system", path + ".coding.system"),
                   Str(coding, "code", path + ".coding.code")});
    }
  }

  std::vector<Concept> Concepts(element e, const char* key, const std::string& path) {
    std::vector<Concept> out;
    element v;
    if (e[key].get(v) != simdjson::SUCCESS || v.is_null()) return out;
    array a;
    if (v.get(a) != simdjson::SUCCESS) {
      Fail(path, "not an array");
      return out;
    }
    for (element x : a) {
      Concept c;
      ReadConcept(x, path, c);
      out.push_back(std::move(c));
    }
    return out;
  }

  std::optional<Quantity> ReadQuantity(element e, const char* key, const std::string& path) {
    element v;
    if (e[key].get(v) != simdjson::SUCCESS || v.is_null()) return std::nullopt;
    if (!v.is_object()) {
      Fail(path, "not a Quantity");
      return std::nullopt;
    }
    auto value = Num(v, "value", path + ".value");
    if (!value) return std::nullopt;  // ToQuantity: no value, no quantity
    Quantity q;
    q.value = *value;
    q.unit = Str(v, "code", path + ".code");
    if (q.unit.empty()) q.unit = Str(v, "unit", path + ".unit");
    if (q.unit.empty()) q.unit = "1";
    q.comparator = !Str(v, "comparator", path + ".comparator").empty();
    return q;
  }

  // `prefix`DateTime / `prefix`Period / `prefix`Age|Duration.
  TimeChoice Choice(element e, const std::string& prefix) {
    TimeChoice t;
    const std::string dt = prefix + "DateTime";
    const std::string inst = prefix + "Instant";
    const std::string per = prefix + "Period";
    if (auto d = Time(e, dt.c_str(), dt)) {
      t.kind = TimeChoice::Kind::kDateTime;
      t.at = d;
      return t;
    }
    if (auto d = Time(e, inst.c_str(), inst)) {
      t.kind = TimeChoice::Kind::kDateTime;
      t.at = d;
      return t;
    }
    element p;
    if (e[per].get(p) == simdjson::SUCCESS && !p.is_null()) {
      if (!p.is_object()) {
        Fail(per, "not a Period");
        return t;
      }
      t.kind = TimeChoice::Kind::kPeriod;
      t.start = Time(p, "start", per + ".start");
      t.end = Time(p, "end", per + ".end");
      return t;
    }
    for (const char* q : {"Age", "Duration"}) {
      const std::string key = prefix + q;
      if (auto v = ReadQuantity(e, key.c_str(), key)) {
        t.kind = TimeChoice::Kind::kQuantity;
        t.quantity = v;
        return t;
      }
    }
    return t;
  }

 private:
  std::string type_;
  std::optional<Error> error_;
};

std::string LastSegment(std::string_view ref) {
  const auto slash = ref.find_last_of("/:");
  return std::string(slash == std::string_view::npos ? ref : ref.substr(slash + 1));
}

}  // namespace

bool IsMeasureResourceType(std::string_view t) {
  return t == "Patient" || t == "Encounter" || t == "Condition" || t == "Procedure" ||
         t == "Observation" || t == "ServiceRequest" || t == "MedicationRequest" ||
         t == "Medication";
}

std::string SubjectOf(element r) {
  std::string_view type;
  if (r["resourceType"].get(type) != simdjson::SUCCESS) return {};
  if (type == "Patient") {
    std::string_view id;
    if (r["id"].get(id) != simdjson::SUCCESS) return {};
    return std::string(id);
  }
  for (const char* key : {"subject", "patient", "beneficiary"}) {
    std::string_view ref;
    if (r[key]["reference"].get(ref) == simdjson::SUCCESS) {
      if (ref.rfind("Patient/", 0) == 0 || ref.rfind("urn:uuid:", 0) == 0) return LastSegment(ref);
      return {};
    }
  }
  return {};
}

std::optional<Error> AddMedication(element r, MedicationIndex& index) {
  Reader rd("Medication");
  MedicationFact m;
  m.type = "Medication";
  m.id = rd.Str(r, "id", "id");
  m.code = rd.CodeableConcept(r, "code", "code");
  if (rd.error()) return rd.error();
  if (!m.id.empty()) index.insert_or_assign(m.id, std::move(m));
  return std::nullopt;
}

std::optional<Error> AddResource(element r, PatientRecord& rec) {
  std::string_view type;
  if (r["resourceType"].get(type) != simdjson::SUCCESS)
    return Error{"schema", "resourceType", "resourceType: missing or not a string"};
  Reader rd{std::string(type)};
  const std::string id = rd.Str(r, "id", "id");
  if (type == "Patient") {
    rec.id = id;
    rec.gender = rd.Str(r, "gender", "gender");
    if (auto b = rd.Time(r, "birthDate", "birthDate")) {
      if (b->fields() > 3)
        rd.Fail("birthDate", "not a FHIR date");
      else
        rec.birth_date = b->DateFrom();
    }
  } else if (type == "Encounter") {
    EncounterFact e;
    e.type = "Encounter", e.id = id;
    e.status = rd.Str(r, "status", "status");
    e.type_ = rd.Concepts(r, "type", "type");
    element p;
    if (r["period"].get(p) == simdjson::SUCCESS && !p.is_null()) {
      if (!p.is_object()) {
        rd.Fail("period", "not a Period");
      } else {
        e.period.kind = TimeChoice::Kind::kPeriod;
        e.period.start = rd.Time(p, "start", "period.start");
        e.period.end = rd.Time(p, "end", "period.end");
      }
    }
    rec.encounters.push_back(std::move(e));
  } else if (type == "Condition") {
    ConditionFact c;
    c.type = "Condition", c.id = id;
    c.code = rd.CodeableConcept(r, "code", "code");
    c.clinical_status = rd.CodeableConcept(r, "clinicalStatus", "clinicalStatus");
    c.verification_status = rd.CodeableConcept(r, "verificationStatus", "verificationStatus");
    c.onset = rd.Choice(r, "onset");
    c.abatement = rd.Choice(r, "abatement");
    rec.conditions.push_back(std::move(c));
  } else if (type == "Procedure") {
    ProcedureFact p;
    p.type = "Procedure", p.id = id;
    p.status = rd.Str(r, "status", "status");
    p.code = rd.CodeableConcept(r, "code", "code");
    p.performed = rd.Choice(r, "performed");
    p.body_site = rd.Concepts(r, "bodySite", "bodySite");
    rec.procedures.push_back(std::move(p));
  } else if (type == "Observation") {
    ObservationFact o;
    o.type = "Observation", o.id = id;
    o.status = rd.Str(r, "status", "status");
    o.code = rd.CodeableConcept(r, "code", "code");
    o.category = rd.Concepts(r, "category", "category");
    o.effective = rd.Choice(r, "effective");
    o.issued = rd.Time(r, "issued", "issued");
    o.value_quantity = rd.ReadQuantity(r, "valueQuantity", "valueQuantity");
    o.value_integer = rd.Int(r, "valueInteger", "valueInteger");
    rec.observations.push_back(std::move(o));
  } else if (type == "ServiceRequest") {
    ServiceRequestFact s;
    s.type = "ServiceRequest", s.id = id;
    s.status = rd.Str(r, "status", "status");
    s.intent = rd.Str(r, "intent", "intent");
    s.code = rd.CodeableConcept(r, "code", "code");
    s.do_not_perform = rd.Bool(r, "doNotPerform", "doNotPerform");
    s.authored_on = rd.Time(r, "authoredOn", "authoredOn");
    rec.service_requests.push_back(std::move(s));
  } else if (type == "MedicationRequest") {
    MedicationRequestFact m;
    m.type = "MedicationRequest", m.id = id;
    m.status = rd.Str(r, "status", "status");
    m.intent = rd.Str(r, "intent", "intent");
    m.medication = rd.CodeableConcept(r, "medicationCodeableConcept", "medicationCodeableConcept");
    element mref;
    if (r["medicationReference"].get(mref) == simdjson::SUCCESS && mref.is_object())
      m.medication_reference = rd.Str(mref, "reference", "medicationReference.reference");
    m.authored_on = rd.Time(r, "authoredOn", "authoredOn");
    element dosages;
    if (r["dosageInstruction"].get(dosages) == simdjson::SUCCESS && !dosages.is_null()) {
      array da;
      if (dosages.get(da) != simdjson::SUCCESS) {
        rd.Fail("dosageInstruction", "not an array");
      } else {
        for (element d : da) {
          DosageFact f;
          element timing, repeat;
          if (d["timing"].get(timing) == simdjson::SUCCESS && timing.is_object()) {
            element events;
            if (timing["event"].get(events) == simdjson::SUCCESS && events.is_array()) {
              for (element ev : array(events)) {
                std::string_view s;
                if (ev.get(s) != simdjson::SUCCESS) {
                  rd.Fail("dosageInstruction.timing.event", "not a dateTime");
                  continue;
                }
                auto t = DateTime::Parse(s);
                if (!t)
                  rd.Fail("dosageInstruction.timing.event", "not a FHIR dateTime");
                else
                  f.events.push_back(*t);
              }
            }
            if (timing["repeat"].get(repeat) == simdjson::SUCCESS && repeat.is_object()) {
              const std::string rp = "dosageInstruction.timing.repeat.";
              f.frequency = rd.Int(repeat, "frequency", rp + "frequency");
              f.frequency_max = rd.Int(repeat, "frequencyMax", rp + "frequencyMax");
              f.period = rd.Num(repeat, "period", rp + "period");
              f.period_unit = rd.Str(repeat, "periodUnit", rp + "periodUnit");
              element tod;
              if (repeat["timeOfDay"].get(tod) == simdjson::SUCCESS && tod.is_array())
                f.time_of_day_count = array(tod).size();
              f.bounds = rd.Choice(repeat, "bounds");
            }
          }
          element dar;
          if (d["doseAndRate"].get(dar) == simdjson::SUCCESS && dar.is_array()) {
            f.dose_and_rate_count = array(dar).size();
            for (element x : array(dar)) {
              f.dose = rd.ReadQuantity(x, "doseQuantity", "dosageInstruction.doseAndRate");
              element range;
              if (!f.dose && x["doseRange"].get(range) == simdjson::SUCCESS && range.is_object())
                f.dose = rd.ReadQuantity(range, "high", "dosageInstruction.doseAndRate.doseRange");
              break;
            }
          }
          m.dosage.push_back(std::move(f));
        }
      }
    }
    element disp;
    if (r["dispenseRequest"].get(disp) == simdjson::SUCCESS && disp.is_object()) {
      m.expected_supply_duration =
          rd.ReadQuantity(disp, "expectedSupplyDuration", "dispenseRequest.expectedSupplyDuration");
      m.dispense_quantity = rd.ReadQuantity(disp, "quantity", "dispenseRequest.quantity");
      m.number_of_repeats_allowed =
          rd.Int(disp, "numberOfRepeatsAllowed", "dispenseRequest.numberOfRepeatsAllowed");
      element vp;
      if (disp["validityPeriod"].get(vp) == simdjson::SUCCESS && vp.is_object())
        m.validity_start = rd.Time(vp, "start", "dispenseRequest.validityPeriod.start");
    }
    rec.medication_requests.push_back(std::move(m));
  }
  return rd.error();
}

}  // namespace bp::measures
