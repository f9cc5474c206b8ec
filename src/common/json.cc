#include "common/json.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace bp::jsonparse {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::size_t kMaxKeyInPath = 80;

bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

// Why simdjson refused the text, in words that hold none of its bytes.
std::string Describe(simdjson::error_code err) {
  switch (err) {
    case simdjson::UNCLOSED_STRING:
      return "not valid JSON: a string is not closed (the input may be cut short)";
    case simdjson::TAPE_ERROR:
      return "not valid JSON: misplaced or missing commas, colons, brackets or braces (the input "
             "may be cut short)";
    case simdjson::STRING_ERROR:
      return "not valid JSON: a string holds an invalid escape or control character";
    case simdjson::UTF8_ERROR:
      return "not valid JSON: the input is not valid UTF-8";
    case simdjson::NUMBER_ERROR:
      return "not valid JSON: a number is malformed or out of range";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
      return "not valid JSON: a word other than true, false or null";
    case simdjson::EMPTY:
      return "empty input";
    default:
      return std::string("not valid JSON: ") + simdjson::error_message(err);
  }
}

std::string JoinKeyImpl(const std::string& path, std::string_view key);

// One walk over the tree for what simdjson does not check: duplicate keys, and the exact
// container depth (simdjson's own limit, one level looser, already bounds this recursion).
// The path to the current container is kept as a stack of keys and indexes (views into the
// parsed document, no allocation) and spelled out only when a duplicate key is reported: clean
// input, the common case, builds no path strings.
struct Checker {
  std::size_t max_depth;
  std::optional<Error> found;
  struct Step {
    std::string_view key;
    std::size_t index;
    bool is_key;
  };
  std::vector<Step> steps;
  std::vector<std::pair<std::string_view, std::size_t>> keys;  // reused by every object

  std::string Path() const {
    std::string path;
    for (const Step& st : steps)
      path = st.is_key ? JoinKeyImpl(path, st.key) : path + "[" + std::to_string(st.index) + "]";
    return path;
  }

  void Walk(element e, std::size_t depth) {
    if (found) return;
    if (depth > max_depth && (e.is_object() || e.is_array())) {
      found = Error{"too_large", "", "nested deeper than " + std::to_string(max_depth) + " levels"};
      return;
    }
    switch (e.type()) {
      case element_type::OBJECT: {
        simdjson::dom::object o;
        if (e.get(o) != simdjson::SUCCESS) return;
        keys.clear();
        for (auto field : o) keys.emplace_back(field.key, keys.size());
        // The duplicate reported is the one whose second occurrence comes first.
        std::size_t dup = keys.size();
        if (keys.size() <= 16) {
          for (std::size_t i = 1; i < keys.size() && dup == keys.size(); ++i)
            for (std::size_t j = 0; j < i; ++j)
              if (keys[j].first == keys[i].first) {
                dup = i;
                break;
              }
        } else {
          std::sort(keys.begin(), keys.end());
          for (std::size_t i = 1; i < keys.size(); ++i)
            if (keys[i].first == keys[i - 1].first) dup = std::min(dup, keys[i].second);
        }
        if (dup < keys.size()) {
          std::size_t n = 0;
          std::string_view key;
          for (auto field : o)
            if (n++ == dup) key = field.key;
          found = Error{"invalid_json", JoinKeyImpl(Path(), key),
                        "duplicate key: the object holds this key twice"};
          return;
        }
        for (auto field : o) {
          if (field.value.is_object() || field.value.is_array()) {
            steps.push_back({field.key, 0, true});
            Walk(field.value, depth + 1);
            steps.pop_back();
          }
          if (found) return;
        }
        return;
      }
      case element_type::ARRAY: {
        simdjson::dom::array a;
        if (e.get(a) != simdjson::SUCCESS) return;
        std::size_t i = 0;
        for (element x : a) {
          if (x.is_object() || x.is_array()) {
            steps.push_back({{}, i, false});
            Walk(x, depth + 1);
            steps.pop_back();
          }
          if (found) return;
          ++i;
        }
        return;
      }
      default:
        return;
    }
  }
};

void AppendEscaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += ch;
        }
    }
  }
}

std::string Cut(std::string s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  return s + "...";
}

}  // namespace

Parser::Parser(Limits limits) : limits_(limits) {}

