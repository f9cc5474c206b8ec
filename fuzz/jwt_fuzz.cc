// libFuzzer target: the JWT verifier's parse of an Authorization header (base64url segments,
// JSON header and payload, claims) must answer every byte string with a token or a 401 reason,
// never a crash, a hang or a sanitizer report. The issuer's key is a fixed P-384 JWK; nothing
// is fetched.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "server/jwt_verifier.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static bp::server::JwtVerifier* v = [] {
    // A valid public P-384 point (the generator of the curve), enough for the parse paths.
    const char* jwks =
        R"({"keys":[{"kty":"EC","crv":"P-384","kid":"k1",)"
        R"("x":"qofKIr6LBTeOscce8yCtdG4dO2KLp5uYWfdB4IJUKjhVAvJdv1UpbDpUXjhydgq3",)"
        R"("y":"NhfeSpYmLG9dnpi_kpLcKfj0Hb0omhR86doxE7XwuMAKYLHOHX6BnXpDHXyQ6g5f"}]})";
    const std::string path = "/tmp/bonepath-jwt-fuzz-jwks.json";
    if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
      std::fputs(jwks, f);
      std::fclose(f);
    }
    auto r = bp::server::JwtVerifier::Create({"https://ehr.example.org=" + path}, nullptr);
    if (!r) __builtin_trap();
    return r->release();
  }();
  const std::string header = "Bearer " + std::string(reinterpret_cast<const char*>(data), size);
  auto got = v->Verify(header, "http://127.0.0.1:8080/cds-services/bonepath-patient-view");
  if (!got && (got.error().code != "unauthorized" || got.error().message.empty()))
    __builtin_trap();
  return 0;
}
