#include "server/jwt_verifier.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
// ES384 verification: Nettle (hogweed) has a P-384 implementation with x86-64 assembly for the
// field arithmetic; OpenSSL 3.0 (Debian 12) checks P-384 with its generic BIGNUM code, about
// twice the CPU per signature (0.45 ms against 0.84 ms here), once per hook call.
#include <gmp.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>
#include <nettle/ecdsa.h>
#include <nettle/sha2.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cdshooks/cds_service.h"
#include "cdshooks/outside_json.h"

namespace bp::server {

// An EC P-384 public key as Nettle's point, set once when the JWKS is loaded (only a point on
// the curve is accepted); read-only afterwards, shared by the worker threads.
struct NettleP384Key {
  ecc_point point;
  NettleP384Key() { ecc_point_init(&point, nettle_get_secp_384r1()); }
  ~NettleP384Key() { ecc_point_clear(&point); }
  NettleP384Key(const NettleP384Key&) = delete;
  NettleP384Key& operator=(const NettleP384Key&) = delete;
};

namespace {

using nlohmann::json;

Error Unauthorized(std::string why) {
  return Error{"unauthorized", "Authorization", std::move(why)};
}

// base64url (no padding) -> bytes; empty optional on bad input.
std::optional<std::string> B64Url(std::string_view in) {
  // Unpadded base64url only (RFC 7515 §2): padding, or a length no encoding has, is refused
  // (a segment of "====" once reached a negative size).
  if (in.empty() || in.size() % 4 == 1 ||
      in.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") !=
          std::string_view::npos)
    return std::nullopt;
  std::string s(in);
  for (char& c : s) {
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
  }
  while (s.size() % 4) s += '=';
  std::string out(s.size() / 4 * 3, '\0');
  const int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  if (n < 0) return std::nullopt;
  size_t pad = 0;
  if (static_cast<size_t>(n) < s.size() - in.size()) return std::nullopt;
  for (size_t i = s.size(); i > 0 && s[i - 1] == '='; --i) ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::string ToPem(EVP_PKEY* pkey) {
  BIO* bio = BIO_new(BIO_s_mem());
  std::string pem;
  if (bio && PEM_write_bio_PUBKEY(bio, pkey) == 1) {
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    pem.assign(data, static_cast<size_t>(len));
  }
  BIO_free(bio);
  return pem;
}

EVP_PKEY* FromData(const char* type, OSSL_PARAM_BLD* bld) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* pkey = nullptr;
  if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1)
    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params);
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  return pkey;
}

std::string RsaPem(const std::string& n, const std::string& e) {
  BIGNUM* bn_n = BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()),
                           static_cast<int>(n.size()), nullptr);
  BIGNUM* bn_e = BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()),
                           static_cast<int>(e.size()), nullptr);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  std::string pem;
  if (bn_n && bn_e && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) == 1 &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) == 1) {
    if (EVP_PKEY* k = FromData("RSA", bld)) {
      pem = ToPem(k);
      EVP_PKEY_free(k);
    }
  }
  OSSL_PARAM_BLD_free(bld);
  BN_free(bn_n);
  BN_free(bn_e);
  return pem;
}

std::string EcPem(const std::string& x, const std::string& y) {
  std::string point = std::string(1, '\x04') + x + y;
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  std::string pem;
  if (bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "P-384", 0) == 1 &&
      OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) ==
          1) {
    if (EVP_PKEY* k = FromData("EC", bld)) {
      pem = ToPem(k);
      EVP_PKEY_free(k);
    }
  }
  OSSL_PARAM_BLD_free(bld);
  return pem;
}

// A PEM public key decoded once, for every later verification.
std::shared_ptr<EVP_PKEY> DecodePublicKey(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (!bio) return nullptr;
  EVP_PKEY* k = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!k) return nullptr;
  return std::shared_ptr<EVP_PKEY>(k, EVP_PKEY_free);
}

// The key's P-384 point for Nettle, or null when the key is not an EC P-384 key with an
// uncompressed public point on the curve.
std::shared_ptr<const NettleP384Key> P384Point(EVP_PKEY* key) {
  if (!key || !EVP_PKEY_is_a(key, "EC")) return nullptr;
  char group[64] = {};
  size_t glen = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &glen) !=
          1 ||
      std::string_view(group, glen) != "secp384r1")
    return nullptr;
  unsigned char pub[97];
  size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub, &len) != 1 ||
      len != sizeof pub || pub[0] != 0x04)
    return nullptr;
  auto k = std::make_shared<NettleP384Key>();
  mpz_t x, y;
  mpz_init(x);
  mpz_init(y);
  mpz_import(x, 48, 1, 1, 1, 0, pub + 1);
  mpz_import(y, 48, 1, 1, 1, 0, pub + 49);
  const bool on_curve = ecc_point_set(&k->point, x, y) == 1;
  mpz_clear(x);
  mpz_clear(y);
  if (!on_curve) return nullptr;
  return k;
}

