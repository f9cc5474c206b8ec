// The CDS Hooks service end to end: the real `bonepath serve` binary on a free loopback port,
// called over HTTP with JWTs signed here (ES384 and RS384 keys generated with OpenSSL, tokens
// signed with libjwt), and a real FHIR endpoint on 127.0.0.1 (cpp-httplib) serving the shared
// Synthea records as search results, so the fetch path crosses a socket as in production.
#ifdef BONEPATH_HAVE_SERVER
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "run_process.h"
#include "support/jwt_keys.h"
#include "support/serve_process.h"

namespace {

using bp::testing_harness::ReadFileBytes;
using bp::testing_harness::TempDir;
using bp::testing_jwt::Claims;
using bp::testing_jwt::KeyPair;
using bp::testing_jwt::MakeKey;
using bp::testing_jwt::Sign;
using bp::testing_serve::ServeProcess;
using nlohmann::json;

const std::string kIssuer = "https://ehr.example.org";
const std::string kFhirToken = "fhir-access-token-123";

// A FHIR R4 endpoint over one Synthea record: read Patient/{id}, search by patient (and by code
// when `code` is given), 10 entries a page with `next` links, bearer token required.
class FhirServer {
 public:
  explicit FhirServer(const std::string& bundle_path) {
    json b = json::parse(ReadFileBytes(bundle_path));
    for (const auto& e : b["entry"]) {
      json r = e["resource"];
      if (r["resourceType"] == "Patient") patient_id_ = r["id"];
      resources_.push_back(r);
    }
    // Synthea links by urn:uuid; a server answers with Patient/{id}.
    for (auto& r : resources_) {
      std::string s = r.dump();
      const std::string urn = "urn:uuid:" + patient_id_;
      for (size_t p; (p = s.find(urn)) != std::string::npos;)
        s.replace(p, urn.size(), "Patient/" + patient_id_);
      r = json::parse(s);
    }
    srv_.Get(R"(/fhir/Patient/([^/?]+))",
             [this](const httplib::Request& req, httplib::Response& res) {
               if (!Auth(req, res)) return;
               for (const auto& r : resources_)
                 if (r["resourceType"] == "Patient" && r["id"] == req.matches[1].str())
                   return res.set_content(r.dump(), "application/fhir+json");
               res.status = 404;
             });
    srv_.Get(R"(/fhir/([A-Za-z]+))", [this](const httplib::Request& req, httplib::Response& res) {
      if (!Auth(req, res)) return;
      const std::string type = req.matches[1];
      std::set<std::string> codes;
      if (req.has_param("code")) {
        std::string list = req.get_param_value("code");
        for (size_t i = 0; i <= list.size();) {
          size_t j = list.find(',', i);
          if (j == std::string::npos) j = list.size();
          std::string one = list.substr(i, j - i);
          codes.insert(one.substr(one.find('|') + 1));
          i = j + 1;
        }
      }
      std::vector<json> hits;
      if (req.has_param("patient") && req.get_param_value("patient") != patient_id_) {
        res.set_content(
            json{{"resourceType", "Bundle"}, {"type", "searchset"}, {"total", 0}}.dump(),
            "application/fhir+json");
        return;
      }
      for (const auto& r : resources_) {
        if (r["resourceType"] != type) continue;
        if (!codes.empty()) {
          bool hit = false;
          const json* cc = r.contains("code") ? &r["code"]
                           : r.contains("medicationCodeableConcept")
                               ? &r["medicationCodeableConcept"]
                               : nullptr;
          if (cc && cc->contains("coding"))
            for (const auto& c : (*cc)["coding"]) hit = hit || codes.count(c.value("code", ""));
          if (!hit) continue;
        }
        hits.push_back(r);
      }
      const size_t offset =
          req.has_param("_getpagesoffset") ? std::stoul(req.get_param_value("_getpagesoffset")) : 0;
      json b = {{"resourceType", "Bundle"},
                {"type", "searchset"},
                {"total", hits.size()},
                {"entry", json::array()}};
      for (size_t i = offset; i < hits.size() && i < offset + 10; ++i)
        b["entry"].push_back({{"resource", hits[i]}});
      if (offset + 10 < hits.size()) {
        std::string url = "http://127.0.0.1:" + std::to_string(port_) + "/fhir/" + type +
                          "?patient=" + patient_id_;
        if (req.has_param("code"))
          url += "&code=" + httplib::detail::encode_query_param(req.get_param_value("code"));
        url += "&_getpagesoffset=" + std::to_string(offset + 10);
        b["link"] = json::array({{{"relation", "next"}, {"url", url}}});
      }
      res.set_content(b.dump(), "application/fhir+json");
    });
    port_ = srv_.bind_to_any_port("127.0.0.1");  // bound here: no other process can take it
    thread_ = std::thread([this] { srv_.listen_after_bind(); });
    while (!srv_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~FhirServer() {
    srv_.stop();
    thread_.join();
  }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_) + "/fhir"; }
  const std::string& patient_id() const { return patient_id_; }
  int authorized() const { return authorized_; }
  int refused() const { return refused_; }

