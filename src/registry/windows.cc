#include "registry/windows.h"

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "knowledge/embedded.h"

namespace bp::registry {
namespace {

using json = nlohmann::json;

Period ParsePeriod(const json& j) {
  Period p;
  p.months = j.value("months", 0);
  p.days = j.value("days", 0);
  return p;
}

std::vector<std::string> Strings(const json& j, const char* key) {
  std::vector<std::string> out;
  if (j.contains(key)) {
    for (const auto& s : j.at(key)) out.push_back(s.get<std::string>());
  }
  return out;
}

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
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Error{"invalid_json", "registry.json", "not a JSON object"};
  }
  try {
    Windows w;
    w.within_default_days = j.at("within_default_days").get<int>();
    w.booking_horizon_months = j.at("booking_horizon_months").get<int>();
    for (const auto& a : j.at("agents")) {
      AgentWindow aw;
      aw.agent = a.at("agent").get<std::string>();
      aw.label = a.value("label", aw.agent);
      aw.due_after = ParsePeriod(a.at("due_after"));
      aw.overdue_after = ParsePeriod(a.at("overdue_after"));
      if (a.contains("max_doses")) aw.max_doses = a.at("max_doses").get<int>();
      aw.urgency_rank = a.value("urgency_rank", 99);
      aw.route = a.at("route").get<std::string>();
      aw.rules = Strings(a, "rules");
      w.agents.push_back(std::move(aw));
    }
    const json& al = j.at("alerts");
    for (const auto& x : al.at("engine_warnings")) {
      w.alert_warnings.push_back(
          {x.at("code").get<std::string>(), x.value("min_severity", std::string("info"))});
    }
    w.anabolic_agents = Strings(al, "anabolic_agents");
    w.antiresorptive_agents = Strings(al, "antiresorptive_agents");
    w.anabolic_ending_within_doses = al.value("anabolic_ending_within_doses", 0);
    w.alert_rules = Strings(al, "rules");
    return w;
  } catch (const std::exception& e) {
    return Error{"schema", "registry.json", e.what()};
  }
}

const Windows& EmbeddedWindows() {
  static const Windows w = [] {
    for (const EmbeddedFile& f : EmbeddedKnowledgeFiles()) {
      if (f.path != "registry.json") continue;
      auto r = ParseWindows(f.content);
      if (r) return std::move(r).value();
      std::fprintf(stderr, "bonepath: embedded knowledge: registry.json: %s\n",
                   r.error().message.c_str());
      std::abort();
    }
    std::fprintf(stderr, "bonepath: embedded knowledge: registry.json is missing\n");
    std::abort();
  }();
  return w;
}

}  // namespace bp::registry
