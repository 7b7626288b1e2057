//! Local settings, the audit trail, receipt numbers, and the generic reads of any table
//! (exists, count, rows as JSON, the projection's dump).

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use sene_domain::*;

use super::{Db, Table, R};
use crate::codec::{ts, RowExt};

/// One audit row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub agent_id: AgentId,
    pub device_id: DeviceId,
    pub action: String,
    pub record_kind: String,
    pub record_id: String,
    pub payload: String,
}

/// The audit action of a weighing ticket scanned at the office (`sene_app::tickets`), the
/// one [`Db::ticket_scans`] and migration 24's partial index read.
pub const TICKET_SCANNED: &str = "ticket_scanned";

/// An audit entry from a row of `SELECT at, agent_id, device_id, action, record_kind,
/// record_id, payload FROM audit`.
fn audit_entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        at: r.instant(0)?,
        agent_id: r.parse(1)?,
        device_id: r.parse(2)?,
        action: r.get(3)?,
        record_kind: r.get(4)?,
        record_id: r.get(5)?,
        payload: r.get(6)?,
    })
}

impl Db<'_> {
    /// A local setting.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn setting(&self, key: &str) -> R<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Sets a local setting.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn set_setting(&self, key: &str, value: &str) -> R<()> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Appends an audit row.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn audit(&self, e: &AuditEntry) -> R<()> {
        self.conn.execute(
            "INSERT INTO audit (at, agent_id, device_id, action, record_kind, record_id, payload) VALUES (?1,?2,?3,?4,?5,?6,?7)",
            params![ts(e.at), e.agent_id.to_string(), e.device_id.to_string(), e.action, e.record_kind, e.record_id, e.payload],
        )?;
        Ok(())
    }

    /// The payload of the audit row that created `record_id` with `action`, if any.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn creation_payload(&self, action: &str, record_id: &str) -> R<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT payload FROM audit WHERE record_id = ?1 AND action = ?2 ORDER BY seq LIMIT 1",
                params![record_id, action],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The highest audit sequence number (0 when empty).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn audit_seq(&self) -> R<i64> {
        Ok(self
            .conn
            .query_row("SELECT coalesce(max(seq), 0) FROM audit", [], |r| r.get(0))?)
    }

    /// The actions audited after sequence number `seq`.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn actions_since(&self, seq: i64) -> R<Vec<String>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT action FROM audit WHERE seq > ?1 ORDER BY seq")?;
        let rows = st.query_map([seq], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The audit trail, oldest first.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn audit_entries(&self, limit: u32) -> R<Vec<AuditEntry>> {
        let mut st = self.conn.prepare_cached(
            "SELECT at, agent_id, device_id, action, record_kind, record_id, payload FROM audit ORDER BY seq LIMIT ?1",
        )?;
        let rows = st.query_map([limit], audit_entry)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The weighing tickets scanned at the office ([`TICKET_SCANNED`] entries of the audit
    /// trail), oldest first, read through their partial index (migration 24) instead of the
    /// whole trail.
    ///
    /// # Errors
    /// SQLite errors; a stored id or time that does not read.
    pub fn ticket_scans(&self) -> R<Vec<AuditEntry>> {
        // the action written out: SQLite uses a partial index only for its own WHERE's literal
        let mut st = self.conn.prepare_cached(
            "SELECT at, agent_id, device_id, action, record_kind, record_id, payload FROM audit WHERE action = 'ticket_scanned' ORDER BY seq",
        )?;
        let rows = st.query_map([], audit_entry)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Takes the next receipt number of a device.
    ///
    /// # Errors
    /// SQLite errors; `QueryReturnedNoRows` for an unknown device.
    pub fn next_receipt(&self, device: DeviceId) -> R<String> {
        let (prefix, seq): (String, i64) = self.conn.query_row(
            "UPDATE devices SET last_seq = last_seq + 1 WHERE id = ?1 RETURNING receipt_prefix, last_seq",
            [device.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        self.receipt_in_series(&prefix, seq)
    }

    /// The receipt number a device's next money record will take, without taking it (what a
    /// restore tells: the new series starts there).
    ///
    /// # Errors
    /// SQLite errors; `QueryReturnedNoRows` for an unknown device.
    pub fn peek_next_receipt(&self, device: DeviceId) -> R<String> {
        let (prefix, seq): (String, i64) = self.conn.query_row(
            "SELECT receipt_prefix, last_seq + 1 FROM devices WHERE id = ?1",
            [device.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        self.receipt_in_series(&prefix, seq)
    }

    /// A receipt number in this store's series: a restored store numbers in a series of its
    /// own (`SEC-2-000001`), since the lost store may have issued any number of the previous
    /// series after the backup.
    fn receipt_in_series(&self, prefix: &str, seq: i64) -> R<String> {
        let series = self
            .setting(crate::backup::keys::RECEIPT_SERIES)?
            .unwrap_or_default();
        Ok(sene_domain::receipt::number(
            &format!("{prefix}{series}"),
            u64::try_from(seq).unwrap_or_default(),
        ))
    }

    /// Whether a row with this id exists in `table`.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn exists(&self, table: Table, id: &str) -> R<bool> {
        let sql = format!("SELECT 1 FROM {} WHERE id = ?1", table.name());
        Ok(self
            .conn
            .query_row(&sql, [id], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Number of rows in `table`.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn count(&self, table: Table) -> R<i64> {
        let sql = format!("SELECT count(*) FROM {}", table.name());
        Ok(self.conn.query_row(&sql, [], |r| r.get(0))?)
    }

    /// Rows of a table as JSON objects (column name → value), in insertion order.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn list_rows(&self, table: Table, limit: u32) -> R<Vec<serde_json::Value>> {
        let order = if table == Table::Audit {
            "seq"
        } else {
            "rowid"
        };
        let sql = format!("SELECT * FROM {} ORDER BY {order} LIMIT ?1", table.name());
        let mut st = self.conn.prepare(&sql)?;
        let names: Vec<String> = st.column_names().map(str::to_owned).collect();
        let rows = st.query_map([limit], |r| {
            let mut obj = serde_json::Map::new();
            for (i, n) in names.iter().enumerate() {
                let v = match r.get_ref(i)? {
                    rusqlite::types::ValueRef::Null => serde_json::Value::Null,
                    rusqlite::types::ValueRef::Integer(x) => serde_json::Value::from(x),
                    rusqlite::types::ValueRef::Real(x) => serde_json::Value::from(x),
                    rusqlite::types::ValueRef::Text(t) => {
                        serde_json::Value::from(String::from_utf8_lossy(t).into_owned())
                    }
                    rusqlite::types::ValueRef::Blob(b) => serde_json::Value::from(b.len()),
                };
                obj.insert(n.clone(), v);
            }
            Ok(serde_json::Value::Object(obj))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every row of every projection table, as text, sorted: two stores with equal projections
    /// give equal dumps.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn projection_dump(&self) -> R<Vec<String>> {
        let mut out = Vec::new();
        for t in Table::PROJECTION {
            let mut rows: Vec<String> = self
                .list_rows(*t, u32::MAX)?
                .into_iter()
                .map(|mut v| {
                    if let Some(o) = v.as_object_mut() {
                        for c in t.local_columns() {
                            o.remove(*c);
                        }
                    }
                    format!("{}:{v}", t.name())
                })
                .collect();
            rows.sort();
            out.extend(rows);
        }
        Ok(out)
    }
}
