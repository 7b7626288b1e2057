//! End to end in the real window: the doors into Sene that the demo-loading tests never take.
//!
//! - A new union created from the first-run screen (an empty union name refused at the field),
//!   then every passphrase forgotten: a wrong recovery key is refused, the right one lets the
//!   office back in with a new account and passphrase.
//! - A field laptop joining its union from the first-run screen: the office (a session of
//!   `sene-api` on the demo union, its hub started on loopback) pairs it; a wrong code is
//!   refused at the form (scrolled into view); the right one enrolls it over HTTP and brings it
//!   the union; a member registered on it reaches the office with « Synchroniser ».
//! - A store made before encryption (plain SQLite, as older versions wrote): the gate offers to
//!   encrypt it; afterwards its file no longer reads as SQLite, and the members are still there.
//!
//! Screenshots in `target/e2e-screenshots-first-run/` (or `SENE_E2E_FIRST_RUN_SHOTS`).

#[allow(dead_code)]
use crate::webdriver;

use std::path::{Path, PathBuf};

use webdriver::{Driver, Window};

const PASS: &str = "karité de Koutiala 3";
const NEW_PASS: &str = "échalote de Niono 8";

fn shots_dir() -> PathBuf {
    std::env::var_os("SENE_E2E_FIRST_RUN_SHOTS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-screenshots-first-run"),
        PathBuf::from,
    )
}

fn app() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_sene-desktop"))
}

fn is_plain_sqlite(store: &Path) -> bool {
    let bytes = std::fs::read(store).expect("the store's file");
    bytes.starts_with(b"SQLite format 3\0")
}

