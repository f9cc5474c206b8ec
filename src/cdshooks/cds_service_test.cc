// CDS Hooks mapping tests: the shared real requests replayed, the card invariants of the spec on
// every response, one order-sign request per card (with the CrCl boundary), prefetch shapes and
// request errors. The engine is the real one; FHIR fetches go to a fake FhirSource that serves
// canned bodies by URL (the HTTP fetch path itself is tested against a real endpoint in
// tests/integration/cds_serve_test.cc).
#ifdef BONEPATH_HAVE_SERVER
#include "cdshooks/cds_service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cdshooks/discovery.h"
#include "cdshooks/outside_json.h"
#include "knowledge/loader.h"

namespace bp::cds {
namespace {

using nlohmann::json;

const Date kToday = Date::FromYmd(2026, 6, 1);

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const CdsService& Service() {
  static const CdsService* s = [] {
    ServiceOptions o;
    o.public_url = "https://cds.example.org/bp";
    auto r = CdsService::Create(EmbeddedKnowledge(), o);
    if (!r) std::abort();
    return new CdsService(std::move(*r));
  }();
  return *s;
}

class FakeFhir : public FhirSource {
 public:
  std::map<std::string, std::string> pages;  // URL prefix -> body
  mutable std::vector<std::string> asked;
  Result<std::string> Get(const std::string& url, const std::string&,
                          std::chrono::milliseconds) const override {
    asked.push_back(url);
    for (const auto& [prefix, body] : pages)
      if (url.rfind(prefix, 0) == 0) return body;
    return Error{kErrUnavailable, "", "404"};
  }
};

// The card invariants of CDS Hooks 2.0 and of this service.
void ExpectCardInvariants(const json& resp) {
  ASSERT_TRUE(resp.contains("cards")) << resp.dump();
  std::set<std::string> uuids;
  for (const auto& c : resp["cards"]) {
    SCOPED_TRACE(c.dump());
    ASSERT_TRUE(c["uuid"].is_string());
    EXPECT_TRUE(uuids.insert(c["uuid"].get<std::string>()).second);
    ASSERT_TRUE(c["summary"].is_string());
    EXPECT_LT(c["summary"].get<std::string>().size(), 140u);
    EXPECT_TRUE(c["indicator"] == "info" || c["indicator"] == "warning" ||
                c["indicator"] == "critical");
    EXPECT_TRUE(c["source"]["label"].is_string());
    EXPECT_EQ(c["source"]["url"].get<std::string>().rfind("http", 0), 0u);
    const std::string detail = c["detail"].get<std::string>();
    EXPECT_NE(detail.find("**Rules and sources:**"), std::string::npos);
    // Issue 15: the detail is short and links to the full assessment; source.url is a page.
    EXPECT_LT(detail.size(), 1500u) << detail;
    EXPECT_NE(detail.find("/assessment/"), std::string::npos);
    EXPECT_NE(c["source"]["url"].get<std::string>().find("/about"), std::string::npos);
    EXPECT_NE(detail.find("`"), std::string::npos);  // at least one rule id
    if (c.contains("suggestions")) {
      EXPECT_EQ(c["selectionBehavior"], "at-most-one");
      for (const auto& s : c["suggestions"]) {
        EXPECT_TRUE(s["uuid"].is_string());
        EXPECT_TRUE(s["label"].is_string());
        for (const auto& a : s["actions"])
          EXPECT_TRUE(a["type"] == "create" || a["type"] == "delete");
      }
    }
    ASSERT_FALSE(c["overrideReasons"].empty());
    for (const auto& o : c["overrideReasons"]) {
      EXPECT_TRUE(o["code"].is_string());
      EXPECT_TRUE(o["display"].is_string());
    }
    ASSERT_EQ(c["links"].size(), 1u);
    EXPECT_EQ(c["links"][0]["type"], "absolute");
    EXPECT_EQ(
        c["links"][0]["url"].get<std::string>().rfind("https://cds.example.org/bp/assessment/", 0),
        0u);
  }
}

// ---- a patient built from parts ----

json Obs(const std::string& id, const std::string& loinc, double v, const std::string& unit,
         const std::string& date = "2026-05-01") {
  return {
      {"resourceType", "Observation"},
      {"id", id},
      {"status", "final"},
      {"code", {{"coding", json::array({{{"system", "http://loinc.org"}, {"code", loinc}}})}}},
      {"subject", {{"reference", "Patient/p1"}}},
      {"effectiveDateTime", date},
      {"valueQuantity",
       {{"value", v}, {"unit", unit}, {"system", "http://unitsofmeasure.org"}, {"code", unit}}}};
}
json Cond(const std::string& id, const std::string& sct, const std::string& onset) {
  return {
      {"resourceType", "Condition"},
      {"id", id},
      {"clinicalStatus",
       {{"coding",
         json::array({{{"system", "http://terminology.hl7.org/CodeSystem/condition-clinical"},
                       {"code", "active"}}})}}},
      {"code", {{"coding", json::array({{{"system", "http://snomed.info/sct"}, {"code", sct}}})}}},
      {"subject", {{"reference", "Patient/p1"}}},
      {"onsetDateTime", onset}};
}
json Med(const std::string& id, const std::string& rxnorm, const std::string& text,
         const std::string& status, const std::string& authored = "2025-01-01") {
  json coding = json::array();
  if (!rxnorm.empty())
    coding.push_back({{"system", "http://www.nlm.nih.gov/research/umls/rxnorm"}, {"code", rxnorm}});
  return {{"resourceType", "MedicationRequest"},
          {"id", id},
          {"status", status},
          {"intent", "order"},
          {"medicationCodeableConcept", {{"coding", coding}, {"text", text}}},
          {"subject", {{"reference", "Patient/p1"}}},
          {"authoredOn", authored}};
}
json Searchset(const std::vector<json>& resources) {
  json b = {{"resourceType", "Bundle"}, {"type", "searchset"}, {"entry", json::array()}};
  for (const auto& r : resources) b["entry"].push_back({{"resource", r}});
  return b;
}

struct Chart {
  std::string sex = "female";
  std::string birth = "1951-01-15";  // 75 on kToday
  std::vector<json> obs, conds, meds;
};

json Request(const std::string& hook, const Chart& c, const std::vector<json>& drafts = {}) {
  json req = {
      {"hook", hook},
      {"hookInstance", "a0b1c2d3-0000-4000-8000-000000000001"},
      {"context", {{"userId", "Practitioner/x"}, {"patientId", "p1"}, {"encounterId", "e1"}}}};
  req["prefetch"] = {
      {"patient",
       {{"resourceType", "Patient"}, {"id", "p1"}, {"gender", c.sex}, {"birthDate", c.birth}}},
      {"observations", Searchset(c.obs)},
      {"conditions", Searchset(c.conds)},
      {"medicationRequests", Searchset(c.meds)},
      {"medicationStatements", Searchset({})},
      {"allergies", Searchset({})}};
  if (!drafts.empty()) {
    req["context"]["draftOrders"] = Searchset(drafts);
    req["context"]["draftOrders"]["type"] = "collection";
    json sel = json::array();
    for (const auto& d : drafts) sel.push_back("MedicationRequest/" + d["id"].get<std::string>());
    req["context"]["selections"] = sel;
  }
  return req;
}

json Call(const std::string& service, const json& req, const FhirSource* fhir = nullptr) {
  auto out = Service().Handle(service, req.dump(), fhir, kToday);
  EXPECT_TRUE(out.has_value()) << (out ? ""
                                       : std::string(out.error().code.name()) + ": " +
                                             out.error().message);
  if (!out) return json::object();
  json resp = json::parse(out->response_json);
  ExpectCardInvariants(resp);
  return resp;
}

const json* CardFor(const json& resp, const std::string& code) {
  for (const auto& c : resp["cards"])
    if (c["source"]["topic"]["code"] == code) return &c;
  return nullptr;
}

Chart Renal(double weight_kg) {
  // Man of 70, creatinine 1.0 mg/dL: Cockcroft-Gault CrCl = (140 - 70) * weight / 72.
  Chart c;
  c.sex = "male";
  c.birth = "1956-01-15";
  c.obs = {Obs("w", "29463-7", weight_kg, "kg"), Obs("h", "8302-2", 170, "cm"),
           Obs("cr", "2160-0", 1.0, "mg/dL"), Obs("t", "38267-1", -3.0, "1")};
  return c;
}

// ---- discovery ----

// Issue 15: discovery was 168 KB, the conditions URL 22,416 characters, and {{today-5y}} is not
// a CDS Hooks token.
TEST(CdsDiscovery, FourServicesWithShortStandardTemplates) {
  const std::string doc = DiscoveryJson();
  EXPECT_LT(doc.size(), 8192u);
  json d = json::parse(doc);
  ASSERT_EQ(d["services"].size(), 4u);
  std::set<std::string> hooks;
  for (const auto& s : d["services"]) {
    hooks.insert(s["hook"].get<std::string>());
    for (const auto& [key, q] : s["prefetch"].items()) {
      const std::string query = q;
      EXPECT_LT(query.size(), 200u) << key;
      // Every token names a context field.
      for (size_t i = query.find("{{"); i != std::string::npos; i = query.find("{{", i + 2))
        EXPECT_EQ(query.compare(i, 10, "{{context."), 0) << key << ": " << query;
    }
    EXPECT_EQ(s["prefetch"]["patient"], "Patient/{{context.patientId}}");
    EXPECT_NE(s["prefetch"]["observations"].get<std::string>().find("category="),
              std::string::npos);
  }
  EXPECT_EQ(hooks, (std::set<std::string>{"patient-view", "order-select", "order-sign",
                                          "encounter-discharge"}));
}

TEST(CdsDiscovery, ExpandsTokens) {
  EXPECT_EQ(ExpandTemplate("Observation?patient={{context.patientId}}&date=ge{{today-5y}}",
                           {{"patientId", "a b"}}, kToday),
            "Observation?patient=a%20b&date=ge2021-06-01");
  EXPECT_EQ(ExpandTemplate("x={{unknown}}", {}, kToday), "x={{unknown}}");
}

// ---- replay of the shared requests ----

TEST(CdsReplay, EverySharedRequestAnswersWithValidCards) {
  int n = 0;
  for (const auto& e :
       std::filesystem::directory_iterator(BONEPATH_TEST_DATA "/cds-hooks-requests")) {
    if (e.path().filename() == "feedback.json") continue;
    SCOPED_TRACE(e.path().string());
    json req = json::parse(ReadText(e.path().string()));
    Call("bonepath-" + req["hook"].get<std::string>(), req);
    ++n;
  }
  EXPECT_GE(n, 5);
}

TEST(CdsReplay, FeedbackBodyParses) {
  auto f = ParseFeedback(ReadText(BONEPATH_TEST_DATA "/cds-hooks-requests/feedback.json"));
  ASSERT_TRUE(f.has_value());
  ASSERT_EQ(f->size(), 2u);
  EXPECT_EQ((*f)[0].outcome, "accepted");
  EXPECT_EQ((*f)[0].accepted_suggestions,
            std::vector<std::string>{"e56e1945-20b3-4393-8503-a1a20fd73152"});
  EXPECT_EQ((*f)[1].override_code, "d7ecf885");
  EXPECT_EQ((*f)[1].user_comment, "A comment entered by the clinician.");
}

// ---- request errors ----

TEST(CdsErrors, MalformedWrongHookMissingContextUnknownService) {
  auto r = Service().Handle("bonepath-patient-view", "{not json", nullptr, kToday);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, kErrInvalidJson);
  json req = Request("order-sign", Chart{});
  r = Service().Handle("bonepath-patient-view", req.dump(), nullptr, kToday);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, kErrSchema);
  EXPECT_EQ(r.error().path, "hook");
  req = Request("patient-view", Chart{});
  req["context"].erase("patientId");
  r = Service().Handle("bonepath-patient-view", req.dump(), nullptr, kToday);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().path, "context.patientId");
  r = Service().Handle("bonepath-order-sign", Request("order-sign", Chart{}).dump(), nullptr,
                       kToday);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().path, "context.draftOrders");
  r = Service().Handle("nope", "{}", nullptr, kToday);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, kErrUnknownService);
  json oo = json::parse(OperationOutcomeJson(r.error(), "not-found"));
  EXPECT_EQ(oo["resourceType"], "OperationOutcome");
}

