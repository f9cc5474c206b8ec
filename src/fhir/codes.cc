#include "fhir/codes.h"

#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <tuple>

namespace bp::fhir {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// A string member, empty when absent or not a string. The view points into the document.
std::string_view Str(element e, std::string_view key) {
  std::string_view s;
  if (e[key].get(s) != simdjson::SUCCESS) return {};
  return s;
}

bool ParseDomain(std::string_view s, Domain* d) {
  static const std::pair<std::string_view, Domain> kNames[] = {
      {"condition", Domain::kCondition},
      {"fracture", Domain::kFracture},
      {"dxa", Domain::kDxa},
      {"dxa_panel", Domain::kDxaPanel},
      {"lab", Domain::kLab},
      {"vital", Domain::kVital},
      {"agent", Domain::kAgent},
      {"menopause", Domain::kMenopause},
      {"intolerance", Domain::kIntolerance},
      {"external_cause", Domain::kExternalCause},
      {"status", Domain::kStatus},
      {"answer", Domain::kAnswer}};
  for (const auto& [n, v] : kNames)
    if (s == n) {
      *d = v;
      return true;
    }
  return false;
}

bool IsIcd(std::string_view sys) { return sys.rfind("icd10", 0) == 0; }

bool NeedsNormalising(std::string_view sys, std::string_view code) {
  if (!IsIcd(sys)) return false;
  for (char c : code)
    if (c == '.' || c == ' ' || (c >= 'a' && c <= 'z')) return true;
  return false;
}

std::string NormaliseCode(std::string_view sys, std::string_view code) {
  std::string out;
  out.reserve(code.size());
  for (char c : code) {
    if (IsIcd(sys)) {
      if (c == '.' || c == ' ') continue;
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    out.push_back(c);
  }
  return out;
}

std::vector<UnitFactor> Units(element arr) {
  std::vector<UnitFactor> out;
  array a;
  if (arr.get(a) != simdjson::SUCCESS) return out;
  for (element u : a) {
    double f = 0;
    if (u.is_object() && u["factor"].get(f) == simdjson::SUCCESS)
      out.push_back({NormaliseUnit(Str(u, "unit")), f});
  }
  return out;
}

// `key` of object `o` when it is there (and o is an object).
bool Member(element o, std::string_view key, element* out) {
  return o.is_object() && o[key].get(*out) == simdjson::SUCCESS;
}

// The strings of `o[key][sub]`, normalised as units.
std::vector<std::string> UnitList(element o, std::string_view key, std::string_view sub) {
  std::vector<std::string> out;
  element m, l;
  array a;
  if (!Member(o, key, &m) || !Member(m, sub, &l) || l.get(a) != simdjson::SUCCESS) return out;
  for (element u : a) {
    std::string_view s;
    if (u.get(s) == simdjson::SUCCESS) out.push_back(NormaliseUnit(s));
  }
  return out;
}

int IntValue(element o, std::string_view key, int fallback) {
  element m, v;
  if (!Member(o, key, &m) || !Member(m, "value", &v)) return fallback;
  int64_t i = 0;
  double d = 0;
  if (v.get(i) == simdjson::SUCCESS) return static_cast<int>(i);
  if (v.get(d) == simdjson::SUCCESS) return static_cast<int>(d);
  return fallback;
}

bool KeyLess(std::string_view ac, int as, std::string_view bc, int bs) {
  return std::tie(ac, as) < std::tie(bc, bs);
}

}  // namespace

// The strings the concepts point to: the few the extraction needs (codes, patterns, values),
// copied out of the parsed documents into 16 KB chunks that never move.
struct CodeTables::Storage {
  std::vector<std::unique_ptr<char[]>> chunks;
  size_t used = 0, size = 0;

