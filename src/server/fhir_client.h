// The FhirSource of the CDS service over libcurl: GET with a bearer token, bounded in time and
// size, http(s) only, no redirects to other schemes. Messages name the status or the transport
// failure, never the body (which may hold patient data).
//
// Thread safety: Get may be called concurrently (one curl easy handle per call).
#pragma once

#include <string>

#include "cdshooks/cds_service.h"

namespace bp::server {

class CurlFhirSource : public cds::FhirSource {
 public:
  // Call once before threads start (curl_global_init is not thread-safe).
  static void GlobalInit();

  explicit CurlFhirSource(long timeout_ms = 5000, size_t max_bytes = 16u << 20)
      : timeout_ms_(timeout_ms), max_bytes_(max_bytes) {}
  Result<std::string> Get(const std::string& url, const std::string& bearer,
                          std::chrono::milliseconds budget) const override;
  Result<std::string> Get(const std::string& url, const std::string& bearer) const {
    return Get(url, bearer, std::chrono::milliseconds(timeout_ms_));
  }

 private:
  long timeout_ms_;
  size_t max_bytes_;
};

// Fetches a URL without a token (JWKS at start-up).
Result<std::string> FetchUrl(const std::string& url);

}  // namespace bp::server
