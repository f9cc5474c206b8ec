-- The infusion and injection registry (SQLite dialect; postgres/0001_registry.sql is the same
-- schema with PostgreSQL's identity keys). Dates are TEXT YYYY-MM-DD; timestamps TEXT ISO 8601.

-- One row per patient: the native record (bonepath.patient/1) as last imported.
CREATE TABLE patients (
  id TEXT PRIMARY KEY,
  record_json TEXT NOT NULL,
  source_kind TEXT NOT NULL,
  source_sha256 TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- The record's own medication lines for the registry's agents (status, end, doses received),
-- replaced on each import: the due list leaves out courses the record says have ended.
CREATE TABLE patient_agents (
  patient_id TEXT NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
  agent TEXT NOT NULL,
  status TEXT NOT NULL,
  end_date TEXT,
  doses_received BIGINT,
  PRIMARY KEY (patient_id, agent)
);

-- Doses given (planned = 0) or booked (planned = 1). source: 'registry' (recorded with
-- `registry dose`) or 'record' (a last dose found in an imported record).
CREATE TABLE doses (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  patient_id TEXT NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
  agent TEXT NOT NULL,
  dose_date TEXT NOT NULL,
  planned BIGINT NOT NULL DEFAULT 0,
  source TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  UNIQUE (patient_id, agent, dose_date, planned)
);

-- The audit trail: every assessment the registry made, with what it was made from.
CREATE TABLE assessments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  patient_id TEXT NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  as_of TEXT NOT NULL,
  input_sha256 TEXT NOT NULL,
  knowledge_version TEXT NOT NULL,
  profile TEXT NOT NULL,
  output_json TEXT NOT NULL
);
