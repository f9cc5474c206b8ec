// RedactUrl: shared by the adapters (and compiled into the PostgreSQL driver module).
#include <string>
#include <string_view>

#include "storage/database.h"

namespace bp::storage {

std::string RedactUrl(std::string_view s) {
  const auto scheme = s.find("://");
  if (scheme == std::string_view::npos) return std::string(s);
  const auto at = s.find('@', scheme + 3);
  if (at == std::string_view::npos) return std::string(s);
  const auto colon = s.find(':', scheme + 3);
  if (colon == std::string_view::npos || colon > at) return std::string(s);
  return std::string(s.substr(0, colon + 1)) + "***" + std::string(s.substr(at));
}

}  // namespace bp::storage
