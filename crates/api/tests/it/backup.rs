//! The desktop's backup commands through `Session`: `backup_now` writes a copy that verifies
//! (with the key file of an encrypted store, opened by the account's passphrase), reports its
//! steps, and names the folder when it is wrong; `backup_status` says when the last backup was
//! and whether it is overdue by the ledger's clock.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use chrono::{DateTime, Duration, TimeZone, Utc};
use sene_api::*;
use sene_store::Vault;

use crate::common::{session, CHEAP, PASS};

fn noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

fn gate(dir: &Path, at: DateTime<Utc>) -> Gate {
    Gate::new(dir.join("sene.sqlite"))
        .with_kdf(CHEAP)
        .with_clock(at)
}

fn init(s: &mut Session) {
    s.init_union(&InitRequest {
        union_name: "Union de Niono".into(),
        region: "Ségou".into(),
        agent_name: "Awa Traoré".into(),
        device_label: "Bureau".into(),
        receipt_prefix: "UN".into(),
    })
    .unwrap();
}

fn backup(s: &mut Session, dir: &str) -> (Result<BackupView, ApiError>, Vec<String>) {
    let mut stages = Vec::new();
    let r = s.backup_now(&BackupRequest { dir: dir.into() }, &mut |p| {
        assert_eq!(p.total, 4);
        stages.push(p.stage.clone());
    });
    (r, stages)
}

#[test]
fn an_encrypted_store_is_backed_up_with_its_key_file_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let g = gate(dir.path(), noon());
    let (mut s, _recovery) = g
        .create(&CreateVaultRequest {
            label: "Awa".into(),
            passphrase: PASS.into(),
            confirm: PASS.into(),
            lang: None,
        })
        .unwrap();
    init(&mut s);

    let st = s.backup_status().unwrap();
    assert_eq!(st.last_backup_at, None);
    assert!(st.overdue, "never backed up: overdue");
    assert_eq!(
        st.default_dir.as_deref(),
        Some(
            dir.path()
                .join("sauvegardes")
                .display()
                .to_string()
                .as_str()
        )
    );

    let usb = tempfile::tempdir().unwrap();
    let target = usb.path().join("SENE");
    let (r, stages) = backup(&mut s, &format!("  {}  ", target.display()));
    let b = r.unwrap();
    assert_eq!(stages, ["started", "writing", "verifying", "done"]);
    let file = Path::new(&b.file);
    assert!(file.starts_with(&target), "{}", b.file);
    assert_eq!(b.dir, target.display().to_string());
    assert_eq!(file.file_name().unwrap().to_string_lossy(), b.file_name);
    assert!(Path::new(&b.manifest).is_file());
    assert!(b.encrypted);
    assert_eq!(b.made_at, "2026-11-23T09:00:00Z");
    assert_eq!(b.bytes, std::fs::metadata(file).unwrap().len().to_string());
    assert!(
        b.size_label.ends_with("Ko") || b.size_label.ends_with("Mo"),
        "{}",
        b.size_label
    );
    assert_eq!(b.sha256_prefix.len(), 16);

    // the copied key file opens the copy with the account's passphrase
    let vault = Vault::load(file).unwrap();
    let key = vault.unlock(&vault.slots()[0].id, PASS).unwrap();
    let m = sene_store::backup::verify(file, Some(&key)).unwrap();
    assert!(m.sha256.starts_with(&b.sha256_prefix));
    // and nothing opens it without the key
    assert!(sene_store::backup::verify(file, None).is_err());

    let st = s.backup_status().unwrap();
    assert_eq!(st.last_backup_at.as_deref(), Some("2026-11-23T09:00:00Z"));
    assert_eq!(st.last_backup_file.as_deref(), Some(b.file.as_str()));
    assert!(!st.overdue);
    drop(s);

    // a day later, by the ledger's clock: still fresh at 23 h 59, overdue at 24 h 01
    let account = Vault::load(&dir.path().join("sene.sqlite"))
        .unwrap()
        .slots()[0]
        .id
        .clone();
    for (after, overdue) in [
        (Duration::hours(24) - Duration::minutes(1), false),
        (Duration::hours(24) + Duration::minutes(1), true),
    ] {
        let s = gate(dir.path(), noon() + after)
            .sign_in(&SignInRequest {
                account: account.clone(),
                passphrase: PASS.into(),
                lang: None,
            })
            .unwrap();
        assert_eq!(s.backup_status().unwrap().overdue, overdue, "{after}");
    }
}

#[test]
fn a_plain_store_is_backed_up_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session(dir.path(), noon());
    init(&mut s);
    let usb = tempfile::tempdir().unwrap();
    let b = backup(&mut s, &usb.path().display().to_string()).0.unwrap();
    assert!(!b.encrypted);
    sene_store::backup::verify(Path::new(&b.file), None).unwrap();
    assert!(!s.backup_status().unwrap().overdue);
}

#[test]
fn a_wrong_folder_is_named_in_french_and_english_and_nothing_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session(dir.path(), noon());
    init(&mut s);

    let (e, stages) = backup(&mut s, "   ");
    let e = e.unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::InvalidValue, Some("dir"))
    );
    assert!(stages.is_empty(), "{stages:?}");
    let e = backup(&mut s, "sauvegardes").0.unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::InvalidValue, Some("dir"))
    );
    assert!(e.message.contains("chemin complet"), "{}", e.message);

    // a folder under a regular file cannot be made
    let file = dir.path().join("note.txt");
    std::fs::write(&file, "pas un dossier").unwrap();
    let under = file.join("sauvegardes");
    let (e, stages) = backup(&mut s, &under.display().to_string());
    let e = e.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::File, Some("dir")));
    assert!(
        e.message.contains(&under.display().to_string()),
        "{}",
        e.message
    );
    assert!(
        e.message.contains("impossible de le créer"),
        "{}",
        e.message
    );
    assert_eq!(stages, ["started"]);

    s.set_lang(&LangRequest { lang: "en".into() }).unwrap();
    let e = backup(&mut s, &under.display().to_string()).0.unwrap_err();
    assert!(e.message.contains("cannot be created"), "{}", e.message);
    let e = backup(&mut s, "").0.unwrap_err();
    assert!(e.message.contains("choose a USB drive"), "{}", e.message);

    let st = s.backup_status().unwrap();
    assert_eq!(st.last_backup_at, None);
    assert!(st.overdue);
}
