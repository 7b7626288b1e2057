//! Backups of a live store, their verification, and putting one back in place.
//!
//! A backup is a consistent copy taken while the store works (never a raw copy of the file and
//! its WAL): `VACUUM INTO` for a plain store; for an encrypted one, `sqlcipher_export` into a
//! copy keyed with the same data key **and the same salt**, inside one read transaction, so the
//! copied key file opens it as it opens the store. The copy is switched to a rollback journal
//! (one self-contained file), synced, hashed, and only then renamed to its final name; its
//! manifest (JSON beside it) says when, from which store, at which schema version and sync
//! generation, with which receipt counters, and the SHA-256 of the file.
//!
//! What a restore does to the sync identity and the receipt numbering is the ledger's
//! (`sene_app::Ledger::mark_restored`); this module only copies and checks files.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::{vault, DataKey, Store, StoreError, Vault};
use sene_domain::Lang;

/// The local settings a backup and a restore read and write.
pub mod keys {
    /// This store's identity (random, made by migration 16).
    pub const STORE_ID: &str = "store_id";
    /// The sync generation: 0 for a store never restored, one more at each restore.
    pub const SYNC_GENERATION: &str = "sync_generation";
    /// The automerge actor this store writes as (hex), when it is not the device id (after a
    /// restore: the device id followed by 8 random bytes, never used before).
    pub const SYNC_ACTOR: &str = "sync_actor";
    /// The receipt series of this store's own device (`""` before any restore, `"-2"` after
    /// the first, so numbers read `SEC-2-000001`).
    pub const RECEIPT_SERIES: &str = "receipt_series";
    /// When this store last made a backup (RFC 3339), and where.
    pub const LAST_BACKUP: &str = "last_backup";
    /// The file of the last backup.
    pub const LAST_BACKUP_FILE: &str = "last_backup_file";
    /// The identity of the file this store was last opened in ([`super::file_identity`]): a
    /// store found in another file was copied (or put back from a copy) by hand.
    pub const FILE_IDENTITY: &str = "store_file_identity";
}

/// The identity of the file at `path` as the system knows it: its device, inode and birth
/// time on Unix (a file made where a deleted one was may reuse its inode, not its birth), its
/// creation time on Windows. A copy of the file has another identity; a rename keeps it.
/// `None` where the system gives none (or the file cannot be read).
#[must_use]
pub fn file_identity(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let born = meta
            .created()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        Some(format!("{}:{}:{born}", meta.dev(), meta.ino()))
    }
    #[cfg(windows)]
    {
        use std::os::windows::fs::MetadataExt;
        Some(format!("c{}", meta.creation_time()))
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = meta;
        None
    }
}

/// Format of the manifest.
pub const MANIFEST_FORMAT: u32 = 1;

/// What a backup says about itself (`<file>.manifest.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupManifest {
    pub format: u32,
    /// When the copy was taken (RFC 3339, UTC).
    pub made_at: String,
    /// The schema version (`PRAGMA user_version`) of the copy.
    pub schema_version: i64,
    /// The store's identity.
    pub store_id: String,
    /// The store's own device, when it has one.
    pub device: Option<String>,
    /// The store's sync generation at the copy.
    pub generation: u32,
    /// Each device's receipt prefix and the last receipt number the copy knows for it.
    pub receipt_counters: BTreeMap<String, i64>,
    /// The copy's file name (beside the manifest).
    pub file: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// Whether the copy is encrypted (its key file `<file>.keys` beside it).
    pub encrypted: bool,
}

/// Why a backup could not be made, checked or put back.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("fichier {path} : {reason}")]
    Io { path: String, reason: String },
    #[error("la sauvegarde {path} n'a pas de manifeste lisible ({reason}) : ce n'est pas une sauvegarde Sene complète")]
    NoManifest { path: String, reason: String },
    #[error("la sauvegarde {path} est endommagée : {what}")]
    Damaged { path: String, what: String },
    #[error("une base en mémoire ne se sauvegarde pas")]
    InMemory,
    #[error("la base a changé pendant chacune des cinq copies : recommencez la sauvegarde dans un instant")]
    Unsettled,
    #[error("la base {path} est servie par le bureau (hub serve) en ce moment : arrêtez le serveur avant de restaurer")]
    InUse { path: String },
}

