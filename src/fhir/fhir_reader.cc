// The FHIR reader: simdjson DOM over the whole Bundle, one pass to index entries and patients,
// one pass to map the selected patient's resources into candidate facts, then a merge step that
// applies the deliberate decisions of knowledge/rules/fhir.json (latest value wins, fracture
// merging, menopause from age, medication aggregation) and records provenance.
#include "fhir/fhir_reader.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <unordered_map>

#include "common/json.h"
#include "fhir/codes.h"
#include "io/line_reader.h"

namespace bp {
namespace {

using fhir::CodeTables;
using fhir::Concept;
using fhir::Domain;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

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

// Rule ids of knowledge/rules/fhir.json.
constexpr std::string_view kRuleTscore38265 = "FHIR-TSCORE-38265-5";
constexpr std::string_view kRuleMenopause = "FHIR-MENOPAUSE-AGE";
constexpr std::string_view kRuleDxRecorded = "FHIR-DX-RECORDED";
constexpr std::string_view kRule443165006 = "FHIR-443165006";
constexpr std::string_view kRuleConditionStatus = "FHIR-CONDITION-STATUS";
constexpr std::string_view kRuleUnits = "FHIR-UNITS";
constexpr std::string_view kRuleLatest = "FHIR-LATEST-VALUE";
constexpr std::string_view kRuleMedIngredient = "FHIR-MED-INGREDIENT";
constexpr std::string_view kRuleMedStatus = "FHIR-MED-STATUS";
constexpr std::string_view kRuleBodySite = "FHIR-DXA-BODYSITE";
constexpr std::string_view kRuleLabCodes = "FHIR-LAB-CODES";
constexpr std::string_view kRuleAsOf = "FHIR-AFTER-AS-OF";
constexpr std::string_view kRuleFrax = "FHIR-FRAX";
constexpr std::string_view kRuleIntolerance = "FHIR-INTOLERANCE";
constexpr std::string_view kRuleConv01 = "CONV-01";  // catalogue §6: fractures coded by site

constexpr std::string_view kRules[] = {
    kRuleTscore38265, kRuleMenopause, kRuleDxRecorded,    kRule443165006,   kRuleConditionStatus,
    kRuleUnits,       kRuleLatest,    kRuleMedIngredient, kRuleMedStatus,   kRuleBodySite,
    kRuleLabCodes,    kRuleAsOf,      kRuleFrax,          kRuleIntolerance, kRuleConv01};

// ---- small DOM helpers (error codes only: nothing here throws) ----

std::optional<element> Field(element e, std::string_view key) {
  object o;
  if (e.get_object().get(o)) return std::nullopt;
  element v;
  if (o.at_key(key).get(v)) return std::nullopt;
  return v;
}

std::string_view Str(element e, std::string_view key) {
  auto f = Field(e, key);
  std::string_view s;
  if (!f || f->get_string().get(s)) return {};
  return s;
}

std::string_view AsStr(element e) {
  std::string_view s;
  if (e.get_string().get(s)) return {};
  return s;
}

std::vector<element> Items(element e, std::string_view key) {
  std::vector<element> out;
  auto f = Field(e, key);
  array a;
  if (!f || f->get_array().get(a)) return out;
  for (element x : a) out.push_back(x);
  return out;
}

// A FHIR date, dateTime or instant: the calendar date as written (the date in the offset it
// was recorded in). Partial dates (YYYY, YYYY-MM) take the first day and set *partial.
std::optional<Date> ParseFhirDate(std::string_view s, bool* partial = nullptr) {
  if (partial) *partial = false;
  auto digits = [&](size_t pos, size_t n, int* out) {
    if (s.size() < pos + n) return false;
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
  };
  int y = 0, m = 1, d = 1;
  if (!digits(0, 4, &y)) return std::nullopt;
  if (s.size() == 4) {
    if (partial) *partial = true;
  } else {
    if (s[4] != '-' || !digits(5, 2, &m)) return std::nullopt;
    if (s.size() == 7) {
      if (partial) *partial = true;
    } else if (s.size() < 10 || s[7] != '-' || !digits(8, 2, &d) ||
               (s.size() > 10 && s[10] != 'T')) {
      return std::nullopt;
    }
  }
  if (!Date::IsValid(y, m, d)) return std::nullopt;
  return Date::FromYmd(y, m, d);
}

struct Coding {
  std::string_view system, code, display;
};

std::vector<Coding> Codings(std::optional<element> cc) {
  std::vector<Coding> out;
  if (!cc) return out;
  for (element c : Items(*cc, "coding"))
    out.push_back({Str(c, "system"), Str(c, "code"), Str(c, "display")});
  return out;
}

std::string CodeText(std::optional<element> cc) {
  if (!cc) return {};
  std::string t(Str(*cc, "text"));
  for (const auto& c : Codings(cc)) {
    if (!t.empty()) t += " | ";
    t += c.display;
  }
  return t;
}

// ---- candidate facts ----

struct BmdCand {
  std::optional<Date> date;
  BmdSite site = BmdSite::kLumbarSpine;
  bool is_t = true;
  Tenths value = 0;
  std::string ref;
  std::vector<std::string> extra_refs;  // the DiagnosticReport that lists it
};

struct LabCand {
  LabTest test = LabTest::kCreatinine;
  double value = 0;
  std::optional<Date> date;
  std::optional<double> low, high;
  std::string ref;
  int order = 0;
};

struct ValueCand {
  double value = 0;
  std::optional<Date> date;
  std::string ref;
  int order = 0;
};

struct CondCand {
  ConditionCode code = ConditionCode::kOsteoporosis;
  std::optional<Date> onset;
  bool active = true;
  std::string stage;
  std::string ref;
};

struct FxCand {
  FractureSite site = FractureSite::kOther;
  std::optional<Date> date;
  bool osteoporotic = false;
  bool unsited = false;
  bool pathologic = false;
  std::string ref;
};

struct MedEvent {
  Agent agent = Agent::kAlendronate;
  enum class Kind { kOrder, kStatement, kAdministration } kind = Kind::kOrder;
  MedStatus status = MedStatus::kActive;
  std::optional<Date> date;
  std::optional<Date> end;
  std::optional<Route> route;
  std::optional<double> dose_mg_per_day;
  std::optional<double> dose_mg;  // per administration (injected/infused agents)
  bool held = false;
  bool by_name = false;
  std::string ref;
};

struct FraxCand {
  std::optional<Date> date;
  std::optional<Tenths> mof, hip;
  std::string ref;
  int order = 0;
};

struct Entry {
  element res;
  std::string type;
  std::string ref;  // Type/id
  std::string loc;  // FHIRPath-style prefix of this resource
};

class Reader {
 public:
  Reader(const KnowledgeBase& kb, const FhirOptions& opt)
      : kb_(kb), opt_(opt), ct_(CodeTables::Get()) {}

