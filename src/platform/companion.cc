#include "platform/companion.h"

#include <unistd.h>

#include <cstdlib>
#include <vector>

#ifndef BONEPATH_BUILD_DIR
#define BONEPATH_BUILD_DIR ""
#endif

namespace bp::platform {
namespace {

std::string ExecutableDir() {
  std::string buf(4096, '\0');
  const ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0) return {};
  buf.resize(static_cast<std::size_t>(n));
  const auto slash = buf.rfind('/');
  return slash == std::string::npos ? std::string() : buf.substr(0, slash);
}

std::vector<std::string> SearchDirs() {
  if (const char* env = std::getenv("BONEPATH_LIBEXEC_DIR"); env && *env) return {env};
  std::vector<std::string> dirs;
  if (std::string exe = ExecutableDir(); !exe.empty()) {
    dirs.push_back(exe);
    dirs.push_back(exe + "/../lib/bonepath");
  }
  if (std::string_view build = BONEPATH_BUILD_DIR; !build.empty()) dirs.emplace_back(build);
  return dirs;
}

}  // namespace

std::optional<std::string> FindCompanion(std::string_view file_name) {
  for (const std::string& dir : SearchDirs()) {
    std::string path = dir + "/" + std::string(file_name);
    if (::access(path.c_str(), R_OK) == 0) return path;
  }
  return std::nullopt;
}

std::string CompanionSearchPath() {
  std::string out;
  for (const std::string& dir : SearchDirs()) {
    if (!out.empty()) out += ':';
    out += dir;
  }
  return out;
}

}  // namespace bp::platform
