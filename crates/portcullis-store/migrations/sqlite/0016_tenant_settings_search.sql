-- Tenant settings changed at run time (the console's policy editor, PUT /api/v2/mfa-policy/tenant,
-- `portcullis policy set`): each value is JSON and wins over the config file's key. Writes bump
-- meta.config_version so every node reloads. Keep in step with the other engine.
CREATE TABLE tenant_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The console's search by the start of a name, in name order with the id as tie-breaker, so
-- paging is a range scan at any size.
CREATE INDEX users_name_search ON users (lower(name), id);

-- Where a session was made and when it was last used, for the console's and the user's lists of
-- sessions (the last use is written at most every five minutes).
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN ip TEXT;
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT;
