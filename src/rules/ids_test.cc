#include "rules/ids.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace bp::rules {
namespace {

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

TEST(HasId, FindsAnIdByItsCharacters) {
  const std::vector<std::string_view> ids = {"TX-01", "SEL-05"};
  EXPECT_TRUE(HasId(ids, std::string("SEL-05")));
  EXPECT_FALSE(HasId(ids, "SEL-01"));
  EXPECT_FALSE(HasId({}, "TX-01"));
}

TEST(IdIndex, NumbersEachIdOnceAndFindsOnlyThem) {
  // Ids that share a length, a first and a last character, and a repeat.
  const std::vector<std::string_view> ids = {"COURSE-18", "COURSE-19", "COURSE-08", "D34",
                                             "D44",       "COURSE-18", "VCF-03b",   "A"};
  const IdIndex index(ids);
  EXPECT_EQ(index.size(), 7u);
  EXPECT_EQ(index.Find(std::string("COURSE-18")), 0);
  EXPECT_EQ(index.Find("COURSE-19"), 1);
  EXPECT_EQ(index.Find("COURSE-08"), 2);
  EXPECT_EQ(index.Find("D34"), 3);
  EXPECT_EQ(index.Find("D44"), 4);
  EXPECT_EQ(index.Find("VCF-03b"), 5);
  EXPECT_EQ(index.Find("A"), 6);
  for (std::string_view other : {"COURSE-28", "COURSE-1", "D3", "D43", "VCF-03", "B", ""})
    EXPECT_EQ(index.Find(other), -1) << other;
  // More ids than the smallest table holds.
  std::vector<std::string> many;
  for (int i = 0; i < 100; ++i) many.push_back("R-" + std::to_string(i));
  const std::vector<std::string_view> views(many.begin(), many.end());
  const IdIndex big(views);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(big.Find("R-" + std::to_string(i)), i);
  EXPECT_EQ(big.Find("R-100"), -1);
}

}  // namespace
}  // namespace bp::rules
