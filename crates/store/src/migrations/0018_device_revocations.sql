-- Revocations survive a lost office disk (issue #16): a device revoked by the secretariat is
-- marked in its `devices` row of the union document, which every laptop holds; an office put
-- back from a backup older than the revocation gets it back from the laptops, and refuses the
-- device again. The hub's own `hub_devices.revoked_at` stays the check of its tokens.
ALTER TABLE devices ADD COLUMN revoked_at TEXT;
