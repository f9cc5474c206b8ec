#include "domain/text.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace bp {
namespace {

TEST(Text, LiteralIsReferredToOtherStringsAreCopied) {
  static const char kLiteral[] = "a literal";
  const Text lit(kLiteral);
  EXPECT_EQ(lit.c_str(), kLiteral);

  std::string s = "built";
  const Text owned(s);
  s[0] = 'X';
  EXPECT_EQ(owned, "built");
  EXPECT_NE(owned.c_str(), s.c_str());

  char buf[8] = "mutable";
  const Text from_array(buf);
  buf[0] = 'X';
  EXPECT_EQ(from_array, "mutable");

  const char* ptr = buf;
  const Text from_pointer(ptr);
  buf[1] = 'Y';
  EXPECT_EQ(from_pointer, "Xutable");
}

TEST(Text, CopyOfABorrowedTextOutlivesTheArena) {
  auto arena = std::make_unique<TextArena>();
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

TEST(Text, AppendAssignAndCompare) {
  Text t("first");
  t += "; ";
  t += std::string("second");
  EXPECT_EQ(t, "first; second");
  EXPECT_EQ(t.c_str()[t.size()], '\0');
  Text u;
  EXPECT_TRUE(u.empty());
  EXPECT_STREQ(u.c_str(), "");
  u = t;
  EXPECT_EQ(u, t);
  u = Text::Static("static");
  EXPECT_EQ(u, "static");
  u = std::move(t);
  EXPECT_EQ(u, "first; second");
  EXPECT_EQ("x" + u, "xfirst; second");
  EXPECT_LT(Text("a"), Text("b"));
}

TEST(TextArena, ViewsStayValidAcrossBlocks) {
  TextArena arena;
  std::vector<std::string_view> views;
  std::vector<std::string> expected;
  for (int i = 0; i < 2000; ++i) {  // several blocks, and one string larger than a block
    expected.push_back(std::string(static_cast<size_t>(i % 50), static_cast<char>('a' + i % 26)) +
                       std::to_string(i));
    if (i == 1000) expected.back() = std::string(40000, 'z');
    views.push_back(arena.Store(expected.back()));
  }
  for (size_t i = 0; i < views.size(); ++i) {
    EXPECT_EQ(views[i], expected[i]);
    EXPECT_EQ(views[i].data()[views[i].size()], '\0');
  }
  EXPECT_EQ(arena.Store(""), "");
}

}  // namespace
}  // namespace bp
