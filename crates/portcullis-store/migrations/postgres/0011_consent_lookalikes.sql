-- Consent a user gave a third-party application: one row per user, client and audience ('' when
-- none), with the scopes granted so far (space-separated); gone with the user or the client.
-- Keep in step with the other engine.
CREATE TABLE consents (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  audience TEXT NOT NULL,
  scope TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (user_id, client_id, audience)
);
CREATE INDEX consents_client ON consents (client_id);

-- The look-alike key (Unicode TR39 skeleton) of each address, so a new account cannot wear the
-- face of an existing one; filled by the server for rows older than this column.
ALTER TABLE users ADD COLUMN email_skeleton TEXT;
CREATE INDEX users_email_skeleton ON users (email_skeleton);
