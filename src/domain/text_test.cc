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

}  // namespace
}  // namespace bp
