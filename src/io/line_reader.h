// Reading input files from outside without trusting them: only regular files are opened (a link
// to /dev/zero, a FIFO or a device is refused, and opening never blocks), and lines are read in
// bounded pieces, so that a file without a newline (a 2 GB sparse file) costs at most `max_line`
// bytes of memory before it is refused.
//
// Thread safety: a LineReader is used by one thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "common/result.h"

namespace bp {

// Opens `path` for reading when it is a regular file (links followed); the descriptor, or an
// error (code io) naming the file. Never blocks on a FIFO.
Result<int> OpenRegularFile(const std::string& path);

class LineReader {
 public:
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;
  LineReader(LineReader&& o) noexcept;
  LineReader& operator=(LineReader&&) = delete;
  ~LineReader();

  static Result<LineReader> Open(const std::string& path, std::size_t max_line);

  // The next line (without its '\n') in `line`; false at the end or on an error (then error()
  // says which: a line longer than max_line, or a read failure).
  bool Next(std::string* line);
  const std::optional<Error>& error() const { return error_; }
  std::size_t line_number() const { return line_no_; }

 private:
  LineReader(int fd, std::string path, std::size_t max_line)
      : fd_(fd), path_(std::move(path)), max_line_(max_line) {}
  int fd_ = -1;
  std::string path_;
  std::size_t max_line_;
  std::string buf_;
  std::size_t pos_ = 0;
  bool eof_ = false;
  std::size_t line_no_ = 0;
  std::optional<Error> error_;
};

}  // namespace bp
