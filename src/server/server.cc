#include "server/server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "cdshooks/cds_service.h"
#include "io/render.h"
#include "server/error_table.h"
#include "server/feedback_store.h"
#include "server/fhir_client.h"
#include "server/jwt_verifier.h"
#include "server/registry_routes.h"
#include "storage/registry_store.h"

namespace bp::server {
namespace {

constexpr const char* kJson = "application/json";

// Connections handed to the pool but not yet finished; requests beyond the bound answer 503 at
// once instead of queueing without limit.
class BoundedPool : public httplib::TaskQueue {
 public:
  BoundedPool(size_t threads, std::atomic<int>* pending) : pool_(threads), pending_(pending) {}
  void enqueue(std::function<void()> fn) override {
    pending_->fetch_add(1);
    pool_.enqueue([fn = std::move(fn), p = pending_] {
      fn();
      p->fetch_sub(1);
    });
  }
  void shutdown() override { pool_.shutdown(); }

 private:
  httplib::ThreadPool pool_;
  std::atomic<int>* pending_;
};

// Recent assessments for the page linked from the cards, oldest evicted first.
class AssessmentCache {
 public:
  explicit AssessmentCache(size_t cap) : cap_(cap) {}
  void Put(const std::string& id, std::shared_ptr<const Assessment> a) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!map_.emplace(id, std::move(a)).second) return;
    order_.push_back(id);
    while (order_.size() > cap_) {
      map_.erase(order_.front());
      order_.pop_front();
    }
  }
  std::shared_ptr<const Assessment> Get(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(id);
    return it == map_.end() ? nullptr : it->second;
  }

 private:
  size_t cap_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const Assessment>> map_;
  std::deque<std::string> order_;
};

thread_local std::chrono::steady_clock::time_point t_start;

// The path as logged: ids that are capabilities or patient-linked are not written to the log.
std::string LogPath(const std::string& path) {
  if (path.rfind("/assessment/", 0) == 0) return "/assessment/{id}";
  return path.size() > 128 ? path.substr(0, 128) + "..." : path;
}

}  // namespace

struct CdsServer::Impl {
  ServerOptions opt;
  const KnowledgeBase* kb = nullptr;
  std::unique_ptr<cds::CdsService> service;
  std::unique_ptr<JwtVerifier> verifier;
  std::unique_ptr<FeedbackStore> store;
  std::unique_ptr<storage::RegistryStore> registry;
  CurlFhirSource fhir;
  AssessmentCache cache{2000};
  httplib::Server http;
  std::atomic<int> pending{0};

  explicit Impl(size_t cache_size) : cache(cache_size) {}

  void SendError(httplib::Response& res, const Error& e) {
    const HttpError h = MapError(e.code);
    res.status = h.status;
    if (h.status == 401) res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    res.set_content(cds::OperationOutcomeJson(e, h.issue_code), "application/fhir+json");
  }

  // True when the call may proceed; otherwise the 401 is already in `res`.
  bool Authorize(const httplib::Request& req, httplib::Response& res) {
    if (!verifier) return true;
    auto v = verifier->Verify(req.get_header_value("Authorization"), opt.public_url + req.path);
    if (v) return true;
    SendError(res, v.error());
    return false;
  }

  void Routes() {
    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      t_start = std::chrono::steady_clock::now();
      res.set_header("Access-Control-Allow-Origin", "*");
      res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type");
      res.set_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
      res.set_header("Cache-Control", "no-store");
      // The registry routes carry patient data: the same JWT as the CDS Hooks calls.
      if (req.path.rfind("/registry/", 0) == 0 && req.method != "OPTIONS" && !Authorize(req, res))
        return httplib::Server::HandlerResponse::Handled;
      if (pending.load() > opt.max_pending) {
        res.status = 503;
        res.set_header("Retry-After", "1");
        SendError(res, Error{"unavailable", "", "server busy"});
        res.status = 503;
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    http.Options(R"(.*)",
                 [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
    http.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(nlohmann::json{{"status", "ok"}, {"knowledge", kb->version}}.dump(), kJson);
    });
    http.Get("/cds-services", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(service->DiscoveryJson(), kJson);
    });
    http.Post(R"(/cds-services/([A-Za-z0-9._-]+))",
              [this](const httplib::Request& req, httplib::Response& res) {
                const std::string id = req.matches[1];
                if (!service->Knows(id))
                  return SendError(res, {"unknown_service", "", "no CDS service \"" + id + "\""});
                if (!Authorize(req, res)) return;
                auto out = service->Handle(id, req.body, &fhir, Date::TodayUtc());
                if (!out) return SendError(res, out.error());
                if (auto r = store->RecordCards(id, out->cards); !r)
                  spdlog::warn("cards not recorded for feedback: {}", r.error().message);
                cache.Put(out->assessment_id, out->assessment);
                res.set_content(out->response_json, kJson);
              });
    http.Post(R"(/cds-services/([A-Za-z0-9._-]+)/feedback)", [this](const httplib::Request& req,
                                                                    httplib::Response& res) {
      const std::string id = req.matches[1];
      if (!service->Knows(id))
        return SendError(res, {"unknown_service", "", "no CDS service \"" + id + "\""});
      if (!Authorize(req, res)) return;
      auto items = cds::ParseFeedback(req.body);
      if (!items) return SendError(res, items.error());
      auto n = store->RecordFeedback(id, *items);
      if (!n)
        return SendError(res, Error{"internal", "", "feedback not stored: " + n.error().message});
      res.set_content(nlohmann::json{{"received", items->size()}, {"stored", *n}}.dump(), kJson);
    });
    http.Get(R"(/assessment/([A-Za-z0-9-]+))", [this](const httplib::Request& req,
                                                      httplib::Response& res) {
      auto a = cache.Get(req.matches[1]);
      if (!a)
        return SendError(
            res, {"not_found", "", "no such assessment (they are kept for recent calls only)"});
      res.set_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
      res.set_content(RenderHtml(*a, *kb), "text/html; charset=utf-8");
    });
    http.set_error_handler([this](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty()) return;
      if (res.status == 413) return SendError(res, {"too_large", "", "request body too large"});
      if (res.status == 404) return SendError(res, {"not_found", "", "no such endpoint"});
    });
    http.set_exception_handler(
        [this](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
          SendError(res, {"internal", "", "internal error"});
        });
    http.set_logger([](const httplib::Request& req, const httplib::Response& res) {
      const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - t_start)
                          .count();
      spdlog::info("{} {} {} {:.3f}ms", req.method, LogPath(req.path), res.status, us / 1000.0);
    });
  }
};

