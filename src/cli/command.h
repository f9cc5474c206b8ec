// Sub-commands register themselves here, one file each (cmd_*.cc), so that main.cc stays wiring
// only and each channel's command can be added without touching the others.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace bp::cli {

// Exit statuses of the CLI contract.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInternal = 1;
inline constexpr int kExitBadInput = 2;

// `setup` adds the sub-command to `app` and binds its callback. The callback's exit status is
// stored in `*status` (main returns it).
using CommandSetup = std::function<void(CLI::App& app, int* status)>;

struct CommandRegistrar {
  CommandRegistrar(std::string name, CommandSetup setup);
};

void SetupAllCommands(CLI::App& app, int* status);

}  // namespace bp::cli
