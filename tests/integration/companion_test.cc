// bonepath keeps the database, HTTP, JWT and TLS libraries out of its own process: `serve`,
// `feedback` and `registry` run in the companion executable bonepath-server, and PostgreSQL
// support is the module bonepath-postgres.so, loaded on the first postgresql:// URL
// (src/platform/companion.h). These tests hold that architecture in place (what `bonepath`
// links), and check that the hand-over works and that a missing companion is reported, not
// crashed on.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "run_process.h"

namespace bp {
namespace {

using testing_harness::ProcessResult;
using testing_harness::RunProcess;
using testing_harness::TempDir;

// The shared libraries an ELF file names (DT_NEEDED), read with binutils' readelf.
std::vector<std::string> NeededLibraries(const std::string& file) {
  ProcessResult r = RunProcess({"/usr/bin/readelf", "-d", "-W", file});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  std::vector<std::string> out;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    if (line.find("(NEEDED)") == std::string::npos) continue;
    const auto open = line.find('['), close = line.find(']');
    if (open != std::string::npos && close != std::string::npos && close > open)
      out.push_back(line.substr(open + 1, close - open - 1));
  }
  return out;
}

TEST(LeanExecutable, BonepathLinksNoDatabaseHttpOrTlsLibrary) {
  const auto needed = NeededLibraries(BONEPATH_BINARY);
  ASSERT_FALSE(needed.empty()) << "readelf found no NEEDED entries in " << BONEPATH_BINARY;
  for (const std::string& lib : needed) {
    for (const char* banned : {"libpq", "libsqlite3", "libcurl", "libssl", "libcrypto", "libjwt",
                               "httplib", "libspdlog", "libgssapi", "libldap"}) {
      EXPECT_EQ(lib.find(banned), std::string::npos)
          << "bonepath links " << lib << ": it belongs in bonepath-server or a module";
    }
  }
}

#ifdef BONEPATH_HAVE_SERVER
TEST(ServiceCommands, ServeHelpComesFromBonepathServer) {
  ProcessResult r = RunProcess({BONEPATH_BINARY, "serve", "--help"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find("--trusted-issuer"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("bonepath serve"), std::string::npos) << r.out;
}

TEST(ServiceCommands, RegistryArgumentsArePassedThrough) {
  TempDir dir;
  const std::string db = (dir.path() / "registry.db").string();
  // `due` only reads (issue 15: it must not create a store): an import creates the database.
  ProcessResult imp =
      RunProcess({BONEPATH_BINARY, "registry", "import", "--db", db,
                  BONEPATH_SOURCE_DIR "/examples/osteoporosis-recent-hip-fracture.json"});
  ASSERT_EQ(imp.exit_code, 0) << imp.Describe();
  ProcessResult r = RunProcess({BONEPATH_BINARY, "registry", "due", "--db", db, "--as-of",
                                "2026-03-01", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(std::filesystem::exists(db));
  // A wrong option is bonepath-server's to reject, with the CLI contract's exit status.
  ProcessResult bad = RunProcess({BONEPATH_BINARY, "registry", "due", "--no-such-option"});
  EXPECT_EQ(bad.exit_code, 2) << bad.Describe();
}

TEST(ServiceCommands, MissingServerExecutableIsReported) {
  TempDir empty;
  ProcessResult r = RunProcess({"/usr/bin/env", "BONEPATH_LIBEXEC_DIR=" + empty.path().string(),
                                BONEPATH_BINARY, "serve", "--no-auth"});
  ASSERT_FALSE(r.signaled) << r.Describe();
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_NE(r.err.find("bonepath-server"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(empty.path().string()), std::string::npos) << r.err;
}

// Port 1 on loopback refuses connections: the module is loaded and libpq reports the failure.
constexpr const char* kUnreachablePostgres = "postgresql://bonepath:secret@127.0.0.1:1/registry";

TEST(PostgresModule, IsLoadedForPostgresUrls) {
  ProcessResult r = RunProcess({BONEPATH_BINARY, "registry", "due", "--db", kUnreachablePostgres});
  ASSERT_FALSE(r.signaled) << r.Describe();
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_NE(r.err.find("cannot connect to postgresql://bonepath:***@127.0.0.1:1"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("secret"), std::string::npos) << "password leaked: " << r.err;
}

TEST(PostgresModule, MissingModuleIsReported) {
  TempDir dir;  // bonepath-server without bonepath-postgres.so beside it
  std::filesystem::create_symlink(BONEPATH_SERVER_BINARY, dir.path() / "bonepath-server");
  ProcessResult r = RunProcess({"/usr/bin/env", "BONEPATH_LIBEXEC_DIR=" + dir.path().string(),
                                BONEPATH_BINARY, "registry", "due", "--db", kUnreachablePostgres});
  ASSERT_FALSE(r.signaled) << r.Describe();
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_NE(r.err.find("PostgreSQL support is not installed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("bonepath-postgres.so"), std::string::npos) << r.err;
}
#endif  // BONEPATH_HAVE_SERVER

}  // namespace
}  // namespace bp