namespace {
// True when, reading from the start, more than max_depth arrays or objects are open at once
// (brackets inside strings are skipped), in text made only of JSON's characters. Used only to
// classify a parse that already failed.
bool OpensDeeperThan(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (in_string) {
      if (ch == '\\')
        ++i;
      else if (ch == '"')
        in_string = false;
    } else if (ch == '"') {
      in_string = true;
    } else if (ch == '[' || ch == '{') {
      if (++depth > max_depth) return true;
    } else if ((ch == ']' || ch == '}') && depth > 0) {
      --depth;
    } else if (std::string_view(" \t\r\n,:-+.0123456789eEtrufalsn").find(ch) ==
               std::string_view::npos) {
      return false;  // not JSON text at all (random bytes): an ordinary syntax error
    }
  }
  return false;
}
}  // namespace

Result<element> Parser::Parse(std::string_view text, bool padded) {
  if (text.size() > limits_.max_bytes)
    return Error{"too_large", "",
                 "input is " + std::to_string(text.size()) + " bytes; the limit is " +
                     std::to_string(limits_.max_bytes) + " bytes"};
  if (text.starts_with(kBom)) text.remove_prefix(kBom.size());
  if (IsBlank(text)) return Error{"invalid_json", "", "empty input"};
  if (!allocated_) {
    // The depth limit is set with the first allocation; later growth keeps it. simdjson counts
    // a scalar inside the deepest container as one more level; the limit counts containers.
    if (parser_.allocate(std::max<std::size_t>(text.size(), 4096), limits_.max_depth + 1) !=
        simdjson::SUCCESS)
      return Error{"internal", "", "out of memory while parsing"};
    allocated_ = true;
  }
  element root;
  if (auto err = parser_.parse(text.data(), text.size(), /*realloc_if_needed=*/!padded).get(root)) {
    if (err == simdjson::DEPTH_ERROR)
      return Error{"too_large", "",
                   "nested deeper than " + std::to_string(limits_.max_depth) + " levels"};
    if (err == simdjson::CAPACITY || err == simdjson::MEMALLOC)
      return Error{"too_large", "", "input too large to parse"};
    // Broken input that also opens more containers than the limit (100,000 '[' with no end) is
    // reported as too deeply nested, the limit it breaks first when read from the start.
    if (OpensDeeperThan(text, limits_.max_depth))
      return Error{"too_large", "",
                   "nested deeper than " + std::to_string(limits_.max_depth) + " levels"};
    return Error{"invalid_json", "", Describe(err)};
  }
  Checker c{limits_.max_depth, std::nullopt, {}, {}};
  c.Walk(root, 1);
  if (c.found) return *c.found;
  return root;
}

Result<Document> Parse(std::string_view text, const Limits& limits) {
  Document d;
  d.parser_ = std::make_unique<Parser>(limits);
  auto r = d.parser_->Parse(text);
  if (!r) return r.errors();
  d.root_ = *r;
  return d;
}

std::string JoinKey(const std::string& path, std::string_view key) {
  return JoinKeyImpl(path, key);
}

namespace {
std::string JoinKeyImpl(const std::string& path, std::string_view key) {
  const bool plain = !key.empty() && key.size() <= kMaxKeyInPath &&
                     std::all_of(key.begin(), key.end(), [](char c) {
                       return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                              (c >= '0' && c <= '9') || c == '_' || c == '-';
                     });
  if (plain) return path.empty() ? std::string(key) : path + "." + std::string(key);
  return path + "[" + QuoteString(key, kMaxKeyInPath) + "]";
}
}  // namespace

std::string JoinIndex(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

const char* TypeName(element e) {
  switch (e.type()) {
    case element_type::NULL_VALUE:
      return "null";
    case element_type::OBJECT:
      return "an object";
    case element_type::ARRAY:
      return "an array";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a boolean";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return "a number";
  }
  return "an unsupported value";
}

std::string Quote(element e, std::size_t max_bytes) {
  std::string_view s;
  if (e.get(s) == simdjson::SUCCESS) return QuoteString(s, max_bytes);
  return Cut(simdjson::minify(e), max_bytes);
}

std::string QuoteString(std::string_view s, std::size_t max_bytes) {
  std::string out = "\"";
  AppendEscaped(out, s.substr(0, max_bytes + 1));
  out += '"';
  return Cut(std::move(out), max_bytes);
}

}  // namespace bp::jsonparse
