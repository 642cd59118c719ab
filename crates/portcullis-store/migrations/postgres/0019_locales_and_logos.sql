-- The language a user reads emails in (a BCP 47 tag): chosen at sign-up or on the profile. A table
-- of its own, not a users column, for the reason user_logins has one: nodes of the previous
-- release keep prepared `SELECT * FROM users`. Keep in step with the other engine.
CREATE TABLE user_locales (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    locale TEXT NOT NULL
);

-- An application's logo (Auth0's logo_uri), shown on the pages of its sign-ins. A table of its own
-- for the same reason: older nodes keep prepared `SELECT * FROM clients`.
CREATE TABLE client_logos (
    client_id TEXT PRIMARY KEY REFERENCES clients (id) ON DELETE CASCADE,
    logo_uri TEXT NOT NULL
);
