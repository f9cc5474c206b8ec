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
//                                        id is a random 122-bit capability, kept in memory for a
//                                        bounded number of recent calls
//   GET  /registry/...                   the infusion registry (registry_routes.h; JWT unless
//                                        --no-auth, aud = public URL + path)
//   GET  /healthz                        liveness
//   OPTIONS *                            CORS preflight (browser EHR simulators)
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
  std::string profile = "us-composite";
  size_t max_body_bytes = 2u << 20;  // 2 MiB: a large prefetch, not a bulk export
  int read_timeout_s = 10;           // a client that stalls mid-request is dropped
  int write_timeout_s = 10;
  int threads = 8;                 // worker threads
  int max_pending = 256;           // queued connections beyond which requests get 503
  size_t assessment_cache = 2000;  // recent assessments kept for /assessment/{id}
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
