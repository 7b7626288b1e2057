-- Issue #20 item 2: the hub names a device's dictionary by its id (the first 8 bytes of its
-- SHA-256) at every exchange. Without the id stored, finding the one a request names meant
-- unpacking and hashing each slot's 64 KiB in turn. The id is written with the dictionary;
-- a slot written before this version has none (NULL) and is found the old way.
ALTER TABLE hub_dicts ADD COLUMN dict_id BLOB CHECK (dict_id IS NULL OR length(dict_id) = 8);
