-- The union office's reconciliation records. Like settlement runs, these tables stay in the
-- office store (they are not projection rows of a synced document) and are append-only:
-- a correction is a new row (a newer count, another return), never an edit.

-- Why the secretariat closed an anomaly of a campaign's queue. The key encodes the anomaly's
-- evidence: when the evidence changes, the key changes and the anomaly is open again.
CREATE TABLE anomaly_resolutions (
  id INTEGER PRIMARY KEY, campaign_id TEXT NOT NULL REFERENCES campaigns(id),
  anomaly_key TEXT NOT NULL, kind TEXT NOT NULL, note TEXT NOT NULL CHECK (length(trim(note)) > 0),
  resolved_by TEXT NOT NULL REFERENCES agents(id), device_id TEXT NOT NULL REFERENCES devices(id),
  resolved_at TEXT NOT NULL,
  UNIQUE (campaign_id, anomaly_key)
) STRICT;

-- Physical counts of a warehouse's stock, entered by the secretariat (kg in tenths).
CREATE TABLE stock_counts (
  id INTEGER PRIMARY KEY, warehouse_id TEXT NOT NULL REFERENCES warehouses(id),
  campaign_id TEXT NOT NULL REFERENCES campaigns(id),
  counted_on TEXT NOT NULL, counted_t INTEGER NOT NULL CHECK (counted_t >= 0), note TEXT NOT NULL,
  counted_by TEXT NOT NULL REFERENCES agents(id), device_id TEXT NOT NULL REFERENCES devices(id),
  recorded_at TEXT NOT NULL
) STRICT;
CREATE INDEX stock_counts_campaign ON stock_counts(campaign_id, warehouse_id, counted_on);

-- Cash an agent hands back to the office (whole francs).
CREATE TABLE cash_returns (
  id INTEGER PRIMARY KEY, agent_id TEXT NOT NULL REFERENCES agents(id),
  campaign_id TEXT NOT NULL REFERENCES campaigns(id),
  returned_on TEXT NOT NULL, amount INTEGER NOT NULL CHECK (amount > 0), note TEXT NOT NULL,
  received_by TEXT NOT NULL REFERENCES agents(id), device_id TEXT NOT NULL REFERENCES devices(id),
  recorded_at TEXT NOT NULL
) STRICT;
CREATE INDEX cash_returns_campaign ON cash_returns(campaign_id, agent_id);

CREATE TRIGGER anomaly_resolutions_immutable_u BEFORE UPDATE ON anomaly_resolutions BEGIN SELECT RAISE(ABORT, 'immutable anomaly resolution'); END;
CREATE TRIGGER anomaly_resolutions_immutable_d BEFORE DELETE ON anomaly_resolutions BEGIN SELECT RAISE(ABORT, 'immutable anomaly resolution'); END;
CREATE TRIGGER stock_counts_immutable_u BEFORE UPDATE ON stock_counts BEGIN SELECT RAISE(ABORT, 'immutable stock count'); END;
CREATE TRIGGER stock_counts_immutable_d BEFORE DELETE ON stock_counts BEGIN SELECT RAISE(ABORT, 'immutable stock count'); END;
CREATE TRIGGER cash_returns_immutable_u BEFORE UPDATE ON cash_returns BEGIN SELECT RAISE(ABORT, 'immutable cash return'); END;
CREATE TRIGGER cash_returns_immutable_d BEFORE DELETE ON cash_returns BEGIN SELECT RAISE(ABORT, 'immutable cash return'); END;