impl BackupError {
    /// Stable code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            BackupError::Store(_) => "store",
            BackupError::Io { .. } => "io",
            BackupError::NoManifest { .. } => "backup_no_manifest",
            BackupError::Damaged { .. } => "backup_damaged",
            BackupError::InMemory => "backup_in_memory",
            BackupError::Unsettled => "backup_unsettled",
            BackupError::InUse { .. } => "store_in_use",
        }
    }

    /// The message in `lang`.
    #[must_use]
    pub fn message(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::Fr, _) => self.to_string(),
            (_, BackupError::Store(e)) => e.message(lang),
            (_, BackupError::Io { path, reason }) => format!("file {path}: {reason}"),
            (_, BackupError::NoManifest { path, reason }) => format!(
                "the backup {path} has no readable manifest ({reason}): it is not a whole Sene backup"
            ),
            (_, BackupError::Damaged { path, what }) => {
                format!("the backup {path} is damaged: {what}")
            }
            (_, BackupError::InMemory) => "a store in memory cannot be backed up".into(),
            (_, BackupError::Unsettled) => {
                "the store changed during each of five copies: back it up again in a moment".into()
            }
            (_, BackupError::InUse { path }) => format!(
                "the store {path} is being served by the office hub (hub serve) right now: stop the server before restoring"
            ),
        }
    }
}

type R<T> = Result<T, BackupError>;

