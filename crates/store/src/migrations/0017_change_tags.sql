-- Records relayed for their authors (issue #16): the tag of each change this device received
-- from the office and did not write itself (HMAC-SHA256 of the change hash under the
-- author's key, computed by the office), sent along whenever this device carries the change
-- back to an office that lost it. Append-only; a tag never changes.
CREATE TABLE change_tags (
  hash BLOB PRIMARY KEY,
  tag BLOB NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TRIGGER change_tags_d BEFORE DELETE ON change_tags BEGIN SELECT RAISE(ABORT, 'immutable change tag'); END;
CREATE TRIGGER change_tags_u BEFORE UPDATE ON change_tags BEGIN SELECT RAISE(ABORT, 'immutable change tag'); END;