 private:
  bool Auth(const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Authorization") == "Bearer " + kFhirToken) {
      ++authorized_;
      return true;
    }
    ++refused_;
    res.status = 401;
    return false;
  }
  httplib::Server srv_;
  std::thread thread_;
  int port_ = 0;
  std::string patient_id_;
  std::vector<json> resources_;
  std::atomic<int> authorized_{0}, refused_{0};
};

class CdsServeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    es_ = new KeyPair(MakeKey(true, "es-1"));
    rs_ = new KeyPair(MakeKey(false, "rs-1"));
    other_ = new KeyPair(MakeKey(true, "es-1"));
    json jwks = {{"keys", json::array({es_->jwk, rs_->jwk})}};
    const auto jwks_path = dir_->Write("jwks.json", jwks.dump());
    db_ = (dir_->path() / "cds.db").string();
    serve_ = new ServeProcess(BONEPATH_BINARY, dir_->path(), [&](int port) {
      return std::vector<std::string>{"--db",
                                      db_,
                                      "--public-url",
                                      "http://127.0.0.1:" + std::to_string(port),
                                      "--trusted-issuer",
                                      kIssuer + "=" + jwks_path.string()};
    });
    port_ = serve_->port();
    base_ = "http://127.0.0.1:" + std::to_string(port_);
  }
  static void TearDownTestSuite() {
    delete serve_;
    delete dir_;
    delete es_;
    delete rs_;
    delete other_;
  }

  static std::string Aud(const std::string& service) { return base_ + "/cds-services/" + service; }
  static std::string Token(const std::string& service) {
    Claims c;
    c.aud = Aud(service);
    return Sign(JWT_ALG_ES384, es_->private_pem, "es-1", c);
  }
  static httplib::Result Post(const std::string& path, const std::string& body,
                              const std::string& token) {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30, 0);
    httplib::Headers h;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    return c.Post(path.c_str(), h, body, "application/json");
  }
  static httplib::Result CallService(const std::string& service, const json& body) {
    return Post("/cds-services/" + service, body.dump(), Token(service));
  }

  static inline TempDir* dir_ = nullptr;
  static inline KeyPair *es_ = nullptr, *rs_ = nullptr, *other_ = nullptr;
  static inline int port_ = 0;
  static inline ServeProcess* serve_ = nullptr;
  static inline std::string base_, db_;
};

