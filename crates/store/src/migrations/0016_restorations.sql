-- The office survives a lost disk (issue #16): each time this store was put back from a
-- backup, what was restored and from when. Local to the store (never synced), append-only:
-- the « Restauration » entry of the anomaly queue reads it, and so does the next restore.
CREATE TABLE restorations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  restored_at TEXT NOT NULL,
  backup_made_at TEXT NOT NULL,
  backup_file TEXT NOT NULL,
  backup_sha256 TEXT NOT NULL,
  store_id TEXT NOT NULL,
  from_generation INTEGER NOT NULL,
  to_generation INTEGER NOT NULL,
  -- the receipt counters of the backup (JSON: prefix -> last number)
  receipt_counters TEXT NOT NULL,
  -- where the store that was there went (or NULL)
  moved_aside TEXT
) STRICT;
CREATE TRIGGER restorations_d BEFORE DELETE ON restorations BEGIN SELECT RAISE(ABORT, 'immutable restoration'); END;
CREATE TRIGGER restorations_u BEFORE UPDATE ON restorations BEGIN SELECT RAISE(ABORT, 'immutable restoration'); END;
-- The store's identity, named in each backup's manifest (a backup needs no write to know it).
INSERT INTO settings (key, value) VALUES ('store_id', lower(hex(randomblob(16)))) ON CONFLICT(key) DO NOTHING;
