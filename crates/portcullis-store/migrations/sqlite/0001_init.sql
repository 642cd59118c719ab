-- Portcullis schema, SQLite dialect. Keep in step with ../postgres/0001_init.sql: same tables,
-- same columns, so one SQL layer serves both engines. Times are Unix seconds; booleans are 0/1.
CREATE TABLE meta (id INTEGER PRIMARY KEY, config_version INTEGER NOT NULL);
INSERT INTO meta (id, config_version) VALUES (1, 0);

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  email_verified INTEGER NOT NULL,
  name TEXT,
  password_hash TEXT,
  blocked INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  last_login INTEGER
);

CREATE TABLE clients (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  secret_digest TEXT,
  redirect_uris TEXT NOT NULL,
  post_logout_redirect_uris TEXT NOT NULL,
  grant_types TEXT NOT NULL,
  backchannel_logout_uri TEXT,
  first_party INTEGER NOT NULL,
  signing_alg TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE apis (
  id TEXT PRIMARY KEY,
  identifier TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  scopes TEXT NOT NULL,
  token_ttl INTEGER NOT NULL,
  created_at INTEGER NOT NULL
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
  private_encrypted BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  retired_at INTEGER
);

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  token_digest TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  auth_time INTEGER NOT NULL,
  acr TEXT NOT NULL,
  amr TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER
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
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);

CREATE TABLE auth_codes (
  digest TEXT PRIMARY KEY,
  body TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);

CREATE TABLE refresh_tokens (
  digest TEXT PRIMARY KEY,
  family_id TEXT NOT NULL,
  session_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

CREATE TABLE revoked_families (
  id TEXT PRIMARY KEY,
  revoked_at INTEGER NOT NULL
);

CREATE TABLE access_tokens (
  jti TEXT PRIMARY KEY,
  family_id TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER
);

CREATE TABLE audit_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  user_id TEXT,
  client_id TEXT,
  ip TEXT,
  user_agent TEXT,
  detail TEXT NOT NULL
);
CREATE INDEX audit_events_user ON audit_events (user_id, at);
