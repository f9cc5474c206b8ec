#include "measures/measure_knowledge.h"

#include <simdjson.h>

#include <cstdlib>

#include "knowledge/embedded.h"
#include "measures/terminology.h"

namespace bp::measures {
namespace {

std::string_view FindFile(std::string_view path) {
  for (const auto& f : EmbeddedKnowledgeFiles())
    if (f.path == path) return f.content;
  return {};
}

}  // namespace

double MeasureKnowledge::Param(std::string_view name) const {
  auto it = params_.find(name);
  if (it == params_.end()) std::abort();  // the loader checked every name the code uses
  return it->second.value;
}

const std::string& MeasureKnowledge::ParamUnit(std::string_view name) const {
  auto it = params_.find(name);
  if (it == params_.end()) std::abort();  // the loader checked every name the code uses
  return it->second.unit;
}

const std::string& MeasureKnowledge::Code(std::string_view name) const {
  auto it = codes_.find(name);
  if (it == codes_.end()) std::abort();  // the loader checked every name the code uses
  return it->second.text;
}

bool MeasureKnowledge::InValueSet(std::string_view valueset, const Concept& cc) const {
  auto it = valueset_bits_.find(valueset);
  if (it == valueset_bits_.end()) return false;
  const std::uint64_t bit = it->second;
  return cc.Any([&](std::uint32_t t) { return t < term_sets_.size() && (term_sets_[t] & bit); });
}

bool MeasureKnowledge::HasCode(std::string_view code_name, const Concept& cc) const {
  auto it = codes_.find(code_name);
  if (it == codes_.end()) std::abort();  // the loader checked every name the code uses
  const std::uint32_t want = it->second.term;
  return want != 0 && cc.Any([want](std::uint32_t t) { return t == want; });
}

std::vector<std::pair<std::string, std::string>> MeasureKnowledge::ValueSetVersions() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, vs] : valuesets_) out.emplace_back(vs.url, vs.version);
  return out;
}

Result<MeasureKnowledge> MeasureKnowledge::Load(std::string_view id,
                                                const std::vector<std::string>& required_params,
                                                const std::vector<std::string>& required_codes,
                                                const std::vector<std::string>& required_vs) {
  std::string lower(id);
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  const std::string main_path = "measures/" + lower + ".json";
  const std::string vs_path = "measures/" + lower + "-valuesets.json";
  const std::string_view main = FindFile(main_path);
  const std::string_view vs = FindFile(vs_path);
  if (main.empty() || vs.empty())
    return Error{"internal", main_path, "knowledge file missing for measure " + std::string(id)};
  MeasureKnowledge k;
  const Terminology& terms = Terminology::Get();
  k.term_sets_.assign(terms.Size() + 1, 0);
  simdjson::dom::parser parser;
  simdjson::dom::element j;
  if (parser.parse(main.data(), main.size()).get(j) != simdjson::SUCCESS)
    return Error{"internal", main_path, "not valid JSON"};
  auto str = [&](simdjson::dom::element e, const char* key) {
    std::string_view s;
    return e[key].get(s) == simdjson::SUCCESS ? std::string(s) : std::string();
  };
  k.id = str(j, "measure");
  k.library = str(j, "library");
  k.version = str(j, "version");
  k.url = str(j, "url");
  k.title = str(j, "title");
  k.improvement = str(j, "improvement");
  k.period_start = str(j["reporting_period"], "start");
  k.period_end = str(j["reporting_period"], "end");
  simdjson::dom::array a;
  if (j["populations"].get(a) == simdjson::SUCCESS)
    for (auto p : a)
      k.populations.push_back({str(p, "code"), str(p, "display"), str(p, "criteria")});
  if (j["parameters"].get(a) == simdjson::SUCCESS) {
    for (auto p : a) {
      double v = 0;
      if (p["value"].get(v) != simdjson::SUCCESS) {
        int64_t i = 0;
        if (p["value"].get(i) != simdjson::SUCCESS)
          return Error{"internal", main_path, "parameter " + str(p, "name") + ": no value"};
        v = static_cast<double>(i);
      }
      k.params_[str(p, "name")] = {v, str(p, "unit")};
    }
  }
  if (j["codes"].get(a) == simdjson::SUCCESS)
    for (auto c : a) {
      const std::string code = str(c, "code");
      k.codes_[str(c, "name")] = {code, terms.FindKey(code)};
    }
  simdjson::dom::parser parser2;
  simdjson::dom::element v;
  if (parser2.parse(vs.data(), vs.size()).get(v) != simdjson::SUCCESS)
    return Error{"internal", vs_path, "not valid JSON"};
  if (v["valuesets"].get(a) == simdjson::SUCCESS) {
    for (auto s : a) {
      ValueSet set;
      set.url = str(s, "url");
      set.version = str(s, "version");
      if (k.valuesets_.size() >= 64)
        return Error{"internal", vs_path, "more than 64 value sets for one measure"};
      set.bit = std::uint64_t{1} << k.valuesets_.size();
      simdjson::dom::array codes;
      if (s["codes"].get(codes) == simdjson::SUCCESS)
        for (auto c : codes) {
          std::string_view cs;
          if (c.get(cs) == simdjson::SUCCESS) k.term_sets_[terms.FindKey(cs)] |= set.bit;
        }
      k.valueset_bits_[str(s, "name")] = set.bit;
      k.valuesets_[str(s, "name")] = std::move(set);
    }
  }
  for (const auto& n : required_params)
    if (!k.params_.count(n)) return Error{"internal", main_path, "parameter missing: " + n};
  for (const auto& n : required_codes)
    if (!k.codes_.count(n)) return Error{"internal", main_path, "code missing: " + n};
  for (const auto& n : required_vs)
    if (!k.valuesets_.count(n)) return Error{"internal", vs_path, "value set missing: " + n};
  if (k.populations.empty()) return Error{"internal", main_path, "no populations"};
  return k;
}

}  // namespace bp::measures