// ---- prefetch shapes ----

TEST(CdsPrefetch, PatientNeitherPrefetchedNorFetchableIs412) {
  for (const json& patient : {json(nullptr), json{{"resourceType", "OperationOutcome"}}}) {
    json req = Request("patient-view", Chart{});
    req["prefetch"]["patient"] = patient;
    auto r = Service().Handle("bonepath-patient-view", req.dump(), nullptr, kToday);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, kErrPrecondition);
    EXPECT_NE(r.error().message.find("Patient"), std::string::npos);
  }
}

TEST(CdsPrefetch, OmittedPrefetchIsFetchedAndNextPagesFollowed) {
  Chart c = Renal(80);
  json req = Request("patient-view", c);
  json prefetch = req["prefetch"];
  req.erase("prefetch");
  req["fhirServer"] = "https://ehr.example.org/fhir";
  req["fhirAuthorization"] = {{"access_token", "tok"}, {"token_type", "Bearer"}};
  FakeFhir fhir;
  fhir.pages["https://ehr.example.org/fhir/Patient/p1"] = prefetch["patient"].dump();
  // Observations in two pages.
  json page1 = Searchset({c.obs[0], c.obs[1]});
  page1["link"] =
      json::array({{{"relation", "next"}, {"url", "https://ehr.example.org/fhir/page2"}}});
  fhir.pages["https://ehr.example.org/fhir/Observation?"] = page1.dump();
  fhir.pages["https://ehr.example.org/fhir/page2"] = Searchset({c.obs[2], c.obs[3]}).dump();
  auto out = Service().Handle("bonepath-patient-view", req.dump(), &fhir, kToday);
  ASSERT_TRUE(out.has_value()) << out.error().message;
  EXPECT_TRUE(std::find(out->fetched.begin(), out->fetched.end(), "patient") != out->fetched.end());
  EXPECT_TRUE(std::find(fhir.asked.begin(), fhir.asked.end(),
                        "https://ehr.example.org/fhir/page2") != fhir.asked.end());
  ASSERT_TRUE(out->assessment->derived.crcl_ml_min.has_value());  // creatinine came from page 2
  // T-score -3.0, no treatment: the gap card.
  json resp = json::parse(out->response_json);
  EXPECT_NE(CardFor(resp, "treatment_gap"), nullptr) << resp.dump(1);
}

