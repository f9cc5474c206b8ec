// `bonepath serve`, `bonepath feedback` and `bonepath registry` run in the companion executable
// bonepath-server (cmd_serve.cc, cmd_feedback.cc, cmd_registry.cc, src/server, src/storage),
// which links the database, HTTP, JWT, TLS and HTTP-client libraries. Keeping them out of this
// executable keeps `bonepath assess` from loading them: a process that links them spends several
// milliseconds in the dynamic loader before main().
// These sub-commands only hand their arguments over; the service itself parses them.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "cli/command.h"
#include "cli/server_commands.h"
#include "platform/companion.h"

namespace bp::cli {
namespace {

int Forward(const char* command, const std::vector<std::string>& args) {
  const auto path = platform::FindCompanion(kServerExecutable);
  if (!path) {
    std::fprintf(stderr,
                 "bonepath: `%s` needs %s, which is not installed next to bonepath "
                 "(searched %s; set BONEPATH_LIBEXEC_DIR to its directory)\n",
                 command, kServerExecutable, platform::CompanionSearchPath().c_str());
    return kExitInternal;
  }
  std::vector<std::string> owned{"bonepath", command};
  owned.insert(owned.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : owned) argv.push_back(s.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  ::execv(path->c_str(), argv.data());
  std::fprintf(stderr, "bonepath: cannot start %s: %s\n", path->c_str(), std::strerror(errno));
  return kExitInternal;
}

void AddForwarder(CLI::App& app, int* status, const char* name, const char* description) {
  CLI::App* cmd = app.add_subcommand(name, description);
  cmd->prefix_command();  // every argument after the name belongs to bonepath-server
  cmd->set_help_flag();   // so does --help
  cmd->callback([cmd, status, name] { *status = Forward(name, cmd->remaining()); });
}

const CommandRegistrar kServe("serve", [](CLI::App& app, int* status) {
  AddForwarder(app, status, "serve", kServeDescription);
});
const CommandRegistrar kFeedback("feedback", [](CLI::App& app, int* status) {
  AddForwarder(app, status, "feedback", kFeedbackDescription);
});
const CommandRegistrar kRegistry("registry", [](CLI::App& app, int* status) {
  AddForwarder(app, status, "registry", kRegistryDescription);
});

}  // namespace
}  // namespace bp::cli
