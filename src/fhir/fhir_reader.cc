// The FHIR reader: simdjson DOM over the whole Bundle, one pass to index entries and patients,
// one pass to map the selected patient's resources into candidate facts, then a merge step that
// applies the deliberate decisions of knowledge/rules/fhir.json (latest value wins, fracture
// merging, menopause from age, medication aggregation) and records provenance.
#include "fhir/fhir_reader.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "common/json.h"
#include "fhir/codes.h"
#include "fhir/fhir_reader_internal.h"
#include "io/line_reader.h"

namespace bp::fhir_reader {

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
std::optional<Date> ParseFhirDate(std::string_view s, bool* partial) {
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
        IndexEntry(*res, Str(en, "fullUrl"), loc, i - 1);
      }
  } else {
    const std::string id(Str(doc, "id"));
    entries_.push_back({doc, std::string(root_type),
                        std::string(root_type) + "/" + (id.empty() ? "#0" : id),
                        std::string(root_type)});
    by_ref_.emplace(entries_.back().ref, 0);
  }

  return Extract(root_type, labels != nullptr);
}

void Reader::IndexEntry(element res, std::string_view full_url, const std::string& loc,
                        size_t index) {
  const std::string type(Str(res, "resourceType"));
  if (type.empty()) {
    Issue(loc + ".resource.resourceType", "entry resource without resourceType: skipped");
    return;
  }
  std::string id(Str(res, "id"));
  const std::string full(full_url);
  std::string ref = type + "/" + (id.empty() ? "#" + std::to_string(index) : id);
  entries_.push_back({res, type, ref, loc + ".resource"});
  by_ref_.emplace(ref, entries_.size() - 1);
  if (!full.empty()) {
    full_.emplace(full, ref);
    by_ref_.emplace(full, entries_.size() - 1);
  }
}

Result<FhirExtract> Reader::ReadResources(std::span<const element> resources) {
  for (size_t i = 0; i < resources.size(); ++i)
    IndexEntry(resources[i], {}, "Bundle.entry[" + std::to_string(i) + "]", i);
  return Extract("Bundle", false);
}

Result<FhirExtract> Reader::Extract(std::string_view root_type, bool bulk) {
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
    return Error{"inconsistent", bulk ? "Patient" : "Bundle.entry",
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
  FinishStatuses();
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
      {kRuleConv01, "fracture coded by site: mechanism unknown, or site outside the definitions"},
      {kRuleStatus, "pregnancy or breastfeeding status read"}};
  for (std::string_view rule : kRules) {
    auto it = trace_.find(std::string(rule));
    if (it == trace_.end()) continue;
    std::string because(kWhat.at(rule));
    if (rule == kRuleConv01 && external_cause_read_)
      because += "; mechanism read from an external cause of injury";
    because += ": ";
    const auto& refs = it->second;
    for (size_t i = 0; i < refs.size() && i < 5; ++i) because += (i ? ", " : "") + refs[i];
    if (refs.size() > 5) because += " and " + std::to_string(refs.size() - 5) + " more";
    out_.mapping_trace.push_back({std::string(rule), Outcome::kFired, because});
  }
}

}  // namespace bp::fhir_reader

namespace bp {

using fhir_reader::kRules;
using fhir_reader::Reader;

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

Result<FhirExtract> ReadFhirResources(std::span<const simdjson::dom::element> resources,
                                      const KnowledgeBase& kb, const FhirOptions& opt) {
  Reader r(kb, opt);
  return r.ReadResources(resources);
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
