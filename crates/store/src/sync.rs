//! What sync needs from the store, with no knowledge of automerge: rows as JSON objects (read by
//! rowid or key, written generically), the tables of change chunks, sync states and conflicts,
//! and writes that report which projection rows they touched.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use crate::{Db, Store, StoreError, Table};

type R<T> = Result<T, StoreError>;

/// A projection row written by a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Touched {
    pub table: Table,
    pub rowid: i64,
}

/// What happened to a row, as SQLite tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RowAction {
    Insert,
    Update,
    Delete,
}

/// A row of a projection table written while the store watched ([`Store::watch_rows`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RowChange {
    pub table: Table,
    pub rowid: i64,
    pub action: RowAction,
}

/// The projection's rows written while watched, as SQLite's update hook gives them.
pub(crate) type Watch = Arc<Mutex<Vec<RowChange>>>;

/// Notes a row the update hook tells of, if it is a projection table's.
fn note(watch: &Watch, a: rusqlite::hooks::Action, table: &str, rowid: i64) {
    let Some(table) = Table::from_name(table) else {
        return;
    };
    let action = match a {
        rusqlite::hooks::Action::SQLITE_INSERT => RowAction::Insert,
        rusqlite::hooks::Action::SQLITE_DELETE => RowAction::Delete,
        _ => RowAction::Update,
    };
    if let Ok(mut v) = watch.lock() {
        v.push(RowChange {
            table,
            rowid,
            action,
        });
    }
}

/// A row as JSON with the table's local columns left out (they are this store's own).
fn without_local(table: Table, mut m: Map<String, Json>) -> Map<String, Json> {
    for c in table.local_columns() {
        m.remove(*c);
    }
    m
}

/// What [`Db::put_row`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PutOutcome {
    Inserted,
    /// The columns that changed.
    Updated(Vec<String>),
    Same,
}

/// A conflict row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictRow {
    pub id: String,
    pub doc_id: String,
    pub record_table: String,
    pub record_key: String,
    pub field: String,
    pub money: bool,
    /// JSON array of candidates.
    pub candidates: String,
    pub found_at: String,
    pub resolved_at: Option<String>,
    pub resolved_by: Option<String>,
    pub resolution: Option<String>,
}

fn to_sql(v: &Json) -> Value {
    match v {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Integer(i64::from(*b)),
        Json::Number(n) => n.as_i64().map_or_else(
            || Value::Real(n.as_f64().unwrap_or_default()),
            Value::Integer,
        ),
        Json::String(s) => Value::Text(s.clone()),
        other => Value::Text(other.to_string()),
    }
}

fn to_json(v: rusqlite::types::ValueRef<'_>) -> Json {
    use rusqlite::types::ValueRef as V;
    match v {
        V::Null => Json::Null,
        V::Integer(i) => Json::from(i),
        V::Real(f) => Json::from(f),
        V::Text(t) => Json::from(String::from_utf8_lossy(t).into_owned()),
        V::Blob(b) => Json::from(b.len()),
    }
}

fn row_to_map(r: &rusqlite::Row<'_>, names: &[String]) -> rusqlite::Result<Map<String, Json>> {
    let mut m = Map::new();
    for (i, n) in names.iter().enumerate() {
        m.insert(n.clone(), to_json(r.get_ref(i)?));
    }
    Ok(m)
}

