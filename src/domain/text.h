// Text: the strings of an assessment without copying the ones that never change. A Text either
// refers to a string with static storage duration (a literal, or a string owned by the
// KnowledgeBase, which must then outlive the Text: see domain/assessment.h), refers to a string
// in an Arena (domain/arena.h; Text::Borrowed; a copy owns its characters), or owns a copy. Built
// from a string literal or by Text::Static it refers; built from a std::string, a string_view or a
// const char* pointer it owns a copy. Either way c_str() is null-terminated. 16 bytes, moved
// by copying them.
//
// RuleIds: the catalogue ids behind a statement, as views of static or knowledge-owned strings,
// kept inline up to kInline ids (no allocation for the common case).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace bp {

class Text {
 public:
  Text() noexcept = default;
  Text(const std::string& s) { Own(s); }  // NOLINT: implicit on purpose; copies
  Text(std::string_view s) { Own(s); }    // NOLINT: copies
  // A string literal (an array of const char) is referred to, not copied: it has static storage
  // duration. Do not pass a local const char array.
  template <std::size_t N>
  [[gnu::always_inline]] Text(const char (&s)[N]) noexcept  // NOLINT: implicit on purpose
      : ptr_(s), size_(static_cast<std::uint32_t>(std::char_traits<char>::length(s))) {}
  // A mutable array or a pointer is copied.
  template <std::size_t N>
  Text(char (&s)[N]) {  // NOLINT: copies
    Own(s);
  }
  template <typename P, std::enable_if_t<std::is_same_v<P, const char*> || std::is_same_v<P, char*>,
                                         int> = 0>
  Text(P s) {  // NOLINT: copies
    Own(s);
  }

  // Refers to `s` without copying: `s` must be null-terminated (s.data()[s.size()] == '\0')
  // and outlive the Text (a literal, or a string of the KnowledgeBase).
  static Text Static(std::string_view s) noexcept {
    Text t;
    t.ptr_ = s.data();
    t.size_ = static_cast<std::uint32_t>(s.size());
    return t;
  }
  // Refers to `s` in an Arena while moved; a copy owns its characters, so that a Text
  // copied out of an assessment outlives the assessment's arena.
  static Text Borrowed(std::string_view s) noexcept {
    Text t = Static(s);
    t.kind_ = kBorrowed;
    return t;
  }

  // A copy that refers to the same characters, even borrowed ones; for an owned Text, a copy.
  // For code that keeps it no longer than the arena (the engine, within one assessment).
  Text Alias() const {
    if (kind_ == kOwned) return Text(*this);
    Text t = Static(view());
    t.kind_ = kind_;
    return t;
  }

  Text(const Text& o) : ptr_(o.ptr_), size_(o.size_) {
    if (o.kind_ != kStatic) Own(o.view());
  }
  Text(Text&& o) noexcept : ptr_(o.ptr_), size_(o.size_), kind_(o.kind_) {
    o.ptr_ = "";
    o.size_ = 0;
    o.kind_ = kStatic;
  }
  Text& operator=(const Text& o) {
    if (this != &o) *this = Text(o);
    return *this;
  }
  Text& operator=(Text&& o) noexcept {
    if (this != &o) {
      Release();
      ptr_ = o.ptr_;
      size_ = o.size_;
      kind_ = o.kind_;
      o.ptr_ = "";
      o.size_ = 0;
      o.kind_ = kStatic;
    }
    return *this;
  }
  ~Text() { Release(); }

  std::string_view view() const noexcept { return std::string_view(ptr_, size_); }
  operator std::string_view() const noexcept { return view(); }  // NOLINT
  std::string str() const { return std::string(view()); }
  operator std::string() const { return str(); }  // NOLINT: consumers that want a std::string
  const char* c_str() const noexcept { return ptr_; }
  const char* data() const noexcept { return c_str(); }
  std::size_t size() const noexcept { return size_; }
  std::size_t length() const noexcept { return size(); }
  bool empty() const noexcept { return size() == 0; }
  std::size_t find(std::string_view s, std::size_t pos = 0) const noexcept {
    return view().find(s, pos);
  }
  std::size_t find(char c, std::size_t pos = 0) const noexcept { return view().find(c, pos); }
  std::size_t rfind(std::string_view s, std::size_t pos = std::string_view::npos) const noexcept {
    return view().rfind(s, pos);
  }
  bool starts_with(std::string_view s) const noexcept { return view().starts_with(s); }
  std::string substr(std::size_t pos, std::size_t n = std::string_view::npos) const {
    return std::string(view().substr(pos, n));
  }
  char operator[](std::size_t i) const noexcept { return c_str()[i]; }
  const char* begin() const noexcept { return c_str(); }
  const char* end() const noexcept { return c_str() + size(); }

