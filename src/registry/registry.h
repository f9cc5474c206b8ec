// The infusion and injection registry: who is due or overdue for which drug, the pre-infusion
// checklist of a day, alerts, and the audit trail. It stores and schedules; it never decides
// clinically on its own: checklists and alerts are the engine's assessment (rules/engine.h) of
// the stored record with the registry's doses merged in, and the windows come from
// knowledge/registry.json (registry/windows.h).
//
// Contract:
// - Every assessment the registry makes (import, checklist; alerts for the patients it alerts
//   on) is stored with the SHA-256 of the exact record the engine saw, the knowledge version,
//   the profile, the as_of and the output JSON (assessment.schema.json).
// - Input errors (unknown patient or agent, a malformed or out-of-horizon date) return code
//   "invalid_input" or "unknown_patient" and change nothing; storage failures keep their "db*"
//   codes.
// - Nothing is logged; messages name no clinical data.
//
// Thread safety: as the store it uses (one thread at a time).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/date.h"
#include "common/result.h"
#include "domain/assessment.h"
#include "domain/knowledge.h"
#include "domain/patient.h"
#include "registry/windows.h"
#include "rules/engine.h"
#include "storage/registry_store.h"

namespace bp::registry {

enum class DueStatus { kUpcoming, kDue, kOverdue };
std::string_view ToString(DueStatus s);

struct DueEntry {
  std::string patient_id;
  std::string agent;
  Date last_dose;
  Date due_date;
  Date overdue_date;  // overdue after this day
  DueStatus status = DueStatus::kUpcoming;
  int days_late = 0;  // days past the due date (0 when upcoming)
  int doses_given = 0;
  std::optional<Date> booked;
  std::vector<std::string> rules;
  // The current assessment ends this course (catalogue §6: stop, switch, transition, holiday):
  // flagged, so that the registry does not keep booking it; empty when it does not.
  std::string course_decision;
  std::vector<std::string> course_rules;
};

// The due list at `as_of`: overdue first, then due, then upcoming within `within_days`; within a
// status by the agent's urgency rank (denosumab first), then the most days late, then patient id.
// Courses the record says have ended and courses at their maximum number of doses are left out.
std::vector<DueEntry> ComputeDue(const std::vector<storage::DoseSummary>& summaries,
                                 const Windows& windows, Date as_of, int within_days);

struct ChecklistResult {
  std::string patient_id;
  Date date;
  Assessment assessment;  // the engine's, for that day
};

struct Alert {
  std::string patient_id;
  std::string code;
  Severity severity = Severity::kWarning;
  std::string text;
  std::vector<std::string> rules;
  std::string source;  // "engine" (a warning of the assessment) or "registry" (dose data)
};

struct ImportOutcome {
  std::string patient_id;
  bool updated = false;  // the patient was already registered
  Assessment assessment;
};

class Registry {
 public:
  // All references must outlive the Registry.
  Registry(storage::RegistryStore& store, const KnowledgeBase& kb, const Engine& engine,
           const Windows& windows);

  // Registers (or updates) patients read by the caller (cli::LoadPatient), each from input
  // whose bytes hash to `source_sha256`, assesses each on its `as_of` and stores the whole batch
  // in one transaction (all of it or none).
  struct ImportItem {
    Patient patient;
    std::string source_kind;
    std::string source_sha256;
    Date as_of;
  };
  Result<std::vector<ImportOutcome>> Import(const std::vector<ImportItem>& items);

  // Records a dose given on `date` (planned = false; not after `today`) or booked (planned =
  // true; at most the booking horizon after `today`). Returns false when already recorded.
  Result<bool> RecordDose(const std::string& patient_id, std::string_view agent, Date date,
                          bool planned, Date today);

  Result<std::vector<DueEntry>> Due(Date as_of, int within_days);
  Result<ChecklistResult> Checklist(const std::string& patient_id, Date date);
  Result<std::vector<Alert>> Alerts(Date as_of);
  Result<std::vector<storage::AssessmentRecord>> History(const std::string& patient_id);
  Result<std::vector<storage::DoseRecord>> Doses(const std::string& patient_id);

  // The stored record with the registry's doses up to `as_of` merged into its medications
  // (last dose, doses received), as the engine will see it.
  Result<Patient> LoadForAssessment(const std::string& patient_id, Date as_of);

  const Windows& windows() const { return windows_; }

 private:
  Result<storage::PatientWrite> PrepareImport(const ImportItem& item, ImportOutcome* outcome);
  Result<Patient> ParseStored(const storage::StoredPatient& sp, Date as_of);
  void MergeDoses(Patient& p, const std::vector<storage::DoseRecord>& doses, Date as_of) const;
  std::string NativeJson(const Patient& p) const;

  storage::RegistryStore& store_;
  const KnowledgeBase& kb_;
  const Engine& engine_;
  const Windows& windows_;
};

// JSON renderings shared by the CLI (--format json) and the HTTP routes.
std::string DueToJson(const std::vector<DueEntry>& due, Date as_of, int within_days);
std::string DueToCsv(const std::vector<DueEntry>& due);
std::string ChecklistToJson(const ChecklistResult& c, const KnowledgeBase& kb);
std::string AlertsToJson(const std::vector<Alert>& alerts, Date as_of);
std::string HistoryToJson(const std::string& patient_id,
                          const std::vector<storage::AssessmentRecord>& history,
                          const std::vector<storage::DoseRecord>& doses);

// SHA-256 of `bytes` as 64 lowercase hex digits.
std::string Sha256Hex(std::string_view bytes);

}  // namespace bp::registry
