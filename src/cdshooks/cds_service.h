// A CDS Hooks 2.0 service over the decision engine, with no sockets: a request body in, the
// response body (cards) out. The HTTP transport (src/server) authenticates, applies limits and
// maps the error codes below to statuses through its one error table.
//
// What a call does:
// 1. Parses and validates the request (JSON, hook matches the service, context fields the hook
//    requires). Errors: invalid_json, schema (HTTP 400).
// 2. Gathers the record from prefetch, accepting any key naming: complete, partial, omitted,
//    null, an OperationOutcome, or a searchset with `next` pages. What is missing is fetched
//    with the discovery templates from `fhirServer` (bearer token of `fhirAuthorization`) through
//    a FhirSource. The Patient is required: neither prefetched nor fetched is
//    precondition_failed (HTTP 412) with an explanation. Other missing types are named in the
//    cards' detail and the engine reports what that data would have decided.
// 3. Reads the resources with the FHIR reader (src/fhir) into a native Patient; for order hooks
//    merges each draft MedicationRequest into it as a planned medication (or, for an order that
//    stops a drug, marks the active one stopped today), so the engine decides.
// 4. Runs the engine once (Engine::Assess) and turns its Assessment into cards: every card names
//    the engine's rule ids and their citations, as `bonepath assess` shows them.
//
// Errors are values: nothing here throws out of Handle.
// Thread safety: a CdsService is immutable after Create; Handle may be called concurrently.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/date.h"
#include "common/result.h"
#include "domain/assessment.h"
#include "domain/knowledge.h"
#include "rules/engine.h"

namespace bp::cds {

// Error codes of this layer (server/error_table.h maps them to HTTP statuses).
inline constexpr const char* kErrInvalidJson = "invalid_json";          // 400
inline constexpr const char* kErrSchema = "schema";                     // 400
inline constexpr const char* kErrUnknownService = "unknown_service";    // 404
inline constexpr const char* kErrPrecondition = "precondition_failed";  // 412
inline constexpr const char* kErrUnavailable = "unavailable";           // a fetch failed (internal)

// Read access to the EHR's FHIR server, implemented by the transport (libcurl). Tests use a real
// HTTP endpoint; the library never opens sockets itself.
class FhirSource {
 public:
  virtual ~FhirSource() = default;
  // GET an absolute URL with `Accept: application/fhir+json` and, when `bearer` is not empty,
  // `Authorization: Bearer <bearer>`, within `budget` (connection and transfer together). The
  // body on 2xx; otherwise an error with code unavailable and a message naming the status or
  // transport failure (never the body). The caller decides where a token may go: CdsService sends
  // the EHR's token only to the request's fhirServer origin.
  virtual Result<std::string> Get(const std::string& url, const std::string& bearer,
                                  std::chrono::milliseconds budget) const = 0;
};

struct ServiceOptions {
  std::string public_url = "http://127.0.0.1:8080";  // base for links; no trailing slash
  std::string profile = "us-composite";
  int max_pages = 20;            // `next` links followed per hook call, all searches together
  int max_prefetch_keys = 32;    // prefetch entries accepted in one request (more: 400)
  int fetch_deadline_ms = 4000;  // all fetches of one hook call together
};

// One card as issued, for feedback statistics.
struct IssuedCard {
  std::string uuid;
  std::string code;  // stable card kind, e.g. "zoledronic_acid_renal_contraindication"
  std::string indicator;
};

struct CdsOutcome {
  std::string response_json;  // {"cards": [...]} (and "systemActions": [])
  std::string service_id;
  std::string assessment_id;  // key of the assessment page linked from the cards
  std::shared_ptr<const Assessment> assessment;
  std::vector<IssuedCard> cards;
  std::vector<std::string> fetched;      // prefetch keys fetched from fhirServer
  std::vector<std::string> unavailable;  // prefetch keys neither prefetched nor fetched
};

class CdsService {
 public:
  // Fails when the engine cannot be created for the profile (unsupported, internal).
  static Result<CdsService> Create(const KnowledgeBase& kb, ServiceOptions opt);

  CdsService(CdsService&&) noexcept;
  CdsService& operator=(CdsService&&) noexcept;
  ~CdsService();

  // The discovery document (GET /cds-services).
  const std::string& DiscoveryJson() const { return discovery_; }
  bool Knows(std::string_view service_id) const;

  // `today` is the assessment date (the server passes the UTC date; tests a fixed one).
  // `fhir` may be null: nothing is fetched.
  Result<CdsOutcome> Handle(std::string_view service_id, std::string_view body,
                            const FhirSource* fhir, Date today) const;

  const KnowledgeBase& knowledge() const { return engine_->knowledge(); }
  const Engine& engine() const { return *engine_; }
  const ServiceOptions& options() const { return opt_; }

 private:
  CdsService() = default;
  std::unique_ptr<Engine> engine_;
  ServiceOptions opt_;
  std::string discovery_;
};

// POST /cds-services/{id}/feedback body.
struct FeedbackItem {
  std::string card;     // card uuid
  std::string outcome;  // accepted | overridden
  std::vector<std::string> accepted_suggestions;
  std::string override_code;
  std::string override_system;
  std::string override_display;
  std::string user_comment;
  std::string outcome_timestamp;  // as sent (ISO 8601 instant)
};

// Errors: invalid_json, schema (with the path of the bad field).
Result<std::vector<FeedbackItem>> ParseFeedback(std::string_view body);

// A FHIR OperationOutcome (issue severity error) for an error response body.
std::string OperationOutcomeJson(const Error& e, std::string_view issue_code);

// A random RFC 4122 version-4 UUID.
std::string NewUuid();

}  // namespace bp::cds
