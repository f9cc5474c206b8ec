// `bonepath knowledge [--format markdown|json|html] [--topic T]` renders the knowledge base for
// clinical review (`--questions`: only the seed questions and their answers);
// `bonepath knowledge check [--dir PATH]` validates it (the embedded files, or an
// author's working copy on disk). Wiring only: rendering is src/io, checking src/knowledge.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "fhir/codes.h"
#include "fhir/fhir_reader.h"
#include "io/knowledge_render.h"
#include "knowledge/loader.h"
#include "knowledge/registry_windows.h"
#include "rules/engine.h"

namespace bp::cli {
namespace {

// Files read from disk, owned here so the EmbeddedFile views stay valid while loading.
struct DiskFiles {
  std::vector<std::pair<std::string, std::string>> storage;  // relative path, content
  std::vector<EmbeddedFile> views;
};

// Reads every *.json under `dir` (recursively) with paths relative to it, '/'-separated like
// the embedded table. Errors name the path.
Result<DiskFiles> ReadKnowledgeDir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Error{"io", dir, "not a directory"};
  DiskFiles files;
  Errors errs;
  fs::recursive_directory_iterator it(dir, ec), end;
  if (ec) return Error{"io", dir, ec.message()};
  for (; it != end; it.increment(ec)) {
    if (ec) {
      errs.push_back({"io", dir, ec.message()});
      break;
    }
    if (!it->is_regular_file(ec) || it->path().extension() != ".json") continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    if (!in && !in.eof()) {
      errs.push_back({"io", it->path().string(), "cannot read"});
      continue;
    }
    files.storage.emplace_back(fs::relative(it->path(), dir, ec).generic_string(), buf.str());
  }
  if (!errs.empty()) return errs;
  // Views are taken once storage no longer grows.
  for (const auto& [path, content] : files.storage) files.views.push_back({path, content});
  return files;
}

int RunCheck(const std::string& dir) {
  Result<KnowledgeBase> loaded = EmbeddedKnowledge();
  DiskFiles disk;
  if (!dir.empty()) {
    auto read = ReadKnowledgeDir(dir);
    if (!read) {
      for (const auto& e : read.errors())
        std::fprintf(stderr, "%s: %s\n", e.path.c_str(), e.message.c_str());
      return kExitBadInput;
    }
    disk = std::move(read).value();
    loaded = LoadKnowledge(disk.views);
  }
  if (!loaded) {
    for (const auto& e : loaded.errors())
      std::fprintf(stderr, "%s: %s\n", e.path.c_str(), e.message.c_str());
    std::fprintf(stderr, "knowledge check: %zu problem(s)\n", loaded.errors().size());
    return kExitBadInput;
  }
  const KnowledgeBase& kb = *loaded;
  // The engine and the FHIR reader are the two places that emit rule ids into a trace.
  std::vector<std::string_view> implemented(Engine::ImplementedRules().begin(),
                                            Engine::ImplementedRules().end());
  const auto fhir = FhirImplementedRules();
  implemented.insert(implemented.end(), fhir.begin(), fhir.end());
  auto problems = CheckKnowledge(kb, implemented);
  // Each rule's parameters against what its code reads, and parameters.json against the typed
  // profile.
  // A parameter a rule's texts say counts as used by the rule, like one its code reads.
  std::vector<RuleParameterRead> used = Engine::ParameterReads();
  for (const RuleParameterRead& r : Engine::SaidParameters(kb)) used.push_back(r);
  for (auto& p : CheckRuleParameters(kb, used)) problems.push_back(std::move(p));
  for (auto& p : CheckTypedParameters(kb, Engine::TypedParameters()))
    problems.push_back(std::move(p));
  // The rules' sentences: every text the code says exists and compiles under every profile,
  // and every text in knowledge/ is said.
  for (auto& t : Engine::CheckTexts(kb)) problems.push_back({"texts", std::move(t)});
  // The files the core loader leaves to the commands that need them are checked here too: the
  // registry's windows (their rules, warnings and sources must exist) and the FHIR value sets.
  const std::span<const EmbeddedFile> files =
      dir.empty() ? EmbeddedKnowledgeFiles() : std::span<const EmbeddedFile>(disk.views);
  for (auto& p : CheckJsonFiles(files)) problems.push_back(std::move(p));
  const auto windows = registry::LoadWindows(files);
  if (!windows) {
    for (const auto& e : windows.errors()) problems.push_back({e.path, e.message});
  } else {
    auto rule = [&](const std::string& where, const std::string& id) {
      if (!kb.FindRule(id)) problems.push_back({where, "rule \"" + id + "\" not in the rules"});
    };
    auto source = [&](const std::string& where, const std::string& key) {
      if (!kb.FindReference(key))
        problems.push_back({where, "source \"" + key + "\" not in bibliography"});
    };
    for (const auto& key : windows->sources) source("registry.json", key);
    for (const auto& a : windows->agents) {
      const std::string where = "registry.json: " + a.agent;
      for (const auto& id : a.rules) rule(where, id);
      for (const auto& key : a.sources) source(where, key);
    }
    for (const auto& id : windows->alert_rules) rule("registry.json: alerts", id);
    for (const auto& w : windows->alert_warnings)
      if (!kb.FindWarning(w.code))
        problems.push_back({"registry.json: alerts", "warning \"" + w.code + "\" not in warnings"});
  }
  // Every file the knowledge names must ship with bonepath. With --dir the repository root is
  // the directory above it, and the named files must exist there too.
  std::function<bool(std::string_view)> exists;
  if (!dir.empty()) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path knowledge = fs::absolute(fs::path(dir), ec).lexically_normal();
    if (!knowledge.has_filename()) knowledge = knowledge.parent_path();  // "knowledge/"
    exists = [root = knowledge.parent_path()](std::string_view path) {
      std::error_code e;
      return fs::exists(root / fs::path(path), e);
    };
  }
  for (auto& p : CheckCitedFiles(files, exists)) problems.push_back(std::move(p));
  std::vector<std::string> table_problems;
  (void)fhir::CodeTables::Build(files, &table_problems);
  for (auto& p : table_problems) problems.push_back({"valuesets", std::move(p)});
  for (const auto& p : problems)
    std::fprintf(stderr, "%s: %s\n", p.where.c_str(), p.message.c_str());
  if (!problems.empty()) {
    std::fprintf(stderr, "knowledge check: %zu problem(s)\n", problems.size());
    return kExitBadInput;
  }
  std::printf(
      "knowledge check: %zu rules, %zu references, %zu parameters, %zu profiles, %zu registry "
      "windows, value sets: OK\n",
      kb.rules.size(), kb.bibliography.size(), kb.parameters.size(), kb.profiles.size(),
      windows->agents.size());
  return kExitOk;
}

