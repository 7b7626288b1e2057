//! End to end in the real window: the office's store put back from a backup at the door, before
//! anyone signs in (after a lost disk there is nothing to sign in to). The built `sene-desktop`
//! under Xvfb, through tauri-driver and WebKitWebDriver: the demo union on an encrypted store is
//! backed up to a "USB drive", then changed (the idle lock set to 5 minutes); the app starts
//! again on the sign-in, « Restaurer une sauvegarde »: a path with no file is said under its
//! field, a wrong passphrase under its own, the right one shows what the backup is (date, size)
//! and that the store in place is moved aside; « Restaurer » puts it back, says the new receipt
//! series, and the sign-in opens the restored store (the union, the backup's idle lock); the
//! old store is kept beside it. Once more in English (the store moved aside again, under
//! another name). Screenshots in `target/e2e-screenshots-restore/` (or
//! `SENE_E2E_RESTORE_SHOTS`).

#[allow(dead_code)]
use crate::webdriver;

use std::path::{Path, PathBuf};

use serde_json::json;
use webdriver::{Driver, Window};

const PASS: &str = "riz de Macina 9";
const CLOCK: &str = "2027-01-15T09:00:00Z";

fn shots_dir() -> PathBuf {
    std::env::var_os("SENE_E2E_RESTORE_SHOTS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-screenshots-restore"),
        PathBuf::from,
    )
}

/// `<store>.avant-restauration-<stamp>`.
fn aside(store: &Path, stamp: &str) -> PathBuf {
    let mut s = store.as_os_str().to_owned();
    s.push(format!(".avant-restauration-{stamp}"));
    PathBuf::from(s)
}