TEST(CdsPrefetch, PartialPrefetchNamesWhatIsMissing) {
  json req = Request("patient-view", Renal(80));
  req["prefetch"].erase("conditions");
  auto out = Service().Handle("bonepath-patient-view", req.dump(), nullptr, kToday);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->unavailable, std::vector<std::string>{"conditions"});
  json resp = json::parse(out->response_json);
  ASSERT_FALSE(resp["cards"].empty());
  EXPECT_NE(
      resp["cards"][0]["detail"].get<std::string>().find("Not available from the EHR:* conditions"),
      std::string::npos);
}

// ---- order-sign, one request per card ----

TEST(CdsOrders, ZoledronicAcidCrClBoundary) {
  // 35.9 kg -> CrCl 34.9 mL/min (below 35: contraindicated); 36.0 kg -> 35.0 (not).
  json low =
      Call("bonepath-order-sign",
           Request("order-sign", Renal(35.9), {Med("d1", "705824", "zoledronic acid", "draft")}));
  const json* card = CardFor(low, "zoledronic_acid_renal_contraindication");
  ASSERT_NE(card, nullptr) << low.dump(1);
  EXPECT_EQ((*card)["indicator"], "critical");
  EXPECT_NE((*card)["summary"].get<std::string>().find("34.9"), std::string::npos);
  EXPECT_NE((*card)["detail"].get<std::string>().find("`CI-01`"), std::string::npos);
  json at = Call("bonepath-order-sign", Request("order-sign", Renal(36.0),
                                                {Med("d1", "705824", "zoledronic acid", "draft")}));
  EXPECT_EQ(CardFor(at, "zoledronic_acid_renal_contraindication"), nullptr) << at.dump(1);
  // Without the draft, order-sign shows no renal card at all.
  json none = Call("bonepath-order-sign", Request("order-sign", Renal(35.9),
                                                  {Med("d1", "46041", "alendronate", "draft")}));
  EXPECT_EQ(CardFor(none, "zoledronic_acid_renal_contraindication"), nullptr);
}

