-- Management API: per-user metadata in Auth0's two documents (the user may edit user_metadata
-- through apps; app_metadata is for admins only), and log search by type and time.
-- Keep in step with the other engine.
ALTER TABLE users ADD COLUMN user_metadata TEXT NOT NULL DEFAULT '{}';
ALTER TABLE users ADD COLUMN app_metadata TEXT NOT NULL DEFAULT '{}';
CREATE INDEX audit_events_kind ON audit_events (kind, at);
CREATE INDEX audit_events_at ON audit_events (at);
