// Open-loop load generator for the CDS Hooks service with JWT auth on, as an EHR calls it: every
// request carries a fresh ES384 token (its own jti, 5-minute lifetime) signed before the timed
// phase (signing is the EHR's cost, not the service's). Requests are scheduled at a fixed rate and
// each latency is measured from its scheduled time, so a service that falls behind is charged for
// the queueing (no coordinated omission).
//
//   cds_loadgen make-key DIR                       writes DIR/private.pem and DIR/jwks.json
//   cds_loadgen run PORT RATE SECONDS BODY_FILE PRIVATE_PEM AUD [CONNECTIONS]
//     prints: RESULT rate=.. sent=.. ok=.. errors=.. p50_ms=.. p99_ms=.. max_ms=..
//             client_cpu_ms_per_call=.. (the generator's own user + system CPU over the timed
//             phase, signing excluded: its share of the cores the service runs on)
#include <httplib.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/jwt_keys.h"

namespace {

using Clock = std::chrono::steady_clock;

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int MakeKey(const std::string& dir) {
  const auto k = bp::testing_jwt::MakeKey(true, "bench-es384");
  std::ofstream(dir + "/private.pem") << k.private_pem;
  std::ofstream(dir + "/jwks.json") << nlohmann::json{{"keys", {k.jwk}}}.dump();
  return 0;
}

int Run(int port, double rate, double seconds, const std::string& body, const std::string& pem,
        const std::string& aud, int connections) {
  const size_t n = static_cast<size_t>(rate * seconds);
  std::vector<std::string> tokens(n);
  bp::testing_jwt::Claims c;
  c.aud = aud;
  for (auto& t : tokens)
    t = "Bearer " + bp::testing_jwt::Sign(JWT_ALG_ES384, pem, "bench-es384", c);
  std::vector<double> lat_ms(n, -1);
  std::atomic<size_t> next{0};
  std::atomic<int> ok{0}, errors{0};
  const double cpu0 = CpuSeconds();
  const auto t0 = Clock::now() + std::chrono::milliseconds(200);
  const auto period = std::chrono::duration<double>(1.0 / rate);
  std::vector<std::thread> threads;
  for (int w = 0; w < connections; ++w)
    threads.emplace_back([&] {
      httplib::Client cli("127.0.0.1", port);
      cli.set_keep_alive(true);
      cli.set_tcp_nodelay(true);  // as EHR clients do: no Nagle wait between headers and body
      cli.set_read_timeout(10, 0);
      for (size_t i; (i = next.fetch_add(1)) < n;) {
        const auto due = t0 + std::chrono::duration_cast<Clock::duration>(period * i);
        std::this_thread::sleep_until(due);
        httplib::Headers h{{"Authorization", tokens[i]}};
        auto r = cli.Post("/cds-services/bonepath-patient-view", h, body, "application/json");
        lat_ms[i] = std::chrono::duration<double, std::milli>(Clock::now() - due).count();
        (r && r->status == 200 ? ok : errors)++;
      }
    });
  for (auto& t : threads) t.join();
  const double client_cpu_s = CpuSeconds() - cpu0;
  std::vector<double> v;
  for (double x : lat_ms)
    if (x >= 0) v.push_back(x);
  std::sort(v.begin(), v.end());
  auto pct = [&](double p) {
    return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
  };
  std::printf(
      "RESULT rate=%.0f sent=%zu ok=%d errors=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f "
      "client_cpu_ms_per_call=%.2f\n",
      rate, v.size(), ok.load(), errors.load(), pct(0.50), pct(0.99), v.empty() ? 0.0 : v.back(),
      v.empty() ? 0.0 : client_cpu_s * 1000 / static_cast<double>(v.size()));
  return errors.load() == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> a(argv + 1, argv + argc);
  if (a.size() == 2 && a[0] == "make-key") return MakeKey(a[1]);
  if (a.size() >= 7 && a[0] == "run")
    return Run(std::stoi(a[1]), std::stod(a[2]), std::stod(a[3]), Slurp(a[4]), Slurp(a[5]), a[6],
               a.size() > 7 ? std::stoi(a[7]) : 16);
  std::fprintf(stderr,
               "usage: cds_loadgen make-key DIR | run PORT RATE SECONDS BODY PEM AUD [CONNS]\n");
  return 2;
}
