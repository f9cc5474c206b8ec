#include "common/decimal.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace bp {

std::size_t WriteFixed(char* out, double v, int decimals) {
  static constexpr double kScale[] = {1, 10, 100, 1000};
  if (decimals >= 0 && decimals <= 3 && std::isfinite(v) && std::fabs(v) < 1e9) {
    const double scaled = std::fabs(v) * kScale[decimals];
    const double whole_part = std::floor(scaled);
    const double frac = scaled - whole_part;
    // The product carries a relative error below 2^-52 (far below 1e-6 at these magnitudes), so
    // away from a tie it rounds to the same integer as the exact decimal expansion of v.
    if (std::fabs(frac - 0.5) > 1e-6) {
      const long long n = static_cast<long long>(whole_part) + (frac > 0.5 ? 1 : 0);
      if (n != 0 || !std::signbit(v)) {  // to_chars keeps the sign of a rounded-away negative
        char digits[24];
        const auto d = std::to_chars(digits, digits + sizeof digits, n);
        int len = static_cast<int>(d.ptr - digits);
        char* o = out;
        if (std::signbit(v)) *o++ = '-';
        if (decimals == 0) {
          std::memcpy(o, digits, static_cast<std::size_t>(len));
          return static_cast<std::size_t>(o + len - out);
        }
        // At least one digit before the point: 5 with 2 decimals is "0.05".
        const int pad = len <= decimals ? decimals + 1 - len : 0;
        const int whole = len + pad - decimals;
        for (int i = 0; i < whole; ++i) *o++ = i < pad ? '0' : digits[i - pad];
        *o++ = '.';
        for (int i = whole; i < len + pad; ++i) *o++ = i < pad ? '0' : digits[i - pad];
        return static_cast<std::size_t>(o - out);
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
