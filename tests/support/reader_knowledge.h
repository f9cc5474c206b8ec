// The knowledge the FHIR reader needs in its unit tests: only the lab units (units.json) and the
// manifest, loaded once from the embedded knowledge. Shared by src/fhir/*_test.cc.
#pragma once

#include <utility>
#include <vector>

#include "knowledge/loader.h"

namespace bp::testing_harness {

inline const KnowledgeBase& ReaderKnowledge() {
  static const KnowledgeBase kb = [] {
    std::vector<EmbeddedFile> files;
    for (const auto& f : EmbeddedKnowledgeFiles())
      if (f.path == "units.json" || f.path == "manifest.json") files.push_back(f);
    auto r = LoadKnowledge(files);
    return r ? std::move(r).value() : KnowledgeBase{};
  }();
  return kb;
}

}  // namespace bp::testing_harness
