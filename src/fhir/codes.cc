#include "fhir/codes.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "knowledge/embedded.h"

namespace bp::fhir {
namespace {

using json = nlohmann::json;

std::string Str(const json& j, const char* key) {
  if (auto it = j.find(key); it != j.end() && it->is_string()) return it->get<std::string>();
  return {};
}

bool ParseDomain(const std::string& s, Domain* d) {
  static const std::pair<const char*, Domain> kNames[] = {{"condition", Domain::kCondition},
                                                          {"fracture", Domain::kFracture},
                                                          {"dxa", Domain::kDxa},
                                                          {"dxa_panel", Domain::kDxaPanel},
                                                          {"lab", Domain::kLab},
                                                          {"vital", Domain::kVital},
                                                          {"agent", Domain::kAgent},
                                                          {"menopause", Domain::kMenopause},
                                                          {"intolerance", Domain::kIntolerance}};
  for (const auto& [n, v] : kNames)
    if (s == n) {
      *d = v;
      return true;
    }
  return false;
}

bool IsIcd(std::string_view sys) { return sys.rfind("icd10", 0) == 0; }

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

std::vector<UnitFactor> Units(const json& arr) {
  std::vector<UnitFactor> out;
  if (!arr.is_array()) return out;
  for (const auto& u : arr)
    if (u.is_object() && u.contains("factor") && u["factor"].is_number())
      out.push_back({NormaliseUnit(Str(u, "unit")), u["factor"].get<double>()});
  return out;
}

}  // namespace

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

void CodeTables::Load(std::string_view path, std::string_view content,
                      std::vector<std::string>* problems) {
  json j = json::parse(content, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    problems->push_back(std::string(path) + ": not valid JSON");
    return;
  }
  try {
    if (path == "units.json") {
      const json labs = j.value("labs", json::array());
      for (const auto& l : labs)
        if (l.is_object()) params_.lab_canonical_unit[Str(l, "test")] = Str(l, "canonical");
      return;
    }
    if (path == "valuesets/fhir-parameters.json") {
      if (j.contains("anthropometric_units")) {
        const auto& a = j["anthropometric_units"];
        params_.weight_units = Units(a.value("weight_kg", json::array()));
        params_.height_units = Units(a.value("height_cm", json::array()));
      }
      const json score = j.value("score_units", json::object()).value("units", json::array());
      for (const auto& u : score)
        if (u.is_string()) params_.score_units.push_back(NormaliseUnit(u.get<std::string>()));
      const json pct = j.value("percent_units", json::object()).value("units", json::array());
      for (const auto& u : pct)
        if (u.is_string()) params_.percent_units.push_back(NormaliseUnit(u.get<std::string>()));
      params_.menopause_age_cutoff_years =
          j.value("menopause_age_cutoff_years", json::object()).value("value", -1);
      params_.fracture_merge_window_days =
          j.value("fracture_merge_window_days", json::object()).value("value", -1);
      // Named copies: a range-for over .items() of a temporary would dangle.
      const json stale =
          j.value("stale_after_days", json::object()).value("values", json::object());
      for (const auto& [k, v] : stale.items())
        if (v.is_number_integer()) params_.stale_after_days[k] = v.get<int>();
      return;
    }
    auto read = [&](const json& e, Concept* c) {
      if (!ParseDomain(Str(e, "domain"), &c->domain)) {
        problems->push_back(std::string(path) + ": unknown domain " + Str(e, "domain"));
        return false;
      }
      c->value = Str(e, "value");
      c->kind = Str(e, "kind");
      c->stage = Str(e, "stage");
      c->route = Str(e, "route");
      c->ingredient = Str(e, "ingredient");
      c->note = Str(e, "note");
      c->source = Str(e, "source");
      if (auto it = e.find("prednisone_mg_per_mg"); it != e.end() && it->is_number())
        c->prednisone_mg_per_mg = it->get<double>();
      c->osteoporotic = e.value("osteoporotic", false);
      c->unsited = e.value("unsited", false);
      return true;
    };
    const json codes = j.value("codes", json::array());
    const json prefixes = j.value("prefixes", json::array());
    const json names = j.value("names", json::array());
    for (const auto& e : codes) {
      Concept c;
      if (!read(e, &c)) continue;
      const std::string sys = Str(e, "system");
      concepts_.push_back(std::move(c));
      by_code_[sys + "|" + NormaliseCode(sys, Str(e, "code"))].push_back(
          static_cast<int>(concepts_.size() - 1));
    }
    for (const auto& e : prefixes) {
      Concept c;
      if (!read(e, &c)) continue;
      const std::string sys = Str(e, "system");
      concepts_.push_back(std::move(c));
      by_prefix_[sys + "|" + NormaliseCode(sys, Str(e, "prefix"))].push_back(
          static_cast<int>(concepts_.size() - 1));
    }
    for (const auto& e : names) {
      Concept c;
      if (!read(e, &c)) continue;
      c.by_name = true;
      concepts_.push_back(std::move(c));
      names_.emplace_back(Lower(Str(e, "pattern")), static_cast<int>(concepts_.size() - 1));
    }
  } catch (const json::exception& e) {
    problems->push_back(std::string(path) + ": " + e.what());
  }
}

const CodeTables& CodeTables::Get() {
  static const CodeTables tables = [] {
    CodeTables t;
    std::vector<std::string> problems;
    for (const auto& f : EmbeddedKnowledgeFiles())
      if ((f.path.rfind("valuesets/", 0) == 0 && f.path.size() > 5 &&
           f.path.substr(f.path.size() - 5) == ".json") ||
          f.path == "units.json")
        t.Load(f.path, f.content, &problems);
    // A defect of the build, not of the user's data: report it and carry on with what loaded
    // (knowledge check validates these files in CI).
    for (const auto& p : problems) std::fprintf(stderr, "bonepath: value sets: %s\n", p.c_str());
    return t;
  }();
  return tables;
}

std::vector<const Concept*> CodeTables::Lookup(std::string_view system,
                                               std::string_view code) const {
  std::vector<const Concept*> out;
  if (code.empty()) return out;
  std::string_view sys = SystemKey(system);
  if (sys.empty()) return out;
  const std::string norm = NormaliseCode(sys, code);
  const std::string key = std::string(sys) + "|";
  if (auto it = by_code_.find(key + norm); it != by_code_.end())
    for (int i : it->second) out.push_back(&concepts_[i]);
  if (IsIcd(sys)) {
    // Longest matching prefix per domain wins (S525 wrist before S52 forearm).
    std::vector<Domain> seen;
    for (const auto& c : out) seen.push_back(c->domain);
    for (size_t n = norm.size(); n >= 3; --n) {
      auto it = by_prefix_.find(key + norm.substr(0, n));
      if (it == by_prefix_.end()) continue;
      std::vector<Domain> added;
      for (int i : it->second) {
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
