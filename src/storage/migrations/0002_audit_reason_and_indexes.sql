-- Why an assessment was made (import, checklist, alerts, reassess), and the indexes the due
-- list and the history need. Both dialects.
ALTER TABLE assessments ADD COLUMN reason TEXT NOT NULL DEFAULT 'import';
CREATE INDEX IF NOT EXISTS assessments_by_patient ON assessments (patient_id, id);
CREATE INDEX IF NOT EXISTS doses_by_patient_agent ON doses (patient_id, agent, planned, dose_date);