CdsServer::CdsServer() = default;
CdsServer::~CdsServer() = default;

Result<std::unique_ptr<CdsServer>> CdsServer::Create(ServerOptions opt, const KnowledgeBase& kb) {
  if (opt.port < 0 || opt.port > 65535) return Error{"schema", "--port", "not a TCP port"};
  if (opt.public_url.empty())
    opt.public_url = "http://" + opt.host + ":" + std::to_string(opt.port);
  while (!opt.public_url.empty() && opt.public_url.back() == '/') opt.public_url.pop_back();
  if (!opt.no_auth && opt.trusted_issuers.empty())
    return Error{
        "schema", "--trusted-issuer",
        "no trusted issuer: give --trusted-issuer ISS=JWKS (or --no-auth for development)"};
  CurlFhirSource::GlobalInit();
  auto s = std::unique_ptr<CdsServer>(new CdsServer());
  s->impl_ = std::make_unique<Impl>(opt.assessment_cache);
  Impl& m = *s->impl_;
  m.kb = &kb;
  if (!opt.no_auth) {
    auto v = JwtVerifier::Create(opt.trusted_issuers, &FetchUrl);
    if (!v) return v.errors();
    m.verifier = std::move(*v);
  }
  auto store = FeedbackStore::Open(opt.db);
  if (!store) return store.errors();
  m.store = std::move(*store);
  cds::ServiceOptions so;
  so.public_url = opt.public_url;
  so.profile = opt.profile;
  auto svc = cds::CdsService::Create(kb, so);
  if (!svc) return svc.errors();
  m.service = std::make_unique<cds::CdsService>(std::move(*svc));
  m.opt = std::move(opt);
  m.http.new_task_queue = [&m] {
    return new BoundedPool(static_cast<size_t>(std::max(1, m.opt.threads)), &m.pending);
  };
  m.http.set_payload_max_length(m.opt.max_body_bytes);
  m.http.set_read_timeout(m.opt.read_timeout_s, 0);
  m.http.set_write_timeout(m.opt.write_timeout_s, 0);
  m.http.set_keep_alive_max_count(1000);
  m.http.set_keep_alive_timeout(5);
  // Headers and body go out in separate writes; without this, Nagle's algorithm and the
  // client's delayed ACK add ~40 ms to every keep-alive response.
  m.http.set_tcp_nodelay(true);
  m.Routes();
  // The infusion and injection registry (src/registry) over the same database.
  auto registry = storage::OpenRegistryStore(m.opt.db);
  if (!registry) return registry.errors();
  m.registry = std::move(*registry);
  RegisterRegistryRoutes(m.http, *m.registry, kb, m.service->engine());
  return s;
}

Result<int> CdsServer::Bind() {
  Impl& m = *impl_;
  int port = m.opt.port;
  if (port == 0) {
    port = m.http.bind_to_any_port(m.opt.host);
    if (port <= 0) return Error{"io", "--host", "cannot bind " + m.opt.host};
  } else if (!m.http.bind_to_port(m.opt.host, port)) {
    return Error{"io", "--port", "cannot bind " + m.opt.host + ":" + std::to_string(port)};
  }
  return port;
}

bool CdsServer::Run() { return impl_->http.listen_after_bind(); }
void CdsServer::Stop() { impl_->http.stop(); }
const std::string& CdsServer::public_url() const { return impl_->opt.public_url; }

}  // namespace bp::server
