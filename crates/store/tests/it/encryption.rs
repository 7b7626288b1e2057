//! The encrypted store: what opens it, and that a wrong key, a foreign, plain or truncated
//! file is refused with a clear error and left byte for byte as it was.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use sene_store::{DataKey, KdfParams, Store, StoreError, Vault};

const CHEAP: KdfParams = KdfParams {
    m_kib: 1024,
    t: 1,
    p: 1,
};

fn make(dir: &Path, name: &str, pass: &str) -> (std::path::PathBuf, DataKey) {
    let path = dir.join(name);
    let (mut vault, key) = Vault::create(&path, "Awa", pass, CHEAP).unwrap();
    vault.save().unwrap();
    let mut store = Store::open_vault(&path, &mut vault, &key).unwrap();
    store
        .write(|db| db.set_setting("probe", "Kadiatou Traoré 76 12 34 56"))
        .map_err(|e: StoreError| e)
        .unwrap();
    store.checkpoint().unwrap();
    drop(store);
    (path, key)
}

fn bytes_of(path: &Path) -> Vec<u8> {
    let mut all = std::fs::read(path).unwrap_or_default();
    for s in ["-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(s);
        all.extend(std::fs::read(p).unwrap_or_default());
    }
    all
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn the_file_and_its_wal_hold_no_clear_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let (mut vault, key) = Vault::create(&path, "Awa", "mil et sorgho 24", CHEAP).unwrap();
    vault.save().unwrap();
    let mut store = Store::open_vault(&path, &mut vault, &key).unwrap();
    store
        .write(|db| db.set_setting("probe", "Kadiatou Traoré 76 12 34 56"))
        .map_err(|e: StoreError| e)
        .unwrap();
    // Still open: the write sits in the WAL.
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    assert!(std::fs::metadata(&wal).unwrap().len() > 0);
    let raw = bytes_of(&path);
    assert!(!contains(&raw, b"Kadiatou"));
    assert!(!contains(&raw, b"SQLite format 3"));
    assert!(!contains(&raw, b"CREATE TABLE"));
    // A plain store shows them: the search would find them.
    let plain = dir.path().join("p.sqlite");
    let mut p = Store::open(&plain).unwrap();
    p.write(|db| db.set_setting("probe", "Kadiatou Traoré"))
        .map_err(|e: StoreError| e)
        .unwrap();
    assert!(contains(&bytes_of(&plain), b"Kadiatou"));
    drop(store);
}

#[test]
fn the_right_passphrase_reopens_and_the_wrong_one_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = make(dir.path(), "s.sqlite", "mil et sorgho 24");
    let before = bytes_of(&path);
    let vault = Vault::load(&path).unwrap();
    let id = vault.slots()[0].id.clone();
    assert!(matches!(
        vault.unlock(&id, "mil et sorgho 25"),
        Err(StoreError::WrongPassphrase)
    ));
    assert_eq!(bytes_of(&path), before);
    // Without a key at all: named as encrypted.
    assert!(matches!(
        Store::open(&path),
        Err(StoreError::Encrypted { .. })
    ));
    let mut vault = vault;
    let key = vault.unlock(&id, "mil et sorgho 24").unwrap();
    let store = Store::open_vault(&path, &mut vault, &key).unwrap();
    assert_eq!(
        store.db().setting("probe").unwrap().as_deref(),
        Some("Kadiatou Traoré 76 12 34 56")
    );
}

#[test]
fn the_recovery_key_opens_without_the_key_file() {
    let dir = tempfile::tempdir().unwrap();
    let (path, key) = make(dir.path(), "s.sqlite", "mil et sorgho 24");
    let text = key.recovery_text();
    std::fs::remove_file(Vault::key_path(&path)).unwrap();
    let key = DataKey::from_recovery_text(&text).unwrap();
    let store = Store::open_with_key(&path, &key).unwrap();
    assert!(store.db().setting("probe").unwrap().is_some());
    drop(store);
    // A new key file from the recovery key, with a new passphrase.
    let mut vault = Vault::recreate(&path, &key, "Awa", "nouvelle phrase 7", CHEAP).unwrap();
    vault.save().unwrap();
    let id = vault.slots()[0].id.clone();
    let k = vault.unlock(&id, "nouvelle phrase 7").unwrap();
    Store::open_vault(&path, &mut vault, &k).unwrap();
}