  std::string_view Keep(std::string_view s) {
    if (s.empty()) return {};
    if (used + s.size() > size) {
      size = std::max<size_t>(16 * 1024, s.size());
      chunks.push_back(std::make_unique_for_overwrite<char[]>(size));
      used = 0;
    }
    char* at = chunks.back().get() + used;
    std::memcpy(at, s.data(), s.size());
    used += s.size();
    return {at, s.size()};
  }
};

// One parser, one document and one padded copy of the input for all the files: the embedded
// bytes carry no simdjson padding, and fresh buffers per file would cost a page fault every 4 KB.
struct CodeTables::Loader {
  simdjson::dom::parser parser;
  simdjson::dom::document doc;
  std::unique_ptr<char[]> buffer;
  size_t capacity = 0;
};

CodeTables::CodeTables() : storage_(std::make_unique<Storage>()) {}
CodeTables::~CodeTables() = default;
CodeTables::CodeTables(CodeTables&&) noexcept = default;
CodeTables& CodeTables::operator=(CodeTables&&) noexcept = default;

int CodeTables::FindSystem(std::string_view system) const {
  for (size_t i = 0; i < systems_.size(); ++i)
    if (systems_[i] == system) return static_cast<int>(i);
  return -1;
}

int CodeTables::SystemId(std::string_view system) {
  const int i = FindSystem(system);
  if (i >= 0) return i;
  systems_.push_back(storage_->Keep(system));
  return static_cast<int>(systems_.size() - 1);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string NormaliseUnit(std::string_view unit) {
  std::string out;
  out.reserve(unit.size());
  for (size_t i = 0; i < unit.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(unit[i]);
    // UTF-8 micro sign (C2 B5), Greek mu (CE BC), superscript two (C2 B2).
    if (c == 0xC2 && i + 1 < unit.size() && static_cast<unsigned char>(unit[i + 1]) == 0xB5) {
      out.push_back('u');
      ++i;
      continue;
    }
    if (c == 0xCE && i + 1 < unit.size() && static_cast<unsigned char>(unit[i + 1]) == 0xBC) {
      out.push_back('u');
      ++i;
      continue;
    }
    if (c == 0xC2 && i + 1 < unit.size() && static_cast<unsigned char>(unit[i + 1]) == 0xB2) {
      out.push_back('2');
      ++i;
      continue;
    }
    if (c == ' ' || c == '{' || c == '}' || c == '_') continue;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c));
  }
  return out;
}

std::string_view SystemKey(std::string_view uri) {
  static const std::pair<std::string_view, std::string_view> kSystems[] = {
      {"http://loinc.org", "loinc"},
      {"http://snomed.info/sct", "sct"},
      {"http://hl7.org/fhir/sid/icd-10-cm", "icd10cm"},
      {"http://hl7.org/fhir/sid/icd-10", "icd10cm"},  // WHO ICD-10 shares the M80/M81 stems
      {"http://www.nlm.nih.gov/research/umls/rxnorm", "rxnorm"},
      {"http://www.ama-assn.org/go/cpt", "cpt"},
      {"http://www.cms.gov/Medicare/Coding/ICD10", "icd10pcs"},
  };
  for (const auto& [u, k] : kSystems)
    if (uri == u) return k;
  // Tolerate a trailing slash and the urn:oid forms some EHRs send.
  if (uri == "http://loinc.org/" || uri == "urn:oid:2.16.840.1.113883.6.1") return "loinc";
  if (uri == "urn:oid:2.16.840.1.113883.6.96") return "sct";
  if (uri == "urn:oid:2.16.840.1.113883.6.90") return "icd10cm";
  if (uri == "urn:oid:2.16.840.1.113883.6.88") return "rxnorm";
  return {};
}

