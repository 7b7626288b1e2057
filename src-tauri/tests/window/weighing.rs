//! The weighing station in the real window (issue #21, item 2), against the scale emulator on a
//! pseudo-terminal (`sene_scale::emulator`, A&D continuous frames): the scale set in Appareil
//! (« Enregistrer et tester la balance » shows the emulated weight, stable); the delivery screen
//! shows the live weight, refuses to capture while the load moves, captures a stable weight and
//! a second part, a capture added then removed; the delivery recorded and its receipt listing
//! both captures. The scale unplugged (the emulator stopped): the screen says so, and a weight
//! typed by hand is refused without a reason, then recorded with one (« pesée manuelle »). The
//! same in English. Measured: from the stable-weight rule met (Rust's reader, `stable_since_ms`)
//! to the figure drawn (`data-shown-at`, the page's clock), a few samples printed for
//! BENCHMARKS.md (no time is asserted).
//!
//! Screenshots in `target/e2e-screenshots-weighing/` (or `SENE_E2E_WEIGHING_SHOTS`).
#![cfg(unix)]

#[allow(dead_code)]
use crate::webdriver;

use std::path::PathBuf;
use std::str::FromStr;
use std::time::{Duration, Instant};

use sene_scale::emulator::{Emulator, ScaleState, SerialPort};
use sene_scale::{Decimal, ProtocolKind};
use serde_json::{json, Value};
use webdriver::{Driver, Window};

const PASS: &str = "mil et sorgho 24";

fn shots_dir() -> PathBuf {
    std::env::var_os("SENE_E2E_WEIGHING_SHOTS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-screenshots-weighing"),
        PathBuf::from,
    )
}

fn kg(s: &str) -> Decimal {
    Decimal::from_str(s).expect("kg")
}

/// An A&D indicator on a pseudo-terminal, a steady load, a frame every 100 ms.
fn scale(weight: &str) -> (Emulator, SerialPort, String) {
    let (emu, host) = Emulator::start(
        ProtocolKind::And,
        ScaleState {
            weight: kg(weight),
            period: Duration::from_millis(100),
            ..ScaleState::default()
        },
    )
    .expect("a pseudo-terminal");
    let path = emu.path().expect("the pty's name").display().to_string();
    (emu, host, path)
}

/// A demo member and one of her contracts open to delivery.
fn delivering(w: &Window) -> (Value, Value) {
    let members = w.invoke(
        "search_members",
        Some(json!({ "query": "", "cooperative_id": null })),
    );
    for m in members.as_array().expect("members") {
        let card = w.invoke("member_card", Some(json!({ "member_id": m["id"] })));
        for c in card["contracts"].as_array().expect("contracts") {
            if c["may_deliver"] == true {
                return (m.clone(), c.clone());
            }
        }
    }
    panic!("the demo has a contract open to delivery");
}

/// Appareil: the scale on `port`, A&D, held 500 ms; the test's live reading shows `shown`.
fn set_scale(w: &mut Window, port: &str, shown: &str, shot: &str) {
    w.click_on("#nav-device");
    w.wait("#scale");
    w.type_into("#scale-port", port);
    w.select("#scale-protocol", "and");
    w.select("#scale-baud", "9600");
    w.type_into("#scale-format", "8N1");
    w.type_into("#scale-stable-ms", "500");
    w.click_on("#scale-test");
    w.wait("#scale-test-live[data-stable='true']");
    w.wait_text("#scale-test-live-kg", shown);
    w.script(
        "document.getElementById('scale').scrollIntoView(); return true",
        &[],
    );
    w.shot(shot);
}

