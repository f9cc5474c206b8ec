// bonepath: the command-line entry point. Parsing and wiring only; every decision is the
// engine's (src/rules), every format the io library's.
#include <cstdio>
#include <exception>
#include <map>

#include "cli/command.h"

namespace bp::cli {
namespace {
std::map<std::string, CommandSetup>& Registry() {
  static std::map<std::string, CommandSetup> r;
  return r;
}
}  // namespace

CommandRegistrar::CommandRegistrar(std::string name, CommandSetup setup) {
  Registry().emplace(std::move(name), std::move(setup));
}

void SetupAllCommands(CLI::App& app, int* status) {
  for (auto& [name, setup] : Registry()) setup(app, status);
}

}  // namespace bp::cli

int main(int argc, char** argv) {
  CLI::App app{
      "bonepath: clinical decision support for osteoporosis treatment and referral.\n"
      "Decision support for health professionals, not a verdict: every statement names its rule "
      "and source, and no rule has yet been approved by a clinical reviewer."};
  app.set_version_flag("--version", std::string("bonepath ") + BONEPATH_VERSION);
  app.require_subcommand(1);
  int status = bp::cli::kExitOk;
  bp::cli::SetupAllCommands(app, &status);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : bp::cli::kExitBadInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bonepath: internal error: %s\n", e.what());
    return bp::cli::kExitInternal;
  }
  return status;
}
