-- Issue #21 item 2: how a delivery's gross weight was obtained, kept in the synced record (the
-- column is one key of the delivery in its season document, merged like the others): the
-- scale's captures (exact kg, stable, time, raw frame, protocol, port and settings) or a
-- weight typed by hand with its reason, as the JSON of `sene_domain::Weighing`. NULL: a
-- delivery recorded before Sene read scales (« saisie avant la balance »), still valid.
-- Written once with the row: the immutability triggers of deliveries stay as they are.
ALTER TABLE deliveries ADD COLUMN weighing TEXT;
