#include "cdshooks/cds_service.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "cdshooks/cards.h"
#include "cdshooks/discovery.h"
#include "cdshooks/outside_json.h"
#include "fhir/fhir_reader.h"

namespace bp::cds {
namespace {

using nlohmann::json;

Error Schema(std::string path, std::string message) {
  return Error{kErrSchema, std::move(path), std::move(message)};
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Characters a FHIR query may carry unencoded in a URL (RFC 3986 query, minus '|' and space,
// which servers disagree about).
std::string EncodeQuery(std::string_view q) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : q) {
    if (std::isalnum(c) || std::string_view("-._~!$&'()*+,;=:@/?%").find(static_cast<char>(c)) !=
                               std::string_view::npos) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// The scheme and authority of an absolute http(s) URL, lower-cased ("https://fhir.example:8443"),
// or empty when the URL is not one this service fetches from: user info ('@'), a backslash, or
// any character a host and port do not have is refused, so that a prefix test cannot be fooled.
std::string OriginOf(std::string_view url) {
  size_t start = 0;
  if (url.rfind("http://", 0) == 0) {
    start = 7;
  } else if (url.rfind("https://", 0) == 0) {
    start = 8;
  } else {
    return "";
  }
  const size_t end = std::min(url.find_first_of("/?#", start), url.size());
  const std::string_view authority = url.substr(start, end - start);
  if (authority.empty()) return "";
  for (char c : authority)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != ':' &&
        c != '[' && c != ']')
      return "";
  return Lower(url.substr(0, end));
}

struct Request {
  std::string hook;
  std::string fhir_server;
  std::string bearer;
  std::string patient_id;
  std::string encounter_id;
  std::vector<std::pair<std::string, std::string>> context;  // string context fields
  json doc;                                                  // the request without its prefetch
  const json* draft_orders = nullptr;                        // Bundle, or null
  std::set<std::string> selections;                          // "MedicationRequest/id"
  std::optional<simdjson::dom::element> prefetch;            // object, in the parsed request body
};

std::string_view StrField(simdjson::dom::element e, std::string_view key) {
  simdjson::dom::element v;
  std::string_view out;
  if (e.at_key(key).get(v) != simdjson::SUCCESS || v.get(out) != simdjson::SUCCESS) return {};
  return out;
}

// `root`: the request body as the JSON layer parsed it. The prefetch (most of a request's bytes)
// stays in that parsed tree: its resources go to the FHIR reading as they are, never through
// nlohmann; the rest, small, becomes r->doc, and the pointers in `r` point into it.
std::optional<Error> ParseRequest(const ServiceDef& svc, simdjson::dom::element root,
                                  int max_prefetch_keys, Request* out) {
  Request& r = *out;
  simdjson::dom::object top;
  if (root.get(top) != simdjson::SUCCESS) return Schema("", "request body must be a JSON object");
  std::optional<Error> prefetch_error;  // reported after the other fields, as before
  r.doc = json::object();
  for (auto field : top) {
    if (field.key != "prefetch") {
      r.doc.emplace(std::string(field.key), OutsideToJson(field.value));
      continue;
    }
    if (field.value.is_null()) continue;
    simdjson::dom::object p;
    if (field.value.get(p) != simdjson::SUCCESS) {
      prefetch_error = Schema("prefetch", "must be an object");
    } else if (p.size() > static_cast<size_t>(max_prefetch_keys)) {
      prefetch_error = Schema("prefetch", "at most " + std::to_string(max_prefetch_keys) + " keys");
    } else {
      r.prefetch = field.value;
    }
  }
  const json& doc = r.doc;
  if (!doc.contains("hook") || !doc["hook"].is_string())
    return Schema("hook", "\"hook\" is required and must be a string");
  r.hook = doc["hook"].get<std::string>();
  if (r.hook != svc.hook)
    return Schema("hook", "service " + svc.id + " answers the " + svc.hook + " hook, not \"" +
                              r.hook.substr(0, 64) + "\"");
  if (!doc.contains("hookInstance") || !doc["hookInstance"].is_string())
    return Schema("hookInstance", "\"hookInstance\" is required and must be a string");
  if (doc.contains("fhirServer") && !doc["fhirServer"].is_null()) {
    if (!doc["fhirServer"].is_string()) return Schema("fhirServer", "must be a string (URL)");
    r.fhir_server = doc["fhirServer"].get<std::string>();
    if (OriginOf(r.fhir_server).empty())
      return Schema("fhirServer", "must be an absolute http(s) URL without user information");
    while (!r.fhir_server.empty() && r.fhir_server.back() == '/') r.fhir_server.pop_back();
  }
  if (doc.contains("fhirAuthorization") && !doc["fhirAuthorization"].is_null()) {
    const json& a = doc["fhirAuthorization"];
    if (!a.is_object() || !a.contains("access_token") || !a["access_token"].is_string())
      return Schema("fhirAuthorization.access_token",
                    "required string when fhirAuthorization is given");
    r.bearer = a["access_token"].get<std::string>();
  }
  if (!doc.contains("context") || !doc["context"].is_object())
    return Schema("context", "\"context\" is required and must be an object");
  const json& ctx = doc["context"];
  for (const auto& [k, v] : ctx.items())
    if (v.is_string()) r.context.emplace_back(k, v.get<std::string>());
  if (!ctx.contains("patientId") || !ctx["patientId"].is_string() ||
      ctx["patientId"].get<std::string>().empty())
    return Schema("context.patientId", "required (a non-empty string) for " + svc.hook);
  r.patient_id = ctx["patientId"].get<std::string>();
  if (ctx.contains("encounterId") && ctx["encounterId"].is_string())
    r.encounter_id = ctx["encounterId"].get<std::string>();
  if (svc.hook == "encounter-discharge" && r.encounter_id.empty())
    return Schema("context.encounterId", "required for encounter-discharge");
  if (svc.hook == "order-select" || svc.hook == "order-sign") {
    if (!ctx.contains("draftOrders") || !ctx["draftOrders"].is_object() ||
        ctx["draftOrders"].value("resourceType", "") != "Bundle")
      return Schema("context.draftOrders", "required: a FHIR Bundle of draft orders");
    r.draft_orders = &ctx["draftOrders"];
    if (r.draft_orders->contains("entry") && !(*r.draft_orders)["entry"].is_array())
      return Schema("context.draftOrders.entry", "must be an array");
    if (svc.hook == "order-select") {
      if (!ctx.contains("selections") || !ctx["selections"].is_array())
        return Schema("context.selections", "required for order-select: an array of references");
      for (const auto& s : ctx["selections"])
        if (s.is_string()) r.selections.insert(s.get<std::string>());
    }
  }
  return prefetch_error;
}

std::optional<Date> DatePrefix(std::string_view s) {
  return s.size() >= 10 ? Date::Parse(s.substr(0, 10)) : std::nullopt;
}

// The resources gathered for one call, keyed "Type/id" so that prefetch and fetch overlap once.
// A resource of the request body (the prefetch) is kept as its parsed element: the request's tree
// lives through the call, and the FHIR reader reads the elements as they are (no writing back,
// no second parse). A resource of a fetched page (whose tree the next page replaces) is kept as
// the JSON text of its parsed element (simdjson writes it back as parsed), parsed once more at
// the end with the other fetched ones.
class Gathered {
 public:
  explicit Gathered(const Request& r) : r_(r) {}
  // `in_request`: `res` is part of the request body's tree (it outlives the call's reading).
  void Add(simdjson::dom::element res, bool in_request) {
    if (!res.is_object()) return;
    const std::string_view type = StrField(res, "resourceType");
    if (type.empty() || type == "OperationOutcome" || type == "Bundle") return;
    types_.emplace(type);
    const std::string_view id = StrField(res, "id");
    const std::string key =
        std::string(type) + "/" + (id.empty() ? "#" + std::to_string(count_) : std::string(id));
    if (!seen_.insert(key).second) return;
    if (type == "Patient" && id == r_.patient_id) have_patient_ = true;
    if (type == "Encounter" && id == r_.encounter_id) {
      simdjson::dom::element period;
      if (res.at_key("period").get(period) == simdjson::SUCCESS && period.is_object()) {
        simdjson::dom::element start;
        if (period.at_key("start").get(start) == simdjson::SUCCESS) {
          std::string_view text;
          encounter_start_ = start.get(text) == simdjson::SUCCESS ? DatePrefix(text) : std::nullopt;
        }
      }
    }
    if (in_request) {
      order_.push_back({true, kept_.size()});
      kept_.push_back(res);
    } else {
      fetched_ += fetched_count_ == 0 ? R"({"resource":)" : R"(,{"resource":)";
      fetched_ += simdjson::minify(res);
      fetched_ += '}';
      order_.push_back({false, fetched_count_++});
    }
    ++count_;
  }
  bool HasType(const std::string& t) const { return types_.count(t) > 0; }
  // The gathered resources in the order gathered; the fetched ones parsed by `parser` (whose
  // tree must outlive their use).
  Result<std::vector<simdjson::dom::element>> Resources(jsonparse::Parser& parser) const {
    std::vector<simdjson::dom::element> fetched, out;
    if (fetched_count_ > 0) {
      auto doc = parser.Parse(R"({"entry":[)" + fetched_ + "]}");
      if (!doc) return doc.errors();
      simdjson::dom::array entries;
      if (doc->at_key("entry").get(entries) != simdjson::SUCCESS)
        return Error{"internal", "", "fetched resources"};
      for (simdjson::dom::element e : entries) {
        simdjson::dom::element res;
        if (e.at_key("resource").get(res) != simdjson::SUCCESS)
          return Error{"internal", "", "fetched resources"};
        fetched.push_back(res);
      }
      if (fetched.size() != fetched_count_) return Error{"internal", "", "fetched resources"};
    }
    out.reserve(order_.size());
    for (const auto& [in_request, i] : order_) out.push_back(in_request ? kept_[i] : fetched[i]);
    return out;
  }
  bool have_patient() const { return have_patient_; }
  const std::optional<Date>& encounter_start() const { return encounter_start_; }

 private:
  const Request& r_;
  std::vector<simdjson::dom::element> kept_;  // of the request body
  std::string fetched_;                       // `{"resource":...},...` of fetched pages
  size_t fetched_count_ = 0;
  std::vector<std::pair<bool, size_t>> order_;  // (in request, index in kept_/fetched_)
  size_t count_ = 0;
  std::set<std::string> seen_;
  std::set<std::string, std::less<>> types_;
  bool have_patient_ = false;
  std::optional<Date> encounter_start_;
};

// Fetched pages are parsed here (the request body has a parser of its own, in Handle): a page's
// tree lives until the next page is parsed on this thread.
jsonparse::Parser& PageParser() {
  thread_local jsonparse::Parser parser;
  return parser;
}

// What one hook call may fetch: from the fhirServer origin only (the EHR's token goes nowhere
// else), within one deadline and a number of pages for the whole call.
struct Fetcher {
  const FhirSource* fhir = nullptr;
  std::string bearer;
  std::string origin;  // of fhirServer; empty: nothing is fetched
  std::chrono::steady_clock::time_point deadline;
  int pages_left = 0;
  bool partial = false;

  bool Allowed(std::string_view url) const {
    return fhir && !origin.empty() && OriginOf(url) == origin;
  }
  std::chrono::milliseconds Budget() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                 std::chrono::steady_clock::now());
  }
  // Null when the URL is not allowed, the deadline has passed, or the fetch failed.
  std::optional<std::string> Get(const std::string& url) {
    if (!Allowed(url) || Budget().count() <= 0) return std::nullopt;
    auto body = fhir->Get(url, bearer, Budget());
    if (!body) return std::nullopt;
    return std::move(*body);
  }
};

// A searchset (or any Bundle) page: its resources, and the `next` link if any.
std::string AddBundle(simdjson::dom::element b, bool in_request, Gathered* g) {
  simdjson::dom::array entries, links;
  if (b.at_key("entry").get(entries) == simdjson::SUCCESS)
    for (simdjson::dom::element e : entries) {
      simdjson::dom::element res;
      if (e.is_object() && e.at_key("resource").get(res) == simdjson::SUCCESS)
        g->Add(res, in_request);
    }
  if (b.at_key("link").get(links) == simdjson::SUCCESS)
    for (simdjson::dom::element l : links) {
      if (!l.is_object() || StrField(l, "relation") != "next") continue;
      simdjson::dom::element url;
      std::string_view text;
      if (l.at_key("url").get(url) == simdjson::SUCCESS && url.get(text) == simdjson::SUCCESS)
        return std::string(text);
    }
  return "";
}

// Follows `next` links on the fhirServer origin; a link elsewhere, the page cap or the deadline
// leave the search partial.
void FollowPages(std::string next, Fetcher* f, Gathered* g) {
  while (!next.empty()) {
    if (f->pages_left <= 0 || !f->Allowed(next)) {
      f->partial = true;
      return;
    }
    --f->pages_left;
    auto body = f->Get(next);
    if (!body) {
      f->partial = true;
      return;
    }
    auto page = PageParser().Parse(*body);
    if (!page) {  // not JSON, too deep, a duplicate key: the search stays partial
      f->partial = true;
      return;
    }
    if (!page->is_object() || StrField(*page, "resourceType") != "Bundle") {
      f->partial = true;
      return;
    }
    next = AddBundle(*page, false, g);
  }
}

// A prefetch value (`in_request`) or fetched body: true when it carried data of the expected
// shape.
bool Absorb(simdjson::dom::element v, bool in_request, Fetcher* f, Gathered* g) {
  if (!v.is_object()) return false;  // null, or not a resource
  const std::string_view type = StrField(v, "resourceType");
  if (type.empty() || type == "OperationOutcome") return false;
  if (type == "Bundle") {
    FollowPages(AddBundle(v, in_request, g), f, g);  // this page is read before the next is parsed
    return true;
  }
  g->Add(v, in_request);
  return true;
}

std::string KeyOf(std::string_view k) {
  std::string s = Lower(k);
  if (!s.empty() && s.back() == 's') s.pop_back();
  return s;
}

// The Condition resources the latest fragility (or unknown-mechanism) fracture was read from,
// as references ("Condition/id"), for a referral's reasonReference.
std::vector<std::string> LatestFragilityFractureRefs(
    const Patient& p, const std::map<std::string, std::vector<std::string>>& provenance) {
  std::optional<size_t> best;
  for (size_t i = 0; i < p.fractures.size(); ++i) {
    const Fracture& f = p.fractures[i];
    if (f.mechanism == FractureMechanism::kHighTrauma) continue;
    if (!best || (f.date && (!p.fractures[*best].date || *p.fractures[*best].date <= *f.date)))
      best = i;
  }
  std::vector<std::string> out;
  if (!best) return out;
  auto it = provenance.find("/fractures/" + std::to_string(*best));
  if (it == provenance.end()) return out;
  constexpr std::string_view kCondition = "Condition/";
  for (const std::string& ref : it->second) {
    const std::string_view id =
        std::string_view(ref).substr(std::min(ref.size(), kCondition.size()));
    if (ref.rfind(kCondition, 0) == 0 && !id.empty() &&
        id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.") ==
            std::string_view::npos)
      out.push_back(ref);
  }
  return out;
}

}  // namespace

