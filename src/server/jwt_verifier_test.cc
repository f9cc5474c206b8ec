// Key rotation in the JWT verifier, with a JWKS file rewritten between calls and the clock
// passed in: reload on an unknown key id, at most once per kJwksRetry, reload of old keys after
// kJwksMaxAge, withdrawn keys refused after a reload, and the keys held kept when a reload fails.
#include "server/jwt_verifier.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "support/jwt_keys.h"

namespace bp::server {
namespace {

using testing_jwt::Claims;
using testing_jwt::KeyPair;
using testing_jwt::MakeKey;
using testing_jwt::Sign;
using Clock = JwtVerifier::Clock;

const std::string kIss = "https://ehr.example.org";
const std::string kAud = "https://bonepath.example.org/cds-services/bonepath-patient-view";

class JwksRotationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "bonepath-jwks-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    jwks_ = (dir_ / "jwks.json").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void WriteJwks(const std::vector<const KeyPair*>& keys) {
    testing_jwt::json doc = {{"keys", testing_jwt::json::array()}};
    for (const KeyPair* k : keys) doc["keys"].push_back(k->jwk);
    std::ofstream(jwks_) << doc.dump();
  }
  std::string Token(const KeyPair& k, const std::string& kid, long long exp_offset = 300) {
    Claims c;
    c.iss = kIss;
    c.aud = kAud;
    c.exp_offset = exp_offset;
    return "Bearer " + Sign(JWT_ALG_ES384, k.private_pem, kid, c);
  }

  static inline const KeyPair key1_ = MakeKey(true, "key-1");
  static inline const KeyPair key2_ = MakeKey(true, "key-2");
  std::filesystem::path dir_;
  std::string jwks_;
};

TEST_F(JwksRotationTest, UnknownKeyIdReloadsTheJwks) {
  WriteJwks({&key1_});
  const auto t0 = Clock::now();
  auto v = JwtVerifier::Create({kIss + "=" + jwks_}, nullptr, t0);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE((*v)->Verify(Token(key1_, "key-1"), kAud, t0));
  EXPECT_EQ((*v)->LoadCount(kIss), 1);

  WriteJwks({&key2_});  // the EHR rotates: key-1 withdrawn, key-2 in use
  auto r = (*v)->Verify(Token(key2_, "key-2"), kAud, t0 + std::chrono::seconds(5));
  EXPECT_TRUE(r) << r.error().message;
  EXPECT_EQ((*v)->LoadCount(kIss), 2);

  // key-1 is no longer held; asking for it reloads nothing within kJwksRetry and is refused.
  r = (*v)->Verify(Token(key1_, "key-1"), kAud, t0 + std::chrono::seconds(10));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("no key \"key-1\""), std::string::npos) << r.error().message;
  EXPECT_EQ((*v)->LoadCount(kIss), 2);
}

TEST_F(JwksRotationTest, MadeUpKeyIdsReloadAtMostOncePerRetryInterval) {
  WriteJwks({&key1_});
  const auto t0 = Clock::now();
  auto v = JwtVerifier::Create({kIss + "=" + jwks_}, nullptr, t0);
  ASSERT_TRUE(v);
  for (int i = 0; i < 20; ++i)
    EXPECT_FALSE((*v)->Verify(Token(key1_, "made-up-" + std::to_string(i)), kAud, t0));
  EXPECT_EQ((*v)->LoadCount(kIss), 2);  // the first made-up id reloaded, the other 19 did not
  const auto retry = JwtVerifier::kJwksRetry;
  EXPECT_FALSE((*v)->Verify(Token(key1_, "made-up-x"), kAud, t0 + retry - std::chrono::seconds(1)));
  EXPECT_EQ((*v)->LoadCount(kIss), 2);
  EXPECT_FALSE((*v)->Verify(Token(key1_, "made-up-y"), kAud, t0 + retry));
  EXPECT_EQ((*v)->LoadCount(kIss), 3);
}

TEST_F(JwksRotationTest, OldKeysAreReloadedSoAWithdrawnKeyStopsWorking) {
  WriteJwks({&key1_});
  const auto t0 = Clock::now();
  auto v = JwtVerifier::Create({kIss + "=" + jwks_}, nullptr, t0);
  ASSERT_TRUE(v);
  WriteJwks({&key2_});  // key-1 withdrawn, but the verifier has no reason to look yet
  const auto age = JwtVerifier::kJwksMaxAge;
  // About key age, not token lifetime: allow the long-lived token this test needs.
  (*v)->set_max_lifetime(3 * age);
  const long long long_exp = 2 * age.count();  // the token outlives the test's clock jumps
  EXPECT_TRUE(
      (*v)->Verify(Token(key1_, "key-1", long_exp), kAud, t0 + age - std::chrono::seconds(1)));
  EXPECT_EQ((*v)->LoadCount(kIss), 1);
  auto r = (*v)->Verify(Token(key1_, "key-1", long_exp), kAud, t0 + age);
  EXPECT_FALSE(r);
  EXPECT_EQ((*v)->LoadCount(kIss), 2);
}

TEST_F(JwksRotationTest, FailedReloadKeepsTheKeysHeld) {
  WriteJwks({&key1_});
  const auto t0 = Clock::now();
  auto v = JwtVerifier::Create({kIss + "=" + jwks_}, nullptr, t0);
  ASSERT_TRUE(v);
  std::filesystem::remove(jwks_);                               // the JWKS source is unavailable
  EXPECT_FALSE((*v)->Verify(Token(key2_, "key-2"), kAud, t0));  // reload tried, failed
  EXPECT_EQ((*v)->LoadCount(kIss), 1);
  EXPECT_TRUE((*v)->Verify(Token(key1_, "key-1"), kAud, t0 + std::chrono::seconds(1)));
}

}  // namespace
}  // namespace bp::server

