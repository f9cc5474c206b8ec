// libFuzzer target: the native patient reader must answer every byte string with a Patient or
// with errors in the contract's vocabulary, never a crash, a hang or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "io/assessment_json.h"
#include "io/native_reader.h"
#include "knowledge/loader.h"

namespace {

bool KnownCode(std::string_view code) {
  for (std::string_view c :
       {"invalid_json", "schema", "unit", "date", "inconsistent", "unsupported", "too_large"})
    if (code == c) return true;
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bp::KnowledgeBase& kb = bp::EmbeddedKnowledge();
  bp::NativeReadOptions options;
  options.today = bp::Date::FromYmd(2026, 3, 1);  // deterministic: no clock in the fuzz loop
  std::vector<bp::InputIssue> issues;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto result = bp::ReadNativePatient(text, kb, &issues, options);
  if (result.has_value()) {
    // Anything accepted is usable as the engine expects it.
    if (result->id.empty()) __builtin_trap();
  } else {
    if (result.errors().empty()) __builtin_trap();
    for (const auto& e : result.errors())
      if (!KnownCode(e.code.name()) || e.message.empty()) __builtin_trap();
    // The error channel must render whatever the input held.
    (void)bp::ErrorsToJson(result.errors());
    (void)bp::FormatErrorsForStderr("fuzz.json", result.errors());
  }
  return 0;
}
