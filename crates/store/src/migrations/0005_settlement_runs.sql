-- Locked settlement runs of a campaign and their lines, one per member. A run is never edited:
-- a correction is a new run that names the one it replaces. These tables stay in the office
-- store (they are not projection rows of a synced document).
--
-- The *_upto columns hold the highest rowid of deliveries, disbursements, fertilizer
-- distributions and reversals when the run was locked: a row above them arrived later (recorded
-- or synced after the lock) and was not counted by the run.
CREATE TABLE settlement_runs (
  id TEXT PRIMARY KEY, campaign_id TEXT NOT NULL REFERENCES campaigns(id),
  date TEXT NOT NULL, locked_at TEXT NOT NULL,
  locked_by TEXT NOT NULL REFERENCES agents(id), device_id TEXT NOT NULL REFERENCES devices(id),
  replaces TEXT REFERENCES settlement_runs(id), note TEXT NOT NULL,
  deliveries_upto INTEGER NOT NULL, disbursements_upto INTEGER NOT NULL,
  distributions_upto INTEGER NOT NULL, reversals_upto INTEGER NOT NULL
) STRICT;
CREATE INDEX settlement_runs_campaign ON settlement_runs(campaign_id, locked_at);

-- The figures are those of the settlement at the run's date; the member's number, name and
-- cooperative code are copied so that a statement reprinted later is the same document.
CREATE TABLE settlement_lines (
  run_id TEXT NOT NULL REFERENCES settlement_runs(id),
  member_id TEXT NOT NULL REFERENCES members(id),
  number TEXT NOT NULL, full_name TEXT NOT NULL, cooperative TEXT NOT NULL,
  committed_t INTEGER NOT NULL, accepted_t INTEGER NOT NULL, delivered_value INTEGER NOT NULL,
  advances INTEGER NOT NULL, fees INTEGER NOT NULL, fertilizer_credit INTEGER NOT NULL,
  net INTEGER NOT NULL, paid INTEGER NOT NULL, debt INTEGER NOT NULL,
  PRIMARY KEY (run_id, member_id)
) STRICT;

CREATE TRIGGER settlement_runs_immutable_u BEFORE UPDATE ON settlement_runs BEGIN SELECT RAISE(ABORT, 'immutable settlement run'); END;
CREATE TRIGGER settlement_runs_immutable_d BEFORE DELETE ON settlement_runs BEGIN SELECT RAISE(ABORT, 'immutable settlement run'); END;
CREATE TRIGGER settlement_lines_immutable_u BEFORE UPDATE ON settlement_lines BEGIN SELECT RAISE(ABORT, 'immutable settlement run'); END;
CREATE TRIGGER settlement_lines_immutable_d BEFORE DELETE ON settlement_lines BEGIN SELECT RAISE(ABORT, 'immutable settlement run'); END;
