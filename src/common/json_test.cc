#include "common/json.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace bp::jsonparse {
namespace {

std::string Nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(JsonParse, AcceptsOneLeadingByteOrderMark) {
  auto d = Parse("\xEF\xBB\xBF{\"a\": 1}");
  ASSERT_TRUE(d.has_value()) << d.error().message;
  EXPECT_TRUE(d->root().is_object());
}

TEST(JsonParse, RejectsAByteOrderMarkElsewhere) {
  auto twice = Parse("\xEF\xBB\xBF\xEF\xBB\xBF{}");
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(twice.error().code, "invalid_json");
  auto inside = Parse("{\"a\": \xEF\xBB\xBF 1}");
  ASSERT_FALSE(inside.has_value());
  EXPECT_EQ(inside.error().code, "invalid_json");
}

TEST(JsonParse, EmptyInputIsInvalidJson) {
  for (std::string_view s : {"", "  \n", "\xEF\xBB\xBF"}) {
    auto d = Parse(s);
    ASSERT_FALSE(d.has_value());
    EXPECT_EQ(d.error().code, "invalid_json");
    EXPECT_EQ(d.error().message, "empty input");
  }
}

TEST(JsonParse, NestingUpToTheLimitIsAccepted) {
  auto d = Parse(Nested(kMaxDepth));
  EXPECT_TRUE(d.has_value()) << d.error().message;
  const std::string with_value =
      std::string(kMaxDepth - 1, '[') + "{\"a\": 1}" + std::string(kMaxDepth - 1, ']');
  auto v = Parse(with_value);
  EXPECT_TRUE(v.has_value()) << v.error().message;
}

TEST(JsonParse, NestingBeyondTheLimitIsTooLarge) {
  auto d = Parse(Nested(kMaxDepth + 1));
  ASSERT_FALSE(d.has_value());
  auto with_value = Parse("[" + Nested(kMaxDepth) + ", 1]");
  ASSERT_FALSE(with_value.has_value());
  EXPECT_EQ(with_value.error().code, "too_large");
  EXPECT_EQ(d.error().code, "too_large");
  EXPECT_NE(d.error().message.find("nested deeper than 64 levels"), std::string::npos);
}

TEST(JsonParse, HundredThousandNestedArraysDoNotCrash) {
  // The reproduction of issue 15: 100,000 nested arrays in a request body.
  const std::string deep = "{\"prefetch\": {\"patient\": " + Nested(100000) + "}}";
  auto d = Parse(deep);
  ASSERT_FALSE(d.has_value());
  EXPECT_EQ(d.error().code, "too_large");
  // Unclosed nesting is refused the same way.
  auto open = Parse(std::string(100000, '['));
  ASSERT_FALSE(open.has_value());
}

TEST(JsonParse, ALimitOfItsOwn) {
  Parser p(Limits{.max_bytes = 10, .max_depth = 2});
  auto ok = p.Parse("[[1]]");
  EXPECT_TRUE(ok.has_value()) << ok.error().message;
  auto deep = p.Parse("[[[1]]]");
  ASSERT_FALSE(deep.has_value());
  EXPECT_EQ(deep.error().code, "too_large");
  auto big = p.Parse("[1,2,3,4,5,6]");
  ASSERT_FALSE(big.has_value());
  EXPECT_EQ(big.error().code, "too_large");
}

TEST(JsonParse, DuplicateKeyIsInvalidJsonWithItsPath) {
  auto top = Parse(R"({"id": "a", "weight_kg": 80, "weight_kg": 40})");
  ASSERT_FALSE(top.has_value());
  EXPECT_EQ(top.error().code, "invalid_json");
  EXPECT_EQ(top.error().path, "weight_kg");

  auto deep = Parse(R"({"labs": [{"test": "x"}, {"test": "y", "unit": "a", "unit": "b"}]})");
  ASSERT_FALSE(deep.has_value());
  EXPECT_EQ(deep.error().code, "invalid_json");
  EXPECT_EQ(deep.error().path, "labs[1].unit");

  // Many keys take the sorting path; the duplicate reported is the first in document order.
  std::string many = "{";
  for (int i = 0; i < 40; ++i) many += "\"k" + std::to_string(i) + "\": 1, ";
  many += R"("k30": 2, "k5": 3})";
  auto m = Parse(many);
  ASSERT_FALSE(m.has_value());
  EXPECT_EQ(m.error().path, "k30");

  // An odd key is quoted in the path, not printed raw.
  auto odd = Parse("{\"a\": {\"x\\u001b[31m\": 1, \"x\\u001b[31m\": 2}}");
  ASSERT_FALSE(odd.has_value());
  EXPECT_EQ(odd.error().path, "a[\"x\\u001b[31m\"]");
}

TEST(JsonParse, SameKeyInSiblingObjectsIsFine) {
  auto d = Parse(R"([{"a": 1}, {"a": 2}, {"b": {"a": 3}}])");
  EXPECT_TRUE(d.has_value());
}

TEST(JsonParse, ParseErrorsQuoteNoInput) {
  // A truncated record: the message must not carry any of its bytes.
  const std::string record = R"({"id": "Jane Doe DOB 1950-01-02", "sex": "female", "as_of)";
  for (std::size_t cut : {5u, 12u, 20u, 30u, static_cast<unsigned>(record.size())}) {
    auto d = Parse(record.substr(0, cut));
    ASSERT_FALSE(d.has_value());
    EXPECT_EQ(d.error().code, "invalid_json");
    EXPECT_EQ(d.error().message.find("Jane"), std::string::npos) << d.error().message;
    EXPECT_EQ(d.error().message.find("1950"), std::string::npos) << d.error().message;
    EXPECT_EQ(d.error().path, "");
  }
  auto garbage = Parse("tru Jane");
  ASSERT_FALSE(garbage.has_value());
  EXPECT_EQ(garbage.error().message.find("Jane"), std::string::npos);
}

