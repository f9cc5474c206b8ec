// The registry over HTTP (JSON), for the clinician web page: the same data as `bonepath registry`
// (src/registry), read-only but for the audit rows a checklist stores.
//
//   GET /registry/due?within=30&as_of=YYYY-MM-DD      the due list (array, as `due --format json`)
//   GET /registry/patients/{id}/checklist?date=        the engine's pre-infusion checklist
//   GET /registry/alerts?as_of=                        {"as_of", "alerts": [...]}
//   GET /registry/patients/{id}/history                {"patient_id", "assessments", "doses"}
//
// Errors: {"error": {code, path, message}, "errors": [...]} with 400 (a malformed parameter),
// 404 (unknown patient), 503 (database busy) or 500. Dates default to today (UTC).
//
// The routes carry patient data: the caller must put them behind its authentication (the
// server's pre-routing JWT check) exactly like the CDS Hooks routes. Nothing is logged here.
//
// Thread safety: httplib calls handlers from several threads; the routes serialise their use of
// `store` (one connection) with a mutex of their own. `store`, `kb` and `engine` must outlive
// the server.
#pragma once

#include <httplib.h>

#include "domain/knowledge.h"
#include "rules/engine.h"
#include "storage/registry_store.h"

namespace bp::server {

void RegisterRegistryRoutes(httplib::Server& server, storage::RegistryStore& store,
                            const KnowledgeBase& kb, const Engine& engine);

}  // namespace bp::server
