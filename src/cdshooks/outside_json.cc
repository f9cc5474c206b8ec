#include "cdshooks/outside_json.h"

#include <map>
#include <memory>
#include <string>
#include <utility>

namespace bp::cds {
namespace {

using nlohmann::json;
using simdjson::dom::element;
using simdjson::dom::element_type;

// Recursion is bounded by the layer's depth limit, checked before this runs.
json ToJson(element e) {
  switch (e.type()) {
    case element_type::OBJECT: {
      json out = json::object();
      simdjson::dom::object o;
      if (e.get(o) != simdjson::SUCCESS) return out;
      for (auto field : o) out.emplace(std::string(field.key), ToJson(field.value));
      return out;
    }
    case element_type::ARRAY: {
      json out = json::array();
      simdjson::dom::array a;
      if (e.get(a) != simdjson::SUCCESS) return out;
      for (element x : a) out.push_back(ToJson(x));
      return out;
    }
    case element_type::STRING:
      return std::string(e.get_string().value_unsafe());
    case element_type::INT64:
      return e.get_int64().value_unsafe();
    case element_type::UINT64:
      return e.get_uint64().value_unsafe();
    case element_type::DOUBLE:
      return e.get_double().value_unsafe();
    case element_type::BOOL:
      return e.get_bool().value_unsafe();
    case element_type::NULL_VALUE:
      return nullptr;
  }
  return nullptr;
}

}  // namespace

json OutsideToJson(element e) { return ToJson(e); }

Result<json> ParseOutsideJson(std::string_view text, const jsonparse::Limits& limits) {
  // One reusable parser per thread and limits (a worker parses many bodies); the element is
  // converted before this thread parses again.
  thread_local std::map<std::pair<std::size_t, std::size_t>, std::unique_ptr<jsonparse::Parser>>
      parsers;
  auto& p = parsers[{limits.max_bytes, limits.max_depth}];
  if (!p) p = std::make_unique<jsonparse::Parser>(limits);
  auto root = p->Parse(text);
  if (!root) return root.errors();
  return ToJson(*root);
}

}  // namespace bp::cds
