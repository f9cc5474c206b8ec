// `bonepath serve`: the HTTP transport of the CDS Hooks service (cpp-httplib) and its wiring.
// Decisions are the engine's (through src/cdshooks); this layer authenticates (JWT), applies the
// limits, maps error codes to HTTP statuses (error_table.h), stores feedback, serves the
// assessment page, and logs method, path, status and latency only (never patient data).
//
// Endpoints:
//   GET  /cds-services                   discovery (no token: public metadata)
//   POST /cds-services/{id}              a hook call (JWT unless --no-auth)
//   POST /cds-services/{id}/feedback     card outcomes, stored idempotently (JWT unless --no-auth)
//   GET  /assessment/{id}                the assessment behind a response's cards, as HTML; the
//                                        id is a random 122-bit capability (OpenSSL RAND_bytes),
//                                        kept in memory for a bounded number of recent calls
//                                        and expiring after assessment_ttl_s
//   GET  /registry/...                   the infusion registry (registry_routes.h; JWT unless
//                                        --no-auth, aud = public URL + path)
//   GET  /about                          the knowledge base as a page (each card's source.url)
//   GET  /healthz                        liveness
//   OPTIONS *                            CORS preflight (browser EHR simulators; only the
//                                        origins given with --cors-origin are answered)
//
// Limits (transport.h): authorization and the declared length are checked before a body is
// read; bodies are bounded chunked or not; headers and body have total deadlines; connections
// are limited per client and in total; when the workers are busy the gate answers 503.
//
// Thread safety: Run blocks the calling thread; Stop may be called from any thread (a signal
// handler must only set a flag that another thread turns into Stop).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "domain/knowledge.h"

namespace bp::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (Bind returns it)
  std::string db = "bonepath.db";
  std::string public_url;                    // default http://HOST:PORT
  std::vector<std::string> trusted_issuers;  // ISS=JWKS_FILE_OR_URL
  bool no_auth = false;
  int max_token_lifetime_s = 300;  // JWTs with exp - iat longer than this are refused
  std::string profile = "us-composite";
  size_t max_body_bytes = 2u << 20;  // 2 MiB, chunked or not: a large prefetch, not a bulk export
  int header_timeout_ms = 5000;      // first byte of a request to the end of its headers
  int request_timeout_ms = 10000;    // first byte to the end of the body
  int write_timeout_s = 10;
  int threads = 8;                        // workers for hook calls and registry routes
  int max_pending = 64;                   // requests queued for a worker beyond which: 503
  int max_connections = 1024;             // open connections in total (more: 503)
  int max_connections_per_client = 32;    // open connections per client address (more: 503)
  size_t assessment_cache = 2000;         // recent assessments kept for /assessment/{id}
  int assessment_ttl_s = 3600;            // an assessment page expires after this
  std::vector<std::string> cors_origins;  // browser origins allowed (none by default)
};

class CdsServer {
 public:
  // Loads the issuers' keys, opens and migrates the database, creates the engine. Errors: schema
  // (bad option), io (JWKS, database), unsupported / internal (profile).
  static Result<std::unique_ptr<CdsServer>> Create(ServerOptions opt, const KnowledgeBase& kb);
  ~CdsServer();

  // Binds the listening socket; returns the port. Error io when the address is taken.
  Result<int> Bind();
  // Serves until Stop(). False when the listener failed.
  bool Run();
  void Stop();
  const std::string& public_url() const;

 private:
  CdsServer();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bp::server
