-- Per-address request counts in fixed windows, shared by every node on one database so that
-- N nodes do not give an address N times the allowance. One row per (class, address); the
-- window restarts in place, and rows past their window are swept. Keep in step with the other
-- engine.
CREATE TABLE rate_windows (
    key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    hits INTEGER NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX rate_windows_expires ON rate_windows (expires_at);
