// Verifies the JWT an EHR sends with every CDS Hooks call (CDS Hooks 2.0, "Trusting CDS
// Clients"): signature by a trusted issuer's key (JWKS from a file or URL, loaded at start),
// algorithm ES384 or RS384 only (`none` and HMAC are rejected before any key is tried, so a
// public key can never serve as an HMAC secret), `aud` equal to the URL of the service
// endpoint being invoked, `exp` in the future, `iat` not in the future, `jti` present and not
// seen before from that issuer (replay). Signatures are checked by libjwt (OpenSSL); JWKs are
// turned into PEM public keys with OpenSSL.
//
// Thread safety: Verify may be called concurrently (the replay cache has its own mutex).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace bp::server {

struct VerifiedToken {
  std::string issuer;
  std::string subject;
  std::string jti;
};

class JwtVerifier {
 public:
  using Clock = std::chrono::system_clock;

  // `issuers`: "ISS=JWKS_FILE_OR_URL" as given on the command line. Fails (code schema) on a
  // malformed argument, or (code io) when a JWKS cannot be read or holds no usable key.
  // `fetch` loads a URL (the server passes its libcurl client); null: files only.
  using UrlLoader = Result<std::string> (*)(const std::string& url);
  static Result<std::unique_ptr<JwtVerifier>> Create(const std::vector<std::string>& issuers,
                                                     UrlLoader fetch);

  // `authorization`: the Authorization header value. `audience`: the endpoint URL invoked.
  // Errors have code "unauthorized" and a message saying which check failed.
  Result<VerifiedToken> Verify(std::string_view authorization, std::string_view audience,
                               Clock::time_point now = Clock::now());

  // Allowed clock difference between EHR and service for exp / iat.
  static constexpr std::chrono::seconds kLeeway{60};

 private:
  struct Key {
    std::string kid;
    std::string kty;  // RSA | EC
    std::string pem;
  };
  std::map<std::string, std::vector<Key>> keys_;  // issuer -> keys
  std::mutex mu_;
  std::map<std::string, long long> seen_jti_;  // issuer + " " + jti -> exp (epoch seconds)
  long long last_purge_ = 0;
};

// The JWKS (RFC 7517) public keys as PEM: RSA keys and EC P-384 keys. Keys that are neither, or
// that are malformed, are skipped; `why` collects the reasons.
struct PemKey {
  std::string kid;
  std::string kty;
  std::string pem;
};
std::vector<PemKey> JwksToPem(std::string_view jwks, std::vector<std::string>* why);

}  // namespace bp::server
