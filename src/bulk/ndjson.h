// Reading FHIR Bulk Data exports (folders of NDJSON files: one resource a line) with bounded
// memory on several threads. Shared by `bonepath measure` and population screening.
//
//  * Only regular files named *.ndjson directly in the folder are read; symbolic links, devices,
//    sub-folders and other names are skipped (and counted), never followed.
//  * A line longer than the cap is an error naming the file and line number (never its content).
//  * Each file is cut into byte ranges at line starts; each worker reads its ranges through a
//    fixed-size buffer, so memory is (threads x (buffer + longest line)) whatever the file sizes.
//
// Thread safety: ListNdjsonFiles is stateless. ForEachLine calls `fn` concurrently from
// `threads` workers, each with its own worker index; `fn` must be safe for that.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace bp::bulk {

struct NdjsonFile {
  std::string path;
  std::uint64_t size = 0;
};

struct Listing {
  std::vector<NdjsonFile> files;  // sorted by path
  std::size_t skipped = 0;        // entries that are not regular *.ndjson files
  std::uint64_t total_bytes = 0;
};

// The *.ndjson regular files of `dir`. Error (code io) when dir is not a readable folder.
Result<Listing> ListNdjsonFiles(const std::string& dir);

struct LineOptions {
  std::size_t max_line_bytes = 64u * 1024 * 1024;  // a longer line is an error
  std::size_t buffer_bytes = 1u * 1024 * 1024;     // read size per worker
  std::uint64_t range_bytes = 8u * 1024 * 1024;    // unit of work
  int threads = 1;
};

// Where a line came from, for error messages.
struct LineRef {
  const std::string* path;
  std::uint64_t offset;  // byte offset of the line in the file
};

// Calls fn(worker, line, where) for every non-blank line of every file (a trailing '\r' is
// removed). Lines of one byte range are delivered in file order by one worker; ranges run in
// parallel. The first error (from reading or from fn) stops every worker and is returned.
using LineFn =
    std::function<std::optional<Error>(int worker, std::string_view line, const LineRef& where)>;
std::optional<Error> ForEachLine(const std::vector<NdjsonFile>& files, const LineOptions& opt,
                                 const LineFn& fn);

// Runs fn(worker) on `threads` threads and joins them.
void RunWorkers(int threads, const std::function<void(int worker)>& fn);

}  // namespace bp::bulk
