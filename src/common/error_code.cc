#include "common/error_code.h"

#include <ostream>

namespace bp {

std::optional<ErrorCode> ErrorCode::FromName(std::string_view name) {
  for (std::size_t i = 0; i < kCount; ++i)
    if (kTable[i].name == name) return ErrorCode(static_cast<Value>(i));
  return std::nullopt;
}

std::ostream& operator<<(std::ostream& os, ErrorCode c) { return os << c.name(); }

}  // namespace bp
