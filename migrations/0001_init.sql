-- The control-plane catalog: every database the service knows, and the
-- tokens minted through the management API (for audit; tokens are verified
-- by signature, never looked up here).
CREATE TABLE databases (
  name TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL
);

CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  database TEXT,
  access TEXT NOT NULL CHECK (access IN ('rw', 'ro')),
  created_at INTEGER NOT NULL,
  expires_at INTEGER
);