/// The member's card, then « Livrer » on the contract; warehouse, bags, moisture, impurities.
fn open_delivery(w: &Window, member: &Value, contract: &Value) {
    let number = member["number"].as_str().expect("number");
    w.click_on("#nav-members");
    w.type_into("#member-search", number);
    let hit = w.wait_text(".member-result", number);
    w.click(&hit);
    w.wait_text("#member-card", number);
    let id = contract["id"].as_str().expect("id");
    w.click_on(&format!(
        ".contract-row[data-contract-id='{id}'] .contract-deliver"
    ));
    let wh = w
        .options("#dlv-warehouse")
        .into_iter()
        .find(|v| !v.is_empty())
        .expect("a warehouse");
    w.select("#dlv-warehouse", &wh);
    w.type_into("#dlv-bags", "2");
    w.type_into("#dlv-moisture", "12");
    w.type_into("#dlv-impurity", "1");
}

/// Waits until the delivery screen shows `weight` held stable; returns the milliseconds from
/// the stable-weight rule met (Rust) to the figure drawn (page).
fn stable_shown(w: &Window, weight: &str) -> i64 {
    let css = format!("#dlv-scale[data-stable='true'][data-kg='{weight}']:not([data-shown-at=''])");
    w.wait(&css);
    let v = w.script(
        "const e = document.querySelector(arguments[0]); return [e.dataset.stableSince, e.dataset.shownAt]",
        &[json!(css)],
    );
    let n = |i: usize| -> i64 { v[i].as_str().and_then(|s| s.parse().ok()).expect("ms") };
    n(1) - n(0)
}

/// The ids of the member's delivery receipts.
fn delivery_receipts(w: &Window, member: &Value) -> Vec<String> {
    let card = w.invoke("member_card", Some(json!({ "member_id": member["id"] })));
    card["receipts"]
        .as_array()
        .expect("receipts")
        .iter()
        .filter(|r| r["kind"] == "delivery")
        .filter_map(|r| r["id"].as_str().map(str::to_owned))
        .collect()
}

fn capture(w: &Window, n: usize) {
    click_until(w, "#dlv-capture", &format!("capture {n} listed"), |w| {
        w.find_all("#dlv-captures li.capture").len() >= n
    });
}

