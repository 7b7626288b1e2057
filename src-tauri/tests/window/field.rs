//! End to end in the real window (1366×768, the demo union, mid-January 2027): the field tasks
//! the agent's day in `e2e.rs` does not reach. A receipt reprinted from the member card; an
//! advance reversed with its reason (an empty reason refused at the field, the reversal
//! confirmed, its receipt naming what it cancels, the line marked reversed and nothing
//! deleted); a member's fertilizer need (a bag count of "0" refused at the field) and a
//! hand-out of bags with its receipt; the agent's cash position; the collection sheet of a
//! cooperative. The cash position once more in English.
//!
//! Screenshots in `target/e2e-screenshots-field/` (or `SENE_E2E_FIELD_SHOTS`).

#[allow(dead_code)]
use crate::webdriver;

use std::path::PathBuf;

use serde_json::{json, Value};
use webdriver::{Driver, Window};

const PASS: &str = "mil et sorgho 24";

fn shots_dir() -> PathBuf {
    std::env::var_os("SENE_E2E_FIELD_SHOTS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-screenshots-field"),
        PathBuf::from,
    )
}

fn open_member(w: &Window, number: &str) {
    w.click_on("#nav-members");
    w.type_into("#member-search", number);
    let hit = w.wait_text(".member-result", number);
    w.click(&hit);
    w.wait_text("#member-card", number);
}

/// A demo member with an advance not reversed: (member, the advance line).
fn member_with_an_advance(w: &Window) -> (Value, Value) {
    let members = w.invoke(
        "search_members",
        Some(json!({ "query": "", "cooperative_id": null })),
    );
    for m in members.as_array().expect("members") {
        let card = w.invoke("member_card", Some(json!({ "member_id": m["id"] })));
        if let Some(d) = card["disbursements"]
            .as_array()
            .and_then(|l| l.iter().find(|d| d["reversed"] == false))
        {
            return (m.clone(), d.clone());
        }
    }
    panic!("the demo has a member with an advance");
}

