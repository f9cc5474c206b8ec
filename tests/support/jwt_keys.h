// Test keys and tokens for the JWT checks of the CDS Hooks service: ES384 (P-384) and RS384
// (RSA 2048) key pairs generated with OpenSSL, their public JWKs (RFC 7517), and JWTs signed with
// libjwt. Shared by the service's unit tests (src/server) and the end-to-end tests of
// `bonepath serve` (tests/integration).
#pragma once

#include <jwt.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace bp::testing_jwt {

using nlohmann::json;

inline std::string B64Url(const unsigned char* p, size_t n) {
  std::string out(4 * ((n + 2) / 3) + 1, '\0');
  const int k =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), p, static_cast<int>(n));
  out.resize(static_cast<size_t>(k));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return out;
}

struct KeyPair {
  std::string private_pem;
  std::string public_pem;
  json jwk;
};

inline std::string Pem(EVP_PKEY* k, bool priv) {
  BIO* b = BIO_new(BIO_s_mem());
  if (priv)
    PEM_write_bio_PrivateKey(b, k, nullptr, nullptr, 0, nullptr, nullptr);
  else
    PEM_write_bio_PUBKEY(b, k);
  char* d = nullptr;
  long n = BIO_get_mem_data(b, &d);
  std::string s(d, static_cast<size_t>(n));
  BIO_free(b);
  return s;
}

inline std::string BnB64(EVP_PKEY* k, const char* name) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(k, name, &bn);
  std::vector<unsigned char> buf(static_cast<size_t>(BN_num_bytes(bn)));
  BN_bn2bin(bn, buf.data());
  BN_free(bn);
  return B64Url(buf.data(), buf.size());
}

inline KeyPair MakeKey(bool ec, const std::string& kid) {
  EVP_PKEY* k = ec ? EVP_EC_gen("P-384") : EVP_RSA_gen(2048);
  KeyPair kp{Pem(k, true), Pem(k, false), json::object()};
  if (ec) {
    unsigned char pub[200];
    size_t n = 0;
    EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub, &n);
    kp.jwk = {{"kty", "EC"},    {"crv", "P-384"},           {"kid", kid},
              {"alg", "ES384"}, {"x", B64Url(pub + 1, 48)}, {"y", B64Url(pub + 49, 48)}};
  } else {
    kp.jwk = {{"kty", "RSA"},
              {"kid", kid},
              {"alg", "RS384"},
              {"n", BnB64(k, OSSL_PKEY_PARAM_RSA_N)},
              {"e", BnB64(k, OSSL_PKEY_PARAM_RSA_E)}};
  }
  EVP_PKEY_free(k);
  return kp;
}

struct Claims {
  std::string iss = "https://ehr.example.org";
  std::string aud;
  long long exp_offset = 300;
  long long iat_offset = 0;
  std::string jti;                      // empty: fresh
  std::optional<long long> nbf_offset;  // no nbf claim unless set
};

inline std::atomic<int> g_jti{0};

inline std::string Sign(jwt_alg_t alg, const std::string& key, const std::string& kid, Claims c) {
  jwt_t* j = nullptr;
  jwt_new(&j);
  const long long now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  jwt_add_grant(j, "iss", c.iss.c_str());
  jwt_add_grant(j, "aud", c.aud.c_str());
  jwt_add_grant_int(j, "exp", now + c.exp_offset);
  jwt_add_grant_int(j, "iat", now + c.iat_offset);
  if (c.nbf_offset) jwt_add_grant_int(j, "nbf", now + *c.nbf_offset);
  const std::string jti =
      c.jti.empty() ? "jti-" + std::to_string(++g_jti) + "-" + std::to_string(now) : c.jti;
  jwt_add_grant(j, "jti", jti.c_str());
  if (!kid.empty()) jwt_add_header(j, "kid", kid.c_str());
  jwt_set_alg(j, alg, key.empty() ? nullptr : reinterpret_cast<const unsigned char*>(key.data()),
              static_cast<int>(key.size()));
  char* s = jwt_encode_str(j);
  std::string out = s ? s : "";
  free(s);
  jwt_free(j);
  return out;
}

}  // namespace bp::testing_jwt
