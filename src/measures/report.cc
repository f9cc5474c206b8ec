#include "measures/report.h"

#include <cstdio>

namespace bp::measures {
namespace {

constexpr const char* kPopulationSystem =
    "http://terminology.hl7.org/CodeSystem/measure-population";
constexpr const char* kImprovementSystem =
    "http://terminology.hl7.org/CodeSystem/measure-improvement-notation";

void Head(std::string& o, const MeasureKnowledge& k, const char* type, const ReportPeriod& p) {
  o += "{\"resourceType\":\"MeasureReport\",\"status\":\"complete\",\"type\":\"";
  o += type;
  o += "\",\"measure\":";
  o += JsonString(k.url + "|" + k.version);
  o += ",\"period\":{\"start\":" + JsonString(p.start) + ",\"end\":" + JsonString(p.end) + "}";
  if (!k.improvement.empty()) {
    o += ",\"improvementNotation\":{\"coding\":[{\"system\":\"";
    o += kImprovementSystem;
    o += "\",\"code\":" + JsonString(k.improvement) + "}]}";
  }
}

void PopulationCode(std::string& o, const PopulationDef& d) {
  o += "{\"code\":{\"coding\":[{\"system\":\"";
  o += kPopulationSystem;
  o += "\",\"code\":" + JsonString(d.code) + ",\"display\":" + JsonString(d.display) + "}]}";
}

}  // namespace

std::string JsonString(std::string_view s) {
  std::string o = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        o += "\\\"";
        break;
      case '\\':
        o += "\\\\";
        break;
      case '\n':
        o += "\\n";
        break;
      case '\r':
        o += "\\r";
        break;
      case '\t':
        o += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          o += buf;
        } else {
          o += c;
        }
    }
  }
  o += '"';
  return o;
}

std::string IndividualReport(const MeasureKnowledge& k, const PatientResult& r,
                             const ReportPeriod& period) {
  std::string o;
  o.reserve(1024);
  Head(o, k, "individual", period);
  o += ",\"subject\":{\"reference\":" + JsonString("Patient/" + r.patient_id) + "}";
  o += ",\"group\":[{\"population\":[";
  for (std::size_t i = 0; i < k.populations.size(); ++i) {
    if (i) o += ',';
    PopulationCode(o, k.populations[i]);
    o += ",\"count\":";
    o += r.member[i] ? '1' : '0';
    o += '}';
  }
  o += "]}]";
  if (!r.evaluated_resources.empty()) {
    o += ",\"evaluatedResource\":[";
    for (std::size_t i = 0; i < r.evaluated_resources.size(); ++i) {
      if (i) o += ',';
      o += "{\"reference\":" + JsonString(r.evaluated_resources[i]) + "}";
    }
    o += ']';
  }
  o += '}';
  return o;
}

SummaryAccumulator::SummaryAccumulator(const MeasureKnowledge& k, bool keep_subjects)
    : k_(&k),
      keep_subjects_(keep_subjects),
      counts_(k.populations.size(), 0),
      subjects_(keep_subjects ? k.populations.size() : 0) {}

void SummaryAccumulator::Add(const PatientResult& r) {
  ++patients_;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    if (!r.member[i]) continue;
    ++counts_[i];
    if (keep_subjects_) subjects_[i].push_back(r.patient_id);
  }
}

void SummaryAccumulator::Merge(const SummaryAccumulator& other) {
  patients_ += other.patients_;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    counts_[i] += other.counts_[i];
    if (keep_subjects_)
      subjects_[i].insert(subjects_[i].end(), other.subjects_[i].begin(), other.subjects_[i].end());
  }
}

std::string SummaryAccumulator::Report(const ReportPeriod& period) const {
  const MeasureKnowledge& k = *k_;
  std::string o;
  Head(o, k, keep_subjects_ ? "subject-list" : "summary", period);
  if (keep_subjects_) {
    o += ",\"contained\":[";
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      if (i) o += ',';
      o += "{\"resourceType\":\"List\",\"id\":" + JsonString("list-" + k.populations[i].code) +
           ",\"status\":\"current\",\"mode\":\"snapshot\"";
      if (!subjects_[i].empty()) {
        o += ",\"entry\":[";
        for (std::size_t j = 0; j < subjects_[i].size(); ++j) {
          if (j) o += ',';
          o += "{\"item\":{\"reference\":" + JsonString("Patient/" + subjects_[i][j]) + "}}";
        }
        o += ']';
      }
      o += '}';
    }
    o += ']';
  }
  o += ",\"group\":[{\"population\":[";
  std::uint64_t den = 0, denex = 0, denexcep = 0, numer = 0, numex = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    const std::string& code = k.populations[i].code;
    if (code == "denominator") den = counts_[i];
    if (code == "denominator-exclusion") denex = counts_[i];
    if (code == "denominator-exception") denexcep = counts_[i];
    if (code == "numerator") numer = counts_[i];
    if (code == "numerator-exclusion") numex = counts_[i];
    if (i) o += ',';
    PopulationCode(o, k.populations[i]);
    o += ",\"count\":" + std::to_string(counts_[i]);
    if (keep_subjects_)
      o += ",\"subjectResults\":{\"reference\":" + JsonString("#list-" + k.populations[i].code) +
           "}";
    o += '}';
  }
  o += ']';
  const std::uint64_t d = den - denex - denexcep;
  if (d > 0 && den >= denex + denexcep) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g",
                  static_cast<double>(numer - numex) / static_cast<double>(d));
    o += ",\"measureScore\":{\"value\":";
    o += buf;
    o += '}';
  }
  o += "}]}";
  return o;
}

}  // namespace bp::measures
