// bonepath: the command-line entry point. Parsing and wiring only; every decision is the
// engine's (src/rules), every format the io library's.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <map>
#include <string>
#include <vector>

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

namespace {

// Edit distance, for suggesting the command meant by a typo.
size_t Distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// An unknown command word: says so and suggests the nearest command (CLI11 alone says "A
// subcommand is required"). False when `word` is a command.
bool ReportUnknownCommand(CLI::App& app, const std::string& word) {
  std::string best;
  size_t best_d = 0;
  for (const CLI::App* sub : app.get_subcommands({})) {
    const std::string& name = sub->get_name();
    if (name == word) return false;
    const size_t d = Distance(word, name);
    if (best.empty() || d < best_d) {
      best = name;
      best_d = d;
    }
  }
  std::string shown;
  for (char c : word.substr(0, 64))
    shown += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  std::fprintf(stderr, "bonepath: unknown command \"%s\"", shown.c_str());
  if (!best.empty() && best_d <= std::max<size_t>(2, best.size() / 3))
    std::fprintf(stderr, "; did you mean \"%s\"?", best.c_str());
  std::fprintf(stderr, " (bonepath --help lists the commands)\n");
  return true;
}

}  // namespace
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
  if (argc > 1 && argv[1][0] != '-' && bp::cli::ReportUnknownCommand(app, argv[1]))
    return bp::cli::kExitBadInput;
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
