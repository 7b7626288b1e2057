//! # sene-store
//!
//! One SQLite file per device (or per union office): numbered migrations, the projection
//! tables, typed reads and writes, and the transaction helper.
//!
//! Durability: WAL journal, `synchronous=FULL`, foreign keys on. A use case runs inside
//! [`Store::write`], one `BEGIN IMMEDIATE` transaction that commits before the caller is told
//! "saved". A power cut leaves all of a use case or none of it.
//!
//! The store knows SQL and nothing of automerge or HTTP. Money records and the audit trail are
//! protected by triggers: an `UPDATE` or `DELETE` on them aborts.

mod audit_chain;
mod codec;
mod db;
mod error;
mod migrate;
mod office;
mod settlement;
mod sync;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

pub use audit_chain::{chain_hex, AuditBreak, ChainHash, QuarantinedFile, CHAIN_HASH_LEN};
pub use db::*;
pub use error::StoreError;
pub use migrate::{fingerprint, Migration, MIGRATIONS};
pub use office::{AnomalyResolution, CashReturn, StockCount};
pub use settlement::{LateRecord, SettlementLineRow, SettlementRunRow};
pub use sync::{row_key, ConflictRow, HubDevice, PutOutcome, Touched};

/// An open store.
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    ///
    /// # Errors
    /// [`StoreError::NotADatabase`] for a file that is not a Sene store or is damaged,
    /// [`StoreError::TooNew`] for a store written by a newer Sene, and SQLite errors.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(parent) = path.parent() {
            if !parent.as_os_str().is_empty() && !parent.exists() {
                std::fs::create_dir_all(parent).map_err(|e| StoreError::Io {
                    path: parent.display().to_string(),
                    reason: e.to_string(),
                })?;
            }
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| StoreError::from_open(path, e))?;
        let mut store = Store {
            conn,
            path: Some(path.to_path_buf()),
        };
        store.configure().map_err(|e| e.at(path))?;
        migrate::run(&mut store.conn).map_err(|e| e.at(path))?;
        Ok(store)
    }

    /// A store in memory (tests).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let mut store = Store {
            conn: Connection::open_in_memory()?,
            path: None,
        };
        store.configure()?;
        migrate::run(&mut store.conn)?;
        Ok(store)
    }

    fn configure(&mut self) -> Result<(), StoreError> {
        self.conn.busy_timeout(Duration::from_secs(10))?;
        // A damaged or foreign file fails here, before anything is written to it.
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if self.path.is_some() && !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Corrupt(format!("journal_mode={mode}")));
        }
        self.conn.execute_batch(
            "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-32768;",
        )?;
        // Query planner stability: without it, SQLite (built with STAT4, as the bundled one
        // is) re-prepares a cached statement whenever a new value is bound to a parameter the
        // planner looked at, which is every join and range query here, at every call: 80 % of
        // the probable-duplicate query's cost in the hub's merge. The store runs no ANALYZE,
        // so the re-prepared plan was the same plan.
        self.conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )?;
        Ok(())
    }

    /// The file behind the store, if any.
    #[must_use]
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Read access.
    #[must_use]
    pub fn db(&self) -> Db<'_> {
        Db::new(&self.conn)
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction, committed (and synced to disk) when it
    /// returns `Ok`, rolled back when it returns `Err`.
    ///
    /// # Errors
    /// `f`'s error, or the store's when the transaction cannot begin or commit.
    pub fn write<T, E>(&mut self, f: impl FnOnce(&Db<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let out = f(&Db::new(&tx))?;
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    /// `PRAGMA integrity_check`: `"ok"` when the file is sound.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(rows.join("; "))
    }

    /// Bytes used on disk by the database file and its WAL.
    #[must_use]
    pub fn size_on_disk(&self) -> u64 {
        let Some(p) = &self.path else { return 0 };
        let mut total = 0;
        for suffix in ["", "-wal", "-shm"] {
            let mut s = p.as_os_str().to_owned();
            s.push(suffix);
            total += std::fs::metadata(PathBuf::from(s))
                .map(|m| m.len())
                .unwrap_or(0);
        }
        total
    }

    /// Folds the WAL into the database file (`wal_checkpoint(TRUNCATE)`).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rusqlite::StatementStatus;

    /// A join looked up with a new value each time runs on its first plan: the statement
    /// cache keeps it and SQLite does not prepare it again (it did at every call, before query
    /// planner stability was set, when the bundled SQLite is built with STAT4).
    #[test]
    fn a_cached_join_is_not_prepared_again_for_each_new_value() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        let sql = "SELECT a.doc_id FROM sync_docs a JOIN sync_docs b ON b.doc_id = a.doc_id WHERE a.doc_id = ?1 AND b.shared_upto > ?2";
        for i in 0..10 {
            let mut st = store.conn.prepare_cached(sql).unwrap();
            let n = st
                .query_map(rusqlite::params![format!("doc/{i}"), i], |_| Ok(()))
                .unwrap()
                .count();
            assert_eq!(n, 0);
        }
        let st = store.conn.prepare_cached(sql).unwrap();
        assert_eq!(st.get_status(StatementStatus::Run), 10);
        assert_eq!(st.get_status(StatementStatus::RePrepare), 0);
    }
}
