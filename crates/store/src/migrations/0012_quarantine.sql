-- Files of a revoked device brought by USB stick: authenticated with the device's key, then
-- kept whole for the secretariat to review, never merged (a revoked laptop may be in the wrong
-- hands). One row per distinct file (its SHA-256); rows are never edited nor deleted.
CREATE TABLE quarantine (
  id INTEGER PRIMARY KEY, device_id TEXT NOT NULL, received_at TEXT NOT NULL,
  created_at TEXT NOT NULL, size INTEGER NOT NULL, digest TEXT NOT NULL UNIQUE,
  bytes BLOB NOT NULL
) STRICT;
CREATE TRIGGER quarantine_immutable_u BEFORE UPDATE ON quarantine BEGIN SELECT RAISE(ABORT, 'immutable quarantine'); END;
CREATE TRIGGER quarantine_immutable_d BEFORE DELETE ON quarantine BEGIN SELECT RAISE(ABORT, 'immutable quarantine'); END;
