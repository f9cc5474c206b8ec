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
#include "io/knowledge_render.h"
#include "io/render.h"
#include "io/render_util.h"
#include "server/error_table.h"
#include "server/feedback_store.h"
#include "server/fhir_client.h"
#include "server/jwt_verifier.h"
#include "server/registry_routes.h"
#include "server/transport.h"
#include "storage/registry_store.h"

namespace bp::server {
namespace {

constexpr const char* kJson = "application/json";

// Recent assessments for the page linked from the cards, oldest evicted first; a page expires
// `ttl` after the call that produced it.
class AssessmentCache {
 public:
  using Clock = std::chrono::steady_clock;
  AssessmentCache(size_t cap, std::chrono::seconds ttl) : cap_(cap), ttl_(ttl) {}
  void Put(const std::string& id, std::shared_ptr<const Assessment> a) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!map_.emplace(id, Entry{std::move(a), Clock::now() + ttl_}).second) return;
    order_.push_back(id);
    while (order_.size() > cap_ || (!order_.empty() && Expired(order_.front()))) {
      map_.erase(order_.front());
      order_.pop_front();
    }
  }
  std::shared_ptr<const Assessment> Get(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(id);
    if (it == map_.end() || Clock::now() >= it->second.expires) return nullptr;
    return it->second.assessment;
  }

 private:
  struct Entry {
    std::shared_ptr<const Assessment> assessment;
    Clock::time_point expires;
  };
  bool Expired(const std::string& id) const {
    auto it = map_.find(id);
    return it == map_.end() || Clock::now() >= it->second.expires;
  }
  size_t cap_;
  std::chrono::seconds ttl_;
  std::mutex mu_;
  std::map<std::string, Entry> map_;
  std::deque<std::string> order_;
};

thread_local std::chrono::steady_clock::time_point t_start;

