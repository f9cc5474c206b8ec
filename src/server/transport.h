// The connection handling under cpp-httplib: httplib parses requests and routes them; this layer
// decides when a connection may take a worker thread, and for how long.
//
// httplib 0.11 gives each accepted connection a worker for its whole life, so slow or idle
// clients hold every worker (ten clients sending a byte every 2 s stalled /healthz). Here:
//  - the listener thread admits a connection or answers 503 at once (per-client and total
//    connection limits), without taking a worker;
//  - a gate thread (epoll) holds every connection that is idle or still sending its headers; the
//    headers have one total deadline; a connection goes to a worker only when its headers are
//    complete, and goes back to the gate between keep-alive requests;
//  - when every worker is busy and the queue is full, the gate answers 503 itself;
//  - the headers and the body of a request together have one total deadline, enforced on every
//    read (a client trickling its body is dropped when it expires);
//  - /healthz, discovery and CORS preflights have two workers of their own, so that hook calls
//    waiting on a slow FHIR server cannot stall them.
//
// Thread safety: the server's handlers run on worker threads, as with httplib.
#pragma once

#include <httplib.h>

#include <chrono>
#include <memory>

namespace bp::server {

struct TransportLimits {
  int workers = 8;                // threads for hook calls and registry routes
  int light_workers = 2;          // threads for /healthz, discovery, OPTIONS
  int max_queued = 64;            // requests waiting for a worker beyond which the gate sheds (503)
  int max_connections = 1024;     // open connections in total
  int max_per_client = 32;        // open connections per client address
  int header_deadline_ms = 5000;  // from the first byte of a request to the end of its headers
  int request_deadline_ms = 10000;  // from the first byte to the end of the body
  int keep_alive_idle_ms = 5000;    // an idle keep-alive connection is closed after this
  int keep_alive_max = 1000;        // requests per connection
  int write_timeout_ms = 10000;
  size_t max_header_bytes = 16384;  // request line and headers
};

// Within a handler: close the connection after this response (the body was not read, e.g. a
// 401 or 413 sent before reading it). Adds `Connection: close` to `res`.
void CloseAfterResponse(httplib::Response& res);

class GuardedServer : public httplib::Server {
 public:
  explicit GuardedServer(TransportLimits limits);
  ~GuardedServer() override;
  GuardedServer(const GuardedServer&) = delete;
  GuardedServer& operator=(const GuardedServer&) = delete;

  // After bind: a listen backlog of `n` (httplib's compiled-in 5 makes a burst of connections
  // wait for SYN retransmits, seconds each, before the gate even sees them).
  void RaiseBacklog(int n);

 private:
  // Called by httplib's accept loop (through the inline task queue) on the listener thread.
  bool process_and_close_socket(socket_t sock) override;

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bp::server