TEST(CdsOrders, LowCalciumAndLowVitaminD) {
  Chart c = Renal(80);
  c.obs.push_back(Obs("ca", "17861-6", 7.9, "mg/dL"));
  c.obs.push_back(Obs("alb", "1751-7", 4.0, "g/dL"));
  c.obs.push_back(Obs("vd", "1989-3", 12, "ng/mL"));
  json r = Call("bonepath-order-sign",
                Request("order-sign", c, {Med("d1", "705824", "zoledronic acid", "draft")}));
  const json* ca = CardFor(r, "hypocalcemia_correct_before_antiresorptive");
  ASSERT_NE(ca, nullptr) << r.dump(1);
  EXPECT_EQ((*ca)["indicator"], "critical");
  EXPECT_NE((*ca)["summary"].get<std::string>().find("7.9"), std::string::npos);
  const json* vd = CardFor(r, "vitamin_d_deficiency_correct_first");
  ASSERT_NE(vd, nullptr) << r.dump(1);
  EXPECT_NE((*vd)["summary"].get<std::string>().find("12.0"), std::string::npos);
}

TEST(CdsOrders, OralBisphosphonateForPatientWhoCannotTakeOneSuggestsZoledronicAcid) {
  Chart c = Renal(80);
  c.conds.push_back(Cond("eso", "63305008", "2020-01-01"));
  json r = Call("bonepath-order-sign",
                Request("order-sign", c, {Med("d1", "46041", "alendronate", "draft")}));
  const json* card = CardFor(r, "oral_bisphosphonate_unsuitable");
  ASSERT_NE(card, nullptr) << r.dump(1);
  ASSERT_TRUE(card->contains("suggestions")) << card->dump(1);
  const json& actions = (*card)["suggestions"][0]["actions"];
  EXPECT_EQ(actions[0]["type"], "create");
  EXPECT_EQ(actions[0]["resource"]["resourceType"], "MedicationRequest");
  EXPECT_EQ(actions[0]["resource"]["medicationCodeableConcept"]["coding"][0]["code"], "705824");
  EXPECT_EQ(actions[1]["type"], "delete");
  EXPECT_EQ(actions[1]["resourceId"][0], "MedicationRequest/d1");
}

