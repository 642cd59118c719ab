-- Second factors, one-time codes, flow state, remembered devices and failure counters.
-- Keep in step with the other engine's 0002_factors.sql.
ALTER TABLE sessions ADD COLUMN proofs TEXT NOT NULL DEFAULT '[]';

CREATE TABLE factors (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  secret_enc BYTEA,
  target TEXT,
  credential_id TEXT UNIQUE,
  detail TEXT NOT NULL,
  sign_count BIGINT NOT NULL,
  last_step BIGINT,
  active BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT
);
CREATE INDEX factors_user ON factors (user_id);

CREATE TABLE recovery_codes (
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  digest TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  used_at BIGINT,
  PRIMARY KEY (user_id, digest)
);

CREATE TABLE otp_codes (
  id TEXT PRIMARY KEY,
  user_id TEXT,
  purpose TEXT NOT NULL,
  channel TEXT NOT NULL,
  destination TEXT NOT NULL,
  digest TEXT NOT NULL,
  attempts BIGINT NOT NULL,
  data TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX otp_codes_destination ON otp_codes (purpose, destination);
CREATE INDEX otp_codes_digest ON otp_codes (digest);

CREATE TABLE flows (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  user_id TEXT,
  data TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);

CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_digest TEXT NOT NULL,
  label TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX devices_user ON devices (user_id);

CREATE TABLE failures (
  key TEXT PRIMARY KEY,
  failed BIGINT NOT NULL,
  last_at BIGINT NOT NULL
);
