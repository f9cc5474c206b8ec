// `bonepath fhir extract`: what bonepath understood from FHIR data, and where each fact came
// from. Wiring only: the reader is src/fhir.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/command.h"
#include "cli/input.h"
#include "fhir/fhir_reader.h"
#include "io/assessment_json.h"
#include "knowledge/loader.h"

namespace bp::cli {
namespace {

// Same ceiling as assess (cli/input.cc): a Bundle larger than this is refused, not parsed.
constexpr std::size_t kMaxFhirBytes = 256u * 1024 * 1024;

struct FhirArgs {
  std::string file;
  std::string patient;
  std::string as_of;
};

int Fail(const std::string& where, const Errors& errs) {
  std::fputs(FormatErrorsForStderr(where, errs).c_str(), stderr);
  return ExitStatus(errs);
}

int RunExtract(const FhirArgs& a) {
  const KnowledgeBase& kb = EmbeddedKnowledge();
  FhirOptions opt;
  if (!a.patient.empty()) opt.patient_id = a.patient;
  if (!a.as_of.empty()) {
    opt.as_of = Date::Parse(a.as_of);
    if (!opt.as_of)
      return Fail("--as-of", {{"date", "--as-of", "\"" + a.as_of + "\" is not a calendar date"}});
  }
  std::error_code ec;
  Result<FhirExtract> x = Error{"internal", "", "not read"};
  const std::string where = a.file == "-" ? "stdin" : a.file;
  if (a.file != "-" && std::filesystem::is_directory(a.file, ec)) {
    x = ReadBulkExport(a.file, kb, opt);
  } else {
    auto text = ReadInput(a.file, kMaxFhirBytes);
    if (!text) return Fail(where, text.errors());
    if (!LooksLikeFhir(*text))
      return Fail(where, {{"unsupported", "resourceType",
                           "not a FHIR resource (no \"resourceType\"): a native record needs no "
                           "extraction"}});
    x = ReadFhirBundleInPlace(*text, kb, opt);
  }
  if (!x) return Fail(where, x.errors());
  std::cout << FhirExtractToJson(*x) << "\n";
  std::cout.flush();
  return std::cout ? kExitOk : kExitInternal;
}

const CommandRegistrar kReg("fhir", [](CLI::App& app, int* status) {
  CLI::App* fhir = app.add_subcommand("fhir", "Work with FHIR R4 input");
  fhir->require_subcommand(1);
  auto args = std::make_shared<FhirArgs>();
  CLI::App* ex = fhir->add_subcommand(
      "extract",
      "Print the native record read from a FHIR Bundle or Bulk Data folder, with the resource "
      "each fact came from, what was ignored and why, and the input issues");
  ex->add_option("file", args->file, "bundle.json | export-dir | -")->required();
  ex->add_option("--patient", args->patient, "patient id in a multi-patient Bundle or folder");
  ex->add_option("--as-of", args->as_of, "ignore data dated after YYYY-MM-DD");
  ex->callback([args, status] { *status = RunExtract(*args); });
});

}  // namespace
}  // namespace bp::cli