impl From<rusqlite::Error> for BackupError {
    fn from(e: rusqlite::Error) -> Self {
        BackupError::Store(e.into())
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> BackupError + '_ {
    move |e| BackupError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// `<file>.manifest.json`.
#[must_use]
pub fn manifest_path(file: &Path) -> PathBuf {
    let mut s = file.as_os_str().to_owned();
    s.push(".manifest.json");
    PathBuf::from(s)
}

fn with_suffix(file: &Path, suffix: &str) -> PathBuf {
    let mut s = file.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// SHA-256 of a file, hex.
///
/// # Errors
/// I/O errors.
pub fn sha256_file(path: &Path) -> R<String> {
    let mut f = std::fs::File::open(path).map_err(io(path))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(io(path))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(vault::hex_of(&h.finalize()))
}

fn sync_file(path: &Path) -> R<()> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(io(path))
}

fn sync_dir(dir: &Path) {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Writes `bytes` to `path` durably (temporary file, fsync, rename, directory fsync).
fn write_durably(path: &Path, bytes: &[u8]) -> R<()> {
    let tmp = with_suffix(path, ".tmp");
    {
        let mut f = std::fs::File::create(&tmp).map_err(io(&tmp))?;
        f.write_all(bytes).map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
    }
    std::fs::rename(&tmp, path).map_err(io(path))?;
    if let Some(d) = path.parent() {
        sync_dir(d);
    }
    Ok(())
}

/// Copies a file durably (to a temporary name, fsync, rename).
fn copy_durably(from: &Path, to: &Path) -> R<()> {
    let tmp = with_suffix(to, ".tmp");
    std::fs::copy(from, &tmp).map_err(io(from))?;
    sync_file(&tmp)?;
    std::fs::rename(&tmp, to).map_err(io(to))?;
    if let Some(d) = to.parent() {
        sync_dir(d);
    }
    Ok(())
}

/// The key with the file's salt, so a copy keyed with it has the same salt as the store (and
/// the store's key file opens it).
fn key_with_salt(key: &DataKey, salt: &[u8]) -> Zeroizing<String> {
    let p = key.pragma();
    Zeroizing::new(format!("x'{}{}'", &p[2..p.len() - 1], vault::hex_of(salt)))
}

fn setting(conn: &Connection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Schema version, own device, sync generation, receipt counters.
type Described = (i64, Option<String>, u32, BTreeMap<String, i64>);

/// What the manifest says of the store's content, read from a connection inside the copy's
/// read transaction (so it matches the copy).
fn describe(conn: &Connection) -> Result<Described, StoreError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let device = setting(conn, "local_device")?;
    let generation = setting(conn, keys::SYNC_GENERATION)?
        .and_then(|g| g.parse().ok())
        .unwrap_or(0);
    let mut counters = BTreeMap::new();
    let mut st =
        conn.prepare("SELECT receipt_prefix, last_seq FROM devices ORDER BY receipt_prefix")?;
    for row in st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
        let (p, n) = row?;
        counters.insert(p, n);
    }
    Ok((version, device, generation, counters))
}

/// A backup just made.
#[derive(Debug, Clone)]
pub struct Backup {
    /// The copy.
    pub file: PathBuf,
    pub manifest: BackupManifest,
}

impl Store {
    /// Makes a consistent copy of this (live) store in `dir`, named after the store and the
    /// time, with its manifest, and its key file beside it when the store is encrypted (`key`:
    /// the store's data key). Other connections keep writing meanwhile: the copy is one read
    /// transaction. `made_at` is the time written in the manifest (RFC 3339).
    ///
    /// # Errors
    /// [`BackupError::InMemory`], I/O and SQLite errors; nothing is left under the final name
    /// when it fails.
    pub fn backup_into(&self, dir: &Path, key: Option<&DataKey>, made_at: &str) -> R<Backup> {
        let src = self.path.clone().ok_or(BackupError::InMemory)?;
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let store_id = setting(&self.conn, keys::STORE_ID)?.unwrap_or_default();
        let stamp: String = made_at
            .chars()
            .filter(char::is_ascii_digit)
            .take(14)
            .collect();
        let short: String = store_id.chars().filter(|c| *c != '-').skip(20).collect();
        // two backups within the same second (a scheduled one and one by hand) never share a
        // name: the first would be replaced under a manifest that no longer matches it
        let mut name = format!("sene-{stamp}-{short}.sqlite");
        let mut n = 1;
        while dir.join(&name).exists() || manifest_path(&dir.join(&name)).exists() {
            n += 1;
            name = format!("sene-{stamp}-{short}-{n}.sqlite");
        }
        let file = dir.join(&name);
        let partial = with_suffix(&file, ".partiel");
        // A change the copy holds must never be squashed afterwards on this store (a peer
        // would then hold a replacement of it under the same sequence number, and the copy,
        // put back, would refuse it): the copy's chunks are counted as shared here, in one
        // transaction that first checks no squash replaced any of them since the copy was
        // taken; when one did, the copy is taken again.
        let mut tries = 0;
        let described = loop {
            tries += 1;
            let d = self.copy_into(&partial, &src, key)?;
            if self.mark_copied_shared(&partial, key)? {
                break d;
            }
            if tries == 5 {
                let _ = std::fs::remove_file(&partial);
                return Err(BackupError::Unsettled);
            }
        };
        let (schema_version, device, generation, receipt_counters) = described;
        sync_file(&partial)?;
        let sha256 = sha256_file(&partial)?;
        let bytes = std::fs::metadata(&partial).map_err(io(&partial))?.len();
        std::fs::rename(&partial, &file).map_err(io(&file))?;
        if key.is_some() {
            copy_durably(&Vault::key_path(&src), &Vault::key_path(&file))?;
        }
        let manifest = BackupManifest {
            format: MANIFEST_FORMAT,
            made_at: made_at.to_owned(),
            schema_version,
            store_id,
            device,
            generation,
            receipt_counters,
            file: name,
            bytes,
            sha256,
            encrypted: key.is_some(),
        };
        write_manifest(&file, &manifest)?;
        // when this store last made a backup (the dashboard's warning): a note, not the
        // backup — a store too busy to take it now keeps the previous date
        let _ = self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2), (?3, ?4) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            rusqlite::params![
                keys::LAST_BACKUP,
                made_at,
                keys::LAST_BACKUP_FILE,
                file.display().to_string()
            ],
        );
        Ok(Backup { file, manifest })
    }

