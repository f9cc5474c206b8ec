#include "measures/terminology.h"

#include <simdjson.h>

#include "knowledge/embedded.h"

namespace bp::measures {
namespace {

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

}  // namespace

const Terminology& Terminology::Get() {
  static const Terminology t = [] {
    Terminology out;
    simdjson::dom::parser parser;
    const auto add = [&out](std::string_view key) {
      out.ids_.try_emplace(std::string(key), static_cast<std::uint32_t>(out.ids_.size() + 1));
    };
    for (const auto& f : EmbeddedKnowledgeFiles()) {
      if (!StartsWith(f.path, "measures/") || !EndsWith(f.path, ".json")) continue;
      simdjson::dom::element j;
      if (parser.parse(f.content.data(), f.content.size()).get(j) != simdjson::SUCCESS) continue;
      simdjson::dom::array a;
      if (j["valuesets"].get(a) == simdjson::SUCCESS) {  // <id>-valuesets.json
        for (auto s : a) {
          simdjson::dom::array codes;
          if (s["codes"].get(codes) != simdjson::SUCCESS) continue;
          for (auto c : codes) {
            std::string_view key;
            if (c.get(key) == simdjson::SUCCESS) add(key);
          }
        }
      }
      if (j["codes"].get(a) == simdjson::SUCCESS) {  // <id>.json
        for (auto c : a) {
          std::string_view key;
          if (c["code"].get(key) == simdjson::SUCCESS) add(key);
        }
      }
    }
    return out;
  }();
  return t;
}

std::uint32_t Terminology::Find(std::string_view system, std::string_view code) const {
  thread_local std::string key;  // grows once, then no allocation
  key.assign(system).append(1, '|').append(code);
  return FindKey(key);
}

std::uint32_t Terminology::FindKey(std::string_view key) const {
  auto it = ids_.find(key);
  return it == ids_.end() ? 0 : it->second;
}

}  // namespace bp::measures