#[test]
fn the_field_tasks_in_the_real_window() {
    let app = PathBuf::from(env!("CARGO_BIN_EXE_sene-desktop"));
    let shots = shots_dir();
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).expect("screenshots folder");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().join("sene.sqlite");
    let driver = Driver::start(
        &[("SENE_STORE", store.as_path())],
        &[("SENE_CLOCK", "2027-01-15T09:00:00Z")],
    );
    let mut w = Window::open(&driver, &app, &shots, 1);
    w.first_start("Awa", PASS);
    w.click_on("#demo-load");
    w.wait("#nav-members");

    // ---- a receipt reprinted from the member card ----
    let (member, line) = member_with_an_advance(&w);
    let number = member["number"].as_str().expect("number").to_owned();
    let name = member["full_name"].as_str().expect("name").to_owned();
    let line_id = line["id"].as_str().expect("line").to_owned();
    let receipt = line["receipt"].as_str().expect("receipt").to_owned();
    open_member(&w, &number);
    let row = format!(".money-line[data-line-id='{line_id}']");
    w.click_on(&format!("{row} .receipt-reprint"));
    w.wait_text("#receipt-number", &receipt);
    let text = w.text(&w.wait("#receipt"));
    assert!(text.contains(&name), "the reprint names the member: {text}");
    w.shot("recu-reimprime");
    w.click_on("#receipt-back");

    // ---- the advance reversed, with its reason ----
    w.wait_text("#member-card", &number);
    w.click_on(&format!("{row} .line-reverse"));
    w.wait("#reverse-dialog");
    w.click_on("#reverse-submit");
    let err = w.text(&w.wait("#reverse-reason-err"));
    assert!(
        !err.trim().is_empty(),
        "an empty reason is refused at the field"
    );
    assert!(
        w.find("#confirm-dialog").is_none(),
        "nothing to confirm without a reason"
    );
    w.shot("annulation-sans-motif");
    w.type_into("#reverse-reason", "avance saisie deux fois");
    w.click_on("#reverse-submit");
    let confirm = w.text(&w.wait("#confirm-dialog"));
    assert!(confirm.contains(&receipt), "{confirm}");
    assert!(confirm.contains("avance saisie deux fois"), "{confirm}");
    w.click_on("#confirm-yes");
    let text = w.text(&w.wait("#receipt"));
    assert!(
        text.contains(&receipt),
        "the reversal's receipt names the receipt it cancels: {text}"
    );
    w.shot("recu-annulation");
    w.click_on("#receipt-back");
    w.wait_text("#member-card", &number);
    w.wait(&format!("{row}.reversed"));
    let card = w.invoke("member_card", Some(json!({ "member_id": member["id"] })));
    let kept = card["disbursements"]
        .as_array()
        .and_then(|l| l.iter().find(|d| d["id"] == line_id.as_str()))
        .unwrap_or_else(|| panic!("the reversed advance is kept: {card}"));
    assert_eq!(kept["reversed"], true);
    w.shot("avance-annulee");

    // ---- fertilizer: a need (0 bags refused at the field), then a hand-out ----
    w.click_on("#nav-fertilizer");
    w.type_into("#member-search", &number);
    let hit = w.wait_text(".member-result", &number);
    w.click(&hit);
    w.wait("#fert-campaign");
    let campaign = w
        .options("#fert-campaign")
        .into_iter()
        .find(|v| !v.is_empty())
        .expect("a campaign");
    w.select("#fert-campaign", &campaign);
    let product = w
        .options("#fert-product")
        .into_iter()
        .find(|v| !v.is_empty())
        .expect("a fertilizer product");
    w.select("#fert-product", &product);
    w.type_into("#need-bags", "0");
    w.click_on("#need-submit");
    let err = w.text(&w.wait("#need-bags-err"));
    assert!(!err.trim().is_empty(), "0 bags is refused at the field");
    w.shot("besoin-zero-refuse");
    let before = w.invoke("member_card", Some(json!({ "member_id": member["id"] })));
    let handed_before = before["distributions"].as_array().map_or(0, Vec::len);
    w.type_into("#need-bags", "4");
    w.click_on("#need-submit");
    let saved = w.text(&w.wait_text("#saved", "Besoin enregistré : 4 sacs"));
    assert!(saved.starts_with("✓"), "{saved}");
    assert!(w.find("#need-bags-err").is_none());
    w.type_into("#dist-bags", "2");
    w.type_into("#dist-cash", "0");
    w.click_on("#dist-submit");
    w.wait("#confirm-dialog");
    w.shot("confirmation-engrais");
    w.click_on("#confirm-yes");
    let text = w.text(&w.wait("#receipt"));
    assert!(text.contains(&name), "{text}");
    w.shot("recu-engrais");
    let after = w.invoke("member_card", Some(json!({ "member_id": member["id"] })));
    assert_eq!(
        after["distributions"].as_array().map_or(0, Vec::len),
        handed_before + 1,
        "one hand-out more: {after}"
    );
    w.click_on("#receipt-back");

    // ---- the agent's cash ----
    w.click_on("#nav-cash");
    w.wait("#cash-campaign");
    w.select("#cash-campaign", &campaign);
    w.click_on("#cash-submit");
    let received = w.text(&w.wait("#cash-received"));
    assert!(received.contains("FCFA"), "{received}");
    w.wait("#cash-to-return");
    w.shot("caisse-agent");

    // ---- the collection sheet of a cooperative ----
    w.click_on("#nav-collection");
    w.wait("#coll-coop");
    let coop = member["cooperative_id"].as_str().expect("coop").to_owned();
    w.select("#coll-coop", &coop);
    w.select("#coll-campaign", &campaign);
    w.click_on("#coll-submit");
    let sheet = w.text(&w.wait("#collection-sheet"));
    assert!(sheet.contains(&name), "the sheet lists the member: {sheet}");
    w.shot("fiche-de-collecte");

    // ---- the cash position in English ----
    w.click_on("#lang-en");
    w.wait_text("#nav-cash", "Agent's cash");
    w.click_on("#nav-cash");
    w.wait_text("#cash-title", "cash");
    w.select("#cash-campaign", &campaign);
    w.click_on("#cash-submit");
    w.wait("#cash-received");
    w.shot("agent-cash-en");
    w.click_on("#lang-fr");
    w.close();
    drop(driver);
}
