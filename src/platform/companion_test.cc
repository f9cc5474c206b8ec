#include "platform/companion.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

namespace bp::platform {
namespace {

// Sets BONEPATH_LIBEXEC_DIR for one test and restores it.
class LibexecDir {
 public:
  explicit LibexecDir(const std::string& dir) {
    if (const char* old = std::getenv("BONEPATH_LIBEXEC_DIR")) old_ = old;
    ::setenv("BONEPATH_LIBEXEC_DIR", dir.c_str(), 1);
  }
  ~LibexecDir() {
    if (old_)
      ::setenv("BONEPATH_LIBEXEC_DIR", old_->c_str(), 1);
    else
      ::unsetenv("BONEPATH_LIBEXEC_DIR");
  }

 private:
  std::optional<std::string> old_;
};

std::filesystem::path MakeDir() {
  std::string tmpl =
      (std::filesystem::temp_directory_path() / "bonepath-companion-XXXXXX").string();
  EXPECT_NE(::mkdtemp(tmpl.data()), nullptr);
  return tmpl;
}

TEST(Companion, EnvironmentDirectoryIsTheOnlyOneSearched) {
  const auto dir = MakeDir();
  std::ofstream(dir / "bonepath-postgres.so") << "x";
  {
    LibexecDir env(dir.string());
    EXPECT_EQ(FindCompanion("bonepath-postgres.so"), (dir / "bonepath-postgres.so").string());
    EXPECT_EQ(FindCompanion("bonepath-server"), std::nullopt);
    EXPECT_EQ(CompanionSearchPath(), dir.string());
  }
  std::filesystem::remove_all(dir);
}

TEST(Companion, DefaultSearchStartsBesideTheExecutable) {
  ::unsetenv("BONEPATH_LIBEXEC_DIR");
  const std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();
  const std::string dir = exe.substr(0, exe.rfind('/'));
  const std::string path = CompanionSearchPath();
  EXPECT_EQ(path.rfind(dir + ":" + dir + "/../lib/bonepath", 0), 0u) << path;
  // The test executable itself is a file beside the test executable.
  EXPECT_EQ(FindCompanion(exe.substr(exe.rfind('/') + 1)), exe);
  EXPECT_EQ(FindCompanion("no-such-companion"), std::nullopt);
}

}  // namespace
}  // namespace bp::platform