#[test]
fn a_file_from_another_device_is_named_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (mine, key) = make(dir.path(), "mine.sqlite", "mil et sorgho 24");
    let other_dir = tempfile::tempdir().unwrap();
    let (theirs, _) = make(other_dir.path(), "mine.sqlite", "riz de Macina 9");
    // Their store file carried over mine (a USB stick, a restore from the wrong laptop).
    std::fs::copy(&theirs, &mine).unwrap();
    let before = bytes_of(&mine);
    let mut vault = Vault::load(&mine).unwrap();
    let e = Store::open_vault(&mine, &mut vault, &key).unwrap_err();
    assert!(matches!(e, StoreError::ForeignFile { .. }), "{e:?}");
    assert!(e.to_string().contains("autre appareil"), "{e}");
    assert_eq!(bytes_of(&mine), before);
    // Even with the salt check out of the way, the key does not read it.
    let e = Store::open_with_key(&mine, &key).unwrap_err();
    assert!(matches!(e, StoreError::NotADatabase { .. }), "{e:?}");
    assert_eq!(bytes_of(&mine), before);
}

#[test]
fn a_plain_file_under_a_key_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (path, key) = make(dir.path(), "s.sqlite", "mil et sorgho 24");
    let plain = dir.path().join("plain.sqlite");
    drop(Store::open(&plain).unwrap());
    std::fs::copy(&plain, &path).unwrap();
    let before = bytes_of(&path);
    let mut vault = Vault::load(&path).unwrap();
    let e = Store::open_vault(&path, &mut vault, &key).unwrap_err();
    assert!(matches!(e, StoreError::ForeignFile { .. }), "{e:?}");
    assert_eq!(bytes_of(&path), before);
}

#[test]
fn a_truncated_file_is_refused_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let (path, key) = make(dir.path(), "s.sqlite", "mil et sorgho 24");
    let full = std::fs::read(&path).unwrap();
    for cut in [
        full.len() / 2,
        full.len() - 4096,
        full.len() - 100,
        4096,
        100,
    ] {
        std::fs::write(&path, &full[..cut]).unwrap();
        let before = bytes_of(&path);
        let mut vault = Vault::load(&path).unwrap();
        let e = Store::open_vault(&path, &mut vault, &key).unwrap_err();
        assert!(
            matches!(e, StoreError::NotADatabase { .. }),
            "cut at {cut}: {e:?}"
        );
        assert_eq!(bytes_of(&path), before, "cut at {cut}");
    }
}

#[test]
fn a_plain_store_is_encrypted_in_place_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    let mut plain = Store::open(&path).unwrap();
    plain
        .write(|db| db.set_setting("probe", "Kadiatou Traoré 76 12 34 56"))
        .map_err(|e: StoreError| e)
        .unwrap();
    drop(plain);
    assert!(contains(&bytes_of(&path), b"Kadiatou"));
    let (mut vault, key) =
        Store::encrypt_plain(&path, "Bureau", "mil et sorgho 24", CHEAP).unwrap();
    assert!(!contains(&bytes_of(&path), b"Kadiatou"));
    let store = Store::open_vault(&path, &mut vault, &key).unwrap();
    assert_eq!(
        store.db().setting("probe").unwrap().as_deref(),
        Some("Kadiatou Traoré 76 12 34 56")
    );
    assert_eq!(store.integrity_check().unwrap(), "ok");
    drop(store);
    // Already encrypted: refused.
    assert!(matches!(
        Store::encrypt_plain(&path, "Bureau", "mil et sorgho 24", CHEAP),
        Err(StoreError::Encrypted { .. })
    ));
}
