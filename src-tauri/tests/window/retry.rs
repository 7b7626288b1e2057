//! A receipt that cannot be written, in the real window (issue #19, item 2): the advance is
//! saved and said so, the PDF's failure shown on its own on the receipt (never as a failed
//! save, which an agent would answer by paying again), one advance on the card; in French and
//! in English. The retry of a confirmed action with the window's record id is tested through
//! the API (`crates/api/tests/it/retry.rs`).
//!
//! Screenshots in `target/e2e-screenshots-retry/` (or `SENE_E2E_RETRY_SHOTS`).

#[allow(dead_code)]
use crate::webdriver;

use std::path::PathBuf;

use serde_json::{json, Value};
use webdriver::{Driver, Window};

const PASS: &str = "mil et sorgho 24";

fn shots_dir() -> PathBuf {
    std::env::var_os("SENE_E2E_RETRY_SHOTS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-screenshots-retry"),
        PathBuf::from,
    )
}

/// A demo member with a contract that takes an advance: (member, contract id).
fn member_to_advance(w: &Window) -> (Value, String) {
    let members = w.invoke(
        "search_members",
        Some(json!({ "query": "", "cooperative_id": null })),
    );
    for m in members.as_array().expect("members") {
        let card = w.invoke("member_card", Some(json!({ "member_id": m["id"] })));
        if card["may_contract"] == false {
            continue;
        }
        for c in card["contracts"].as_array().expect("contracts") {
            let due: i64 = c["advance_due"]
                .as_str()
                .unwrap_or("0")
                .parse()
                .unwrap_or(0);
            let paid: i64 = c["disbursed"].as_str().unwrap_or("0").parse().unwrap_or(0);
            if (c["state"] == "approved" || c["state"] == "disbursed") && due - paid >= 2000 {
                return (m.clone(), c["id"].as_str().expect("id").to_owned());
            }
        }
    }
    panic!("the demo has a contract that takes an advance");
}

fn advances(w: &Window, member: &Value) -> usize {
    let card = w.invoke("member_card", Some(json!({ "member_id": member["id"] })));
    card["disbursements"]
        .as_array()
        .expect("disbursements")
        .len()
}

fn pay(w: &mut Window, member: &Value, contract: &str, shot: &str) {
    let number = member["number"].as_str().expect("number");
    w.click_on("#nav-members");
    w.type_into("#member-search", number);
    let hit = w.wait_text(".member-result", number);
    w.click(&hit);
    w.wait_text("#member-card", number);
    w.click_on(&format!(
        ".contract-row[data-contract-id='{contract}'] .contract-disburse"
    ));
    w.type_into("#disb-amount", "1000");
    w.click_on("#disb-submit");
    w.wait("#confirm-dialog");
    w.click_on("#confirm-yes");
    w.wait("#receipt");
    w.shot(shot);
}

#[test]
fn a_receipt_that_cannot_be_written_is_said_on_its_own() {
    let app = PathBuf::from(env!("CARGO_BIN_EXE_sene-desktop"));
    let shots = shots_dir();
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).expect("screenshots folder");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().join("sene.sqlite");
    // the receipts' folder beside the store is taken by a file: no PDF can be written there
    std::fs::write(dir.path().join("receipts"), b"not a folder").expect("blocking file");
    let driver = Driver::start(
        &[("SENE_STORE", store.as_path())],
        &[("SENE_CLOCK", "2026-07-15T09:00:00Z")],
    );
    let mut w = Window::open(&driver, &app, &shots, 1);
    w.first_start("Awa", PASS);
    w.click_on("#demo-load");
    w.wait("#nav-members");

    let (member, contract) = member_to_advance(&w);
    let before = advances(&w, &member);
    pay(&mut w, &member, &contract, "fr-recu-sans-pdf");
    let warning = w.text(&w.wait("#receipt-pdf-error"));
    assert!(warning.contains("L'enregistrement est fait"), "{warning}");
    assert!(
        warning.contains("Ne l'enregistrez pas une seconde fois"),
        "{warning}"
    );
    assert!(w.find("#receipt-pdf").is_none(), "no PDF path claimed");
    assert!(!w.text(&w.wait("#receipt-number")).trim().is_empty());
    assert_eq!(advances(&w, &member), before + 1, "one advance saved");

    // in English
    w.click_on("#lang-en");
    pay(&mut w, &member, &contract, "en-receipt-without-pdf");
    let warning = w.text(&w.wait("#receipt-pdf-error"));
    assert!(warning.contains("The record is saved"), "{warning}");
    assert!(warning.contains("Do not record it again"), "{warning}");
    assert_eq!(advances(&w, &member), before + 2);
}
