// Issue 15 reproductions on the command line: unbounded bulk input, control characters in what
// is printed, read-only commands creating stores, unknown commands, doubled error prefixes and
// formats silently ignored. Each test runs the real binary.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "run_process.h"

namespace {

using bp::testing_harness::ProcessResult;
using bp::testing_harness::ReadFileBytes;
using bp::testing_harness::RunProcess;
using bp::testing_harness::TempDir;
namespace fs = std::filesystem;

const std::string kExample = BONEPATH_SOURCE_DIR "/examples/osteoporosis-recent-hip-fracture.json";

// A bulk export folder copied from the shared test data, with one file replaced by `what`.
fs::path BulkWith(const TempDir& dir, const std::string& name) {
  const fs::path bulk = dir.path() / name;
  fs::create_directories(bulk);
  for (const auto& e : fs::directory_iterator(BONEPATH_TEST_DATA "/bulk-10-patients"))
    fs::copy_file(e.path(), bulk / e.path().filename());
  return bulk;
}

// Issue 15 item 6: an Observation file that is a link to /dev/zero took 11 GB.
TEST(CliHarden, BulkFileLinkedToDevZeroIsRefused) {
  TempDir dir;
  const fs::path bulk = BulkWith(dir, "bulk");
  fs::remove(bulk / "Observation.000.ndjson");
  fs::create_symlink("/dev/zero", bulk / "Observation.000.ndjson");
  ProcessResult r = RunProcess({BONEPATH_BINARY, "assess", bulk.string()});
  ASSERT_TRUE(r.spawned);
  EXPECT_FALSE(r.signaled) << r.Describe();
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_NE(r.err.find("not a regular file"), std::string::npos) << r.Describe();
}

// Issue 15 item 6: a FIFO made `assess` hang (the test would time out).
TEST(CliHarden, FifoInputDoesNotHang) {
  TempDir dir;
  const fs::path fifo = dir.path() / "record.json";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  ProcessResult r = RunProcess({BONEPATH_BINARY, "assess", fifo.string()});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_NE(r.err.find("not a regular file"), std::string::npos) << r.Describe();
  const fs::path bulk = BulkWith(dir, "bulk");
  fs::remove(bulk / "Condition.000.ndjson");
  ASSERT_EQ(mkfifo((bulk / "Condition.000.ndjson").c_str(), 0600), 0);
  r = RunProcess({BONEPATH_BINARY, "assess", bulk.string()});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
}

// Issue 15 item 6: `registry import --ndjson` of a 2 GB sparse file took 4.2 GB before the
// per-line limit applied; now the line is refused when it passes the limit while being read.
TEST(CliHarden, SparseNdjsonIsRefusedWhileReading) {
  TempDir dir;
  const fs::path nd = dir.path() / "big.ndjson";
  { std::ofstream(nd) << ""; }
  fs::resize_file(nd, 2ull << 30);  // 2 GiB of zeros, no newline, no disk used
  ProcessResult r = RunProcess({BONEPATH_BINARY, "registry", "import", "--db",
                                (dir.path() / "r.db").string(), "--ndjson", nd.string()});
  EXPECT_FALSE(r.signaled) << r.Describe();
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_NE(r.err.find("longer than"), std::string::npos) << r.Describe();
}

// Issue 15: terminal escapes in a patient id were printed raw by text and Markdown output and by
// `registry due`/`alerts`.
TEST(CliHarden, ControlCharactersInIdsAreEscaped) {
  TempDir dir;
  std::string record = ReadFileBytes(kExample);
  const std::string id = "\"id\": \"V22\"";
  ASSERT_NE(record.find(id), std::string::npos);
  record.replace(record.find(id), id.size(), "\"id\": \"\\u001b[31mEVIL\\u0007\"");
  const auto path = dir.Write("evil.json", record);
  for (const std::string format : {"text", "markdown", "html"}) {
    ProcessResult r = RunProcess({BONEPATH_BINARY, "assess", path.string(), "--format", format});
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
    EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << format;
    EXPECT_EQ(r.out.find('\x07'), std::string::npos) << format;
    EXPECT_NE(r.out.find("\\x1b"), std::string::npos) << format;  // shown, not sent
    EXPECT_NE(r.out.find("EVIL\\x07"), std::string::npos) << format;
  }
  const std::string db = (dir.path() / "r.db").string();
  ProcessResult imp =
      RunProcess({BONEPATH_BINARY, "registry", "import", "--db", db, path.string()});
  ASSERT_EQ(imp.exit_code, 0) << imp.Describe();
  for (const std::string cmd : {"due", "alerts"}) {
    std::vector<std::string> args = {BONEPATH_BINARY, "registry",  cmd, "--db", db,
                                     "--as-of",       "2027-06-01"};
    if (cmd == "due") args.insert(args.end(), {"--within", "400"});
    ProcessResult r = RunProcess(args);
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
    EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << cmd << r.out;
  }
}

// Issue 15: `feedback report --db typo.db` silently created an empty database.
TEST(CliHarden, ReadOnlyCommandsCreateNoStore) {
  TempDir dir;
  const fs::path typo = dir.path() / "typo.db";
  ProcessResult r = RunProcess({BONEPATH_BINARY, "feedback", "report", "--db", typo.string()});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_FALSE(fs::exists(typo));
  for (const std::string cmd : {"due", "alerts"}) {
    r = RunProcess({BONEPATH_BINARY, "registry", cmd, "--db", typo.string()});
    EXPECT_EQ(r.exit_code, 2) << cmd << r.Describe();
    EXPECT_FALSE(fs::exists(typo)) << cmd;
  }
}

// Issue 15: `bonepath asess x` printed "A subcommand is required".
TEST(CliHarden, UnknownCommandSuggestsTheNearest) {
  ProcessResult r = RunProcess({BONEPATH_BINARY, "asess", "x"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_NE(r.err.find("unknown command \"asess\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean \"assess\""), std::string::npos) << r.err;
}

// Issue 15: error prefixes were doubled ("--as-of: --as-of: ...", "/x.json: /x.json: ...").
TEST(CliHarden, ErrorPrefixesAreNotDoubled) {
  ProcessResult r = RunProcess({BONEPATH_BINARY, "assess", kExample, "--as-of", "2026-13-45"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.find("--as-of: --as-of:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--as-of: "), std::string::npos) << r.err;
  r = RunProcess({BONEPATH_BINARY, "assess", "/nonexistent.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.find("/nonexistent.json: /nonexistent.json:"), std::string::npos) << r.err;
}

// Issue 15: `knowledge --questions --format html` silently printed Markdown; `assess --help`
// did not show the default format.
TEST(CliHarden, FormatsAreHonouredOrRejectedAndDefaultsShown) {
  ProcessResult r = RunProcess({BONEPATH_BINARY, "knowledge", "--questions", "--format", "html"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_NE(r.err.find("Markdown only"), std::string::npos) << r.err;
  r = RunProcess({BONEPATH_BINARY, "knowledge", "--questions"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  r = RunProcess({BONEPATH_BINARY, "assess", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("(default text)"), std::string::npos) << r.out;
}

// Issue 15: NO_COLOR and --color=auto|always|never.
TEST(CliHarden, ColorFollowsTheFlagAndNoColor) {
  ProcessResult r = RunProcess({BONEPATH_BINARY, "assess", kExample, "--color", "always"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find("\x1b["), std::string::npos);
  r = RunProcess({BONEPATH_BINARY, "assess", kExample, "--color", "never"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos);
  setenv("NO_COLOR", "1", 1);
  r = RunProcess({BONEPATH_BINARY, "assess", kExample, "--color", "auto"});
  unsetenv("NO_COLOR");
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos);
}

// Runs `argv` with stdout and stderr on a pseudo-terminal `cols` columns wide (and COLUMNS
// unset, or set to `columns_env`), returning what it printed. Empty on failure to set up.
std::string RunOnTerminal(const std::vector<std::string>& argv, unsigned short cols,
                          const char* columns_env) {
  const int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) return "";
  const char* name = ptsname(master);
  if (name == nullptr) return "";
  const std::string slave_name = name;
  const pid_t pid = fork();
  if (pid == 0) {
    setsid();
    const int slave = open(slave_name.c_str(), O_RDWR);
    if (slave < 0) _exit(126);
    termios t{};
    if (tcgetattr(slave, &t) == 0) {
      t.c_oflag &= ~static_cast<tcflag_t>(ONLCR);  // "\n" stays "\n"
      tcsetattr(slave, TCSANOW, &t);
    }
    winsize ws{};
    ws.ws_col = cols;
    ws.ws_row = 50;
    ioctl(slave, TIOCSWINSZ, &ws);
    dup2(slave, STDOUT_FILENO);
    dup2(slave, STDERR_FILENO);
    const int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, STDIN_FILENO);
    if (columns_env)
      setenv("COLUMNS", columns_env, 1);
    else
      unsetenv("COLUMNS");
    setenv("NO_COLOR", "1", 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  std::string out;
  char buf[4096];
  for (;;) {
    pollfd p{master, POLLIN, 0};
    if (poll(&p, 1, 30000) <= 0) break;
    const ssize_t n = read(master, buf, sizeof buf);
    if (n <= 0) break;  // EIO once the child has closed the terminal
    out.append(buf, static_cast<size_t>(n));
  }
  int st = 0;
  waitpid(pid, &st, 0);
  close(master);
  return out;
}

size_t LongestLine(const std::string& text) {
  size_t longest = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    size_t cols = 0;
    for (unsigned char c : line)
      if ((c & 0xC0) != 0x80) ++cols;  // UTF-8: count characters
    longest = std::max(longest, cols);
  }
  return longest;
}

// Issue 15, command line: text output is wrapped to the terminal's width (the window size, or
// COLUMNS), and left as it is when stdout is not a terminal.
TEST(CliHarden, TextOutputWrapsToTheTerminalWidth) {
  const std::vector<std::string> argv = {BONEPATH_BINARY, "assess", kExample, "--as-of",
                                         "2026-06-01"};
  ProcessResult piped = RunProcess(argv);
  ASSERT_EQ(piped.exit_code, 0) << piped.Describe();
  ASSERT_GT(LongestLine(piped.out), 72u) << "the example no longer has long lines";

  const std::string narrow = RunOnTerminal(argv, 72, nullptr);
  ASSERT_FALSE(narrow.empty());
  EXPECT_LE(LongestLine(narrow), 72u) << narrow;
  const std::string env = RunOnTerminal(argv, 200, "60");  // COLUMNS wins over the window
  ASSERT_FALSE(env.empty());
  EXPECT_LE(LongestLine(env), 60u) << env;
  // Wrapping moves line breaks only: the words are the same, in the same order.
  auto words = [](const std::string& t) {
    std::istringstream in(t);
    std::vector<std::string> w;
    for (std::string x; in >> x;) w.push_back(x);
    return w;
  };
  EXPECT_EQ(words(narrow), words(piped.out));
}

}  // namespace
