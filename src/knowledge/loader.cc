#include "knowledge/loader.h"

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>

namespace bp {
namespace {

using json = nlohmann::json;

std::vector<std::string> Strings(const json& j, const char* key) {
  std::vector<std::string> out;
  if (auto it = j.find(key); it != j.end() && it->is_array())
    for (const auto& s : *it)
      if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

std::string Str(const json& j, const char* key) {
  if (auto it = j.find(key); it != j.end() && it->is_string()) return it->get<std::string>();
  return {};
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
bool ParseValue(const json& j, ParamValue& out) {
  const json* v = &j;
  if (j.is_object()) {
    if (!j.contains("value")) return false;
    v = &j.at("value");
    out.cmp = ParseComparator(Str(j, "comparator"));
  }
  if (v->is_boolean()) {
    out.kind = ParamValue::Kind::kBool;
    out.flag = v->get<bool>();
  } else if (v->is_number()) {
    out.kind = ParamValue::Kind::kNumber;
    out.number = v->get<double>();
  } else if (v->is_string()) {
    out.kind = ParamValue::Kind::kText;
    out.text = v->get<std::string>();
  } else {
    return false;
  }
  return true;
}

void LoadRules(const json& j, const std::string& file, KnowledgeBase& kb, Errors& errs) {
  const std::string topic = Str(j, "topic");
  if (topic.empty()) errs.push_back({"schema", file, "missing \"topic\""});
  if (!j.contains("rules") || !j["rules"].is_array()) {
    errs.push_back({"schema", file, "missing \"rules\" array"});
    return;
  }
  for (const auto& r : j["rules"]) {
    RuleDef d;
    d.id = Str(r, "id");
    d.topic = topic;
    d.title = Str(r, "title");
    d.statement = Str(r, "statement");
    d.kind = Str(r, "kind");
    d.citations = Strings(r, "citations");
    d.seeds = Strings(r, "seeds");
    d.parameters = Strings(r, "parameters");
    d.verification = Str(r, "verification");
    d.verification_note = Str(r, "verification_note");
    if (r.contains("review") && r["review"].is_object()) {
      const auto& rv = r["review"];
      d.review.status = Str(rv, "status");
      d.review.reviewers = Strings(rv, "reviewers");
      d.review.last_updated = Str(rv, "last_updated");
      d.review.note = Str(rv, "note");
    }
    if (r.contains("expressible") && r["expressible"].is_boolean())
      d.expressible = r["expressible"].get<bool>();
    d.not_expressible_reason = Str(r, "not_expressible_reason");
    if (d.id.empty()) errs.push_back({"schema", file, "a rule without \"id\""});
    kb.rules.push_back(std::move(d));
  }
}

}  // namespace

Result<KnowledgeBase> LoadKnowledge(std::span<const EmbeddedFile> files) {
  KnowledgeBase kb;
  Errors errs;
  for (const auto& f : files) {
    const std::string path(f.path);
    if (path.size() < 5 || path.substr(path.size() - 5) != ".json") continue;
    json j = json::parse(f.content, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      errs.push_back({"invalid_json", path, "not valid JSON"});
      continue;
    }
    try {
      if (path == "manifest.json") {
        kb.version = Str(j, "version");
        kb.title = Str(j, "title");
        const json topics = j.value("topics", json::array());
        for (const auto& t : topics)
          kb.topics.push_back({Str(t, "id"), Str(t, "title"), Str(t, "question")});
      } else if (path == "bibliography.json") {
        for (const auto& r : j.at("references"))
          kb.bibliography.push_back(
              {Str(r, "key"), Str(r, "citation"), Str(r, "url"), Str(r, "verified")});
      } else if (path == "parameters.json") {
        for (const auto& p : j.at("parameters")) {
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
        for (const auto& p : j.at("profiles")) {
          ProfileDef d;
          d.name = Str(p, "name");
          d.title = Str(p, "title");
          d.description = Str(p, "description");
          const json overrides = p.value("overrides", json::object());
          for (const auto& [k, v] : overrides.items()) {
            ParamValue pv;
            if (!ParseValue(v, pv))
              errs.push_back({"schema", path, "profile " + d.name + ": bad value for " + k});
            d.overrides[k] = pv;
          }
          kb.profiles.push_back(std::move(d));
        }
      } else if (path == "warnings.json") {
        for (const auto& w : j.at("warnings"))
          kb.warnings.push_back(
              {Str(w, "code"), Str(w, "severity"), Str(w, "title"), Strings(w, "rules")});
      } else if (path == "drugs.json") {
        for (const auto& r : j.at("regimens"))
          kb.regimens.push_back({Str(r, "agent"), Str(r, "dose"), Str(r, "route"),
                                 Str(r, "interval"), Str(r, "max_duration"), Str(r, "setting"),
                                 Strings(r, "rules")});
      } else if (path == "units.json") {
        for (const auto& l : j.at("labs")) {
          LabUnits u{Str(l, "test"), Str(l, "canonical"), {}};
          for (const auto& a : l.at("accepted"))
            u.accepted.push_back({Str(a, "unit"), a.at("factor").get<double>()});
          kb.lab_units.push_back(std::move(u));
        }
      } else if (path == "questions.json") {
        for (const auto& q : j.at("questions"))
          kb.questions.push_back({Str(q, "seed"), Str(q, "question"), Str(q, "topic"),
                                  Strings(q, "answer_rules"), Str(q, "summary")});
      } else if (path.rfind("rules/", 0) == 0) {
        LoadRules(j, path, kb, errs);
      }
      // Other files (value sets, FHIR mappings) are read by their own modules.
    } catch (const json::exception& e) {
      errs.push_back({"schema", path, e.what()});
    }
  }
  if (kb.version.empty()) errs.push_back({"schema", "manifest.json", "no knowledge version"});
  if (!errs.empty()) return errs;
  return kb;
}

const KnowledgeBase& EmbeddedKnowledge() {
  static const KnowledgeBase kb = [] {
    auto r = LoadKnowledge(EmbeddedKnowledgeFiles());
    if (!r) {
      for (const auto& e : r.errors())
        std::fprintf(stderr, "bonepath: embedded knowledge: %s: %s\n", e.path.c_str(),
                     e.message.c_str());
      std::abort();
    }
    return std::move(r).value();
  }();
  return kb;
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
      if (!kb.FindReference(c)) out.push_back({p.name, "citation \"" + c + "\" not in bibliography"});
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

}  // namespace bp
