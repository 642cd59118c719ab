-- Tenant settings changed at run time (the console's policy editor, PUT /api/v2/mfa-policy/tenant,
-- `portcullis policy set`): each value is JSON and wins over the config file's key. Writes bump
-- meta.config_version so every node reloads. Keep in step with the other engine.
CREATE TABLE tenant_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The console's search, by the start of an email or of a name, as byte-ordered range scans: with
-- COLLATE "C" a prefix is a range whatever the database's collation, the range and the order come
-- from one index (no sort of all matches), and a prepared statement's generic plan still uses it.
-- 0015's pattern index served LIKE, whose OR with an id lookup forced a bitmap scan and a sort;
-- nothing reads it now, and a release after the last one that does may drop it.
CREATE INDEX users_email_c ON users ((email COLLATE "C"));
CREATE INDEX users_name_search ON users ((lower(name) COLLATE "C"), id);

-- Where a session was made and when it was last used, for the console's and the user's lists of
-- sessions (the last use is written at most every five minutes).
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN ip TEXT;
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT;

-- The console's overview: MFA adoption counts users per factor kind from the active factors alone
-- (index-only), leaving out the few blocked users by their own small index; live sessions are
-- counted from the sessions not ended.
CREATE INDEX factors_active_kind ON factors (kind, user_id) WHERE active = 1;
CREATE INDEX factors_active_user ON factors (user_id) WHERE active = 1;
CREATE INDEX users_blocked ON users (id) WHERE blocked <> 0;
CREATE INDEX sessions_live ON sessions (expires_at) WHERE revoked_at IS NULL;