#[test]
fn the_secretary_restores_the_office_from_the_gate() {
    let app = PathBuf::from(env!("CARGO_BIN_EXE_sene-desktop"));
    let shots = shots_dir();
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).expect("screenshots folder");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().join("sene.sqlite");
    let usb = tempfile::tempdir().expect("the 'USB drive'");
    let target = usb.path().join("CLE").join("Sauvegardes");

    // ---- day 1: the demo union, encrypted, backed up; then the store changes ----
    let driver = Driver::start(&[("SENE_STORE", store.as_path())], &[("SENE_CLOCK", CLOCK)]);
    let w = Window::open(&driver, &app, &shots, 1);
    w.first_start("Bureau", PASS);
    w.click_on("#demo-load");
    w.wait("#nav-dashboard");
    let before = w.invoke("app_status", None);
    let union = before["union_name"].as_str().expect("a union").to_owned();
    assert_eq!(before["idle_lock_minutes"], 10);
    let made = w.invoke(
        "backup_now",
        Some(json!({ "dir": target.display().to_string() })),
    );
    let file = PathBuf::from(made["file"].as_str().expect("the backup's file"));
    assert!(made["encrypted"].as_bool().unwrap_or(false), "{made}");
    // written after the backup: the restore takes the store back to before it
    let after = w.invoke("set_idle_lock", Some(json!({ "minutes": 5 })));
    assert_eq!(after["idle_lock_minutes"], 5);
    w.close();
    drop(driver);
    assert!(store.is_file());

    // ---- the app starts again: the sign-in, and « Restaurer une sauvegarde » ----
    let driver = Driver::start(&[("SENE_STORE", store.as_path())], &[("SENE_CLOCK", CLOCK)]);
    let mut w = Window::open(&driver, &app, &shots, 1);
    w.wait("#gate #signin-submit");
    w.wait_text("#show-restore", "Restaurer une sauvegarde");
    w.click_on("#show-restore");
    w.wait_text("#gate-title", "Restaurer une sauvegarde");
    w.wait("#restore-file");
    w.shot("restauration-formulaire");

    // a path with no file: said under the field, nothing checked
    let missing = usb.path().join("CLE").join("sene-inexistante.sqlite");
    w.type_into("#restore-file", &missing.display().to_string());
    w.type_into("#restore-passphrase", PASS);
    w.click_on("#restore-check");
    let err = w.text(&w.wait("#restore-file-err"));
    assert!(err.contains("aucun fichier"), "{err}");
    assert!(w.find("#restore-checked").is_none());
    assert_eq!(
        w.script(
            "return document.querySelector('#restore-file').getAttribute('aria-invalid')",
            &[]
        ),
        json!("true")
    );
    w.shot("restauration-fichier-introuvable");

    // a file that is not a backup (no manifest beside it): the file's error too
    let note = usb.path().join("note.sqlite");
    std::fs::write(&note, "pas une sauvegarde").expect("a file");
    w.type_into("#restore-file", &note.display().to_string());
    w.click_on("#restore-check");
    w.wait_text("#restore-file-err", "n'est pas une sauvegarde Sene");

    // the backup, with a wrong passphrase: said under the passphrase
    w.type_into("#restore-file", &file.display().to_string());
    w.type_into("#restore-passphrase", "pas la bonne phrase");
    w.click_on("#restore-check");
    let err = w.text(&w.wait("#restore-passphrase-err"));
    assert!(err.contains("n'ouvre aucun compte"), "{err}");
    assert!(
        w.find("#restore-file-err").is_none(),
        "the file's error is gone"
    );
    assert!(w.find("#restore-checked").is_none());
    w.shot("restauration-mauvaise-phrase");

    // the right passphrase: what the backup is, and what happens to the store in place
    w.type_into("#restore-passphrase", PASS);
    w.click_on("#restore-check");
    w.wait("#restore-checked");
    w.wait_text("#restore-made-at", "15/01/2027 09:00");
    let size = w.text(&w.wait("#restore-size"));
    assert!(size.ends_with(" Mo") || size.ends_with(" Ko"), "{size}");
    let warning = w.text(&w.wait("#restore-aside"));
    assert!(warning.contains("ne sera pas effacée"), "{warning}");
    let first_aside = aside(&store, "20270115-090000");
    assert!(
        warning.contains(&first_aside.display().to_string()),
        "{warning}"
    );
    assert!(!first_aside.exists(), "a check changes nothing");
    w.shot("restauration-verifiee");

    // « Restaurer »: done, the new receipt series, then the sign-in
    w.click_on("#restore-confirm");
    let done = w.text(&w.wait("#restore-done"));
    assert!(
        done.contains("Sauvegarde du 15/01/2027 09:00 restaurée"),
        "{done}"
    );
    assert!(done.contains("-1-000001"), "the new series: {done}");
    assert!(done.contains("ordinateurs portables"), "{done}");
    w.wait("#gate #signin-submit");
    assert!(first_aside.is_file(), "the old store is kept beside");
    assert!(
        sene_store::Vault::key_path(&first_aside).is_file(),
        "with its key file"
    );
    w.shot("restauration-faite");

    // the restored store opens with the backup's passphrase: the union, the backup's settings
    w.sign_in(PASS);
    w.wait("#nav-dashboard");
    // the header's name (cut with an ellipsis on screen: read its content)
    assert_eq!(
        w.script(
            "return document.querySelector('.topbar .union').textContent.trim()",
            &[]
        ),
        json!(union)
    );
    let status = w.invoke("app_status", None);
    assert_eq!(status["union_name"], json!(union));
    assert_eq!(
        status["idle_lock_minutes"], 10,
        "the change made after the backup is not in the restored store"
    );
    w.click_on("#nav-dashboard");
    w.wait("#dash-total");
    w.shot("apres-restauration-tableau-de-bord");

    // ---- in English: lock, restore again (the restored store moved aside under another name)
    w.click_on("#lock-now");
    w.wait("#gate #signin-submit");
    w.click_on("#lang-en");
    w.wait_text("#show-restore", "Restore a backup");
    w.click_on("#show-restore");
    w.type_into("#restore-file", &file.display().to_string());
    w.type_into("#restore-passphrase", "wrong phrase here");
    w.click_on("#restore-check");
    w.wait_text(
        "#restore-passphrase-err",
        "opens none of the backup's accounts",
    );
    w.type_into("#restore-passphrase", PASS);
    w.click_on("#restore-check");
    w.wait_text("#restore-made-at", "15/01/2027 09:00");
    let second_aside = aside(&store, "20270115-090000-2");
    w.wait_text("#restore-aside", &second_aside.display().to_string());
    w.wait_text("#restore-aside", "will not be deleted");
    w.shot("restore-checked-en");
    w.click_on("#restore-confirm");
    let done = w.text(&w.wait("#restore-done"));
    assert!(
        done.contains("Backup of 15/01/2027 09:00 restored"),
        "{done}"
    );
    // the same backup restored a second time: the store moved aside was the first restore,
    // so the receipts go on in a series after its own
    assert!(done.contains("-2-000001"), "the series: {done}");
    w.wait("#gate #signin-submit");
    assert!(first_aside.is_file() && second_aside.is_file(), "both kept");
    w.shot("restore-done-en");
    w.sign_in(PASS);
    w.wait("#nav-dashboard");
    w.click_on("#lang-fr");
    w.close();
    drop(driver);

    let mut names: Vec<String> = std::fs::read_dir(&shots)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    assert_eq!(
        names,
        [
            "01-restauration-formulaire.png",
            "02-restauration-fichier-introuvable.png",
            "03-restauration-mauvaise-phrase.png",
            "04-restauration-verifiee.png",
            "05-restauration-faite.png",
            "06-apres-restauration-tableau-de-bord.png",
            "07-restore-checked-en.png",
            "08-restore-done-en.png",
        ],
        "screenshots in {}",
        shots.display()
    );
}