void ExpectCards(const std::string& body) {
  json r = json::parse(body);
  ASSERT_TRUE(r["cards"].is_array()) << body;
  for (const auto& c : r["cards"]) {
    EXPECT_LT(c["summary"].get<std::string>().size(), 140u);
    EXPECT_TRUE(c["indicator"] == "info" || c["indicator"] == "warning" ||
                c["indicator"] == "critical");
    EXPECT_TRUE(c["source"]["label"].is_string() && c["source"]["url"].is_string());
    EXPECT_TRUE(c["uuid"].is_string());
    EXPECT_FALSE(c["overrideReasons"].empty());
    EXPECT_EQ(c["links"][0]["type"], "absolute");
    if (c.contains("suggestions")) {
      EXPECT_EQ(c["selectionBehavior"], "at-most-one");
    }
  }
}

json ZaOrderSign() {
  // A man of 70 weighing 35.9 kg with creatinine 1.0 mg/dL: CrCl 34.9 mL/min.
  auto obs = [](const std::string& id, const std::string& loinc, double v, const std::string& u) {
    return json{
        {"resource",
         {{"resourceType", "Observation"},
          {"id", id},
          {"status", "final"},
          {"code", {{"coding", json::array({{{"system", "http://loinc.org"}, {"code", loinc}}})}}},
          {"subject", {{"reference", "Patient/p1"}}},
          {"effectiveDateTime", "2026-11-01"},
          {"valueQuantity", {{"value", v}, {"unit", u}}}}}};
  };
  json draft = {
      {"resourceType", "MedicationRequest"},
      {"id", "d1"},
      {"status", "draft"},
      {"intent", "order"},
      {"medicationCodeableConcept",
       {{"coding", json::array({{{"system", "http://www.nlm.nih.gov/research/umls/rxnorm"},
                                 {"code", "705824"}}})}}},
      {"subject", {{"reference", "Patient/p1"}}}};
  return {{"hook", "order-sign"},
          {"hookInstance", "11111111-2222-4333-8444-555555555555"},
          {"context",
           {{"userId", "Practitioner/1"},
            {"patientId", "p1"},
            {"draftOrders",
             {{"resourceType", "Bundle"},
              {"type", "collection"},
              {"entry", json::array({{{"resource", draft}}})}}}}},
          {"prefetch",
           {{"patient",
             {{"resourceType", "Patient"},
              {"id", "p1"},
              {"gender", "male"},
              {"birthDate", "1955-01-01"}}},
            {"observations",
             {{"resourceType", "Bundle"},
              {"type", "searchset"},
              {"entry",
               json::array({obs("w", "29463-7", 35.9, "kg"), obs("cr", "2160-0", 1.0, "mg/dL")})}}},
            {"conditions", nullptr},
            {"medicationRequests", {{"resourceType", "OperationOutcome"}}}}}};
}

TEST_F(CdsServeTest, DiscoveryHealthAndCors) {
  httplib::Client c("127.0.0.1", port_);
  auto d = c.Get("/cds-services");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->status, 200);
  EXPECT_EQ(json::parse(d->body)["services"].size(), 4u);
  auto h = c.Get("/healthz");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  // No wildcard origin: only the origins given with --cors-origin (none here) are answered.
  auto o = c.Options("/cds-services/bonepath-patient-view", {{"Origin", "https://any.example"}});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->status, 204);
  EXPECT_FALSE(o->has_header("Access-Control-Allow-Origin"));
  EXPECT_EQ(d->get_header_value("X-Content-Type-Options"), "nosniff");
}

