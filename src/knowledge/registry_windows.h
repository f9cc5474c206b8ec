// The registry's dosing windows (knowledge/registry.json): when a dose is due, when it is
// overdue, the most doses of a course, the booking horizon and which engine warnings are registry
// alerts. Read by the knowledge library like every other knowledge file, so `bonepath knowledge
// check` vouches for it; only the commands that keep a registry load it (registry/windows.h).
//
// Contract: registry.json is parsed with the JSON layer's checks (duplicate keys, depth); every
// required field present with its type, every period and count non-negative, or an error naming
// the field (`agents[2].due_after.months`).
//
// Thread safety: pure functions over their arguments.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/date.h"
#include "common/result.h"
#include "knowledge/embedded.h"

namespace bp::registry {

// A calendar period: months first (clamped to the month's end), then days.
struct Period {
  int months = 0;
  int days = 0;
  Date After(Date d) const { return d.AddMonths(months).AddDays(days); }
  std::string ToString() const;  // "6 months", "3 months 14 days", "35 days"
};

struct AgentWindow {
  std::string agent;  // wire name of domain/enums.h Agent
  std::string label;
  Period due_after;
  Period overdue_after;
  std::optional<int> max_doses;
  int urgency_rank = 99;  // 1 is the most urgent drug when equally late
  std::string route;      // the route followed (ibandronate: intravenous only) and recorded
  std::vector<std::string> rules;
  std::vector<std::string> sources;  // bibliography keys
};

struct Windows {
  int within_default_days = 0;
  int booking_horizon_months = 0;
  std::vector<AgentWindow> agents;
  struct AlertWarning {
    std::string code;
    std::string min_severity;  // info, warning, critical
  };
  std::vector<AlertWarning> alert_warnings;
  std::vector<std::string> anabolic_agents;
  std::vector<std::string> antiresorptive_agents;
  int anabolic_ending_within_doses = 0;
  std::vector<std::string> alert_rules;
  std::vector<std::string> sources;  // bibliography keys

  const AgentWindow* Find(std::string_view agent) const;
};

// Parses registry.json's content.
Result<Windows> ParseWindows(std::string_view json_text);
// Finds registry.json among knowledge files (path relative to knowledge/) and parses it.
Result<Windows> LoadWindows(std::span<const EmbeddedFile> files);

}  // namespace bp::registry
