-- Access control: API tokens (stored as SHA-256 only) and who submitted each sweep.

-- One row per token. The token itself is shown once when created and never stored: token_sha256 is the
-- hex SHA-256 of it (a 256-bit random token needs no slow hash; see common ApiToken). id is a short
-- public handle ("tok-" + the first 12 hex digits of the hash) for listing and revoking.
-- name is the principal: the sweeps a token submits belong to that name, so a rotated token (same name)
-- keeps its holder's sweeps. Never granted to shadowfleet_reader.
CREATE TABLE api_tokens (
  id           text COLLATE "C" PRIMARY KEY,
  token_sha256 char(64) NOT NULL UNIQUE,
  name         text NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$'),
  role         text NOT NULL CHECK (role IN ('viewer', 'researcher', 'operator')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  created_by   text NOT NULL,
  revoked_at   timestamptz,
  last_used_at timestamptz
);
CREATE INDEX api_tokens_name ON api_tokens (name);

-- The principal that submitted the sweep (null for sweeps from before access control, or submitted
-- while authentication was off): a researcher may cancel only their own sweeps.
ALTER TABLE sweeps ADD COLUMN submitted_by text;
COMMENT ON COLUMN sweeps.submitted_by IS 'token name of the submitter; null when submitted without authentication';
