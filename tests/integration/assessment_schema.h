// Validates assessment JSON against the contract's assessment.schema.json with valijson, so every
// JSON output the tests see is checked against the published schema rather than a copy of its
// rules in test code.
//
// Thread safety: the schema is parsed once (function-local static) and then only read; valijson's
// Validator is created per call.
#pragma once

// Schema problems become exceptions (caught below) instead of valijson's default abort().
#ifndef VALIJSON_USE_EXCEPTIONS
#define VALIJSON_USE_EXCEPTIONS 1
#endif

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

namespace bp::testing_harness {

// The schema the project keeps with its tests; when that copy is absent, the specification's own
// file beside the repository (shared/spec) so that the check never silently disappears.
inline std::filesystem::path AssessmentSchemaPath() {
  const std::filesystem::path source(BONEPATH_SOURCE_DIR);
  const auto local = source / "tests/data/schemas/assessment.schema.json";
  if (std::filesystem::exists(local)) return local;
  return source / "../shared/spec/assessment.schema.json";
}

struct LoadedSchema {
  std::string load_error;  // empty when the schema is usable
  valijson::Schema schema;
};

inline const LoadedSchema& AssessmentSchema() {
  static const std::unique_ptr<LoadedSchema> loaded = [] {
    auto s = std::make_unique<LoadedSchema>();
    const auto path = AssessmentSchemaPath();
    std::ifstream in(path);
    if (!in) {
      s->load_error = "cannot open " + path.string();
      return s;
    }
    try {
      const nlohmann::json doc = nlohmann::json::parse(in);
      valijson::SchemaParser parser;
      valijson::adapters::NlohmannJsonAdapter adapter(doc);
      parser.populateSchema(adapter, s->schema);
    } catch (const std::exception& e) {
      s->load_error = path.string() + ": " + e.what();
    }
    return s;
  }();
  return *loaded;
}

// Empty when `doc` satisfies the schema; otherwise every violation, one per line, with its path.
inline std::string SchemaViolations(const nlohmann::json& doc) {
  const LoadedSchema& s = AssessmentSchema();
  if (!s.load_error.empty()) return "schema not loaded: " + s.load_error;
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(doc);
  if (validator.validate(s.schema, target, &results)) return "";
  std::ostringstream msg;
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    std::string where;
    for (const auto& part : error.context) where += part;
    msg << where << ": " << error.description << "\n";
  }
  return msg.str();
}

}  // namespace bp::testing_harness
