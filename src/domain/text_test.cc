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

TEST(SameId, ComparesEveryLengthAndEveryPosition) {
  // Lengths around the 4- and 8-byte loads; a difference at each position must be seen, from
  // separate buffers (not the same pointer).
  for (std::size_t n = 0; n <= 20; ++n) {
    std::string a(n, 'x');
    for (std::size_t i = 0; i < n; ++i) a[i] = static_cast<char>('A' + i % 26);
    const std::string b = a;
    EXPECT_TRUE(SameId(a, b)) << n;
    EXPECT_TRUE(SameId(a, a)) << n;
    for (std::size_t i = 0; i < n; ++i) {
      std::string c = a;
      c[i] = '#';
      EXPECT_FALSE(SameId(a, c)) << n << " at " << i;
      EXPECT_FALSE(SameId(c, a)) << n << " at " << i;
    }
    EXPECT_FALSE(SameId(a, a + "x")) << n;
  }
  EXPECT_TRUE(SameId("SEL-05", std::string("SEL-05")));
  EXPECT_FALSE(SameId("SEL-01", "SEL-05"));
}

TEST(RuleIds, InlineAndHeapListsCopyMoveAndCompare) {
  const std::vector<std::string> names = {"R1", "R2", "R3", "R4",  "R5",  "R6",
                                          "R7", "R8", "R9", "R10", "R11", "R12"};
  for (std::size_t n = 0; n <= names.size(); ++n) {
    RuleIds ids;
    for (std::size_t i = 0; i < n; ++i) ids.push_back(names[i]);
    ASSERT_EQ(ids.size(), n);
    for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(ids[i], names[i]) << n;

    const RuleIds copy(ids);
    EXPECT_EQ(copy, ids) << n;
    RuleIds assigned;
    assigned.push_back("other");
    assigned = copy;
    EXPECT_EQ(assigned, ids) << n;

    RuleIds source(ids);
    const RuleIds moved(std::move(source));
    EXPECT_EQ(moved, ids) << n;
    RuleIds target;
    target.push_back("other");
    RuleIds source2(ids);
    target = std::move(source2);
    EXPECT_EQ(target, ids) << n;
    if (n) {
      EXPECT_TRUE(target.contains(std::string(names[n - 1])));
      EXPECT_EQ(target.back(), names[n - 1]);
    }
    EXPECT_FALSE(target.contains("absent"));
  }
  const RuleIds listed = {"A", "B", "C"};
  EXPECT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed.front(), "A");
  RuleIds many = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"};
  EXPECT_EQ(many.size(), 11u);
  EXPECT_EQ(many.back(), "11");
  many.insert(many.begin() + 1, listed.begin(), listed.end());
  EXPECT_EQ(many.size(), 14u);
  EXPECT_EQ(many[1], "A");
  EXPECT_EQ(many[4], "2");
}

}  // namespace
}  // namespace bp
