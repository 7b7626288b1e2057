//! [`Store`]: opening a store (plain or encrypted, checked before anything is written),
//! its transactions ([`Store::write`], groups of writes as savepoints of one transaction),
//! and its file's upkeep (integrity check, size, WAL checkpoints, in the background too).

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::{migrate, vault, DataKey, Db, KdfParams, StoreError, Vault};

/// The savepoint of a write inside a group.
const GROUP_WRITE: &str = "group_write";

/// `f` in one savepoint of an open group's transaction: undone alone when it fails.
pub(crate) fn in_group_savepoint<T, E: From<StoreError>>(
    conn: &Connection,
    f: impl FnOnce(&Db<'_>) -> Result<T, E>,
) -> Result<T, E> {
    let db = Db::new(conn);
    db.savepoint(GROUP_WRITE)?;
    match f(&db) {
        Ok(out) => {
            db.release(GROUP_WRITE)?;
            Ok(out)
        }
        Err(e) => {
            db.rollback_to(GROUP_WRITE)?;
            Err(e)
        }
    }
}

/// An open store.
pub struct Store {
    pub(crate) conn: Connection,
    pub(crate) path: Option<PathBuf>,
    /// Inside [`Store::begin_group`]: writes are savepoints of the group's transaction.
    pub(crate) grouped: bool,
    /// The older schema this store was upgraded from when it was opened.
    upgraded_from: Option<i64>,
    /// Rows written since [`Store::watch_rows`], while it watches.
    pub(crate) watch: Option<crate::sync::Watch>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// Reads the (encrypted) header and refuses a file shorter than it declares.
fn check_length(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let bad = |reason: String| StoreError::NotADatabase {
        path: path.display().to_string(),
        reason,
    };
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|e| StoreError::from_open(path, e))?;
    let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let page = pragma_u64(conn, "page_size")?;
    if page > 0 && !len.is_multiple_of(page) {
        return Err(bad(format!(
            "fichier tronqué : {len} octets, pages de {page}"
        )));
    }
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let wal_len = std::fs::metadata(PathBuf::from(wal))
        .map(|m| m.len())
        .unwrap_or(0);
    if wal_len == 0 && len > 0 {
        let declared = pragma_u64(conn, "page_count")?;
        if declared * page > len {
            return Err(bad(format!(
                "fichier tronqué : {len} octets pour {declared} pages de {page}"
            )));
        }
    }
    Ok(())
}

fn encrypting_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".chiffrement");
    PathBuf::from(s)
}

/// Renames the encrypted copy over the plain store and drops the plain WAL.
fn finish_encryption(path: &Path) -> Result<(), StoreError> {
    let io = |e: std::io::Error| StoreError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    for s in ["-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(s);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
    std::fs::rename(encrypting_path(path), path).map_err(io)?;
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// A numeric pragma (SQLCipher answers some as text).
fn pragma_u64(conn: &Connection, name: &str) -> Result<u64, StoreError> {
    use rusqlite::types::Value;
    let v: Value = conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))?;
    Ok(match v {
        Value::Integer(i) => u64::try_from(i).unwrap_or(0),
        Value::Text(t) => t.trim().parse().unwrap_or(0),
        _ => 0,
    })
}