CdsService::CdsService(CdsService&&) noexcept = default;
CdsService& CdsService::operator=(CdsService&&) noexcept = default;
CdsService::~CdsService() = default;

Result<CdsService> CdsService::Create(const KnowledgeBase& kb, ServiceOptions opt) {
  auto engine = Engine::Create(kb, opt.profile);
  if (!engine) return engine.errors();
  CdsService s;
  s.engine_ = std::make_unique<Engine>(std::move(*engine));
  while (!opt.public_url.empty() && opt.public_url.back() == '/') opt.public_url.pop_back();
  s.opt_ = std::move(opt);
  s.discovery_ = cds::DiscoveryJson();
  return s;
}

bool CdsService::Knows(std::string_view id) const { return FindService(id) != nullptr; }

Result<CdsOutcome> CdsService::Handle(std::string_view service_id, std::string_view body,
                                      const FhirSource* fhir, Date today) const {
  const ServiceDef* svc = FindService(service_id);
  if (!svc)
    return Error{kErrUnknownService, "",
                 "no CDS service \"" + std::string(service_id.substr(0, 64)) + "\""};
  try {
    // The request body's tree lives until this thread parses the next request (fetched pages
    // have a parser of their own).
    thread_local jsonparse::Parser request_parser;
    auto root = request_parser.Parse(body);
    if (!root) {
      Error e = root.error();
      e.message = "request body: " + e.message;
      return e;
    }
    Request r;
    if (auto err = ParseRequest(*svc, *root, opt_.max_prefetch_keys, &r)) return *err;
    CdsOutcome out;
    out.service_id = svc->id;

    // 1. Prefetch: whatever came, under whatever key.
    Gathered g(r);
    std::set<std::string> satisfied;  // template keys
    Fetcher f;
    f.fhir = fhir;
    f.bearer = r.bearer;
    f.origin = r.fhir_server.empty() ? "" : OriginOf(r.fhir_server);
    f.deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(opt_.fetch_deadline_ms);
    f.pages_left = opt_.max_pages;
    // In key order (as before, when the prefetch was an ordered map): the first of two copies
    // of a resource is the one kept, and the record's entries come in the same order.
    std::vector<std::pair<std::string_view, simdjson::dom::element>> prefetched;
    simdjson::dom::object prefetch;
    if (r.prefetch && r.prefetch->get(prefetch) == simdjson::SUCCESS)
      for (auto [key, value] : prefetch) prefetched.emplace_back(key, value);
    std::sort(prefetched.begin(), prefetched.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [key, value] : prefetched) {
      const bool data = Absorb(value, true, &f, &g);
      if (!data) continue;
      for (const auto& t : svc->prefetch)
        if (KeyOf(key) == KeyOf(t.key) || KeyOf(key) == Lower(t.resource_type))
          satisfied.insert(t.key);
    }

    // 2. What is still missing: fetch it with the same templates.
    for (const auto& t : svc->prefetch) {
      if (satisfied.count(t.key) || g.HasType(t.resource_type)) continue;
      bool got = false;
      if (fhir && !r.fhir_server.empty()) {
        const std::string url =
            r.fhir_server + "/" + EncodeQuery(ExpandTemplate(t.query, r.context, today));
        if (auto res = f.Get(url)) {
          if (auto v = PageParser().Parse(*res)) got = Absorb(*v, false, &f, &g);
        }
        if (got) out.fetched.push_back(t.key);
      }
      if (!got) {
        if (t.required) {
          return Error{kErrPrecondition, "prefetch." + t.key,
                       "the " + t.resource_type +
                           " resource is required and was neither "
                           "prefetched nor available from fhirServer" +
                           (r.fhir_server.empty() ? std::string(" (no fhirServer in the request)")
                                                  : std::string(" (fetch failed or timed out)")) +
                           "; prefetch it with: " + t.query};
        }
        out.unavailable.push_back(t.key);
      }
    }
    if (f.partial) out.unavailable.push_back("further search pages");

    // 3. The record, through the FHIR reader: the resources as a collection Bundle's entries.
    jsonparse::Parser fetched_parser;
    auto resources = g.Resources(fetched_parser);
    if (!resources) {
      Error e = resources.error();
      return Error{kErrPrecondition, "prefetch",
                   "the prefetched record cannot be used: " + e.message};
    }
    FhirOptions fo;
    fo.as_of = today;
    if (g.have_patient()) fo.patient_id = r.patient_id;
    auto extract = ReadFhirResources(*resources, engine_->knowledge(), fo);
    if (!extract) {
      Error e = extract.error();
      return Error{kErrPrecondition, "prefetch",
                   "the prefetched record cannot be used: " + e.message};
    }
    const std::optional<Date> encounter_start = g.encounter_start();
    Patient patient = std::move(extract->patient);
    if (patient.id.empty()) patient.id = r.patient_id;

    // 4. Draft orders join the record as planned (or stopped) medications.
    std::vector<DraftOrder> drafts;
    if (r.draft_orders && r.draft_orders->is_object() && r.draft_orders->contains("entry")) {
      for (const auto& e : (*r.draft_orders)["entry"]) {
        if (!e.is_object() || !e.contains("resource") || !e["resource"].is_object()) continue;
        json res = e["resource"];
        if (res.value("resourceType", "") != "MedicationRequest") continue;
        const std::string ref =
            "MedicationRequest/" +
            (res.contains("id") && res["id"].is_string() ? res["id"].get<std::string>() : "");
        if (svc->hook == "order-select" && !r.selections.empty() && !r.selections.count(ref))
          continue;
        const std::string status = res.value("status", "");
        const bool stop = status == "stopped" || status == "cancelled" ||
                          (res.contains("doNotPerform") && res["doNotPerform"] == true);
        res["status"] = "draft";
        res.erase("doNotPerform");
        res["subject"] = {{"reference", "Patient/" + patient.id}};
        FhirOptions dfo;
        dfo.as_of = today;
        auto one = ReadFhirBundle(res.dump(), engine_->knowledge(), dfo);
        if (!one || one->patient.medications.empty()) continue;  // not an agent bonepath knows
        for (const Medication& m : one->patient.medications) {
          drafts.push_back({ref, m.agent, stop});
          if (stop) {
            for (Medication& cur : patient.medications)
              if (cur.agent == m.agent && cur.status == MedStatus::kActive) {
                cur.status = MedStatus::kStopped;
                cur.end = today;
              }
          } else {
            Medication planned = m;
            planned.status = MedStatus::kPlanned;
            if (!planned.start) planned.start = today;
            patient.medications.push_back(planned);
          }
        }
      }
    }

    // 5. The engine decides; the cards present.
    auto a = std::make_shared<Assessment>(engine_->Assess(patient, today));
    for (auto& t : extract->mapping_trace) a->trace.push_back(std::move(t));
    for (auto& i : extract->issues) a->input_issues.push_back(std::move(i));
    out.assessment_id = NewUuid();
    CardContext cc;
    cc.service = svc;
    cc.assessment = a.get();
    cc.patient = &patient;
    cc.kb = &engine_->knowledge();
    cc.drafts = std::move(drafts);
    cc.encounter_start = encounter_start;
    cc.assessment_url = opt_.public_url + "/assessment/" + out.assessment_id;
    cc.source_url = opt_.public_url + "/about";  // a page a person reads, not the JSON API
    cc.unavailable = out.unavailable;
    cc.fracture_refs = LatestFragilityFractureRefs(patient, extract->provenance);
    cc.today = today;
    json cards = BuildCards(cc, &out.cards);
    out.response_json = json{{"cards", cards}, {"systemActions", json::array()}}.dump(
        -1, ' ', false, json::error_handler_t::replace);
    out.assessment = std::move(a);
    return out;
  } catch (const std::exception& e) {
    // nlohmann throws on type mismatches this code did not foresee; never past this layer.
    return Error{"internal", "", std::string("internal error: ") + e.what()};
  }
}

