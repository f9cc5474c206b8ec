// `bonepath measure CMS249|CMS645`: electronic clinical quality measures evaluated natively
// (src/measures) on a FHIR Bundle or a Bulk Data export folder, reported as FHIR R4
// MeasureReport JSON. Wiring only.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/command.h"
#include "cli/input.h"
#include "io/assessment_json.h"
#include "measures/bulk_eval.h"
#include "measures/bundle.h"
#include "measures/report.h"

namespace bp::cli {
namespace {

// A Bundle larger than this is refused, not parsed (the same ceiling as `fhir extract`); larger
// populations belong in a Bulk Data folder, which is streamed.
constexpr std::size_t kMaxBundleBytes = 256u * 1024 * 1024;
constexpr int kMaxThreads = 256;

struct MeasureArgs {
  std::string measure;
  std::string input;
  std::string period_start, period_end;
  std::string report;
  int threads = 0;
};

int Fail(const std::string& where, const Errors& errs) {
  std::fputs(FormatErrorsForStderr(where, errs).c_str(), stderr);
  return kExitBadInput;
}

std::optional<measures::DateTime> ParseDay(const std::string& s, bool end_of_day) {
  if (s.size() != 10) return std::nullopt;
  auto d = measures::DateTime::Parse(s);
  if (!d || d->fields() != 3) return std::nullopt;
  return end_of_day
             ? measures::DateTime::MakeDateTime(d->year(), d->field(1), d->field(2), 23, 59, 59,
                                                999, 0)
             : measures::DateTime::MakeDateTime(d->year(), d->field(1), d->field(2), 0, 0, 0, 0, 0);
}

int Run(const MeasureArgs& a) {
  auto m = measures::MakeMeasure(a.measure);
  if (!m) return Fail("measure", m.errors());
  const measures::MeasureKnowledge& k = (*m)->knowledge();
  measures::ReportPeriod rp{a.period_start.empty() ? k.period_start : a.period_start,
                            a.period_end.empty() ? k.period_end : a.period_end};
  const auto start = ParseDay(rp.start, false);
  if (!start)
    return Fail("--period-start", {{"date", "--period-start", "not a calendar date YYYY-MM-DD"}});
  const auto end = ParseDay(rp.end, true);
  if (!end)
    return Fail("--period-end", {{"date", "--period-end", "not a calendar date YYYY-MM-DD"}});
  if (measures::IsTrue(measures::After(*start, *end)))
    return Fail("--period-end",
                {{"inconsistent", "--period-end", "the period ends before it starts"}});
  const measures::MeasurementPeriod mp{*start, *end};
  int threads = a.threads;
  if (threads == 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (threads < 1 || threads > kMaxThreads)
    return Fail("--threads", {{"schema", "--threads", "must be between 1 and 256"}});

  std::error_code ec;
  const bool is_dir = a.input != "-" && std::filesystem::is_directory(a.input, ec);
  std::string report = a.report;
  // Individual reports of several patients are streamed as one Bundle.
  bool first_entry = true;
  const auto open_bundle = [&] {
    std::cout << "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[";
  };
  const auto write_entry = [&](const measures::PatientResult& r) {
    if (!first_entry) std::cout << ',';
    first_entry = false;
    std::cout << "{\"resource\":" << measures::IndividualReport(k, r, rp) << '}';
  };
  measures::SummaryAccumulator acc(k, report == "subject-list");
  if (is_dir) {
    if (report.empty()) report = "summary";
    measures::SummaryAccumulator acc2(k, report == "subject-list");
    if (report == "individual") open_bundle();
    measures::BulkOptions bo;
    bo.threads = threads;
    bo.evidence = report == "individual";
    auto err = measures::EvaluateBulk(
        **m, a.input, mp, bo,
        [&](const measures::PatientResult& r) {
          if (report == "individual")
            write_entry(r);
          else
            acc2.Add(r);
        },
        nullptr);
    if (err) {
      if (report == "individual") std::cout << "]}\n";
      return Fail(a.input, {*err});
    }
    if (report == "individual")
      std::cout << "]}\n";
    else
      std::cout << acc2.Report(rp) << "\n";
  } else {
    auto text = ReadInput(a.input, kMaxBundleBytes);
    const std::string where = a.input == "-" ? "stdin" : a.input;
    if (!text) return Fail(where, text.errors());
    auto pop = measures::ReadBundle(*text);
    if (!pop) return Fail(where, pop.errors());
    if (report.empty()) report = pop->patients.size() == 1 ? "individual" : "summary";
    const bool single = report == "individual" && pop->patients.size() == 1;
    if (report == "individual" && !single) open_bundle();
    measures::EvaluateRecords(**m, pop->patients, pop->medications, mp, threads,
                              [&](const measures::PatientResult& r) {
                                if (single)
                                  std::cout << measures::IndividualReport(k, r, rp);
                                else if (report == "individual")
                                  write_entry(r);
                                else
                                  acc.Add(r);
                              });
    if (single)
      std::cout << "\n";
    else if (report == "individual")
      std::cout << "]}\n";
    else
      std::cout << acc.Report(rp) << "\n";
  }
  std::cout.flush();
  return std::cout ? kExitOk : kExitInternal;
}

const CommandRegistrar kReg("measure", [](CLI::App& app, int* status) {
  auto args = std::make_shared<MeasureArgs>();
  CLI::App* cmd = app.add_subcommand(
      "measure",
      "Evaluate an eCQM (CMS249, CMS645) on a FHIR Bundle or Bulk Data folder and print FHIR R4 "
      "MeasureReport JSON");
  cmd->add_option("measure", args->measure, "CMS249 | CMS645")
      ->required()
      ->check(CLI::IsMember({"CMS249", "CMS645", "cms249", "cms645"}));
  cmd->add_option("input", args->input, "bundle.json | bulk-export-dir | -")->required();
  cmd->add_option("--period-start", args->period_start,
                  "measurement period start YYYY-MM-DD (default: the measure's reporting year)");
  cmd->add_option("--period-end", args->period_end, "measurement period end YYYY-MM-DD");
  cmd->add_option("--report", args->report,
                  "individual | summary | subject-list (default: individual for one patient, "
                  "summary for several)")
      ->check(CLI::IsMember({"individual", "summary", "subject-list"}));
  cmd->add_option("--threads", args->threads, "worker threads (default: every core)");
  cmd->callback([args, status] { *status = Run(*args); });
});

}  // namespace
}  // namespace bp::cli
