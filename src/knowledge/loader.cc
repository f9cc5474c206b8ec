#include "knowledge/loader.h"

#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string_view>

#include "common/json.h"

// simdjson (rather than nlohmann) because every command loads the knowledge base at start: it
// parses the ~300 KB of core files in well under a millisecond.
namespace bp {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

std::string Str(element j, const char* key) {
  std::string_view v;
  if (j.is_object() && j[key].get(v) == simdjson::SUCCESS) return std::string(v);
  return {};
}

std::vector<std::string> Strings(element j, const char* key) {
  std::vector<std::string> out;
  array a;
  if (!j.is_object() || j[key].get(a) != simdjson::SUCCESS) return out;
  for (element e : a) {
    std::string_view v;
    if (e.get(v) == simdjson::SUCCESS) out.emplace_back(v);
  }
  return out;
}

// The elements of j[key]; none when it is missing or not an array. (A default-constructed
// simdjson array is not an empty one: iterating it crashed on a manifest without "topics".)
std::vector<element> Array(element j, const char* key) {
  std::vector<element> out;
  array a;
  if (!j.is_object() || j[key].get(a) != simdjson::SUCCESS) return out;
  out.reserve(a.size());
  for (element e : a) out.push_back(e);
  return out;
}

Comparator ParseComparator(const std::string& s) {
  if (s == "<") return Comparator::kLt;
  if (s == "<=") return Comparator::kLe;
  if (s == ">") return Comparator::kGt;
  if (s == ">=") return Comparator::kGe;
  if (s == "==") return Comparator::kEq;
  return Comparator::kNone;
}

// A parameter value is a bare number/bool/string, or {"value": ..., "comparator": ...}.
bool ParseValue(element j, ParamValue& out) {
  element v = j;
  if (j.is_object()) {
    if (j["value"].get(v) != simdjson::SUCCESS) return false;
    out.cmp = ParseComparator(Str(j, "comparator"));
  }
  if (v.is_bool()) {
    out.kind = ParamValue::Kind::kBool;
    out.flag = bool(v);
  } else if (v.is_number()) {
    out.kind = ParamValue::Kind::kNumber;
    double d = 0;
    if (v.get_double().get(d) != simdjson::SUCCESS) {
      int64_t i = 0;
      if (v.get_int64().get(i) != simdjson::SUCCESS) return false;
      d = static_cast<double>(i);
    }
    out.number = d;
  } else if (v.is_string()) {
    out.kind = ParamValue::Kind::kText;
    out.text = std::string(std::string_view(v));
  } else {
    return false;
  }
  return true;
}

// A string field's value, or an error naming the rule and the field.
bool FieldString(element v, std::string& out, const std::string& file, const std::string& id,
                 std::string_view key, Errors& errs) {
  std::string_view text;
  if (v.get(text) != simdjson::SUCCESS) {
    errs.push_back({"schema", file, id + ": \"" + std::string(key) + "\" is not a string"});
    return false;
  }
  out.assign(text);
  return true;
}

std::vector<std::string> StringList(element v) {
  std::vector<std::string> out;
  array a;
  if (v.get(a) != simdjson::SUCCESS) return out;
  out.reserve(a.size());
  for (element e : a) {
    std::string_view text;
    if (e.get(text) == simdjson::SUCCESS) out.emplace_back(text);
  }
  return out;
}

// One rule: its fields are read in one pass over the object (a lookup per field was a third of
// a whole `bonepath assess`). A field given twice is CheckJsonFiles' to report.
RuleDef LoadRule(object r, const std::string& topic, const std::string& file, Errors& errs) {
  RuleDef d;
  d.topic = topic;
  std::string_view id;
  if (r["id"].get(id) == simdjson::SUCCESS) d.id.assign(id);
  for (auto field : r) {
    const std::string_view key = field.key;
    const element v = field.value;
    if (key == "id") {
    } else if (key == "title") {
      FieldString(v, d.title, file, d.id, key, errs);
    } else if (key == "statement") {
      FieldString(v, d.statement, file, d.id, key, errs);
    } else if (key == "kind") {
      FieldString(v, d.kind, file, d.id, key, errs);
    } else if (key == "citations") {
      d.citations = StringList(v);
    } else if (key == "seeds") {
      d.seeds = StringList(v);
    } else if (key == "parameters") {
      d.parameters = StringList(v);
    } else if (key == "texts") {
      object texts;
      if (v.get(texts) != simdjson::SUCCESS) {
        errs.push_back({"schema", file, d.id + ": \"texts\" is not an object"});
        continue;
      }
      d.texts.reserve(texts.size());
      for (auto t : texts) {
        std::string_view text;
        if (t.value.get(text) != simdjson::SUCCESS)
          errs.push_back(
              {"schema", file, d.id + ": texts." + std::string(t.key) + " is not a string"});
        else
          d.texts.emplace_back(std::string(t.key), std::string(text));
      }
    } else if (key == "verification") {
      FieldString(v, d.verification, file, d.id, key, errs);
    } else if (key == "verification_note") {
      FieldString(v, d.verification_note, file, d.id, key, errs);
    } else if (key == "review") {
      if (v.is_object()) {
        d.review.status = Str(v, "status");
        d.review.reviewers = Strings(v, "reviewers");
        d.review.last_updated = Str(v, "last_updated");
        d.review.note = Str(v, "note");
      }
    } else if (key == "expressible") {
      bool expressible = true;
      if (v.get(expressible) == simdjson::SUCCESS) d.expressible = expressible;
    } else if (key == "not_expressible_reason") {
      FieldString(v, d.not_expressible_reason, file, d.id, key, errs);
    }
  }
  if (d.id.empty()) errs.push_back({"schema", file, "a rule without \"id\""});
  return d;
}

void LoadRules(element j, const std::string& file, KnowledgeBase& kb, Errors& errs) {
  const std::string topic = Str(j, "topic");
  if (topic.empty()) errs.push_back({"schema", file, "missing \"topic\""});
  array rules;
  if (!j.is_object() || j["rules"].get(rules) != simdjson::SUCCESS) {
    errs.push_back({"schema", file, "missing \"rules\" array"});
    return;
  }
  const std::size_t needed = kb.rules.size() + rules.size();
  if (kb.rules.capacity() < needed) kb.rules.reserve(2 * needed);
  for (element r : rules) {
    object o;
    if (r.get(o) != simdjson::SUCCESS) {
      errs.push_back({"schema", file, "a rule that is not an object"});
      continue;
    }
    kb.rules.push_back(LoadRule(o, topic, file, errs));
  }
}

}  // namespace