impl Store {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    ///
    /// # Errors
    /// [`StoreError::NotADatabase`] for a file that is not a Sene store or is damaged,
    /// [`StoreError::TooNew`] for a store written by a newer Sene, and SQLite errors.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if Vault::exists(path) {
            return Err(StoreError::Encrypted {
                path: path.display().to_string(),
            });
        }
        Store::open_inner(path, None)
    }

    /// Opens (creating if needed) the encrypted store at `path` with the data key unwrapped
    /// from `vault`. The file is checked before anything is written to it: a file from another
    /// device, a plain file, a truncated file are refused, unchanged. A new store's salt is
    /// recorded in the key file.
    ///
    /// # Errors
    /// [`StoreError::ForeignFile`], [`StoreError::NotADatabase`], as [`Store::open`].
    pub fn open_vault(path: &Path, vault: &mut Vault, key: &DataKey) -> Result<Store, StoreError> {
        let mut salt = vault::read_file_salt(path)?;
        if salt.as_ref() == Some(b"SQLite format 3\0") && encrypting_path(path).exists() {
            // An encryption cut short after its key file was written: finish it.
            let copy = vault::read_file_salt(&encrypting_path(path))?;
            if copy.is_some() && copy.map(|c| c.to_vec()) == vault.file_salt() {
                finish_encryption(path)?;
                salt = copy;
            }
        }
        if let Some(salt) = salt {
            if &salt == b"SQLite format 3\0" {
                return Err(StoreError::ForeignFile {
                    path: path.display().to_string(),
                    reason: "fichier en clair".into(),
                });
            }
            if let Some(expected) = vault.file_salt() {
                if expected != salt {
                    return Err(StoreError::ForeignFile {
                        path: path.display().to_string(),
                        reason: "fichier d'un autre appareil".into(),
                    });
                }
            }
        }
        let store = Store::open_inner(path, Some(key)).map_err(|e| match e {
            StoreError::NotADatabase { path, reason } if vault.file_salt().is_none() => {
                StoreError::ForeignFile { path, reason }
            }
            e => e,
        })?;
        if vault.file_salt().is_none() {
            if let Some(salt) = vault::read_file_salt(path)? {
                vault.record_file_salt(&salt)?;
            }
        }
        Ok(store)
    }

    /// Encrypts the plain store at `path` in place (a store made before encryption, or a
    /// hub's store): a copy is encrypted beside it, the key file is written, then the copy is
    /// renamed over the plain file. A power cut before the rename leaves the plain store and
    /// the finished copy, and the next [`Store::open_vault`] completes the rename.
    ///
    /// The plain bytes may survive in the disk's free blocks: the recovery advice says so.
    ///
    /// # Errors
    /// [`StoreError::WeakPassphrase`], an already encrypted store, SQLite and I/O errors.
    pub fn encrypt_plain(
        path: &Path,
        label: &str,
        passphrase: &str,
        kdf: KdfParams,
    ) -> Result<(Vault, DataKey), StoreError> {
        let plain = Store::open(path)?;
        plain.checkpoint()?;
        let (mut vault, key) = Vault::create(path, label, passphrase, kdf)?;
        let tmp = encrypting_path(path);
        let _ = std::fs::remove_file(&tmp);
        let version: i64 = plain
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        plain.conn.execute(
            "ATTACH DATABASE ?1 AS enc KEY ?2",
            rusqlite::params![tmp.display().to_string(), &*key.pragma_blob_text()],
        )?;
        plain
            .conn
            .query_row("SELECT sqlcipher_export('enc')", [], |_| Ok(()))?;
        // the encrypted copy is renamed over the plain file, keeping its own identity: it is
        // the store's file from now on, not a copy made by hand (`backup::file_identity`)
        if let Some(id) = crate::backup::file_identity(&tmp) {
            plain.conn.execute(
                "INSERT INTO enc.settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                rusqlite::params![crate::backup::keys::FILE_IDENTITY, id],
            )?;
        }
        plain.conn.execute_batch(&format!(
            "PRAGMA enc.user_version = {version}; DETACH DATABASE enc;"
        ))?;
        drop(plain);
        let io = |e: std::io::Error| StoreError::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        std::fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(io)?;
        if let Some(salt) = vault::read_file_salt(&tmp)? {
            vault.file.file_salt = Some(vault::hex_of(&salt));
        }
        vault.save()?;
        finish_encryption(path)?;
        Ok((vault, key))
    }

    /// Opens the encrypted store at `path` with its data key (the recovery key), without a
    /// key file.
    ///
    /// # Errors
    /// As [`Store::open`]; a wrong key reads as [`StoreError::NotADatabase`].
    pub fn open_with_key(path: &Path, key: &DataKey) -> Result<Store, StoreError> {
        Store::open_inner(path, Some(key))
    }

    fn open_inner(path: &Path, key: Option<&DataKey>) -> Result<Store, StoreError> {
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
        if let Some(key) = key {
            conn.execute_batch(&format!("PRAGMA key = \"{}\";", &*key.pragma()))
                .map_err(|e| StoreError::from_open(path, e))?;
            check_length(&conn, path)?;
        }
        let mut store = Store {
            conn,
            path: Some(path.to_path_buf()),
            grouped: false,
            upgraded_from: None,
            watch: None,
        };
        store.configure().map_err(|e| e.at(path))?;
        store.upgraded_from = migrate::run(&mut store.conn).map_err(|e| e.at(path))?;
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
            grouped: false,
            upgraded_from: None,
            watch: None,
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
            "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-393216;",
        )?;
        // The page cache (384 MiB at most, filled only as pages are read; a laptop's store is
        // far smaller): the office reads a whole campaign at once, and at 4x the union (a
        // 640 MB store) a 32 MiB cache left ~15 % of a settlement's time in reading pages back
        // from the system, 128 MiB still 7-9 % of a dashboard's and a report's (issue #20,
        // measured: BENCHMARKS « The office's figures at 1×, 2× and 4× the union »).
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

    /// The older schema version this store was upgraded from when this program opened it
    /// (a copy of it as it was stands beside it: [`crate::pre_upgrade_copy`]); `None` when it
    /// was already at this program's version, or new.
    #[must_use]
    pub fn upgraded_from(&self) -> Option<i64> {
        self.upgraded_from
    }

    /// SQLite's `data_version` of this connection: it changes when another connection
    /// commits to the file, never for this connection's own writes (the scheduled backups
    /// skip a turn when nothing changed since the last one).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
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
        if self.grouped {
            return in_group_savepoint(&self.conn, f);
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let out = f(&Db::new(&tx))?;
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    /// Begins a group: one `BEGIN IMMEDIATE` transaction in which every [`Store::write`] is a
    /// savepoint, until [`Store::end_group`] commits them all with one sync to disk (the hub
    /// merges the exchanges that arrive together this way: group commit).
    ///
    /// # Errors
    /// [`StoreError::GroupOpen`] when a group or a transaction is open; SQLite errors when the
    /// transaction cannot begin.
    pub fn begin_group(&mut self) -> Result<(), StoreError> {
        if self.grouped || !self.conn.is_autocommit() {
            return Err(StoreError::GroupOpen);
        }
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        self.grouped = true;
        Ok(())
    }

    /// Ends the group: commits everything its writes kept (`commit`), or undoes all of it.
    /// Nothing written in the group is durable before this returns `Ok` with `commit`.
    ///
    /// # Errors
    /// SQLite errors of the commit (the group is then rolled back).
    pub fn end_group(&mut self, commit: bool) -> Result<(), StoreError> {
        if !self.grouped {
            return Ok(());
        }
        self.grouped = false;
        if commit {
            if let Err(e) = self.conn.execute_batch("COMMIT") {
                let _ = self.conn.execute_batch("ROLLBACK");
                return Err(e.into());
            }
            Ok(())
        } else {
            self.conn.execute_batch("ROLLBACK")?;
            Ok(())
        }
    }

    /// Whether a group is open.
    #[must_use]
    pub fn in_group(&self) -> bool {
        self.grouped
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

    /// Moves the WAL checkpoints off this connection's writes: a thread with its own
    /// connection to the same file (opened with `key` when the store is encrypted) copies the
    /// committed WAL frames into the database every `every` (a passive checkpoint: it never
    /// blocks a writer nor waits for one), once the writer pauses ([`checkpoint_now`]), while
    /// this connection only checkpoints itself as a safety net, past
    /// [`WRITER_CHECKPOINT_PAGES`]. Used by the hub, whose merges otherwise paid the
    /// checkpoints (tens of ms each, every 1,000 pages written) inside the exchanges.
    /// Durability is unchanged: a commit is on disk in the WAL before it returns.
    ///
    /// The thread stops when the returned [`Checkpointer`] is dropped.
    ///
    /// # Errors
    /// A store in memory; SQLite errors opening the second connection.
    pub fn checkpoint_in_background(
        &self,
        key: Option<&DataKey>,
        every: Duration,
    ) -> Result<Checkpointer, StoreError> {
        let path = self
            .path
            .clone()
            .ok_or_else(|| StoreError::Corrupt("magasin en mémoire : pas de fichier".into()))?;
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| StoreError::from_open(&path, e))?;
        if let Some(key) = key {
            conn.execute_batch(&format!("PRAGMA key = \"{}\";", &*key.pragma()))
                .map_err(|e| StoreError::from_open(&path, e))?;
        }
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.execute_batch("PRAGMA synchronous=FULL;")?;
        // the key is right and the file is the same store: read its schema version
        let _: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| StoreError::from_open(&path, e))?;
        self.conn.query_row(
            &format!("PRAGMA wal_autocheckpoint={WRITER_CHECKPOINT_PAGES}"),
            [],
            |_| Ok(()),
        )?;
        // the WAL's file keeps the size it reached until cut back after a checkpoint
        self.conn.query_row(
            &format!("PRAGMA journal_size_limit={WAL_KEPT_BYTES}"),
            [],
            |_| Ok(()),
        )?;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("sene-checkpoint".into())
            .spawn(move || {
                let mut seen: Option<i64> = None;
                let mut deferred = 0u32;
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(every)
                {
                    // another connection committed since the last turn: the writer is busy
                    let version: Option<i64> =
                        conn.query_row("PRAGMA data_version", [], |r| r.get(0)).ok();
                    let busy = seen.is_some() && version != seen;
                    seen = version;
                    // frames in the WAL not yet in the database (NOOP: counted, not copied)
                    let behind: i64 = conn
                        .query_row("PRAGMA wal_checkpoint(NOOP)", [], |r| {
                            Ok(r.get::<_, i64>(1)? - r.get::<_, i64>(2)?)
                        })
                        .unwrap_or(1);
                    if !checkpoint_now(busy, behind, deferred) {
                        if behind > 0 {
                            deferred += 1;
                        }
                        continue;
                    }
                    deferred = 0;
                    // busy or locked: the next turn tries again
                    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                }
            })
            .map_err(|e| StoreError::Io {
                path: path.display().to_string(),
                reason: e.to_string(),
            })?;
        Ok(Checkpointer {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

/// Past this many WAL pages, a store whose checkpoints run in the background (see
/// [`Store::checkpoint_in_background`]) checkpoints at its own commit too (SQLite's default is
/// 1,000 pages, about 4 MiB): 256 MiB, never reached by the evening burst of a union four
/// times as large (600 laptops' days write about 100 MB), whose merges it would otherwise
/// stop for hundreds of milliseconds.
pub const WRITER_CHECKPOINT_PAGES: u32 = 65_536;

/// While the writer keeps committing, the background checkpoint waits for it to pause, up to
/// this many turns in a row, or until this many pages wait in the WAL ([`checkpoint_now`]).
const CHECKPOINT_DEFER_TURNS: u32 = 5;
/// See [`CHECKPOINT_DEFER_TURNS`]: 128 MiB.
const CHECKPOINT_DEFER_PAGES: i64 = 32_768;

/// The WAL's file is cut back to this size after a checkpoint (`journal_size_limit`): 64 MiB.
const WAL_KEPT_BYTES: u64 = 64 * 1024 * 1024;

/// Whether the background checkpoint runs this turn: `behind` frames wait in the WAL, the
/// writer committed since the last turn (`busy`), and the checkpoint already waited
/// `deferred` turns. A checkpoint beside a burst of merges takes the disk and a processor
/// from them (two cores on an office's machine); right after it, it takes nothing from
/// anyone. It never waits more than [`CHECKPOINT_DEFER_TURNS`] turns nor past
/// [`CHECKPOINT_DEFER_PAGES`], so a writer that never pauses still has its WAL copied.
#[must_use]
fn checkpoint_now(busy: bool, behind: i64, deferred: u32) -> bool {
    behind > 0 && (!busy || deferred >= CHECKPOINT_DEFER_TURNS || behind >= CHECKPOINT_DEFER_PAGES)
}

/// The background checkpoints of [`Store::checkpoint_in_background`]; stopped when dropped.
#[derive(Debug)]
pub struct Checkpointer {
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
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

    /// The look-alikes of a merge's deliveries (read for every push at the hub) are found in
    /// the member index alone: the same member's deliveries are not read from the table one
    /// page each (migration 26; at a burst of 150 pushes that halved the hub's page faults).
    #[test]
    fn delivery_look_alikes_read_the_member_index_alone() {
        let store = Store::open_in_memory().unwrap();
        let plan: Vec<String> = store
            .conn
            .prepare(&format!(
                "EXPLAIN QUERY PLAN {}",
                crate::sync::DELIVERY_LOOK_ALIKES
            ))
            .unwrap()
            .query_map(["[]"], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            plan.iter()
                .any(|p| p.starts_with("SEARCH o USING COVERING INDEX deliveries_member")),
            "{plan:#?}"
        );
    }

    fn put(store: &mut Store, key: &str, fail: bool) -> Result<(), StoreError> {
        store.write(|db| {
            db.set_setting(key, "x")?;
            if fail {
                return Err(StoreError::Corrupt("échec voulu".into()));
            }
            Ok(())
        })
    }

    /// A group commits its kept writes together, durably; a failed write inside it is undone
    /// alone; a group not committed leaves nothing; groups do not nest.
    #[test]
    fn a_group_of_writes_commits_together_and_undoes_a_failed_write_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        let mut store = Store::open(&path).unwrap();
        store.begin_group().unwrap();
        assert!(store.in_group());
        assert!(matches!(store.begin_group(), Err(StoreError::GroupOpen)));
        put(&mut store, "a", false).unwrap();
        assert!(put(&mut store, "b", true).is_err());
        put(&mut store, "c", false).unwrap();
        // not yet on disk: another connection does not see the group's writes
        let other = Store::open(&path).unwrap();
        assert_eq!(other.db().setting("a").unwrap(), None);
        store.end_group(true).unwrap();
        assert!(!store.in_group());
        assert_eq!(other.db().setting("a").unwrap().as_deref(), Some("x"));
        assert_eq!(other.db().setting("b").unwrap(), None);
        assert_eq!(other.db().setting("c").unwrap().as_deref(), Some("x"));

        store.begin_group().unwrap();
        put(&mut store, "d", false).unwrap();
        store.end_group(false).unwrap();
        // outside a group, a write is its own transaction again
        put(&mut store, "e", false).unwrap();
        drop(store);
        drop(other);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.db().setting("d").unwrap(), None);
        assert_eq!(store.db().setting("e").unwrap().as_deref(), Some("x"));
    }

    /// The background checkpoint waits while the writer commits, but not for ever nor past a
    /// WAL of 128 MiB, and never runs for nothing.
    #[test]
    fn the_background_checkpoint_waits_for_the_writer_to_pause_within_bounds() {
        // the writer paused: now
        assert!(checkpoint_now(false, 10, 0));
        // nothing to copy
        assert!(!checkpoint_now(false, 0, 0));
        assert!(!checkpoint_now(true, 0, CHECKPOINT_DEFER_TURNS));
        // busy: waits, up to its turns
        for turn in 0..CHECKPOINT_DEFER_TURNS {
            assert!(!checkpoint_now(true, 10, turn));
        }
        assert!(checkpoint_now(true, 10, CHECKPOINT_DEFER_TURNS));
        // busy, but the WAL is large: now
        assert!(!checkpoint_now(true, CHECKPOINT_DEFER_PAGES - 1, 0));
        assert!(checkpoint_now(true, CHECKPOINT_DEFER_PAGES, 0));
        // the writer's own safety net is past what the background waits for
        assert!(i64::from(WRITER_CHECKPOINT_PAGES) > CHECKPOINT_DEFER_PAGES);
    }

    /// The background checkpointer moves committed pages from the WAL into the database
    /// without the writer checkpointing, and stops when dropped.
    #[test]
    fn checkpoints_run_in_the_background() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        let mut store = Store::open(&path).unwrap();
        store.checkpoint().unwrap();
        let ckpt = store
            .checkpoint_in_background(None, Duration::from_millis(20))
            .unwrap();
        let limit: i64 = store
            .conn
            .query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))
            .unwrap();
        assert_eq!(limit, i64::from(WRITER_CHECKPOINT_PAGES));
        for i in 0..50 {
            put(&mut store, &format!("k{i}"), false).unwrap();
        }
        // every committed frame is copied into the database file by the other thread
        let mut done = false;
        for _ in 0..500 {
            let (log, copied): (i64, i64) = store
                .conn
                .query_row("PRAGMA wal_checkpoint(NOOP)", [], |r| {
                    Ok((r.get(1)?, r.get(2)?))
                })
                .unwrap_or((0, -1));
            if log > 0 && log == copied {
                done = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(done, "the WAL was not checkpointed in the background");
        drop(ckpt);
        assert!(Store::open_in_memory()
            .unwrap()
            .checkpoint_in_background(None, Duration::from_secs(1))
            .is_err());
    }
}
