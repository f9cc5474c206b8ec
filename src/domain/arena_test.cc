#include "domain/arena.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/text.h"

namespace bp {
namespace {

TEST(Text, CopyOfABorrowedTextOutlivesTheArena) {
  auto arena = std::make_unique<Arena>();
  Text borrowed = Text::Borrowed(arena->Store("CrCl 41.8 mL/min"));
  Text moved = std::move(borrowed);
  EXPECT_EQ(moved, "CrCl 41.8 mL/min");
  EXPECT_TRUE(borrowed.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
  const Text copy = moved;
  EXPECT_NE(copy.c_str(), moved.c_str());
  arena.reset();
  EXPECT_EQ(copy, "CrCl 41.8 mL/min");
  EXPECT_EQ(copy.c_str()[copy.size()], '\0');
}

TEST(Arena, ViewsStayValidAcrossBlocks) {
  Arena arena;
  std::vector<std::string_view> views;
  std::vector<std::string> expected;
  for (int i = 0; i < 4000; ++i) {  // several blocks, and one string larger than a block
    expected.push_back(std::string(static_cast<size_t>(i % 50), static_cast<char>('a' + i % 26)) +
                       std::to_string(i));
    if (i == 1000) expected.back() = std::string(70000, 'z');
    views.push_back(arena.Store(expected.back()));
  }
  for (size_t i = 0; i < views.size(); ++i) {
    EXPECT_EQ(views[i], expected[i]);
    EXPECT_EQ(views[i].data()[views[i].size()], '\0');
    EXPECT_TRUE(arena.Owns(views[i].data()));
  }
  EXPECT_EQ(arena.Store(""), "");
}

TEST(Arena, AllocationsAreAlignedAndDisjoint) {
  Arena arena;
  std::vector<std::pair<std::uintptr_t, std::size_t>> got;
  for (int i = 0; i < 3000; ++i) {
    const std::size_t align = std::size_t{1} << (i % 5);  // 1 .. 16
    const std::size_t bytes = static_cast<std::size_t>(i % 97) + 1;
    void* p = arena.Allocate(bytes, align);
    ASSERT_NE(p, nullptr);
    const auto at = reinterpret_cast<std::uintptr_t>(p);
    EXPECT_EQ(at % align, 0U) << i;
    got.emplace_back(at, bytes);
    (void)arena.Store("x");  // unaligned bytes in between
  }
  std::sort(got.begin(), got.end());
  for (size_t i = 1; i < got.size(); ++i)
    EXPECT_LE(got[i - 1].first + got[i - 1].second, got[i].first) << i;
}

TEST(Arena, SealedArenaHandsOutNothingAndClearReopensIt) {
  Arena arena;
  void* before = arena.Allocate(64, 8);
  ASSERT_NE(before, nullptr);
  arena.Seal();
  EXPECT_TRUE(arena.sealed());
  EXPECT_EQ(arena.Allocate(64, 8), nullptr);
  EXPECT_TRUE(arena.Owns(before));
  int on_stack = 0;
  EXPECT_FALSE(arena.Owns(&on_stack));
  arena.Clear();
  EXPECT_FALSE(arena.sealed());
  EXPECT_EQ(arena.Allocate(64, 8), before);  // reused from the start
}

TEST(Arena, ClearKeepsBlocksForReuse) {
  Arena arena;
  std::vector<void*> first_round;
  for (int i = 0; i < 40; ++i) first_round.push_back(arena.Allocate(4096, 8));
  arena.Clear();
  std::vector<void*> second_round;
  for (int i = 0; i < 40; ++i) second_round.push_back(arena.Allocate(4096, 8));
  // The first kept blocks are handed out again in the same order.
  EXPECT_EQ(first_round.front(), second_round.front());
  EXPECT_EQ(first_round[10], second_round[10]);
}

TEST(List, GrowsInTheArenaAndOnTheHeapOnceSealed) {
  auto arena = std::make_shared<Arena>();
  List<std::string> list{ArenaAllocator<std::string>(arena)};
  list.reserve(4);
  list.push_back("in the arena");
  EXPECT_TRUE(arena->Owns(list.data()));
  arena->Seal();
  for (int i = 0; i < 10; ++i) list.push_back(std::to_string(i));  // regrows: heap
  EXPECT_FALSE(arena->Owns(list.data()));
  EXPECT_EQ(list.front(), "in the arena");
  EXPECT_EQ(list.back(), "9");
}

TEST(List, MovedOutListKeepsTheArenaAliveACopyIsIndependent) {
  std::weak_ptr<Arena> watch;
  List<int> moved;
  std::vector<int, ArenaAllocator<int>> copy;
  {
    auto arena = std::make_shared<Arena>();
    watch = arena;
    List<int> list{ArenaAllocator<int>(arena)};
    for (int i = 0; i < 100; ++i) list.push_back(i);
    moved = std::move(list);  // takes the allocator, and so the arena, along
    copy = moved;             // a copy: heap storage
    EXPECT_TRUE(arena->Owns(moved.data()));
    EXPECT_FALSE(arena->Owns(copy.data()));
  }
  EXPECT_FALSE(watch.expired());
  EXPECT_EQ(moved[99], 99);
  moved = List<int>();  // the last holder lets go
  EXPECT_TRUE(watch.expired());
  EXPECT_EQ(copy[42], 42);
  EXPECT_EQ(copy.get_allocator().arena(), nullptr);
}

// An assessment's lists refer to its arena without a reference count each (the assessment holds
// it); a list moved out, by construction or assignment, takes a hold of its own.
TEST(List, AnUnheldListTakesAHoldWhenMovedOut) {
  std::weak_ptr<Arena> watch;
  List<int> assigned;
  std::optional<List<int>> constructed;
  {
    auto arena = std::make_shared<Arena>();
    watch = arena;
    List<int> a(ArenaAllocator<int>::Unheld(arena.get()));
    List<int> b(a.get_allocator());  // a copy of an unheld allocator holds nothing either
    EXPECT_EQ(arena.use_count(), 1);
    for (int i = 0; i < 100; ++i) {
      a.push_back(i);
      b.push_back(-i);
    }
    EXPECT_TRUE(arena->Owns(a.data()));
    EXPECT_TRUE(arena->Owns(b.data()));
    assigned = std::move(a);
    constructed.emplace(std::move(b));
    EXPECT_EQ(arena.use_count(), 3);
  }
  EXPECT_FALSE(watch.expired());
  EXPECT_EQ(assigned[99], 99);
  EXPECT_EQ((*constructed)[99], -99);
  assigned = List<int>();
  EXPECT_FALSE(watch.expired());
  constructed.reset();  // the last holder lets go
  EXPECT_TRUE(watch.expired());
}

}  // namespace
}  // namespace bp