TEST(JsonParse, PaddedInputIsParsedInPlace) {
  std::string s = R"({"a": [1, 2]})";
  const std::size_t n = s.size();
  s.resize(n + kPadding, ' ');
  Parser p;
  auto e = p.Parse(std::string_view(s.data(), n), /*padded=*/true);
  ASSERT_TRUE(e.has_value());
  EXPECT_TRUE(e->is_object());
}

TEST(JsonQuote, CutsLongValuesOnACharacterBoundary) {
  const std::string s(100, 'x');
  const std::string q = QuoteString(s, 20);
  EXPECT_EQ(q, "\"" + std::string(19, 'x') + "...");
  EXPECT_EQ(QuoteString("a\"b\n"), "\"a\\\"b\\n\"");
  EXPECT_EQ(QuoteString("\xC3\xA9\xC3\xA9", 4), "\"\xC3\xA9...");
}

TEST(ErrorTable, OneRowPerCodeWithDistinctNames) {
  std::set<std::string_view> names;
  for (const auto& row : ErrorCode::kTable) {
    EXPECT_TRUE(names.insert(row.name).second) << row.name;
    auto back = ErrorCode::FromName(row.name);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->name(), row.name);
    EXPECT_TRUE(row.exit_status == kExitBadInput || row.exit_status == kExitInternal);
    EXPECT_GE(row.http_status, 400);
    EXPECT_FALSE(row.issue_code.empty());
  }
  EXPECT_FALSE(ErrorCode::FromName("schemma").has_value());
}

TEST(ErrorTable, CliAndHttpAgree) {
  // Client errors are the caller's fault on both channels; ours are 5xx and exit 1.
  for (const auto& row : ErrorCode::kTable) {
    if (row.exit_status == kExitInternal) {
      EXPECT_GE(row.http_status, 500) << row.name;
    }
  }
  EXPECT_EQ(ErrorCode("invalid_json").http_status(), 400);
  EXPECT_EQ(ErrorCode("too_large").http_status(), 413);
  EXPECT_EQ(ErrorCode("unsupported").http_status(), 422);
  EXPECT_EQ(ErrorCode("internal").http_status(), 500);
  EXPECT_EQ(ErrorCode("internal").exit_status(), kExitInternal);
  EXPECT_EQ(ErrorCode("schema").exit_status(), kExitBadInput);
  EXPECT_EQ(ErrorCode("db_busy").http_status(), 503);
  EXPECT_EQ(ExitStatus({{"schema", "", ""}, {"db", "", ""}}), kExitInternal);
  EXPECT_EQ(ExitStatus({{"schema", "", ""}, {"unit", "", ""}}), kExitBadInput);
}

}  // namespace
}  // namespace bp::jsonparse
