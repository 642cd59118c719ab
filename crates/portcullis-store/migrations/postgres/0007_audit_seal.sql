-- The audit trail's sealed head: the newest event's number and hash with a MAC, written in the
-- same transaction as the event, so removing the newest events is detected too.
-- Keep in step with the other engine.
CREATE TABLE audit_seal (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL,
  seal TEXT NOT NULL
);
