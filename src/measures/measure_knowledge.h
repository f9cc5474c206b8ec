// A measure's content as data (knowledge/measures/<id>.json and <id>-valuesets.json, embedded in
// the binary): its identity and version, the populations it reports, the numbers its CQL uses
// (ages, windows, thresholds), its direct-reference codes and its expanded value sets.
//
// Thread safety: loaded once (FindMeasureKnowledge is safe to call from any thread); read-only
// afterwards.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "measures/record.h"

namespace bp::measures {

struct PopulationDef {
  std::string code;      // measure-population code: "initial-population", ...
  std::string display;   // "Initial Population"
  std::string criteria;  // the CQL definition: "Denominator Exclusions"
};

class MeasureKnowledge {
 public:
  std::string id;       // "CMS249"
  std::string library;  // "AppropriateDXAScansForWomenUnder65FHIR"
  std::string version;  // "0.2.001"
  std::string url;      // canonical Measure URL
  std::string title;
  std::string improvement;   // "increase" | "decrease"
  std::string period_start;  // default reporting period, YYYY-MM-DD
  std::string period_end;
  std::vector<PopulationDef> populations;

  // A number from the measure's CQL, by name (see the JSON). REQUIRES: the name exists (checked
  // by the loader against the names the measure code asks for).
  double Param(std::string_view name) const;
  // The parameter's unit as the CQL quantity writes it ("kg/m2", "%", "1"); empty for counts.
  const std::string& ParamUnit(std::string_view name) const;
  // A direct-reference code as "system|code" (or a bare value such as "female").
  const std::string& Code(std::string_view name) const;
  // `concept in "Value Set"`: some coding's system|code is in the expansion.
  bool InValueSet(std::string_view valueset, const Concept& cc) const;
  // `concept ~ "Code"`: some coding has the code's system and code.
  bool HasCode(std::string_view code_name, const Concept& cc) const;
  // The value set's version (VSAC), for the report.
  std::vector<std::pair<std::string, std::string>> ValueSetVersions() const;

  // Loads from the embedded knowledge files; `required_params`/`codes`/`valuesets` are the names
  // the measure's code uses, each of which must be present.
  static Result<MeasureKnowledge> Load(std::string_view id,
                                       const std::vector<std::string>& required_params,
                                       const std::vector<std::string>& required_codes,
                                       const std::vector<std::string>& required_valuesets);

 private:
  struct ParamValue {
    double value = 0;
    std::string unit;
  };
  // Names are looked up without allocating (transparent hashing); a concept's codings are
  // terminology ids (terminology.h), so membership is one bit test per coding.
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <typename V>
  using ByName = std::unordered_map<std::string, V, NameHash, std::equal_to<>>;
  ByName<ParamValue> params_;
  struct CodeValue {
    std::string text;        // "system|code" or a bare value
    std::uint32_t term = 0;  // its terminology id
  };
  ByName<CodeValue> codes_;
  struct ValueSet {
    std::string url, version;
    std::uint64_t bit = 0;
  };
  std::map<std::string, ValueSet, std::less<>> valuesets_;  // ordered: ValueSetVersions
  ByName<std::uint64_t> valueset_bits_;
  std::vector<std::uint64_t> term_sets_;  // by terminology id: the value sets (bits) holding it
};

}  // namespace bp::measures
