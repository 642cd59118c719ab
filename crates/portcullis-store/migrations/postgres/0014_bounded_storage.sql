-- Bounded storage: the sweeper deletes expired rows in small batches by these indexes instead of
-- scanning whole tables, and one node at a time holds its lease. Keep in step with the other
-- engine.
CREATE INDEX pending_authorizations_expires ON pending_authorizations (expires_at);
CREATE INDEX auth_codes_expires ON auth_codes (expires_at);
CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);
CREATE INDEX access_tokens_expires ON access_tokens (expires_at);
CREATE INDEX access_tokens_family ON access_tokens (family_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX otp_codes_expires ON otp_codes (expires_at);
CREATE INDEX flows_expires ON flows (expires_at);
CREATE INDEX devices_expires ON devices (expires_at);
CREATE INDEX failures_last ON failures (last_at);
CREATE INDEX revoked_families_revoked ON revoked_families (revoked_at);

-- Background work that one node of a cluster does at a time (the sweeper): whoever holds an
-- unexpired lease; a node that dies loses it when it expires.
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
