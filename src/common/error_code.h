// The one list of error codes, and the one table that maps each to the CLI's exit status and to
// the HTTP status and FHIR OperationOutcome issue code the service answers with. The command line
// (cli/) and the HTTP service (server/) both read this table; nothing else maps codes.
//
// An ErrorCode is built from its contract name, checked at compile time: `Error{"schema", ...}`
// compiles, `Error{"schemma", ...}` does not. So a code outside the table cannot exist, and no
// caller needs a fallback for one.
//
// Thread safety: constant data and value types.
#pragma once

#include <array>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string_view>

namespace bp {

// Exit statuses of the CLI contract.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInternal = 1;  // an internal failure (ours, or the store's)
inline constexpr int kExitBadInput = 2;  // bad usage or invalid input

class ErrorCode {
 public:
  enum Value : std::uint8_t {
    // Input errors of the CLI contract (shared/spec README, "Exit status").
    kInvalidJson,   // not JSON, a duplicate key, a byte-order mark in the wrong place
    kSchema,        // a field missing, unknown, of the wrong type or out of range
    kUnit,          // a unit not accepted for a lab test
    kDate,          // not a calendar date
    kInconsistent,  // fields that contradict each other
    kUnsupported,   // valid but outside what bonepath handles
    kTooLarge,      // too many bytes, or nested deeper than the limit
    kIo,            // a named file cannot be read
    kInternal,      // a bug or a broken knowledge base
    // The registry.
    kInvalidInput,    // a registry argument or record is not acceptable
    kUnknownPatient,  // no such patient in the registry
    kDb,              // the store failed
    kDbBusy,          // the store is locked by another writer
    kDbOpen,          // the store cannot be opened
    kDbCorrupt,       // the store is damaged: nothing is written to it
    // The HTTP service.
    kUnauthorized,        // no or a bad bearer token
    kUnknownService,      // no CDS service by that id
    kNotFound,            // no such endpoint or page
    kPreconditionFailed,  // prefetch missing and no FHIR server to fetch from
    kUnavailable,         // the EHR's FHIR server did not answer usefully
    kCount
  };

  struct Info {
    std::string_view name;        // the contract's name, e.g. "invalid_json"
    int exit_status;              // bonepath's exit status
    int http_status;              // the service's HTTP status
    std::string_view issue_code;  // OperationOutcome.issue.code (FHIR IssueType)
  };

  // Indexed by Value.
  static constexpr std::array<Info, kCount> kTable = {{
      {"invalid_json", kExitBadInput, 400, "structure"},
      {"schema", kExitBadInput, 400, "invalid"},
      {"unit", kExitBadInput, 400, "value"},
      {"date", kExitBadInput, 400, "value"},
      {"inconsistent", kExitBadInput, 400, "business-rule"},
      {"unsupported", kExitBadInput, 422, "not-supported"},
      {"too_large", kExitBadInput, 413, "too-costly"},
      {"io", kExitBadInput, 500, "exception"},
      {"internal", kExitInternal, 500, "exception"},
      {"invalid_input", kExitBadInput, 400, "invalid"},
      {"unknown_patient", kExitBadInput, 404, "not-found"},
      {"db", kExitInternal, 500, "exception"},
      {"db_busy", kExitInternal, 503, "transient"},
      {"db_open", kExitBadInput, 500, "exception"},
      {"db_corrupt", kExitInternal, 500, "exception"},
      {"unauthorized", kExitBadInput, 401, "login"},
      {"unknown_service", kExitBadInput, 404, "not-found"},
      {"not_found", kExitBadInput, 404, "not-found"},
      {"precondition_failed", kExitBadInput, 412, "incomplete"},
      {"unavailable", kExitInternal, 502, "transient"},
  }};

  constexpr ErrorCode(Value v) : v_(v) {}  // NOLINT: implicit, like the enum it wraps
  // From the contract name; a name not in the table does not compile.
  consteval ErrorCode(const char* name) : v_(Lookup(name)) {}  // NOLINT

  // A name read back at run time (e.g. from a stored error); nullopt when unknown.
  static std::optional<ErrorCode> FromName(std::string_view name);

  constexpr Value value() const { return v_; }
  constexpr const Info& info() const { return kTable[v_]; }
  constexpr std::string_view name() const { return info().name; }
  constexpr int exit_status() const { return info().exit_status; }
  constexpr int http_status() const { return info().http_status; }
  constexpr std::string_view issue_code() const { return info().issue_code; }

  friend constexpr bool operator==(ErrorCode a, ErrorCode b) = default;
  // Comparing with a name: `e.code == "schema"` (an exact match, so it wins over converting the
  // name), or with a run-time string.
  friend constexpr bool operator==(ErrorCode a, const char* name) {
    return a.name() == std::string_view(name);
  }
  friend constexpr bool operator==(ErrorCode a, std::string_view name) { return a.name() == name; }

 private:
  static consteval Value Lookup(const char* name) {
    const std::string_view n(name);
    for (std::size_t i = 0; i < kCount; ++i)
      if (kTable[i].name == n) return static_cast<Value>(i);
    throw "not an error code of common/error_code.h";  // a compile error: consteval
  }

  Value v_;
};

std::ostream& operator<<(std::ostream& os, ErrorCode c);

}  // namespace bp