#[test]
fn a_union_created_from_nothing_and_a_forgotten_passphrase() {
    let shots = shots_dir().join("nouvelle-union");
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).expect("screenshots folder");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().join("sene.sqlite");
    let driver = Driver::start(
        &[("SENE_STORE", store.as_path())],
        &[("SENE_CLOCK", "2027-01-15T09:00:00Z")],
    );
    let mut w = Window::open(&driver, &app(), &shots, 1);
    let recovery = w.first_start("Bureau", PASS);
    assert!(!recovery.is_empty());

    // ---- the union, created by hand: an empty name is refused at its field ----
    w.wait("#init-submit");
    w.type_into("#init-region", "Sikasso");
    w.type_into("#init-agent", "Fatoumata Coulibaly");
    w.type_into("#init-device", "Ordinateur du bureau");
    w.type_into("#init-prefix", "KTL");
    w.click_on("#init-submit");
    let err = w.text(&w.wait("#init-union-err"));
    assert!(!err.trim().is_empty(), "an empty union name is refused");
    assert!(w.find("#nav-members").is_none(), "nothing created yet");
    w.shot("union-sans-nom");
    w.type_into("#init-union", "Union des producteurs de Koutiala");
    w.click_on("#init-submit");
    w.wait("#nav-members");
    let header = w.body_text();
    assert!(
        header.contains("Union des producteurs de Koutiala"),
        "the header names the new union"
    );
    assert!(
        header.contains("Fatoumata Coulibaly"),
        "and its first agent"
    );
    w.shot("union-creee");

    // ---- every passphrase forgotten: the recovery key lets the office back in ----
    w.click_on("#lock-now");
    w.wait("#signin-passphrase");
    w.click_on("#show-recover");
    w.wait("#recover-key");
    w.type_into("#recover-key", "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF");
    w.type_into("#recover-label", "Fatoumata");
    w.type_into("#recover-passphrase", NEW_PASS);
    w.type_into("#recover-confirm", NEW_PASS);
    w.click_on("#recover-submit");
    // a key of the wrong shape is refused at its field, before anything is tried
    let err = w.text(&w.wait("#recover-key-err"));
    assert!(err.contains("56"), "{err}");
    w.shot("cle-de-secours-mal-formee");
    // a key of the right shape that is not this store's: Rust refuses it, nothing opens
    let wrong = vec!["AB12"; 14].join("-");
    w.type_into("#recover-key", &wrong);
    w.click_on("#recover-submit");
    let refused = w.text(&w.wait("#gate .error[role='alert']"));
    assert!(!refused.trim().is_empty());
    assert!(w.find("#gate").is_some(), "a wrong key opens nothing");
    w.shot("cle-de-secours-fausse");
    w.type_into("#recover-key", &recovery);
    w.click_on("#recover-submit");
    // a new recovery key may be shown once more: it is noted, then the store opens
    let start = std::time::Instant::now();
    loop {
        if w.find("#recovery-noted").is_some() {
            w.click_on("#recovery-noted");
            w.click_on("#recovery-continue");
        }
        if w.find("#gate").is_none() {
            break;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(30),
            "the recovery key opens the store"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    w.wait("#nav-members");
    w.shot("retour-par-la-cle-de-secours");
    // the new passphrase signs in
    w.click_on("#lock-now");
    w.wait("#signin-passphrase");
    let accounts = w.options("#signin-account");
    let fatoumata = accounts
        .iter()
        .find(|a| !a.is_empty() && w.script(
            "return [...document.querySelectorAll('#signin-account option')].find(o => o.value === arguments[0]).textContent",
            &[serde_json::json!(a)],
        ).as_str().is_some_and(|t| t.contains("Fatoumata")))
        .unwrap_or_else(|| panic!("the new account is offered: {accounts:?}"))
        .clone();
    w.select("#signin-account", &fatoumata);
    w.type_into("#signin-passphrase", NEW_PASS);
    w.click_on("#signin-submit");
    w.wait_gone("#gate");
    w.wait("#nav-members");
    w.close();
    drop(driver);
}

#[test]
fn a_field_laptop_joins_its_union_from_the_first_run_screen() {
    let shots = shots_dir().join("enrolement");
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).expect("screenshots folder");
    // the union office: the demo union, its hub on loopback, a code for a field agent
    let office_dir = tempfile::tempdir().expect("temp dir");
    let office_store = office_dir.path().join("bureau.sqlite");
    let mut office = sene_api::Session::new(
        sene_app::Ledger::open(&office_store).expect("store"),
        office_dir.path().join("recus"),
    )
    .with_store_path(office_store.clone());
    office.load_demo(&mut |_| {}).expect("the demo union");
    let hub = office
        .hub_start(&sene_api::HubStartRequest {
            listen: "127.0.0.1:0".into(),
        })
        .expect("the office's hub");
    let url = hub
        .urls
        .iter()
        .find(|u| u.starts_with("http://127.0.0.1:"))
        .expect("a loopback address")
        .clone();
    let agent = office
        .agents()
        .expect("agents")
        .into_iter()
        .find(|a| a.role == "field_agent")
        .expect("a field agent");
    let pairing = office
        .pair_device(&sene_api::PairRequest {
            agent_id: agent.id.clone(),
            device_label: "Portable de terrain".into(),
            receipt_prefix: "TER".into(),
            federation: false,
        })
        .expect("a pairing code");

    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().join("sene.sqlite");
    let driver = Driver::start(&[("SENE_STORE", store.as_path())], &[]);
    let mut w = Window::open(&driver, &app(), &shots, 1);
    w.first_start("Terrain", PASS);
    w.wait("#enroll-submit");
    w.type_into("#enroll-hub", &url);
    w.type_into("#enroll-device", &pairing.device_id);
    w.type_into("#enroll-code", "ZZZZ-9999");
    w.click_on("#enroll-submit");
    let err = w.text(&w.wait("#enroll-error"));
    assert!(
        w.find("#nav-members").is_none(),
        "a wrong code joins nothing"
    );
    assert!(
        err.contains("code"),
        "the refusal says the code is wrong: {err}"
    );
    let in_view = || {
        w.script(
            "const r = document.getElementById('enroll-error').getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight + 1",
            &[],
        ) == serde_json::json!(true)
    };
    let start = std::time::Instant::now();
    while !in_view() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(3),
            "the refusal is scrolled into view: {}",
            w.script(
                "const r = document.getElementById('enroll-error').getBoundingClientRect(); return [r.top, r.bottom, window.innerHeight]",
                &[],
            )
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    w.shot("code-faux");
    w.type_into("#enroll-code", &pairing.code);
    w.click_on("#enroll-submit");
    w.wait("#nav-members");
    let text = w.body_text();
    assert!(
        text.contains(&agent.name),
        "the laptop works as the paired agent: {text}"
    );
    w.shot("portable-enrole");

    // a member registered on the laptop reaches the office with « Synchroniser »
    let coop = agent.cooperatives.first().expect("the agent's cooperative");
    let coop_id = w
        .invoke("list_cooperatives", None)
        .as_array()
        .and_then(|l| l.iter().find(|c| c["code"] == coop.as_str()))
        .and_then(|c| c["id"].as_str())
        .unwrap_or_else(|| panic!("the cooperative {coop} on the laptop"))
        .to_owned();
    let register = |w: &Window, number: &str, name: &str| {
        w.invoke(
            "register_member",
            Some(serde_json::json!({
                "cooperative_id": coop_id,
                "number": format!("{coop}-{number}"),
                "full_name": name,
                "sex": "f",
                "birth_year": 1990,
                "village": "Fana",
                "phone": null,
                "nina": null,
                "crops": ["dry_cereals"],
                "confirmed": true,
            })),
        )
    };
    register(&w, "9001", "Kadiatou Diallo");
    w.click_on("#nav-sync");
    w.click_on("#sync-now");
    let report = w.text(&w.wait("#sync-report"));
    assert!(
        report.contains("1 enregistrement(s) envoyés"),
        "the report says what went, once: {report}"
    );
    assert!(!report.contains("Envoyés :"), "said once: {report}");
    // the progress line ends on the sync's last step (sent, the office's answer received,
    // applied: three steps a round), waited for, as a step may come after the answer
    w.wait_text("#sync-progress-block", "Terminé — 24/24");
    w.shot("synchronisation");
    // how many members the office finds by that name
    let at_office = |name: &str| {
        office
            .search_members(&sene_api::SearchRequest {
                query: name.into(),
                cooperative_id: None,
            })
            .expect("search at the office")
            .len()
    };
    assert_eq!(
        at_office("Kadiatou"),
        1,
        "the member reached the office: {report}"
    );

    // the same in English, every step the progress line showed read back: a second member
    // registered, then « Sync now »
    w.click_on("#lang-en");
    w.wait_text("#nav-members", "Cooperatives & members");
    register(&w, "9002", "Aminata Coulibaly");
    // each text the progress line takes as the page draws it, from this sync's first step on
    // (the French sync's last step is still shown until it starts)
    w.script(
        "window.__steps = []; \
         new MutationObserver(() => { \
           const b = document.querySelector('#sync-progress-block span'); \
           const t = b && b.textContent; \
           if (!t || (window.__steps.length === 0 && !t.startsWith('Sending'))) return; \
           if (window.__steps[window.__steps.length - 1] !== t) window.__steps.push(t); \
         }).observe(document.body, { subtree: true, childList: true, characterData: true });",
        &[],
    );
    w.click_on("#sync-now");
    let report = w.text(&w.wait_text("#sync-report", "Synced: 1 record(s) sent"));
    w.wait_text("#sync-progress-block", "Done — 24/24");
    let steps: Vec<String> =
        serde_json::from_value(w.script("return window.__steps;", &[])).expect("the steps seen");
    for step in [
        "Sending",
        "The office's answer received, applying it (round 1) — 2/24",
        "record(s) received (round 1) — 3/24",
        "Done — 24/24",
    ] {
        assert!(
            steps.iter().any(|s| s.contains(step)),
            "the progress line showed « {step} »: {steps:?} ({report})"
        );
    }
    assert!(
        steps
            .iter()
            .all(|s| !s.contains("tour") && !s.contains("Terminé")),
        "no French left in the English steps: {steps:?}"
    );
    w.shot("synchronisation-en");
    // bad input, in English: a USB file that is not there is said in the import's own box,
    // in the person's language (not the system's « No such file or directory »)
    let missing = dir.path().join("no-such-stick.sene");
    w.type_into("#usb-import-path", &missing.display().to_string());
    w.click_on("#usb-import");
    let err = w.text(&w.wait_text("#usb-import-form .error", "not found"));
    assert!(
        err.contains("no-such-stick.sene")
            && err.contains("USB stick is plugged in")
            && !err.contains("os error"),
        "the missing file said in English in the import's box: {err}"
    );
    w.shot("fichier-absent-en");
    assert_eq!(
        at_office("Aminata Coulibaly"),
        1,
        "the second member reached the office: {report}"
    );
    w.close();
    drop(driver);
    drop(office);
}

