// Wrapping text output to the terminal's width. Only text meant for a person on a terminal is
// wrapped: when stdout is not a terminal (a pipe, a file), the width is 0 and nothing changes,
// so scripts and golden files see the same bytes as before.
//
// Thread safety: pure functions (TerminalWidth reads the environment and stdout's terminal).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace bp::cli {

// The width to wrap stdout's text at: 0 when stdout is not a terminal; else COLUMNS when it is
// a number, else the terminal's own width (TIOCGWINSZ), else 80; never below 20.
std::size_t TerminalWidth();

// Breaks each line longer than `width` columns at spaces. A continuation line keeps the line's
// indentation, and a list item's ("- ", "* ", "1. ") text aligns under the item's first word.
// Terminal escape sequences take no column, a UTF-8 character one; a word longer than the line
// (a URL) stays whole. `width` 0 returns the text unchanged.
std::string WrapText(std::string_view text, std::size_t width);

}  // namespace bp::cli
