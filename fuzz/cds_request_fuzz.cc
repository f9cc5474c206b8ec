// libFuzzer target: a CDS Hooks request body (the service's parse of outside JSON: hook, context,
// draft orders, prefetch of any shape, nesting) must be answered with a response or an error in
// the service's vocabulary, never a crash, a hang or a sanitizer report. Nothing is fetched.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cdshooks/cds_service.h"
#include "knowledge/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bp::cds::CdsService* svc = [] {
    auto s = bp::cds::CdsService::Create(bp::EmbeddedKnowledge(), {});
    if (!s) __builtin_trap();
    return new bp::cds::CdsService(std::move(*s));
  }();
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  // Alternate services by the first byte so every hook's parse is reached.
  static const char* kIds[] = {"bonepath-patient-view", "bonepath-order-select",
                               "bonepath-order-sign", "bonepath-encounter-discharge"};
  const char* id = kIds[size ? data[0] % 4 : 0];
  auto out = svc->Handle(id, body, nullptr, bp::Date::FromYmd(2026, 3, 1));
  if (out) {
    if (out->response_json.empty()) __builtin_trap();
  } else {
    if (out.errors().empty() || out.error().message.empty()) __builtin_trap();
    if (out.error().code == "internal") __builtin_trap();  // an unforeseen shape got through
  }
  (void)bp::cds::ParseFeedback(body);
  return 0;
}
