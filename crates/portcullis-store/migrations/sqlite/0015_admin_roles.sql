-- Console roles: who may use /admin and for what (admin, support, auditor). One role per user;
-- the row goes with the user. Keep in step with the other engine.
CREATE TABLE admin_roles (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    granted_at BIGINT NOT NULL
);
