#include "knowledge/registry_windows.h"

#include <gtest/gtest.h>

#include <string>

#include "knowledge/embedded.h"

namespace bp::registry {
namespace {

std::string Minimal(const std::string& agent_extra = "", const std::string& top_extra = "") {
  return R"({"within_default_days": 30, "booking_horizon_months": 18, )" + top_extra +
         R"("agents": [{"agent": "denosumab", "due_after": {"months": 6},
                          "overdue_after": {"months": 7}, "route": "subcutaneous")" +
         agent_extra + R"(}],
           "alerts": {"engine_warnings": [{"code": "denosumab_dose_overdue"}]}})";
}

TEST(RegistryWindows, ParsesTheFields) {
  auto w = ParseWindows(Minimal(R"(, "max_doses": 12, "rules": ["DMAB-DUE"])"));
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(w->within_default_days, 30);
  ASSERT_EQ(w->agents.size(), 1u);
  EXPECT_EQ(w->agents[0].label, "denosumab");  // defaults to the agent
  EXPECT_EQ(w->agents[0].due_after.months, 6);
  EXPECT_EQ(w->agents[0].max_doses, 12);
  EXPECT_EQ(w->agents[0].rules, std::vector<std::string>{"DMAB-DUE"});
  EXPECT_EQ(w->alert_warnings.at(0).min_severity, "info");
  EXPECT_EQ(w->Find("denosumab"), &w->agents[0]);
  EXPECT_EQ(w->Find("romosozumab"), nullptr);
}

TEST(RegistryWindows, BadFieldsAreNamed) {
  auto neg = ParseWindows(Minimal(R"(, "max_doses": -1)"));
  ASSERT_FALSE(neg);
  EXPECT_EQ(neg.error().path, "registry.json: agents[0].max_doses");
  auto no_period = ParseWindows(R"({"within_default_days": 30, "booking_horizon_months": 18,
      "agents": [{"agent": "x", "due_after": {}, "overdue_after": {"days": 3}, "route": "oral"}],
      "alerts": {"engine_warnings": []}})");
  ASSERT_FALSE(no_period);
  EXPECT_EQ(no_period.error().path, "registry.json: agents[0].due_after");
  auto missing = ParseWindows(R"({"agents": []})");
  ASSERT_FALSE(missing);
  EXPECT_GE(missing.errors().size(), 3u);  // two counts and the alerts
  auto dup = ParseWindows(Minimal("", R"("within_default_days": 31, )"));
  ASSERT_FALSE(dup);  // a duplicate key, as in every JSON bonepath reads
  EXPECT_EQ(dup.error().code.name(), "invalid_json");
  EXPECT_FALSE(ParseWindows("[1, 2]"));
  EXPECT_FALSE(ParseWindows("{"));
}

TEST(RegistryWindows, TheShippedFileLoads) {
  auto w = LoadWindows(EmbeddedKnowledgeFiles());
  ASSERT_TRUE(w) << w.error().path << ": " << w.error().message;
  EXPECT_NE(w->Find("denosumab"), nullptr);
  EXPECT_NE(w->Find("zoledronic_acid"), nullptr);
  EXPECT_FALSE(LoadWindows({}));
}

}  // namespace
}  // namespace bp::registry