Result<KnowledgeBase> LoadKnowledge(std::span<const EmbeddedFile> files) {
  KnowledgeBase kb;
  Errors errs;
  // A bare simdjson parse: these are the files `bonepath knowledge check` has already put through
  // the JSON layer's duplicate-key and depth checks (CheckJsonFiles), and every process loads them.
  simdjson::dom::parser parser;
  for (const auto& f : files) {
    const std::string path(f.path);
    if (path.size() < 5 || path.substr(path.size() - 5) != ".json") continue;
    // Value sets and other modules' tables are parsed by their own readers, only when needed.
    static const std::set<std::string, std::less<>> kCore = {
        "manifest.json", "bibliography.json", "parameters.json", "profiles.json",
        "warnings.json", "drugs.json",        "units.json",      "questions.json"};
    if (!kCore.count(path) && path.rfind("rules/", 0) != 0) continue;
    element j;
    if (parser.parse(f.content.data(), f.content.size()).get(j) != simdjson::SUCCESS) {
      errs.push_back({"invalid_json", path, "not valid JSON"});
      continue;
    }
    if (path == "manifest.json") {
      kb.version = Str(j, "version");
      kb.title = Str(j, "title");
      for (element t : Array(j, "topics"))
        kb.topics.push_back({Str(t, "id"), Str(t, "title"), Str(t, "question")});
    } else if (path == "bibliography.json") {
      for (element r : Array(j, "references"))
        kb.bibliography.push_back(
            {Str(r, "key"), Str(r, "citation"), Str(r, "url"), Str(r, "verified")});
    } else if (path == "parameters.json") {
      for (element p : Array(j, "parameters")) {
        ParameterDef d;
        d.name = Str(p, "name");
        d.unit = Str(p, "unit");
        d.description = Str(p, "description");
        d.citations = Strings(p, "citations");
        d.verification = Str(p, "verification");
        if (!ParseValue(p, d.value))
          errs.push_back({"schema", path, "parameter " + d.name + ": bad value"});
        kb.parameters.push_back(std::move(d));
      }
    } else if (path == "profiles.json") {
      for (element p : Array(j, "profiles")) {
        ProfileDef d;
        d.name = Str(p, "name");
        d.title = Str(p, "title");
        d.description = Str(p, "description");
        object overrides;
        if (p["overrides"].get(overrides) == simdjson::SUCCESS) {
          for (auto field : overrides) {
            ParamValue pv;
            const std::string k(field.key);
            if (!ParseValue(field.value, pv))
              errs.push_back({"schema", path, "profile " + d.name + ": bad value for " + k});
            d.overrides[k] = pv;
          }
        }
        kb.profiles.push_back(std::move(d));
      }
    } else if (path == "warnings.json") {
      for (element w : Array(j, "warnings"))
        kb.warnings.push_back(
            {Str(w, "code"), Str(w, "severity"), Str(w, "title"), Strings(w, "rules")});
    } else if (path == "drugs.json") {
      for (element r : Array(j, "regimens"))
        kb.regimens.push_back({Str(r, "agent"), Str(r, "dose"), Str(r, "route"), Str(r, "interval"),
                               Str(r, "max_duration"), Str(r, "setting"), Strings(r, "rules")});
    } else if (path == "units.json") {
      for (element l : Array(j, "labs")) {
        LabUnits u{Str(l, "test"), Str(l, "canonical"), {}};
        for (element a : Array(l, "accepted")) {
          double factor = 0;
          if (a["factor"].get(factor) != simdjson::SUCCESS) {
            int64_t i = 0;
            if (a["factor"].get(i) == simdjson::SUCCESS) factor = static_cast<double>(i);
          }
          u.accepted.push_back({Str(a, "unit"), factor});
        }
        kb.lab_units.push_back(std::move(u));
      }
    } else if (path == "questions.json") {
      for (element q : Array(j, "questions"))
        kb.questions.push_back({Str(q, "seed"), Str(q, "question"), Str(q, "topic"),
                                Strings(q, "answer_rules"), Str(q, "summary")});
    } else {
      LoadRules(j, path, kb, errs);
    }
  }
  if (kb.version.empty()) errs.push_back({"schema", "manifest.json", "no knowledge version"});
  if (!errs.empty()) return errs;
  kb.BuildIndex();
  return kb;
}

