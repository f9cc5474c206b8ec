// No clinical sentence and no clinical number in the engine's C++ (issue 13): every sentence the
// rules say is a template in knowledge/rules/*.json (src/rules/say.h), every number a parameter of
// knowledge/parameters.json. This test reads src/rules/*.cc and *.h (not the unit tests), takes
// each string literal (adjacent literals joined, as the compiler joins them) and fails on one that
// reads like a sentence (four or more words) or states a number with a clinical unit ("6 months",
// "5 mg"), unless it is on the short list below of texts that are not clinical: messages about
// the program itself (a knowledge file that does not match the code) and about the input data.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

// Each entry is a whole literal as the compiler sees it (adjacent pieces joined); an entry no
// literal matches any more fails the test, so the list only shrinks with the code.
const std::set<std::string> kNotClinical = {
    // Compile-time checks of the engine's own code.
    "AvoidBit must give every kAvoidable agent its index",
    "Say: one value per name",
    "Set hands on a set whose members are read by In",
    "In reads a member of a set bound member by member",
    "a parameter read names the rule(s) it decides",
    "a parameter field is a Threshold, double, int or bool",
    // Topic names (the registration of a file's rules, Topic in steps.h).
    "course failure, reviews and holidays",
    "course stops and limits",
    // The profile and the texts do not match the code (Engine::Create, knowledge check).
    "aace2020, endocrine_society or seed004",
    "actual, ibw or adjbw",
    " is missing from the knowledge base",
    " has the wrong type",
    "the rules' texts do not match the engine (",
    "): run `bonepath knowledge check`",
    "a supplied value takes no format",
    "a parameter is said as {name}, {name:cmp} or {name:desc}",
    "a text parameter has no comparator or unit",
    "a switch parameter cannot be said in a sentence",
    "the parameter has no comparator to say",
    ": the rule is not in the knowledge",
    ": not among the rule's \\\"texts\\\"",
    ": a control character in the text",
    ": a control character in a parameter it says",
    ": too many supplied values",
    "' has the name of one of the rule's parameters",
    " (placeholders: the rule's parameters and the values the code supplies)",
    "' but the text does not say it",
    "' is not said by the code",
    // Input issues of the course model (the record, not the decision: CourseModel::issues).
    "dose count estimated from the start and last dose dates (",
    "); record the doses given",
    "needed for the course limit",
};

struct Literal {
  std::string file;
  int line = 0;
  std::string text;  // as written between the quotes (escapes kept)
};

