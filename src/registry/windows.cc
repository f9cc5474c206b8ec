#include "registry/windows.h"

#include <cstdio>
#include <cstdlib>

#include "knowledge/embedded.h"

namespace bp::registry {

const Windows& EmbeddedWindows() {
  static const Windows w = [] {
    auto r = LoadWindows(EmbeddedKnowledgeFiles());
    if (!r) {
      for (const auto& e : r.errors())
        std::fprintf(stderr, "bonepath: embedded knowledge: %s: %s\n", e.path.c_str(),
                     e.message.c_str());
      std::abort();
    }
    return std::move(r).value();
  }();
  return w;
}

}  // namespace bp::registry