std::vector<KnowledgeProblem> CheckJsonFiles(std::span<const EmbeddedFile> files) {
  std::vector<KnowledgeProblem> out;
  jsonparse::Parser parser;
  for (const auto& f : files) {
    if (!f.path.ends_with(".json")) continue;
    auto parsed = parser.Parse(f.content);
    if (parsed) continue;
    const Error& e = parsed.errors().front();
    out.push_back({std::string(f.path), e.path.empty() ? e.message : e.path + ": " + e.message});
  }
  return out;
}

const KnowledgeBase& EmbeddedKnowledge() {
  // Never destroyed: it is read until the process exits, and freeing its thousands of strings
  // at exit was 5 % of a whole `bonepath assess` (docs/decisions/0003).
  static const KnowledgeBase* const kb = [] {
    auto r = LoadKnowledge(EmbeddedKnowledgeFiles());
    if (!r) {
      for (const auto& e : r.errors())
        std::fprintf(stderr, "bonepath: embedded knowledge: %s: %s\n", e.path.c_str(),
                     e.message.c_str());
      std::abort();
    }
    return new KnowledgeBase(std::move(r).value());
  }();
  return *kb;
}

std::vector<KnowledgeProblem> CheckKnowledge(const KnowledgeBase& kb,
                                             std::span<const std::string_view> implemented) {
  std::vector<KnowledgeProblem> out;
  std::set<std::string, std::less<>> ids;
  for (const auto& r : kb.rules) {
    if (!ids.insert(r.id).second) out.push_back({r.id, "duplicate rule id"});
    if (r.statement.empty()) out.push_back({r.id, "no statement"});
    if (r.citations.empty()) out.push_back({r.id, "no citation"});
    for (const auto& c : r.citations)
      if (!kb.FindReference(c)) out.push_back({r.id, "citation \"" + c + "\" not in bibliography"});
    for (const auto& p : r.parameters)
      if (!kb.FindParameter(p)) out.push_back({r.id, "unknown parameter \"" + p + "\""});
    static const std::set<std::string> kMarks = {"V", "V2", "P", "U"};
    if (!kMarks.count(r.verification))
      out.push_back({r.id, "verification mark must be V, V2, P or U"});
    static const std::set<std::string> kStatus = {"submitted", "under_review", "approved"};
    if (!kStatus.count(r.review.status))
      out.push_back({r.id, "review status must be submitted, under_review or approved"});
    if (r.review.last_updated.empty()) out.push_back({r.id, "review has no last_updated date"});
    if (!r.expressible && r.not_expressible_reason.empty())
      out.push_back({r.id, "not expressible without a reason"});
  }
  std::set<std::string, std::less<>> impl(implemented.begin(), implemented.end());
  for (const auto& r : kb.rules)
    if (r.expressible && !impl.count(r.id))
      out.push_back({r.id, "unreachable: no engine code emits this rule"});
  for (auto id : implemented)
    if (!ids.count(id)) out.push_back({std::string(id), "engine emits a rule the knowledge lacks"});
  std::set<std::string> keys;
  for (const auto& b : kb.bibliography) {
    if (!keys.insert(b.key).second) out.push_back({b.key, "duplicate bibliography key"});
    if (b.citation.empty()) out.push_back({b.key, "bibliography entry without citation"});
  }
  std::set<std::string> pnames;
  for (const auto& p : kb.parameters) {
    if (!pnames.insert(p.name).second) out.push_back({p.name, "duplicate parameter"});
    if (p.value.kind == ParamValue::Kind::kNumber && p.unit.empty())
      out.push_back({p.name, "numeric parameter without a unit"});
    for (const auto& c : p.citations)
      if (!kb.FindReference(c))
        out.push_back({p.name, "citation \"" + c + "\" not in bibliography"});
  }
  for (const auto& pr : kb.profiles)
    for (const auto& [name, v] : pr.overrides) {
      const ParameterDef* def = kb.FindParameter(name);
      if (!def)
        out.push_back({pr.name, "override of unknown parameter \"" + name + "\""});
      else if (def->value.kind != v.kind)
        out.push_back({pr.name, "override of \"" + name + "\" has the wrong type"});
    }
  if (!kb.FindProfile("us-composite")) out.push_back({"profiles.json", "no us-composite profile"});
  for (const auto& w : kb.warnings) {
    if (w.rules.empty()) out.push_back({w.code, "warning code without a rule"});
    for (const auto& r : w.rules)
      if (!ids.count(r)) out.push_back({w.code, "warning names unknown rule \"" + r + "\""});
  }
  for (const auto& q : kb.questions)
    for (const auto& r : q.answer_rules)
      if (!ids.count(r)) out.push_back({"question " + q.seed, "unknown rule \"" + r + "\""});
  for (const auto& g : kb.regimens)
    for (const auto& r : g.rules)
      if (!ids.count(r)) out.push_back({"regimen " + g.agent, "unknown rule \"" + r + "\""});
  for (const auto& u : kb.lab_units)
    for (const auto& a : u.accepted)
      if (a.unit.empty() || a.factor <= 0) out.push_back({u.test, "bad unit conversion"});
  return out;
}

