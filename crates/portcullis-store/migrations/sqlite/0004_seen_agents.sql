-- Browsers (user agents, as keyed digests) a user completed a multi-factor sign-in from: the
-- "device is new" signal of the adaptive MFA policy. Keep in step with the other engine.
CREATE TABLE seen_agents (
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  digest TEXT NOT NULL,
  first_seen_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, digest)
);
CREATE INDEX seen_agents_last_seen ON seen_agents (last_seen_at);
