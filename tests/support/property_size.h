// How many generated patients a property suite checks. The default is the suite's own count;
// BONEPATH_PROPERTY_PATIENTS lowers (or raises) it for one run. scripts/test.sh lowers it for the
// sanitizer run, where each assessment costs about ten times as much and ctest starts a process,
// which generates the whole population again, for every test; the optimised run checks the full
// count. A value that is not a whole number of at least kMinPropertyPatients fails the suite.
#pragma once

#include <charconv>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

namespace bp::testing_harness {

// Below this the coverage floors of the suites ("each outcome in at least 1 % of patients") mean
// little.
inline constexpr int kMinPropertyPatients = 1000;

inline int PropertyPatients(int suite_default) {
  const char* env = std::getenv("BONEPATH_PROPERTY_PATIENTS");
  if (env == nullptr || *env == '\0') return suite_default;
  const std::string_view text(env);
  int n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < kMinPropertyPatients) {
    throw std::invalid_argument("BONEPATH_PROPERTY_PATIENTS must be a whole number of at least " +
                                std::to_string(kMinPropertyPatients));
  }
  return n;
}

}  // namespace bp::testing_harness
