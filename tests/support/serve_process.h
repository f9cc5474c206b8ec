// The real `bonepath serve` as a child process on a free loopback port, for the end-to-end tests
// of the CDS Hooks service (tests/integration/cds_*_test.cc): started, waited for, stopped.
//
// A free port can be taken by a test running in parallel before the service binds it (a health
// check would then reach the other test's service). So the process counts as started only once
// its own log says it bound the port ("listening on port"); if it exits instead, or says nothing
// within 10 s, another port is tried (5 tries). Then /healthz is awaited (at most 10 s).
//
// Thread safety: one ServeProcess per test thread.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

namespace bp::testing_serve {

// A loopback port free at the time of the call (another process may take it before it is used).
inline int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

class ServeProcess {
 public:
  // Runs `binary serve --port PORT` followed by `args(PORT)`, its stdout and stderr in
  // `log_dir`/serve-PORT.log.
  ServeProcess(const std::string& binary, const std::filesystem::path& log_dir,
               const std::function<std::vector<std::string>(int port)>& args) {
    using namespace std::chrono_literals;
    for (int attempt = 0; attempt < 5; ++attempt) {
      port_ = FreePort();
      log_ = (log_dir / ("serve-" + std::to_string(port_) + ".log")).string();
      std::vector<std::string> argv_s = {binary, "serve", "--port", std::to_string(port_)};
      for (auto& a : args(port_)) argv_s.push_back(a);
      std::vector<char*> argv;
      for (auto& a : argv_s) argv.push_back(a.data());
      argv.push_back(nullptr);
      pid_ = fork();
      if (pid_ == 0) {
        const int fd = open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, 1);
        dup2(fd, 2);
        execv(argv[0], argv.data());
        _exit(127);
      }
      bool bound = false;
      for (int i = 0; i < 200 && Alive(); ++i) {
        if (Log().find("listening on port") != std::string::npos) {
          bound = true;
          break;
        }
        std::this_thread::sleep_for(50ms);
      }
      if (!bound) {
        Stop();  // not bound in 10 s (or exited): another port
        continue;
      }
      httplib::Client c("127.0.0.1", port_);
      for (int i = 0; i < 200; ++i) {
        if (auto r = c.Get("/healthz"); r && r->status == 200) return;
        std::this_thread::sleep_for(50ms);
      }
      return;
    }
  }
  ~ServeProcess() { Stop(); }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  // SIGTERM, then waits for the process.
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int st = 0;
    waitpid(pid_, &st, 0);
    pid_ = -1;
  }
  // True while the process runs (a crash ends it).
  bool Alive() const {
    int st = 0;
    if (pid_ <= 0) return false;
    if (waitpid(pid_, &st, WNOHANG) == 0) return true;
    pid_ = -1;  // reaped
    return false;
  }
  int port() const { return port_; }
  std::string Log() const {
    std::ifstream in(log_, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  bool Healthy(int timeout_s = 5) const {
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(timeout_s, 0);
    c.set_read_timeout(timeout_s, 0);
    auto r = c.Get("/healthz");
    return r && r->status == 200;
  }

 private:
  int port_ = 0;
  mutable pid_t pid_ = -1;
  std::string log_;
};

}  // namespace bp::testing_serve
