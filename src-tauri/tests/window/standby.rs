//! End to end in the real window: the office's standby machine (issue #16, part 3). The built
//! `sene-desktop` under Xvfb, through tauri-driver and WebKitWebDriver, on the demo union with an
//! encrypted store: the office starts its hub from the window (which backs the store up at
//! once into `sauvegardes/` beside it), pairs the accountant's laptop for the secretariat; the
//! laptop enrolls over HTTP and fetches the office's newest backup as its standby copy
//! (`sene_hub::standby::pull`, what `sene standby` runs); the Appareil screen then says which
//! machine holds the office's copy, of when, and that it is current — no warning — in French
//! and in English. Screenshots in `target/e2e-screenshots-standby/` (or
//! `SENE_E2E_STANDBY_SHOTS`).

#[allow(dead_code)]
use crate::webdriver;

use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;
use webdriver::{Driver, Window};

const PASS: &str = "riz de Macina 9";
const LAPTOP: &str = "Portable du comptable";

fn shots_dir() -> PathBuf {
    std::env::var_os("SENE_E2E_STANDBY_SHOTS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-screenshots-standby"),
        PathBuf::from,
    )
}

#[test]
fn the_accountants_laptop_keeps_the_offices_standby_copy() {
    let app = PathBuf::from(env!("CARGO_BIN_EXE_sene-desktop"));
    let shots = shots_dir();
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).expect("screenshots folder");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().join("sene.sqlite");
    // the system's clock, not SENE_CLOCK: the hub the window starts dates the backups and the
    // standby's word by it, as the window reads them
    let driver = Driver::start(&[("SENE_STORE", store.as_path())], &[]);
    let mut w = Window::open(&driver, &app, &shots, 1);
    w.first_start("Bureau", PASS);
    w.click_on("#demo-load");
    w.wait("#nav-dashboard");

    // no standby yet: the Appareil screen warns
    w.click_on("#nav-device");
    let warning = w.text(&w.wait("#standby-warning"));
    assert!(warning.contains("Aucune machine de secours"), "{warning}");
    assert!(w.find("#standby-holds").is_none());

    // the office's hub, started from the window (it backs the store up at once), and the
    // accountant's laptop paired for an agent of the secretariat
    let hub = w.invoke("hub_start", Some(json!({ "listen": "127.0.0.1:0" })));
    let url = hub["urls"]
        .as_array()
        .and_then(|u| {
            u.iter()
                .filter_map(|u| u.as_str())
                .find(|u| u.starts_with("http://127.0.0.1:"))
        })
        .unwrap_or_else(|| panic!("the hub's loopback address: {hub}"))
        .to_owned();
    let agents = w.invoke("list_agents", None);
    let secretary = agents
        .as_array()
        .and_then(|a| a.iter().find(|a| a["role"] == "secretariat"))
        .and_then(|a| a["id"].as_str())
        .unwrap_or_else(|| panic!("an agent of the secretariat: {agents}"))
        .to_owned();
    let pairing = w.invoke(
        "pair_device",
        Some(json!({
            "agent_id": secretary,
            "device_label": LAPTOP,
            "receipt_prefix": "COMPTA",
        })),
    );
    let laptop_dir = tempfile::tempdir().expect("temp dir");
    let laptop_store = laptop_dir.path().join("comptable.sqlite");
    let mut laptop = sene_api::Session::new(
        sene_app::Ledger::open(&laptop_store).expect("store"),
        laptop_dir.path().join("receipts"),
    );
    laptop
        .enroll(
            &sene_api::EnrollRequest {
                hub_url: url,
                device_id: pairing["device_id"].as_str().expect("device").to_owned(),
                code: pairing["code"].as_str().expect("code").to_owned(),
            },
            &mut |_| {},
        )
        .expect("the accountant's laptop enrolls with the office the window runs");
    drop(laptop);

    // the laptop fetches the office's newest backup (the hub's first one may still be being
    // written: it answers "no backup" until then)
    let ledger = sene_app::Ledger::open(&laptop_store).expect("the laptop's store");
    let copies = laptop_dir.path().join("copies-du-bureau");
    let mut pulled = None;
    for _ in 0..60 {
        match sene_hub::standby::pull(&ledger, &copies, &mut |_, _| {}) {
            Ok(p) => {
                pulled = Some(p);
                break;
            }
            Err(sene_hub::HubError::Remote(m)) if m.contains("aucune sauvegarde") => {
                std::thread::sleep(Duration::from_millis(500));
            }
            Err(e) => panic!("the standby pull: {e}"),
        }
    }
    let pulled = pulled.expect("the hub made a backup to give");
    assert!(pulled.file.is_file(), "{}", pulled.file.display());

    // the Appareil screen says which machine holds the copy, of when, and that it is current
    w.click_on("#nav-dashboard");
    w.wait("#dash-total");
    w.click_on("#nav-device");
    let holds = w.text(&w.wait("#standby-holds"));
    assert!(holds.contains(LAPTOP), "{holds}");
    assert!(
        holds.contains("garde la copie du bureau faite le"),
        "{holds}"
    );
    assert!(holds.contains("Elle est à jour."), "{holds}");
    assert!(
        w.find("#standby-warning").is_none(),
        "no warning once a copy is held"
    );
    w.wait("#standby[data-standby='ok']");
    let status = w.invoke("backup_status", None);
    assert_eq!(status["standby"]["device"], LAPTOP, "{status}");
    assert_eq!(status["standby"]["current"], true, "{status}");
    assert_eq!(status["standby"]["overdue"], false, "{status}");
    w.script(
        "document.getElementById('standby').scrollIntoView(); return true",
        &[],
    );
    w.shot("machine-de-secours-a-jour");

    // in English
    w.click_on("#lang-en");
    w.wait_text("#nav-device", "This device");
    w.click_on("#nav-dashboard");
    w.wait("#dash-total");
    w.click_on("#nav-device");
    w.wait_text("#standby-holds", "keeps the office copy made on");
    w.wait_text("#standby-holds", "It is up to date.");
    w.script(
        "document.getElementById('standby').scrollIntoView(); return true",
        &[],
    );
    w.shot("standby-current-en");
    w.click_on("#lang-fr");
    w.wait_text("#nav-device", "Appareil");
    w.close();
    drop(driver);
}
