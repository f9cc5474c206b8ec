// libFuzzer target: `bonepath knowledge check --dir` reads files a rule author edits by hand, so
// every check it runs must answer any file content with problems, never a crash, a hang or a
// sanitizer report. (A manifest without "topics" once crashed the loader.)
//
// An input is a knowledge file: its first line is the path it takes (relative to knowledge/,
// e.g. "rules/infusion.json"; an embedded file of that path is replaced, another path is added),
// the rest its content. The other files are the embedded knowledge.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/codes.h"
#include "fhir/fhir_reader.h"
#include "knowledge/loader.h"
#include "knowledge/registry_windows.h"
#include "rules/engine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  if (newline == std::string_view::npos || newline == 0) return 0;
  const std::string path(input.substr(0, newline));
  const std::string content(input.substr(newline + 1));

  // The embedded files, with the input in place of its namesake; the input comes last.
  std::vector<bp::EmbeddedFile> files;
  for (const bp::EmbeddedFile& f : bp::EmbeddedKnowledgeFiles())
    if (f.path != path) files.push_back(f);
  files.push_back({path, content});

  // Only the checks that read the changed file: the whole set takes about 60 ms a run under the
  // sanitizers, the table builds and the rules' sentences under every profile most of it.
  if (bp::fhir::CodeTables::IsTableFile(path)) {
    std::vector<std::string> problems;
    (void)bp::fhir::CodeTables::Build(files, &problems);
  }
  if (path == "registry.json") (void)bp::registry::LoadWindows(files);
  (void)bp::CheckJsonFiles(std::span<const bp::EmbeddedFile>(&files.back(), 1));
  (void)bp::CheckCitedFiles(std::span<const bp::EmbeddedFile>(&files.back(), 1),
                            [](std::string_view) { return true; });
  auto loaded = bp::LoadKnowledge(files);
  if (!loaded) {
    for (const auto& e : loaded.errors())
      if (e.message.empty()) __builtin_trap();  // a problem must say what is wrong
    return 0;
  }
  const bp::KnowledgeBase& kb = *loaded;
  std::vector<std::string_view> implemented(bp::Engine::ImplementedRules().begin(),
                                            bp::Engine::ImplementedRules().end());
  for (std::string_view id : bp::FhirImplementedRules()) implemented.push_back(id);
  (void)bp::CheckKnowledge(kb, implemented);
  std::vector<bp::RuleParameterRead> used = bp::Engine::ParameterReads();
  for (const bp::RuleParameterRead& r : bp::Engine::SaidParameters(kb)) used.push_back(r);
  (void)bp::CheckRuleParameters(kb, used);
  (void)bp::CheckTypedParameters(kb, bp::Engine::TypedParameters());
  (void)bp::Engine::CheckTexts(kb);
  return 0;
}