Result<std::vector<FeedbackItem>> ParseFeedback(std::string_view body) {
  auto parsed = ParseOutsideJson(body);
  if (!parsed) {
    Error e = parsed.error();
    e.message = "feedback body: " + e.message;
    return e;
  }
  const json doc = std::move(*parsed);
  if (!doc.is_object() || !doc.contains("feedback") || !doc["feedback"].is_array())
    return Schema("feedback", "\"feedback\" is required and must be an array");
  std::vector<FeedbackItem> out;
  size_t i = 0;
  for (const auto& f : doc["feedback"]) {
    const std::string at = "feedback[" + std::to_string(i++) + "]";
    if (!f.is_object()) return Schema(at, "must be an object");
    FeedbackItem it;
    if (!f.contains("card") || !f["card"].is_string() || f["card"].get<std::string>().empty())
      return Schema(at + ".card", "required: the card uuid");
    it.card = f["card"].get<std::string>();
    it.outcome = f.value("outcome", "");
    if (it.outcome != "accepted" && it.outcome != "overridden")
      return Schema(at + ".outcome", "must be \"accepted\" or \"overridden\"");
    if (!f.contains("outcomeTimestamp") || !f["outcomeTimestamp"].is_string())
      return Schema(at + ".outcomeTimestamp", "required (ISO 8601 instant)");
    it.outcome_timestamp = f["outcomeTimestamp"].get<std::string>();
    if (f.contains("acceptedSuggestions")) {
      if (!f["acceptedSuggestions"].is_array())
        return Schema(at + ".acceptedSuggestions", "must be an array");
      for (const auto& s : f["acceptedSuggestions"])
        if (s.is_object() && s.contains("id") && s["id"].is_string())
          it.accepted_suggestions.push_back(s["id"].get<std::string>());
    }
    if (f.contains("overrideReason") && f["overrideReason"].is_object()) {
      const json& o = f["overrideReason"];
      if (o.contains("reason") && o["reason"].is_object()) {
        it.override_code = o["reason"].value("code", "");
        it.override_system = o["reason"].value("system", "");
        it.override_display = o["reason"].value("display", "");
      }
      it.user_comment = o.value("userComment", "");
    }
    out.push_back(std::move(it));
  }
  return out;
}

std::string OperationOutcomeJson(const Error& e, std::string_view issue_code) {
  json issue = {{"severity", "error"},
                {"code", std::string(issue_code)},
                {"diagnostics", e.message},
                {"details", {{"text", std::string(e.code.name())}}}};
  if (!e.path.empty()) issue["expression"] = json::array({e.path});
  return json{{"resourceType", "OperationOutcome"}, {"issue", json::array({issue})}}.dump(
      -1, ' ', false, json::error_handler_t::replace);
}

std::string NewUuid() {
  // Page ids are capabilities (the page needs no login): OpenSSL's CSPRNG, never a PRNG.
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) throw std::runtime_error("RAND_bytes failed");
  b[6] = (b[6] & 0x0F) | 0x40;
  b[8] = (b[8] & 0x3F) | 0x80;
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

}  // namespace bp::cds
