#include "cli/wrap.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <vector>

namespace bp::cli {
namespace {

constexpr std::size_t kMinWidth = 20;

// Display columns of `s`: escape sequences (ESC [ ... final byte) count 0, a UTF-8 sequence 1.
std::size_t Columns(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0x1B) {
      if (i + 1 < s.size() && s[i + 1] == '[') {
        i += 2;
        while (i < s.size() && !(s[i] >= 0x40 && s[i] <= 0x7E)) ++i;
      }
      continue;
    }
    if ((c & 0xC0) == 0x80) continue;  // a continuation byte
    ++n;
  }
  return n;
}

// The indentation a continuation of `line` takes: its leading spaces, plus a list marker's width.
std::size_t HangingIndent(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && line[i] == ' ') ++i;
  const std::string_view rest = line.substr(i);
  if (rest.starts_with("- ") || rest.starts_with("* ")) return i + 2;
  std::size_t d = 0;
  while (d < rest.size() && std::isdigit(static_cast<unsigned char>(rest[d]))) ++d;
  if (d > 0 && d + 1 < rest.size() && (rest[d] == '.' || rest[d] == ')') && rest[d + 1] == ' ')
    return i + d + 2;
  return i;
}

void WrapLine(std::string_view line, std::size_t width, std::string* out) {
  if (Columns(line) <= width) {
    out->append(line);
    return;
  }
  std::size_t lead = 0;
  while (lead < line.size() && line[lead] == ' ') ++lead;
  std::size_t indent = HangingIndent(line);
  if (indent + kMinWidth / 2 > width) indent = 0;  // deep indentation on a narrow terminal
  // Words, split at spaces after the leading indentation.
  std::vector<std::string_view> words;
  std::size_t i = lead;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  out->append(line.substr(0, lead));
  std::size_t col = lead;
  bool first = true;
  for (std::string_view w : words) {
    const std::size_t wc = Columns(w);
    if (!first && col + 1 + wc > width) {
      out->push_back('\n');
      out->append(indent, ' ');
      col = indent;
      first = true;
    }
    if (!first) {
      out->push_back(' ');
      ++col;
    }
    out->append(w);
    col += wc;
    first = false;
  }
}

}  // namespace

std::size_t TerminalWidth() {
  if (isatty(STDOUT_FILENO) == 0) return 0;
  std::size_t width = 0;
  if (const char* env = std::getenv("COLUMNS"); env != nullptr && env[0] != '\0') {
    const std::string_view s(env);
    std::size_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && p == s.data() + s.size()) width = v;
  }
  if (width == 0) {
    winsize ws{};
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) width = ws.ws_col;
  }
  if (width == 0) width = 80;
  return width < kMinWidth ? kMinWidth : width;
}

std::string WrapText(std::string_view text, std::size_t width) {
  if (width == 0) return std::string(text);
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t nl = text.find('\n', start);
    const std::string_view line =
        text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    WrapLine(line, width, &out);
    if (nl == std::string_view::npos) break;
    out.push_back('\n');
    start = nl + 1;
  }
  return out;
}

}  // namespace bp::cli
