//! `sene` on a store of an older Sene (#22 item 3): the store is upgraded, `sene` says so on
//! stderr in the session's language, with the schema it came from and where the copy of it as
//! it was is kept; the copy is that file, byte for byte, with its key file. The store is the
//! encrypted fixture of schema 21 (tests/fixtures/upgrade/v21, made by f66c592's `sene`).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

const PASSPHRASE: &str = "mangue-karite-2026-bamako";

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/upgrade/v21/encrypted.sqlite")
}

fn sene(store: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sene"))
        .arg("--store")
        .arg(store)
        .args(args)
        .env_remove("SENE_STORE")
        .env_remove("SENE_LANG")
        .env_remove("SENE_CLOCK")
        .env_remove("SENE_ACCOUNT")
        .env_remove("SENE_RECOVERY_KEY")
        .env("SENE_PASSPHRASE", PASSPHRASE)
        .output()
        .unwrap()
}

#[test]
fn an_older_store_is_upgraded_and_sene_says_where_its_copy_is() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("bureau.sqlite");
    std::fs::copy(fixture(), &store).unwrap();
    let mut keys = store.as_os_str().to_owned();
    keys.push(".keys");
    let mut from = fixture().into_os_string();
    from.push(".keys");
    std::fs::copy(&from, &keys).unwrap();
    let before = std::fs::read(&store).unwrap();
    let latest = sene_store::MIGRATIONS.last().unwrap().version;

    let o = sene(&store, &["member", "list"]);
    let (out, err) = (
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    );
    assert!(o.status.success(), "{out}{err}");
    assert!(out.contains("DIO-0001"), "{out}");
    let copy = sene_store::pre_upgrade_copy(&store, 21);
    assert!(
        err.contains(&format!("schéma 21 → {latest}")) && err.contains(&copy.display().to_string()),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        before,
        "the copy is the older store"
    );
    let mut copy_keys = copy.clone().into_os_string();
    copy_keys.push(".keys");
    assert!(Path::new(&copy_keys).exists(), "the copy's key file");

    // opened again: nothing more to upgrade, nothing said
    let o = sene(&store, &["--lang", "en", "member", "list"]);
    assert!(o.status.success());
    assert!(!String::from_utf8(o.stderr).unwrap().contains("upgraded"));

    // in English, on another copy
    let other = dir.path().join("autre.sqlite");
    std::fs::copy(fixture(), &other).unwrap();
    let mut other_keys = other.as_os_str().to_owned();
    other_keys.push(".keys");
    std::fs::copy(&from, &other_keys).unwrap();
    let o = sene(&other, &["--lang", "en", "member", "list"]);
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains(&format!(
            "Store upgraded for this version of Sene (schema 21 → {latest})"
        )),
        "{err}"
    );
}
