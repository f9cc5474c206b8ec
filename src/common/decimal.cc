#include "common/decimal.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace bp {

std::size_t WriteFixed(char* out, double v, int decimals) {
  static constexpr double kScale[] = {1, 10, 100, 1000};
  if (decimals >= 0 && decimals <= 3 && v > -1e9 && v < 1e9) {  // false for NaN
    const double scaled = (v < 0 ? -v : v) * kScale[decimals];
    auto n = static_cast<long long>(scaled);  // truncates: scaled >= 0
    const double frac = scaled - static_cast<double>(n);
    // The product carries a relative error below 2^-52 (far below 1e-6 at these magnitudes), so
    // away from a tie it rounds to the same integer as the exact decimal expansion of v.
    if (frac - 0.5 > 1e-6 || 0.5 - frac > 1e-6) {
      if (frac > 0.5) ++n;
      if (n != 0 || !std::signbit(v)) {  // to_chars keeps the sign of a rounded-away negative
        // Digits right to left, the point after `decimals` of them, at least one digit before it.
        char tmp[32];
        char* p = tmp + sizeof tmp;
        int written = 0;
        do {
          if (written == decimals && decimals > 0) *--p = '.';
          *--p = static_cast<char>('0' + n % 10);
          n /= 10;
          ++written;
        } while (n != 0 || written <= decimals);
        if (std::signbit(v)) *--p = '-';
        const auto len = static_cast<std::size_t>(tmp + sizeof tmp - p);
        std::memcpy(out, p, len);
        return len;
      }
    }
  }
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
