-- The hub's compression dictionaries: two slots per device (its last exchange's and the one
-- before, whose reply may not have reached it), each deflated. They were settings
-- (`hub_dict/<device>`, `hub_dict_prev/<device>`) of 64 KB of hex each: a union's day of
-- merges wrote 10 MB more, and the server path took 0.1 s longer (measured in the sync bench).
-- The old settings are dropped, not converted: a device whose dictionary is gone is answered
-- 409 once and says its exchange again without one.
CREATE TABLE hub_dicts (
  device_id TEXT NOT NULL, slot INTEGER NOT NULL CHECK (slot IN (0, 1)),
  deflated BLOB NOT NULL, PRIMARY KEY (device_id, slot)
) STRICT;
DELETE FROM settings WHERE key LIKE 'hub_dict/%' OR key LIKE 'hub_dict_prev/%';
