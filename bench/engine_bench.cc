// Engine throughput on parsed records (Google Benchmark). The target is at least 200,000
// assessments per second on one core for the V22 record (a recent hip fracture: very high risk,
// anabolic therapy, referrals, pre-infusion checks, so most of the rules fire). Figures go in the
// README with the command that reproduces them; nothing here asserts a time.
//
//   build/bench/engine_bench --benchmark_filter=Assess
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/date.h"
#include "domain/patient.h"
#include "io/assessment_json.h"
#include "io/native_reader.h"
#include "knowledge/loader.h"
#include "rules/engine.h"

namespace bp {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Benchmarks measure the engine, not error handling: a record that does not read is a broken
// checkout, so stop with the reader's message.
Patient MustRead(const std::string& json_text, const std::string& what) {
  auto p = ReadNativePatient(json_text, EmbeddedKnowledge(), nullptr);
  if (!p) {
    std::fprintf(stderr, "%s: %s: %s\n", what.c_str(), p.error().path.c_str(),
                 p.error().message.c_str());
    std::exit(1);
  }
  return std::move(p).value();
}

const fs::path kSource(BONEPATH_SOURCE_DIR);

const std::string& V22Text() {
  static const std::string text =
      ReadFile(kSource / "examples" / "osteoporosis-recent-hip-fracture.json");
  return text;
}

const Patient& V22() {
  static const Patient p = MustRead(V22Text(), "examples/osteoporosis-recent-hip-fracture.json");
  return p;
}

// Every public vignette: low and very high risk, renal contraindication, specialist decisions,
// a spinal emergency, denosumab discontinuation.
const std::vector<Patient>& Varied() {
  static const std::vector<Patient> patients = [] {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(kSource / "tests" / "vignettes" / "public")) {
      if (e.path().extension() == ".json") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    std::vector<Patient> out;
    for (const auto& f : files) {
      const auto vignette = nlohmann::json::parse(ReadFile(f));
      out.push_back(MustRead(vignette.at("patient").dump(), f.string()));
    }
    return out;
  }();
  return patients;
}

const Engine& TheEngine() {
  static const Engine engine = [] {
    auto e = Engine::Create(EmbeddedKnowledge(), "us-composite");
    if (!e) {
      std::fprintf(stderr, "engine: %s\n", e.error().message.c_str());
      std::exit(1);
    }
    return std::move(e).value();
  }();
  return engine;
}

void BM_AssessV22(benchmark::State& state) {
  const Engine& engine = TheEngine();
  const Patient& p = V22();
  const Date as_of = *p.as_of;
  for (auto _ : state) {
    Assessment a = engine.Assess(p, as_of);
    benchmark::DoNotOptimize(a);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AssessV22);

void BM_AssessVaried(benchmark::State& state) {
  const Engine& engine = TheEngine();
  const std::vector<Patient>& patients = Varied();
  size_t i = 0;
  for (auto _ : state) {
    const Patient& p = patients[i];
    Assessment a = engine.Assess(p, *p.as_of);
    benchmark::DoNotOptimize(a);
    i = (i + 1) % patients.size();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::to_string(patients.size()) + " vignette patients");
}
BENCHMARK(BM_AssessVaried);

// What a caller pays beyond the engine: reading the record, and writing the JSON answer.
void BM_ReadNativePatientV22(benchmark::State& state) {
  const std::string& text = V22Text();
  const KnowledgeBase& kb = EmbeddedKnowledge();
  for (auto _ : state) {
    auto p = ReadNativePatient(text, kb, nullptr);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_ReadNativePatientV22);

void BM_AssessmentToJsonV22(benchmark::State& state) {
  const Assessment a = TheEngine().Assess(V22(), *V22().as_of);
  const KnowledgeBase& kb = EmbeddedKnowledge();
  for (auto _ : state) {
    std::string json = AssessmentToJson(a, kb);
    benchmark::DoNotOptimize(json);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AssessmentToJsonV22);

// Creating an engine resolves every profile's parameters; a process pays it once per run.
void BM_EngineCreate(benchmark::State& state) {
  const KnowledgeBase& kb = EmbeddedKnowledge();
  for (auto _ : state) {
    auto e = Engine::Create(kb, "us-composite");
    benchmark::DoNotOptimize(e);
  }
}
BENCHMARK(BM_EngineCreate);

}  // namespace
}  // namespace bp

BENCHMARK_MAIN();
