-- The audit trail's hash chain: each event's number, the previous hash and its own (a keyed MAC
-- computed by the application), and the sealed checkpoint that stands for pruned events.
-- Keep in step with the other engine.
ALTER TABLE audit_events ADD COLUMN seq BIGINT;
ALTER TABLE audit_events ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_events ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_events_seq ON audit_events (seq);
CREATE TABLE audit_checkpoint (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL,
  at BIGINT NOT NULL,
  seal TEXT NOT NULL
);
