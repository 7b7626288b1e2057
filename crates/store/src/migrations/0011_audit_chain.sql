-- Tamper-evident audit. A device's audit rows form a hash chain, computed when it syncs (from
-- the rows themselves, so a row edited in the file changes every hash after it). The hub keeps
-- each head a device proved (its sequence number and hash) and, at every sync, asks the device
-- for the hash of its chain at a head it holds: a different hash means the history was
-- rewritten, and is kept here for the secretariat's anomaly queue (once per device and head).
-- A head is `confirmed` once the device names it in a later sync (so it got the reply that
-- acknowledged it): a device that names an older head than one it confirmed hides something.
CREATE TABLE audit_heads (
  device_id TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL, received_at TEXT NOT NULL,
  confirmed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (device_id, seq)
) STRICT;

CREATE TABLE audit_breaks (
  id INTEGER PRIMARY KEY, device_id TEXT NOT NULL, at_seq INTEGER NOT NULL,
  expected TEXT NOT NULL, got TEXT NOT NULL, reason TEXT NOT NULL, detected_at TEXT NOT NULL,
  UNIQUE (device_id, at_seq)
) STRICT;
CREATE TRIGGER audit_breaks_immutable_u BEFORE UPDATE ON audit_breaks BEGIN SELECT RAISE(ABORT, 'immutable audit break'); END;
CREATE TRIGGER audit_breaks_immutable_d BEFORE DELETE ON audit_breaks BEGIN SELECT RAISE(ABORT, 'immutable audit break'); END;
