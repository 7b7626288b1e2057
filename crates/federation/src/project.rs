//! The projection of a replica's [`Snapshot`] into PostgreSQL, inside the pull's transaction:
//! per table, the hashes the union's partition holds are read, and only the rows whose hash
//! differs (new or changed) are written (`INSERT … ON CONFLICT DO UPDATE` from one JSON array
//! per batch, `jsonb_populate_recordset` typing it by the table's own row type); rows gone from
//! the replica are deleted. Projecting the same snapshot twice writes nothing. A table given
//! in part (the rows a pull changed) is compared on those rows only, and loses none.

use std::collections::HashMap;

use serde_json::Value;
use tokio_postgres::Transaction;
use uuid::Uuid;

use crate::replica::{Snapshot, TableRows};
use crate::FederationError;

/// Rows per statement.
const BATCH: usize = 2000;

/// What a projection wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    pub rows_written: u64,
    pub rows_deleted: u64,
}

/// Projects a snapshot of union `union` (the federation's id); `rewrite` writes every row
/// again, whatever the hashes say (a rebuild: rows altered in PostgreSQL are put back).
///
/// # Errors
/// [`FederationError::Postgres`].
pub async fn project(
    tx: &Transaction<'_>,
    union: Uuid,
    snap: &Snapshot,
    rewrite: bool,
) -> Result<Written, FederationError> {
    let mut out = Written::default();
    for t in &snap.tables {
        let w = table(tx, union, t, rewrite).await?;
        out.rows_written += w.rows_written;
        out.rows_deleted += w.rows_deleted;
    }
    Ok(out)
}

async fn table(
    tx: &Transaction<'_>,
    union: Uuid,
    t: &TableRows,
    rewrite: bool,
) -> Result<Written, FederationError> {
    // a table read whole is compared whole; a part of it only with the same rows
    let held: HashMap<Uuid, i64> = if t.complete {
        tx.query(
            &format!("SELECT id, row_hash FROM {} WHERE union_id = $1", t.table),
            &[&union],
        )
        .await?
    } else {
        let ids: Vec<Uuid> = t.rows.iter().map(|r| r.id).collect();
        tx.query(
            &format!(
                "SELECT id, row_hash FROM {} WHERE union_id = $1 AND id = ANY($2)",
                t.table
            ),
            &[&union, &ids],
        )
        .await?
    }
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    let changed: Vec<&crate::replica::Row> = t
        .rows
        .iter()
        .filter(|r| rewrite || held.get(&r.id) != Some(&r.hash))
        .collect();
    let present: std::collections::HashSet<Uuid> = t.rows.iter().map(|r| r.id).collect();
    let gone: Vec<Uuid> = held
        .keys()
        .filter(|id| t.complete && !present.contains(id))
        .copied()
        .collect();
    let mut out = Written::default();
    if !changed.is_empty() {
        let cols = crate::pg::columns(tx, t.table).await?;
        let list = cols.join(", ");
        let set = cols
            .iter()
            .filter(|c| *c != "union_id" && *c != "id")
            .map(|c| format!("{c} = EXCLUDED.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO {t} ({list}) SELECT {list} FROM jsonb_populate_recordset(NULL::{t}, $1::text::jsonb)
             ON CONFLICT (union_id, id) DO UPDATE SET {set}",
            t = t.table
        );
        let st = tx.prepare(&sql).await?;
        let union_text = Value::String(union.to_string());
        for chunk in changed.chunks(BATCH) {
            let rows: Vec<Value> = chunk
                .iter()
                .map(|r| {
                    let mut m = r.cols.clone();
                    m.insert("union_id".into(), union_text.clone());
                    m.insert("row_hash".into(), Value::from(r.hash));
                    Value::Object(m)
                })
                .collect();
            let json = Value::Array(rows).to_string();
            out.rows_written += tx.execute(&st, &[&json]).await?;
        }
    }
    if !gone.is_empty() {
        out.rows_deleted = tx
            .execute(
                &format!(
                    "DELETE FROM {} WHERE union_id = $1 AND id = ANY($2)",
                    t.table
                ),
                &[&union, &gone],
            )
            .await?;
    }
    Ok(out)
}
