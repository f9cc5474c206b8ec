// The codes the supported measures refer to (the expansions of their value sets and their
// direct-reference codes), numbered 1..Size() once, so that a coding read from a resource is
// reduced to one number: a value-set test is then a bit test and `~ "Code"` an integer compare.
// Built on first use from the embedded knowledge (knowledge/measures/*.json).
//
// Thread safety: built once (thread-safe static initialisation), read-only afterwards.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace bp::measures {

class Terminology {
 public:
  static const Terminology& Get();
  // The id of system|code, 0 when no supported measure refers to it.
  std::uint32_t Find(std::string_view system, std::string_view code) const;
  // The id of "system|code" as the knowledge files write it (or a bare value), 0 when absent.
  std::uint32_t FindKey(std::string_view key) const;
  // Ids run from 1 to Size().
  std::uint32_t Size() const { return static_cast<std::uint32_t>(ids_.size()); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> ids_;
};

}  // namespace bp::measures