/// Clicks `button` until `done` holds: once, and again only when the first click had no
/// effect at all after 10 s. Under load (CI beside benches) a WebDriver click on « Capturer »
/// was lost 2 times in 4 (no capture, no error, nothing pending: the screen as before the
/// click). A click the window did take is never repeated before 10 s, far beyond the
/// scale's ~200 ms; a window that does not answer fails as before, after the second click.
fn click_until(w: &Window, button: &str, what: &str, done: impl Fn(&Window) -> bool) {
    for attempt in 1..=2 {
        w.click_on(button);
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if done(w) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        eprintln!("{button}: click {attempt} had no effect after 10 s ({what})");
    }
    let start = Instant::now();
    while !done(w) {
        assert!(
            start.elapsed() < webdriver::PATIENCE,
            "{what}: not after two clicks on {button}: {}",
            w.body_text()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The text of `css` (waited for), no-break spaces made plain.
fn text_of(w: &Window, css: &str) -> String {
    w.text(&w.wait(css)).replace('\u{a0}', " ")
}

fn confirm(w: &Window) {
    w.wait("#confirm-dialog");
    w.click_on("#confirm-yes");
    w.wait_gone("#confirm-dialog");
}

#[test]
fn the_delivery_screen_reads_the_scale_and_keeps_how_each_weight_was_obtained() {
    let app = PathBuf::from(env!("CARGO_BIN_EXE_sene-desktop"));
    let shots = shots_dir();
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).expect("screenshots folder");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().join("sene.sqlite");
    // 23 November 2026: rice deliveries are open in the demo union
    let driver = Driver::start(
        &[("SENE_STORE", store.as_path())],
        &[("SENE_CLOCK", "2026-11-23T09:00:00Z")],
    );
    let mut w = Window::open(&driver, &app, &shots, 1);
    w.resize_page(1366, 768);
    w.first_start("Awa", PASS);
    w.click_on("#demo-load");
    w.wait("#nav-members");
    let (member, contract) = delivering(&w);

    // ---- Appareil: the scale set and tested ----
    let (emu, host, port) = scale("50.25");
    // the port left empty first: Rust names the field
    w.click_on("#nav-device");
    w.wait("#scale");
    let before = w.invoke("scale_settings", None);
    assert_eq!(before["configured"], false);
    w.select("#scale-protocol", "and");
    w.click_on("#scale-test");
    w.wait("#scale-port[aria-invalid='true']");
    assert!(
        w.body_text().contains("aucun port série indiqué"),
        "{}",
        w.body_text()
    );
    set_scale(&mut w, &port, "50,25", "fr-appareil-balance-testee");
    let settings = w.invoke("scale_settings", None);
    assert_eq!(settings["port"], port.as_str());
    assert_eq!(settings["protocol"], "and");

    // ---- the delivery screen: live weight, unstable refused, two parts captured ----
    open_delivery(&w, &member, &contract);
    let mut samples = vec![stable_shown(&w, "50.25")];
    w.shot("fr-livraison-poids-stable");
    emu.set(|s| s.unstable = true);
    w.wait("#dlv-scale[data-stable='false']");
    w.wait_text("#dlv-scale-status", "mouvement");
    w.shot("fr-livraison-poids-en-mouvement");
    click_until(&w, "#dlv-capture", "unstable weight refused", |w| {
        w.find("#dlv-capture-error").is_some() || w.find("#dlv-captures").is_some()
    });
    let refused = text_of(&w, "#dlv-capture-error");
    assert!(
        refused.contains("instable refusée") || refused.contains("aucun poids"),
        "{refused}"
    );
    assert!(w.find("#dlv-captures").is_none(), "nothing captured");
    emu.set(|s| s.unstable = false);
    samples.push(stable_shown(&w, "50.25"));
    capture(&w, 1);
    // the second part
    emu.set(|s| s.weight = kg("49.30"));
    samples.push(stable_shown(&w, "49.3"));
    capture(&w, 2);
    // a third by mistake, removed before confirming
    capture(&w, 3);
    w.click_on("#dlv-captures li.capture:nth-child(3) .capture-remove");
    w.wait_gone("#dlv-captures li.capture:nth-child(3)");
    // the total is Rust's: 50.25 + 49.30 = 99.55, rounded once to 99.6
    w.wait_text("#dlv-captured-total", "99,6");
    w.shot("fr-livraison-deux-pesees");
    // more samples of « stable reading → figure on screen » (the captures stay two)
    for (weight, shown) in [("12.40", "12.4"), ("33.35", "33.35"), ("61.05", "61.05")] {
        emu.set(|s| s.weight = kg(weight));
        samples.push(stable_shown(&w, shown));
    }
    emu.set(|s| s.weight = kg("49.30"));
    let before = delivery_receipts(&w, &member);
    w.click_on("#dlv-submit");
    let dialog = text_of(&w, "#confirm-dialog");
    assert!(dialog.contains("99,6"), "{dialog}");
    assert!(
        dialog.contains("pesé sur la balance (2 pesée(s))"),
        "{dialog}"
    );
    confirm(&w);
    let receipt = text_of(&w, "#receipt");
    assert!(receipt.contains("Pesée 1 (balance)"), "{receipt}");
    assert!(receipt.contains("50,25"), "{receipt}");
    assert!(receipt.contains("Pesée 2 (balance)"), "{receipt}");
    assert!(receipt.contains("49,3"), "{receipt}");
    assert!(!receipt.contains("Pesée 3"), "{receipt}");
    w.shot("fr-recu-avec-pesees");
    // the record read back through the receipt command: the evidence as stored
    let new = delivery_receipts(&w, &member)
        .into_iter()
        .find(|id| !before.contains(id))
        .expect("the new delivery's receipt");
    let r = w.invoke("receipt", Some(json!({ "kind": "delivery", "id": new })));
    let lines: Vec<(String, String)> = r["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| {
            (
                l["label"].as_str().unwrap_or_default().to_owned(),
                l["value"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert!(
        lines
            .iter()
            .any(|(l, v)| l == "Pesée 1 (balance)" && v.starts_with("50,25\u{a0}kg · stable · ")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|(l, v)| l == "Poids brut" && v.contains("99,6")),
        "{lines:?}"
    );

    // ---- the scale unplugged: said; a typed weight needs a reason ----
    open_delivery(&w, &member, &contract);
    w.wait("#dlv-scale[data-stable='true']");
    drop(emu);
    drop(host);
    let gone = text_of(&w, "#dlv-scale-error");
    assert!(
        gone.contains("port série") && (gone.contains("fermé") || gone.contains("introuvable")),
        "{gone}"
    );
    w.shot("fr-balance-debranchee");
    click_until(&w, "#dlv-capture", "unplugged scale refused", |w| {
        w.find("#dlv-capture-error").is_some() || w.find("#dlv-captures").is_some()
    });
    w.wait("#dlv-capture-error");
    w.click_on("#dlv-by-hand");
    w.type_into("#dlv-gross", "80");
    w.click_on("#dlv-submit");
    confirm(&w);
    w.wait("#dlv-hand-reason[aria-invalid='true']");
    let body = w.body_text().replace('\u{a0}', " ");
    assert!(
        body.contains("motif de la saisie à la main : ce champ est obligatoire"),
        "{body}"
    );
    assert!(w.find("#receipt").is_none(), "nothing recorded");
    w.shot("fr-poids-a-la-main-sans-motif");
    w.select("#dlv-hand-reason", "scale_broken");
    w.type_into("#dlv-hand-note", "câble arraché");
    w.click_on("#dlv-submit");
    let dialog = text_of(&w, "#confirm-dialog");
    assert!(
        dialog.contains("pesée manuelle : Balance en panne"),
        "{dialog}"
    );
    confirm(&w);
    let receipt = text_of(&w, "#receipt");
    assert!(
        receipt.contains("pesée manuelle : balance en panne (câble arraché)"),
        "{receipt}"
    );
    w.shot("fr-recu-pesee-manuelle");

    // ---- in English ----
    w.click_on("#lang-en");
    let (emu, host, port) = scale("20.5");
    set_scale(&mut w, &port, "20,5", "en-device-scale-tested");
    open_delivery(&w, &member, &contract);
    samples.push(stable_shown(&w, "20.5"));
    w.wait_text("#dlv-scale-status", "stable");
    capture(&w, 1);
    w.wait_text("#dlv-captured-total", "20,5");
    w.shot("en-delivery-one-weighing");
    w.click_on("#dlv-submit");
    let dialog = text_of(&w, "#confirm-dialog");
    assert!(
        dialog.contains("weighed on the scale (1 weighing(s))"),
        "{dialog}"
    );
    confirm(&w);
    let receipt = text_of(&w, "#receipt");
    assert!(receipt.contains("Pesée 1 (balance)"), "{receipt}");
    open_delivery(&w, &member, &contract);
    w.wait("#dlv-scale[data-stable='true']");
    drop(emu);
    drop(host);
    let gone = text_of(&w, "#dlv-scale-error");
    assert!(
        gone.contains("serial port") && (gone.contains("closed") || gone.contains("not found")),
        "{gone}"
    );
    w.click_on("#dlv-by-hand");
    w.type_into("#dlv-gross", "75");
    w.click_on("#dlv-submit");
    confirm(&w);
    w.wait("#dlv-hand-reason[aria-invalid='true']");
    let body = w.body_text().replace('\u{a0}', " ");
    assert!(
        body.contains("reason for typing the weight: this field is required"),
        "{body}"
    );
    w.shot("en-typed-weight-without-reason");
    w.select("#dlv-hand-reason", "no_stable_weight");
    w.click_on("#dlv-submit");
    confirm(&w);
    let receipt = text_of(&w, "#receipt");
    assert!(
        receipt.contains("pesée manuelle : balance instable ou illisible"),
        "{receipt}"
    );
    w.shot("en-receipt-typed-weight");
    // leaving the station closes the port
    w.invoke("scale_close", None);

    eprintln!("weighing: stable reading → figure on screen, ms: {samples:?}");
    w.close();
}