    /// Copies this store into `partial` (one read transaction), then switches the copy to a
    /// rollback journal and describes it.
    fn copy_into(&self, partial: &Path, src: &Path, key: Option<&DataKey>) -> R<Described> {
        let _ = std::fs::remove_file(partial);
        match key {
            // one statement, so one read transaction: a consistent copy
            None => {
                self.conn
                    .execute("VACUUM INTO ?1", [partial.display().to_string()])?;
            }
            Some(key) => {
                let salt = vault::read_file_salt(src)?
                    .ok_or_else(|| StoreError::Corrupt("base chiffrée sans en-tête".into()))?;
                self.conn.execute(
                    "ATTACH DATABASE ?1 AS sene_backup KEY ?2",
                    rusqlite::params![partial.display().to_string(), &*key_with_salt(key, &salt)],
                )?;
                // every table read in one read transaction: a consistent copy
                self.conn.execute_batch("BEGIN")?;
                let out = (|| -> Result<(), StoreError> {
                    let version: i64 =
                        self.conn
                            .query_row("PRAGMA main.user_version", [], |r| r.get(0))?;
                    self.conn.query_row(
                        "SELECT sqlcipher_export('sene_backup')",
                        [],
                        |_| Ok(()),
                    )?;
                    self.conn
                        .execute_batch(&format!("PRAGMA sene_backup.user_version = {version};"))?;
                    Ok(())
                })();
                let commit = self.conn.execute_batch("COMMIT");
                let _ = self.conn.execute_batch("DETACH DATABASE sene_backup");
                out?;
                commit?;
            }
        }
        // one self-contained file: a rollback journal, no WAL beside it; the manifest is read
        // from the copy itself, so it says what the copy holds
        let described = {
            let conn = open_file(partial, key, false)?;
            conn.query_row("PRAGMA journal_mode=DELETE", [], |_| Ok(()))?;
            describe(&conn)?
        };
        Ok(described)
    }

    /// Counts every chunk of the copy at `partial` as shared on this store, unless a squash
    /// recorded here since the copy replaced some of them (then `false`: copy again).
    fn mark_copied_shared(&self, partial: &Path, key: Option<&DataKey>) -> R<bool> {
        let copy = open_file(partial, key, true)?;
        let mut upto: Vec<(String, i64)> = Vec::new();
        {
            let mut st =
                copy.prepare("SELECT doc_id, max(seq) FROM sync_chunks GROUP BY doc_id")?;
            for r in st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))? {
                upto.push(r?);
            }
        }
        let mut squashed = std::collections::HashSet::new();
        {
            let mut st = copy.prepare("SELECT doc_id, from_seq FROM sync_squashes")?;
            for r in st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
                squashed.insert(r?);
            }
        }
        drop(copy);
        // nothing to count (every chunk of the copy is already shared here): no write at all
        let mut needed = false;
        for (doc, max) in &upto {
            let shared: i64 = self
                .conn
                .query_row(
                    "SELECT shared_upto FROM sync_docs WHERE doc_id = ?1",
                    [doc],
                    |r| r.get(0),
                )
                .optional()?
                .unwrap_or(0);
            needed |= shared < *max;
        }
        if !needed {
            return Ok(true);
        }
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let out = (|| -> R<bool> {
            let mut st = self
                .conn
                .prepare("SELECT doc_id, from_seq FROM sync_squashes")?;
            let live: Vec<(String, i64)> = st
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            drop(st);
            for (doc, from) in live {
                let held = upto.iter().any(|(d, m)| *d == doc && from <= *m);
                if held && !squashed.contains(&(doc, from)) {
                    return Ok(false);
                }
            }
            for (doc, max) in &upto {
                self.conn.execute(
                    "UPDATE sync_docs SET shared_upto = max(shared_upto, ?2) WHERE doc_id = ?1",
                    rusqlite::params![doc, max],
                )?;
            }
            Ok(true)
        })();
        match out {
            Ok(true) => {
                self.conn.execute_batch("COMMIT")?;
                Ok(true)
            }
            other => {
                let _ = self.conn.execute_batch("ROLLBACK");
                other
            }
        }
    }
}

fn open_file(
    path: &Path,
    key: Option<&DataKey>,
    read_only: bool,
) -> Result<Connection, StoreError> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let conn =
        Connection::open_with_flags(path, flags).map_err(|e| StoreError::from_open(path, e))?;
    if let Some(key) = key {
        conn.execute_batch(&format!("PRAGMA key = \"{}\";", &*key.pragma()))
            .map_err(|e| StoreError::from_open(path, e))?;
    }
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|e| StoreError::from_open(path, e))?;
    Ok(conn)
}

/// Writes the manifest of the backup `file` beside it, durably (a temporary file, fsync,
/// rename): a backup's manifest is whole or absent.
///
/// # Errors
/// I/O errors.
pub fn write_manifest(file: &Path, manifest: &BackupManifest) -> R<()> {
    let json = serde_json::to_vec_pretty(manifest).map_err(|e| BackupError::Io {
        path: file.display().to_string(),
        reason: e.to_string(),
    })?;
    write_durably(&manifest_path(file), &json)
}

