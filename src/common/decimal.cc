#include "common/decimal.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace bp {

std::size_t WriteFixedFast(char* out, double v, int decimals) {
  static constexpr double kScale[] = {1, 10, 100, 1000};
  if (decimals < 0 || decimals > 3 || !(v > -1e9 && v < 1e9)) return 0;  // NaN included
  const double scaled = (v < 0 ? -v : v) * kScale[decimals];
  auto n = static_cast<long long>(scaled);  // truncates: scaled >= 0
  const double frac = scaled - static_cast<double>(n);
  // The product carries a relative error below 2^-52 (far below 1e-6 at these magnitudes), so
  // away from a tie it rounds to the same integer as the exact decimal expansion of v.
  if (!(frac - 0.5 > 1e-6 || 0.5 - frac > 1e-6)) return 0;
  if (frac > 0.5) ++n;
  const bool negative = std::signbit(v);
  if (n == 0 && negative) return 0;  // to_chars keeps the sign of a rounded-away negative
  // The integer part and the decimals (constant divisors: multiplications).
  std::uint64_t ip = static_cast<std::uint64_t>(n);
  std::uint32_t fp = 0;
  switch (decimals) {
    case 1:
      fp = static_cast<std::uint32_t>(ip % 10);
      ip /= 10;
      break;
    case 2:
      fp = static_cast<std::uint32_t>(ip % 100);
      ip /= 100;
      break;
    case 3:
      fp = static_cast<std::uint32_t>(ip % 1000);
      ip /= 1000;
      break;
    default:
      break;
  }
  int int_digits = 1;  // ip <= 1e9
  for (std::uint64_t bound = 10; int_digits < 10 && ip >= bound; bound *= 10) ++int_digits;
  const std::size_t len = static_cast<std::size_t>(negative) +
                          static_cast<std::size_t>(int_digits) +
                          (decimals > 0 ? 1 + static_cast<std::size_t>(decimals) : 0);
  // Right to left, two digits at a time.
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  char* p = out + len;
  auto pair = [&](std::uint32_t two) {
    p -= 2;
    std::memcpy(p, kPairs + 2 * two, 2);
  };
  switch (decimals) {
    case 1:
      *--p = static_cast<char>('0' + fp);
      *--p = '.';
      break;
    case 2:
      pair(fp);
      *--p = '.';
      break;
    case 3:
      pair(fp % 100);
      *--p = static_cast<char>('0' + fp / 100);
      *--p = '.';
      break;
    default:
      break;
  }
  while (ip >= 100) {
    pair(static_cast<std::uint32_t>(ip % 100));
    ip /= 100;
  }
  if (ip >= 10)
    pair(static_cast<std::uint32_t>(ip));
  else
    *--p = static_cast<char>('0' + ip);
  if (negative) *--p = '-';
  return len;
}

std::size_t WriteFixed(char* out, double v, int decimals) {
  if (const std::size_t n = WriteFixedFast(out, v, decimals)) return n;
  if (decimals < 0) decimals = 0;
  if (decimals > kMaxFixedDecimals) decimals = kMaxFixedDecimals;
  const auto r = std::to_chars(out, out + kFixedBufferSize, v, std::chars_format::fixed, decimals);
  if (r.ec != std::errc()) {
    out[0] = '?';
    return 1;
  }
  return static_cast<std::size_t>(r.ptr - out);
}

}  // namespace bp
