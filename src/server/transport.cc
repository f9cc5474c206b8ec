#include "server/transport.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace bp::server {
namespace {

using Clock = std::chrono::steady_clock;

thread_local bool t_close_after = false;

int MsUntil(Clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - Clock::now()).count();
  return ms <= 0 ? 0 : static_cast<int>(std::min<long long>(ms, 1000));
}

void Address(const sockaddr_storage& a, std::string* ip, int* port) {
  char text[INET6_ADDRSTRLEN] = "";
  if (a.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&a);
    inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
    *port = ntohs(v4->sin_port);
  } else if (a.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&a);
    inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
    *port = ntohs(v6->sin6_port);
  }
  *ip = text;
}

// One client connection; owned by the gate while it waits, by a worker while it is served.
struct Conn {
  int fd = -1;
  std::string ip;
  int port = 0;
  std::string buf;  // bytes received and not yet consumed by httplib
  size_t pos = 0;
  Clock::time_point deadline;          // the gate's wait (idle, headers, or lingering) ends here
  Clock::time_point request_deadline;  // reads of the current request end here
  bool in_request = false;             // bytes of a request have arrived
  bool lingering = false;              // answered and half-closed; discarding what comes
  bool counted = false;                // counts against the connection limits
  size_t discarded = 0;
  int served = 0;

  size_t avail() const { return buf.size() - pos; }
  bool HeadersComplete() const {
    std::string_view v(buf);
    v.remove_prefix(pos);
    return v.find("\r\n\r\n") != std::string_view::npos || v.find("\n\n") != std::string_view::npos;
  }
  bool StartsWith(std::string_view p) const {
    return avail() >= p.size() && std::string_view(buf).substr(pos, p.size()) == p;
  }
  void Consume(size_t n) {
    pos += n;
    if (pos == buf.size()) {
      buf.clear();
      pos = 0;
    }
  }
};