/// Reads the manifest of the backup `file`.
///
/// # Errors
/// [`BackupError::NoManifest`].
pub fn read_manifest(file: &Path) -> R<BackupManifest> {
    let mp = manifest_path(file);
    let bytes = std::fs::read(&mp).map_err(|e| BackupError::NoManifest {
        path: file.display().to_string(),
        reason: e.to_string(),
    })?;
    serde_json::from_slice(&bytes).map_err(|e| BackupError::NoManifest {
        path: file.display().to_string(),
        reason: e.to_string(),
    })
}

/// Checks the backup `file` without changing it: its manifest, its SHA-256, then opened read
/// only (with `key` when it is encrypted), `PRAGMA integrity_check`, its schema version and
/// store identity against the manifest.
///
/// # Errors
/// [`BackupError::NoManifest`], [`BackupError::Damaged`] saying what differs, SQLite errors
/// (a wrong key reads as a file that is not a database).
pub fn verify(file: &Path, key: Option<&DataKey>) -> R<BackupManifest> {
    let manifest = read_manifest(file)?;
    let damaged = |what: String| BackupError::Damaged {
        path: file.display().to_string(),
        what,
    };
    let sha = sha256_file(file)?;
    if sha != manifest.sha256 {
        return Err(damaged(format!(
            "empreinte SHA-256 {} au lieu de {}",
            &sha[..16],
            &manifest.sha256[..manifest.sha256.len().min(16)]
        )));
    }
    let conn = open_file(file, key, true)?;
    let mut st = conn.prepare("PRAGMA integrity_check")?;
    let report: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    drop(st);
    let report = report.join("; ");
    if report != "ok" {
        return Err(damaged(format!("contrôle d'intégrité : {report}")));
    }
    let (version, device, generation, _) = describe(&conn)?;
    if version != manifest.schema_version {
        return Err(damaged(format!(
            "schéma {version} au lieu de {}",
            manifest.schema_version
        )));
    }
    let id = setting(&conn, keys::STORE_ID)?.unwrap_or_default();
    if id != manifest.store_id || device != manifest.device || generation != manifest.generation {
        return Err(damaged(
            "identité de la base différente du manifeste".into(),
        ));
    }
    Ok(manifest)
}

/// The names a store file is moved aside to when a backup is put in its place.
/// Where `install` moves the store at `store` aside: `<store>.avant-restauration-<stamp>`, or
/// with `-2`, `-3`… when that name (or its WAL or key file) is taken, so an earlier store moved
/// aside is never overwritten.
#[must_use]
pub fn aside_path(store: &Path, stamp: &str) -> PathBuf {
    let taken = |p: &Path| {
        ["", "-wal", "-shm", ".keys"]
            .iter()
            .any(|s| with_suffix(p, s).exists())
    };
    let first = with_suffix(store, &format!(".avant-restauration-{stamp}"));
    if !taken(&first) {
        return first;
    }
    (2..)
        .map(|n| with_suffix(store, &format!(".avant-restauration-{stamp}-{n}")))
        .find(|p| !taken(p))
        .unwrap_or(first)
}

/// The receipt series of a generation, after the device's prefix: none for a store never
/// restored, `-2` for the second generation (`SEC-2-000001`).
#[must_use]
pub fn series_of(generation: u32) -> String {
    if generation == 0 {
        String::new()
    } else {
        format!("-{generation}")
    }
}

/// Puts the (verified) backup `file` in place of the store at `store`: a store already there is
/// moved aside (with its WAL and key file) to `<store>.avant-restauration-<stamp>`, never
/// deleted; the copy (and its key file) is written durably under the store's name. Returns
/// where the old store went, if there was one. The caller then opens the store and marks it
/// restored (a new sync identity and receipt series) before anything else writes to it.
///
/// # Errors
/// I/O errors.
pub fn install(file: &Path, store: &Path, stamp: &str) -> R<Option<PathBuf>> {
    if let Some(dir) = store.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir).map_err(io(dir))?;
        }
    }
    let mut moved = None;
    if store.exists() {
        let to = aside_path(store, stamp);
        for s in ["", "-wal", "-shm", ".keys"] {
            let from = with_suffix(store, s);
            if from.exists() {
                std::fs::rename(&from, with_suffix(&to, s)).map_err(io(&from))?;
            }
        }
        moved = Some(to);
    }
    copy_durably(file, store)?;
    let keys = Vault::key_path(file);
    if keys.exists() {
        copy_durably(&keys, &Vault::key_path(store))?;
    }
    Ok(moved)
}

