// The HTTP side of the one error table (common/error_code.h), applied once at the edge of the
// HTTP service.
//
// Thread safety: a constant table.
#pragma once

#include <string_view>

#include "common/error_code.h"

namespace bp::server {

struct HttpError {
  int status;                   // HTTP status
  std::string_view issue_code;  // OperationOutcome.issue.code (FHIR IssueType)
};

inline HttpError MapError(ErrorCode code) { return {code.http_status(), code.issue_code()}; }

}  // namespace bp::server
