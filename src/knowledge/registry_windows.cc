#include "knowledge/registry_windows.h"

#include <simdjson.h>

#include "common/json.h"

namespace bp::registry {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;

constexpr const char* kFile = "registry.json";

// Reads the fields of registry.json, collecting one error per bad field.
class Reader {
 public:
  Errors errors;

  bool Int(element o, const char* key, const std::string& path, int* out, bool required) {
    element v;
    if (o[key].get(v) != simdjson::SUCCESS) {
      if (required) Fail(jsonparse::JoinKey(path, key), "required");
      return false;
    }
    int64_t i = 0;
    if (v.get(i) != simdjson::SUCCESS || i < 0 || i > 100000) {
      Fail(jsonparse::JoinKey(path, key), "must be a non-negative integer");
      return false;
    }
    *out = static_cast<int>(i);
    return true;
  }

  std::string Str(element o, const char* key, const std::string& path, bool required) {
    element v;
    std::string_view s;
    if (o[key].get(v) != simdjson::SUCCESS) {
      if (required) Fail(jsonparse::JoinKey(path, key), "required");
      return {};
    }
    if (v.get(s) != simdjson::SUCCESS || s.empty()) {
      Fail(jsonparse::JoinKey(path, key), "must be a non-empty string");
      return {};
    }
    return std::string(s);
  }

  std::vector<std::string> Strings(element o, const char* key, const std::string& path) {
    std::vector<std::string> out;
    element v;
    if (o[key].get(v) != simdjson::SUCCESS) return out;
    array a;
    if (v.get(a) != simdjson::SUCCESS) {
      Fail(jsonparse::JoinKey(path, key), "must be an array of strings");
      return out;
    }
    std::size_t i = 0;
    for (element e : a) {
      std::string_view s;
      if (e.get(s) != simdjson::SUCCESS)
        Fail(jsonparse::JoinIndex(jsonparse::JoinKey(path, key), i), "must be a string");
      else
        out.emplace_back(s);
      ++i;
    }
    return out;
  }

  bool Object(element o, const char* key, const std::string& path, element* out) {
    if (o[key].get(*out) != simdjson::SUCCESS) {
      Fail(jsonparse::JoinKey(path, key), "required");
      return false;
    }
    if (!out->is_object()) {
      Fail(jsonparse::JoinKey(path, key), "must be an object");
      return false;
    }
    return true;
  }

  Period ReadPeriod(element o, const char* key, const std::string& path) {
    Period p;
    element v;
    if (!Object(o, key, path, &v)) return p;
    const std::string at = jsonparse::JoinKey(path, key);
    const bool months = Int(v, "months", at, &p.months, false);
    const bool days = Int(v, "days", at, &p.days, false);
    if (!months && !days) Fail(at, "needs months or days");
    return p;
  }

  void Fail(std::string path, std::string message) {
    errors.push_back({"schema", std::string(kFile) + ": " + path, std::move(message)});
  }
};

}  // namespace

std::string Period::ToString() const {
  std::string out;
  if (months) out = std::to_string(months) + (months == 1 ? " month" : " months");
  if (days) {
    if (!out.empty()) out += " ";
    out += std::to_string(days) + (days == 1 ? " day" : " days");
  }
  return out.empty() ? "0 days" : out;
}

const AgentWindow* Windows::Find(std::string_view agent) const {
  for (const auto& a : agents)
    if (a.agent == agent) return &a;
  return nullptr;
}

Result<Windows> ParseWindows(std::string_view text) {
  auto doc = jsonparse::Parse(text);
  if (!doc) {
    Errors errs = doc.errors();
    for (auto& e : errs) e.path = e.path.empty() ? kFile : std::string(kFile) + ": " + e.path;
    return errs;
  }
  const element j = doc->root();
  if (!j.is_object()) return Error{"schema", kFile, "must be a JSON object"};
  Reader r;
  Windows w;
  r.Int(j, "within_default_days", "", &w.within_default_days, true);
  r.Int(j, "booking_horizon_months", "", &w.booking_horizon_months, true);
  w.sources = r.Strings(j, "sources", "");
  element agents;
  array list;
  if (j["agents"].get(agents) != simdjson::SUCCESS || agents.get(list) != simdjson::SUCCESS) {
    r.Fail("agents", "required, an array");
  } else {
    std::size_t i = 0;
    for (element a : list) {
      const std::string at = jsonparse::JoinIndex("agents", i++);
      if (!a.is_object()) {
        r.Fail(at, "must be an object");
        continue;
      }
      AgentWindow aw;
      aw.agent = r.Str(a, "agent", at, true);
      aw.label = r.Str(a, "label", at, false);
      if (aw.label.empty()) aw.label = aw.agent;
      aw.due_after = r.ReadPeriod(a, "due_after", at);
      aw.overdue_after = r.ReadPeriod(a, "overdue_after", at);
      int max_doses = 0;
      if (r.Int(a, "max_doses", at, &max_doses, false)) aw.max_doses = max_doses;
      r.Int(a, "urgency_rank", at, &aw.urgency_rank, false);
      aw.route = r.Str(a, "route", at, true);
      aw.rules = r.Strings(a, "rules", at);
      aw.sources = r.Strings(a, "sources", at);
      w.agents.push_back(std::move(aw));
    }
  }
  element al;
  if (r.Object(j, "alerts", "", &al)) {
    element warnings;
    array wl;
    if (al["engine_warnings"].get(warnings) != simdjson::SUCCESS ||
        warnings.get(wl) != simdjson::SUCCESS) {
      r.Fail("alerts.engine_warnings", "required, an array");
    } else {
      std::size_t i = 0;
      for (element x : wl) {
        const std::string at = jsonparse::JoinIndex("alerts.engine_warnings", i++);
        if (!x.is_object()) {
          r.Fail(at, "must be an object");
          continue;
        }
        Windows::AlertWarning aw{r.Str(x, "code", at, true), r.Str(x, "min_severity", at, false)};
        if (aw.min_severity.empty()) aw.min_severity = "info";
        w.alert_warnings.push_back(std::move(aw));
      }
    }
    w.anabolic_agents = r.Strings(al, "anabolic_agents", "alerts");
    w.antiresorptive_agents = r.Strings(al, "antiresorptive_agents", "alerts");
    r.Int(al, "anabolic_ending_within_doses", "alerts", &w.anabolic_ending_within_doses, false);
    w.alert_rules = r.Strings(al, "rules", "alerts");
  }
  if (!r.errors.empty()) return r.errors;
  return w;
}

Result<Windows> LoadWindows(std::span<const EmbeddedFile> files) {
  for (const EmbeddedFile& f : files)
    if (f.path == kFile) return ParseWindows(f.content);
  return Error{"schema", kFile, "missing"};
}

}  // namespace bp::registry