// The path as logged: ids that are capabilities or patient-linked are not written to the log,
// and control characters (a decoded %0a would forge a log line) are escaped.
std::string LogPath(const std::string& path) {
  if (path.rfind("/assessment/", 0) == 0) return "/assessment/{id}";
  std::string p = path.size() > 128 ? path.substr(0, 128) + "..." : path;
  if (p.rfind("/registry/patients/", 0) == 0) {
    const size_t end = p.find('/', 19);
    p = "/registry/patients/{id}" + (end == std::string::npos ? std::string() : p.substr(end));
  }
  return render::EscapeControl(p);
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
  AssessmentCache cache;
  std::unique_ptr<GuardedServer> http;
  std::string about_html;

  explicit Impl(const ServerOptions& o)
      : cache(o.assessment_cache, std::chrono::seconds(o.assessment_ttl_s)) {}

  void SendError(httplib::Response& res, const Error& e) {
    const HttpError h = MapError(e.code);
    res.status = h.status;
    if (h.status == 401) res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    res.set_content(cds::OperationOutcomeJson(e, h.issue_code), "application/fhir+json");
  }

  // True when the call may proceed; otherwise the 401 is already in `res`, the reason is logged
  // (never the token), and the connection closes after it (the body is not read).
  bool Authorize(const httplib::Request& req, httplib::Response& res) {
    if (!verifier) return true;
    auto v = verifier->Verify(req.get_header_value("Authorization"), opt.public_url + req.path);
    if (v) return true;
    spdlog::warn("401 {} {}: {}", req.method, LogPath(req.path),
                 render::EscapeControl(v.error().message));
    SendError(res, v.error());
    CloseAfterResponse(res);
    return false;
  }

  // The CORS origin answered: the request's Origin when it is one of --cors-origin, else none.
  void Cors(const httplib::Request& req, httplib::Response& res) const {
    const std::string origin = req.get_header_value("Origin");
    if (origin.empty()) return;
    for (const auto& o : opt.cors_origins)
      if (o == origin) {
        res.set_header("Access-Control-Allow-Origin", origin);
        res.set_header("Vary", "Origin");
        res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type");
        res.set_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
        return;
      }
  }

  // A POST body, read only after the pre-routing checks (authorization, declared length), and
  // bounded whatever its transfer encoding (a chunked body has no Content-Length to refuse).
  bool ReadBody(const httplib::ContentReader& reader, httplib::Response& res, std::string* body) {
    bool too_large = false;
    const bool ok = reader([&](const char* data, size_t n) {
      if (body->size() + n > opt.max_body_bytes) {
        too_large = true;
        return false;
      }
      body->append(data, n);
      return true;
    });
    if (too_large) {
      SendError(res, {"too_large", "",
                      "request body larger than " + std::to_string(opt.max_body_bytes) + " bytes"});
      CloseAfterResponse(res);
      return false;
    }
    if (!ok) {
      SendError(res, {"invalid_json", "", "request body incomplete"});
      CloseAfterResponse(res);
      return false;
    }
    return true;
  }

  httplib::Server::HandlerResponse PreRouting(const httplib::Request& req, httplib::Response& res) {
    using HR = httplib::Server::HandlerResponse;
    t_start = std::chrono::steady_clock::now();
    Cors(req, res);
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Content-Type-Options", "nosniff");
    if (req.method == "OPTIONS") return HR::Unhandled;
    const bool has_body =
        req.has_header("Transfer-Encoding") ||
        (req.has_header("Content-Length") && req.get_header_value("Content-Length") != "0");
    if (has_body && req.method != "POST") {
      SendError(res, {"schema", "", "a " + req.method + " request carries no body"});
      CloseAfterResponse(res);
      return HR::Handled;
    }
    // Authorization before the body is read: an unauthenticated client cannot make the service
    // read (or hold a worker for) a large or slow body.
    const bool hook = req.method == "POST" && req.path.rfind("/cds-services/", 0) == 0;
    if ((hook || req.path.rfind("/registry/", 0) == 0) && !Authorize(req, res)) return HR::Handled;
    if (req.has_header("Content-Length")) {
      const std::string len = req.get_header_value("Content-Length");
      const bool digits = !len.empty() && len.size() <= 18 &&
                          len.find_first_not_of("0123456789") == std::string::npos;
      if (!digits || std::stoull(len) > opt.max_body_bytes) {
        SendError(res,
                  {"too_large", "",
                   "request body larger than " + std::to_string(opt.max_body_bytes) + " bytes"});
        CloseAfterResponse(res);
        return HR::Handled;
      }
    }
    return HR::Unhandled;
  }

  void Routes() {
    httplib::Server& h = *http;
    h.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      return PreRouting(req, res);
    });
    h.Options(R"(.*)", [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
    h.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(nlohmann::json{{"status", "ok"}, {"knowledge", kb->version}}.dump(), kJson);
    });
    h.Get("/cds-services", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(service->DiscoveryJson(), kJson);
    });
    h.Post(R"(/cds-services/([A-Za-z0-9._-]+))",
           [this](const httplib::Request& req, httplib::Response& res,
                  const httplib::ContentReader& reader) {
             const std::string id = req.matches[1];
             if (!service->Knows(id)) {
               CloseAfterResponse(res);
               return SendError(res, {"unknown_service", "", "no CDS service \"" + id + "\""});
             }
             std::string body;
             if (!ReadBody(reader, res, &body)) return;
             auto out = service->Handle(id, body, &fhir, Date::TodayUtc());
             if (!out) return SendError(res, out.error());
             if (auto r = store->RecordCards(id, out->cards); !r)
               spdlog::warn("cards not recorded for feedback: {}",
                            render::EscapeControl(r.error().message));
             cache.Put(out->assessment_id, out->assessment);
             res.set_content(out->response_json, kJson);
           });
    h.Post(R"(/cds-services/([A-Za-z0-9._-]+)/feedback)", [this](const httplib::Request& req,
                                                                 httplib::Response& res,
                                                                 const httplib::ContentReader&
                                                                     reader) {
      const std::string id = req.matches[1];
      if (!service->Knows(id)) {
        CloseAfterResponse(res);
        return SendError(res, {"unknown_service", "", "no CDS service \"" + id + "\""});
      }
      std::string body;
      if (!ReadBody(reader, res, &body)) return;
      auto items = cds::ParseFeedback(body);
      if (!items) return SendError(res, items.error());
      auto n = store->RecordFeedback(id, *items);
      if (!n)
        return SendError(res, Error{"internal", "", "feedback not stored: " + n.error().message});
      res.set_content(nlohmann::json{{"received", items->size()}, {"stored", *n}}.dump(), kJson);
    });
    // The page behind each card's source.url: what bonepath is and what it knows (every rule
    // with its statement, thresholds, sources and review status), for a person to read.
    h.Get("/about", [this](const httplib::Request&, httplib::Response& res) {
      res.set_header("Content-Security-Policy",
                     "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
      res.set_content(about_html, "text/html; charset=utf-8");
    });
    h.Get(R"(/assessment/([A-Za-z0-9-]+))", [this](const httplib::Request& req,
                                                   httplib::Response& res) {
      auto a = cache.Get(req.matches[1]);
      if (!a)
        return SendError(res, {"not_found", "",
                               "no such assessment (pages are kept for recent calls only, and "
                               "expire)"});
      res.set_header("Content-Security-Policy",
                     "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
      res.set_header("X-Frame-Options", "DENY");
      res.set_header("Referrer-Policy", "no-referrer");
      res.set_content(RenderHtml(*a, *kb), "text/html; charset=utf-8");
    });
    h.set_error_handler([this](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty()) return;
      if (res.status == 413) {
        CloseAfterResponse(res);
        return SendError(res, {"too_large", "", "request body too large"});
      }
      if (res.status == 404) return SendError(res, {"not_found", "", "no such endpoint"});
    });
    h.set_exception_handler(
        [this](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
          SendError(res, {"internal", "", "internal error"});
        });
    h.set_logger([](const httplib::Request& req, const httplib::Response& res) {
      const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - t_start)
                          .count();
      spdlog::info("{} {} {} {:.3f}ms", render::EscapeControl(req.method), LogPath(req.path),
                   res.status, us / 1000.0);
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
  s->impl_ = std::make_unique<Impl>(opt);
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
  if (m.verifier) {
    m.verifier->set_max_lifetime(std::chrono::seconds(opt.max_token_lifetime_s));
    FeedbackStore* st = m.store.get();
    m.verifier->set_replay_store(
        [st](const std::string& iss, const std::string& jti, long long keep_until, long long now) {
          return st->RememberJti(iss, jti, keep_until, now);
        });
  }
  cds::ServiceOptions so;
  so.public_url = opt.public_url;
  so.profile = opt.profile;
  auto svc = cds::CdsService::Create(kb, so);
  if (!svc) return svc.errors();
  m.service = std::make_unique<cds::CdsService>(std::move(*svc));
  m.opt = std::move(opt);
  TransportLimits lim;
  lim.workers = std::max(1, m.opt.threads);
  lim.max_queued = std::max(0, m.opt.max_pending);
  lim.max_per_client = std::max(1, m.opt.max_connections_per_client);
  lim.max_connections = std::max(1, m.opt.max_connections);
  lim.header_deadline_ms = m.opt.header_timeout_ms;
  lim.request_deadline_ms = m.opt.request_timeout_ms;
  lim.write_timeout_ms = m.opt.write_timeout_s * 1000;
  m.http = std::make_unique<GuardedServer>(lim);
  m.http->set_payload_max_length(m.opt.max_body_bytes);
  m.http->set_keep_alive_max_count(1000);
  m.http->set_keep_alive_timeout(5);
  auto about = RenderKnowledgeHtml(kb);
  if (!about) return about.errors();
  m.about_html = std::move(*about);
  m.Routes();
  // The infusion and injection registry (src/registry) over the same database.
  auto registry = storage::OpenRegistryStore(m.opt.db);
  if (!registry) return registry.errors();
  m.registry = std::move(*registry);
  RegisterRegistryRoutes(*m.http, *m.registry, kb, m.service->engine());
  return s;
}

Result<int> CdsServer::Bind() {
  Impl& m = *impl_;
  int port = m.opt.port;
  if (port == 0) {
    port = m.http->bind_to_any_port(m.opt.host);
    if (port <= 0) return Error{"io", "--host", "cannot bind " + m.opt.host};
  } else if (!m.http->bind_to_port(m.opt.host, port)) {
    return Error{"io", "--port", "cannot bind " + m.opt.host + ":" + std::to_string(port)};
  }
  m.http->RaiseBacklog(std::max(128, m.opt.max_connections));
  return port;
}

bool CdsServer::Run() { return impl_->http->listen_after_bind(); }
void CdsServer::Stop() { impl_->http->stop(); }
const std::string& CdsServer::public_url() const { return impl_->opt.public_url; }

}  // namespace bp::server
