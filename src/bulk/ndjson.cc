#include "bulk/ndjson.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

namespace bp::bulk {
namespace {

struct Range {
  const NdjsonFile* file;
  std::uint64_t begin, end;  // lines that start in [begin, end)
};

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Error IoError(const std::string& path, const std::string& what) {
  return Error{"io", path, path + ": " + what};
}

// Reads the lines that start in [r.begin, r.end).
std::optional<Error> ReadRange(const Range& r, const LineOptions& opt, int worker, const LineFn& fn,
                               const std::atomic<bool>& stop) {
  Fd fd(::open(r.file->path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) return IoError(r.file->path, std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    return IoError(r.file->path, "not a regular file");
  std::vector<char> buf(opt.buffer_bytes);
  std::string carry;  // a line that spans reads
  std::uint64_t pos = r.begin;
  std::uint64_t line_start = r.begin;
  bool skipping = false;
  if (r.begin > 0) {
    // The line that began before this range belongs to the previous one: skip to the byte after
    // the first newline at or after begin - 1.
    pos = r.begin - 1;
    line_start = pos;
    skipping = true;
  }
  while (!stop.load(std::memory_order_relaxed)) {
    const ssize_t n = ::pread(fd.get(), buf.data(), buf.size(), static_cast<off_t>(pos));
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError(r.file->path, std::strerror(errno));
    }
    const std::size_t got = static_cast<std::size_t>(n);
    std::size_t i = 0;
    while (i < got) {
      const char* nl = static_cast<const char*>(std::memchr(buf.data() + i, '\n', got - i));
      const std::size_t stop_at = nl ? static_cast<std::size_t>(nl - buf.data()) : got;
      if (skipping) {
        if (nl) {
          skipping = false;
          line_start = pos + stop_at + 1;
          carry.clear();
          if (line_start >= r.end) return std::nullopt;
        }
        i = stop_at + 1;
        continue;
      }
      if (carry.size() + (stop_at - i) > opt.max_line_bytes)
        return Error{"too_large", r.file->path,
                     r.file->path + ": a line at byte " + std::to_string(line_start) +
                         " is longer than " + std::to_string(opt.max_line_bytes) + " bytes"};
      if (!nl) {
        carry.append(buf.data() + i, got - i);
        break;
      }
      std::string_view line;
      if (carry.empty()) {
        line = std::string_view(buf.data() + i, stop_at - i);
      } else {
        carry.append(buf.data() + i, stop_at - i);
        line = carry;
      }
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.find_first_not_of(" \t") != std::string_view::npos) {
        if (auto e = fn(worker, line, LineRef{&r.file->path, line_start})) return e;
      }
      carry.clear();
      line_start = pos + stop_at + 1;
      i = stop_at + 1;
      if (line_start >= r.end) return std::nullopt;
    }
    pos += got;
    if (got == 0 || pos >= r.file->size) {
      // End of file: a last line without a newline.
      if (!skipping && !carry.empty() && line_start < r.end) {
        std::string_view line = carry;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.find_first_not_of(" \t") != std::string_view::npos)
          if (auto e = fn(worker, line, LineRef{&r.file->path, line_start})) return e;
      }
      return std::nullopt;
    }
    if (skipping && pos >= r.end) return std::nullopt;  // no line starts in this range
  }
  return std::nullopt;
}

}  // namespace

Result<Listing> ListNdjsonFiles(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto st = fs::status(dir, ec);
  if (ec || !fs::is_directory(st)) return Error{"io", dir, dir + ": not a readable folder"};
  Listing l;
  fs::directory_iterator it(dir, ec);
  if (ec) return Error{"io", dir, dir + ": " + ec.message()};
  for (const auto& e : it) {
    const auto name = e.path().filename().string();
    const auto lst = e.symlink_status(ec);
    const bool ndjson = name.size() > 7 && name.compare(name.size() - 7, 7, ".ndjson") == 0;
    if (ec || !ndjson || !fs::is_regular_file(lst)) {
      ++l.skipped;
      continue;
    }
    const auto size = e.file_size(ec);
    if (ec) {
      ++l.skipped;
      continue;
    }
    l.files.push_back({e.path().string(), size});
    l.total_bytes += size;
  }
  std::sort(l.files.begin(), l.files.end(),
            [](const NdjsonFile& a, const NdjsonFile& b) { return a.path < b.path; });
  return l;
}

void RunWorkers(int threads, const std::function<void(int)>& fn) {
  if (threads <= 1) {
    fn(0);
    return;
  }
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(threads));
  for (int w = 0; w < threads; ++w) pool.emplace_back(fn, w);
  for (auto& t : pool) t.join();
}

std::optional<Error> ForEachLine(const std::vector<NdjsonFile>& files, const LineOptions& opt,
                                 const LineFn& fn) {
  std::vector<Range> ranges;
  const std::uint64_t step = std::max<std::uint64_t>(opt.range_bytes, 1);
  for (const auto& f : files)
    for (std::uint64_t b = 0; b < f.size; b += step)
      ranges.push_back({&f, b, std::min(f.size, b + step)});
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::optional<Error> first;
  RunWorkers(std::max(1, opt.threads), [&](int worker) {
    while (!stop.load()) {
      const std::size_t i = next.fetch_add(1);
      if (i >= ranges.size()) return;
      if (auto e = ReadRange(ranges[i], opt, worker, fn, stop)) {
        std::lock_guard<std::mutex> lock(mu);
        if (!first) first = std::move(e);
        stop = true;
        return;
      }
    }
  });
  return first;
}

}  // namespace bp::bulk
