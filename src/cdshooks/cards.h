// Internal to src/cdshooks: the engine's Assessment as CDS Hooks cards. Which card a hook shows
// is a presentation choice made here (a table of warning codes per drafted agent); what the card
// says, its severity, its rule ids and citations are the engine's and the knowledge base's.
//
// Card contract (CDS Hooks 2.0): uuid; summary < 140 characters; indicator info | warning |
// critical; source {label, url}; detail in Markdown naming every rule id with its citations;
// suggestions with uuid and actions, and selectionBehavior "at-most-one" when there are any;
// overrideReasons (code, system, display); an absolute link to the assessment page.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cdshooks/cds_service.h"
#include "cdshooks/discovery.h"
#include "common/date.h"
#include "domain/assessment.h"
#include "domain/knowledge.h"
#include "domain/patient.h"

namespace bp::cds {

struct DraftOrder {
  std::string ref;  // "MedicationRequest/abc" (for a delete action)
  Agent agent = Agent::kAlendronate;
  bool stop = false;  // the order stops the agent
};

struct CardContext {
  const ServiceDef* service = nullptr;
  const Assessment* assessment = nullptr;
  const Patient* patient = nullptr;
  const KnowledgeBase* kb = nullptr;
  std::vector<DraftOrder> drafts;          // order hooks: the selected draft orders
  std::optional<Date> encounter_start;     // encounter-discharge: start of the stay
  std::string assessment_url;              // absolute link to the assessment page
  std::string source_url;                  // the page about bonepath (GET /about)
  std::vector<std::string> unavailable;    // prefetch keys with no data
  std::vector<std::string> fracture_refs;  // "Condition/id" of the latest fragility fracture
  Date today;
};

// The cards for the hook; `issued` receives one entry per card.
nlohmann::json BuildCards(const CardContext& c, std::vector<IssuedCard>* issued);

}  // namespace bp::cds
