//! End to end in the real window: the union office's backup to a USB drive. The built
//! `sene-desktop` under Xvfb, through tauri-driver and WebKitWebDriver, on the demo union (its
//! device is the secretariat's) with an encrypted store: the dashboard warns that the store was
//! never backed up and leads to the Appareil screen; a folder under a file is refused there,
//! next to the form; a folder typed by hand (no USB drive exists under CI) gets a backup that
//! the window confirms, that verifies with its copied key file and the account's passphrase,
//! and whose date the screen then shows; the dashboard's warning is gone. Once more in English.
//! Screenshots in `target/e2e-screenshots-backup/` (or `SENE_E2E_BACKUP_SHOTS`).

#[allow(dead_code)]
use crate::webdriver;

use std::path::{Path, PathBuf};

use webdriver::{Driver, Window};

const PASS: &str = "riz de Macina 9";

fn shots_dir() -> PathBuf {
    std::env::var_os("SENE_E2E_BACKUP_SHOTS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-screenshots-backup"),
        PathBuf::from,
    )
}

/// The backups (files with a manifest) in `dir`.
fn backups_in(dir: &Path) -> Vec<PathBuf> {
    sene_store::backup::list(dir)
        .expect("list the folder")
        .into_iter()
        .map(|(f, _)| f)
        .collect()
}

