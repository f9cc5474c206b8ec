#include "measures/record.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "measures/terminology.h"

namespace bp::measures {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// An element's path, joined only when an error names it (reading allocates nothing).
struct Path {
  std::array<std::string_view, 4> parts{};
  Path(const char* a) : parts{a} {}       // NOLINT(google-explicit-constructor): literals
  Path(std::string_view a) : parts{a} {}  // NOLINT(google-explicit-constructor)
  Path operator+(std::string_view s) const {
    Path p = *this;
    for (auto& x : p.parts)
      if (x.empty()) {
        x = s;
        return p;
      }
    p.parts.back() = s;  // deeper than any path the measures read: never reached
    return p;
  }
  std::string str() const {
    std::string out;
    for (auto x : parts) out.append(x);
    return out;
  }
};

// `prefix` + `suffix` in a fixed buffer ("onset" + "DateTime"): FHIR choice element names.
class Key {
 public:
  Key(std::string_view prefix, std::string_view suffix) {
    n_ = std::min(prefix.size() + suffix.size(), buf_.size());
    const std::size_t np = std::min(prefix.size(), n_);
    prefix.copy(buf_.data(), np);
    suffix.copy(buf_.data() + np, n_ - np);
  }
  std::string_view view() const { return {buf_.data(), n_}; }

 private:
  std::array<char, 48> buf_{};
  std::size_t n_ = 0;
};

// Reads the elements of one resource; the first malformed element is kept as the error.
class Reader {
 public:
  explicit Reader(std::string_view type) : type_(type) {}

  std::optional<Error>& error() { return error_; }

  void Fail(const Path& path, const std::string& what) {
    if (error_) return;
    const std::string where = std::string(type_) + "." + path.str();
    error_ = Error{"schema", where, where + ": " + what};
  }

  std::string_view StrView(element e, std::string_view key, const Path& path) {
    element v;
    if (e[key].get(v) != simdjson::SUCCESS || v.is_null()) return {};
    std::string_view s;
    if (v.get(s) != simdjson::SUCCESS) {
      Fail(path, "not a string");
      return {};
    }
    return s;
  }

  std::string Str(element e, std::string_view key, const Path& path) {
    return std::string(StrView(e, key, path));
  }

  std::optional<DateTime> Time(element e, std::string_view key, const Path& path) {
    element v;
    if (e[key].get(v) != simdjson::SUCCESS) return std::nullopt;
    return TimeValue(v, path);
  }

  std::optional<DateTime> TimeValue(element v, const Path& path) {
    if (v.is_null()) return std::nullopt;
    std::string_view s;
    if (v.get(s) != simdjson::SUCCESS) {
      Fail(path, "not a date/time string");
      return std::nullopt;
    }
    auto d = DateTime::Parse(s);
    if (!d) Fail(path, "not a FHIR date/time (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss)");
    return d;
  }

  std::optional<bool> Bool(element e, std::string_view key, const Path& path) {
    element v;
    if (e[key].get(v) != simdjson::SUCCESS || v.is_null()) return std::nullopt;
    bool b = false;
    if (v.get(b) != simdjson::SUCCESS) {
      Fail(path, "not a boolean");
      return std::nullopt;
    }
    return b;
  }

  std::optional<long long> Int(element e, std::string_view key, const Path& path) {
    element v;
    if (e[key].get(v) != simdjson::SUCCESS || v.is_null()) return std::nullopt;
    int64_t i = 0;
    if (v.get(i) != simdjson::SUCCESS) {
      Fail(path, "not an integer");
      return std::nullopt;
    }
    return i;
  }

  std::optional<double> Num(element e, std::string_view key, const Path& path) {
    element v;
    if (e[key].get(v) != simdjson::SUCCESS || v.is_null()) return std::nullopt;
    double d = 0;
    if (v.get(d) != simdjson::SUCCESS) {
      Fail(path, "not a number");
      return std::nullopt;
    }
    return d;
  }

