// The one way bonepath parses JSON from outside (records, bundles, NDJSON lines, request bodies,
// fetched FHIR pages, token parts, knowledge files): simdjson's DOM, with the checks the
// contracts ask for on top of it.
//
// Contract (the same on every input path):
// - Size: more than `max_bytes` is refused before parsing (code too_large).
// - Byte-order mark: one leading UTF-8 BOM (EF BB BF) is skipped, as RFC 8259 §8.1 allows; a BOM
//   anywhere else, or a UTF-16/32 one, is invalid JSON.
// - Nesting: deeper than `max_depth` arrays/objects (the root counts as 1) is refused while
//   parsing, before any tree is built (code too_large). The depth is bounded, so walking a parsed
//   document recursively is safe.
// - Duplicate keys: an object holding one key twice is invalid_json, with the JSON path of the
//   second occurrence (`labs[2].unit`), whatever the depth.
// - Messages name the problem and never quote the input: a truncated record's error holds none
//   of its bytes, so no patient data reaches stderr or a log through a parse error.
// - Never throws, never crashes on any bytes.
//
// Thread safety: a Parser is used by one thread at a time; separate Parsers are independent.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace bp::jsonparse {

// The documented nesting limit for outside data. A native record nests 3 levels, a FHIR Bundle
// about 8 (Bundle > entry > resource > component > code > coding > ...).
inline constexpr std::size_t kMaxDepth = 64;
// simdjson reads this many bytes past the end of the text; a buffer with that much spare
// capacity is parsed in place instead of being copied.
inline constexpr std::size_t kPadding = simdjson::SIMDJSON_PADDING;

struct Limits {
  std::size_t max_bytes = 256u * 1024 * 1024;
  std::size_t max_depth = kMaxDepth;
};

// A reusable parser (reuse saves allocations when reading many documents, e.g. NDJSON lines).
class Parser {
 public:
  explicit Parser(Limits limits = {});

  // Parses `text` under the contract above. The returned element, and everything reached from
  // it, stays valid until the next Parse on this parser and, when `padded`, while `text` lives.
  // `padded`: at least kPadding readable bytes follow `text`, so it is parsed in place.
  Result<simdjson::dom::element> Parse(std::string_view text, bool padded = false);

  const Limits& limits() const { return limits_; }

 private:
  Limits limits_;
  simdjson::dom::parser parser_;
  bool allocated_ = false;
};

// A parsed document that owns its parser: for one-off parses.
class Document {
 public:
  simdjson::dom::element root() const { return root_; }

 private:
  friend Result<Document> Parse(std::string_view, const Limits&);
  std::unique_ptr<Parser> parser_;
  simdjson::dom::element root_;
};
Result<Document> Parse(std::string_view text, const Limits& limits = {});

// JSON paths as the error messages write them: `a.b[2].c`. A key that is not a plain identifier
// (or is long) is written bracketed and JSON-quoted, `a["we ird"]`, cut to a bounded length,
// so that a key holding control characters or megabytes cannot corrupt a one-line message.
std::string JoinKey(const std::string& path, std::string_view key);
std::string JoinIndex(const std::string& path, std::size_t index);

// "an object", "a string", ... for messages.
const char* TypeName(simdjson::dom::element e);

// The JSON text of a value (minified), cut after `max_bytes` on a UTF-8 boundary with "...".
std::string Quote(simdjson::dom::element e, std::size_t max_bytes = 80);
std::string QuoteString(std::string_view s, std::size_t max_bytes = 80);

}  // namespace bp::jsonparse