// A JWS signature over `input` (header.payload) with SHA-384 (RFC 7518 §3.3, §3.4), with a key
// decoded once. ES384 signatures are raw R||S (48 bytes each), checked by Nettle (r and s must
// lie in [1, n-1]); RS384 is PKCS #1 v1.5, checked by OpenSSL.
bool VerifyJws(EVP_PKEY* key, const NettleP384Key* p384, bool es384, std::string_view input,
               const std::string& sig) {
  if (es384) {
    if (!p384 || sig.size() != 96) return false;
    uint8_t digest[SHA384_DIGEST_SIZE];
    sha384_ctx h;
    sha384_init(&h);
    sha384_update(&h, input.size(), reinterpret_cast<const uint8_t*>(input.data()));
    sha384_digest(&h, sizeof digest, digest);
    dsa_signature rs;
    dsa_signature_init(&rs);
    mpz_import(rs.r, 48, 1, 1, 1, 0, sig.data());
    mpz_import(rs.s, 48, 1, 1, 1, 0, sig.data() + 48);
    const bool ok = ecdsa_verify(&p384->point, sizeof digest, digest, &rs) == 1;
    dsa_signature_clear(&rs);
    return ok;
  }
  if (!key || !EVP_PKEY_is_a(key, "RSA")) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok =
      ctx && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha384(), nullptr, key) == 1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

std::string ReadFile(const std::string& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  *ok = static_cast<bool>(in);
  return ss.str();
}

}  // namespace

std::vector<PemKey> JwksToPem(std::string_view jwks, std::vector<std::string>* why) {
  std::vector<PemKey> out;
  auto parsed = cds::ParseOutsideJson(jwks);
  if (!parsed) {
    why->push_back("JWKS: " + parsed.error().message);
    return out;
  }
  const json doc = std::move(*parsed);
  if (!doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array()) {
    why->push_back("not a JWKS (an object with a \"keys\" array)");
    return out;
  }
  for (const auto& k : doc["keys"]) {
    if (!k.is_object()) continue;
    const std::string kty = k.value("kty", ""), kid = k.value("kid", "");
    auto field = [&](const char* name) -> std::optional<std::string> {
      if (!k.contains(name) || !k[name].is_string()) return std::nullopt;
      return B64Url(k[name].get<std::string>());
    };
    std::string pem;
    if (kty == "RSA") {
      auto n = field("n"), e = field("e");
      if (n && e) pem = RsaPem(*n, *e);
    } else if (kty == "EC" && k.value("crv", "") == "P-384") {
      auto x = field("x"), y = field("y");
      if (x && y) pem = EcPem(*x, *y);
    } else {
      why->push_back("key \"" + kid + "\": kty " + kty + " is not RSA or EC P-384");
      continue;
    }
    if (pem.empty()) {
      why->push_back("key \"" + kid + "\": malformed");
      continue;
    }
    out.push_back({kid, kty, pem});
  }
  return out;
}

