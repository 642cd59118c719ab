-- An application's further settings by name (the CIBA ping address, and what comes next), one row
-- each. A table of its own: older nodes keep prepared `SELECT * FROM clients`. Keep in step with
-- the other engine.
CREATE TABLE client_settings (
    client_id TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (client_id, name)
);
