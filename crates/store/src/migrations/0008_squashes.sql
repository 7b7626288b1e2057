-- Local changes squashed before they first leave the store (BENCHMARKS.md, sync: one automerge
-- change per use case costs ≈ 43 B of hashes and checksums each on the wire).
--
-- `shared_upto`: the last chunk of the document that may have left this store (sent to a peer,
-- written to a USB file) or came from outside (a merge). Chunks after it are this device's own
-- changes that no one has seen; only those may be squashed.
ALTER TABLE sync_docs ADD COLUMN shared_upto INTEGER NOT NULL DEFAULT 0;
-- Stores made before this migration: everything may have been shared already.
UPDATE sync_docs SET shared_upto = COALESCE(
  (SELECT max(seq) FROM sync_chunks c WHERE c.doc_id = sync_docs.doc_id), 0);

-- The chunks `from_seq..=to_seq` of a document, each one local change, stand as the single
-- change `bytes` in the document's history. The original chunks stay in sync_chunks, untouched
-- (immutable): what each use case wrote is kept; loading and rebuilding read the squash instead.
CREATE TABLE sync_squashes (
  doc_id TEXT NOT NULL REFERENCES sync_docs(doc_id),
  from_seq INTEGER NOT NULL,
  to_seq INTEGER NOT NULL,
  bytes BLOB NOT NULL,
  PRIMARY KEY (doc_id, from_seq),
  CHECK (to_seq > from_seq)
) STRICT;
CREATE TRIGGER sync_squashes_immutable_u BEFORE UPDATE ON sync_squashes BEGIN SELECT RAISE(ABORT, 'immutable sync history'); END;
CREATE TRIGGER sync_squashes_immutable_d BEFORE DELETE ON sync_squashes BEGIN SELECT RAISE(ABORT, 'immutable sync history'); END;
