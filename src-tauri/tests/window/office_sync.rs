//! End to end in the real window at 1366×768, the union office's own exchanges: on the demo
//! union (its store is the hub's), the secretary starts the office's server and pairs a field
//! laptop; the laptop (made through sene-api) enrolls, registers a member offline and writes
//! its USB file; the window imports it (progress to the last step, the member then found in
//! the office's member search), the laptops' table shows its last exchange; the office records
//! a member the laptop lacks, the table and the header say so, and the window writes the file
//! for that laptop, which the laptop imports. Bad input is said under the file's field: a
//! photo, a revoked laptop's file (revoked from the table). Again in English. No terminal
//! command anywhere. Screenshots in `target/e2e-screenshots-office-sync/` (or
//! `SENE_E2E_OFFICE_SYNC_SHOTS`).

#[allow(dead_code)]
use crate::webdriver;

use std::path::{Path, PathBuf};

use serde_json::json;

fn shots_dir() -> PathBuf {
    std::env::var_os("SENE_E2E_OFFICE_SYNC_SHOTS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-screenshots-office-sync"),
        PathBuf::from,
    )
}

/// A laptop paired in the window (the hub's form) for the first field agent offered with
/// `label` and `prefix`: its device id and code, as the window shows them.
fn pair_in_window(
    w: &webdriver::Window,
    agent: &str,
    label: &str,
    prefix: &str,
) -> (String, String) {
    w.select("#pair-agent", agent);
    w.type_into("#pair-label", label);
    w.type_into("#pair-prefix", prefix);
    w.click_on("#pair-submit");
    let code = w.text(&w.wait("#pair-code")).trim().to_owned();
    let device = w.text(&w.wait_text("#pair-device", "-")).trim().to_owned();
    (device, code)
}

/// The laptop `device`, an empty store enrolled through the office's hub at `url`.
fn laptop(dir: &Path, url: &str, (device, code): &(String, String)) -> sene_api::Session {
    let mut s = sene_api::Session::new(
        sene_app::Ledger::open(&dir.join("sene.sqlite")).expect("store"),
        dir.join("receipts"),
    );
    s.enroll(
        &sene_api::EnrollRequest {
            hub_url: url.to_owned(),
            device_id: device.clone(),
            code: code.clone(),
        },
        &mut |_| {},
    )
    .expect("the laptop enrolls with the office the window runs");
    s
}

fn member(coop: &sene_api::CooperativeView, n: u32, name: &str) -> sene_api::NewMemberRequest {
    sene_api::NewMemberRequest {
        cooperative_id: coop.id.clone(),
        number: format!("{}-{n}", coop.code),
        full_name: name.into(),
        sex: "F".into(),
        birth_year: Some(1992),
        village: "Kondogola".into(),
        phone: None,
        nina: None,
        crops: vec!["rice".into()],
        confirmed: true,
    }
}

fn found(s: &sene_api::Session, name: &str) -> bool {
    !s.search_members(&sene_api::SearchRequest {
        query: name.into(),
        cooperative_id: None,
    })
    .expect("search")
    .is_empty()
}

/// The laptops' table's row of `device`.
fn row(device: &str) -> String {
    format!("#hub-devices tr[data-device=\"{device}\"]")
}

/// Reloads the sync screen's figures and table (as the secretary does with « Actualiser »).
fn refresh(w: &webdriver::Window) {
    w.click_on("#hub-devices-refresh");
    std::thread::sleep(std::time::Duration::from_millis(300));
}

/// Asserts that the laptops' table shows all its columns at this window size.
fn not_clipped(w: &webdriver::Window) {
    let v = w.script(
        "const t = document.querySelector('#hub-devices'); const r = t.getBoundingClientRect();
         return [t.scrollWidth, t.parentElement.clientWidth, Math.round(r.right), window.innerWidth];",
        &[],
    );
    let n = |i: usize| v[i].as_i64().unwrap_or(i64::MAX);
    assert!(
        n(0) <= n(1) + 1,
        "the laptops' table is wider than its box: {v}"
    );
    assert!(n(2) <= n(3), "the laptops' table goes past the window: {v}");
}