TEST_F(CdsServeTest, RegistryRoutesNeedTheSameJwt) {
  httplib::Client c("127.0.0.1", port_);
  auto r = c.Get("/registry/due");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  Claims ok;
  ok.aud = base_ + "/registry/due";
  httplib::Headers h = {
      {"Authorization", "Bearer " + Sign(JWT_ALG_ES384, es_->private_pem, "es-1", ok)}};
  r = c.Get("/registry/due", h);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(CdsServeTest, JwtCases) {
  const std::string svc = "bonepath-order-sign";
  const std::string body = ZaOrderSign().dump();
  const std::string path = "/cds-services/" + svc;
  auto expect401 = [&](const std::string& token, const std::string& why) {
    auto r = Post(path, body, token);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401) << why;
    EXPECT_NE(r->body.find(why), std::string::npos) << r->body;
  };
  Claims ok;
  ok.aud = Aud(svc);
  auto r = Post(path, body, Sign(JWT_ALG_ES384, es_->private_pem, "es-1", ok));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  r = Post(path, body, Sign(JWT_ALG_RS384, rs_->private_pem, "rs-1", ok));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;

  expect401("", "missing Authorization");
  Claims expired = ok;
  expired.exp_offset = -600;
  expired.iat_offset = -900;
  expect401(Sign(JWT_ALG_ES384, es_->private_pem, "es-1", expired), "expired");
  Claims wrong_aud = ok;
  wrong_aud.aud = Aud("bonepath-patient-view");
  expect401(Sign(JWT_ALG_ES384, es_->private_pem, "es-1", wrong_aud), "aud");
  Claims wrong_iss = ok;
  wrong_iss.iss = "https://evil.example.org";
  expect401(Sign(JWT_ALG_ES384, other_->private_pem, "es-1", wrong_iss), "not trusted");
  expect401(Sign(JWT_ALG_ES384, other_->private_pem, "es-1", ok),
            "signature");  // right iss, wrong key
  expect401(Sign(JWT_ALG_NONE, "", "", ok), "alg");
  expect401(Sign(JWT_ALG_HS256, es_->public_pem, "es-1", ok), "alg");  // public key as HMAC secret
  Claims once = ok;
  once.jti = "replay-me";
  const std::string t = Sign(JWT_ALG_ES384, es_->private_pem, "es-1", once);
  r = Post(path, body, t);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  expect401(t, "replayed");
}

TEST_F(CdsServeTest, ReplaySharedRequestsWithFetchFromRealFhirEndpoint) {
  FhirServer fhir(BONEPATH_TEST_DATA
                  "/synthea-r4/Clorinda_Wilkinson_3a77c3ad-6d14-4ec5-ac60-05a01355bb27.json");
  int n = 0;
  for (const auto& e :
       std::filesystem::directory_iterator(BONEPATH_TEST_DATA "/cds-hooks-requests")) {
    if (e.path().filename() == "feedback.json") continue;
    SCOPED_TRACE(e.path().string());
    json req = json::parse(ReadFileBytes(e.path()));
    req["fhirServer"] = fhir.base();  // what was not prefetched is fetched from here
    req["fhirAuthorization"] = {{"access_token", kFhirToken},
                                {"token_type", "Bearer"},
                                {"scope", "patient/*.read"},
                                {"subject", "bonepath"}};
    auto r = CallService("bonepath-" + req["hook"].get<std::string>(), req);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
    ExpectCards(r->body);
    ++n;
  }
  EXPECT_GE(n, 5);
  EXPECT_GT(fhir.authorized(), 0);  // missing observations were fetched with the token
  EXPECT_EQ(fhir.refused(), 0);

  // No prefetch at all: everything comes from the endpoint, including paged searches.
  json req = {{"hook", "patient-view"},
              {"hookInstance", "c0ffee00-0000-4000-8000-000000000000"},
              {"fhirServer", fhir.base()},
              {"fhirAuthorization", {{"access_token", kFhirToken}, {"token_type", "Bearer"}}},
              {"context", {{"userId", "Practitioner/1"}, {"patientId", fhir.patient_id()}}}};
  const int before = fhir.authorized();
  auto r = CallService("bonepath-patient-view", req);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  ExpectCards(r->body);
  EXPECT_GE(fhir.authorized() - before, 6);  // one search per template, plus pages

  // Neither prefetched nor fetchable: 412 with the reason.
  req["context"]["patientId"] = "nobody";
  r = CallService("bonepath-patient-view", req);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 412);
  EXPECT_NE(r->body.find("Patient"), std::string::npos);
  EXPECT_NE(r->body.find("OperationOutcome"), std::string::npos);
}