namespace {

// One issuer's JWKS from a file or an http(s) URL, as PEM keys.
Result<std::vector<PemKey>> LoadJwks(const std::string& src, JwtVerifier::UrlLoader fetch) {
  std::string text;
  if (src.rfind("http://", 0) == 0 || src.rfind("https://", 0) == 0) {
    if (!fetch) return Error{"io", "--trusted-issuer", "cannot fetch " + src};
    auto got = fetch(src);
    if (!got) return Error{"io", "--trusted-issuer", src + ": " + got.error().message};
    text = *got;
  } else {
    bool ok = false;
    text = ReadFile(src, &ok);
    if (!ok) return Error{"io", "--trusted-issuer", "cannot read " + src};
  }
  std::vector<std::string> why;
  auto keys = JwksToPem(text, &why);
  if (keys.empty())
    return Error{
        "io", "--trusted-issuer",
        src + ": no usable RSA or EC P-384 key" + (why.empty() ? "" : " (" + why.front() + ")")};
  return keys;
}

long long EpochSeconds(JwtVerifier::Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

Result<std::unique_ptr<JwtVerifier>> JwtVerifier::Create(const std::vector<std::string>& issuers,
                                                         UrlLoader fetch, Clock::time_point now) {
  auto v = std::unique_ptr<JwtVerifier>(new JwtVerifier());
  v->fetch_ = fetch;
  for (const auto& arg : issuers) {
    const size_t eq = arg.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == arg.size())
      return Error{"schema", "--trusted-issuer",
                   "expected ISS=JWKS_FILE_OR_URL, got \"" + arg + "\""};
    const std::string iss = arg.substr(0, eq), src = arg.substr(eq + 1);
    auto keys = LoadJwks(src, fetch);
    if (!keys) return keys.errors();
    Issuer& is = v->issuers_[iss];  // an issuer may be given several times, one JWKS each
    auto all = std::make_shared<Keys>(is.keys ? *is.keys : Keys{});
    for (auto& k : *keys) {
      std::shared_ptr<EVP_PKEY> pkey = DecodePublicKey(k.pem);
      auto p384 = k.kty == "EC" ? P384Point(pkey.get()) : nullptr;
      all->push_back({k.kid, k.kty, std::move(k.pem), std::move(pkey), std::move(p384)});
    }
    is.sources.push_back(src);
    is.keys = std::move(all);
    is.loaded_at = EpochSeconds(now);
    is.loads = 1;
  }
  return v;
}

std::shared_ptr<const JwtVerifier::Keys> JwtVerifier::KeysFor(const std::string& iss,
                                                              const std::string& kid,
                                                              long long now) {
  std::vector<std::string> sources;
  {
    std::lock_guard<std::mutex> lock(keys_mu_);
    auto it = issuers_.find(iss);
    if (it == issuers_.end()) return nullptr;
    Issuer& is = it->second;
    const bool old = now - is.loaded_at >= kJwksMaxAge.count();
    const bool unknown_kid =
        !kid.empty() &&
        std::none_of(is.keys->begin(), is.keys->end(), [&](const Key& k) { return k.kid == kid; });
    if ((!old && !unknown_kid) || now - is.last_attempt < kJwksRetry.count()) return is.keys;
    is.last_attempt = now;
    sources = is.sources;
  }
  // Outside the lock: a slow JWKS URL blocks no one. All of the issuer's sources, or none.
  auto keys = std::make_shared<Keys>();
  bool loaded = true;
  for (const std::string& src : sources) {
    auto got = LoadJwks(src, fetch_);
    if (!got) {
      loaded = false;
      break;
    }
    for (auto& k : *got) {
      std::shared_ptr<EVP_PKEY> pkey = DecodePublicKey(k.pem);
      auto p384 = k.kty == "EC" ? P384Point(pkey.get()) : nullptr;
      keys->push_back({k.kid, k.kty, std::move(k.pem), std::move(pkey), std::move(p384)});
    }
  }
  std::lock_guard<std::mutex> lock(keys_mu_);
  Issuer& is = issuers_.at(iss);
  if (loaded) {
    is.keys = std::move(keys);
    is.loaded_at = now;
    ++is.loads;
  }
  return is.keys;
}

int JwtVerifier::LoadCount(const std::string& issuer) {
  std::lock_guard<std::mutex> lock(keys_mu_);
  auto it = issuers_.find(issuer);
  return it == issuers_.end() ? 0 : it->second.loads;
}

Result<VerifiedToken> JwtVerifier::Verify(std::string_view authorization, std::string_view audience,
                                          Clock::time_point now) {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.empty())
    return Unauthorized("missing Authorization header (Bearer JWT required)");
  if (authorization.size() <= kBearer.size() ||
      !std::equal(kBearer.begin(), kBearer.end(), authorization.begin(),
                  [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
    return Unauthorized("Authorization is not a Bearer token");
  const std::string token(authorization.substr(kBearer.size()));
  const size_t d1 = token.find('.'), d2 = token.find('.', d1 == std::string::npos ? 0 : d1 + 1);
  if (d1 == std::string::npos || d2 == std::string::npos ||
      token.find('.', d2 + 1) != std::string::npos)
    return Unauthorized("token is not a JWS compact serialization");
  auto head_raw = B64Url(std::string_view(token).substr(0, d1));
  auto body_raw = B64Url(std::string_view(token).substr(d1 + 1, d2 - d1 - 1));
  if (!head_raw || !body_raw) return Unauthorized("token header or payload is not base64url");
  // Token parts are flat objects: a small nesting limit, and a duplicate claim is refused.
  const jsonparse::Limits part_limits{.max_bytes = 16 * 1024, .max_depth = 8};
  auto head_json = cds::ParseOutsideJson(*head_raw, part_limits);
  if (!head_json) return Unauthorized("token header: " + head_json.error().message);
  auto body_json = cds::ParseOutsideJson(*body_raw, part_limits);
  if (!body_json) return Unauthorized("token payload: " + body_json.error().message);
  const json head = std::move(*head_json), body = std::move(*body_json);
  if (!head.is_object() || !body.is_object())
    return Unauthorized("token header or payload is not a JSON object");
  const std::string alg =
      head.contains("alg") && head["alg"].is_string() ? head["alg"].get<std::string>() : "";
  if (alg != "ES384" && alg != "RS384")
    return Unauthorized("alg \"" + alg + "\" not accepted (ES384 or RS384 only)");
  const std::string iss =
      body.contains("iss") && body["iss"].is_string() ? body["iss"].get<std::string>() : "";
  const std::string kid =
      head.contains("kid") && head["kid"].is_string() ? head["kid"].get<std::string>() : "";
  const std::shared_ptr<const Keys> keys = KeysFor(iss, kid, EpochSeconds(now));
  if (!keys) return Unauthorized("issuer \"" + iss + "\" is not trusted");
  const std::string kty = alg == "ES384" ? "EC" : "RSA";

  auto sig = B64Url(std::string_view(token).substr(d2 + 1));
  if (!sig) return Unauthorized("token signature is not base64url");
  const std::string_view signing_input = std::string_view(token).substr(0, d2);
  bool verified = false, kid_known = kid.empty();
  for (const Key& k : *keys) {
    if (k.kty != kty) continue;
    if (!kid.empty()) {
      if (k.kid != kid) continue;
      kid_known = true;
    }
    if (VerifyJws(k.pkey.get(), k.p384.get(), alg == "ES384", signing_input, *sig)) {
      verified = true;
      break;
    }
  }
  if (!kid_known) return Unauthorized("no key \"" + kid + "\" for issuer \"" + iss + "\"");
  if (!verified)
    return Unauthorized("signature does not verify with the issuer's " + kty + " keys");

  // Claims (the payload is now authenticated).
  bool aud_ok = false;
  if (body.contains("aud")) {
    if (body["aud"].is_string())
      aud_ok = body["aud"].get<std::string>() == audience;
    else if (body["aud"].is_array())
      for (const auto& a : body["aud"])
        aud_ok = aud_ok || (a.is_string() && a.get<std::string>() == audience);
  }
  if (!aud_ok)
    return Unauthorized("aud does not name this service endpoint (" + std::string(audience) + ")");
  const long long t = EpochSeconds(now);
  // NumericDate: a number of seconds; a value past any date this service meets is refused rather
  // than converted (a double beyond long long is undefined behaviour).
  auto numeric = [&](const char* name) -> std::optional<long long> {
    if (!body.contains(name) || !body[name].is_number()) return std::nullopt;
    const double d = body[name].get<double>();
    if (!(d > -1e12 && d < 1e12)) return std::nullopt;
    return static_cast<long long>(d);
  };
  const auto exp_claim = numeric("exp"), iat_claim = numeric("iat");
  if (!exp_claim) return Unauthorized("exp missing or not a date");
  if (!iat_claim) return Unauthorized("iat missing or not a date");
  const long long exp = *exp_claim, iat = *iat_claim;
  if (exp + kLeeway.count() < t) return Unauthorized("token expired");
  if (iat - kLeeway.count() > t) return Unauthorized("iat is in the future");
  if (body.contains("nbf")) {
    const auto nbf = numeric("nbf");
    if (!nbf) return Unauthorized("nbf is not a date");
    if (*nbf - kLeeway.count() > t) return Unauthorized("token not valid yet (nbf)");
  }
  if (exp - iat > max_lifetime_.count())
    return Unauthorized("token lifetime (exp - iat) exceeds " +
                        std::to_string(max_lifetime_.count()) + " s");
  if (!body.contains("jti") || !body["jti"].is_string() || body["jti"].get<std::string>().empty())
    return Unauthorized("jti missing");
  VerifiedToken v{iss, body.value("sub", ""), body["jti"].get<std::string>()};
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (t - last_purge_ >= 10) {  // expired ids can no longer be replayed: drop them
      last_purge_ = t;
      for (auto s = seen_jti_.begin(); s != seen_jti_.end();)
        s = s->second + kLeeway.count() < t ? seen_jti_.erase(s) : std::next(s);
    }
    if (!seen_jti_.emplace(iss + " " + v.jti, exp).second) return Unauthorized("jti replayed");
  }
  // The durable record (a restart must not forget what was accepted), kept until exp + leeway.
  if (replay_) {
    auto fresh = replay_(iss, v.jti, exp + kLeeway.count(), t);
    if (!fresh) return Error{"internal", "", "the token replay record is unavailable"};
    if (!*fresh) return Unauthorized("jti replayed");
  }
  return v;
}

}  // namespace bp::server
