// Verifies the JWT an EHR sends with every CDS Hooks call (CDS Hooks 2.0, "Trusting CDS
// Clients"): signature by a trusted issuer's key (JWKS from a file or URL, loaded at start),
// algorithm ES384 or RS384 only (`none` and HMAC are rejected before any key is tried, so a
// public key can never serve as an HMAC secret), `aud` equal to the URL of the service
// endpoint being invoked, `exp` in the future, `iat` not in the future, `nbf` (when present) not
// in the future, a lifetime `exp - iat` of at most max_lifetime (5 minutes by default), `jti`
// present and not seen before from that issuer (replay; in memory, and in the service database
// through the replay store so that a restart forgets nothing while the token is valid). Keys are
// decoded once when the JWKS is loaded (JWKs turned into PEM public keys with OpenSSL); ES384
// signatures are checked by Nettle (its P-384 code costs half of OpenSSL 3.0's), RS384 by OpenSSL.
//
// Key rotation: EHRs rotate their signing keys and withdraw compromised ones. An issuer's JWKS
// (file or URL) is loaded again when a token names a key id the issuer's keys do not have, at
// most once per kJwksRetry per issuer (a stream of made-up key ids cannot turn the service into
// a fetch loop), and when the keys held are older than kJwksMaxAge (a withdrawn key stops being
// accepted). When a reload fails, the keys held stay in use and the next try waits kJwksRetry.
//
// Thread safety: Verify may be called concurrently (the replay cache has its own mutex).
#pragma once

struct evp_pkey_st;  // OpenSSL EVP_PKEY

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace bp::server {

struct NettleP384Key;  // an EC P-384 public key for Nettle (jwt_verifier.cc)

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
                                                     UrlLoader fetch,
                                                     Clock::time_point now = Clock::now());

  // `authorization`: the Authorization header value. `audience`: the endpoint URL invoked.
  // Errors have code "unauthorized" and a message saying which check failed.
  Result<VerifiedToken> Verify(std::string_view authorization, std::string_view audience,
                               Clock::time_point now = Clock::now());

  // The durable replay record: true when (issuer, jti) was not seen before and is now recorded
  // until `keep_until` (epoch seconds); false for a replay. `now` lets the store purge.
  using ReplayStore = std::function<Result<bool>(const std::string& issuer, const std::string& jti,
                                                 long long keep_until, long long now)>;
  void set_replay_store(ReplayStore store) { replay_ = std::move(store); }
  // Tokens whose exp - iat is longer than this are refused (default 5 minutes).
  void set_max_lifetime(std::chrono::seconds s) { max_lifetime_ = s; }

  // Allowed clock difference between EHR and service for exp / iat.
  static constexpr std::chrono::seconds kLeeway{60};
  // Key rotation (see above): the shortest time between two loads of one issuer's JWKS, and the
  // age after which the keys held are loaded again.
  static constexpr std::chrono::seconds kJwksRetry{60};
  static constexpr std::chrono::seconds kJwksMaxAge{3600};

  // How many times the issuer's JWKS has been loaded successfully (1 after Create); for tests
  // and the service's log.
  int LoadCount(const std::string& issuer);

 private:
  struct Key {
    std::string kid;
    std::string kty;  // RSA | EC
    std::string pem;
    // The key decoded once when the JWKS is loaded (decoding the PEM on every call cost more
    // than the signature check); shared read-only by the worker threads. Null: unusable.
    std::shared_ptr<evp_pkey_st> pkey;
    // For an EC key: its P-384 point, checked to be on the curve, for Nettle's ECDSA (ES384).
    std::shared_ptr<const NettleP384Key> p384;
  };
  using Keys = std::vector<Key>;
  struct Issuer {
    std::vector<std::string> sources;  // file paths or http(s) URLs of the issuer's JWKS
    std::shared_ptr<const Keys> keys;
    long long loaded_at = 0;     // epoch seconds of the last successful load
    long long last_attempt = 0;  // epoch seconds of the last reload attempt
    int loads = 0;
  };
  // The issuer's keys, reloaded first when `kid` is unknown or the keys are old (rate-limited).
  // Null when the issuer is not trusted.
  std::shared_ptr<const Keys> KeysFor(const std::string& iss, const std::string& kid,
                                      long long now);

  UrlLoader fetch_ = nullptr;
  ReplayStore replay_;
  std::chrono::seconds max_lifetime_{300};
  std::mutex keys_mu_;
  std::map<std::string, Issuer> issuers_;  // guarded by keys_mu_
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
