// The registry's dosing windows (knowledge/registry.json, embedded at build time): when a dose
// is due, when it is overdue, the most doses of a course, the booking horizon and which engine
// warnings are registry alerts. No clinical number is written in the registry's code.
//
// Thread safety: EmbeddedWindows() builds once and is then read-only.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/date.h"
#include "common/result.h"

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

  const AgentWindow* Find(std::string_view agent) const;
};

// Parses registry.json's content.
Result<Windows> ParseWindows(std::string_view json_text);
// The windows compiled into this binary; aborts with a message if registry.json is missing or
// malformed (a build defect, caught by the tests).
const Windows& EmbeddedWindows();

}  // namespace bp::registry