namespace bp::server {
namespace {

// Issue 15: a padding-only segment gave 500; nbf and the lifetime were not checked.
TEST_F(JwksRotationTest, PaddingNbfAndLifetimeAreChecked) {
  WriteJwks({&key1_});
  const auto t0 = Clock::now();
  auto v = JwtVerifier::Create({kIss + "=" + jwks_}, nullptr, t0);
  ASSERT_TRUE(v);
  for (const char* t : {"Bearer ====.e30.AAAA", "Bearer e30.====.AAAA", "Bearer =.=.="}) {
    auto r = (*v)->Verify(t, kAud, t0);
    ASSERT_FALSE(r) << t;
    EXPECT_EQ(r.error().code, "unauthorized") << t;
  }
  auto r = (*v)->Verify(Token(key1_, "key-1", 3600), kAud, t0);  // one hour: over 5 minutes
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("lifetime"), std::string::npos) << r.error().message;
}

// Issue 15: token parts go through the JSON layer: a claim given twice (which value would count?)
// or a part nested deeply is a 401 with the reason, never a parse by another rule.
TEST_F(JwksRotationTest, DuplicateClaimsAndDeepPartsAreRefused) {
  WriteJwks({&key1_});
  const auto t0 = Clock::now();
  auto v = JwtVerifier::Create({kIss + "=" + jwks_}, nullptr, t0);
  ASSERT_TRUE(v);
  const auto b64 = [](const std::string& s) {
    return testing_jwt::B64Url(reinterpret_cast<const unsigned char*>(s.data()), s.size());
  };
  const std::string head = b64(R"({"alg":"ES384","kid":"key-1"})");
  auto r = (*v)->Verify(
      "Bearer " + head + "." + b64(R"({"iss":"x","iss":")" + kIss + R"(","exp":1})") + ".AAAA",
      kAud, t0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "unauthorized");
  EXPECT_NE(r.error().message.find("duplicate key"), std::string::npos) << r.error().message;
  r = (*v)->Verify(
      "Bearer " + head + "." + b64(std::string(20, '[') + std::string(20, ']')) + ".AAAA", kAud,
      t0);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("nested deeper"), std::string::npos) << r.error().message;
}

// ES384 signatures are checked by Nettle: the signature must be 96 bytes of R||S made by the
// named key over exactly this header and payload, with r and s in [1, n-1].
TEST_F(JwksRotationTest, Es384SignaturesAreCheckedExactly) {
  WriteJwks({&key1_, &key2_});
  const auto t0 = Clock::now();
  auto v = JwtVerifier::Create({kIss + "=" + jwks_}, nullptr, t0);
  ASSERT_TRUE(v);
  const std::string good = Token(key1_, "key-1");
  ASSERT_TRUE((*v)->Verify(good, kAud, t0)) << "a genuine token";
  const size_t d2 = good.rfind('.');
  const std::string input = good.substr(0, d2);
  const auto b64 = [](const std::string& s) {
    return testing_jwt::B64Url(reinterpret_cast<const unsigned char*>(s.data()), s.size());
  };
  const auto with_sig = [&](const std::string& raw) { return input + "." + b64(raw); };
  const std::string order = [] {  // n, the order of P-384's base point
    const unsigned char n[48] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                 0xFF, 0xFF, 0xFF, 0xFF, 0xC7, 0x63, 0x4D, 0x81, 0xF4, 0x37,
                                 0x2D, 0xDF, 0x58, 0x1A, 0x0D, 0xB2, 0x48, 0xB0, 0xA7, 0x7A,
                                 0xEC, 0xEC, 0x19, 0x6A, 0xCC, 0xC5, 0x29, 0x73};
    return std::string(reinterpret_cast<const char*>(n), sizeof n);
  }();
  const std::string one = std::string(47, '\0') + '\1', zero(48, '\0');
  std::vector<std::pair<std::string, std::string>> bad = {
      {"r = 0", with_sig(zero + one)},
      {"s = 0", with_sig(one + zero)},
      {"r = n", with_sig(order + one)},
      {"s = n", with_sig(one + order)},
      {"r, s all ones", with_sig(std::string(96, '\xFF'))},
      {"95 bytes", with_sig(std::string(95, '\1'))},
      {"another key's signature", Token(key2_, "key-1")},
  };
  {
    // One bit of the signature flipped (the first byte of s, well inside the string).
    std::string t = good;
    t[d2 + 1 + 66] = t[d2 + 1 + 66] == 'A' ? 'B' : 'A';
    bad.push_back({"signature bit flipped", t});
  }
  {
    // The payload changed under the same signature (a different jti).
    Claims c;
    c.iss = kIss;
    c.aud = kAud;
    const std::string other = "Bearer " + Sign(JWT_ALG_ES384, key1_.private_pem, "key-1", c);
    bad.push_back({"payload swapped", other.substr(0, other.rfind('.')) + good.substr(d2)});
  }
  for (const auto& [what, token] : bad) {
    auto r = (*v)->Verify(token, kAud, t0);
    ASSERT_FALSE(r) << what;
    EXPECT_EQ(r.error().code, "unauthorized") << what;
    EXPECT_NE(r.error().message.find("signature"), std::string::npos)
        << what << ": " << r.error().message;
  }
  // key-2 signs for itself.
  EXPECT_TRUE((*v)->Verify(Token(key2_, "key-2"), kAud, t0));
}

}  // namespace
}  // namespace bp::server