  Text& operator+=(std::string_view s) {
    const std::size_t n = size_ + s.size();
    char* p = new char[n + 1];
    if (size_) std::memcpy(p, ptr_, size_);
    if (!s.empty()) std::memcpy(p + size_, s.data(), s.size());
    p[n] = '\0';
    Release();
    ptr_ = p;
    size_ = static_cast<std::uint32_t>(n);
    kind_ = kOwned;
    return *this;
  }
  Text& operator+=(const std::string& s) { return *this += std::string_view(s); }
  Text& operator+=(const char* s) { return *this += std::string_view(s); }
  Text& operator+=(const Text& s) { return *this += s.view(); }

  friend bool operator==(const Text& a, std::string_view b) noexcept { return a.view() == b; }
  friend bool operator==(const Text& a, const Text& b) noexcept { return a.view() == b.view(); }
  friend bool operator==(const Text& a, const char* b) noexcept { return a.view() == b; }
  friend bool operator==(const Text& a, const std::string& b) noexcept { return a.view() == b; }
  friend auto operator<=>(const Text& a, const Text& b) noexcept { return a.view() <=> b.view(); }

  friend std::string operator+(std::string a, const Text& b) {
    a.append(b.view());
    return a;
  }
  friend std::string operator+(const char* a, const Text& b) {
    std::string s(a);
    s.append(b.view());
    return s;
  }
  friend std::string operator+(const Text& a, std::string_view b) {
    std::string s(a.view());
    s.append(b);
    return s;
  }
  friend std::string operator+(const Text& a, const std::string& b) {
    return a + std::string_view(b);
  }
  friend std::string operator+(const Text& a, const char* b) { return a + std::string_view(b); }
  friend std::string operator+(const Text& a, const Text& b) { return a + b.view(); }
  friend std::string operator+(const Text& a, char b) {
    std::string s(a.view());
    s += b;
    return s;
  }
  friend std::string operator+(char a, const Text& b) {
    std::string s(1, a);
    s.append(b.view());
    return s;
  }
  friend std::ostream& operator<<(std::ostream& os, const Text& t) { return os << t.view(); }

 private:
  enum : std::uint8_t { kStatic, kBorrowed, kOwned };
  void Own(std::string_view s) {
    char* p = new char[s.size() + 1];
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    ptr_ = p;
    size_ = static_cast<std::uint32_t>(s.size());
    kind_ = kOwned;
  }
  void Release() noexcept {
    if (kind_ == kOwned) delete[] ptr_;
  }
  // Static: a literal or a knowledge-base string; borrowed: an Arena's; owned: new[]'d here.
  // Always null-terminated.
  const char* ptr_ = "";
  std::uint32_t size_ = 0;
  std::uint8_t kind_ = kStatic;
};

// nlohmann::json (and any library with the same to_json convention) writes a Text as a string.
template <typename Json>
void to_json(Json& j, const Text& t) {
  j = std::string(t.view());
}

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

class RuleIds {
 public:
  using value_type = std::string_view;
  using size_type = std::size_t;
  using difference_type = std::ptrdiff_t;
  using reference = const std::string_view&;
  using const_reference = const std::string_view&;
  using pointer = const std::string_view*;
  using const_pointer = const std::string_view*;
  using iterator = const std::string_view*;
  using const_iterator = const std::string_view*;
  // A regimen's ids (up to 8 in knowledge/drugs.json) and the ones its selection adds fit.
  static constexpr std::size_t kInline = 10;

