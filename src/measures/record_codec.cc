#include "measures/record_codec.h"

#include <cstdint>
#include <cstring>
#include <type_traits>

namespace bp::measures {
namespace {

static_assert(std::is_trivially_copyable_v<DateTime>);

enum class Kind : std::uint8_t {
  kPatient = 1,
  kEncounter,
  kCondition,
  kProcedure,
  kObservation,
  kServiceRequest,
  kMedicationRequest
};

// Writes fields. Each fact type lists its fields once, in Fields() below, for both directions.
class Encoder {
 public:
  explicit Encoder(std::string& out) : out_(out) {}
  template <typename T>
  requires std::is_arithmetic_v<T>
  void operator()(const T& v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void operator()(const DateTime& v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void operator()(std::string_view s) {
    (*this)(static_cast<std::uint32_t>(s.size()));
    out_.append(s);
  }
  void operator()(const std::string& s) { (*this)(std::string_view(s)); }
  void operator()(const Concept& c) {
    std::uint32_t n = 0;
    c.Any([&n](std::uint32_t) {
      ++n;
      return false;
    });
    (*this)(n);
    c.Any([this](std::uint32_t t) {
      (*this)(t);
      return false;
    });
  }
  void operator()(const Quantity& q) {
    (*this)(q.value);
    (*this)(q.unit);
    (*this)(q.comparator);
  }
  void operator()(const TimeChoice& t) {
    (*this)(static_cast<std::uint8_t>(t.kind));
    (*this)(t.at);
    (*this)(t.start);
    (*this)(t.end);
    (*this)(t.quantity);
  }
  void operator()(const DosageFact& d);
  template <typename T>
  void operator()(const std::optional<T>& v) {
    (*this)(v.has_value());
    if (v) (*this)(*v);
  }
  template <typename T>
  void operator()(const std::vector<T>& v) {
    (*this)(static_cast<std::uint32_t>(v.size()));
    for (const auto& x : v) (*this)(x);
  }

 private:
  std::string& out_;
};

// Reads fields back; after the first short read every value is left default and ok() is false.
class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool done() const { return in_.empty(); }
  template <typename T>
  requires std::is_arithmetic_v<T>
  void operator()(T& v) { Raw(&v, sizeof v); }
  void operator()(DateTime& v) { Raw(&v, sizeof v); }
  void operator()(std::string& s) {
    std::uint32_t n = 0;
    (*this)(n);
    if (!ok_ || n > in_.size()) {
      ok_ = false;
      return;
    }
    s.assign(in_.substr(0, n));
    in_.remove_prefix(n);
  }
  void operator()(Concept& c) {
    std::uint32_t n = 0;
    (*this)(n);
    for (std::uint32_t i = 0; ok_ && i < n; ++i) {
      std::uint32_t t = 0;
      (*this)(t);
      c.Add(t);
    }
  }
  void operator()(Quantity& q) {
    (*this)(q.value);
    (*this)(q.unit);
    (*this)(q.comparator);
  }
  void operator()(TimeChoice& t) {
    std::uint8_t kind = 0;
    (*this)(kind);
    if (kind > static_cast<std::uint8_t>(TimeChoice::Kind::kQuantity)) ok_ = false;
    t.kind = static_cast<TimeChoice::Kind>(kind);
    (*this)(t.at);
    (*this)(t.start);
    (*this)(t.end);
    (*this)(t.quantity);
  }
  void operator()(DosageFact& d);
  template <typename T>
  void operator()(std::optional<T>& v) {
    bool has = false;
    (*this)(has);
    if (!ok_ || !has) return;
    v.emplace();
    (*this)(*v);
  }
  template <typename T>
  void operator()(std::vector<T>& v) {
    std::uint32_t n = 0;
    (*this)(n);
    if (!ok_ || n > in_.size()) {  // every element takes at least one byte
      ok_ = false;
      return;
    }
    v.resize(n);
    for (auto& x : v) (*this)(x);
  }

 private:
  void Raw(void* p, std::size_t n) {
    if (!ok_ || in_.size() < n) {
      ok_ = false;
      return;
    }
    std::memcpy(p, in_.data(), n);
    in_.remove_prefix(n);
  }
  std::string_view in_;
  bool ok_ = true;
};

// The fields of each fact, in one order for both directions (F is Encoder or Decoder; D the fact,
// const for encoding).
template <typename F, typename D>
void DosageFields(F& f, D& d) {
  f(d.frequency);
  f(d.frequency_max);
  f(d.period);
  f(d.period_unit);
  f(d.time_of_day_count);
  f(d.bounds);
  f(d.events);
  f(d.dose_and_rate_count);
  f(d.dose);
}
void Encoder::operator()(const DosageFact& d) { DosageFields(*this, d); }
void Decoder::operator()(DosageFact& d) { DosageFields(*this, d); }

template <typename F, typename E>
void Fields(F& f, E& e) {
  using T = std::remove_const_t<E>;
  f(e.id);
  if constexpr (std::is_same_v<T, EncounterFact>) {
    f(e.status), f(e.type_), f(e.period);
  } else if constexpr (std::is_same_v<T, ConditionFact>) {
    f(e.code), f(e.clinical_status), f(e.verification_status), f(e.onset), f(e.abatement);
  } else if constexpr (std::is_same_v<T, ProcedureFact>) {
    f(e.status), f(e.code), f(e.performed), f(e.body_site);
  } else if constexpr (std::is_same_v<T, ObservationFact>) {
    f(e.status), f(e.code), f(e.category), f(e.effective), f(e.issued), f(e.value_quantity),
        f(e.value_integer);
  } else if constexpr (std::is_same_v<T, ServiceRequestFact>) {
    f(e.status), f(e.intent), f(e.code), f(e.do_not_perform), f(e.authored_on);
  } else if constexpr (std::is_same_v<T, MedicationRequestFact>) {
    f(e.status), f(e.intent), f(e.medication), f(e.medication_reference), f(e.authored_on),
        f(e.dosage), f(e.expected_supply_duration), f(e.dispense_quantity),
        f(e.number_of_repeats_allowed), f(e.validity_start);
  }
}

template <typename T>
bool EncodeLast(Kind kind, const std::vector<T>& facts, Encoder& enc) {
  if (facts.empty()) return false;
  enc(static_cast<std::uint8_t>(kind));
  Fields(enc, facts.back());
  return true;
}

template <typename T>
void DecodeInto(std::string_view type, std::vector<T>& facts, Decoder& dec) {
  T& f = facts.emplace_back();
  f.type = type;
  Fields(dec, f);
}

}  // namespace

void EncodeFacts(std::string_view type, std::string_view patient, const PatientRecord& s,
                 std::string& out) {
  Encoder enc(out);
  enc(patient);
  if (type == "Patient") {
    enc(static_cast<std::uint8_t>(Kind::kPatient));
    enc(s.id), enc(s.gender), enc(s.birth_date);
    return;
  }
  if (EncodeLast(Kind::kEncounter, s.encounters, enc) ||
      EncodeLast(Kind::kCondition, s.conditions, enc) ||
      EncodeLast(Kind::kProcedure, s.procedures, enc) ||
      EncodeLast(Kind::kObservation, s.observations, enc) ||
      EncodeLast(Kind::kServiceRequest, s.service_requests, enc) ||
      EncodeLast(Kind::kMedicationRequest, s.medication_requests, enc))
    return;
  enc(std::uint8_t{0});  // nothing read (never for a measure type): an empty frame
}

bool DecodeFactsInto(std::string_view data, RecordMap& records) {
  Decoder dec(data);
  std::string patient, last_patient;
  PatientRecord* last = nullptr;  // map nodes do not move
  while (dec.ok() && !dec.done()) {
    dec(patient);
    std::uint8_t kind = 0;
    dec(kind);
    if (!dec.ok()) break;
    if (!last || patient != last_patient) {
      last = &records[patient];
      last_patient = patient;
    }
    PatientRecord& r = *last;
    switch (static_cast<Kind>(kind)) {
      case Kind::kPatient:
        dec(r.id), dec(r.gender), dec(r.birth_date);
        break;
      case Kind::kEncounter:
        DecodeInto("Encounter", r.encounters, dec);
        break;
      case Kind::kCondition:
        DecodeInto("Condition", r.conditions, dec);
        break;
      case Kind::kProcedure:
        DecodeInto("Procedure", r.procedures, dec);
        break;
      case Kind::kObservation:
        DecodeInto("Observation", r.observations, dec);
        break;
      case Kind::kServiceRequest:
        DecodeInto("ServiceRequest", r.service_requests, dec);
        break;
      case Kind::kMedicationRequest:
        DecodeInto("MedicationRequest", r.medication_requests, dec);
        break;
      default:
        if (kind != 0) return false;
    }
  }
  return dec.ok();
}

}  // namespace bp::measures