// A fixed answer written on the listener or gate thread: never blocks (the socket buffer of a
// fresh connection holds it).
void SendFixed(int fd, int status, std::string_view reason, std::string_view text) {
  const std::string body = std::string(R"({"resourceType":"OperationOutcome","issue":[{)") +
                           R"("severity":"error","code":"transient","diagnostics":")" +
                           std::string(text) + "\"}]}";
  std::string msg = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) +
                    "\r\nContent-Type: application/fhir+json\r\nConnection: close\r\n" +
                    (status == 503 ? "Retry-After: 1\r\n" : "") +
                    "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
                    "Content-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body;
  (void)send(fd, msg.data(), msg.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

// httplib's view of a connection: buffered reads bounded by the request's total deadline.
class ConnStream : public httplib::Stream {
 public:
  ConnStream(Conn& c, int write_timeout_ms) : c_(c), write_timeout_ms_(write_timeout_ms) {}
  bool is_readable() const override { return c_.avail() > 0 || Fill(); }
  bool is_writable() const override {
    pollfd p{c_.fd, POLLOUT, 0};
    return poll(&p, 1, write_timeout_ms_) > 0 && (p.revents & POLLOUT);
  }
  ssize_t read(char* ptr, size_t size) override {
    if (c_.avail() == 0 && !Fill()) return -1;
    const size_t n = std::min(size, c_.avail());
    std::memcpy(ptr, c_.buf.data() + c_.pos, n);
    c_.Consume(n);
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, size_t size) override {
    for (;;) {
      const ssize_t n = send(c_.fd, ptr, size, MSG_NOSIGNAL);
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
      if (!is_writable()) return -1;
    }
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = c_.ip;
    port = c_.port;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage a{};
    socklen_t len = sizeof a;
    if (getsockname(c_.fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) Address(a, &ip, &port);
  }
  socket_t socket() const override { return c_.fd; }

 private:
  // Waits for more bytes until the request deadline. False on deadline, EOF or error.
  bool Fill() const {
    char tmp[16384];
    for (;;) {
      if (Clock::now() >= c_.request_deadline) return false;
      pollfd p{c_.fd, POLLIN, 0};
      const int r = poll(&p, 1, std::max(1, MsUntil(c_.request_deadline)));
      if (r < 0 && errno != EINTR) return false;
      if (r <= 0) continue;
      const ssize_t n = recv(c_.fd, tmp, sizeof tmp, 0);
      if (n > 0) {
        c_.buf.append(tmp, static_cast<size_t>(n));
        return true;
      }
      if (n == 0) return false;
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return false;
    }
  }
  Conn& c_;
  int write_timeout_ms_;
};

// httplib hands each accepted socket to its task queue; this one runs the hand-over inline, on
// the listener thread, so that admission happens before any worker is involved.
class InlineQueue : public httplib::TaskQueue {
 public:
  InlineQueue(std::function<void()> on_shutdown) : on_shutdown_(std::move(on_shutdown)) {}
  void enqueue(std::function<void()> fn) override { fn(); }
  void shutdown() override { on_shutdown_(); }

 private:
  std::function<void()> on_shutdown_;
};

}  // namespace

void CloseAfterResponse(httplib::Response& res) {
  t_close_after = true;
  res.set_header("Connection", "close");
}

struct GuardedServer::Impl {
  GuardedServer* owner = nullptr;
  TransportLimits lim;
  std::mutex mu;  // counts
  std::map<std::string, int> per_client;
  int total = 0;

  std::atomic<bool> stopping{false};
  bool started = false;
  int epfd = -1, evfd = -1;
  std::thread gate;
  std::mutex in_mu;
  std::vector<Conn*> incoming;                             // to the gate
  std::unordered_map<int, std::unique_ptr<Conn>> waiting;  // gate thread only
  std::unique_ptr<httplib::ThreadPool> heavy, light;
  std::atomic<int> heavy_load{0}, light_load{0};

  void Start() {
    if (started) return;
    started = true;
    stopping = false;
    epfd = epoll_create1(EPOLL_CLOEXEC);
    evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = evfd;
    epoll_ctl(epfd, EPOLL_CTL_ADD, evfd, &ev);
    heavy = std::make_unique<httplib::ThreadPool>(static_cast<size_t>(std::max(1, lim.workers)));
    light =
        std::make_unique<httplib::ThreadPool>(static_cast<size_t>(std::max(1, lim.light_workers)));
    gate = std::thread([this] { Loop(); });
  }

  void Shutdown() {
    if (!started) return;
    stopping = true;
    heavy->shutdown();  // requests in progress finish; their connections close
    light->shutdown();
    Wake();
    gate.join();
    for (auto& [fd, c] : waiting) Finish(c.release());
    waiting.clear();
    for (Conn* c : incoming) Finish(c);
    incoming.clear();
    close(epfd);
    close(evfd);
    started = false;
  }

  void Wake() const {
    const uint64_t one = 1;
    (void)!::write(evfd, &one, sizeof one);
  }

  void ToGate(Conn* c) {
    if (stopping) return Finish(c);
    {
      std::lock_guard<std::mutex> lock(in_mu);
      incoming.push_back(c);
    }
    Wake();
  }

  void Finish(Conn* c) {
    if (c->counted) {
      std::lock_guard<std::mutex> lock(mu);
      --total;
      if (--per_client[c->ip] <= 0) per_client.erase(c->ip);
    }
    close(c->fd);
    delete c;
  }

  // Answered: half-close, then discard what the client still sends for a moment, so that it
  // reads the answer instead of a reset.
  void Linger(Conn* c) {
    shutdown(c->fd, SHUT_WR);
    c->lingering = true;
    c->deadline = Clock::now() + std::chrono::seconds(1);
    ToGate(c);
  }

  void Admit(int fd) {
    auto* c = new Conn;
    c->fd = fd;
    sockaddr_storage a{};
    socklen_t len = sizeof a;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) Address(a, &c->ip, &c->port);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    const int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    if (stopping) return Finish(c);
    bool ok = false;
    {
      std::lock_guard<std::mutex> lock(mu);
      int& mine = per_client[c->ip];
      if (total < lim.max_connections && mine < lim.max_per_client) {
        ++total;
        ++mine;
        ok = c->counted = true;
      } else if (mine == 0) {
        per_client.erase(c->ip);
      }
    }
    if (!ok) {
      SendFixed(fd, 503, "Service Unavailable", "too many connections from this client");
      return Linger(c);
    }
    c->deadline = Clock::now() + std::chrono::milliseconds(lim.header_deadline_ms);
    ToGate(c);
  }

  void Register(std::unique_ptr<Conn> c) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.fd = c->fd;
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0) return Finish(c.release());
    const int fd = c->fd;
    waiting[fd] = std::move(c);
  }

  std::unique_ptr<Conn> Unregister(int fd) {
    auto it = waiting.find(fd);
    if (it == waiting.end()) return nullptr;
    epoll_ctl(epfd, EPOLL_CTL_DEL, fd, nullptr);
    std::unique_ptr<Conn> c = std::move(it->second);
    waiting.erase(it);
    return c;
  }

  void BeginRequest(Conn& c) {
    const auto now = Clock::now();
    c.in_request = true;
    c.deadline = now + std::chrono::milliseconds(lim.header_deadline_ms);
    c.request_deadline = now + std::chrono::milliseconds(lim.request_deadline_ms);
  }

  void OnReadable(int fd) {
    auto it = waiting.find(fd);
    if (it == waiting.end()) return;
    Conn& c = *it->second;
    char tmp[16384];
    for (;;) {
      const ssize_t n = recv(fd, tmp, sizeof tmp, 0);
      if (n > 0) {
        if (c.lingering) {
          c.discarded += static_cast<size_t>(n);
          if (c.discarded > (1u << 20)) return Finish(Unregister(fd).release());
          continue;
        }
        c.buf.append(tmp, static_cast<size_t>(n));
        if (!c.in_request) BeginRequest(c);
        if (c.avail() > lim.max_header_bytes) break;
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n < 0 && errno == EINTR) continue;
      return Finish(Unregister(fd).release());  // EOF or error
    }
    if (c.lingering || c.avail() == 0) return;
    if (c.HeadersComplete()) return Dispatch(Unregister(fd));
    if (c.avail() > lim.max_header_bytes) {
      SendFixed(fd, 431, "Request Header Fields Too Large", "request headers too large");
      std::unique_ptr<Conn> u = Unregister(fd);
      shutdown(u->fd, SHUT_WR);
      u->lingering = true;
      u->deadline = Clock::now() + std::chrono::seconds(1);
      Register(std::move(u));
    }
  }

  bool Light(const Conn& c) const {
    return c.StartsWith("GET /healthz") || c.StartsWith("GET /cds-services ") ||
           c.StartsWith("GET /cds-services?") || c.StartsWith("OPTIONS ");
  }

  // Headers complete: to a worker, or 503 when the queue is full.
  void Dispatch(std::unique_ptr<Conn> c) {
    const bool light_req = Light(*c);
    std::atomic<int>& load = light_req ? light_load : heavy_load;
    const int workers = light_req ? lim.light_workers : lim.workers;
    if (load.load() >= workers + lim.max_queued) {
      SendFixed(c->fd, 503, "Service Unavailable", "server busy");
      shutdown(c->fd, SHUT_WR);
      c->lingering = true;
      c->deadline = Clock::now() + std::chrono::seconds(1);
      return Register(std::move(c));
    }
    load.fetch_add(1);
    Conn* raw = c.release();
    (light_req ? light : heavy)->enqueue([this, raw, &load] {
      Serve(raw);
      load.fetch_sub(1);
    });
  }

  void Serve(Conn* c) {
    ConnStream s(*c, lim.write_timeout_ms);
    for (;;) {
      t_close_after = false;
      bool closed = false;
      const bool last = ++c->served >= lim.keep_alive_max || stopping;
      const bool ok = owner->process_request(s, last, closed, [](httplib::Request&) {});
      c->in_request = false;
      if (!ok) return Finish(c);
      if (closed || last || t_close_after) return Linger(c);
      if (c->avail() > 0) {
        BeginRequest(*c);
        if (c->HeadersComplete()) continue;  // pipelined
        return ToGate(c);
      }
      c->deadline = Clock::now() + std::chrono::milliseconds(lim.keep_alive_idle_ms);
      return ToGate(c);
    }
  }

  void Loop() {
    std::vector<epoll_event> evs(256);
    auto next_sweep = Clock::now();
    while (!stopping) {
      const int n = epoll_wait(epfd, evs.data(), static_cast<int>(evs.size()), 50);
      std::vector<Conn*> in;
      {
        std::lock_guard<std::mutex> lock(in_mu);
        in.swap(incoming);
      }
      for (Conn* c : in) {
        const bool ready = !c->lingering && c->avail() > 0 && c->HeadersComplete();
        if (ready) {
          Dispatch(std::unique_ptr<Conn>(c));
        } else {
          Register(std::unique_ptr<Conn>(c));
        }
      }
      for (int i = 0; i < n; ++i) {
        if (evs[static_cast<size_t>(i)].data.fd == evfd) {
          uint64_t v;
          (void)!::read(evfd, &v, sizeof v);
          continue;
        }
        OnReadable(evs[static_cast<size_t>(i)].data.fd);
      }
      const auto now = Clock::now();
      if (now < next_sweep) continue;
      next_sweep = now + std::chrono::milliseconds(50);
      std::vector<int> expired;
      for (const auto& [fd, c] : waiting)
        if (now >= c->deadline) expired.push_back(fd);
      for (int fd : expired) {
        std::unique_ptr<Conn> c = Unregister(fd);
        if (c->in_request && !c->lingering)
          SendFixed(fd, 408, "Request Timeout", "request headers not received in time");
        Finish(c.release());
      }
    }
  }
};

GuardedServer::GuardedServer(TransportLimits limits) : impl_(std::make_unique<Impl>()) {
  impl_->owner = this;
  impl_->lim = limits;
  // httplib's default sets SO_REUSEPORT, which lets a second process (any of the same user) bind
  // the same port and take a share of the EHR's connections. Only SO_REUSEADDR (a restart may
  // rebind while old connections linger); a port in use is an error at start-up.
  set_socket_options([](socket_t sock) {
    const int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  new_task_queue = [this] {
    impl_->Start();
    return new InlineQueue([this] { impl_->Shutdown(); });
  };
}

GuardedServer::~GuardedServer() { impl_->Shutdown(); }

void GuardedServer::RaiseBacklog(int n) {
  const socket_t s = svr_sock_;
  if (s != INVALID_SOCKET) ::listen(s, n);
}

bool GuardedServer::process_and_close_socket(socket_t sock) {
  impl_->Admit(sock);
  return true;
}

}  // namespace bp::server
