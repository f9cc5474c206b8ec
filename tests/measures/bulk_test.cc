// The Bulk Data reader: every line delivered once whatever the range and buffer sizes and the
// number of threads; long lines refused with the file named; only regular *.ndjson files read;
// a measure over a folder gives the same populations whether it is partitioned or not; and the
// `bonepath measure` command on a folder and on a Bundle.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <tuple>

#include "bulk/ndjson.h"
#include "measures/bulk_eval.h"
#include "measures/record.h"

namespace bp {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class TempDir {
 public:
  TempDir() {
    std::string t = (fs::temp_directory_path() / "bp-measure-test-XXXXXX").string();
    path_ = ::mkdtemp(t.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void Write(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

TEST(BulkReader, EveryLineOnceAcrossRangesBuffersAndThreads) {
  TempDir d;
  std::string text;
  std::set<std::string> want;
  for (int i = 0; i < 500; ++i) {
    const std::string line = "{\"n\":" + std::to_string(i) + ",\"pad\":\"" +
                             std::string(static_cast<std::size_t>(i % 37), 'x') + "\"}";
    want.insert(line);
    text += line + (i % 5 == 0 ? "\r\n" : "\n");
    if (i % 50 == 0) text += "\n  \n";  // blank lines are skipped
  }
  text.pop_back();  // last line without a newline
  Write(d.path() / "a.ndjson", text);
  auto l = bulk::ListNdjsonFiles(d.path().string());
  ASSERT_TRUE(l.has_value());
  for (std::uint64_t range : {1u, 7u, 64u, 1000u, 1u << 20}) {
    for (std::size_t buffer : {3u, 16u, 4096u}) {
      for (int threads : {1, 3}) {
        bulk::LineOptions o;
        o.range_bytes = range;
        o.buffer_bytes = buffer;
        o.threads = threads;
        std::mutex mu;
        std::multiset<std::string> got;
        auto err =
            bulk::ForEachLine(l->files, o, [&](int, std::string_view line, const bulk::LineRef&) {
              std::lock_guard<std::mutex> lock(mu);
              got.insert(std::string(line));
              return std::optional<Error>();
            });
        ASSERT_FALSE(err.has_value()) << err->message;
        EXPECT_EQ(got.size(), want.size()) << "range " << range << " buffer " << buffer;
        EXPECT_TRUE(std::equal(got.begin(), got.end(), want.begin(), want.end()));
      }
    }
  }
}

TEST(BulkReader, LongLineIsRefusedNamingTheFileNotTheContent) {
  TempDir d;
  Write(d.path() / "b.ndjson", "{\"ok\":1}\n{\"secret\":\"" + std::string(200, 's') + "\"}\n");
  auto l = bulk::ListNdjsonFiles(d.path().string());
  ASSERT_TRUE(l.has_value());
  bulk::LineOptions o;
  o.max_line_bytes = 100;
  o.buffer_bytes = 16;
  auto err = bulk::ForEachLine(l->files, o, [](int, std::string_view, const bulk::LineRef&) {
    return std::optional<Error>();
  });
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->code, "too_large");
  EXPECT_NE(err->message.find("b.ndjson"), std::string::npos);
  EXPECT_EQ(err->message.find("secret"), std::string::npos);
}

TEST(BulkReader, OnlyRegularNdjsonFiles) {
  TempDir d;
  Write(d.path() / "Patient.ndjson", "{}\n");
  Write(d.path() / "notes.txt", "{}\n");
  fs::create_directory(d.path() / "sub.ndjson");
  fs::create_symlink(d.path() / "Patient.ndjson", d.path() / "Link.ndjson");
  auto l = bulk::ListNdjsonFiles(d.path().string());
  ASSERT_TRUE(l.has_value());
  ASSERT_EQ(l->files.size(), 1u);
  EXPECT_EQ(fs::path(l->files[0].path).filename(), "Patient.ndjson");
  EXPECT_EQ(l->skipped, 3u);
  EXPECT_FALSE(bulk::ListNdjsonFiles((d.path() / "missing").string()).has_value());
}

// The official CMS249 cases as a Bulk Data folder: one file per resource type.
void WriteDeckAsNdjson(const std::string& folder, const fs::path& out) {
  std::map<std::string, std::ofstream> files;
  for (const auto& e :
       fs::directory_iterator(std::string(BONEPATH_TEST_DATA) + "/ecqm/" + folder)) {
    std::ifstream in(e.path());
    const json b = json::parse(in);
    for (const auto& entry : b["entry"]) {
      const std::string type = entry["resource"]["resourceType"];
      if (type == "MeasureReport") continue;
      auto& f = files[type];
      if (!f.is_open()) f.open(out / (type + ".ndjson"));
      f << entry["resource"].dump() << "\n";
    }
  }
}

// The partitioned path (facts spilled in binary by patient) gives every patient the same
// populations and evidence as the in-memory path, for both measures, on 1 and 3 threads.
TEST(BulkMeasure, PartitionedEqualsInMemory) {
  for (const auto& [id, folder, cases] :
       {std::tuple{"CMS249", "cms249", 53u}, std::tuple{"CMS645", "cms645", 49u}}) {
    TempDir d;
    WriteDeckAsNdjson(folder, d.path());
    auto m = measures::MakeMeasure(id);
    ASSERT_TRUE(m.has_value());
    const measures::MeasurementPeriod mp{
        measures::DateTime::MakeDateTime(2025, 1, 1, 0, 0, 0, 0, 0),
        measures::DateTime::MakeDateTime(2025, 12, 31, 23, 59, 59, 999, 0)};
    using Seen = std::map<std::string, std::pair<std::vector<bool>, std::vector<std::string>>>;
    Seen one;
    measures::BulkOptions o;
    measures::BulkStats st;
    ASSERT_FALSE(measures::EvaluateBulk(
                     **m, d.path().string(), mp, o,
                     [&](const measures::PatientResult& r) {
                       one[r.patient_id] = {r.member, r.evaluated_resources};
                     },
                     &st)
                     .has_value());
    EXPECT_EQ(st.partitions, 1u);
    EXPECT_EQ(one.size(), cases);
    for (int threads : {1, 3}) {
      Seen many;
      o.budget_bytes = 4096;  // forces many partitions
      o.threads = threads;
      o.temp_dir = d.path().string();
      ASSERT_FALSE(measures::EvaluateBulk(
                       **m, d.path().string(), mp, o,
                       [&](const measures::PatientResult& r) {
                         many[r.patient_id] = {r.member, r.evaluated_resources};
                       },
                       &st)
                       .has_value());
      EXPECT_GT(st.partitions, 10u);
      EXPECT_EQ(one, many) << id << " threads " << threads;
    }
    // The temporary partition files are gone.
    for (const auto& e : fs::directory_iterator(d.path()))
      EXPECT_EQ(e.path().extension(), ".ndjson") << e.path();
  }
}

// A malformed element in a folder large enough to be partitioned is reported with the export's
// file, not a temporary one.
TEST(BulkMeasure, PartitionedErrorNamesTheExportFile) {
  TempDir d;
  WriteDeckAsNdjson("cms645", d.path());
  {
    std::ofstream f(d.path() / "Patient.ndjson", std::ios::app);
    f << R"({"resourceType":"Patient","id":"bad","birthDate":"1970-02-30"})"
      << "\n";
  }
  auto m = measures::MakeMeasure("CMS645");
  ASSERT_TRUE(m.has_value());
  const measures::MeasurementPeriod mp{
      measures::DateTime::MakeDateTime(2025, 1, 1, 0, 0, 0, 0, 0),
      measures::DateTime::MakeDateTime(2025, 12, 31, 23, 59, 59, 999, 0)};
  measures::BulkOptions o;
  o.budget_bytes = 4096;
  o.temp_dir = d.path().string();
  auto err = measures::EvaluateBulk(
      **m, d.path().string(), mp, o, [](const measures::PatientResult&) {}, nullptr);
  ASSERT_TRUE(err.has_value());
  EXPECT_NE(err->message.find("Patient.ndjson"), std::string::npos) << err->message;
  EXPECT_NE(err->message.find("birthDate"), std::string::npos) << err->message;
  EXPECT_EQ(err->message.find("1970"), std::string::npos) << err->message;  // no patient data
}

TEST(BulkMeasure, BadLineNamesTheFile) {
  TempDir d;
  Write(d.path() / "Patient.ndjson", "{\"resourceType\":\"Patient\",\"id\":\"p1\"}\nnot json\n");
  auto m = measures::MakeMeasure("CMS645");
  ASSERT_TRUE(m.has_value());
  const measures::MeasurementPeriod mp{
      measures::DateTime::MakeDateTime(2025, 1, 1, 0, 0, 0, 0, 0),
      measures::DateTime::MakeDateTime(2025, 12, 31, 23, 59, 59, 999, 0)};
  auto err = measures::EvaluateBulk(
      **m, d.path().string(), mp, {}, [](const measures::PatientResult&) {}, nullptr);
  ASSERT_TRUE(err.has_value());
  EXPECT_NE(err->message.find("Patient.ndjson"), std::string::npos);
}

std::string RunCli(const std::string& args, int* rc) {
  const std::string cmd = std::string(BONEPATH_BINARY) + " " + args + " 2>&1";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  *rc = WEXITSTATUS(::pclose(p));
  return out;
}

TEST(MeasureCommand, FolderSummaryBundleIndividualAndErrors) {
  TempDir d;
  WriteDeckAsNdjson("cms645", d.path());
  int rc = 0;
  json s = json::parse(RunCli("measure CMS645 " + d.path().string() + " --threads 2", &rc));
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(s["type"], "summary");
  // The official deck: 36 in the initial population, 13 in the numerator.
  EXPECT_EQ(s["group"][0]["population"][0]["count"], 36);
  EXPECT_EQ(s["group"][0]["population"][2]["count"], 13);
  json b = json::parse(RunCli("measure CMS645 " + d.path().string() + " --report individual", &rc));
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(b["resourceType"], "Bundle");
  EXPECT_EQ(b["entry"].size(), 49u);
  // Individual reports from a folder name the evidence (a summary does not need it and skips
  // it) and add up to the summary.
  std::vector<int> sums(s["group"][0]["population"].size(), 0);
  for (const auto& e : b["entry"]) {
    const json& r = e["resource"];
    EXPECT_EQ(r["type"], "individual");
    const auto& pops = r["group"][0]["population"];
    ASSERT_EQ(pops.size(), sums.size());
    for (std::size_t i = 0; i < sums.size(); ++i) sums[i] += pops[i]["count"].get<int>();
    ASSERT_TRUE(r.contains("evaluatedResource"));
    if (pops[0]["count"] == 1) {
      EXPECT_GE(r["evaluatedResource"].size(), 2u) << r["subject"];
    }
  }
  for (std::size_t i = 0; i < sums.size(); ++i)
    EXPECT_EQ(s["group"][0]["population"][i]["count"], sums[i]) << i;
  const std::string one = std::string(BONEPATH_TEST_DATA) +
                          "/ecqm/cms249/tests-30cb1708-54d7-4268-bc37-5e7b4d31e789-bundle.json";
  json i = json::parse(RunCli("measure CMS249 " + one, &rc));
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(i["type"], "individual");
  RunCli("measure CMS249 " + one + " --period-start 2025-13-01", &rc);
  EXPECT_EQ(rc, 2);
  RunCli("measure CMS249 " + one + " --period-start 2025-06-01 --period-end 2025-01-01", &rc);
  EXPECT_EQ(rc, 2);
  RunCli("measure CMS999 " + one, &rc);
  EXPECT_EQ(rc, 2);
  Write(d.path() / "bad.json",
        "{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":\"Patient\","
        "\"id\":\"x\",\"birthDate\":\"1970-02-30\"}}]}");
  const std::string err = RunCli("measure CMS249 " + (d.path() / "bad.json").string(), &rc);
  EXPECT_EQ(rc, 2);
  EXPECT_NE(err.find("birthDate"), std::string::npos) << err;
}

}  // namespace
}  // namespace bp

namespace bp::measures {
namespace {

TEST(BulkMeasure, SkipsOnlyLinesWithoutAMeasureResourceType) {
  EXPECT_FALSE(MayHoldMeasureResource(R"({"resourceType":"Practitioner","id":"x"})"));
  EXPECT_FALSE(MayHoldMeasureResource(R"({"resourceType" : "Organization"})"));
  EXPECT_TRUE(MayHoldMeasureResource(R"({"resourceType":"Encounter","id":"x"})"));
  // A measure type anywhere (e.g. after a contained resource) keeps the line.
  EXPECT_TRUE(MayHoldMeasureResource(
      R"({"contained":[{"resourceType":"Practitioner"}],"resourceType":"Condition"})"));
  EXPECT_TRUE(MayHoldMeasureResource("not json"));  // the parser reports it
}

}  // namespace
}  // namespace bp::measures