  // `padded`: at least kFhirInputPadding readable bytes follow the text (parsed in place).
  Result<FhirExtract> Read(std::string_view text, const std::vector<std::string>* labels,
                           bool padded = false);

 private:
  void Issue(std::string path, std::string message, Severity sev = Severity::kWarning) {
    out_.issues.push_back({std::move(path), std::move(message), sev});
  }
  void Ignore(const std::string& ref, std::string why) { out_.ignored.push_back({ref, why}); }
  void Trace(std::string_view rule, const std::string& ref) {
    auto& v = trace_[std::string(rule)];
    if (std::find(v.begin(), v.end(), ref) == v.end()) v.push_back(ref);
  }
  void Skip(const std::string& type) { ++out_.skipped_counts[type]; }

  std::string ResolveRef(std::string_view ref) const;
  bool AfterAsOf(const std::optional<Date>& d, const Entry& e, const std::string& field);
  std::optional<Date> EffectiveDate(element r, const std::string& loc, const char* prefix);

  void DoPatient(const Entry& e);
  void DoObservation(const Entry& e);
  void DoDiagnosticReport(const Entry& e);
  void DoCondition(const Entry& e);
  void DoProcedure(const Entry& e);
  void DoMedication(const Entry& e);
  void DoAllergy(const Entry& e);
  void DoRiskAssessment(const Entry& e);

  std::optional<double> Number(element r, const Entry& e, const char* field_path,
                               std::optional<element> v);
  std::vector<const Concept*> ConceptsOf(std::optional<element> cc);
  std::vector<const Concept*> MedConcepts(element r, const Entry& e);

  void Finish();
  void FinishBmd();
  void FinishLabs();
  void FinishConditions();
  void FinishFractures();
  void FinishMedications();

  const KnowledgeBase& kb_;
  const FhirOptions& opt_;
  const CodeTables& ct_;
  FhirExtract out_;

  std::vector<Entry> entries_;
  std::unordered_map<std::string, size_t> by_ref_;                    // "Type/id" -> entry
  std::unordered_map<std::string, std::string> full_;                 // fullUrl -> "Type/id"
  std::unordered_map<std::string, std::optional<Date>> report_date_;  // obs ref -> DR date
  std::unordered_map<std::string, std::string> report_of_;            // obs ref -> DR ref
  std::string patient_ref_;
  std::set<std::string> other_patients_;
  std::set<std::string> unresolved_reported_;
  bool have_patient_resource_ = false;
  int order_ = 0;