/// The backups found in `dir` (files with a manifest), oldest first.
///
/// # Errors
/// I/O errors reading the folder.
pub fn list(dir: &Path) -> R<Vec<(PathBuf, BackupManifest)>> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(out);
    };
    for e in entries {
        let p = e.map_err(io(dir))?.path();
        let Some(name) = p.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if let Some(base) = name.strip_suffix(".manifest.json") {
            let file = dir.join(base);
            if let Ok(m) = read_manifest(&file) {
                if file.exists() {
                    out.push((file, m));
                }
            }
        }
    }
    out.sort_by(|a, b| a.1.made_at.cmp(&b.1.made_at).then(a.0.cmp(&b.0)));
    Ok(out)
}

/// Deletes a backup: its file, manifest and key file.
///
/// # Errors
/// I/O errors.
pub fn remove(file: &Path) -> R<()> {
    for p in [
        manifest_path(file),
        Vault::key_path(file),
        file.to_path_buf(),
    ] {
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(&p)(e)),
        }
    }
    Ok(())
}

/// Which backups of `backups` (each with its manifest) the retention drops: it keeps the newest
/// backup of each of the last `hours` hours, `days` days and `months` months that have one
/// (by the manifest's time), and deletes the rest. The newest backup is always kept.
#[must_use]
pub fn to_prune(
    backups: &[(PathBuf, BackupManifest)],
    hours: usize,
    days: usize,
    months: usize,
) -> Vec<PathBuf> {
    let mut newest_first: Vec<&(PathBuf, BackupManifest)> = backups.iter().collect();
    newest_first.sort_by(|a, b| b.1.made_at.cmp(&a.1.made_at).then(b.0.cmp(&a.0)));
    let mut keep = vec![false; newest_first.len()];
    for (len, limit) in [(13, hours), (10, days), (7, months)] {
        let mut seen: Vec<&str> = Vec::new();
        for (i, (_, m)) in newest_first.iter().enumerate() {
            let bucket = m.made_at.get(..len).unwrap_or(&m.made_at);
            if seen.contains(&bucket) {
                continue;
            }
            if seen.len() == limit {
                break;
            }
            seen.push(bucket);
            keep[i] = true;
        }
    }
    if let Some(k) = keep.first_mut() {
        *k = true;
    }
    newest_first
        .iter()
        .zip(keep)
        .filter(|(_, k)| !k)
        .map(|(b, _)| b.0.clone())
        .collect()
}

/// One restoration of this store (migration 16).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Restoration {
    pub restored_at: String,
    pub backup_made_at: String,
    pub backup_file: String,
    pub backup_sha256: String,
    pub store_id: String,
    pub from_generation: u32,
    pub to_generation: u32,
    pub receipt_counters: BTreeMap<String, i64>,
    pub moved_aside: Option<String>,
}

