-- Portcullis schema, PostgreSQL dialect. Keep in step with ../sqlite/0001_init.sql: same tables,
-- same columns, so one SQL layer serves both engines. Times are Unix seconds; booleans are 0/1.
CREATE TABLE meta (id BIGINT PRIMARY KEY, config_version BIGINT NOT NULL);
INSERT INTO meta (id, config_version) VALUES (1, 0);

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  email_verified BIGINT NOT NULL,
  name TEXT,
  password_hash TEXT,
  blocked BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  last_login BIGINT
);

CREATE TABLE clients (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  secret_digest TEXT,
  redirect_uris TEXT NOT NULL,
  post_logout_redirect_uris TEXT NOT NULL,
  grant_types TEXT NOT NULL,
  backchannel_logout_uri TEXT,
  first_party BIGINT NOT NULL,
  signing_alg TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE apis (
  id TEXT PRIMARY KEY,
  identifier TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  scopes TEXT NOT NULL,
  token_ttl BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE client_grants (
  client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  audience TEXT NOT NULL,
  scopes TEXT NOT NULL,
  PRIMARY KEY (client_id, audience)
);

CREATE TABLE signing_keys (
  kid TEXT PRIMARY KEY,
  alg TEXT NOT NULL,
  private_encrypted BYTEA NOT NULL,
  created_at BIGINT NOT NULL,
  retired_at BIGINT
);

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  token_digest TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  auth_time BIGINT NOT NULL,
  acr TEXT NOT NULL,
  amr TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE session_clients (
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  client_id TEXT NOT NULL,
  PRIMARY KEY (session_id, client_id)
);

CREATE TABLE pending_authorizations (
  id TEXT PRIMARY KEY,
  request TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);

CREATE TABLE auth_codes (
  digest TEXT PRIMARY KEY,
  body TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);

CREATE TABLE refresh_tokens (
  digest TEXT PRIMARY KEY,
  family_id TEXT NOT NULL,
  session_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

CREATE TABLE revoked_families (
  id TEXT PRIMARY KEY,
  revoked_at BIGINT NOT NULL
);

CREATE TABLE access_tokens (
  jti TEXT PRIMARY KEY,
  family_id TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT
);

CREATE TABLE audit_events (
  id BIGSERIAL PRIMARY KEY,
  at BIGINT NOT NULL,
  kind TEXT NOT NULL,
  user_id TEXT,
  client_id TEXT,
  ip TEXT,
  user_agent TEXT,
  detail TEXT NOT NULL
);
CREATE INDEX audit_events_user ON audit_events (user_id, at);
