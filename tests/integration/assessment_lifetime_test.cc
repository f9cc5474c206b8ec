// An assessment is a plain value: nothing in it may refer to storage the engine reuses for later
// assessments. Assessments kept while many more are made, destroyed on another thread, or moved
// and copied, must read exactly as they did when they were returned.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "domain/assessment.h"
#include "domain/patient.h"
#include "io/assessment_json.h"
#include "io/native_reader.h"
#include "knowledge/loader.h"
#include "rules/engine.h"

namespace bp {
namespace {

std::vector<Patient> PublicVignettePatients() {
  std::vector<Patient> out;
  const std::filesystem::path dir =
      std::filesystem::path(BONEPATH_SOURCE_DIR) / "tests" / "vignettes" / "public";
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f);
    std::stringstream buf;
    buf << in.rdbuf();
    const auto vignette = nlohmann::json::parse(buf.str());
    auto patient = ReadNativePatient(vignette.at("patient").dump(), EmbeddedKnowledge(), nullptr);
    EXPECT_TRUE(patient.has_value()) << f;
    if (patient && patient.value().as_of) out.push_back(std::move(patient.value()));
  }
  return out;
}

class AssessmentLifetime : public ::testing::Test {
 protected:
  void SetUp() override {
    patients_ = PublicVignettePatients();
    ASSERT_GE(patients_.size(), 10u);
  }
  Assessment Assess(std::size_t i) const {
    const Patient& p = patients_[i % patients_.size()];
    return engine_.Assess(p, *p.as_of);
  }
  std::string Json(const Assessment& a) const { return AssessmentToJson(a, EmbeddedKnowledge()); }

  std::vector<Patient> patients_;
  Engine engine_ = std::move(Engine::Create(EmbeddedKnowledge()).value());
};

TEST_F(AssessmentLifetime, HeldAssessmentsAreUntouchedByLaterOnes) {
  // 30 held at once.
  std::vector<Assessment> held;
  std::vector<std::string> at_return;
  for (std::size_t i = 0; i < 30; ++i) {
    held.push_back(Assess(i));
    at_return.push_back(Json(held.back()));
  }
  // Release every other one, then make more: the held ones must not change.
  for (std::size_t i = 0; i < held.size(); i += 2) held[i] = Assessment();
  std::vector<Assessment> later;
  for (std::size_t i = 0; i < 40; ++i) later.push_back(Assess(i + 3));
  for (std::size_t i = 1; i < held.size(); i += 2)
    EXPECT_EQ(Json(held[i]), at_return[i]) << "assessment " << i;
}

TEST_F(AssessmentLifetime, CopiesAndMovedListsOutliveTheAssessment) {
  std::string expected;
  Assessment copy;
  std::vector<TraceEntry> trace;
  {
    Assessment a = Assess(5);
    expected = Json(a);
    copy = a;
    trace = std::move(a.trace);
  }
  for (std::size_t i = 0; i < 20; ++i) Assess(i);
  Assessment original_again = Assess(5);
  EXPECT_EQ(Json(copy), expected);
  ASSERT_EQ(trace.size(), original_again.trace.size());
  for (std::size_t i = 0; i < trace.size(); ++i) {
    EXPECT_EQ(trace[i].rule, original_again.trace[i].rule);
    EXPECT_EQ(trace[i].because, original_again.trace[i].because);
  }
}

TEST_F(AssessmentLifetime, AssessmentsDestroyedOnAnotherThread) {
  // Made here, destroyed there.
  for (int round = 0; round < 5; ++round) {
    std::vector<Assessment> batch;
    for (std::size_t i = 0; i < 12; ++i)
      batch.push_back(Assess(i + static_cast<std::size_t>(round)));
    std::thread([b = std::move(batch)]() mutable { b.clear(); }).join();
  }
  const Assessment a = Assess(2);
  const std::string first = Json(a);
  std::vector<Assessment> more;
  for (std::size_t i = 0; i < 20; ++i) more.push_back(Assess(i));
  EXPECT_EQ(Json(a), first);
  // Made on another thread, read and destroyed here after that thread has ended.
  Assessment from_thread;
  std::string from_thread_json;
  std::thread([&] {
    from_thread = Assess(7);
    from_thread_json = Json(from_thread);
  }).join();
  for (std::size_t i = 0; i < 10; ++i) Assess(i);
  EXPECT_EQ(Json(from_thread), from_thread_json);
}

// Some trace texts are formatted once per engine (the thresholds of its profile): an assessment
// must read the same after its engine is gone, and engines made again must not pile up copies.
TEST_F(AssessmentLifetime, AssessmentsOutliveTheirEngine) {
  std::vector<Assessment> kept;
  std::vector<std::string> expected;
  for (std::size_t i = 0; i < 20; ++i) {
    auto engine = Engine::Create(EmbeddedKnowledge());
    ASSERT_TRUE(engine.has_value());
    const Patient& p = patients_[i % patients_.size()];
    kept.push_back(engine.value().Assess(p, *p.as_of));
    expected.push_back(Json(kept.back()));
  }
  for (std::size_t i = 0; i < kept.size(); ++i) {
    EXPECT_EQ(Json(kept[i]), expected[i]) << i;
    EXPECT_EQ(Json(kept[i]), Json(Assess(i))) << i;
  }
}

}  // namespace
}  // namespace bp
