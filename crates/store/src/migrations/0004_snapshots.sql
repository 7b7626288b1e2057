-- Compacted documents: a document saved whole, covering its chunks up to `upto_seq`. Loading
-- reads the latest snapshot and only the chunks after it; the chunks themselves stay (the
-- history is append-only).
CREATE TABLE sync_snapshots (
  doc_id TEXT PRIMARY KEY REFERENCES sync_docs(doc_id),
  upto_seq INTEGER NOT NULL,
  bytes BLOB NOT NULL
) STRICT;
