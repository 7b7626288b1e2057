-- Debts carried to the member's next campaign. When the secretariat locks a settlement run,
-- each member's debt (a negative net) is written here, one row per member and campaign the debt
-- comes from: a synced record (in the member's cooperative's season document of that campaign),
-- so that field laptops deduct the same debt as the office. A correction run writes the row
-- again (a member no longer in debt gets 0); its history stays in the document and the audit.
-- The debt is deducted in the next campaign of the same crop family (by contract start).
CREATE TABLE debt_carries (
  member_id TEXT NOT NULL REFERENCES members(id),
  campaign_id TEXT NOT NULL REFERENCES campaigns(id),
  amount INTEGER NOT NULL CHECK (amount >= 0),
  run_id TEXT NOT NULL,
  date TEXT NOT NULL,
  PRIMARY KEY (member_id, campaign_id)
) STRICT;

-- What a locked line carried in from the previous campaign.
ALTER TABLE settlement_lines ADD COLUMN carried_debt INTEGER NOT NULL DEFAULT 0;
