-- CDS Hooks service (src/server/feedback_store.cc): the cards it issued and the feedback the EHR
-- posts about them. No patient identifiers: a card row holds its uuid, service, kind and
-- indicator only. Feedback is idempotent: the same card, outcome and outcomeTimestamp is one row.
CREATE TABLE IF NOT EXISTS cds_cards (
  uuid TEXT PRIMARY KEY,
  service_id TEXT NOT NULL,
  code TEXT NOT NULL,
  indicator TEXT NOT NULL,
  issued_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cds_feedback (
  card_uuid TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'overridden')),
  outcome_timestamp TEXT NOT NULL,
  service_id TEXT NOT NULL,
  accepted_suggestions TEXT NOT NULL,
  override_code TEXT NOT NULL,
  override_system TEXT NOT NULL,
  override_display TEXT NOT NULL,
  user_comment TEXT NOT NULL,
  received_at TEXT NOT NULL,
  PRIMARY KEY (card_uuid, outcome, outcome_timestamp)
);
CREATE INDEX IF NOT EXISTS cds_cards_code ON cds_cards (code);
