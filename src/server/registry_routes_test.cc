// The registry's HTTP routes, on a real listening socket (only when the server is built:
// -DBONEPATH_SERVER=ON defines BONEPATH_HAVE_SERVER for the test binary).
#ifdef BONEPATH_HAVE_SERVER
#include "server/registry_routes.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "io/native_reader.h"
#include "knowledge/loader.h"
#include "registry/registry.h"
#include "registry/windows.h"
#include "storage/test_support.h"

namespace bp::server {
namespace {

TEST(RegistryRoutes, ServeDueChecklistAlertsAndHistoryAsJson) {
  storage::testing::ScratchDb scratch("sqlite");
  auto store = storage::OpenRegistryStore(scratch.url());
  ASSERT_TRUE(store);
  auto engine = Engine::Create(EmbeddedKnowledge());
  ASSERT_TRUE(engine);
  const Date today = Date::FromYmd(2026, 3, 1);
  {
    registry::Registry reg(**store, EmbeddedKnowledge(), *engine, registry::EmbeddedWindows());
    const std::string rec = R"({"schema": "bonepath.patient/1", "id": "p1", "as_of": "2026-03-01",
      "sex": "female", "age_years": 70, "bmd": [{"site": "femoral_neck", "t_score": -2.7}]})";
    std::vector<InputIssue> issues;
    auto p = ReadNativePatient(rec, EmbeddedKnowledge(), &issues);
    ASSERT_TRUE(p);
    ASSERT_TRUE(reg.Import({{*p, "native", registry::Sha256Hex(rec), today}}));
    ASSERT_TRUE(reg.RecordDose("p1", "denosumab", Date::FromYmd(2025, 6, 1), false, today));
  }
  httplib::Server server;
  RegisterRegistryRoutes(server, **store, EmbeddedKnowledge(), *engine);
  const int port = server.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread t([&] { server.listen_after_bind(); });
  httplib::Client cli("127.0.0.1", port);

  auto due = cli.Get("/registry/due?as_of=2026-03-01&within=30d");
  ASSERT_TRUE(due);
  EXPECT_EQ(due->status, 200);
  auto j = nlohmann::json::parse(due->body);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["patient_id"], "p1");
  EXPECT_EQ(j[0]["status"], "overdue");

  auto check = cli.Get("/registry/patients/p1/checklist?date=2026-03-01");
  ASSERT_TRUE(check);
  EXPECT_EQ(check->status, 200);
  EXPECT_TRUE(nlohmann::json::parse(check->body).contains("checks"));

  auto alerts = cli.Get("/registry/alerts?as_of=2026-03-01");
  ASSERT_TRUE(alerts);
  bool overdue = false;  // next to the rebound warning the lapse also raises (COURSE-15)
  const nlohmann::json body = nlohmann::json::parse(alerts->body);
  for (const auto& al : body["alerts"]) overdue = overdue || al["code"] == "denosumab_dose_overdue";
  EXPECT_TRUE(overdue);

  auto history = cli.Get("/registry/patients/p1/history");
  ASSERT_TRUE(history);
  EXPECT_GE(nlohmann::json::parse(history->body)["assessments"].size(), 2u);

  auto unknown = cli.Get("/registry/patients/nobody/history");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  auto bad = cli.Get("/registry/due?as_of=2026-02-30");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_TRUE(nlohmann::json::parse(bad->body).contains("error"));

  server.stop();
  t.join();
}

}  // namespace
}  // namespace bp::server
#endif  // BONEPATH_HAVE_SERVER