#[test]
fn a_store_made_before_encryption_is_encrypted_at_the_gate() {
    let shots = shots_dir().join("chiffrement");
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).expect("screenshots folder");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().join("sene.sqlite");
    {
        let mut l = sene_app::Ledger::open(&store).expect("a plain store");
        l.init(&sene_app::InitUnion {
            union_name: "Union de Bla".into(),
            region: "Ségou".into(),
            agent_name: "Moussa Dembélé".into(),
            device_label: "Vieux portable".into(),
            receipt_prefix: "BLA".into(),
        })
        .expect("a union");
    }
    assert!(is_plain_sqlite(&store), "made before encryption");
    let driver = Driver::start(&[("SENE_STORE", store.as_path())], &[]);
    let mut w = Window::open(&driver, &app(), &shots, 1);
    w.wait("#vault-encrypt");
    w.shot("base-a-chiffrer");
    w.type_into("#vault-label", "Moussa");
    w.type_into("#vault-passphrase", PASS);
    w.type_into("#vault-confirm", PASS);
    w.click_on("#vault-encrypt");
    w.wait("#recovery-key");
    w.click_on("#recovery-noted");
    w.click_on("#recovery-continue");
    w.wait_gone("#gate");
    w.wait("#nav-members");
    assert!(
        w.body_text().contains("Union de Bla"),
        "the union is still there"
    );
    w.shot("base-chiffree");
    w.close();
    drop(driver);
    assert!(
        !is_plain_sqlite(&store),
        "the store's file no longer reads as SQLite"
    );
}
