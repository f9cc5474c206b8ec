#include "domain/patient.h"

#include <cmath>

namespace bp {

Tenths ToTenths(double v) {
  // Half away from zero, as DXA and FRAX reports print one decimal. The small epsilon absorbs
  // binary representation error (2.45 is stored as 2.4499999...).
  const double scaled = v * 10.0;
  const double r = std::round(scaled + (scaled >= 0 ? 1e-9 : -1e-9));
  return static_cast<Tenths>(r);
}

}  // namespace bp