#[test]
fn the_secretary_backs_the_office_up_to_a_usb_drive() {
    let app = PathBuf::from(env!("CARGO_BIN_EXE_sene-desktop"));
    let shots = shots_dir();
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).expect("screenshots folder");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().join("sene.sqlite");
    let usb = tempfile::tempdir().expect("the 'USB drive'");
    let driver = Driver::start(
        &[("SENE_STORE", store.as_path())],
        &[("SENE_CLOCK", "2027-01-15T09:00:00Z")],
    );
    let mut w = Window::open(&driver, &app, &shots, 1);
    w.first_start("Bureau", PASS);
    w.click_on("#demo-load");
    w.wait("#nav-dashboard");

    // ---- the dashboard warns: never backed up ----
    w.click_on("#nav-dashboard");
    w.wait("#dash-total");
    let warning = w.text(&w.wait("#dash-backup-warning"));
    assert!(warning.contains("jamais été sauvegardée"), "{warning}");
    w.shot("tableau-de-bord-jamais-sauvegarde");
    w.click_on("#dash-backup-go");
    w.wait("#backup-title");
    let last = w.text(&w.wait("#backup-last"));
    assert_eq!(last.trim(), "jamais");
    w.wait("#backup-overdue");
    // the office has no standby machine yet: its own records are only on this disk
    let standby = w.text(&w.wait("#standby-warning"));
    assert!(standby.contains("Aucune machine de secours"), "{standby}");
    assert!(standby.contains("sene standby"), "{standby}");
    let status = w.invoke("backup_status", None);
    assert_eq!(status["standby"]["overdue"], true, "{status}");
    assert!(status["standby"]["device"].is_null(), "{status}");
    // no USB drive here: the window says so and offers a folder typed by hand
    let status = w.invoke("backup_status", None);
    assert_eq!(status["overdue"], true);
    if status["drives"].as_array().is_some_and(Vec::is_empty) {
        w.wait("#backup-no-drive");
    }
    w.shot("appareil-sauvegarde");

    // ---- a folder that cannot be made (under a regular file): said next to the form ----
    let note = usb.path().join("note.txt");
    std::fs::write(&note, "pas un dossier").expect("a file");
    let bad = note.join("sauvegardes");
    assert_eq!(
        w.script(
            "return document.querySelector('#backup-now').closest('form').dataset.backupStage",
            &[]
        ),
        serde_json::json!(""),
        "no backup yet, no step"
    );
    w.type_into("#backup-dir", &bad.display().to_string());
    w.click_on("#backup-now");
    let err = w.text(&w.wait("#backup-dir-err"));
    assert!(err.contains("impossible de le créer"), "{err}");
    assert!(err.contains(&bad.display().to_string()), "{err}");
    assert!(w.find("#backup-done").is_none());
    let invalid = w.script(
        "return document.querySelector('#backup-dir').getAttribute('aria-invalid')",
        &[],
    );
    assert_eq!(invalid, serde_json::json!("true"));
    w.shot("sauvegarde-dossier-impossible");
    assert!(
        w.invoke("backup_status", None)["last_backup_at"].is_null(),
        "nothing recorded for a refused folder"
    );

    // ---- a folder typed by hand on the drive: the backup, checked ----
    let target = usb.path().join("CLE USB").join("Sauvegardes Sene");
    w.type_into("#backup-dir", &target.display().to_string());
    w.click_on("#backup-now");
    let done = w.text(&w.wait("#backup-done"));
    assert!(w.find("#backup-dir-err").is_none(), "the old error is gone");
    // the steps reached the window as `backup-progress` events, the last one "done"
    w.wait("form[data-backup-stage='done']");
    let files = backups_in(&target);
    assert_eq!(files.len(), 1, "one backup in {}", target.display());
    let file = &files[0];
    let name = file.file_name().expect("a name").to_string_lossy();
    assert!(done.contains("Sauvegarde vérifiée"), "{done}");
    assert!(done.contains(name.as_ref()), "{done} names {name}");
    let size = std::fs::metadata(file).expect("the copy").len();
    assert!(
        size > 100_000,
        "the demo union weighs more than {size} bytes"
    );
    assert!(
        done.contains(" Mo)") || done.contains(" Ko)"),
        "the size is shown: {done}"
    );
    assert!(sene_store::backup::manifest_path(file).is_file());
    // the copy opens with its own key file and the account's passphrase, and verifies
    let vault = sene_store::Vault::load(file).expect("the copied key file");
    let key = vault
        .unlock(&vault.slots()[0].id, PASS)
        .expect("the passphrase opens the copy's key file");
    let manifest = sene_store::backup::verify(file, Some(&key)).expect("the backup verifies");
    assert!(manifest.encrypted);
    assert_eq!(manifest.made_at, "2027-01-15T09:00:00Z");
    assert!(done.contains(&manifest.sha256[..16]), "{done}");
    // the date of the last backup, today's by the app's clock
    w.wait_text("#backup-last", "15/01/2027 09:00");
    assert!(w.find("#backup-overdue").is_none());
    w.shot("sauvegarde-verifiee");

    // ---- the dashboard's warning is gone (Rust says the backup is fresh) ----
    w.click_on("#nav-dashboard");
    w.wait("[data-backup='ok']");
    assert!(w.find("#dash-backup-warning").is_none());
    w.wait("#dash-total");
    w.shot("tableau-de-bord-sauvegarde-faite");

    // ---- in English: the screen, a refused folder, a second backup ----
    w.click_on("#lang-en");
    w.wait_text("#nav-device", "This device");
    w.click_on("#nav-device");
    w.wait_text("#backup-title", "Backup");
    w.wait_text(
        "#standby-warning",
        "No standby machine keeps a copy of the office",
    );
    w.type_into("#backup-dir", &bad.display().to_string());
    w.click_on("#backup-now");
    let err = w.text(&w.wait("#backup-dir-err"));
    assert!(err.contains("cannot be created"), "{err}");
    w.shot("backup-folder-refused-en");
    let again = usb.path().join("KEY2");
    w.type_into("#backup-dir", &again.display().to_string());
    w.click_on("#backup-now");
    let done = w.text(&w.wait("#backup-done"));
    assert!(done.contains("Backup checked"), "{done}");
    assert_eq!(backups_in(&again).len(), 1);
    w.wait_text("#backup-last", "15/01/2027 09:00");
    w.shot("backup-checked-en");
    w.click_on("#lang-fr");
    w.wait_text("#nav-device", "Appareil");
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
            "01-tableau-de-bord-jamais-sauvegarde.png",
            "02-appareil-sauvegarde.png",
            "03-sauvegarde-dossier-impossible.png",
            "04-sauvegarde-verifiee.png",
            "05-tableau-de-bord-sauvegarde-faite.png",
            "06-backup-folder-refused-en.png",
            "07-backup-checked-en.png",
        ],
        "screenshots in {}",
        shots.display()
    );
}