void CodeTables::Load(Loader& loader, std::string_view path, std::string_view content,
                      std::vector<std::string>* problems) {
  if (content.size() > loader.capacity) {
    loader.capacity = content.size();
    loader.buffer =
        std::make_unique_for_overwrite<char[]>(loader.capacity + simdjson::SIMDJSON_PADDING);
  }
  std::memcpy(loader.buffer.get(), content.data(), content.size());
  std::memset(loader.buffer.get() + content.size(), 0, simdjson::SIMDJSON_PADDING);
  element j;
  if (loader.parser
              .parse_into_document(loader.doc, loader.buffer.get(), content.size(),
                                   /*realloc_if_needed=*/false)
              .get(j) != simdjson::SUCCESS ||
      !j.is_object()) {
    problems->push_back(std::string(path) + ": not valid JSON");
    return;
  }
  if (path == "units.json") {
    element labs;
    array a;
    if (Member(j, "labs", &labs) && labs.get(a) == simdjson::SUCCESS)
      for (element l : a)
        if (l.is_object())
          params_.lab_canonical_unit[std::string(Str(l, "test"))] =
              std::string(Str(l, "canonical"));
    return;
  }
  if (path == "valuesets/fhir-parameters.json") {
    element a, u;
    if (Member(j, "anthropometric_units", &a)) {
      if (Member(a, "weight_kg", &u)) params_.weight_units = Units(u);
      if (Member(a, "height_cm", &u)) params_.height_units = Units(u);
    }
    for (auto& s : UnitList(j, "score_units", "units")) params_.score_units.push_back(s);
    for (auto& s : UnitList(j, "percent_units", "units")) params_.percent_units.push_back(s);
    for (auto& s : UnitList(j, "bmd_units", "units")) params_.bmd_units.push_back(s);
    if (element l, u; Member(j, "lsc_extension", &l) && Member(l, "url", &u)) {
      std::string_view url;
      if (u.get(url) == simdjson::SUCCESS) params_.lsc_extension_url = std::string(url);
    }
    params_.menopause_age_cutoff_years = IntValue(j, "menopause_age_cutoff_years", -1);
    params_.fracture_merge_window_days = IntValue(j, "fracture_merge_window_days", -1);
    element st, vals;
    object o;
    if (Member(j, "stale_after_days", &st) && Member(st, "values", &vals) &&
        vals.get(o) == simdjson::SUCCESS)
      for (auto [k, v] : o) {
        int64_t days = 0;
        if (v.is_int64() && v.get(days) == simdjson::SUCCESS)
          params_.stale_after_days[std::string(k)] = static_cast<int>(days);
      }
    return;
  }

  // One concept per entry. Its strings are copied out of the document (reused for the next
  // file); consecutive entries mostly share their value, which is then kept once.
  enum class Section { kCodes, kPrefixes, kNames };
  auto read = [&](object e, Section section) {
    Concept c;
    std::string_view domain, system, code, prefix, pattern, source;
    for (auto [k, v] : e) {
      std::string_view s;
      const bool is_str = v.get(s) == simdjson::SUCCESS;
      if (k == "domain")
        domain = is_str ? s : std::string_view();
      else if (k == "value")
        c.value = is_str ? s : std::string_view();
      else if (k == "system")
        system = is_str ? s : std::string_view();
      else if (k == "code")
        code = is_str ? s : std::string_view();
      else if (k == "prefix")
        prefix = is_str ? s : std::string_view();
      else if (k == "pattern")
        pattern = is_str ? s : std::string_view();
      else if (k == "kind")
        c.kind = is_str ? s : std::string_view();
      else if (k == "stage")
        c.stage = is_str ? s : std::string_view();
      else if (k == "route")
        c.route = is_str ? s : std::string_view();
      else if (k == "note")
        c.note = is_str ? s : std::string_view();
      else if (k == "source")
        source = is_str ? s : std::string_view();
      else if (k == "prednisone_mg_per_mg") {
        double f = 0;
        c.prednisone_mg_per_mg = v.get(f) == simdjson::SUCCESS ? f : 0;
      } else if (k == "osteoporotic" || k == "unsited") {
        bool b = false;
        if (v.get(b) != simdjson::SUCCESS) {
          problems->push_back(std::string(path) + ": " + std::string(k) + " must be a boolean");
          return;
        }
        (k == "osteoporotic" ? c.osteoporotic : c.unsited) = b;
      }
    }
    if (!ParseDomain(domain, &c.domain)) {
      problems->push_back(std::string(path) + ": unknown domain " + std::string(domain));
      return;
    }
    c.lab_code_rule = source.find("FHIR-LAB-CODES") != std::string_view::npos;
    const Concept* prev = concepts_.empty() ? nullptr : &concepts_.back();
    auto keep = [&](std::string_view s, std::string_view Concept::*field) {
      return prev && prev->*field == s ? prev->*field : storage_->Keep(s);
    };
    c.value = keep(c.value, &Concept::value);
    c.kind = keep(c.kind, &Concept::kind);
    c.stage = keep(c.stage, &Concept::stage);
    c.route = keep(c.route, &Concept::route);
    c.note = keep(c.note, &Concept::note);
    const int index = static_cast<int>(concepts_.size());
    if (section == Section::kNames) {
      c.by_name = true;
      names_.emplace_back(storage_->Keep(Lower(pattern)), index);
    } else {
      std::string_view key = section == Section::kCodes ? code : prefix;
      key = NeedsNormalising(system, key) ? storage_->Keep(NormaliseCode(system, key))
                                          : storage_->Keep(key);
      (section == Section::kCodes ? by_code_ : by_prefix_)
          .push_back({key, SystemId(system), index});
    }
    concepts_.push_back(c);
  };
  const size_t codes_from = by_code_.size(), prefixes_from = by_prefix_.size();
  // The sections in this order whatever their order in the file.
  static constexpr std::pair<std::string_view, Section> kSections[] = {
      {"codes", Section::kCodes}, {"prefixes", Section::kPrefixes}, {"names", Section::kNames}};
  for (const auto& [name, section] : kSections) {
    element m;
    array a;
    if (!Member(j, name, &m) || m.get(a) != simdjson::SUCCESS) continue;
    for (element x : a) {
      object e;
      if (x.get(e) != simdjson::SUCCESS) continue;
      read(e, section);
    }
  }
  // Sorted by (code, system); stable, so that one key's concepts keep their file order.
  auto less = [](const Key& a, const Key& b) {
    return KeyLess(a.code, a.system, b.code, b.system);
  };
  for (auto [keys, from] :
       {std::pair{&by_code_, codes_from}, std::pair{&by_prefix_, prefixes_from}}) {
    auto mid = keys->begin() + static_cast<std::ptrdiff_t>(from);
    std::stable_sort(mid, keys->end(), less);
    std::inplace_merge(keys->begin(), mid, keys->end(), less);
  }
}