std::vector<KnowledgeProblem> CheckRuleParameters(const KnowledgeBase& kb,
                                                  std::span<const RuleParameterRead> reads) {
  std::vector<KnowledgeProblem> out;
  std::map<std::string, std::set<std::string>, std::less<>> read;
  for (const auto& r : reads) read[std::string(r.rule)].insert(std::string(r.parameter));
  std::set<std::string, std::less<>> known;
  for (const auto& r : kb.rules) {
    known.insert(r.id);
    const std::set<std::string> declared(r.parameters.begin(), r.parameters.end());
    const auto it = read.find(r.id);
    const std::set<std::string> none;
    const std::set<std::string>& code = it == read.end() ? none : it->second;
    for (const auto& p : code)
      if (!declared.count(p))
        out.push_back(
            {r.id, "the code reads parameter \"" + p + "\", which the rule does not list"});
    for (const auto& p : declared)
      if (!code.count(p))
        out.push_back(
            {r.id, "the rule lists parameter \"" + p + "\", which its code does not read"});
  }
  for (const auto& [rule, params] : read)
    if (!known.count(rule))
      out.push_back({rule, "the code reads parameters for a rule the knowledge lacks"});
  return out;
}

std::vector<KnowledgeProblem> CheckTypedParameters(const KnowledgeBase& kb,
                                                   std::span<const TypedParameter> typed) {
  std::vector<KnowledgeProblem> out;
  auto kind_name = [](ParamValue::Kind k) {
    return k == ParamValue::Kind::kNumber ? "a number"
           : k == ParamValue::Kind::kBool ? "a switch (true/false)"
                                          : "a text";
  };
  std::set<std::string_view> bound;
  for (const TypedParameter& t : typed) {
    bound.insert(t.name);
    const ParameterDef* def = kb.FindParameter(std::string(t.name));
    const std::string name(t.name);
    if (!def) {
      out.push_back(
          {name, "the engine's typed profile has this parameter; parameters.json lacks it"});
      continue;
    }
    if (def->value.kind != t.kind)
      out.push_back({name, std::string("parameters.json gives ") + kind_name(def->value.kind) +
                               ", the engine's typed profile takes " + kind_name(t.kind)});
    else if (t.kind == ParamValue::Kind::kNumber && def->unit != t.unit)
      out.push_back({name, "unit \"" + def->unit + "\" in parameters.json, \"" +
                               std::string(t.unit) + "\" in the engine's typed profile"});
  }
  for (const auto& p : kb.parameters)
    if (!bound.count(p.name))
      out.push_back({p.name, "no field of the engine's typed profile takes this parameter"});
  return out;
}

