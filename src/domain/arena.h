// Arena: the storage of one assessment, so that deciding a patient does not go to the heap for
// each text and list. The engine copies the texts it formats into it (Store) and the assessment's
// lists allocate from it (ArenaAllocator); nothing is freed one by one: the whole arena is
// cleared for reuse when the last holder lets go. Memory handed out never moves.
//
// Sealing: the engine seals the arena before Engine::Assess returns, and from then on it is
// only read. A list that grows after that (a consumer appending a warning) gets heap memory,
// which it frees as usual; so an assessment, and any list moved out of it, can go to another
// thread like any other value.
//
// List<T>: a std::vector whose allocator holds the arena alive (a shared_ptr), so a list moved
// out of an assessment stays valid after the assessment is gone. The lists of an assessment refer
// to its arena without holding it (the assessment holds it once, for all of them: a reference
// count is an atomic operation, and there are fifteen lists); moving one out takes a hold. A copy
// of a list is an ordinary heap vector: copies never refer to an arena.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <string_view>
#include <type_traits>
#include <vector>

namespace bp {

class Arena : public std::enable_shared_from_this<Arena> {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Forgets everything stored (views and pointers into it become invalid) and unseals, keeping a
  // few blocks for the next assessment.
  void Clear() noexcept {
    if (blocks_.size() > kKeepBlocks) blocks_.resize(kKeepBlocks);
    used_first_ = false;
    next_block_ = 0;
    next_ = nullptr;
    left_ = 0;
    sealed_ = false;
  }

  // A null-terminated copy of `s`, valid while the arena lives (sealed or not).
  std::string_view Store(std::string_view s) {
    const std::size_t need = s.size() + 1;
    if (need > left_) NewBlock(need);
    char* out = reinterpret_cast<char*>(next_);
    if (!s.empty()) std::memcpy(out, s.data(), s.size());
    out[s.size()] = '\0';
    next_ += need;
    left_ -= need;
    return {out, s.size()};
  }

  // `bytes` aligned to `align` (a power of two, at most alignof(std::max_align_t)), or null once
  // sealed: the caller then uses the heap.
  void* Allocate(std::size_t bytes, std::size_t align) {
    if (sealed_) return nullptr;
    std::size_t pad = Pad(align);
    if (bytes > left_ || pad > left_ - bytes) {
      NewBlock(bytes + align);
      pad = Pad(align);
    }
    std::byte* out = next_ + pad;
    next_ = out + bytes;
    left_ -= pad + bytes;
    return out;
  }

  void Seal() noexcept { sealed_ = true; }
  bool sealed() const noexcept { return sealed_; }

  // Whether `p` points into memory this arena handed out (or could have).
  bool Owns(const void* p) const noexcept {
    const auto at = reinterpret_cast<std::uintptr_t>(p);
    const auto in = [at](const void* base, std::size_t size) {
      const auto b = reinterpret_cast<std::uintptr_t>(base);
      return at >= b && at - b < size;
    };
    if (in(first_, kFirst)) return true;
    for (const Block& b : blocks_)
      if (in(b.data.get(), b.size)) return true;
    return false;
  }

 private:
  // A typical assessment uses about 16 KB: its trace (6 KB), statements and texts.
  static constexpr std::size_t kFirst = 24 * 1024;
  static constexpr std::size_t kBlock = 32 * 1024;
  static constexpr std::size_t kKeepBlocks = 2;
  struct Block {
    std::unique_ptr<std::byte[]> data;
    std::size_t size = 0;
  };

