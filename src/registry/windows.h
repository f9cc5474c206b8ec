// The registry's dosing windows, as the knowledge library reads them from knowledge/registry.json
// (knowledge/registry_windows.h): no clinical number is written in the registry's code.
//
// Thread safety: EmbeddedWindows() builds once and is then read-only.
#pragma once

#include "knowledge/registry_windows.h"

namespace bp::registry {

// The windows compiled into this binary, loaded on first use; aborts with a message if
// registry.json is missing or malformed (a build defect: `bonepath knowledge check` and the tests
// catch it).
const Windows& EmbeddedWindows();

}  // namespace bp::registry
