// FHIR reader throughput (Google Benchmark): the 2.8 MB Synthea bundle (Clorinda Wilkinson, 884
// resources) read end to end into the native record with provenance, and the extract document
// serialised. The target is the bundle read and assessed in under 20 ms wall; the reader
// alone should take a few ms. Figures go in the README with the command that reproduces them;
// nothing here asserts a time.
//
//   build/bench/fhir_bench --benchmark_filter=Fhir
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fhir/codes.h"
#include "fhir/fhir_reader.h"
#include "knowledge/embedded.h"
#include "knowledge/loader.h"

namespace bp {
namespace {

const std::string& Clorinda() {
  static const std::string text = [] {
    const std::string path = std::string(BONEPATH_SOURCE_DIR) +
                             "/tests/data/synthea-r4/"
                             "Clorinda_Wilkinson_3a77c3ad-6d14-4ec5-ac60-05a01355bb27.json";
    std::ifstream in(path, std::ios::binary);
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (s.empty()) {
      std::fprintf(stderr, "fhir_bench: cannot read %s\n", path.c_str());
      std::exit(1);
    }
    return s;
  }();
  return text;
}

// The code tables built from the embedded knowledge/valuesets/ (and units.json), as
// fhir::CodeTables::Get() does once per process before the first FHIR input is read.
void BM_FhirCodeTables(benchmark::State& state) {
  for (auto _ : state) {
    std::vector<std::string> problems;
    fhir::CodeTables t = fhir::CodeTables::Build(EmbeddedKnowledgeFiles(), &problems);
    if (!problems.empty()) state.SkipWithError(problems.front().c_str());
    benchmark::DoNotOptimize(t);
  }
}
BENCHMARK(BM_FhirCodeTables)->Unit(benchmark::kMicrosecond);

void BM_FhirReadClorinda(benchmark::State& state) {
  const KnowledgeBase& kb = EmbeddedKnowledge();
  const std::string& text = Clorinda();
  FhirOptions opt;
  opt.as_of = Date::FromYmd(2026, 3, 1);
  for (auto _ : state) {
    auto x = ReadFhirBundle(text, kb, opt);
    if (!x) state.SkipWithError(x.error().message.c_str());
    benchmark::DoNotOptimize(x);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_FhirReadClorinda)->Unit(benchmark::kMillisecond);

// The same read from a string with kFhirInputPadding bytes of spare capacity: parsed in place,
// without simdjson's padded copy of the 2.8 MB.
void BM_FhirReadClorindaInPlace(benchmark::State& state) {
  const KnowledgeBase& kb = EmbeddedKnowledge();
  std::string text;
  text.reserve(Clorinda().size() + kFhirInputPadding);
  text = Clorinda();
  FhirOptions opt;
  opt.as_of = Date::FromYmd(2026, 3, 1);
  for (auto _ : state) {
    auto x = ReadFhirBundleInPlace(text, kb, opt);
    if (!x) state.SkipWithError(x.error().message.c_str());
    benchmark::DoNotOptimize(x);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_FhirReadClorindaInPlace)->Unit(benchmark::kMillisecond);

void BM_FhirReadAndExtractJson(benchmark::State& state) {
  const KnowledgeBase& kb = EmbeddedKnowledge();
  const std::string& text = Clorinda();
  for (auto _ : state) {
    auto x = ReadFhirBundle(text, kb, {});
    if (!x) state.SkipWithError(x.error().message.c_str());
    std::string out = FhirExtractToJson(*x);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_FhirReadAndExtractJson)->Unit(benchmark::kMillisecond);

void BM_FhirLooksLikeFhir(benchmark::State& state) {
  const std::string& text = Clorinda();
  for (auto _ : state) benchmark::DoNotOptimize(LooksLikeFhir(text));
}
BENCHMARK(BM_FhirLooksLikeFhir);

}  // namespace
}  // namespace bp

BENCHMARK_MAIN();