TEST_F(CdsServeTest, BadRequestsAnswer4xxWithOperationOutcome) {
  auto r = Post("/cds-services/bonepath-patient-view", "{not json", Token("bonepath-patient-view"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("OperationOutcome"), std::string::npos);
  json wrong = ZaOrderSign();
  r = CallService("bonepath-patient-view", wrong);  // order-sign body to the patient-view service
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("hook"), std::string::npos);
  // Over the 2 MiB limit: 413, or the connection closed before the client finished sending.
  r = Post("/cds-services/bonepath-patient-view", std::string(3u << 20, ' '),
           Token("bonepath-patient-view"));
  if (r) {
    EXPECT_EQ(r->status, 413);
  }
  r = CallService("no-such-service", json::object());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
}

TEST_F(CdsServeTest, CardsLinkToAssessmentAndFeedbackIsIdempotent) {
  auto r = CallService("bonepath-order-sign", ZaOrderSign());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json resp = json::parse(r->body);
  ExpectCards(r->body);
  std::string za_uuid, link;
  for (const auto& c : resp["cards"])
    if (c["source"]["topic"]["code"] == "zoledronic_acid_renal_contraindication") {
      za_uuid = c["uuid"];
      link = c["links"][0]["url"];
    }
  ASSERT_FALSE(za_uuid.empty()) << r->body;
  ASSERT_EQ(link.rfind(base_ + "/assessment/", 0), 0u);
  httplib::Client c("127.0.0.1", port_);
  auto page = c.Get(link.substr(base_.size()).c_str());
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("CI-01"), std::string::npos);

  const std::string fb_path = "/cds-services/bonepath-order-sign/feedback";
  json reason = {{"code", "clinical-judgement"},
                 {"system", "https://bonepath.org/cds-hooks/override-reason"}};
  json item = {{"card", za_uuid},
               {"outcome", "overridden"},
               {"overrideReason", {{"reason", reason}}},
               {"outcomeTimestamp", "2026-11-23T10:00:00Z"}};
  json fb = {{"feedback", json::array({item})}};
  Claims fc;
  fc.aud = base_ + fb_path;
  auto f1 = Post(fb_path, fb.dump(), Sign(JWT_ALG_ES384, es_->private_pem, "es-1", fc));
  ASSERT_TRUE(f1);
  EXPECT_EQ(f1->status, 200) << f1->body;
  EXPECT_EQ(json::parse(f1->body)["stored"], 1);
  auto f2 = Post(fb_path, fb.dump(), Sign(JWT_ALG_ES384, es_->private_pem, "es-1", fc));
  ASSERT_TRUE(f2);
  EXPECT_EQ(json::parse(f2->body)["stored"], 0);  // the same feedback again: stored once
  // The shared feedback body (cards this service never issued).
  auto f3 = Post(fb_path, ReadFileBytes(BONEPATH_TEST_DATA "/cds-hooks-requests/feedback.json"),
                 Sign(JWT_ALG_ES384, es_->private_pem, "es-1", fc));
  ASSERT_TRUE(f3);
  EXPECT_EQ(f3->status, 200) << f3->body;
  EXPECT_EQ(json::parse(f3->body)["stored"], 2);

  auto rep = bp::testing_harness::RunProcess({BONEPATH_BINARY, "feedback", "report", "--db", db_});
  EXPECT_EQ(rep.exit_code, 0) << rep.err;
  EXPECT_NE(rep.out.find("zoledronic_acid_renal_contraindication"), std::string::npos) << rep.out;
  EXPECT_NE(rep.out.find("clinical-judgement"), std::string::npos) << rep.out;
  EXPECT_NE(rep.out.find("d7ecf885"), std::string::npos) << rep.out;
}

}  // namespace
#endif  // BONEPATH_HAVE_SERVER
