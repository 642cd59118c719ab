-- Self-service account deletion: when a scheduled deletion falls due (NULL when none is
-- scheduled), indexed for the background sweep. Keep in step with the other engine.
ALTER TABLE users ADD COLUMN delete_after INTEGER;
CREATE INDEX users_delete_after ON users (delete_after);
