-- Maker-checker for the settlement lock (issue #6): one secretariat agent proposes the
-- settlement of a campaign at a date, with its figures; another locks it, and only while the
-- figures are still those proposed. Office-local, like the runs. A proposal is never edited,
-- except to name, once, the run that confirmed it.
CREATE TABLE settlement_proposals (
  id TEXT PRIMARY KEY, campaign_id TEXT NOT NULL REFERENCES campaigns(id),
  date TEXT NOT NULL, proposed_by TEXT NOT NULL REFERENCES agents(id),
  proposed_at TEXT NOT NULL, figures TEXT NOT NULL,
  run_id TEXT REFERENCES settlement_runs(id)
) STRICT;
CREATE INDEX settlement_proposals_open ON settlement_proposals(campaign_id, date) WHERE run_id IS NULL;
CREATE TRIGGER settlement_proposals_d BEFORE DELETE ON settlement_proposals BEGIN SELECT RAISE(ABORT, 'immutable settlement proposal'); END;
CREATE TRIGGER settlement_proposals_u BEFORE UPDATE ON settlement_proposals
  WHEN OLD.run_id IS NOT NULL OR NEW.id != OLD.id OR NEW.campaign_id != OLD.campaign_id
    OR NEW.date != OLD.date OR NEW.proposed_by != OLD.proposed_by OR NEW.figures != OLD.figures
BEGIN SELECT RAISE(ABORT, 'immutable settlement proposal'); END;