TEST(CdsOrders, StoppingDenosumabWithoutFollowOn) {
  Chart c = Renal(80);
  json active = Med("dm", "993452", "Prolia", "active", "2025-12-01");
  c.meds.push_back(active);
  json stop = Med("d1", "993452", "Prolia", "stopped");
  json r = Call("bonepath-order-sign", Request("order-sign", c, {stop}));
  const json* card = CardFor(r, "denosumab_discontinuation_rebound");
  ASSERT_NE(card, nullptr) << r.dump(1);
  EXPECT_EQ((*card)["indicator"], "critical");
  EXPECT_NE((*card)["detail"].get<std::string>().find("`SEQ-05`"), std::string::npos);
}

TEST(CdsOrders, RomosozumabWithinAYearOfMyocardialInfarction) {
  Chart c = Renal(80);
  c.sex = "female";
  c.conds.push_back(Cond("mi", "22298006", "2026-01-10"));
  json r = Call("bonepath-order-sign",
                Request("order-sign", c, {Med("d1", "", "romosozumab (Evenity)", "draft")}));
  const json* card = CardFor(r, "romosozumab_cardiovascular_contraindication");
  ASSERT_NE(card, nullptr) << r.dump(1);
  EXPECT_EQ((*card)["indicator"], "critical");
  // More than a year ago: no card.
  c.conds.back() = Cond("mi", "22298006", "2024-01-10");
  r = Call("bonepath-order-sign",
           Request("order-sign", c, {Med("d1", "", "romosozumab (Evenity)", "draft")}));
  EXPECT_EQ(CardFor(r, "romosozumab_cardiovascular_contraindication"), nullptr);
}

