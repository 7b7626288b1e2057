//! Backups of a live store: consistent while another connection writes, verified (hash,
//! integrity, manifest), an encrypted store's copy encrypted under the same key and salt (its
//! key file beside it opens it), put back in place without deleting what was there, and the
//! retention of the hub's schedule.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use sene_store::backup::{self, BackupError, BackupManifest};
use sene_store::{KdfParams, Store, StoreError, Vault};

const CHEAP: KdfParams = KdfParams {
    m_kib: 1024,
    t: 1,
    p: 1,
};

const NOW: &str = "2026-12-05T10:00:00Z";

fn put(store: &mut Store, key: &str, value: &str) {
    store
        .write(|db| db.set_setting(key, value))
        .map_err(|e: StoreError| e)
        .unwrap();
}

#[test]
fn a_backup_of_a_plain_store_verifies_and_a_damaged_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bureau.sqlite");
    let mut store = Store::open(&path).unwrap();
    put(&mut store, "probe", "Kadiatou Traoré");
    let made = store
        .backup_into(&dir.path().join("sauvegardes"), None, NOW)
        .unwrap();
    assert!(made.file.exists());
    assert!(!made.manifest.encrypted);
    assert_eq!(made.manifest.made_at, NOW);
    assert_eq!(
        made.manifest.schema_version,
        i64::try_from(sene_store::MIGRATIONS.len()).unwrap()
    );
    // the store now has an identity, and remembers its last backup
    let id = store.db().setting(backup::keys::STORE_ID).unwrap().unwrap();
    assert_eq!(made.manifest.store_id, id);
    assert_eq!(
        store
            .db()
            .setting(backup::keys::LAST_BACKUP)
            .unwrap()
            .as_deref(),
        Some(NOW)
    );
    // one self-contained file: no WAL beside it
    let mut wal = made.file.as_os_str().to_owned();
    wal.push("-wal");
    assert!(!PathBuf::from(wal).exists());
    let m = backup::verify(&made.file, None).unwrap();
    assert_eq!(m, made.manifest);
    // the copy holds what the store held
    let copy = Store::open(&made.file).unwrap();
    assert_eq!(
        copy.db().setting("probe").unwrap().as_deref(),
        Some("Kadiatou Traoré")
    );
    drop(copy);
    // opening it wrote to it: the hash no longer matches
    let again = store
        .backup_into(&dir.path().join("b2"), None, NOW)
        .unwrap();
    let mut bytes = std::fs::read(&again.file).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x55;
    std::fs::write(&again.file, &bytes).unwrap();
    assert!(matches!(
        backup::verify(&again.file, None),
        Err(BackupError::Damaged { .. })
    ));
    // a file without its manifest is not a backup
    std::fs::remove_file(backup::manifest_path(&again.file)).unwrap();
    assert!(matches!(
        backup::verify(&again.file, None),
        Err(BackupError::NoManifest { .. })
    ));
}

