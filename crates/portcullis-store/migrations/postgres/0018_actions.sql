-- Post-login Actions (Auth0's shape): the draft and the deployed version as one JSON body, secret
-- values sealed with the master key inside it. Bindings are a tenant setting (the ordered ids), so
-- a deploy or a binding change bumps meta.config_version like every configuration write and every
-- node reloads what it runs. Keep in step with the other engine.
CREATE TABLE actions (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Auth0's event.stats.logins_count, counted where the last sign-in is written. A table of its own,
-- not a column of users: a node of the previous release keeps prepared `SELECT * FROM users`
-- statements, and PostgreSQL refuses to run a cached plan whose result type a new column changed.
CREATE TABLE user_logins (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    count BIGINT NOT NULL
);