  std::vector<BmdCand> bmd_;
  std::vector<LabCand> labs_;
  std::vector<ValueCand> weight_, height_;
  std::vector<CondCand> conds_;
  std::vector<FxCand> fx_;
  std::vector<MedEvent> meds_;
  std::vector<std::pair<Intolerance, std::string>> intol_;
  std::vector<FraxCand> frax_;
  std::vector<std::string> menopause_refs_;
  std::map<std::string, std::vector<std::string>> trace_;
  std::vector<std::string> patient_refs_;  // the Patient resource
};

std::string Reader::ResolveRef(std::string_view ref) const {
  if (ref.empty()) return {};
  if (auto it = full_.find(std::string(ref)); it != full_.end()) return it->second;
  std::string r(ref);
  if (auto h = r.find("/_history/"); h != std::string::npos) r.resize(h);
  // Absolute URL or relative: the last two segments are Type/id.
  auto last = r.rfind('/');
  if (last == std::string::npos || last == 0) return r;
  auto prev = r.rfind('/', last - 1);
  return prev == std::string::npos ? r : r.substr(prev + 1);
}

bool Reader::AfterAsOf(const std::optional<Date>& d, const Entry& e, const std::string& field) {
  if (!opt_.as_of || !d || *d <= *opt_.as_of) return false;
  Issue(e.loc + "." + field,
        e.ref + " is dated " + d->ToString() + ", after the assessment date " +
            opt_.as_of->ToString() + ": not used",
        Severity::kInfo);
  Ignore(e.ref, "dated " + d->ToString() + ", after as_of " + opt_.as_of->ToString());
  Trace(kRuleAsOf, e.ref);
  return true;
}

std::optional<Date> Reader::EffectiveDate(element r, const std::string& loc, const char* prefix) {
  const std::string p(prefix);
  auto check = [&](std::string_view s, const std::string& field) -> std::optional<Date> {
    if (s.empty()) return std::nullopt;
    bool partial = false;
    auto d = ParseFhirDate(s, &partial);
    if (!d)
      Issue(loc + "." + field, "\"" + std::string(s) + "\" is not a FHIR date or dateTime");
    else if (partial)
      Issue(loc + "." + field, "partial date \"" + std::string(s) + "\" taken as " + d->ToString(),
            Severity::kInfo);
    return d;
  };
  if (auto f = Field(r, p + "DateTime")) {
    if (!f->is_string()) {
      Issue(loc + "." + p + "DateTime", "a dateTime must be a string");
      return std::nullopt;
    }
    return check(AsStr(*f), p + "DateTime");
  }
  if (auto f = Field(r, p + "Instant")) return check(AsStr(*f), p + "Instant");
  if (auto f = Field(r, p + "Period")) {
    // The end of a period is when the value held last; fall back to its start.
    if (auto d = check(Str(*f, "end"), p + "Period.end")) return d;
    return check(Str(*f, "start"), p + "Period.start");
  }
  if (auto f = Field(r, p)) {  // plain "date" style fields (e.g. "occurrenceDateTime" missing)
    if (f->is_string()) return check(AsStr(*f), p);
  }
  return std::nullopt;
}

std::vector<const Concept*> Reader::ConceptsOf(std::optional<element> cc) {
  std::vector<const Concept*> out;
  for (const auto& c : Codings(cc)) {
    auto v = ct_.Lookup(c.system, c.code);
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

std::optional<double> Reader::Number(element /*r*/, const Entry& e, const char* field_path,
                                     std::optional<element> v) {
  const std::string path = e.loc + "." + field_path;
  if (!v) {
    Issue(path, e.ref + ": valueQuantity without value: not used");
    return std::nullopt;
  }
  double d = 0;
  if (v->is_string()) {
    Issue(path, e.ref + ": a string where a number belongs (\"" + std::string(AsStr(*v)) +
                    "\"): not used");
    return std::nullopt;
  }
  if (v->get_double().get(d) || !std::isfinite(d)) {
    Issue(path, e.ref + ": not a number: not used");
    return std::nullopt;
  }
  return d;
}

// ---- Patient ----

void Reader::DoPatient(const Entry& e) {
  Patient& p = out_.patient;
  patient_refs_.push_back(e.ref);
  auto id = Str(e.res, "id");
  if (!id.empty()) p.id = std::string(id);
  if (auto b = Field(e.res, "birthDate")) {
    bool partial = false;
    auto d = ParseFhirDate(AsStr(*b), &partial);
    if (!d)
      Issue(e.loc + ".birthDate", "\"" + std::string(AsStr(*b)) + "\" is not a FHIR date");
    else {
      p.birth_date = d;
      if (partial)
        Issue(e.loc + ".birthDate", "partial birth date taken as " + d->ToString(),
              Severity::kInfo);
    }
  }
  const std::string_view g = Str(e.res, "gender");
  p.sex = g == "female" ? Sex::kFemale : g == "male" ? Sex::kMale : Sex::kUnknown;
  if (g == "other" || g == "unknown" || g.empty())
    Issue(e.loc + ".gender",
          "gender \"" + std::string(g) +
              "\" gives no sex for clinical use: sex unknown, sex-dependent calculations take the "
              "more cautious value",
          Severity::kInfo);
  // Catalogue §6 CONV-02: deceased[x]; absent means alive.
  if (auto db = Field(e.res, "deceasedBoolean")) {
    bool v = false;
    if (db->get_bool().get(v))
      Issue(e.loc + ".deceasedBoolean", "deceasedBoolean must be true or false: not used");
    else
      p.deceased = v;
  }
  if (auto dd = Field(e.res, "deceasedDateTime")) {
    auto d = ParseFhirDate(AsStr(*dd));
    if (!d) {
      Issue(e.loc + ".deceasedDateTime",
            "deceasedDateTime is not a FHIR dateTime: the patient is taken as deceased, date "
            "unknown");
      p.deceased = true;
    } else {
      p.deceased_date = d;
      if (!opt_.as_of || *d <= *opt_.as_of) p.deceased = true;
    }
  }
}

// ---- Observation ----

void Reader::DoObservation(const Entry& e) {
  const std::string_view status = Str(e.res, "status");
  if (status == "entered-in-error" || status == "cancelled") {
    Ignore(e.ref, "status " + std::string(status));
    return;
  }
  auto code = Field(e.res, "code");
  auto concepts = ConceptsOf(code);
  const Concept* hit = nullptr;
  for (const Concept* c : concepts)
    if (c->domain == Domain::kDxa || c->domain == Domain::kLab || c->domain == Domain::kVital) {
      hit = c;
      break;
    }
  const std::string text = CodeText(code);
  const std::string lower = fhir::Lower(text);
  const bool frax = !hit && lower.find("frax") != std::string::npos;
  if (!hit && !frax) {
    Skip("Observation");
    return;
  }
  if (hit && hit->domain == Domain::kVital && hit->value == "bmi") {
    Skip("Observation");  // recomputed from weight and height (catalogue §1.2)
    return;
  }
  std::optional<Date> date = EffectiveDate(e.res, e.loc, "effective");
  if (!date) {
    if (auto it = report_date_.find(e.ref); it != report_date_.end()) date = it->second;
  }
  if (!date) {
    if (auto d = ParseFhirDate(Str(e.res, "issued"))) date = d;
  }
  if (AfterAsOf(date, e, "effective[x]")) return;

  auto vq = Field(e.res, "valueQuantity");
  if (!vq) {
    if (Field(e.res, "valueString") || Field(e.res, "valueCodeableConcept"))
      Issue(e.loc + ".value[x]", e.ref + ": a " + text + " value must be a Quantity: not used");
    else if (!Field(e.res, "dataAbsentReason"))
      Issue(e.loc + ".valueQuantity", e.ref + ": no value: not used", Severity::kInfo);
    Ignore(e.ref, "no numeric value");
    return;
  }
  auto value = Number(e.res, e, "valueQuantity.value", Field(*vq, "value"));
  if (!value) {
    Ignore(e.ref, "value missing or not a number");
    return;
  }
  std::string_view unit_raw = Str(*vq, "code");
  if (unit_raw.empty()) unit_raw = Str(*vq, "unit");
  const std::string unit = fhir::NormaliseUnit(unit_raw);
  const auto& params = ct_.params();
  auto in_list = [&](const std::vector<std::string>& l) {
    return std::find(l.begin(), l.end(), unit) != l.end();
  };
  auto bad_unit = [&](const std::string& what) {
    Issue(e.loc + ".valueQuantity.code", e.ref + ": \"" + std::string(unit_raw) +
                                             "\" is not a unit for " + what + ": value unusable");
    Ignore(e.ref, "unknown unit \"" + std::string(unit_raw) + "\" for " + what);
    Trace(kRuleUnits, e.ref);
  };

  if (frax) {
    if (!in_list(params.percent_units)) return bad_unit("a FRAX probability");
    FraxCand f{date, {}, {}, e.ref, order_++};
    const bool hip = lower.find("hip") != std::string::npos;
    if (*value < 0 || *value > 100) {
      Issue(e.loc + ".valueQuantity.value", e.ref + ": FRAX outside 0-100 %: not used");
      return;
    }
    (hip ? f.hip : f.mof) = ToTenths(*value);
    frax_.push_back(f);
    Trace(kRuleFrax, e.ref);
    return;
  }

  switch (hit->domain) {
    case Domain::kDxa: {
      if (!in_list(params.score_units))
        return bad_unit(hit->kind == "t" ? "a T-score" : "a Z-score");
      if (*value < -10 || *value > 10) {
        Issue(e.loc + ".valueQuantity.value",
              e.ref + ": a score outside -10..10 is not plausible: not used");
        Ignore(e.ref, "implausible score");
        return;
      }
      BmdCand b;
      b.date = date;
      b.is_t = hit->kind == "t";
      b.value = ToTenths(*value);
      b.ref = e.ref;
      auto site = Parse<BmdSite>(hit->value).value_or(BmdSite::kLumbarSpine);
      // bodySite decides where the code is not site-specific (femur: neck or total; radius
      // and ulna: the 33 % site or a mislabelled central scan).
      const std::string body = fhir::Lower(CodeText(Field(e.res, "bodySite")));
      bool body_decided = false;
      if (!body.empty()) {
        if (body.find("neck") != std::string::npos)
          site = BmdSite::kFemoralNeck, body_decided = true;
        else if (body.find("hip") != std::string::npos || body.find("total") != std::string::npos)
          site = BmdSite::kTotalHip, body_decided = true;
        else if (body.find("spine") != std::string::npos ||
                 body.find("lumbar") != std::string::npos)
          site = BmdSite::kLumbarSpine, body_decided = true;
        else if (body.find("radius") != std::string::npos ||
                 body.find("forearm") != std::string::npos)
          site = BmdSite::kRadius33, body_decided = true;
        if (body_decided && site != Parse<BmdSite>(hit->value)) Trace(kRuleBodySite, e.ref);
      }
      if (!body_decided && hit->value == "radius_33") {
        // LOINC 38265-5/80932-7 mean the radius and ulna. Synthea sends its single, unspecified
        // DXA T-score under this code with the display "DXA [T-score] Bone density".
        const bool says_forearm = lower.find("radius") != std::string::npos ||
                                  lower.find("forearm") != std::string::npos ||
                                  lower.find("ulna") != std::string::npos;
        if (!says_forearm) {
          site = BmdSite::kFemoralNeck;
          Trace(kRuleTscore38265, e.ref);
          Issue(e.loc + ".code",
                e.ref + ": LOINC " +
                    std::string(Codings(code).empty() ? "" : Codings(code)[0].code) + " (\"" +
                    text +
                    "\") names no site: taken as an unspecified central DXA site, recorded as "
                    "femoral_neck (FHIR-TSCORE-38265-5)",
                Severity::kInfo);
        }
      }
      b.site = site;
      if (auto it = report_of_.find(e.ref); it != report_of_.end())
        b.extra_refs.push_back(it->second);
      bmd_.push_back(std::move(b));
      return;
    }
    case Domain::kLab: {
      auto test = Parse<LabTest>(hit->value);
      const LabUnits* lu = nullptr;
      for (const auto& l : kb_.lab_units)
        if (l.test == hit->value) lu = &l;
      if (!test || !lu) {
        Issue(e.loc + ".code",
              e.ref + ": no unit table for " + std::string(hit->value) + ": not used");
        return;
      }
      const UnitDef* ud = nullptr;
      for (const auto& a : lu->accepted)
        if (fhir::NormaliseUnit(a.unit) == unit) ud = &a;
      if (!ud) return bad_unit(std::string(hit->value));
      LabCand l;
      l.test = *test;
      l.value = *value * ud->factor;
      l.date = date;
      l.ref = e.ref;
      l.order = order_++;
      if (ud->factor != 1) Trace(kRuleUnits, e.ref);
      if (hit->lab_code_rule) Trace(kRuleLabCodes, e.ref);
      for (element rr : Items(e.res, "referenceRange")) {
        auto conv = [&](const char* k) -> std::optional<double> {
          auto q = Field(rr, k);
          if (!q) return std::nullopt;
          std::string_view u = Str(*q, "code");
          if (u.empty()) u = Str(*q, "unit");
          double v = 0;
          auto f = Field(*q, "value");
          if (!f || f->get_double().get(v)) return std::nullopt;
          if (!u.empty() && fhir::NormaliseUnit(u) != unit) return std::nullopt;
          return v * ud->factor;
        };
        l.low = conv("low");
        l.high = conv("high");
        break;
      }
      labs_.push_back(l);
      return;
    }
    case Domain::kVital: {
      const bool weight = hit->value == "weight";
      const auto& table = weight ? params.weight_units : params.height_units;
      const fhir::UnitFactor* uf = nullptr;
      for (const auto& u : table)
        if (u.unit == unit) uf = &u;
      if (!uf) return bad_unit(weight ? "body weight" : "body height");
      const double v = *value * uf->factor;
      if (uf->factor != 1) Trace(kRuleUnits, e.ref);
      if (v <= 0 || v > (weight ? 400 : 260)) {
        Issue(e.loc + ".valueQuantity.value", e.ref + ": implausible value: not used");
        Ignore(e.ref, "implausible value");
        return;
      }
      (weight ? weight_ : height_).push_back({v, date, e.ref, order_++});
      return;
    }
    default:
      Skip("Observation");
  }
}

// ---- DiagnosticReport: dates and provenance for the observations it lists ----

void Reader::DoDiagnosticReport(const Entry& e) {
  const std::string_view status = Str(e.res, "status");
  if (status == "entered-in-error" || status == "cancelled") {
    Ignore(e.ref, "status " + std::string(status));
    return;
  }
  bool dxa = false;
  for (const Concept* c : ConceptsOf(Field(e.res, "code")))
    dxa = dxa || c->domain == Domain::kDxaPanel;
  auto results = Items(e.res, "result");
  if (!dxa && results.empty()) {
    Skip("DiagnosticReport");
    return;
  }
  std::optional<Date> date = EffectiveDate(e.res, e.loc, "effective");
  size_t i = 0;
  for (element r : results) {
    const std::string ref = ResolveRef(Str(r, "reference"));
    if (ref.empty() || !by_ref_.count(ref)) {
      if (dxa || !ref.empty())
        Issue(e.loc + ".result[" + std::to_string(i) + "].reference",
              e.ref + ": reference \"" + std::string(Str(r, "reference")) +
                  "\" does not resolve in this input");
    } else {
      report_date_.emplace(ref, date);
      if (dxa) report_of_.emplace(ref, e.ref);
    }
    ++i;
  }
  if (!dxa) Skip("DiagnosticReport");
}

// ---- Condition ----

void Reader::DoCondition(const Entry& e) {
  auto status_code = [&](const char* field) {
    auto f = Field(e.res, field);
    if (!f) return std::string();
    auto c = Codings(f);
    return c.empty() ? std::string() : std::string(c[0].code);
  };
  const std::string verification = status_code("verificationStatus");
  const std::string clinical = status_code("clinicalStatus");
  auto concepts = ConceptsOf(Field(e.res, "code"));
  if (concepts.empty()) {
    Skip("Condition");
    return;
  }
  if (verification == "refuted" || verification == "entered-in-error") {
    Ignore(e.ref, "verificationStatus " + verification);
    Trace(kRuleConditionStatus, e.ref);
    return;
  }
  std::optional<Date> onset = EffectiveDate(e.res, e.loc, "onset");
  if (!onset) onset = ParseFhirDate(Str(e.res, "recordedDate"));
  if (AfterAsOf(onset, e, "onset[x]")) return;
  const bool inactive = clinical == "inactive" || clinical == "resolved" || clinical == "remission";
  for (const Concept* c : concepts) {
    switch (c->domain) {
      case Domain::kCondition: {
        auto code = Parse<ConditionCode>(c->value);
        if (!code) break;
        conds_.push_back({*code, onset, !inactive, std::string(c->stage), e.ref});
        if (inactive) Trace(kRuleConditionStatus, e.ref);
        if (*code == ConditionCode::kOsteoporosis) Trace(kRuleDxRecorded, e.ref);
        break;
      }
      case Domain::kFracture: {
        if (c->kind == "excluded_site") {
          Ignore(e.ref, "site excluded from fragility-fracture definitions");
          Trace(kRuleConv01, e.ref);
          return;
        }
        auto site = Parse<FractureSite>(c->value);
        if (!site) break;
        fx_.push_back({*site, onset, c->osteoporotic, c->unsited, c->kind == "pathologic", e.ref});
        if (inactive) Trace(kRuleConditionStatus, e.ref);
        break;
      }
      case Domain::kMenopause:
        menopause_refs_.push_back(e.ref);
        break;
      default:
        break;
    }
  }
}

// ---- Procedure ----

void Reader::DoProcedure(const Entry& e) {
  auto concepts = ConceptsOf(Field(e.res, "code"));
  bool used = false;
  const std::string_view status = Str(e.res, "status");
  for (const Concept* c : concepts) {
    if (c->domain != Domain::kCondition && c->domain != Domain::kMenopause) continue;
    if (status == "entered-in-error" || status == "not-done" || status == "stopped" ||
        status == "preparation") {
      Ignore(e.ref, "status " + std::string(status));
      return;
    }
    std::optional<Date> date = EffectiveDate(e.res, e.loc, "performed");
    if (AfterAsOf(date, e, "performed[x]")) return;
    if (c->domain == Domain::kMenopause) {
      menopause_refs_.push_back(e.ref);
      used = true;
    } else if (auto code = Parse<ConditionCode>(c->value)) {
      conds_.push_back({*code, date, true, std::string(c->stage), e.ref});
      used = true;
    }
  }
  if (!used) Skip("Procedure");
}

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
    // COURSE-01: a completed administration is one dose on its effective date.
    m.kind = MedEvent::Kind::kAdministration;
    if (status == "completed" || status == "in-progress") st = MedStatus::kActive;
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

// ---- RiskAssessment (FRAX) ----

void Reader::DoRiskAssessment(const Entry& e) {
  const std::string what =
      fhir::Lower(CodeText(Field(e.res, "method")) + " " + CodeText(Field(e.res, "code")));
  if (what.find("frax") == std::string::npos) {
    Skip("RiskAssessment");
    return;
  }
  const std::string_view status = Str(e.res, "status");
  if (status == "entered-in-error" || status == "cancelled") {
    Ignore(e.ref, "status " + std::string(status));
    return;
  }
  FraxCand f;
  f.ref = e.ref;
  f.order = order_++;
  f.date = EffectiveDate(e.res, e.loc, "occurrence");
  if (AfterAsOf(f.date, e, "occurrence[x]")) return;
  size_t i = 0;
  for (element p : Items(e.res, "prediction")) {
    const std::string outcome = fhir::Lower(CodeText(Field(p, "outcome")));
    const std::string path = e.loc + ".prediction[" + std::to_string(i++) + "].probabilityDecimal";
    auto v = Field(p, "probabilityDecimal");
    double d = 0;
    if (!v || v->get_double().get(d)) {
      Issue(path, e.ref + ": no probabilityDecimal (a number): prediction not used");
      continue;
    }
    // probabilityDecimal is a fraction (0..1); FRAX is reported in percent.
    if (d < 0 || d > 1) {
      Issue(path, e.ref + ": probabilityDecimal must be between 0 and 1: not used");
      continue;
    }
    const Tenths pct = ToTenths(d * 100);
    if (outcome.find("hip") != std::string::npos)
      f.hip = pct;
    else if (outcome.find("major") != std::string::npos ||
             outcome.find("osteoporotic") != std::string::npos)
      f.mof = pct;
    else
      Issue(e.loc + ".prediction.outcome",
            e.ref + ": outcome \"" + outcome + "\" is neither hip nor major osteoporotic",
            Severity::kInfo);
  }
  if (!f.hip && !f.mof) {
    Ignore(e.ref, "no usable FRAX prediction");
    return;
  }
  frax_.push_back(f);
  Trace(kRuleFrax, e.ref);
}

// ---- the whole input ----

Result<FhirExtract> Reader::Read(std::string_view text, const std::vector<std::string>* labels,
                                 bool padded) {
  // The one JSON layer: nesting, duplicate keys (with their path), one BOM rule. The callers
  // bound the size. Unpadded input is copied into a padded buffer.
  jsonparse::Parser parser(
      jsonparse::Limits{.max_bytes = SIZE_MAX, .max_depth = jsonparse::kMaxDepth});
  auto parsed = parser.Parse(text, padded);
  if (!parsed) {
    Error e = parsed.error();
    // In a Bulk export, entry i is a line of a file: name the line.
    if (labels && e.path.starts_with("entry[")) {
      const std::size_t close = e.path.find(']');
      const std::string index = e.path.substr(6, close == std::string::npos ? 0 : close - 6);
      const std::size_t i = index.empty() ? SIZE_MAX : std::strtoull(index.c_str(), nullptr, 10);
      if (i < labels->size()) {
        std::string rest = e.path.substr(close + 1);
        if (rest.starts_with(".resource")) rest.erase(0, 9);
        e.path = (*labels)[i] + (rest.empty() ? "" : ":" + rest.substr(rest[0] == '.' ? 1 : 0));
      }
    }
    return e;
  }
  const element doc = *parsed;
  const std::string_view root_type = Str(doc, "resourceType");
  if (root_type.empty())
    return Error{"schema", "resourceType", "not a FHIR resource: no \"resourceType\""};

  // Index entries.
  if (root_type == "Bundle") {
    auto ef = Field(doc, "entry");
    array arr;
    if (ef && ef->get_array().get(arr))
      return Error{"schema", "Bundle.entry", "Bundle.entry must be an array"};
    size_t i = 0;
    if (ef)
      for (element en : arr) {
        const std::string loc =
            labels && i < labels->size() ? (*labels)[i] : "Bundle.entry[" + std::to_string(i) + "]";
        ++i;
        auto res = Field(en, "resource");
        if (!res) {
          // Transaction responses and deletes carry no resource; they are not data.
          Issue(loc, "Bundle entry without resource: skipped");
          continue;
        }
        const std::string type(Str(*res, "resourceType"));
        if (type.empty()) {
          Issue(loc + ".resource.resourceType", "entry resource without resourceType: skipped");
          continue;
        }
        std::string id(Str(*res, "id"));
        const std::string full(Str(en, "fullUrl"));
        std::string ref = type + "/" + (id.empty() ? "#" + std::to_string(i - 1) : id);
        entries_.push_back({*res, type, ref, loc + ".resource"});
        by_ref_.emplace(ref, entries_.size() - 1);
        if (!full.empty()) {
          full_.emplace(full, ref);
          by_ref_.emplace(full, entries_.size() - 1);
        }
      }
  } else {
    const std::string id(Str(doc, "id"));
    entries_.push_back({doc, std::string(root_type),
                        std::string(root_type) + "/" + (id.empty() ? "#0" : id),
                        std::string(root_type)});
    by_ref_.emplace(entries_.back().ref, 0);
  }

  // Choose the patient.
  std::vector<size_t> patients;
  for (size_t i = 0; i < entries_.size(); ++i)
    if (entries_[i].type == "Patient") patients.push_back(i);
  // Patients are told apart by id (several entries with one id are versions of one patient:
  // the last wins); an entry without id is named by its location.
  std::vector<std::string> labels_seen;
  std::map<std::string, size_t> last_of;
  for (size_t p : patients) {
    std::string label(Str(entries_[p].res, "id"));
    if (label.empty()) label = "(no id: " + entries_[p].loc + ")";
    if (!last_of.count(label)) labels_seen.push_back(label);
    last_of[label] = p;
  }
  std::string ids;
  for (const auto& l : labels_seen) ids += (ids.empty() ? "" : ", ") + l;
  std::optional<size_t> chosen;
  if (opt_.patient_id) {
    if (auto it = last_of.find(*opt_.patient_id); it != last_of.end()) chosen = it->second;
    if (!chosen && !patients.empty())
      return Error{"inconsistent", "--patient",
                   "patient \"" + *opt_.patient_id + "\" is not in the input; patients: " + ids};
  } else if (last_of.size() > 1) {
    return Error{"inconsistent", labels ? "Patient" : "Bundle.entry",
                 std::to_string(last_of.size()) +
                     " patients in one input; choose one with --patient: " + ids};
  } else if (last_of.size() == 1) {
    chosen = last_of.begin()->second;
  }
  if (chosen) {
    patient_ref_ = entries_[*chosen].ref;
    have_patient_resource_ = true;
    for (size_t p : patients)
      if (entries_[p].ref != patient_ref_) other_patients_.insert(entries_[p].ref);
  } else if (opt_.patient_id) {
    patient_ref_ = "Patient/" + *opt_.patient_id;
    out_.patient.id = *opt_.patient_id;
  }

  // Reports first: they date and attribute the observations they list.
  for (const Entry& e : entries_)
    if (e.type == "DiagnosticReport") {
      // Subject check as below, kept simple: reports of other patients are skipped.
      const std::string subj =
          ResolveRef(Str(Field(e.res, "subject").value_or(e.res), "reference"));
      if (!subj.empty() && other_patients_.count(subj)) continue;
      DoDiagnosticReport(e);
    }

  static const std::set<std::string, std::less<>> kHandled = {"Patient",
                                                              "Observation",
                                                              "Condition",
                                                              "Procedure",
                                                              "MedicationRequest",
                                                              "MedicationStatement",
                                                              "MedicationAdministration",
                                                              "AllergyIntolerance",
                                                              "RiskAssessment",
                                                              "FamilyMemberHistory",
                                                              "DiagnosticReport"};
  for (const Entry& e : entries_) {
    if (!kHandled.count(e.type)) {
      Skip(e.type);
      continue;
    }
    if (e.type == "Patient") {
      if (!chosen || &entries_[*chosen] != &e) continue;
      DoPatient(e);
      continue;
    }
    // Whose resource is it?
    std::optional<element> subj = Field(e.res, "subject");
    if (!subj) subj = Field(e.res, "patient");
    if (subj) {
      const std::string_view raw = Str(*subj, "reference");
      const std::string target = ResolveRef(raw);
      if (other_patients_.count(target)) continue;  // another patient's record
      if (!target.empty() && target != patient_ref_) {
        const bool is_patient = target.rfind("Patient/", 0) == 0;
        if (is_patient && opt_.patient_id && !have_patient_resource_) {
          continue;  // bulk or bundle without Patient: other patients' data
        }
        if (!have_patient_resource_ && patient_ref_.empty() && is_patient) {
          patient_ref_ = target;
          out_.patient.id = target.substr(8);
        } else if (target != patient_ref_ && unresolved_reported_.insert(target).second) {
          Issue(e.loc + "." + (Field(e.res, "subject") ? "subject" : "patient") + ".reference",
                "reference \"" + std::string(raw) +
                    "\" does not resolve to the patient in this input; its resources are read "
                    "as the patient's");
        }
      }
    }
    if (e.type == "Observation")
      DoObservation(e);
    else if (e.type == "Condition")
      DoCondition(e);
    else if (e.type == "Procedure")
      DoProcedure(e);
    else if (e.type == "MedicationRequest" || e.type == "MedicationStatement" ||
             e.type == "MedicationAdministration")
      DoMedication(e);
    else if (e.type == "AllergyIntolerance")
      DoAllergy(e);
    else if (e.type == "RiskAssessment")
      DoRiskAssessment(e);
    else if (e.type == "FamilyMemberHistory")
      Ignore(e.ref,
             "family history (a FRAX input, e.g. parental hip fracture) has no field in the "
             "native record; enter it in the FRAX tool");
  }

  Finish();
  const Patient& p = out_.patient;
  const bool usable = have_patient_resource_ || !p.bmd.empty() || !p.labs.empty() ||
                      !p.conditions.empty() || !p.fractures.empty() || !p.medications.empty() ||
                      p.frax || p.weight_kg || p.height_cm || !p.intolerances.empty();
  if (!usable) {
    Errors errs;
    errs.push_back({"unsupported", std::string(root_type),
                    "nothing usable: no Patient resource, and none of the " +
                        std::to_string(entries_.size()) +
                        " resources holds data bonepath uses (DXA, labs, conditions, "
                        "fractures, medications, FRAX, weight, height)"});
    for (const auto& i : out_.issues) errs.push_back({"schema", i.path, i.message});
    return errs;
  }
  return std::move(out_);
}

// ---- merging ----

template <typename T>
bool Later(const T& a, const T& b) {  // a is more recent than b
  if (a.date != b.date) return a.date && (!b.date || *a.date > *b.date);
  return a.order > b.order;
}

void Reader::FinishBmd() {
  // One measurement per (date, site), T and Z together; the whole history kept, oldest first.
  std::stable_sort(bmd_.begin(), bmd_.end(), [](const BmdCand& a, const BmdCand& b) {
    if (a.date != b.date) return !a.date || (b.date && *a.date < *b.date);
    return static_cast<int>(a.site) < static_cast<int>(b.site);
  });
  Patient& p = out_.patient;
  for (const BmdCand& b : bmd_) {
    size_t idx = p.bmd.size();
    for (size_t i = 0; i < p.bmd.size(); ++i)
      if (p.bmd[i].date == b.date && p.bmd[i].site == b.site &&
          !(b.is_t ? p.bmd[i].t_score : p.bmd[i].z_score))
        idx = i;
    if (idx == p.bmd.size()) p.bmd.push_back({b.date, b.site, {}, {}, {}, {}});
    (b.is_t ? p.bmd[idx].t_score : p.bmd[idx].z_score) = b.value;
    const std::string base = "/bmd/" + std::to_string(idx);
    auto& prov = out_.provenance[base + (b.is_t ? "/t_score" : "/z_score")];
    prov.push_back(b.ref);
    auto& all = out_.provenance[base];
    all.push_back(b.ref);
    for (const auto& r : b.extra_refs) {
      if (std::find(all.begin(), all.end(), r) == all.end()) all.push_back(r);
    }
  }
}

void Reader::FinishLabs() {
  // The most recent valid value per test wins; older ones are history, not used.
  std::map<LabTest, const LabCand*> latest;
  std::map<LabTest, int> count;
  for (const LabCand& l : labs_) {
    ++count[l.test];
    auto it = latest.find(l.test);
    if (it == latest.end() || Later(l, *it->second)) latest[l.test] = &l;
  }
  Patient& p = out_.patient;
  const auto& stale = ct_.params().stale_after_days;
  for (const auto& [test, l] : latest) {
    Lab lab;
    lab.test = test;
    lab.value = l->value;
    lab.date = l->date;
    lab.reference_low = l->low;
    lab.reference_high = l->high;
    lab.source = l->ref;
    const std::string ptr = "/labs/" + std::to_string(p.labs.size());
    out_.provenance[ptr] = {l->ref};
    p.labs.push_back(lab);
    if (count[test] > 1) Trace(kRuleLatest, l->ref);
    const std::string name(ToString(test));
    if (auto s = stale.find(name); s != stale.end() && l->date) {
      const Date ref = opt_.as_of.value_or(Date::TodayUtc());
      if (DaysBetween(*l->date, ref) > s->second) {
        Issue(ptr,
              name + " from " + l->ref + " is dated " + l->date->ToString() + ", " +
                  std::to_string(DaysBetween(*l->date, ref)) + " days before " + ref.ToString() +
                  ": stale (older than " + std::to_string(s->second) +
                  " days) for checks that need a recent value",
              Severity::kInfo);
        Trace(kRuleLatest, l->ref);
      }
    }
  }
  auto pick = [&](std::vector<ValueCand>& v, std::optional<double>* field, const char* ptr) {
    const ValueCand* best = nullptr;
    for (const auto& c : v)
      if (!best || Later(c, *best)) best = &c;
    if (!best) return;
    *field = best->value;
    out_.provenance[ptr] = {best->ref};
    if (v.size() > 1) Trace(kRuleLatest, best->ref);
  };
  pick(weight_, &p.weight_kg, "/weight_kg");
  pick(height_, &p.height_cm, "/height_cm");
  if (!frax_.empty()) {
    // The most recent FRAX result (MOF and hip may come in separate Observations on one date).
    std::sort(frax_.begin(), frax_.end(),
              [](const FraxCand& a, const FraxCand& b) { return Later(b, a); });
    const FraxCand& last = frax_.back();
    Frax f;
    f.date = last.date;
    std::vector<std::string> refs;
    for (const FraxCand& c : frax_) {
      if (c.date != last.date) continue;
      if (c.mof) f.major_osteoporotic_pct = c.mof;
      if (c.hip) f.hip_pct = c.hip;
      refs.push_back(c.ref);
    }
    p.frax = f;
    out_.provenance["/frax"] = refs;
  }
}

void Reader::FinishConditions() {
  Patient& p = out_.patient;
  std::map<ConditionCode, size_t> at;
  for (const CondCand& c : conds_) {
    auto it = at.find(c.code);
    if (it == at.end()) {
      at[c.code] = p.conditions.size();
      p.conditions.push_back({c.code, c.onset, c.active, c.stage});
      out_.provenance["/conditions/" + std::to_string(p.conditions.size() - 1)] = {c.ref};
      continue;
    }
    Condition& k = p.conditions[it->second];
    // One entry per condition: earliest onset, active if any record is active, the stage of
    // the latest record.
    if (c.onset && (!k.onset || *c.onset < *k.onset)) k.onset = c.onset;
    k.active = k.active || c.active;
    if (!c.stage.empty()) k.stage = c.stage;
    auto& prov = out_.provenance["/conditions/" + std::to_string(it->second)];
    if (std::find(prov.begin(), prov.end(), c.ref) == prov.end()) prov.push_back(c.ref);
  }
}

void Reader::FinishFractures() {
  const int window = ct_.params().fracture_merge_window_days;
  std::stable_sort(fx_.begin(), fx_.end(), [](const FxCand& a, const FxCand& b) {
    if (a.date != b.date) return !a.date || (b.date && *a.date < *b.date);
    return a.unsited < b.unsited;  // sited first
  });
  struct Event {
    Fracture f;
    bool sited = false;
    std::vector<std::string> refs;
  };
  std::vector<Event> events;
  auto near = [&](const std::optional<Date>& a, const std::optional<Date>& b) {
    if (!a || !b) return a == b;
    return window >= 0 && std::abs(DaysBetween(*a, *b)) <= window;
  };
  for (const FxCand& c : fx_) {
    Event* same = nullptr;
    for (auto& ev : events) {
      if (!near(ev.f.date, c.date)) continue;
      // The same fracture: an unsited osteoporotic code next to a sited one, or the same site.
      if (c.unsited || !ev.sited || ev.f.site == c.site) {
        same = &ev;
        break;
      }
    }
    if (!same) {
      Event ev;
      ev.f.site = c.site;
      ev.f.date = c.date;
      ev.sited = !c.unsited;
      events.push_back(ev);
      same = &events.back();
    } else if (same->sited == false && !c.unsited) {
      same->f.site = c.site;
      same->sited = true;
    }
    if (c.pathologic) same->f.pathologic_suspected = true;
    if (c.osteoporotic) {
      // Coded as due to osteoporosis: a fragility fracture, not a malignancy red flag.
      same->f.mechanism = FractureMechanism::kFragility;
      same->f.mechanism_recorded = true;
    }
    same->refs.push_back(c.ref);
  }
  Patient& p = out_.patient;
  for (auto& ev : events) {
    const std::string ptr = "/fractures/" + std::to_string(p.fractures.size());
    bool osteo = ev.f.mechanism == FractureMechanism::kFragility;
    if (osteo) {
      for (const auto& r : ev.refs) Trace(kRule443165006, r);
      out_.provenance[ptr + "/mechanism"] = ev.refs;
    }
    out_.provenance[ptr] = ev.refs;
    // CONV-01: a site code alone leaves the mechanism unknown (never defaulted).
    if (!ev.f.mechanism_recorded || ev.f.pathologic_suspected)
      for (const auto& r : ev.refs) Trace(kRuleConv01, r);
    p.fractures.push_back(ev.f);
  }
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

void Reader::Finish() {
  Patient& p = out_.patient;
  if (opt_.as_of) p.as_of = opt_.as_of;
  if (p.id.empty()) p.id = patient_ref_.size() > 8 ? patient_ref_.substr(8) : "unknown";
  if (have_patient_resource_) {
    out_.provenance["/id"] = patient_refs_;
    if (p.birth_date) out_.provenance["/birth_date"] = patient_refs_;
    out_.provenance["/sex"] = patient_refs_;
  } else {
    Issue("Bundle",
          "no Patient resource: birth date and sex unknown; the record is built from "
          "resources about " +
              (patient_ref_.empty() ? std::string("an unnamed patient") : patient_ref_),
          Severity::kWarning);
  }
  FinishBmd();
  FinishLabs();
  FinishConditions();
  FinishFractures();
  FinishMedications();

  // Menopausal status: coded evidence (bilateral oophorectomy, premature menopause) first, else
  // inferred from age with the stated cut-off.
  if (p.sex == Sex::kFemale && !p.menopausal_status) {
    const int cutoff = ct_.params().menopause_age_cutoff_years;
    if (!menopause_refs_.empty()) {
      p.menopausal_status = Menopause::kPost;
      out_.provenance["/menopausal_status"] = menopause_refs_;
    } else if (p.birth_date && cutoff > 0) {
      const Date ref = opt_.as_of.value_or(Date::TodayUtc());
      const int age = CompletedYears(*p.birth_date, ref);
      p.menopausal_status = age >= cutoff ? Menopause::kPost : Menopause::kPre;
      out_.provenance["/menopausal_status"] = patient_refs_;
      trace_[std::string(kRuleMenopause)].push_back(
          (patient_refs_.empty() ? std::string("Patient") : patient_refs_[0]) + ": age " +
          std::to_string(age) + " on " + ref.ToString() + (age >= cutoff ? " >= " : " < ") +
          std::to_string(cutoff) + ", no menopausal status coded");
    }
  }

  // The trace: one entry per rule applied, naming the resources (the first few).
  static const std::map<std::string_view, std::string_view> kWhat = {
      {kRuleTscore38265, "LOINC 38265-5 without a forearm site taken as femoral_neck"},
      {kRuleMenopause, "menopausal status inferred from age"},
      {kRuleDxRecorded, "recorded diagnosis of osteoporosis"},
      {kRule443165006, "fracture coded as due to osteoporosis: fragility fracture"},
      {kRuleConditionStatus, "clinical/verification status applied"},
      {kRuleUnits, "unit converted or unusable"},
      {kRuleLatest, "most recent valid value used"},
      {kRuleMedIngredient, "medication matched by ingredient"},
      {kRuleMedStatus, "medication status mapped"},
      {kRuleBodySite, "DXA site taken from bodySite"},
      {kRuleLabCodes, "lab read from an equivalent LOINC code"},
      {kRuleAsOf, "dated after as_of: not used"},
      {kRuleFrax, "FRAX read"},
      {kRuleIntolerance, "intolerance recorded"},
      {kRuleConv01, "fracture coded by site: mechanism unknown, or site outside the definitions"}};
  for (std::string_view rule : kRules) {
    auto it = trace_.find(std::string(rule));
    if (it == trace_.end()) continue;
    std::string because(kWhat.at(rule));
    because += ": ";
    const auto& refs = it->second;
    for (size_t i = 0; i < refs.size() && i < 5; ++i) because += (i ? ", " : "") + refs[i];
    if (refs.size() > 5) because += " and " + std::to_string(refs.size() - 5) + " more";
    out_.mapping_trace.push_back({std::string(rule), Outcome::kFired, because});
  }
}

}  // namespace

bool LooksLikeFhir(std::string_view text) {
  return text.find("\"resourceType\"") != std::string_view::npos;
}

Result<FhirExtract> ReadFhirBundle(std::string_view text, const KnowledgeBase& kb,
                                   const FhirOptions& opt) {
  Reader r(kb, opt);
  return r.Read(text, nullptr);
}

static_assert(kFhirInputPadding >= simdjson::SIMDJSON_PADDING);

Result<FhirExtract> ReadFhirBundleInPlace(const std::string& text, const KnowledgeBase& kb,
                                          const FhirOptions& opt) {
  Reader r(kb, opt);
  return r.Read(text, nullptr, text.capacity() - text.size() >= kFhirInputPadding);
}

Result<FhirExtract> ReadBulkExport(const std::string& dir, const KnowledgeBase& kb,
                                   const FhirOptions& opt) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Error{"io", dir, "not a directory"};
  std::vector<fs::path> files;
  for (const auto& de : fs::directory_iterator(dir, ec))
    if (de.path().extension() == ".ndjson") files.push_back(de.path());
  if (ec) return Error{"io", dir, ec.message()};
  std::sort(files.begin(), files.end());
  if (files.empty()) return Error{"unsupported", dir, "no .ndjson files in the folder"};
  // The lines are gathered into one collection Bundle so that references resolve across files.
  // With a patient id, resources about a subject/patient whose line does not mention the id are
  // dropped before parsing (fast path for large exports).
  std::string bundle = R"({"resourceType":"Bundle","type":"collection","entry":[)";
  std::vector<std::string> labels;
  bool first = true;
  // Regular files only (a link to /dev/zero or a FIFO is refused without blocking), lines and
  // the gathered bundle bounded while reading.
  constexpr size_t kMaxLine = 16u << 20, kMaxBundle = 256u << 20;
  for (const auto& f : files) {
    auto in = LineReader::Open(f.string(), kMaxLine);
    if (!in) return in.errors();
    std::string line;
    size_t n = 0;
    while (in->Next(&line)) {
      ++n;
      if (bundle.size() + line.size() > kMaxBundle)
        return Error{"too_large", dir,
                     "the export is larger than " + std::to_string(kMaxBundle) + " bytes"};
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      // Patient lines are kept (they are few) so that an unknown id is reported with the list.
      if (opt.patient_id && line.find(*opt.patient_id) == std::string::npos &&
          (line.find("\"subject\"") != std::string::npos ||
           line.find("\"patient\"") != std::string::npos))
        continue;
      if (!first) bundle += ',';
      first = false;
      bundle += R"({"resource":)";
      bundle += line;
      bundle += '}';
      labels.push_back(f.filename().string() + ":" + std::to_string(n));
    }
    if (in->error()) return *in->error();
  }
  bundle += "]}";
  // Room for simdjson's padding, so that the bundle is parsed where it is (no second copy).
  if (bundle.capacity() - bundle.size() < kFhirInputPadding)
    bundle.reserve(bundle.size() + kFhirInputPadding);
  Reader r(kb, opt);
  auto res = r.Read(bundle, &labels, /*padded=*/true);
  if (!res && res.error().code == "invalid_json") {
    // Find the offending line for the message.
    for (const auto& f : files) {
      auto in = LineReader::Open(f.string(), kMaxLine);
      if (!in) return in.errors();
      std::string line;
      size_t n = 0;
      jsonparse::Parser p(
          jsonparse::Limits{.max_bytes = SIZE_MAX, .max_depth = jsonparse::kMaxDepth});
      while (in->Next(&line)) {
        ++n;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        if (!p.Parse(line))
          return Error{"invalid_json", f.filename().string() + ":" + std::to_string(n),
                       "line " + std::to_string(n) + " is not valid JSON"};
      }
    }
  }
  return res;
}

std::span<const std::string_view> FhirImplementedRules() { return kRules; }

}  // namespace bp