#[test]
fn the_office_imports_a_laptops_usb_file_and_writes_one_for_it() {
    let shots = shots_dir();
    let dir = tempfile::tempdir().expect("temp dir");
    let stick = tempfile::tempdir().expect("the 'USB stick'");
    let (driver, mut w) = webdriver::demo_office(dir.path(), &shots, "bureau de Ségou 7");

    let size = w.script("return [window.innerWidth, window.innerHeight]", &[]);
    assert!(
        size[0].as_i64().unwrap_or(0) <= 1366,
        "a 1366×768 window: {size}"
    );

    // ---- the office's sync screen: no sync of its own, no terminal command ----
    w.click_on("#nav-sync");
    let note = w.text(&w.wait("#sync-office-note"));
    assert!(note.contains("bureau de l’union"), "{note}");
    assert!(
        w.find("#sync-now").is_none(),
        "the office has no hub to sync with"
    );
    let body = w.body_text();
    for cmd in ["sene enroll", "sene sync", "sene hub", "terminal"] {
        assert!(
            !body.contains(cmd),
            "no terminal command on the office's screen: {body}"
        );
    }
    let pill = w.text(&w.wait("#sync-pill"));
    // (the demo's open conflict comes first in the pill; never a count of changes waiting)
    assert!(
        !pill.contains("attente"),
        "the header counts nothing waiting at the office: {pill}"
    );

    // ---- the server started, two laptops paired in the window ----
    w.type_into("#hub-listen", "127.0.0.1:0");
    w.click_on("#hub-start");
    let urls = w.text(&w.wait("#hub-urls"));
    let url = urls
        .split_whitespace()
        .find(|u| u.starts_with("http://127.0.0.1:"))
        .expect("the hub's loopback address")
        .to_owned();
    let agents = w.invoke("list_agents", None);
    let field: Vec<&serde_json::Value> = agents
        .as_array()
        .expect("agents")
        .iter()
        .filter(|a| {
            a["role"] == "field_agent"
                && a["cooperatives"].as_array().is_some_and(|c| !c.is_empty())
        })
        .collect();
    let awa_agent = field[0]["id"].as_str().expect("an agent id");
    let lost_agent = field[1]["id"].as_str().expect("an agent id");
    let awa_pair = pair_in_window(&w, awa_agent, "Portable de terrain", "TERR");
    let lost_pair = pair_in_window(&w, lost_agent, "Portable perdu", "PERD");
    w.wait(&row(&awa_pair.0));
    let state = w.text(&w.wait(&format!("{} td:nth-child(3)", row(&awa_pair.0))));
    assert!(state.contains("pas encore rejoint"), "{state}");

    // the laptops enroll over HTTP; one records a member offline and writes its USB file
    let awa_dir = tempfile::tempdir().expect("temp dir");
    let lost_dir = tempfile::tempdir().expect("temp dir");
    let mut awa = laptop(awa_dir.path(), &url, &awa_pair);
    let mut lost = laptop(lost_dir.path(), &url, &lost_pair);
    let coop = awa
        .cooperatives()
        .expect("cooperatives")
        .into_iter()
        .find(|c| {
            field[0]["cooperatives"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x == c.code.as_str()))
        })
        .expect("the laptop's cooperative");
    awa.register_member(&member(&coop, 8201, "Mariam Dembélé"))
        .expect("a member registered offline");
    let file = stick.path().join("terrain.sene");
    awa.usb_export(
        &sene_api::UsbExportRequest {
            path: file.display().to_string(),
            device_id: String::new(),
        },
        &mut |_| {},
    )
    .expect("the laptop's file");

    // ---- the window imports the laptop's file ----
    refresh(&w);
    let last = w.text(&w.wait(&format!("{} .last-exchange", row(&awa_pair.0))));
    w.type_into("#usb-import-path", &file.display().to_string());
    w.click_on("#usb-import");
    let report = w.text(&w.wait_text("#usb-import-report", "Portable de terrain"));
    assert!(report.contains("1 enregistrement"), "{report}");
    // the last step may come after the answer: waited for, not read at once
    let progress = w.text(&w.wait_text("#import-progress-block", "4/4"));
    assert!(
        progress.contains("Terminé") && progress.contains("4/4"),
        "{progress}"
    );
    // its last exchange is the office's clock now, and it lacks nothing
    let r = row(&awa_pair.0);
    let now = w.text(&w.wait_text(&format!("{r} .last-exchange"), "15/01/2027 09:00"));
    assert_ne!(now, last, "the last exchange moved");
    assert!(w
        .text(&w.wait(&format!("{r} td:nth-child(3)")))
        .contains("Enrôlé"));
    // (what its enrollment's one-round sync carried is sent, confirmed at its next sync)
    assert!(w
        .text(&w.wait(&format!("{r} .lacks")))
        .starts_with("À jour"));
    not_clipped(&w);
    w.shot("import-du-portable");

    // the record is at the office: the member search finds her
    w.click_on("#nav-members");
    w.type_into("#member-search", "mariam dembele");
    let hit = w.wait_text(".member-result", "Mariam");
    w.click(&hit);
    w.wait_text("#member-card", "Mariam Dembélé");
    w.shot("membre-arrive-par-cle");

    // ---- the office records a member the laptop lacks; the window writes its file ----
    w.invoke(
        "register_member",
        Some(json!({
            "cooperative_id": coop.id, "number": format!("{}-8202", coop.code),
            "full_name": "Oumou Sangaré", "sex": "F", "birth_year": 1990, "village": "Kondogola",
            "phone": null, "nina": null, "crops": ["rice"], "confirmed": true
        })),
    );
    w.click_on("#nav-sync");
    let lacks = w.text(&w.wait_text(&format!("{r} .lacks"), "à recevoir"));
    assert!(lacks.starts_with('1') || lacks.starts_with('2'), "{lacks}");
    assert_eq!(w.text(&w.wait_text("#sync-behind", "1")).trim(), "1");
    // without a laptop named: said at that field
    let back = stick.path().join("pour-terrain.sene");
    w.type_into("#usb-export-path", &back.display().to_string());
    w.click_on("#usb-export");
    w.wait("#usb-export-device-err");
    w.click_on(&format!("{r} .prepare-file"));
    w.click_on("#usb-export");
    let done = w.text(&w.wait_text("#usb-export-report", "Portable de terrain"));
    assert!(done.contains("pour-terrain.sene"), "{done}");
    w.wait_text("#export-progress-block", "3/3");
    w.script(
        "document.getElementById('usb-export-form').scrollIntoView({block: 'end'}); return true",
        &[],
    );
    w.shot("fichier-pour-le-portable");
    assert!(!found(&awa, "Oumou Sangaré"));
    let got = awa
        .usb_import(
            &sene_api::PathRequest {
                path: back.display().to_string(),
            },
            &mut |_| {},
        )
        .expect("the laptop imports the office's file");
    assert!(got.received >= 1, "{got:?}");
    assert!(
        found(&awa, "Oumou Sangaré"),
        "the office's record reached the laptop"
    );

    // ---- bad input, said under the file's field ----
    let photo = stick.path().join("photo.jpg");
    std::fs::write(&photo, b"\xff\xd8\xff\xe0 JFIF, not a sync file").expect("a photo");
    w.type_into("#usb-import-path", &photo.display().to_string());
    w.click_on("#usb-import");
    let e = w.text(&w.wait_text("#usb-import-path-err", "Sene"));
    assert!(e.contains("n'est pas un fichier d'échange Sene"), "{e}");
    w.shot("fichier-pas-sene");
    // the lost laptop's file, written before it was revoked from the table
    lost.register_member(&member(
        &lost
            .cooperatives()
            .expect("cooperatives")
            .into_iter()
            .find(|c| {
                field[1]["cooperatives"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|x| x == c.code.as_str()))
            })
            .expect("its cooperative"),
        8203,
        "Kadiatou Traoré",
    ))
    .expect("a member on the lost laptop");
    let lost_file = stick.path().join("perdu.sene");
    lost.usb_export(
        &sene_api::UsbExportRequest {
            path: lost_file.display().to_string(),
            device_id: String::new(),
        },
        &mut |_| {},
    )
    .expect("the lost laptop's file");
    let lr = row(&lost_pair.0);
    w.click_on(&format!("{lr} .revoke-device"));
    let confirm = w.text(&w.wait("#confirm-dialog"));
    assert!(confirm.contains("Portable perdu"), "{confirm}");
    w.click_on("#confirm-yes");
    w.wait_gone("#confirm-dialog");
    w.wait(&format!(
        "#hub-devices tr[data-device=\"{}\"][data-state=\"revoked\"]",
        lost_pair.0
    ));
    w.type_into("#usb-import-path", &lost_file.display().to_string());
    w.click_on("#usb-import");
    let e = w.text(&w.wait_text("#usb-import-path-err", "révoqué"));
    assert!(e.contains("quarantaine"), "{e}");
    w.shot("fichier-appareil-revoque");

    // ---- in English ----
    w.click_on("#lang-en");
    w.wait_text("#sync-title", "Sync");
    let note = w.text(&w.wait("#sync-office-note"));
    assert!(note.contains("union office"), "{note}");
    w.type_into("#usb-import-path", &photo.display().to_string());
    w.click_on("#usb-import");
    let e = w.text(&w.wait_text("#usb-import-path-err", "not a Sene exchange file"));
    assert!(!e.contains("fichier"), "English in an English session: {e}");
    w.type_into("#usb-import-path", &lost_file.display().to_string());
    w.click_on("#usb-import");
    w.wait_text("#usb-import-path-err", "revoked");
    refresh(&w);
    w.wait_text(&format!("{lr} td:nth-child(3)"), "Revoked");
    not_clipped(&w);
    w.shot("en-office-sync");
    w.type_into("#usb-import-path", &file.display().to_string());
    w.click_on("#usb-import");
    w.wait_text("#usb-import-report", "imported: 0 record");
    w.wait_text("#usb-export-report", "File for");
    w.script(
        "document.getElementById('usb-import-form').scrollIntoView({block: 'end'}); return true",
        &[],
    );
    w.shot("en-import");
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
            "01-import-du-portable.png",
            "02-membre-arrive-par-cle.png",
            "03-fichier-pour-le-portable.png",
            "04-fichier-pas-sene.png",
            "05-fichier-appareil-revoque.png",
            "06-en-office-sync.png",
            "07-en-import.png",
        ],
        "screenshots in {}",
        shots.display()
    );
}