/// A copy is one read transaction: a writer that keeps committing pairs of settings on
/// another connection while the copy is taken never leaves half a pair in it.
#[test]
fn a_backup_taken_while_another_connection_writes_is_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bureau.sqlite");
    let store = Store::open(&path).unwrap();
    let writer_path = path.clone();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop2 = stop.clone();
    let writer = std::thread::spawn(move || {
        let mut w = Store::open(&writer_path).unwrap();
        let mut i = 0u32;
        while !stop2.load(std::sync::atomic::Ordering::Relaxed) && i < 20_000 {
            w.write(|db| {
                db.set_setting(&format!("a{i}"), "x")?;
                db.set_setting(&format!("b{i}"), "x")
            })
            .map_err(|e: StoreError| e)
            .unwrap();
            i += 1;
        }
        i
    });
    let mut made = Vec::new();
    for n in 0..5 {
        std::thread::sleep(std::time::Duration::from_millis(30));
        made.push(
            store
                .backup_into(&dir.path().join(format!("s{n}")), None, NOW)
                .unwrap(),
        );
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.join().unwrap();
    assert!(written > 0);
    let mut seen_some = false;
    for b in &made {
        backup::verify(&b.file, None).unwrap();
        let conn = rusqlite::Connection::open(&b.file).unwrap();
        let a: i64 = conn
            .query_row(
                "SELECT count(*) FROM settings WHERE key GLOB 'a*'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let bb: i64 = conn
            .query_row(
                "SELECT count(*) FROM settings WHERE key GLOB 'b*'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(a, bb, "half a transaction in {}", b.file.display());
        seen_some |= a > 0;
    }
    assert!(seen_some, "the writer wrote nothing before the copies");
}

#[test]
fn an_encrypted_store_is_backed_up_encrypted_and_its_key_file_opens_the_copy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bureau.sqlite");
    let (mut vault, key) = Vault::create(&path, "Bureau", "mil et sorgho 24", CHEAP).unwrap();
    vault.save().unwrap();
    let mut store = Store::open_vault(&path, &mut vault, &key).unwrap();
    put(&mut store, "probe", "Kadiatou Traoré 76 12 34 56");
    let made = store
        .backup_into(&dir.path().join("cle"), Some(&key), NOW)
        .unwrap();
    assert!(made.manifest.encrypted);
    // no clear text in the copy
    let bytes = std::fs::read(&made.file).unwrap();
    assert!(!bytes.windows(8).any(|w| w == b"Kadiatou"));
    assert!(!bytes.starts_with(b"SQLite format 3"));
    // the passphrase of the store opens the copy's key file, and that key the copy
    let copied = Vault::load(&made.file).unwrap();
    let slot = copied.slots()[0].id.clone();
    let k2 = copied.unlock(&slot, "mil et sorgho 24").unwrap();
    assert_eq!(
        backup::verify(&made.file, Some(&k2)).unwrap(),
        made.manifest
    );
    // without the key, the copy is not readable
    assert!(backup::verify(&made.file, None).is_err());
    // put back in place of the store: the old one is moved aside, and the copy opens with its
    // key file (same salt) and holds the data
    drop(store);
    let moved = backup::install(&made.file, &path, "20261205-100000")
        .unwrap()
        .unwrap();
    assert!(moved.exists());
    assert!(Vault::key_path(&moved).exists());
    let mut v = Vault::load(&path).unwrap();
    let restored = Store::open_vault(&path, &mut v, &k2).unwrap();
    assert_eq!(
        restored.db().setting("probe").unwrap().as_deref(),
        Some("Kadiatou Traoré 76 12 34 56")
    );
}

fn manifest(at: &str) -> BackupManifest {
    BackupManifest {
        format: 1,
        made_at: at.into(),
        schema_version: 16,
        store_id: "s".into(),
        device: None,
        generation: 0,
        receipt_counters: std::collections::BTreeMap::new(),
        file: at.into(),
        bytes: 0,
        sha256: String::new(),
        encrypted: false,
    }
}

/// The hub's retention keeps the newest backup of each of the last 24 hours, 14 days and 12
/// months, and drops the rest.
#[test]
fn retention_keeps_hourly_daily_and_monthly_backups() {
    let mut all = Vec::new();
    // every hour for 60 days, plus one a month for two years before
    for day in 0..60u32 {
        for hour in 0..24u32 {
            let (m, d) = if day < 30 {
                (10, day + 1)
            } else {
                (11, day - 29)
            };
            let at = format!("2026-{m:02}-{d:02}T{hour:02}:00:00Z");
            all.push((Path::new(&at).to_path_buf(), manifest(&at)));
        }
    }
    for m in 1..=24u32 {
        let (y, mo) = (2024 + (m - 1) / 12, (m - 1) % 12 + 1);
        let at = format!("{y}-{mo:02}-15T12:00:00Z");
        all.push((Path::new(&at).to_path_buf(), manifest(&at)));
    }
    let dropped = backup::to_prune(&all, 24, 14, 12);
    let kept: Vec<&str> = all
        .iter()
        .filter(|(p, _)| !dropped.contains(p))
        .map(|(_, m)| m.made_at.as_str())
        .collect();
    // newest first: the last 24 hours of 2026-11-30
    assert!(kept.contains(&"2026-11-30T23:00:00Z"));
    assert!(kept.contains(&"2026-11-30T00:00:00Z"));
    // 14 days: the last of each of Nov 17…30 (Nov 30 counted among them)
    assert!(kept.contains(&"2026-11-17T23:00:00Z"));
    assert!(!kept.contains(&"2026-11-16T23:00:00Z"));
    assert!(!kept.contains(&"2026-11-17T22:00:00Z"));
    // 12 months: Nov and Oct 2026, then the monthly ones from Dec 2025 back to Mar 2025
    assert!(kept.contains(&"2026-10-30T23:00:00Z"));
    assert!(kept.contains(&"2025-12-15T12:00:00Z"));
    assert!(kept.contains(&"2025-03-15T12:00:00Z"));
    assert!(!kept.contains(&"2025-02-15T12:00:00Z"));
    assert_eq!(kept.len(), 24 + 13 + 11);
    // nothing is dropped from a short list
    assert!(backup::to_prune(&all[..3], 24, 14, 12).is_empty());
}

/// Two restores under the same stamp (a fixed clock, or within a second) never overwrite the
/// store the first one moved aside.
#[test]
fn a_store_moved_aside_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bureau.sqlite");
    let mut store = Store::open(&path).unwrap();
    put(&mut store, "probe", "premier");
    let made = store.backup_into(&dir.path().join("b"), None, NOW).unwrap();
    drop(store);
    let first = backup::install(&made.file, &path, "20261205-100000")
        .unwrap()
        .unwrap();
    assert!(first
        .to_string_lossy()
        .ends_with(".avant-restauration-20261205-100000"));
    let second = backup::install(&made.file, &path, "20261205-100000")
        .unwrap()
        .unwrap();
    assert_ne!(first, second);
    assert!(second.to_string_lossy().ends_with("-20261205-100000-2"));
    assert!(first.exists() && second.exists());
}
