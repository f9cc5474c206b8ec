// Outside JSON for the service (request bodies, prefetch, fetched FHIR pages, token parts, JWKS,
// feedback): parsed only through the project's JSON layer (common/json.h: size and nesting
// limits, duplicate keys rejected with their path, one BOM rule, messages without input bytes),
// then handed to the service's code as an nlohmann::json value. The layer bounds the depth
// before any tree is built, so the conversion (and any later dump) recurses at most
// `limits.max_depth` levels.
//
// Thread safety: each thread parses with its own reusable parser.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "common/json.h"
#include "common/result.h"

namespace bp::cds {

// Errors (codes of common/error_code.h): too_large (over max_bytes, or nested deeper than
// max_depth), invalid_json (not JSON, a duplicate key: the error's path names it).
Result<nlohmann::json> ParseOutsideJson(std::string_view text,
                                        const jsonparse::Limits& limits = {});

// An element of a document parsed by the JSON layer (depth already bounded) as an
// nlohmann::json value: for the small parts of a request that the service reads field by field.
nlohmann::json OutsideToJson(simdjson::dom::element e);

}  // namespace bp::cds
