// Internal to src/rules: comparing rule ids and agent names, which the engine does many times per
// assessment.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

namespace bp::rules {

// Equality of two short ids or names (rule ids, agent names), inline: the length, then the
// pointer (the same literal or knowledge string), then the characters in a few word-sized
// loads. Ids of one length often share a prefix ("SEL-01", "SEL-05"), where a byte loop or a
// library memcmp call would cost more than the test.
[[gnu::always_inline]] inline bool SameId(std::string_view a, std::string_view b) noexcept {
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  const char* x = a.data();
  const char* y = b.data();
  if (x == y) return true;
  auto same8 = [&](std::size_t at) {
    std::uint64_t u, v;
    std::memcpy(&u, x + at, 8);
    std::memcpy(&v, y + at, 8);
    return u == v;
  };
  auto same4 = [&](std::size_t at) {
    std::uint32_t u, v;
    std::memcpy(&u, x + at, 4);
    std::memcpy(&v, y + at, 4);
    return u == v;
  };
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8)
      if (!same8(i)) return false;
    return same8(n - 8);  // the last 8 (overlapping the loop's last word)
  }
  if (n >= 4) return same4(0) && same4(n - 4);
  for (std::size_t i = 0; i < n; ++i)
    if (x[i] != y[i]) return false;
  return true;
}

// Whether `ids` holds `id`.
inline bool HasId(const std::vector<std::string_view>& ids, std::string_view id) noexcept {
  for (std::string_view r : ids)
    if (SameId(r, id)) return true;
  return false;
}

// A fixed set of ids, each numbered in the order first given, looked up by a key of the length
// and three characters (ids that share a prefix differ at the end: "COURSE-18", "COURSE-19")
// rather than a hash of every byte, in an open-addressed table at most a quarter full whose
// slots keep the key, so that most lookups of an id not in the set end at the first slot. For a
// lookup per trace entry (CourseFinish), where std::unordered_map's hashing cost more than the
// rest of the step.
class IdIndex {
 public:
  explicit IdIndex(std::span<const std::string_view> ids) {
    std::size_t size = 16;
    shift_ = 28;
    while (size < 4 * ids.size()) size *= 2, --shift_;
    slots_.resize(size);
    mask_ = size - 1;
    for (std::string_view id : ids) {
      if (id.empty() || Find(id) >= 0) continue;
      const std::uint32_t key = Key(id);
      std::size_t i = Slot0(key);
      while (slots_[i].key != 0) i = (i + 1) & mask_;
      slots_[i] = {id, key, static_cast<int>(count_++)};
    }
  }
  std::size_t size() const noexcept { return count_; }
  // The number of `id`, or -1.
  int Find(std::string_view id) const noexcept {
    if (id.empty()) return -1;
    const std::uint32_t key = Key(id);
    for (std::size_t i = Slot0(key);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.key == 0) return -1;
      if (s.key == key && SameId(s.id, id)) return s.number;
    }
  }

 private:
  // Never 0 for a non-empty id (the length is at least 1).
  static std::uint32_t Key(std::string_view id) noexcept {
    const std::size_t n = id.size();
    const auto at = [&id](std::size_t i) {
      return static_cast<std::uint32_t>(static_cast<unsigned char>(id[i]));
    };
    return static_cast<std::uint32_t>(n & 0xff) | at(0) << 8 | at(n >= 2 ? n - 2 : 0) << 16 |
           at(n - 1) << 24;
  }
  std::size_t Slot0(std::uint32_t key) const noexcept {
    return static_cast<std::size_t>((key * 0x9E3779B1u) >> shift_) & mask_;
  }
  struct Slot {
    std::string_view id;
    std::uint32_t key = 0;
    int number = -1;
  };
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  int shift_ = 28;
  std::size_t count_ = 0;
};

}  // namespace bp::rules
