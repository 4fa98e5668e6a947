-- The comms console's team members, their single-use sign-in links and their sessions. Tokens are
-- stored only as SHA-256 hashes (each has 256 random bits, so a slow hash adds nothing). A removed
-- member keeps their row (audit entries name them); their address can be added again.
CREATE TABLE members (
  id TEXT PRIMARY KEY CHECK (length(id) = 12),
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'comms')),
  created_at TEXT NOT NULL,
  removed_at TEXT
);
-- One current member per address, whatever its case (a person is one member).
CREATE UNIQUE INDEX members_current_email ON members(lower(email)) WHERE removed_at IS NULL;

CREATE TABLE console_sign_in_links (
  token_hash TEXT PRIMARY KEY,
  member_id TEXT NOT NULL REFERENCES members(id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT
);
CREATE INDEX console_sign_in_links_member ON console_sign_in_links(member_id);

CREATE TABLE console_sessions (
  token_hash TEXT PRIMARY KEY,
  member_id TEXT NOT NULL REFERENCES members(id),
  created_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE INDEX console_sessions_member ON console_sessions(member_id) WHERE revoked_at IS NULL;
