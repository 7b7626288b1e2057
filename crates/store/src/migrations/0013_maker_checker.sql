-- Maker-checker (issue #6): who requested a contract and who approved it. Two people: the
-- use case refuses an approval by the requester, and every replica refuses a merged contract
-- row whose approver is its requester. NULL on contracts made before this migration.
ALTER TABLE contracts ADD COLUMN requested_by TEXT;
ALTER TABLE contracts ADD COLUMN approved_by TEXT;
