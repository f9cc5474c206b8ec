// libFuzzer target: the FHIR reader must answer every byte string with an extract or with
// errors in the contract's vocabulary, never a crash, a hang or a sanitizer report; whatever it
// accepts must serialise.
//
//   ./build-fuzz/fuzz/fhir_reader_fuzz -max_total_time=30 fuzz/corpus/fhir
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fhir/fhir_reader.h"
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
  bp::FhirOptions opt;
  opt.as_of = bp::Date::FromYmd(2026, 3, 1);  // deterministic: no clock in the fuzz loop
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)bp::LooksLikeFhir(text);
  auto x = bp::ReadFhirBundle(text, kb, opt);
  if (x.has_value()) {
    if (x->patient.id.empty()) __builtin_trap();
    (void)bp::FhirExtractToJson(*x);
  } else {
    if (x.errors().empty()) __builtin_trap();
    for (const auto& e : x.errors())
      if (!KnownCode(e.code.name()) || e.message.empty()) __builtin_trap();
  }
  return 0;
}