  Concept CodeableConcept(element e, std::string_view key, const Path& path) {
    element v;
    Concept c;
    if (e[key].get(v) != simdjson::SUCCESS || v.is_null()) return c;
    ReadConcept(v, path, c);
    return c;
  }

  void ReadConcept(element v, const Path& path, Concept& c) {
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
    const Terminology& terms = Terminology::Get();
    for (element coding : codings) {
      if (!coding.is_object()) {
        Fail(path + ".coding", "not a Coding");
        return;
      }
      const std::string_view system = StrView(coding, "system", path + ".coding.system");
      const std::string_view code = StrView(coding, "code", path + ".coding.code");
      c.Add(terms.Find(system, code));
    }
  }

  std::vector<Concept> Concepts(element e, std::string_view key, const Path& path) {
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

  std::optional<Quantity> ReadQuantity(element e, std::string_view key, const Path& path) {
    element v;
    if (e[key].get(v) != simdjson::SUCCESS) return std::nullopt;
    return QuantityValue(v, path);
  }

  std::optional<Quantity> QuantityValue(element v, const Path& path) {
    if (v.is_null()) return std::nullopt;
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
    q.comparator = !StrView(v, "comparator", path + ".comparator").empty();
    return q;
  }

  // `prefix`DateTime / `prefix`Instant / `prefix`Period / `prefix`Age|Duration, in that order of
  // preference; the object's fields are scanned once for all five names.
  TimeChoice Choice(element e, std::string_view prefix) {
    static constexpr std::array<std::string_view, 5> kSuffix = {"DateTime", "Instant", "Period",
                                                                "Age", "Duration"};
    std::array<element, 5> found;
    std::array<bool, 5> has{};
    object o;
    if (e.get(o) == simdjson::SUCCESS) {
      for (const auto field : o) {
        std::string_view key = field.key;
        if (!key.starts_with(prefix)) continue;
        key.remove_prefix(prefix.size());
        for (std::size_t i = 0; i < kSuffix.size(); ++i)
          if (!has[i] && key == kSuffix[i]) {
            found[i] = field.value;
            has[i] = true;
          }
      }
    }
    TimeChoice t;
    for (std::size_t i = 0; i < 2; ++i) {  // DateTime, Instant
      if (!has[i]) continue;
      const Key name(prefix, kSuffix[i]);
      if (auto d = TimeValue(found[i], name.view())) {
        t.kind = TimeChoice::Kind::kDateTime;
        t.at = d;
        return t;
      }
    }
    if (has[2] && !found[2].is_null()) {
      const Key per(prefix, kSuffix[2]);
      const element p = found[2];
      if (!p.is_object()) {
        Fail(per.view(), "not a Period");
        return t;
      }
      t.kind = TimeChoice::Kind::kPeriod;
      t.start = Time(p, "start", Path(per.view()) + ".start");
      t.end = Time(p, "end", Path(per.view()) + ".end");
      return t;
    }
    for (std::size_t i = 3; i < 5; ++i) {  // Age, Duration
      if (!has[i]) continue;
      const Key name(prefix, kSuffix[i]);
      if (auto v = QuantityValue(found[i], name.view())) {
        t.kind = TimeChoice::Kind::kQuantity;
        t.quantity = v;
        return t;
      }
    }
    return t;
  }

 private:
  std::string_view type_;
  std::optional<Error> error_;
};

std::string_view LastSegment(std::string_view ref) {
  const auto slash = ref.find_last_of("/:");
  return slash == std::string_view::npos ? ref : ref.substr(slash + 1);
}

}  // namespace

bool IsMeasureResourceType(std::string_view t) {
  return t == "Patient" || t == "Encounter" || t == "Condition" || t == "Procedure" ||
         t == "Observation" || t == "ServiceRequest" || t == "MedicationRequest" ||
         t == "Medication";
}

bool MayHoldMeasureResource(std::string_view json) {
  static constexpr std::string_view kKey = "\"resourceType\"";
  std::size_t pos = 0;
  bool any = false;
  while (pos < json.size()) {
    // memmem skips ahead far faster than string_view::find's first-character scan.
    const void* hit = ::memmem(json.data() + pos, json.size() - pos, kKey.data(), kKey.size());
    if (!hit) break;
    pos = static_cast<std::size_t>(static_cast<const char*>(hit) - json.data());
    any = true;
    pos += kKey.size();
    while (pos < json.size() && (json[pos] == ' ' || json[pos] == '\t' || json[pos] == ':' ||
                                 json[pos] == '\r' || json[pos] == '\n'))
      ++pos;
    if (pos >= json.size() || json[pos] != '"') return true;  // not a plain string: parse it
    const std::size_t end = json.find('"', pos + 1);
    if (end == std::string_view::npos) return true;
    if (IsMeasureResourceType(json.substr(pos + 1, end - pos - 1))) return true;
    pos = end + 1;
  }
  return !any;  // no resourceType at all: let the parser report it
}

std::string_view SubjectView(element r) {
  std::string_view type;
  if (r["resourceType"].get(type) != simdjson::SUCCESS) return {};
  if (type == "Patient") {
    std::string_view id;
    if (r["id"].get(id) != simdjson::SUCCESS) return {};
    return id;
  }
  for (std::string_view key : {"subject", "patient", "beneficiary"}) {
    std::string_view ref;
    if (r[key]["reference"].get(ref) == simdjson::SUCCESS) {
      if (ref.starts_with("Patient/") || ref.starts_with("urn:uuid:")) return LastSegment(ref);
      return {};
    }
  }
  return {};
}

std::string SubjectOf(element r) { return std::string(SubjectView(r)); }

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
  Reader rd{type};
  std::string id = rd.Str(r, "id", "id");
  if (type == "Patient") {
    rec.id = std::move(id);
    rec.gender = rd.Str(r, "gender", "gender");
    if (auto b = rd.Time(r, "birthDate", "birthDate")) {
      if (b->fields() > 3)
        rd.Fail("birthDate", "not a FHIR date");
      else
        rec.birth_date = b->DateFrom();
    }
  } else if (type == "Encounter") {
    EncounterFact e;
    e.type = "Encounter", e.id = std::move(id);
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
    c.type = "Condition", c.id = std::move(id);
    c.code = rd.CodeableConcept(r, "code", "code");
    c.clinical_status = rd.CodeableConcept(r, "clinicalStatus", "clinicalStatus");
    c.verification_status = rd.CodeableConcept(r, "verificationStatus", "verificationStatus");
    c.onset = rd.Choice(r, "onset");
    c.abatement = rd.Choice(r, "abatement");
    rec.conditions.push_back(std::move(c));
  } else if (type == "Procedure") {
    ProcedureFact p;
    p.type = "Procedure", p.id = std::move(id);
    p.status = rd.Str(r, "status", "status");
    p.code = rd.CodeableConcept(r, "code", "code");
    p.performed = rd.Choice(r, "performed");
    p.body_site = rd.Concepts(r, "bodySite", "bodySite");
    rec.procedures.push_back(std::move(p));
  } else if (type == "Observation") {
    ObservationFact o;
    o.type = "Observation", o.id = std::move(id);
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
    s.type = "ServiceRequest", s.id = std::move(id);
    s.status = rd.Str(r, "status", "status");
    s.intent = rd.Str(r, "intent", "intent");
    s.code = rd.CodeableConcept(r, "code", "code");
    s.do_not_perform = rd.Bool(r, "doNotPerform", "doNotPerform");
    s.authored_on = rd.Time(r, "authoredOn", "authoredOn");
    rec.service_requests.push_back(std::move(s));
  } else if (type == "MedicationRequest") {
    MedicationRequestFact m;
    m.type = "MedicationRequest", m.id = std::move(id);
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
              const Path rp("dosageInstruction.timing.repeat.");
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