// The string literals of one C++ source: comments, character literals and digit separators are
// skipped; raw strings are read to their delimiter; literals separated only by whitespace are one.
std::vector<Literal> Literals(const std::string& file, const std::string& src) {
  std::vector<Literal> out;
  int line = 1;
  std::size_t last_end = std::string::npos;  // just past the previous literal
  const std::size_t n = src.size();
  auto only_space = [&](std::size_t from, std::size_t to) {
    return std::all_of(src.begin() + static_cast<std::ptrdiff_t>(from),
                       src.begin() + static_cast<std::ptrdiff_t>(to),
                       [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
  };
  auto add = [&](std::size_t start, std::size_t end, std::string text, int at) {
    if (last_end != std::string::npos && !out.empty() && only_space(last_end, start))
      out.back().text += text;
    else
      out.push_back({file, at, std::move(text)});
    last_end = end;
  };
  for (std::size_t i = 0; i < n;) {
    const char c = src[i];
    if (c == '\n') {
      ++line;
      ++i;
    } else if (src.compare(i, 2, "//") == 0) {
      i = src.find('\n', i);
      if (i == std::string::npos) i = n;
    } else if (src.compare(i, 2, "/*") == 0) {
      const std::size_t end = src.find("*/", i + 2);
      const std::size_t stop = end == std::string::npos ? n : end + 2;
      line += static_cast<int>(std::count(src.begin() + static_cast<std::ptrdiff_t>(i),
                                          src.begin() + static_cast<std::ptrdiff_t>(stop), '\n'));
      i = stop;
    } else if (c == '\'') {
      // A digit separator (1'000) follows a digit or letter; a character literal does not.
      if (i > 0 && std::isalnum(static_cast<unsigned char>(src[i - 1]))) {
        ++i;
        continue;
      }
      std::size_t j = i + 1;
      while (j < n && src[j] != '\'') j += src[j] == '\\' ? 2 : 1;
      i = j + 1;
    } else if (c == 'R' && i + 1 < n && src[i + 1] == '"' &&
               (i == 0 || !std::isalnum(static_cast<unsigned char>(src[i - 1])))) {
      const std::size_t open = src.find('(', i);
      const std::string delim = ")" + src.substr(i + 2, open - i - 2) + "\"";
      const std::size_t close = src.find(delim, open);
      const int at = line;
      std::string text = src.substr(open + 1, close - open - 1);
      line += static_cast<int>(std::count(text.begin(), text.end(), '\n'));
      add(i, close + delim.size(), std::move(text), at);
      i = close + delim.size();
    } else if (c == '"') {
      std::size_t j = i + 1;
      while (j < n && src[j] != '"') j += src[j] == '\\' ? 2 : 1;
      add(i, j + 1, src.substr(i + 1, j - i - 1), line);
      i = j + 1;
    } else {
      ++i;
    }
  }
  return out;
}

// Four or more words (space-separated pieces with a letter): a sentence or a clause of one.
bool LooksLikeSentence(const std::string& s) {
  std::istringstream in(s);
  std::string piece;
  int words = 0;
  while (in >> piece)
    if (std::any_of(piece.begin(), piece.end(),
                    [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }))
      ++words;
  return words >= 4;
}

// A number with a clinical unit: "6 months", "3-6 months", "5 mg", "35 mL/min", "2.5 %".
bool StatesClinicalNumber(const std::string& s) {
  static const std::regex kNumberWithUnit(
      R"(\d+(\.\d+)?\s*(-\s*\d+(\.\d+)?\s*)?(months?|mo|years?|y|weeks?|days?|hours?|doses?|mg|mcg|ug|g|kg|mL|ng|nmol|mmol|IU|%)([^A-Za-z]|$))");
  return std::regex_search(s, kNumberWithUnit);
}

std::vector<Literal> EngineLiterals() {
  namespace fs = std::filesystem;
  std::vector<Literal> all;
  const fs::path dir = fs::path(BONEPATH_SOURCE_DIR) / "src" / "rules";
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    const bool source = name.ends_with(".cc") || name.ends_with(".h");
    if (source && !name.ends_with("_test.cc")) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    std::ifstream in(f);
    std::stringstream buf;
    buf << in.rdbuf();
    for (Literal& l : Literals(f.filename().string(), buf.str())) all.push_back(std::move(l));
  }
  return all;
}

TEST(ClinicalLiterals, ScannerJoinsAdjacentLiteralsAndSkipsComments) {
  const auto lits = Literals("x.cc",
                             "// \"Not a literal in a comment here\"\n"
                             "int n = 1'000; char q = '\"';\n"
                             "f(\"Give zoledronic acid \"\n  \"now.\", R\"(raw one)\");\n");
  ASSERT_EQ(lits.size(), 2u);
  EXPECT_EQ(lits[0].text, "Give zoledronic acid now.");
  EXPECT_EQ(lits[0].line, 3);
  EXPECT_EQ(lits[1].text, "raw one");
  EXPECT_TRUE(LooksLikeSentence(lits[0].text));
  EXPECT_FALSE(LooksLikeSentence("course_transition"));
  EXPECT_FALSE(LooksLikeSentence("medications.doses_received"));
  EXPECT_TRUE(StatesClinicalNumber("then CTX 3 and 6 months after"));
  EXPECT_TRUE(StatesClinicalNumber("every 2-4 years"));
  EXPECT_TRUE(StatesClinicalNumber("5 mg"));
  EXPECT_FALSE(StatesClinicalNumber("COURSE-12"));
  EXPECT_FALSE(StatesClinicalNumber("radius_33"));
}

TEST(ClinicalLiterals, NoClinicalSentenceOrNumberInTheEngine) {
  const std::vector<Literal> lits = EngineLiterals();
  ASSERT_GT(lits.size(), 100u) << "src/rules not found under " << BONEPATH_SOURCE_DIR;
  std::set<std::string> allowed_seen;
  std::string found;
  for (const Literal& l : lits) {
    if (!LooksLikeSentence(l.text) && !StatesClinicalNumber(l.text)) continue;
    if (kNotClinical.count(l.text)) {
      allowed_seen.insert(l.text);
      continue;
    }
    found += "\n  src/rules/" + l.file + ":" + std::to_string(l.line) + ": \"" + l.text + "\"";
  }
  EXPECT_TRUE(found.empty())
      << "a clinical sentence or number in C++: make it a text of its rule in "
         "knowledge/rules/*.json (x.Say, src/rules/say.h) or a parameter in "
         "knowledge/parameters.json (x.P); only a message that is not clinical goes on "
         "kNotClinical in this test."
      << found;
  for (const std::string& a : kNotClinical)
    EXPECT_TRUE(allowed_seen.count(a))
        << "kNotClinical names a literal the engine no longer has: \"" << a << "\"";
}

}  // namespace
