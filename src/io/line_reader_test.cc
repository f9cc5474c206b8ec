// Issue 15 item 6: a bulk folder whose NDJSON file was a link to /dev/zero took 11 GB, a FIFO
// made `assess` hang, and a 2 GB sparse NDJSON file was buffered before the line limit applied.
#include "io/line_reader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace bp {
namespace {

std::filesystem::path Scratch(const std::string& name) {
  auto p = std::filesystem::temp_directory_path() /
           ("bonepath-lr-" + std::to_string(getpid()) + "-" + name);
  std::filesystem::remove(p);
  return p;
}

TEST(LineReader, ReadsLinesWithOrWithoutFinalNewline) {
  const auto p = Scratch("lines");
  std::ofstream(p) << "a\n\nbc\nlast";
  auto r = LineReader::Open(p.string(), 16);
  ASSERT_TRUE(r);
  std::string line;
  std::vector<std::string> got;
  while (r->Next(&line)) got.push_back(line);
  EXPECT_FALSE(r->error());
  EXPECT_EQ(got, (std::vector<std::string>{"a", "", "bc", "last"}));
  std::filesystem::remove(p);
}

TEST(LineReader, RefusesALinkToADevice) {
  const auto p = Scratch("zero");
  std::filesystem::create_symlink("/dev/zero", p);
  auto r = LineReader::Open(p.string(), 1 << 20);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("not a regular file"), std::string::npos);
  std::filesystem::remove(p);
}

TEST(LineReader, DoesNotBlockOnAFifo) {
  const auto p = Scratch("fifo");
  ASSERT_EQ(mkfifo(p.c_str(), 0600), 0);
  auto r = LineReader::Open(p.string(), 1 << 20);  // returns at once: no writer needed
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("not a regular file"), std::string::npos);
  auto fd = OpenRegularFile(p.string());
  EXPECT_FALSE(fd);
  std::filesystem::remove(p);
}

TEST(LineReader, ALineWithoutEndIsRefusedAtTheLimit) {
  const auto p = Scratch("sparse");
  {
    std::ofstream f(p);
    f << "{}\n";
  }
  std::filesystem::resize_file(p, 256u << 20);  // 256 MiB of zeros, no newline: sparse
  auto r = LineReader::Open(p.string(), 1u << 20);
  ASSERT_TRUE(r);
  std::string line;
  ASSERT_TRUE(r->Next(&line));
  EXPECT_EQ(line, "{}");
  EXPECT_FALSE(r->Next(&line));
  ASSERT_TRUE(r->error());
  EXPECT_EQ(r->error()->code, "too_large");
  EXPECT_NE(r->error()->message.find("line 2"), std::string::npos) << r->error()->message;
  EXPECT_LE(line.capacity(), 4u << 20);  // nothing near the file's size was held
  std::filesystem::remove(p);
}

}  // namespace
}  // namespace bp
