-- An application's public keys for private_key_jwt client authentication (RFC 7523): a JWKS by
-- value, or the address it is published at. A table of its own: older nodes keep prepared
-- `SELECT * FROM clients`. Keep in step with the other engine.
CREATE TABLE client_keys (
    client_id TEXT PRIMARY KEY REFERENCES clients (id) ON DELETE CASCADE,
    jwks TEXT,
    jwks_uri TEXT
);
