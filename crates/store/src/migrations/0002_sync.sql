-- Sync: the automerge change history of each document (opaque bytes to the store), the sync
-- state kept per peer and document, the conflicts found after merges, and the membership of
-- the agent-cooperative link table in the projection.

CREATE TABLE sync_docs (
  doc_id TEXT PRIMARY KEY,
  -- heads after the last local write or merge, as hex hashes joined by ','
  heads TEXT NOT NULL DEFAULT ''
) STRICT;

-- Append-only: each row is a chunk of automerge changes (a save_incremental or a bundle of
-- merged changes). Loading a document concatenates its chunks in order.
CREATE TABLE sync_chunks (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  doc_id TEXT NOT NULL REFERENCES sync_docs(doc_id),
  bytes BLOB NOT NULL
) STRICT;
CREATE INDEX sync_chunks_doc ON sync_chunks(doc_id, seq);

CREATE TABLE sync_states (
  peer TEXT NOT NULL, doc_id TEXT NOT NULL, state BLOB NOT NULL,
  PRIMARY KEY (peer, doc_id)
) STRICT;

-- A field written differently on two devices, kept for the secretariat.
CREATE TABLE conflicts (
  id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, record_table TEXT NOT NULL, record_key TEXT NOT NULL,
  field TEXT NOT NULL, money INTEGER NOT NULL,
  -- JSON array of {value, actor, change, time, message}
  candidates TEXT NOT NULL, found_at TEXT NOT NULL,
  resolved_at TEXT, resolved_by TEXT, resolution TEXT,
  UNIQUE (doc_id, record_table, record_key, field, candidates)
) STRICT;

CREATE TRIGGER sync_chunks_immutable_u BEFORE UPDATE ON sync_chunks BEGIN SELECT RAISE(ABORT, 'immutable sync history'); END;
CREATE TRIGGER sync_chunks_immutable_d BEFORE DELETE ON sync_chunks BEGIN SELECT RAISE(ABORT, 'immutable sync history'); END;
