#include "server/registry_routes.h"

#include <cctype>
#include <memory>
#include <mutex>

#include "io/assessment_json.h"
#include "registry/registry.h"
#include "registry/windows.h"

namespace bp::server {
namespace {

struct RegistryState {
  std::mutex mu;  // the store is one connection
  registry::Registry reg;
  const KnowledgeBase& kb;
};

void SendErrors(httplib::Response& res, const Errors& errs) {
  res.status = errs.front().code.http_status();  // the one table, common/error_code.h
  res.set_content(ErrorsToJson(errs), "application/json");
}

void SendJson(httplib::Response& res, const std::string& body) {
  res.status = 200;
  res.set_header("Cache-Control", "no-store");
  res.set_content(body, "application/json");
}

Result<Date> DateParam(const httplib::Request& req, const char* name, Date fallback) {
  if (!req.has_param(name)) return fallback;
  const std::string v = req.get_param_value(name);
  auto d = Date::Parse(v);
  if (!d) return Error{"date", name, "\"" + v + "\" is not a calendar date (YYYY-MM-DD)"};
  return *d;
}

// within=30 or 30d (days), 4w (weeks).
Result<int> WithinParam(const httplib::Request& req, int fallback) {
  if (!req.has_param("within")) return fallback;
  const std::string s = req.get_param_value("within");
  std::size_t pos = 0;
  while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
  if (pos > 0 && pos <= 5) {
    const int n = std::stoi(s.substr(0, pos));
    const std::string unit = s.substr(pos);
    if (unit.empty() || unit == "d") return n;
    if (unit == "w") return n * 7;
  }
  return Error{"schema", "within", "\"" + s + "\" is not a number of days (30d) or weeks (4w)"};
}

}  // namespace

void RegisterRegistryRoutes(httplib::Server& server, storage::RegistryStore& store,
                            const KnowledgeBase& kb, const Engine& engine) {
  auto st = std::shared_ptr<RegistryState>(new RegistryState{
      {}, registry::Registry(store, kb, engine, registry::EmbeddedWindows()), kb});

  server.Get("/registry/due", [st](const httplib::Request& req, httplib::Response& res) {
    auto as_of = DateParam(req, "as_of", Date::TodayUtc());
    if (!as_of) return SendErrors(res, as_of.errors());
    auto within = WithinParam(req, st->reg.windows().within_default_days);
    if (!within) return SendErrors(res, within.errors());
    std::lock_guard<std::mutex> lock(st->mu);
    auto due = st->reg.Due(*as_of, *within);
    if (!due) return SendErrors(res, due.errors());
    SendJson(res, registry::DueToJson(*due, *as_of, *within));
  });

  server.Get(R"(/registry/patients/([^/]+)/checklist)",
             [st](const httplib::Request& req, httplib::Response& res) {
               const std::string id = req.matches[1];
               auto date = DateParam(req, "date", Date::TodayUtc());
               if (!date) return SendErrors(res, date.errors());
               std::lock_guard<std::mutex> lock(st->mu);
               auto c = st->reg.Checklist(id, *date);
               if (!c) return SendErrors(res, c.errors());
               SendJson(res, registry::ChecklistToJson(*c, st->kb));
             });

  server.Get("/registry/alerts", [st](const httplib::Request& req, httplib::Response& res) {
    auto as_of = DateParam(req, "as_of", Date::TodayUtc());
    if (!as_of) return SendErrors(res, as_of.errors());
    std::lock_guard<std::mutex> lock(st->mu);
    auto alerts = st->reg.Alerts(*as_of);
    if (!alerts) return SendErrors(res, alerts.errors());
    SendJson(res, registry::AlertsToJson(*alerts, *as_of));
  });

  server.Get(R"(/registry/patients/([^/]+)/history)",
             [st](const httplib::Request& req, httplib::Response& res) {
               const std::string id = req.matches[1];
               std::lock_guard<std::mutex> lock(st->mu);
               auto h = st->reg.History(id);
               if (!h) return SendErrors(res, h.errors());
               auto doses = st->reg.Doses(id);
               if (!doses) return SendErrors(res, doses.errors());
               SendJson(res, registry::HistoryToJson(id, *h, *doses));
             });
}

}  // namespace bp::server
