-- Ids a user had in the system they were imported from (Auth0's `user_id`, "auth0|…"), so the
-- management API finds them by the id apps stored. Keep in step with the other engine.
CREATE TABLE user_aliases (
    alias TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX user_aliases_user ON user_aliases (user_id);