// Issue 14: signing an order that continues an agent the course decision stops or blocks is a
// critical card naming the course rule (atypical femoral fracture, osteonecrosis of the jaw,
// myocardial infarction during romosozumab).
json CondIcd(const std::string& id, const std::string& code, const std::string& onset) {
  json c = Cond(id, "", onset);
  c["code"]["coding"] =
      json::array({{{"system", "http://hl7.org/fhir/sid/icd-10-cm"}, {"code", code}}});
  return c;
}

// The critical cards of a response that cite `rule`.
int CriticalCardsCiting(const json& resp, const std::string& rule) {
  int n = 0;
  for (const auto& c : resp["cards"])
    if (c["indicator"] == "critical" &&
        c["detail"].get<std::string>().find("`" + rule + "`") != std::string::npos)
      ++n;
  return n;
}

TEST(CdsOrders, SigningAnAgentTheCourseStopsIsCritical) {
  {  // alendronate after an atypical femoral fracture on it
    Chart c = Renal(80);
    c.conds.push_back(CondIcd("aff", "M84.751A", "2026-02-01"));
    c.meds.push_back(Med("m1", "", "alendronate 70 mg tablet", "active", "2020-01-01"));
    json r = Call("bonepath-order-sign",
                  Request("order-sign", c, {Med("d1", "", "alendronate 70 mg tablet", "draft")}));
    ExpectCardInvariants(r);
    EXPECT_GE(CriticalCardsCiting(r, "COURSE-07"), 1) << r.dump(1);
  }
  {  // zoledronic acid with osteonecrosis of the jaw
    Chart c = Renal(80);
    c.conds.push_back(CondIcd("onj", "M87.180A", "2026-02-01"));
    c.meds.push_back(Med("m1", "", "zoledronic acid 5 mg (Reclast)", "active", "2024-01-01"));
    json r =
        Call("bonepath-order-sign",
             Request("order-sign", c, {Med("d1", "", "zoledronic acid 5 mg (Reclast)", "draft")}));
    ExpectCardInvariants(r);
    EXPECT_GE(CriticalCardsCiting(r, "COURSE-08"), 1) << r.dump(1);
  }
  {  // romosozumab continued after a myocardial infarction during the course
    Chart c = Renal(80);
    c.sex = "female";
    c.meds.push_back(Med("m1", "", "romosozumab (Evenity)", "active", "2025-12-01"));
    c.conds.push_back(Cond("mi", "22298006", "2026-03-01"));
    json r = Call("bonepath-order-sign",
                  Request("order-sign", c, {Med("d1", "", "romosozumab (Evenity)", "draft")}));
    ExpectCardInvariants(r);
    EXPECT_GE(CriticalCardsCiting(r, "COURSE-06"), 1) << r.dump(1);
  }
  {  // the same orders without the event: no course card
    Chart c = Renal(80);
    c.meds.push_back(Med("m1", "", "alendronate 70 mg tablet", "active", "2024-01-01"));
    json r = Call("bonepath-order-sign",
                  Request("order-sign", c, {Med("d1", "", "alendronate 70 mg tablet", "draft")}));
    EXPECT_EQ(CriticalCardsCiting(r, "COURSE-07"), 0) << r.dump(1);
  }
}

