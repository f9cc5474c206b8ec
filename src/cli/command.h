// Sub-commands register themselves here, one file each (cmd_*.cc), so that main.cc stays wiring
// only and each channel's command can be added without touching the others.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "common/result.h"

namespace bp::cli {

// Exit statuses of the CLI contract: kExitOk, kExitInternal, kExitBadInput and ExitStatus(errors)
// come from the one error table (common/error_code.h, common/result.h).
using bp::kExitBadInput;
using bp::kExitInternal;
using bp::kExitOk;

// `setup` adds the sub-command to `app` and binds its callback. The callback's exit status is
// stored in `*status` (main returns it).
using CommandSetup = std::function<void(CLI::App& app, int* status)>;

struct CommandRegistrar {
  CommandRegistrar(std::string name, CommandSetup setup);
};

void SetupAllCommands(CLI::App& app, int* status);

}  // namespace bp::cli
