-- Identities at upstream providers (federation) linked to local users: one row per provider
-- subject, gone with its user. The email is the upstream address seen when linking, kept for
-- support only; sign-in goes by (provider, subject). Keep in step with the other engine.
CREATE TABLE upstream_identities (
  provider TEXT NOT NULL,
  subject TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  email TEXT,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (provider, subject)
);
CREATE INDEX upstream_identities_user ON upstream_identities (user_id);