  std::size_t Pad(std::size_t align) const noexcept {
    return (0 - reinterpret_cast<std::uintptr_t>(next_)) & (align - 1);
  }
  void NewBlock(std::size_t need) {
    if (!used_first_) {
      used_first_ = true;
      if (need <= kFirst) {
        next_ = first_;
        left_ = kFirst;
        return;
      }
    }
    // Reuse the next kept block when it is large enough; otherwise put a new one in its place.
    if (next_block_ == blocks_.size()) blocks_.emplace_back();
    Block& b = blocks_[next_block_++];
    if (b.size < need) {
      const std::size_t size = need > kBlock ? need : kBlock;
      b.data = std::make_unique<std::byte[]>(size);
      b.size = size;
    }
    next_ = b.data.get();
    left_ = b.size;
  }

  alignas(std::max_align_t) std::byte first_[kFirst];
  bool used_first_ = false;
  bool sealed_ = false;
  std::byte* next_ = nullptr;
  std::size_t left_ = 0;
  std::vector<Block> blocks_;
  std::size_t next_block_ = 0;
};

// Allocates from an arena while it is open and from the heap otherwise (no arena, or sealed);
// frees only what came from the heap.
template <typename T>
class ArenaAllocator {
 public:
  using value_type = T;
  // Moving or swapping a list takes its arena along; assigning a copy keeps the target's.
  using propagate_on_container_move_assignment = std::true_type;
  using propagate_on_container_swap = std::true_type;
  using propagate_on_container_copy_assignment = std::false_type;
  using is_always_equal = std::false_type;

  ArenaAllocator() noexcept = default;
  // Holds `arena` alive.
  explicit ArenaAllocator(std::shared_ptr<Arena> arena) noexcept
      : held_(std::move(arena)), arena_(held_.get()) {}
  // Refers to `arena` without holding it, for a list whose owner holds the arena (an Assessment's
  // lists). A copy of this allocator does not hold it either; a moved one does (below).
  static ArenaAllocator Unheld(Arena* arena) noexcept {
    ArenaAllocator a;
    a.arena_ = arena;
    return a;
  }
  ArenaAllocator(const ArenaAllocator&) noexcept = default;
  ArenaAllocator& operator=(const ArenaAllocator&) noexcept = default;
  // Moving a list moves its allocator: a list moved out of its owner takes a hold on the arena
  // (the source keeps its own), so that it stays valid after the owner is gone.
  ArenaAllocator(ArenaAllocator&& o) noexcept : held_(o.Hold()), arena_(o.arena_) {}
  ArenaAllocator& operator=(ArenaAllocator&& o) noexcept {
    held_ = o.Hold();
    arena_ = o.arena_;
    return *this;
  }
  ~ArenaAllocator() = default;
  template <typename U>
  ArenaAllocator(const ArenaAllocator<U>& o) noexcept  // NOLINT: rebind
      : held_(o.held()), arena_(o.arena()) {}

  T* allocate(std::size_t n) {
    if (n > std::numeric_limits<std::size_t>::max() / sizeof(T)) throw std::bad_array_new_length();
    if (arena_)
      if (void* p = arena_->Allocate(n * sizeof(T), alignof(T))) return static_cast<T*>(p);
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (arena_ && arena_->Owns(p)) return;
    std::allocator<T>().deallocate(p, n);
  }
  // A copy of a list is a plain heap vector, independent of the arena.
  ArenaAllocator select_on_container_copy_construction() const noexcept { return {}; }

  Arena* arena() const noexcept { return arena_; }
  const std::shared_ptr<Arena>& held() const noexcept { return held_; }
  template <typename U>
  friend bool operator==(const ArenaAllocator& a, const ArenaAllocator<U>& b) noexcept {
    return a.arena_ == b.arena();
  }

 private:
  // A hold on the arena: this allocator's, or a new one (none for an arena no shared_ptr owns).
  std::shared_ptr<Arena> Hold() const noexcept {
    if (held_ || arena_ == nullptr) return held_;
    return arena_->weak_from_this().lock();
  }
  std::shared_ptr<Arena> held_;  // empty when unheld
  Arena* arena_ = nullptr;
};

template <typename T>
using List = std::vector<T, ArenaAllocator<T>>;

}  // namespace bp
