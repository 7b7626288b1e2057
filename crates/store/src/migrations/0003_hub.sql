-- The union office hub: enrolled devices, their scope and secrets. The sync token is kept only
-- as a SHA-256 hash; the bundle key (HMAC key of USB files) must be known to both sides.
CREATE TABLE hub_devices (
  device_id TEXT PRIMARY KEY REFERENCES devices(id),
  agent_id TEXT NOT NULL REFERENCES agents(id),
  cooperatives TEXT NOT NULL,
  pairing_hash TEXT,
  pairing_expires TEXT,
  token_hash TEXT,
  bundle_key TEXT,
  enrolled_at TEXT,
  revoked_at TEXT,
  last_sync_at TEXT
) STRICT;
CREATE UNIQUE INDEX hub_devices_token ON hub_devices(token_hash) WHERE token_hash IS NOT NULL;