bool CodeTables::IsTableFile(std::string_view path) {
  return (path.starts_with("valuesets/") && path.ends_with(".json")) || path == "units.json";
}

CodeTables CodeTables::Build(std::span<const EmbeddedFile> files,
                             std::vector<std::string>* problems) {
  CodeTables t;
  Loader loader;
  size_t largest = 0;
  for (const auto& f : files)
    if (IsTableFile(f.path)) largest = std::max(largest, f.content.size());
  loader.buffer = std::make_unique_for_overwrite<char[]>(largest + simdjson::SIMDJSON_PADDING);
  loader.capacity = largest;
  // Room for every entry the files could hold (one is at least 16 bytes of JSON): the vectors
  // then never grow, and the pages of the unused capacity are never touched.
  size_t total = 0;
  for (const auto& f : files)
    if (IsTableFile(f.path)) total += f.content.size();
  t.concepts_.reserve(total / 16);
  t.by_code_.reserve(total / 16);
  for (const auto& f : files)
    if (IsTableFile(f.path)) t.Load(loader, f.path, f.content, problems);
  return t;
}

const CodeTables& CodeTables::Get() {
  static const CodeTables tables = [] {
    std::vector<std::string> problems;
    CodeTables t = Build(EmbeddedKnowledgeFiles(), &problems);
    // A defect of the build, not of the user's data: report it and carry on with what loaded
    // (knowledge check validates these files in CI).
    for (const auto& p : problems) std::fprintf(stderr, "bonepath: value sets: %s\n", p.c_str());
    return t;
  }();
  return tables;
}

void CodeTables::Find(const std::vector<Key>& keys, int system, std::string_view code,
                      std::vector<int>* out) const {
  auto it = std::lower_bound(keys.begin(), keys.end(), code, [&](const Key& k, std::string_view c) {
    return KeyLess(k.code, k.system, c, system);
  });
  for (; it != keys.end() && it->code == code && it->system == system; ++it)
    out->push_back(it->concept_index);
}

std::vector<const Concept*> CodeTables::Lookup(std::string_view system,
                                               std::string_view code) const {
  std::vector<const Concept*> out;
  if (code.empty()) return out;
  std::string_view sys = SystemKey(system);
  if (sys.empty()) return out;
  const int sys_id = FindSystem(sys);
  if (sys_id < 0) return out;
  const std::string norm = NormaliseCode(sys, code);
  std::vector<int> hits;
  Find(by_code_, sys_id, norm, &hits);
  for (int i : hits) out.push_back(&concepts_[i]);
  if (IsIcd(sys)) {
    // Longest matching prefix per domain wins (S525 wrist before S52 forearm).
    std::vector<Domain> seen;
    for (const auto& c : out) seen.push_back(c->domain);
    for (size_t n = norm.size(); n >= 3; --n) {
      hits.clear();
      Find(by_prefix_, sys_id, std::string_view(norm).substr(0, n), &hits);
      if (hits.empty()) continue;
      std::vector<Domain> added;
      for (int i : hits) {
        const Concept& c = concepts_[i];
        bool dup = false;
        for (Domain d : seen) dup = dup || d == c.domain;
        if (!dup) {
          out.push_back(&c);
          added.push_back(c.domain);
        }
      }
      seen.insert(seen.end(), added.begin(), added.end());
    }
  }
  return out;
}

std::vector<const Concept*> CodeTables::LookupName(std::string_view text) const {
  std::vector<const Concept*> out;
  if (text.empty()) return out;
  const std::string lower = Lower(text);
  std::vector<std::pair<size_t, int>> hits;
  for (const auto& [pattern, i] : names_)
    if (lower.find(pattern) != std::string::npos) hits.emplace_back(pattern.size(), i);
  // Longest pattern first: "methylprednisolone" before "prednisolone".
  std::stable_sort(hits.begin(), hits.end(), [](auto& a, auto& b) { return a.first > b.first; });
  for (const auto& h : hits) out.push_back(&concepts_[h.second]);
  return out;
}

}  // namespace bp::fhir