int RunRender(const std::string& format, const std::string& topic, bool questions) {
  const KnowledgeBase& kb = EmbeddedKnowledge();
  if (questions) {
    const std::string qa = RenderQuestionAnswers(kb);
    std::fwrite(qa.data(), 1, qa.size(), stdout);
    return kExitOk;
  }
  Result<std::string> out = format == "json"   ? RenderKnowledgeJson(kb, topic)
                            : format == "html" ? RenderKnowledgeHtml(kb, topic)
                                               : RenderKnowledgeMarkdown(kb, topic);
  if (!out) {
    for (const auto& e : out.errors())
      std::fprintf(stderr, "bonepath knowledge: %s: %s\n", e.path.c_str(), e.message.c_str());
    return kExitBadInput;
  }
  std::fwrite(out->data(), 1, out->size(), stdout);
  return kExitOk;
}

struct Options {
  std::string format = "markdown";
  std::string topic;
  std::string dir;
  bool questions = false;
};

static CommandRegistrar reg("knowledge", [](CLI::App& app, int* status) {
  // Shared by the callbacks, which run after parsing; lives as long as the program.
  static Options opts;
  CLI::App* cmd = app.add_subcommand(
      "knowledge",
      "Render the knowledge base (every rule with its statement, thresholds, sources and seeds) "
      "for clinical review, grouped by topic");
  CLI::Option* format = cmd->add_option("--format", opts.format, "Output format")
                            ->check(CLI::IsMember({"markdown", "json", "html"}))
                            ->capture_default_str();
  cmd->add_option("--topic", opts.topic, "Only this topic (e.g. infusion)");
  cmd->add_flag("--questions", opts.questions,
                "Only the seed documents' questions with the knowledge base's answers (Markdown)")
      ->excludes("--topic");
  CLI::App* check = cmd->add_subcommand(
      "check",
      "Validate the knowledge files: unique ids, citations resolve, thresholds have units, every "
      "rule reachable; exit 0 when valid, 2 otherwise");
  check->add_option("--dir", opts.dir,
                    "Check the knowledge files in this directory (e.g. knowledge/) instead of "
                    "the ones built into this binary");
  check->callback([status] { *status = RunCheck(opts.dir); });
  cmd->callback([check, format, status] {
    if (check->parsed()) return;  // `knowledge check` ran its own callback
    // The questions exist in Markdown only: another format is refused, not silently ignored.
    if (opts.questions && format->count() > 0 && opts.format != "markdown") {
      std::fprintf(stderr,
                   "bonepath knowledge: --format: --questions is written in Markdown only, not "
                   "%s\n",
                   opts.format.c_str());
      *status = kExitBadInput;
      return;
    }
    *status = RunRender(opts.format, opts.topic, opts.questions);
  });
});

}  // namespace
}  // namespace bp::cli
