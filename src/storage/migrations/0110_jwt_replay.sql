-- CDS Hooks service (src/server/jwt_verifier.cc): the JWT ids (jti) already accepted, per issuer,
-- until the token expires, so that a replayed token is refused after a restart too. Rows past
-- `expires` (epoch seconds) are purged.
CREATE TABLE IF NOT EXISTS jwt_replay (
  issuer TEXT NOT NULL,
  jti TEXT NOT NULL,
  expires BIGINT NOT NULL,
  PRIMARY KEY (issuer, jti)
);
CREATE INDEX IF NOT EXISTS jwt_replay_expires ON jwt_replay (expires);
