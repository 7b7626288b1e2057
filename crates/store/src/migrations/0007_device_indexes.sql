-- The money tables by device: restoring a device's receipt counter after a merge
-- (`restore_receipt_sequence`) reads only that device's rows instead of every row of the
-- table (at union scale, 50,000 deliveries on each merge at the hub: BENCHMARKS.md, sync).
CREATE INDEX disbursements_device ON disbursements(device_id);
CREATE INDEX deliveries_device ON deliveries(device_id);
CREATE INDEX reversals_device ON reversals(device_id);
CREATE INDEX distributions_device ON fertilizer_distributions(device_id);
CREATE INDEX balance_payments_device ON balance_payments(device_id);
