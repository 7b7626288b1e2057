-- Issue #20: the office's figures of a campaign (dashboard, anomaly queue, settlement) read in
-- a few passes that grow with the campaign, not with the number of agents or contracts.
--
-- The money tables that carry their campaign had no index on it: each read of one campaign
-- scanned the whole table. Each index leads with the campaign (the passes over a campaign: the
-- agents' cash, the settlement's fertilizer and balance payments) then the agent (one agent's
-- cash).
CREATE INDEX distributions_campaign_agent ON fertilizer_distributions(campaign_id, agent_id);
CREATE INDEX balance_payments_campaign_agent ON balance_payments(campaign_id, agent_id);
CREATE INDEX fund_allocations_campaign_agent ON fund_allocations(campaign_id, agent_id);
-- Advances carry their contract, not their campaign: one agent's advances by agent.
CREATE INDEX disbursements_agent ON disbursements(agent_id);
-- A campaign's contracts in id order (unique: the id is), so that what is read per contract
-- comes out grouped and ordered by contract without a sort. Replaces contracts(campaign_id).
DROP INDEX contracts_campaign;
CREATE UNIQUE INDEX contracts_campaign_id ON contracts(campaign_id, id);
-- A contract's deliveries with what the campaign's figures read of them — day, gross and
-- accepted kg, and the id a reversal names — from the index alone, ordered by day: the
-- accepted kg per contract and the look-alike weighings without reading the table's rows.
-- Replaces deliveries(contract_id), so a delivery still writes one entry per index.
DROP INDEX deliveries_contract;
CREATE INDEX deliveries_contract_figures ON deliveries(contract_id, date, gross_t, accepted_t, id);
-- Every receipt of a device in number order from the index alone: the receipt gaps of the
-- anomaly queue read all of them, and the receipt counters restored after a merge read one
-- device's. Replaces deliveries(device_id) (migration 7), the largest of the money tables.
DROP INDEX deliveries_device;
CREATE INDEX deliveries_device_receipt ON deliveries(device_id, receipt);
