-- Issue #17, conflicts resolvable as designed. Both tables are synced (projection rows of the
-- document of the record they settle) and append-only: nothing is deleted or rewritten.
--
-- A member registered twice is merged by a `member_merges` row (kind `merge`): the records of
-- `merged_id` count under `kept_id` wherever they are read (sene_domain::merges); or the pair
-- is declared two people (kind `distinct`). Both members are of one cooperative: the row lives
-- in that cooperative's registry.
CREATE TABLE member_merges (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL,
  kept_id TEXT NOT NULL REFERENCES members(id), merged_id TEXT NOT NULL REFERENCES members(id),
  reason TEXT NOT NULL, agent_id TEXT NOT NULL REFERENCES agents(id),
  device_id TEXT NOT NULL REFERENCES devices(id), at TEXT NOT NULL
) STRICT;
CREATE INDEX member_merges_kept ON member_merges(kept_id);
CREATE INDEX member_merges_merged ON member_merges(merged_id);
CREATE TRIGGER member_merges_immutable_u BEFORE UPDATE ON member_merges BEGIN SELECT RAISE(ABORT, 'immutable merge record'); END;
CREATE TRIGGER member_merges_immutable_d BEFORE DELETE ON member_merges BEGIN SELECT RAISE(ABORT, 'immutable merge record'); END;

-- A sync conflict's resolution: the record in conflict (table and key), what kind of conflict
-- (`fields`, `duplicate`, `creation`), the candidates it settles (`covers`: their keys, a
-- change hash's first 16 hex digits or a record id, comma-separated), the one chosen, the
-- action (`value`, `keep`, `merge`, `distinct`), who, on which device, when and why. Every
-- store that holds it closes its open conflicts on that record whose candidates it covers.
CREATE TABLE conflict_resolutions (
  id TEXT PRIMARY KEY, record_table TEXT NOT NULL, record_key TEXT NOT NULL,
  kind TEXT NOT NULL, covers TEXT NOT NULL, choice TEXT, action TEXT NOT NULL,
  money INTEGER NOT NULL, reason TEXT NOT NULL, agent_id TEXT NOT NULL REFERENCES agents(id),
  device_id TEXT NOT NULL REFERENCES devices(id), resolved_at TEXT NOT NULL
) STRICT;
CREATE INDEX conflict_resolutions_record ON conflict_resolutions(record_table, record_key);
CREATE TRIGGER conflict_resolutions_immutable_u BEFORE UPDATE ON conflict_resolutions BEGIN SELECT RAISE(ABORT, 'immutable resolution'); END;
CREATE TRIGGER conflict_resolutions_immutable_d BEFORE DELETE ON conflict_resolutions BEGIN SELECT RAISE(ABORT, 'immutable resolution'); END;

-- The open conflicts of a record are found at each merge (a third concurrent value extends
-- the open conflict instead of being missed).
CREATE INDEX conflicts_open_record ON conflicts(record_table, record_key) WHERE resolved_at IS NULL;
