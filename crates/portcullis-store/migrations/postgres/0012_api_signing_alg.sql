-- The algorithm an API's access tokens are signed with; NULL is the default (RS256), which
-- every common resource-server library verifies. Keep in step with the other engine.
ALTER TABLE apis ADD COLUMN signing_alg TEXT;
