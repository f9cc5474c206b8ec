// The one table from error codes (common/result.h and cdshooks/cds_service.h) to HTTP statuses
// and FHIR OperationOutcome issue codes, applied once at the edge of the HTTP service.
//
// Thread safety: a constant table.
#pragma once

#include <string_view>

namespace bp::server {

struct HttpError {
  int status;                   // HTTP status
  std::string_view issue_code;  // OperationOutcome.issue.code (FHIR IssueType)
};

// Unknown codes map to 500 / exception.
HttpError MapError(std::string_view code);

}  // namespace bp::server
