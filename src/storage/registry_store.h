// The registry's storage port: patients, doses given or booked, and the audit trail of
// assessments. One implementation (SqlRegistryStore) runs on any storage::Database, so SQLite and
// PostgreSQL behave alike; the SQL is in this port's .cc and the schema in migrations/.
//
// Contract:
// - SavePatients writes each patient with the record's medication lines, the record's doses and
//   the import's assessment, all of the batch in ONE transaction: after a crash a patient (and a
//   batch) is either wholly there or not at all. Re-saving the same id replaces the record and its
//   medication lines (never a second patient); doses are unique per (patient, agent, date, planned)
//   and never duplicated.
// - AddDose fails with code "unknown_patient" (nothing written) when the patient is not stored.
// - Nothing here logs; errors carry no record content.
//
// Thread safety: one store per thread (it owns one Database connection). Several processes may
// share a database (see storage/database.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/date.h"
#include "common/result.h"
#include "storage/database.h"

namespace bp::storage {

struct StoredPatient {
  std::string id;
  std::string record_json;    // native record, bonepath.patient/1
  std::string source_kind;    // native, fhir-bundle, fhir-bulk
  std::string source_sha256;  // of the imported file's bytes
  std::string created_at;
  std::string updated_at;
};

// A medication line of the imported record for an agent the registry follows.
struct AgentLine {
  std::string agent;
  std::string status;  // active, completed, stopped, planned
  std::optional<Date> end;
  std::optional<int> doses_received;
};

struct DoseRecord {
  std::int64_t id = 0;
  std::string patient_id;
  std::string agent;
  Date date;
  bool planned = false;
  std::string source;  // "registry" or "record"
  std::string recorded_at;
};

struct AssessmentRecord {
  std::int64_t id = 0;
  std::string patient_id;
  std::string created_at;
  Date as_of;
  std::string input_sha256;
  std::string knowledge_version;
  std::string profile;
  std::string reason;  // import, checklist, alerts
  std::string output_json;
};

// Per patient and agent: what the due list needs, in one query.
struct DoseSummary {
  std::string patient_id;
  std::string agent;
  std::optional<Date> last_given;
  int given_count = 0;
  std::optional<Date> booked;  // the latest booked dose, when later than the last given
  std::string record_status;   // the record's medication status for the agent ("" if none)
  std::optional<Date> record_end;
  std::optional<int> record_doses_received;
};

// Everything one import writes for one patient.
struct PatientWrite {
  StoredPatient patient;
  std::vector<AgentLine> agents;
  std::vector<DoseRecord> record_doses;
  AssessmentRecord assessment;
};

class RegistryStore {
 public:
  virtual ~RegistryStore() = default;

  // For each patient of the batch, true when this call created it (false: it replaced a stored
  // record), as committed.
  virtual Result<std::vector<bool>> SavePatients(const std::vector<PatientWrite>& batch) = 0;
  virtual Result<std::optional<StoredPatient>> GetPatient(const std::string& id) = 0;
  virtual Result<std::vector<std::string>> PatientIds() = 0;
  virtual Result<std::int64_t> CountPatients() = 0;

  // Returns false (and writes nothing) when the same dose is already recorded.
  virtual Result<bool> AddDose(const DoseRecord& dose) = 0;
  virtual Result<std::vector<DoseRecord>> Doses(const std::string& patient_id) = 0;
  // Every (patient, agent) pair with a dose, given or booked.
  virtual Result<std::vector<DoseSummary>> DoseSummaries() = 0;

  virtual Status AddAssessment(const AssessmentRecord& a) = 0;
  // Oldest first.
  virtual Result<std::vector<AssessmentRecord>> History(const std::string& patient_id) = 0;
  // patient id -> knowledge version of that patient's latest assessment.
  virtual Result<std::map<std::string, std::string>> LatestKnowledgeVersions() = 0;
};

// The store on an open, migrated database (takes ownership).
std::unique_ptr<RegistryStore> MakeSqlRegistryStore(std::unique_ptr<Database> db);

// Opens `path_or_url` (see OpenDatabase), applies pending migrations, returns the store.
Result<std::unique_ptr<RegistryStore>> OpenRegistryStore(const std::string& path_or_url);

}  // namespace bp::storage
