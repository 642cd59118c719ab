-- MFA policy overrides per client and per API (JSON object of the keys that are set).
ALTER TABLE clients ADD COLUMN policy TEXT NOT NULL DEFAULT '{}';
ALTER TABLE apis ADD COLUMN policy TEXT NOT NULL DEFAULT '{}';
