-- Console roles: who may use /admin and for what (admin, support, auditor). One role per user;
-- the row goes with the user. Keep in step with the other engine.
CREATE TABLE admin_roles (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    granted_at BIGINT NOT NULL
);

-- The console's search by the start of an email: LIKE 'prefix%' can use this index whatever the
-- database's collation (SQLite's binary collation serves ranges from the unique index).
CREATE INDEX users_email_pattern ON users (email text_pattern_ops);