std::vector<KnowledgeProblem> CheckCitedFiles(std::span<const EmbeddedFile> files,
                                              const std::function<bool(std::string_view)>& exists) {
  // The repository's top folders; a path starting anywhere else is outside it.
  static const std::set<std::string_view> kRoots = {
      "knowledge", "docs", "src", "tests", "scripts", "examples", "bench", "fuzz", "cmake"};
  // Folders of the material bonepath is developed from, which does not ship with it.
  static const std::set<std::string_view> kOutside = {"shared", "work", "home",     "tmp",
                                                      "seeds",  "spec", "clinical", "vignettes"};
  static const std::set<std::string_view> kFileTypes = {
      "md", "json", "cc", "h", "sql", "txt", "cmake", "sh", "py", "html", "pdf", "ndjson"};
  std::set<std::string_view> knowledge_files;
  for (const auto& f : files) knowledge_files.insert(f.path);
  auto path_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '/' || c == '-';
  };
  std::vector<KnowledgeProblem> out;
  for (const auto& f : files) {
    const std::string_view text = f.content;
    std::set<std::string_view> seen;
    for (std::size_t i = 0; i < text.size();) {
      if (!path_char(text[i])) {
        ++i;
        continue;
      }
      std::size_t end = i;
      while (end < text.size() && path_char(text[end])) ++end;
      std::string_view tok = text.substr(i, end - i);
      const bool url = i > 0 && text[i - 1] == ':' && tok.starts_with("//");
      i = end;
      while (!tok.empty() && (tok.back() == '.' || tok.back() == '-')) tok.remove_suffix(1);
      if (url || tok.find('/') == std::string_view::npos || !seen.insert(tok).second) continue;
      const std::string_view first = tok.substr(0, tok.find('/'));
      const std::string_view last = tok.substr(tok.rfind('/') + 1);
      const auto dot = last.rfind('.');
      const bool has_type = dot != std::string_view::npos && kFileTypes.count(last.substr(dot + 1));
      const bool rooted = (tok.starts_with("/") || tok.starts_with("../")) && has_type;
      const bool outside = rooted || kOutside.count(first);
      if (!has_type && !outside) continue;  // "mL/min", "Observation/abc"
      const std::string where(f.path);
      if (knowledge_files.count(tok)) continue;  // relative to knowledge/
      if (outside) {
        out.push_back({where, "names \"" + std::string(tok) +
                                  "\", a file outside the repository: cite the project's own "
                                  "docs (e.g. docs/conventions.md)"});
      } else if (!kRoots.count(first)) {
        continue;  // a path inside another distribution (a measure package's bundle)
      } else if (first == "knowledge") {
        if (!knowledge_files.count(tok.substr(first.size() + 1)))
          out.push_back({where, "names \"" + std::string(tok) + "\", not a knowledge file"});
      } else if (exists && !exists(tok)) {
        out.push_back({where, "names \"" + std::string(tok) + "\", not in the repository"});
      }
    }
  }
  return out;
}

}  // namespace bp
