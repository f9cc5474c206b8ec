// Fixed-point formatting of doubles for the texts the engine writes ("CrCl 41.8 mL/min").
// The result is the same as std::to_chars(..., std::chars_format::fixed, decimals): rounded from
// the exact binary value, "-0.0" for a small negative value. Most values take an integer fast
// path; values near a rounding tie, large values and other precisions go through to_chars.
#pragma once

#include <cstddef>
#include <string>

namespace bp {

// Room for any finite double in fixed notation with up to kMaxFixedDecimals decimals: a sign,
// 309 digits before the point, the point and 17 decimals (328 bytes).
inline constexpr std::size_t kFixedBufferSize = 352;
inline constexpr int kMaxFixedDecimals = 17;

// Writes v into out (at least kFixedBufferSize bytes, not null-terminated); returns the length.
std::size_t WriteFixed(char* out, double v, int decimals);

// The integer fast path of WriteFixed alone, for callers with a small buffer: writes at most
// kFixedFastSize bytes and returns the length, or returns 0 (writing nothing) where WriteFixed
// would go through to_chars (more than 3 decimals, |v| >= 1e9, near a rounding tie, -0.0).
inline constexpr std::size_t kFixedFastSize = 16;
std::size_t WriteFixedFast(char* out, double v, int decimals);

inline std::string FormatFixed(double v, int decimals) {
  char buf[kFixedBufferSize];
  return std::string(buf, WriteFixed(buf, v, decimals));
}

}  // namespace bp