/// The key of a row: its key columns' values joined by `/`.
#[must_use]
pub fn row_key(table: Table, row: &Map<String, Json>) -> String {
    table
        .key_columns()
        .iter()
        .map(|c| match row.get(*c) {
            Some(Json::String(s)) => s.clone(),
            Some(v) => v.to_string(),
            None => String::new(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn sp(name: &str) -> String {
    let clean: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
    format!("sp_{clean}")
}

fn valid_column(c: &str) -> bool {
    !c.is_empty()
        && c.chars()
            .all(|x| x.is_ascii_lowercase() || x.is_ascii_digit() || x == '_')
}

impl Db<'_> {
    /// A projection row by rowid, as a JSON object (local columns left out).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn row_by_rowid(&self, table: Table, rowid: i64) -> R<Option<Map<String, Json>>> {
        let mut st = self
            .conn()
            .prepare_cached(&format!("SELECT * FROM {} WHERE rowid = ?1", table.name()))?;
        let names: Vec<String> = st.column_names().map(str::to_owned).collect();
        let row = st
            .query_row([rowid], |r| row_to_map(r, &names))
            .optional()?;
        Ok(row.map(|m| without_local(table, m)))
    }

    /// The projection rows whose `column` holds `value` (text), as JSON objects (local columns
    /// left out), in rowid order: e.g. the deliveries of one contract.
    ///
    /// # Errors
    /// [`StoreError::Decode`] for a column name that is not one, SQLite errors.
    pub fn rows_where(&self, table: Table, column: &str, value: &str) -> R<Vec<Map<String, Json>>> {
        if !valid_column(column) {
            return Err(StoreError::Decode {
                table: table.name(),
                column: "?",
                value: column.to_owned(),
            });
        }
        let mut st = self.conn().prepare_cached(&format!(
            "SELECT * FROM {} WHERE {column} = ?1 ORDER BY rowid",
            table.name()
        ))?;
        let names: Vec<String> = st.column_names().map(str::to_owned).collect();
        let rows = st.query_map([value], |r| row_to_map(r, &names))?;
        rows.map(|r| Ok(without_local(table, r?))).collect()
    }

    /// A projection row by key (as made by [`row_key`]).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn row_by_key(&self, table: Table, key: &str) -> R<Option<Map<String, Json>>> {
        let Some((parts, cond)) = key_condition(table, key) else {
            return Ok(None);
        };
        let mut st = self
            .conn()
            .prepare_cached(&format!("SELECT * FROM {} WHERE {cond}", table.name()))?;
        let names: Vec<String> = st.column_names().map(str::to_owned).collect();
        let row = st
            .query_row(params_from_iter(parts.iter()), |r| row_to_map(r, &names))
            .optional()?;
        Ok(row.map(|m| without_local(table, m)))
    }

    /// One column of the row under `key`, as text (`None` when there is no such row or the
    /// column is NULL): what following a reference needs, without reading the whole row.
    ///
    /// # Errors
    /// [`StoreError::Decode`] for a column name that is not one, SQLite errors.
    pub fn column_by_key(&self, table: Table, key: &str, column: &str) -> R<Option<String>> {
        if !valid_column(column) {
            return Err(StoreError::Decode {
                table: table.name(),
                column: "?",
                value: column.to_owned(),
            });
        }
        let Some((parts, cond)) = key_condition(table, key) else {
            return Ok(None);
        };
        let sql = format!("SELECT {column} FROM {} WHERE {cond}", table.name());
        let value: Option<Option<String>> = self
            .cached()
            .query_row(&sql, params_from_iter(parts.iter()), |r| r.get(0))
            .optional()?;
        Ok(value.flatten())
    }

    /// Writes a row given as a JSON object: inserts it when its key is new, otherwise updates
    /// the columns that differ (which the immutability triggers refuse for money records).
    ///
    /// # Errors
    /// [`StoreError::Immutable`] for a changed money record, [`StoreError::Decode`] for an
    /// unknown column, SQLite errors (types, foreign keys, uniqueness).
    pub fn put_row(&self, table: Table, row: &Map<String, Json>) -> R<PutOutcome> {
        for c in row.keys() {
            if !valid_column(c) || table.local_columns().contains(&c.as_str()) {
                return Err(StoreError::Decode {
                    table: table.name(),
                    column: "?",
                    value: c.clone(),
                });
            }
        }
        // A record new to this store, the common case of a merge, in one statement: only a
        // uniqueness conflict is passed over (a constraint or trigger failure is an error as
        // below), and then the record is read and compared as before, which also gives a
        // conflict on another unique column its error. (The store has no BEFORE INSERT
        // trigger, so trying the insert first changes nothing a trigger sees.)
        let inserted = self
            .conn()
            .prepare_cached(&insert_sql(table, row, " ON CONFLICT DO NOTHING"))?
            .execute(params_from_iter(row.values().map(to_sql)))?;
        if inserted == 1 {
            return Ok(PutOutcome::Inserted);
        }
        let key = row_key(table, row);
        match self.row_by_key(table, &key)? {
            None => {
                self.conn()
                    .prepare_cached(&insert_sql(table, row, ""))?
                    .execute(params_from_iter(row.values().map(to_sql)))?;
                Ok(PutOutcome::Inserted)
            }
            Some(old) => {
                let changed: Vec<String> = row
                    .iter()
                    .filter(|(k, v)| old.get(*k) != Some(*v))
                    .map(|(k, _)| k.clone())
                    .collect();
                if changed.is_empty() {
                    return Ok(PutOutcome::Same);
                }
                let sets = changed
                    .iter()
                    .enumerate()
                    .map(|(i, c)| format!("{c} = ?{}", i + 1))
                    .collect::<Vec<_>>()
                    .join(", ");
                let cols = table.key_columns();
                let cond = cols
                    .iter()
                    .enumerate()
                    .map(|(i, c)| format!("{c} = ?{}", changed.len() + i + 1))
                    .collect::<Vec<_>>()
                    .join(" AND ");
                let mut values: Vec<Value> = changed
                    .iter()
                    .map(|c| to_sql(row.get(c).unwrap_or(&Json::Null)))
                    .collect();
                values.extend(
                    cols.iter()
                        .map(|c| to_sql(row.get(*c).unwrap_or(&Json::Null))),
                );
                self.conn()
                    .prepare_cached(&format!("UPDATE {} SET {sets} WHERE {cond}", table.name()))?
                    .execute(params_from_iter(values))?;
                Ok(PutOutcome::Updated(changed))
            }
        }
    }

    /// Sets every device's receipt sequence to the highest number found in its receipts
    /// (after a rebuild from documents).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn restore_receipt_sequences(&self) -> R<()> {
        self.restore_sequences(None)
    }

    /// The same for one device (after a merge brought records it made elsewhere, e.g. a
    /// device restored from the hub).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn restore_receipt_sequence(&self, device: &str) -> R<()> {
        self.restore_sequences(Some(device))
    }

    fn restore_sequences(&self, device: Option<&str>) -> R<()> {
        // the series this store numbers in (after a restore, `-2`…): its own device's counter
        // follows that series only; other devices' counters follow the first series
        let series = self
            .setting(crate::backup::keys::RECEIPT_SERIES)?
            .unwrap_or_default();
        let own = self.setting("local_device")?.unwrap_or_default();
        let p = "(devices.receipt_prefix || iif(devices.id = ?3, ?2, ''))";
        for t in [
            "disbursements",
            "deliveries",
            "reversals",
            "fertilizer_distributions",
            "balance_payments",
        ] {
            self.conn()
                .prepare_cached(&format!(
                    "UPDATE devices SET last_seq = max(last_seq, coalesce((
                        SELECT max(CAST(substr(receipt, length({p}) + 2) AS INTEGER)) FROM {t}
                        WHERE device_id = devices.id
                          AND substr(receipt, 1, length({p}) + 1) = {p} || '-'
                          AND instr(substr(receipt, length({p}) + 2), '-') = 0), 0))
                     WHERE ?1 IS NULL OR id = ?1"
                ))?
                .execute(params![device, series, own])?;
        }
        Ok(())
    }

    /// Keeps the tags of changes received from the office (a tag already kept is left as it
    /// is).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn put_change_tags(&self, tags: &[([u8; 32], [u8; 32])]) -> R<()> {
        let mut st = self
            .conn()
            .prepare_cached("INSERT OR IGNORE INTO change_tags (hash, tag) VALUES (?1, ?2)")?;
        for (h, t) in tags {
            st.execute(params![&h[..], &t[..]])?;
        }
        Ok(())
    }

    /// The tag kept for a change, if any.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn change_tag(&self, hash: &[u8; 32]) -> R<Option<[u8; 32]>> {
        let t: Option<Vec<u8>> = self
            .conn()
            .prepare_cached("SELECT tag FROM change_tags WHERE hash = ?1")?
            .query_row([&hash[..]], |r| r.get(0))
            .optional()?;
        Ok(t.and_then(|t| t.try_into().ok()))
    }

    /// Opens a savepoint inside the current transaction.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn savepoint(&self, name: &str) -> R<()> {
        self.cached()
            .execute(&format!("SAVEPOINT {}", sp(name)), [])?;
        Ok(())
    }

    /// Undoes everything since the savepoint, and closes it.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn rollback_to(&self, name: &str) -> R<()> {
        let n = sp(name);
        self.conn()
            .execute_batch(&format!("ROLLBACK TO {n}; RELEASE {n}"))?;
        Ok(())
    }

    /// Keeps everything since the savepoint, and closes it.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn release(&self, name: &str) -> R<()> {
        self.cached()
            .execute(&format!("RELEASE {}", sp(name)), [])?;
        Ok(())
    }

    /// Other records that look like the same one: for a member, another member of the same
    /// cooperative with the same number, or sharing phone, NINA, or folded name + village +
    /// birth year ±1; for a delivery, another one of the same member, day and gross weight;
    /// for a reversal, another reversal of the same record. Reversed records are left out.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn look_alikes(&self, table: Table, id: &str) -> R<Vec<String>> {
        let sql = match table {
            Table::Members => {
                "SELECT o.id FROM members m JOIN members o ON o.id <> m.id AND (
                    (o.cooperative_id = m.cooperative_id AND o.number = m.number)
                    OR (m.phone IS NOT NULL AND o.phone = m.phone) OR (m.nina IS NOT NULL AND o.nina = m.nina)
                    OR (o.folded_name = m.folded_name AND lower(o.village) = lower(m.village)
                        AND (m.birth_year IS NULL OR o.birth_year IS NULL OR abs(o.birth_year - m.birth_year) <= 1)))
                 WHERE m.id = ?1 AND coalesce(m.moved_to, '') <> o.id AND coalesce(o.moved_to, '') <> m.id
                 ORDER BY o.id"
            }
            Table::Deliveries => {
                "SELECT o.id FROM deliveries d JOIN deliveries o ON o.id <> d.id AND o.member_id = d.member_id AND o.date = d.date AND o.gross_t = d.gross_t
                 WHERE d.id = ?1 AND NOT EXISTS (SELECT 1 FROM reversals r WHERE r.target_id = o.id)
                   AND NOT EXISTS (SELECT 1 FROM reversals r WHERE r.target_id = d.id) ORDER BY o.id"
            }
            Table::Reversals => "SELECT o.id FROM reversals r JOIN reversals o ON o.id <> r.id AND o.target_id = r.target_id WHERE r.id = ?1 ORDER BY o.id",
            _ => return Ok(Vec::new()),
        };
        let mut st = self.conn().prepare_cached(sql)?;
        let rows = st.query_map([id], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// [`Db::look_alikes`] of many deliveries in one query (a merge's, after its rows are
    /// written): the look-alikes of each of `ids` that has any, in order. One query a merge
    /// instead of one a delivery: the hub asks for the 50 of every push of a burst.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn delivery_look_alikes(&self, ids: &[&str]) -> R<HashMap<String, Vec<String>>> {
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let list = serde_json::to_string(ids).map_err(|e| StoreError::Decode {
            table: "deliveries",
            column: "id",
            value: e.to_string(),
        })?;
        let mut st = self.conn().prepare_cached(DELIVERY_LOOK_ALIKES)?;
        let rows = st.query_map([list], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))?;
        for row in rows {
            let (d, o) = row?;
            out.entry(d).or_default().push(o);
        }
        Ok(out)
    }

    // ----- documents -----

    /// Registers a document if new.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn ensure_doc(&self, doc_id: &str) -> R<()> {
        self.cached().execute(
            "INSERT OR IGNORE INTO sync_docs (doc_id) VALUES (?1)",
            [doc_id],
        )?;
        Ok(())
    }

    /// Every document id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn doc_ids(&self) -> R<Vec<String>> {
        let mut st = self
            .conn()
            .prepare_cached("SELECT doc_id FROM sync_docs ORDER BY doc_id")?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The ids of the documents `union`, `registry/<c>` and `season/<c>/…` for each
    /// cooperative `c` given (those that exist), in id order: what one device reads, without
    /// listing every document of the union.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn doc_ids_of(&self, cooperatives: &[String]) -> R<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        let exists = |id: &str| -> R<bool> {
            Ok(self
                .cached()
                .query_row(
                    "SELECT 1 FROM sync_docs WHERE doc_id = ?1",
                    [id],
                    |_| Ok(()),
                )
                .optional()?
                .is_some())
        };
        if exists("union")? {
            out.push("union".into());
        }
        let mut st = self.conn().prepare_cached(
            "SELECT doc_id FROM sync_docs WHERE doc_id >= ?1 AND doc_id < ?2 ORDER BY doc_id",
        )?;
        for c in cooperatives {
            let registry = format!("registry/{c}");
            if exists(&registry)? {
                out.push(registry);
            }
            // '0' follows '/': every id that starts with the prefix
            let rows = st.query_map(
                params![format!("season/{c}/"), format!("season/{c}0")],
                |r| r.get(0),
            )?;
            for r in rows {
                out.push(r?);
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// Appends a chunk of changes to a document's history; its sequence number.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn append_chunk(&self, doc_id: &str, bytes: &[u8]) -> R<i64> {
        self.ensure_doc(doc_id)?;
        self.cached().execute(
            "INSERT INTO sync_chunks (doc_id, bytes) VALUES (?1, ?2)",
            params![doc_id, bytes],
        )?;
        Ok(self.conn().last_insert_rowid())
    }

    /// A document's history, in order: its chunks, with each squashed run of local changes
    /// read as its squash (see [`Db::put_squash`]).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn chunks(&self, doc_id: &str) -> R<Vec<Vec<u8>>> {
        Ok(self
            .history_after(doc_id, 0)?
            .into_iter()
            .map(|(_, b)| b)
            .collect())
    }

    /// The history after chunk `upto`, as (last chunk covered, bytes): squashed runs are read as
    /// their squash.
    fn history_after(&self, doc_id: &str, upto: i64) -> R<Vec<(i64, Vec<u8>)>> {
        let mut squashes: Vec<(i64, i64, Vec<u8>)> = {
            let mut st = self.conn().prepare_cached(
                "SELECT from_seq, to_seq, bytes FROM sync_squashes WHERE doc_id = ?1 AND to_seq > ?2 ORDER BY from_seq DESC",
            )?;
            let rows = st.query_map(params![doc_id, upto], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
            rows.collect::<Result<_, _>>()?
        };
        if squashes.iter().any(|(from, _, _)| *from <= upto) {
            return Err(StoreError::Corrupt(format!(
                "historique de {doc_id} : un instantané coupe un regroupement de modifications"
            )));
        }
        let mut st = self.conn().prepare_cached(
            "SELECT seq, bytes FROM sync_chunks WHERE doc_id = ?1 AND seq > ?2 ORDER BY seq",
        )?;
        let rows = st.query_map(params![doc_id, upto], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, b) = row?;
            match squashes.last() {
                Some((from, to, _)) if seq >= *from && seq <= *to => {
                    if seq == *to {
                        if let Some((_, to, bytes)) = squashes.pop() {
                            out.push((to, bytes));
                        }
                    }
                }
                _ => out.push((seq, b)),
            }
        }
        Ok(out)
    }

    /// A document as stored for loading: the latest snapshot (if any) followed by the chunks
    /// after it, the sequence number of the last chunk, how many chunks follow the snapshot
    /// and how many bytes they make.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn doc_bytes(&self, doc_id: &str) -> R<(Vec<u8>, i64, usize, usize)> {
        let snap: Option<(i64, Vec<u8>)> = self
            .cached()
            .query_row(
                "SELECT upto_seq, bytes FROM sync_snapshots WHERE doc_id = ?1",
                [doc_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (upto, mut bytes) = snap.unwrap_or((0, Vec::new()));
        let snapshot = bytes.len();
        let mut last = upto;
        let mut after = 0;
        for (seq, b) in self.history_after(doc_id, upto)? {
            bytes.extend_from_slice(&b);
            last = seq;
            after += 1;
        }
        let tail = bytes.len() - snapshot;
        Ok((bytes, last, after, tail))
    }

    /// The last chunk of a document that may have left this store or came from outside.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn shared_upto(&self, doc_id: &str) -> R<i64> {
        Ok(self
            .conn()
            .prepare_cached("SELECT shared_upto FROM sync_docs WHERE doc_id = ?1")?
            .query_row([doc_id], |r| r.get(0))
            .optional()?
            .unwrap_or(0))
    }

    /// Marks every chunk of a document as shared: from now on none of them may be squashed.
    /// Called before anything of the document leaves the store, and after a merge.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn mark_shared(&self, doc_id: &str) -> R<()> {
        self.conn()
            .prepare_cached(
                "UPDATE sync_docs SET shared_upto = (SELECT COALESCE(max(seq), 0) FROM sync_chunks WHERE doc_id = ?1) WHERE doc_id = ?1",
            )?
            .execute([doc_id])?;
        Ok(())
    }

    /// The chunks of a document after `seq`, as stored (no squash applied), with their seq.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn chunks_after(&self, doc_id: &str, seq: i64) -> R<Vec<(i64, Vec<u8>)>> {
        let mut st = self.conn().prepare_cached(
            "SELECT seq, bytes FROM sync_chunks WHERE doc_id = ?1 AND seq > ?2 ORDER BY seq",
        )?;
        let rows = st.query_map(params![doc_id, seq], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records that the local chunks `from_seq..=to_seq` of a document, none of them shared,
    /// stand in its history as the one change `bytes`, and marks them shared. The chunks
    /// themselves stay as they are.
    ///
    /// # Errors
    /// SQLite errors; [`StoreError::Corrupt`] when the run is not after the shared chunks.
    pub fn put_squash(&self, doc_id: &str, from_seq: i64, to_seq: i64, bytes: &[u8]) -> R<()> {
        if from_seq <= self.shared_upto(doc_id)? || to_seq <= from_seq {
            return Err(StoreError::Corrupt(format!(
                "regroupement de l'historique de {doc_id} : modifications {from_seq} à {to_seq} déjà partagées"
            )));
        }
        self.cached().execute(
            "INSERT INTO sync_squashes (doc_id, from_seq, to_seq, bytes) VALUES (?1, ?2, ?3, ?4)",
            params![doc_id, from_seq, to_seq, bytes],
        )?;
        self.cached().execute(
            "UPDATE sync_docs SET shared_upto = ?2 WHERE doc_id = ?1",
            params![doc_id, to_seq],
        )?;
        Ok(())
    }

    /// Keeps a compacted copy of a document covering its chunks up to `upto_seq`.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn put_snapshot(&self, doc_id: &str, upto_seq: i64, bytes: &[u8]) -> R<()> {
        self.cached().execute(
            "INSERT INTO sync_snapshots (doc_id, upto_seq, bytes) VALUES (?1, ?2, ?3) ON CONFLICT(doc_id) DO UPDATE SET upto_seq = excluded.upto_seq, bytes = excluded.bytes",
            params![doc_id, upto_seq, bytes],
        )?;
        Ok(())
    }

    /// Records a document's heads.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn set_heads(&self, doc_id: &str, heads: &str) -> R<()> {
        self.ensure_doc(doc_id)?;
        self.cached().execute(
            "UPDATE sync_docs SET heads = ?2 WHERE doc_id = ?1",
            params![doc_id, heads],
        )?;
        Ok(())
    }

    /// A document's recorded heads.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn heads(&self, doc_id: &str) -> R<Option<String>> {
        Ok(self
            .cached()
            .query_row(
                "SELECT heads FROM sync_docs WHERE doc_id = ?1",
                [doc_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The sync state kept for a peer and a document.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn sync_state(&self, peer: &str, doc_id: &str) -> R<Option<Vec<u8>>> {
        Ok(self
            .cached()
            .query_row(
                "SELECT state FROM sync_states WHERE peer = ?1 AND doc_id = ?2",
                [peer, doc_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Keeps the sync state for a peer and a document.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn put_sync_state(&self, peer: &str, doc_id: &str, state: &[u8]) -> R<()> {
        self.cached().execute(
            "INSERT INTO sync_states (peer, doc_id, state) VALUES (?1, ?2, ?3) ON CONFLICT(peer, doc_id) DO UPDATE SET state = excluded.state",
            params![peer, doc_id, state],
        )?;
        Ok(())
    }

    // ----- conflicts -----

    /// Records a conflict unless the same one is already recorded. Returns whether it was new.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_conflict(&self, c: &ConflictRow) -> R<bool> {
        Ok(self.cached().execute(
            "INSERT OR IGNORE INTO conflicts (id, doc_id, record_table, record_key, field, money, candidates, found_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
            params![c.id, c.doc_id, c.record_table, c.record_key, c.field, c.money, c.candidates, c.found_at],
        )? > 0)
    }

    /// Conflicts, open ones only or all.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn conflicts(&self, open_only: bool) -> R<Vec<ConflictRow>> {
        let mut st = self.conn().prepare_cached(
            "SELECT id, doc_id, record_table, record_key, field, money, candidates, found_at, resolved_at, resolved_by, resolution FROM conflicts WHERE (?1 = 0 OR resolved_at IS NULL) ORDER BY found_at, id",
        )?;
        let rows = st.query_map([i64::from(open_only)], |r| {
            Ok(ConflictRow {
                id: r.get(0)?,
                doc_id: r.get(1)?,
                record_table: r.get(2)?,
                record_key: r.get(3)?,
                field: r.get(4)?,
                money: r.get(5)?,
                candidates: r.get(6)?,
                found_at: r.get(7)?,
                resolved_at: r.get(8)?,
                resolved_by: r.get(9)?,
                resolution: r.get(10)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Marks a conflict resolved.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn resolve_conflict(&self, id: &str, at: &str, by: &str, resolution: &str) -> R<bool> {
        Ok(self.cached().execute(
            "UPDATE conflicts SET resolved_at = ?2, resolved_by = ?3, resolution = ?4 WHERE id = ?1 AND resolved_at IS NULL",
            params![id, at, by, resolution],
        )? > 0)
    }
}

/// A sync conflict's resolution, as synced (see migration 19): every store that holds it closes
/// its open conflicts on the same record whose candidates it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictResolution {
    pub id: String,
    pub record_table: String,
    pub record_key: String,
    /// `fields`, `duplicate` or `creation`.
    pub kind: String,
    /// The keys of the candidates it settles, comma-separated.
    pub covers: String,
    /// The key of the candidate chosen, if one was.
    pub choice: Option<String>,
    /// `value`, `keep`, `merge` or `distinct`.
    pub action: String,
    pub money: bool,
    pub reason: String,
    pub agent_id: String,
    pub device_id: String,
    pub resolved_at: String,
}

const RESOLUTION_COLS: &str = "id, record_table, record_key, kind, covers, choice, action, money, reason, agent_id, device_id, resolved_at";

fn resolution_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ConflictResolution> {
    Ok(ConflictResolution {
        id: r.get(0)?,
        record_table: r.get(1)?,
        record_key: r.get(2)?,
        kind: r.get(3)?,
        covers: r.get(4)?,
        choice: r.get(5)?,
        action: r.get(6)?,
        money: r.get(7)?,
        reason: r.get(8)?,
        agent_id: r.get(9)?,
        device_id: r.get(10)?,
        resolved_at: r.get(11)?,
    })
}

const MERGE_COLS: &str = "id, kind, kept_id, merged_id, reason, agent_id, device_id, at";

fn merge_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<sene_domain::MemberMerge> {
    use crate::codec::RowExt;
    Ok(sene_domain::MemberMerge {
        id: r.parse(0)?,
        kind: r.parse(1)?,
        kept: r.parse(2)?,
        merged: r.parse(3)?,
        reason: r.get(4)?,
        agent_id: r.parse(5)?,
        device_id: r.parse(6)?,
        at: r.instant(7)?,
    })
}

impl Db<'_> {
    /// Records a decision on two registrations of a member (append-only).
    ///
    /// # Errors
    /// SQLite errors (unknown member, agent or device; an id already used).
    pub fn insert_member_merge(&self, m: &sene_domain::MemberMerge) -> R<()> {
        self.cached().execute(
            &format!("INSERT INTO member_merges ({MERGE_COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)"),
            params![
                m.id.to_string(),
                m.kind.code(),
                m.kept.to_string(),
                m.merged.to_string(),
                m.reason,
                m.agent_id.to_string(),
                m.device_id.to_string(),
                m.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            ],
        )?;
        Ok(())
    }

    /// Every decision on two registrations this store holds, in id order.
    ///
    /// # Errors
    /// SQLite errors, [`StoreError::Decode`].
    pub fn member_merges(&self) -> R<Vec<sene_domain::MemberMerge>> {
        let mut st = self.conn().prepare_cached(&format!(
            "SELECT {MERGE_COLS} FROM member_merges ORDER BY id"
        ))?;
        let rows = st.query_map([], merge_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One decision on two registrations.
    ///
    /// # Errors
    /// SQLite errors, [`StoreError::Decode`].
    pub fn member_merge(&self, id: &str) -> R<Option<sene_domain::MemberMerge>> {
        let mut st = self.conn().prepare_cached(&format!(
            "SELECT {MERGE_COLS} FROM member_merges WHERE id = ?1"
        ))?;
        Ok(st.query_row([id], merge_row).optional()?)
    }

    /// Records a conflict's resolution (append-only).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_conflict_resolution(&self, r: &ConflictResolution) -> R<()> {
        self.cached().execute(
            &format!("INSERT INTO conflict_resolutions ({RESOLUTION_COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)"),
            params![
                r.id, r.record_table, r.record_key, r.kind, r.covers, r.choice, r.action,
                r.money, r.reason, r.agent_id, r.device_id, r.resolved_at
            ],
        )?;
        Ok(())
    }

    /// One resolution.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn conflict_resolution(&self, id: &str) -> R<Option<ConflictResolution>> {
        let mut st = self.conn().prepare_cached(&format!(
            "SELECT {RESOLUTION_COLS} FROM conflict_resolutions WHERE id = ?1"
        ))?;
        Ok(st.query_row([id], resolution_row).optional()?)
    }

    /// The resolutions of conflicts on a table's records (all keys), oldest first.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn conflict_resolutions_on(&self, table: &str) -> R<Vec<ConflictResolution>> {
        let mut st = self.conn().prepare_cached(&format!(
            "SELECT {RESOLUTION_COLS} FROM conflict_resolutions WHERE record_table = ?1 ORDER BY resolved_at, id"
        ))?;
        let rows = st.query_map([table], resolution_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The open conflicts on one record (any field or kind).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn open_conflicts_on(&self, table: &str, key: &str) -> R<Vec<ConflictRow>> {
        Ok(self
            .conflicts(true)?
            .into_iter()
            .filter(|c| c.record_table == table && c.record_key == key)
            .collect())
    }

    /// The keys (`table/key`) of the records of a document that have an open conflict on
    /// their fields: a merge reads them again, since a third concurrent value that does not win
    /// changes nothing automerge reports.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn open_conflict_records(&self, doc_id: &str) -> R<Vec<String>> {
        let mut st = self.conn().prepare_cached(
            "SELECT DISTINCT record_table || '/' || record_key FROM conflicts WHERE resolved_at IS NULL AND doc_id = ?1 AND field NOT LIKE '(%' ORDER BY 1",
        )?;
        let rows = st.query_map([doc_id], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Replaces an open conflict's fields and candidates (more concurrent values arrived).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn extend_conflict(&self, id: &str, field: &str, candidates: &str) -> R<bool> {
        Ok(self.cached().execute(
            "UPDATE conflicts SET field = ?2, candidates = ?3 WHERE id = ?1 AND resolved_at IS NULL",
            params![id, field, candidates],
        )? > 0)
    }
}

/// An enrolled (or pending) device, as the hub knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubDevice {
    pub device_id: String,
    pub agent_id: String,
    /// Cooperative ids, comma-separated.
    pub cooperatives: String,
    pub pairing_hash: Option<String>,
    pub pairing_expires: Option<String>,
    pub token_hash: Option<String>,
    pub bundle_key: Option<String>,
    pub enrolled_at: Option<String>,
    pub revoked_at: Option<String>,
    pub last_sync_at: Option<String>,
}

impl Db<'_> {
    /// Creates or replaces a device's pending enrollment (a new pairing code, no token yet).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn hub_pair(&self, d: &HubDevice) -> R<()> {
        self.cached().execute(
            "INSERT INTO hub_devices (device_id, agent_id, cooperatives, pairing_hash, pairing_expires) VALUES (?1,?2,?3,?4,?5)
             ON CONFLICT(device_id) DO UPDATE SET agent_id = excluded.agent_id, cooperatives = excluded.cooperatives,
               pairing_hash = excluded.pairing_hash, pairing_expires = excluded.pairing_expires, token_hash = NULL, bundle_key = NULL, revoked_at = NULL",
            params![d.device_id, d.agent_id, d.cooperatives, d.pairing_hash, d.pairing_expires],
        )?;
        Ok(())
    }

    /// A device's enrollment.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn hub_device(&self, device_id: &str) -> R<Option<HubDevice>> {
        Ok(self.cached().query_row(
            "SELECT device_id, agent_id, cooperatives, pairing_hash, pairing_expires, token_hash, bundle_key, enrolled_at, revoked_at, last_sync_at FROM hub_devices WHERE device_id = ?1",
            [device_id],
            |r| Ok(HubDevice { device_id: r.get(0)?, agent_id: r.get(1)?, cooperatives: r.get(2)?, pairing_hash: r.get(3)?, pairing_expires: r.get(4)?,
                token_hash: r.get(5)?, bundle_key: r.get(6)?, enrolled_at: r.get(7)?, revoked_at: r.get(8)?, last_sync_at: r.get(9)? }),
        ).optional()?)
    }

    /// Every enrollment.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn hub_devices(&self) -> R<Vec<HubDevice>> {
        let mut st = self
            .conn()
            .prepare_cached("SELECT device_id FROM hub_devices ORDER BY device_id")?;
        let ids: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        for id in ids {
            if let Some(d) = self.hub_device(&id)? {
                out.push(d);
            }
        }
        Ok(out)
    }

    /// Completes an enrollment: the pairing code is spent, the token hash and bundle key kept.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn hub_enroll(
        &self,
        device_id: &str,
        token_hash: &str,
        bundle_key: &str,
        at: &str,
    ) -> R<()> {
        self.cached().execute(
            "UPDATE hub_devices SET pairing_hash = NULL, pairing_expires = NULL, token_hash = ?2, bundle_key = ?3, enrolled_at = ?4 WHERE device_id = ?1",
            params![device_id, token_hash, bundle_key, at],
        )?;
        Ok(())
    }

    /// The device holding a token (by hash).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn hub_device_by_token(&self, token_hash: &str) -> R<Option<HubDevice>> {
        let id: Option<String> = self
            .cached()
            .query_row(
                "SELECT device_id FROM hub_devices WHERE token_hash = ?1",
                [token_hash],
                |r| r.get(0),
            )
            .optional()?;
        match id {
            Some(id) => self.hub_device(&id),
            None => Ok(None),
        }
    }

    /// Revokes a device: its token is refused from now on.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn hub_revoke(&self, device_id: &str, at: &str) -> R<bool> {
        Ok(self.cached().execute(
            "UPDATE hub_devices SET revoked_at = ?2 WHERE device_id = ?1 AND revoked_at IS NULL",
            params![device_id, at],
        )? > 0)
    }

    /// Notes a device's last sync.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn hub_touch(&self, device_id: &str, at: &str) -> R<()> {
        self.cached().execute(
            "UPDATE hub_devices SET last_sync_at = ?2 WHERE device_id = ?1",
            params![device_id, at],
        )?;
        Ok(())
    }

    /// Hub: a device's compression dictionary in one of its two slots (0 or 1), as stored
    /// (the hub keeps it deflated).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn hub_dict(&self, device_id: &str, slot: u8) -> R<Option<Vec<u8>>> {
        Ok(self
            .cached()
            .query_row(
                "SELECT deflated FROM hub_dicts WHERE device_id = ?1 AND slot = ?2",
                params![device_id, slot],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Hub: the slot and the stored dictionary of a device whose id (written with it by
    /// [`Db::put_hub_dict`]) is `id`, if one is. A slot written before ids were kept has
    /// none: [`Db::hub_dict`] reads it.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn hub_dict_by_id(&self, device_id: &str, id: [u8; 8]) -> R<Option<(u8, Vec<u8>)>> {
        Ok(self
            .cached()
            .query_row(
                "SELECT slot, deflated FROM hub_dicts WHERE device_id = ?1 AND dict_id = ?2 ORDER BY slot LIMIT 1",
                params![device_id, id.as_slice()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Hub: puts a device's compression dictionary (as stored) and its id in a slot (0 or
    /// 1), over what it held.
    ///
    /// # Errors
    /// SQLite errors, a slot other than 0 or 1.
    pub fn put_hub_dict(&self, device_id: &str, slot: u8, deflated: &[u8], id: [u8; 8]) -> R<()> {
        self.cached().execute(
            "INSERT INTO hub_dicts (device_id, slot, deflated, dict_id) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (device_id, slot) DO UPDATE SET deflated = excluded.deflated, dict_id = excluded.dict_id",
            params![device_id, slot, deflated, id.as_slice()],
        )?;
        Ok(())
    }
}

impl Store {
    /// Notes every row written from now on, until [`Store::unwatch_rows`]: what a reader of
    /// the projection (the federation's) needs to read again after a sync, instead of every
    /// row. A row written by a transaction that then rolls back is noted all the same (read
    /// again, it is found as it is, or not at all). SQLite does not tell a `DELETE` without
    /// `WHERE` of a whole table, nor a row replaced by `INSERT OR REPLACE`: the store's
    /// projection does neither.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn watch_rows(&mut self) -> R<()> {
        let watch: Watch = Arc::default();
        self.set_watch_hook(&watch)?;
        self.watch = Some(watch);
        Ok(())
    }

    /// Stops watching, and gives the projection rows written since [`Store::watch_rows`],
    /// each row once per action, in order of table and rowid (none when not watching).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn unwatch_rows(&mut self) -> R<Vec<RowChange>> {
        self.conn
            .update_hook(None::<fn(rusqlite::hooks::Action, &str, &str, i64)>)?;
        let Some(watch) = self.watch.take() else {
            return Ok(Vec::new());
        };
        let mut out = std::mem::take(&mut *watch.lock().unwrap_or_else(PoisonError::into_inner));
        out.sort();
        out.dedup();
        Ok(out)
    }

    fn set_watch_hook(&mut self, watch: &Watch) -> R<()> {
        let sink = Arc::clone(watch);
        self.conn
            .update_hook(Some(move |a, _db: &str, table: &str, rowid: i64| {
                note(&sink, a, table, rowid);
            }))?;
        Ok(())
    }

    /// Like [`Store::write`], and hands `then` the projection rows `f` inserted or updated,
    /// inside the same transaction (sync appends the document changes there).
    ///
    /// # Errors
    /// `f`'s or `then`'s error, or the store's.
    pub fn write_tracked<T, E>(
        &mut self,
        f: impl FnOnce(&Db<'_>) -> Result<T, E>,
        then: impl FnOnce(&Db<'_>, &[Touched]) -> Result<(), E>,
    ) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let seen: Arc<Mutex<Vec<(String, i64)>>> = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        // a watch going on sees these rows too
        let watching = self.watch.clone();
        self.conn
            .update_hook(Some(move |a, _db: &str, table: &str, rowid: i64| {
                if let Ok(mut v) = sink.lock() {
                    v.push((table.to_owned(), rowid));
                }
                if let Some(w) = &watching {
                    note(w, a, table, rowid);
                }
            }))
            .map_err(StoreError::from)?;
        let body = |db: &Db<'_>| -> Result<T, E> {
            let out = f(db)?;
            let mut touched: Vec<Touched> = seen
                .lock()
                .map(|v| {
                    v.iter()
                        .filter_map(|(t, r)| {
                            Table::from_name(t).map(|table| Touched { table, rowid: *r })
                        })
                        .collect()
                })
                .unwrap_or_default();
            touched.sort();
            touched.dedup();
            then(db, &touched)?;
            Ok(out)
        };
        let result = if self.grouped {
            // a savepoint of the open group (see `Store::begin_group`)
            crate::store::in_group_savepoint(&self.conn, body)
        } else {
            (|| {
                let tx = self
                    .conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(StoreError::from)?;
                let out = body(&Db::new(&tx))?;
                tx.commit().map_err(StoreError::from)?;
                Ok(out)
            })()
        };
        match self.watch.clone() {
            Some(w) => self.set_watch_hook(&w)?,
            None => self
                .conn
                .update_hook(None::<fn(rusqlite::hooks::Action, &str, &str, i64)>)
                .map_err(StoreError::from)?,
        }
        result
    }
}

/// The parts of a row key and the `WHERE` condition that selects them (`None` when the key
/// does not have as many parts as the table's key columns).
/// `INSERT INTO table (its row's columns) VALUES (?1, …)`, then `tail`.
fn insert_sql(table: Table, row: &Map<String, Json>, tail: &str) -> String {
    let cols: Vec<&str> = row.keys().map(String::as_str).collect();
    let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT INTO {} ({}) VALUES ({}){tail}",
        table.name(),
        cols.join(", "),
        marks.join(", ")
    )
}

fn key_condition(table: Table, key: &str) -> Option<(Vec<&str>, String)> {
    let cols = table.key_columns();
    let parts: Vec<&str> = if cols.len() == 1 {
        vec![key]
    } else {
        key.splitn(cols.len(), '/').collect()
    };
    if parts.len() != cols.len() {
        return None;
    }
    let cond = cols
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ?{}", i + 1))
        .collect::<Vec<_>>()
        .join(" AND ");
    Some((parts, cond))
}

/// The look-alikes of the deliveries listed (a JSON array of ids): [`Db::delivery_look_alikes`].
/// CROSS JOIN keeps SQLite's order: the listed ids first, each found by its key, then the same
/// member's deliveries of that day in `deliveries_member` (member, date, gross weight, id),
/// which holds every column the join reads (migration 26): the table is not read for them.
pub(crate) const DELIVERY_LOOK_ALIKES: &str =
    "SELECT d.id, o.id FROM json_each(?1) j CROSS JOIN deliveries d ON d.id = j.value
     CROSS JOIN deliveries o ON o.member_id = d.member_id AND o.id <> d.id AND o.date = d.date AND o.gross_t = d.gross_t
     WHERE NOT EXISTS (SELECT 1 FROM reversals r WHERE r.target_id = o.id)
       AND NOT EXISTS (SELECT 1 FROM reversals r WHERE r.target_id = d.id)
     ORDER BY d.id, o.id";