  // The inline slots stay uninitialized: only [0, size()) is ever read.
  RuleIds() noexcept {}  // NOLINT(modernize-use-equals-default): leaves inline_ uninitialized
  RuleIds(std::initializer_list<std::string_view> ids) {
    if (ids.size() <= kInline) {
      Copy(inline_, ids.begin(), ids.size());
      size_ = static_cast<std::uint32_t>(ids.size());
    } else {
      for (std::string_view id : ids) push_back(id);
    }
  }
  RuleIds(const RuleIds& o) {
    if (o.size_ <= kInline) {
      Copy(inline_, o.data(), o.size_);
      size_ = o.size_;
    } else {
      for (std::string_view id : o) push_back(id);
    }
  }
  RuleIds(RuleIds&& o) noexcept { MoveFrom(o); }
  RuleIds& operator=(const RuleIds& o) {
    if (this != &o) {
      clear();
      for (std::string_view id : o) push_back(id);
    }
    return *this;
  }
  RuleIds& operator=(RuleIds&& o) noexcept {
    if (this != &o) {
      heap_.reset();
      capacity_ = kInline;
      MoveFrom(o);
    }
    return *this;
  }
  RuleIds& operator=(std::initializer_list<std::string_view> ids) {
    clear();
    for (std::string_view id : ids) push_back(id);
    return *this;
  }

  // `id` must outlive the RuleIds: a literal or a string of the KnowledgeBase.
  void push_back(std::string_view id) {
    if (size_ == capacity_) Grow();
    data()[size_++] = id;
  }
  void clear() noexcept { size_ = 0; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  const std::string_view* data() const noexcept { return heap_ ? heap_.get() : inline_; }
  const std::string_view* begin() const noexcept { return data(); }
  const std::string_view* end() const noexcept { return data() + size_; }
  const std::string_view& operator[](std::size_t i) const noexcept { return data()[i]; }
  const std::string_view& front() const noexcept { return data()[0]; }
  const std::string_view& back() const noexcept { return data()[size_ - 1]; }
  // Inserts [first, last) before pos.
  template <typename It>
  void insert(const std::string_view* pos, It first, It last) {
    const std::size_t at = static_cast<std::size_t>(pos - begin());
    RuleIds tail;
    for (std::size_t i = at; i < size_; ++i) tail.push_back(data()[i]);
    size_ = static_cast<std::uint32_t>(at);
    for (; first != last; ++first) push_back(*first);
    for (std::string_view id : tail) push_back(id);
  }
  bool contains(std::string_view id) const noexcept {
    for (std::string_view r : *this)
      if (SameId(r, id)) return true;
    return false;
  }
  friend bool operator==(const RuleIds& a, const RuleIds& b) noexcept {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  std::string_view* data() noexcept { return heap_ ? heap_.get() : inline_; }
  // n <= kInline ids as fixed-size moves (a statement has one to a few): a library call for
  // such short copies would cost more than the copy.
  static void Copy(std::string_view* to, const std::string_view* from, std::size_t n) noexcept {
    static_assert(kInline == 10, "Copy unrolls kInline moves");
    switch (n) {
      case 10:
        to[9] = from[9];
        [[fallthrough]];
      case 9:
        to[8] = from[8];
        [[fallthrough]];
      case 8:
        to[7] = from[7];
        [[fallthrough]];
      case 7:
        to[6] = from[6];
        [[fallthrough]];
      case 6:
        to[5] = from[5];
        [[fallthrough]];
      case 5:
        to[4] = from[4];
        [[fallthrough]];
      case 4:
        to[3] = from[3];
        [[fallthrough]];
      case 3:
        to[2] = from[2];
        [[fallthrough]];
      case 2:
        to[1] = from[1];
        [[fallthrough]];
      case 1:
        to[0] = from[0];
        [[fallthrough]];
      default:
        break;
    }
  }
  void Grow() {
    const std::size_t cap = capacity_ * 2;
    auto bigger = std::make_unique<std::string_view[]>(cap);
    std::copy(begin(), end(), bigger.get());
    heap_ = std::move(bigger);
    capacity_ = cap;
  }
  void MoveFrom(RuleIds& o) noexcept {
    size_ = o.size_;
    if (o.heap_) {
      heap_ = std::move(o.heap_);
      capacity_ = o.capacity_;
    } else {
      Copy(inline_, o.inline_, o.size_);
    }
    o.size_ = 0;
    o.capacity_ = kInline;
  }
  union {
    std::string_view inline_[kInline];
  };
  std::unique_ptr<std::string_view[]> heap_;
  std::uint32_t size_ = 0;
  std::uint32_t capacity_ = kInline;
};

}  // namespace bp