impl crate::Db<'_> {
    /// Marks this store as put back from the backup `manifest`, in the caller's transaction:
    /// a new sync generation and automerge actor, its own device's receipts in a new series (`-<generation>`, counter
    /// from 0), every chunk it holds counted as possibly seen by peers (so none is ever
    /// squashed into a change they do not know), and the restoration recorded. The actor is
    /// the device id followed by 8 random bytes, never used before.
    /// Returns the new generation.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn mark_restored(
        &self,
        manifest: &BackupManifest,
        file: &str,
        at: &str,
        moved_aside: Option<&str>,
        floor: u32,
    ) -> Result<u32, StoreError> {
        let conn = self.conn();
        let device = self.setting("local_device")?;
        let mut actor = device
            .as_deref()
            .and_then(|d| uuid::Uuid::try_parse(d).ok())
            .map(|u| u.as_bytes().to_vec())
            .unwrap_or_default();
        let mut fresh = [0u8; 8];
        getrandom::fill(&mut fresh).map_err(|e| StoreError::Vault(e.to_string()))?;
        actor.extend_from_slice(&fresh);
        let current: u32 = self
            .setting(keys::SYNC_GENERATION)?
            .and_then(|g| g.parse().ok())
            .unwrap_or(0);
        // never a generation this store (or a restore of the same backup) used before
        let before: u32 = conn.query_row(
            "SELECT coalesce(max(to_generation), 0) FROM restorations",
            [],
            |r| r.get(0),
        )?;
        let generation = current.max(manifest.generation).max(before).max(floor) + 1;
        self.set_setting(keys::SYNC_GENERATION, &generation.to_string())?;
        self.set_setting(keys::SYNC_ACTOR, &vault::hex_of(&actor))?;
        self.set_setting(keys::RECEIPT_SERIES, &series_of(generation))?;
        if let Some(device) = device {
            conn.execute("UPDATE devices SET last_seq = 0 WHERE id = ?1", [&device])?;
            self.restore_receipt_sequence(&device)?;
        }
        conn.execute(
            "UPDATE sync_docs SET shared_upto = (SELECT coalesce(max(seq), 0) FROM sync_chunks WHERE sync_chunks.doc_id = sync_docs.doc_id)",
            [],
        )?;
        conn.execute(
            "INSERT INTO restorations (restored_at, backup_made_at, backup_file, backup_sha256, store_id, from_generation, to_generation, receipt_counters, moved_aside) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
            rusqlite::params![
                at,
                manifest.made_at,
                file,
                manifest.sha256,
                manifest.store_id,
                manifest.generation,
                generation,
                serde_json::to_string(&manifest.receipt_counters).unwrap_or_default(),
                moved_aside
            ],
        )?;
        Ok(generation)
    }

    /// Every restoration of this store, oldest first.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn restorations(&self) -> Result<Vec<Restoration>, StoreError> {
        let mut st = self.conn().prepare_cached(
            "SELECT restored_at, backup_made_at, backup_file, backup_sha256, store_id, from_generation, to_generation, receipt_counters, moved_aside FROM restorations ORDER BY id",
        )?;
        let rows = st.query_map([], |r| {
            Ok(Restoration {
                restored_at: r.get(0)?,
                backup_made_at: r.get(1)?,
                backup_file: r.get(2)?,
                backup_sha256: r.get(3)?,
                store_id: r.get(4)?,
                from_generation: r.get(5)?,
                to_generation: r.get(6)?,
                receipt_counters: serde_json::from_str(&r.get::<_, String>(7)?).unwrap_or_default(),
                moved_aside: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The settlement runs named by carried debts (synced) that this store does not hold: runs
    /// locked by an office store that was lost, known again from what the laptops carried back.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn carried_runs_missing(&self) -> Result<Vec<String>, StoreError> {
        let mut st = self.conn().prepare(
            "SELECT DISTINCT run_id FROM debt_carries WHERE run_id NOT IN (SELECT id FROM settlement_runs) ORDER BY run_id",
        )?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The sync generation the store at `path` had reached (the store a restore moved aside:
    /// a second restore of the same backup must not number its receipts in the same series
    /// again), read through this connection (an encrypted store with this store's key). `None`
    /// when it cannot be read. Outside any transaction.
    #[must_use]
    pub fn generation_of_file(&self, path: &Path) -> Option<u32> {
        let conn = self.conn();
        conn.execute(
            "ATTACH DATABASE ?1 AS sene_prior",
            [path.display().to_string()],
        )
        .ok()?;
        let g: Option<String> = conn
            .query_row(
                "SELECT value FROM sene_prior.settings WHERE key = ?1",
                [keys::SYNC_GENERATION],
                |r| r.get(0),
            )
            .ok();
        let _ = conn.execute_batch("DETACH DATABASE sene_prior");
        Some(g.and_then(|g| g.parse().ok()).unwrap_or(0))
    }

    /// The automerge actor this store writes as after a restore (hex-decoded), if any.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn sync_actor(&self) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.setting(keys::SYNC_ACTOR)?.and_then(|h| unhex(&h)))
    }
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The lock file a running hub holds beside the store it serves.
#[must_use]
pub fn hub_lock_path(store: &Path) -> PathBuf {
    with_suffix(store, ".hub.lock")
}

/// Refuses when a hub serves the store at `store` right now (it holds the lock).
///
/// # Errors
/// [`BackupError::InUse`].
pub fn check_not_served(store: &Path) -> R<()> {
    let lock = hub_lock_path(store);
    let Ok(f) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&lock)
    else {
        return Ok(());
    };
    match f.try_lock() {
        Err(std::fs::TryLockError::WouldBlock) => Err(BackupError::InUse {
            path: store.display().to_string(),
        }),
        _ => Ok(()),
    }
}
