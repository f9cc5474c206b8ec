// `bonepath assess`: one patient in, the engine's assessment out, in the format asked for.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli/command.h"
#include "cli/input.h"
#include "cli/wrap.h"
#include "io/assessment_json.h"
#include "io/render.h"
#include "knowledge/loader.h"
#include "rules/engine.h"

namespace bp::cli {
namespace {

struct AssessArgs {
  std::string file;
  std::string format = "text";
  std::string profile = "us-composite";
  std::string as_of;
  std::string patient;
  std::string color = "auto";
};

// --color=always|never|auto; auto: colour on a terminal unless NO_COLOR is set (no-color.org).
bool UseColor(const std::string& mode) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  return isatty(STDOUT_FILENO) != 0;
}

int ReportErrors(const std::string& file, const Errors& errs, bool json) {
  // An error whose path is the file (or option) itself is printed once: "--as-of: ...", not
  // "--as-of: --as-of: ...". The JSON keeps the path.
  Errors shown = errs;
  for (auto& e : shown)
    if (e.path == file) e.path.clear();
  std::fputs(FormatErrorsForStderr(file, shown).c_str(), stderr);
  if (json) std::cout << ErrorsToJson(errs) << "\n";
  return ExitStatus(errs);
}

int RunAssess(const AssessArgs& a) {
  const bool json = a.format == "json";
  const KnowledgeBase& kb = EmbeddedKnowledge();
  LoadOptions opt;
  if (!a.patient.empty()) opt.patient_id = a.patient;
  if (!a.as_of.empty()) {
    opt.as_of = Date::Parse(a.as_of);
    if (!opt.as_of)
      return ReportErrors(
          "--as-of",
          {{"date", "--as-of", "\"" + a.as_of + "\" is not a calendar date (YYYY-MM-DD)"}}, json);
  }
  auto engine = Engine::Create(kb, a.profile);
  if (!engine) return ReportErrors("--profile", engine.errors(), json);
  auto loaded = LoadPatient(a.file, kb, opt);
  if (!loaded) return ReportErrors(a.file == "-" ? "stdin" : a.file, loaded.errors(), json);
  Assessment out = engine->Assess(loaded->patient, AssessmentDate(loaded->patient, opt));
  for (auto& t : loaded->mapping_trace) out.trace.push_back(std::move(t));
  for (auto& i : loaded->issues) out.input_issues.push_back(std::move(i));
  if (json)
    std::cout << AssessmentToJson(out, kb) << "\n";
  else if (a.format == "markdown")
    std::cout << RenderMarkdown(out, kb);
  else if (a.format == "html")
    std::cout << RenderHtml(out, kb);
  else
    std::cout << WrapText(RenderText(out, kb, UseColor(a.color)), TerminalWidth());
  std::cout.flush();
  return std::cout ? kExitOk : kExitInternal;
}

const CommandRegistrar kReg("assess", [](CLI::App& app, int* status) {
  auto args = std::make_shared<AssessArgs>();
  CLI::App* cmd = app.add_subcommand(
      "assess",
      "Assess one patient: a native record, a FHIR R4 Bundle, a Bulk Data folder or - (stdin)");
  cmd->add_option("file", args->file, "patient.json | bundle.json | export-dir | -")->required();
  cmd->add_option("--format", args->format, "text | json | markdown | html (default text)")
      ->check(CLI::IsMember({"text", "json", "markdown", "html"}));
  cmd->add_option("--profile", args->profile, "guideline profile (default us-composite)");
  cmd->add_option("--as-of", args->as_of,
                  "assessment date YYYY-MM-DD (default: the record's as_of, else today)");
  cmd->add_option("--patient", args->patient,
                  "patient id in a multi-patient Bundle or a Bulk Data folder");
  cmd->add_option("--color", args->color,
                  "colour in text output: auto (a terminal, unless NO_COLOR is set) | always | "
                  "never (default auto)")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->callback([args, status] { *status = RunAssess(*args); });
});

}  // namespace
}  // namespace bp::cli
