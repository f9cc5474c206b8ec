// `bonepath serve`: the CDS Hooks service (src/server). Parsing and wiring only. Compiled into
// bonepath-server, which `bonepath serve` execs (cmd_server.cc).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>
#include <thread>

#include "cli/command.h"
#include "cli/server_commands.h"
#include "knowledge/loader.h"
#include "server/server.h"

namespace bp::cli {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void OnSignal(int) { g_stop.store(true); }

int RunServe(server::ServerOptions opt) {
  // The log is operational (method, path, status, latency) and goes to stderr; stdout stays free.
  spdlog::set_default_logger(spdlog::stderr_color_mt("bonepath"));
  if (opt.no_auth)
    spdlog::warn("--no-auth: CDS Hooks calls are NOT authenticated; for development only");
  auto srv = server::CdsServer::Create(std::move(opt), EmbeddedKnowledge());
  if (!srv) {
    spdlog::error("{}: {}", srv.error().path, srv.error().message);
    return kExitBadInput;
  }
  auto port = (*srv)->Bind();
  if (!port) {
    spdlog::error("{}: {}", port.error().path, port.error().message);
    return kExitInternal;
  }
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGPIPE, SIG_IGN);
  server::CdsServer* s = srv->get();
  std::thread watcher([s] {
    while (!g_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    s->Stop();
  });
  spdlog::info("bonepath CDS Hooks service listening on port {} (public URL {})", *port,
               s->public_url());
  const bool ok = s->Run();
  g_stop.store(true);
  watcher.join();
  spdlog::info("stopped");
  return ok ? kExitOk : kExitInternal;
}

const CommandRegistrar kReg("serve", [](CLI::App& app, int* status) {
  auto opt = std::make_shared<server::ServerOptions>();
  CLI::App* cmd = app.add_subcommand("serve", kServeDescription);
  cmd->add_option("--host", opt->host, "address to listen on (default 127.0.0.1)");
  cmd->add_option("--port", opt->port, "TCP port (default 8080)")->check(CLI::Range(1, 65535));
  cmd->add_option("--db", opt->db,
                  "feedback database: SQLite path or postgresql:// URL (default bonepath.db)");
  cmd->add_option("--public-url", opt->public_url,
                  "base URL the EHR calls (JWT aud, links in cards); default http://HOST:PORT");
  cmd->add_option("--trusted-issuer", opt->trusted_issuers,
                  "ISS=JWKS_FILE_OR_URL, repeatable: issuers whose ES384/RS384 JWTs are accepted");
  cmd->add_flag("--no-auth", opt->no_auth, "accept calls without a JWT (development only)");
  cmd->add_option("--profile", opt->profile, "guideline profile (default us-composite)");
  cmd->add_option("--threads", opt->threads, "worker threads (default 8)")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--max-token-lifetime", opt->max_token_lifetime_s,
                  "seconds a JWT may live from iat to exp (default 300)")
      ->check(CLI::Range(1, 86400));
  cmd->add_option("--cors-origin", opt->cors_origins,
                  "browser origin allowed to call the service (repeatable; none by default)");
  cmd->add_option("--max-connections-per-client", opt->max_connections_per_client,
                  "open connections one client address may hold (default 32)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--max-pending", opt->max_pending,
                  "requests waiting for a worker beyond which the service answers 503 (default 64)")
      ->check(CLI::Range(0, 100000));
  cmd->add_option("--header-timeout-ms", opt->header_timeout_ms,
                  "total time a client has to send a request's headers (default 5000)")
      ->check(CLI::Range(100, 600000));
  cmd->add_option("--request-timeout-ms", opt->request_timeout_ms,
                  "total time a client has to send a request's headers and body (default 10000)")
      ->check(CLI::Range(100, 600000));
  cmd->add_option("--assessment-ttl", opt->assessment_ttl_s,
                  "seconds an assessment page stays available (default 3600)")
      ->check(CLI::Range(1, 86400 * 7));
  cmd->callback([opt, status] { *status = RunServe(*opt); });
});

}  // namespace
}  // namespace bp::cli
