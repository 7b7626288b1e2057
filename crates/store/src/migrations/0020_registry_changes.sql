-- Issue #18, the registry lives: members, warehouses, cooperatives and agents are corrected,
-- members leave or move, and every change is kept with who, where, when and why.
--
-- A member's departure: `status` (left, deceased, excluded, transferred) and the date it took
-- effect. A transfer to another cooperative of the union makes a new member there (the
-- registry, and every season document, belongs to one cooperative): the two are linked both
-- ways. No foreign key on the links: the other cooperative's registry may not be on a device.
-- The day a member was registered (unknown for members registered before this migration): a
-- departure is never dated before it.
ALTER TABLE members ADD COLUMN registered_on TEXT;
ALTER TABLE members ADD COLUMN left_on TEXT;
ALTER TABLE members ADD COLUMN moved_to TEXT;
ALTER TABLE members ADD COLUMN moved_from TEXT;
-- A warehouse closed (no delivery into it after that date) and an agent who left (no record
-- by them after that date).
ALTER TABLE warehouses ADD COLUMN closed_on TEXT;
ALTER TABLE agents ADD COLUMN left_on TEXT;

-- One row per correction, departure, transfer, closing: the fields it changed (JSON object:
-- field -> [old, new]), why, who, on which device, when. Synced in the document of the record
-- (a cooperative's registry; the union document for cooperatives and agents) and append-only.
CREATE TABLE registry_changes (
  id TEXT PRIMARY KEY, record_table TEXT NOT NULL, record_id TEXT NOT NULL,
  cooperative_id TEXT REFERENCES cooperatives(id), action TEXT NOT NULL,
  changes TEXT NOT NULL, reason TEXT NOT NULL, effective_on TEXT,
  agent_id TEXT NOT NULL REFERENCES agents(id), device_id TEXT NOT NULL REFERENCES devices(id),
  at TEXT NOT NULL
) STRICT;
CREATE INDEX registry_changes_record ON registry_changes(record_table, record_id);
CREATE TRIGGER registry_changes_immutable_u BEFORE UPDATE ON registry_changes BEGIN SELECT RAISE(ABORT, 'immutable registry change'); END;
CREATE TRIGGER registry_changes_immutable_d BEFORE DELETE ON registry_changes BEGIN SELECT RAISE(ABORT, 'immutable registry change'); END;