TEST(CdsOrders, RaloxifeneAsOsteoporosisTreatment) {
  Chart c = Renal(80);
  c.sex = "female";
  json r = Call("bonepath-order-select",
                Request("order-select", c, {Med("d1", "72143", "raloxifene", "draft")}));
  EXPECT_NE(CardFor(r, "estrogen_raloxifene_not_recommended"), nullptr) << r.dump(1);
}

// ---- encounter-discharge and patient-view ----

TEST(CdsDischarge, FragilityFractureDuringTheStaySuggestsFls) {
  Chart c;
  c.conds.push_back(Cond("fx", "431031001", "2026-05-28"));
  json req = Request("encounter-discharge", c);
  req["prefetch"]["encounter"] = {{"resourceType", "Encounter"},
                                  {"id", "e1"},
                                  {"status", "finished"},
                                  {"period", {{"start", "2026-05-27T10:00:00Z"}}}};
  json r = Call("bonepath-encounter-discharge", req);
  const json* card = CardFor(r, "fracture_liaison_referral");
  ASSERT_NE(card, nullptr) << r.dump(1);
  EXPECT_EQ((*card)["suggestions"][0]["actions"][0]["resource"]["resourceType"], "ServiceRequest");
  EXPECT_NE((*card)["detail"].get<std::string>().find("`REF-01`"), std::string::npos);
  // The fracture predates the stay: no card at discharge.
  req["prefetch"]["encounter"]["period"]["start"] = "2026-05-29";
  r = Call("bonepath-encounter-discharge", req);
  EXPECT_EQ(CardFor(r, "fracture_liaison_referral"), nullptr);
}

TEST(CdsPatientView, DenosumabOverdue) {
  Chart c = Renal(80);
  json m = Med("dm", "993452", "Prolia", "active", "2025-06-01");
  c.meds.push_back(m);
  json r = Call("bonepath-patient-view", Request("patient-view", c));
  // The reader takes the last dose from the order date when nothing better is recorded; either
  // the overdue card fires or the engine reports the dose date as missing, never a crash.
  if (const json* card = CardFor(r, "denosumab_dose_overdue")) {
    EXPECT_EQ((*card)["indicator"], "critical");
  }
}

}  // namespace
}  // namespace bp::cds
#endif  // BONEPATH_HAVE_SERVER

namespace bp::cds {
namespace {

// Issue 15 item 1: outside JSON goes through the JSON layer, which bounds nesting before any
// tree is built and rejects duplicate keys with their path.
TEST(OutsideJson, NestingIsBoundedAndDuplicateKeysNamed) {
  const auto nest = [](size_t n) { return std::string(n, '[') + std::string(n, ']'); };
  EXPECT_TRUE(ParseOutsideJson(nest(jsonparse::kMaxDepth)));
  auto deep = ParseOutsideJson(nest(jsonparse::kMaxDepth + 1));
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().code, "too_large");
  deep = ParseOutsideJson(nest(100000));
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().code, "too_large");
  EXPECT_TRUE(ParseOutsideJson(R"({"a":"[[[[[[\"[[[["})"));
  auto dup = ParseOutsideJson(R"({"a":[{"b":1},{"w":80,"w":40}]})");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, "invalid_json");
  EXPECT_EQ(dup.error().path, "a[1].w");
  EXPECT_EQ(dup.error().message.find("80"), std::string::npos);  // no input bytes
  auto ok = ParseOutsideJson("\xEF\xBB\xBF{\"n\":1.5,\"i\":-3,\"u\":18446744073709551615}");
  ASSERT_TRUE(ok);
  EXPECT_EQ((*ok)["n"], 1.5);
  EXPECT_EQ((*ok)["i"], -3);
  EXPECT_EQ((*ok)["u"], 18446744073709551615ull);
}

TEST(OutsideJson, ADeepRequestIsTooLargeNotACrash) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::string body =
      R"({"hook":"patient-view","hookInstance":"x","context":{"patientId":"p1"},)"
      R"("prefetch":{"patient":{"resourceType":"Patient","id":"p1","x":)" +
      deep + "}}}";
  auto out = Service().Handle("bonepath-patient-view", body, nullptr, kToday);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, "too_large");
}

}  // namespace
}  // namespace bp::cds
