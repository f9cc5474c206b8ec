#include "io/line_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace bp {

Result<int> OpenRegularFile(const std::string& path) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return Error{"io", path, std::string("cannot open: ") + std::strerror(errno)};
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error{"io", path, "not a regular file (a FIFO, device or directory is not read)"};
  }
  const int flags = fcntl(fd, F_GETFL);
  if (flags >= 0) fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}

LineReader::LineReader(LineReader&& o) noexcept
    : fd_(o.fd_),
      path_(std::move(o.path_)),
      max_line_(o.max_line_),
      buf_(std::move(o.buf_)),
      pos_(o.pos_),
      eof_(o.eof_),
      line_no_(o.line_no_),
      error_(std::move(o.error_)) {
  o.fd_ = -1;
}

LineReader::~LineReader() {
  if (fd_ >= 0) ::close(fd_);
}

Result<LineReader> LineReader::Open(const std::string& path, std::size_t max_line) {
  auto fd = OpenRegularFile(path);
  if (!fd) return fd.errors();
  return LineReader(*fd, path, max_line);
}

bool LineReader::Next(std::string* line) {
  if (error_) return false;
  std::size_t scanned = pos_;
  for (;;) {
    const std::size_t nl = buf_.find('\n', scanned);
    if (nl != std::string::npos) {
      if (nl - pos_ > max_line_) break;
      line->assign(buf_, pos_, nl - pos_);
      pos_ = nl + 1;
      ++line_no_;
      return true;
    }
    scanned = buf_.size();
    if (buf_.size() - pos_ > max_line_) break;
    if (eof_) {
      if (pos_ == buf_.size()) return false;
      line->assign(buf_, pos_, std::string::npos);
      pos_ = buf_.size();
      ++line_no_;
      return true;
    }
    // Keep only the unread part, then read another piece.
    if (pos_ > 0) {
      buf_.erase(0, pos_);
      scanned -= pos_;
      pos_ = 0;
    }
    char chunk[65536];
    const ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      error_ = Error{"io", path_, std::string("read failed: ") + std::strerror(errno)};
      return false;
    }
    if (n == 0) {
      eof_ = true;
    } else {
      buf_.append(chunk, static_cast<std::size_t>(n));
    }
  }
  error_ = Error{"too_large", path_ + ":" + std::to_string(line_no_ + 1),
                 "line " + std::to_string(line_no_ + 1) + " is longer than " +
                     std::to_string(max_line_) + " bytes"};
  buf_.clear();
  pos_ = 0;
  return false;
}

}  // namespace bp
