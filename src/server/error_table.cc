#include "server/error_table.h"

#include <array>
#include <utility>

namespace bp::server {

HttpError MapError(std::string_view code) {
  static constexpr std::array<std::pair<std::string_view, HttpError>, 12> kTable = {{
      {"invalid_json", {400, "structure"}},
      {"schema", {400, "invalid"}},
      {"unit", {400, "value"}},
      {"date", {400, "value"}},
      {"inconsistent", {400, "business-rule"}},
      {"unauthorized", {401, "login"}},
      {"unknown_service", {404, "not-found"}},
      {"not_found", {404, "not-found"}},
      {"precondition_failed", {412, "incomplete"}},
      {"too_large", {413, "too-costly"}},
      {"unavailable", {502, "transient"}},
      {"unsupported", {422, "not-supported"}},
  }};
  for (const auto& [c, e] : kTable)
    if (c == code) return e;
  return {500, "exception"};
}

}  // namespace bp::server
