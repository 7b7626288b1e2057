//! The window shows what the ledger allows and what the settlement pays (issue #19, item 1),
//! in the real window, in French and in English: a contract under delivery offers « Verser une
//! avance » because Rust says it may take one (the window used to copy the state rule and
//! refused it); a delivery above the commitment is previewed with the value it adds to the
//! contract, as the settlement counts it, with the warning — and a gross weight of letters is
//! refused at the field.
//!
//! Screenshots in `target/e2e-screenshots-rules/` (or `SENE_E2E_RULES_SHOTS`).

#[allow(dead_code)]
use crate::webdriver;

use std::path::PathBuf;

use serde_json::{json, Value};
use webdriver::{Driver, Window};

const PASS: &str = "mil et sorgho 24";

fn shots_dir() -> PathBuf {
    std::env::var_os("SENE_E2E_RULES_SHOTS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-screenshots-rules"),
        PathBuf::from,
    )
}

/// A demo member and one of her contracts under delivery that may still take an advance.
fn delivering(w: &Window) -> (Value, Value) {
    let members = w.invoke(
        "search_members",
        Some(json!({ "query": "", "cooperative_id": null })),
    );
    for m in members.as_array().expect("members") {
        let card = w.invoke("member_card", Some(json!({ "member_id": m["id"] })));
        for c in card["contracts"].as_array().expect("contracts") {
            if c["state"] == "delivering" && c["may_disburse"] == true && c["may_deliver"] == true {
                return (m.clone(), c.clone());
            }
        }
    }
    panic!("the demo has a contract under delivery");
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

fn open_card(w: &Window, number: &str) {
    w.click_on("#nav-members");
    w.type_into("#member-search", number);
    let hit = w.wait_text(".member-result", number);
    w.click(&hit);
    w.wait_text("#member-card", number);
}

/// On the delivery screen of `contract`: a gross weight well above the commitment, previewed.
fn over_delivery(w: &mut Window, contract: &Value, gross: &str, shot: &str) -> (String, String) {
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
    w.type_into("#dlv-bags", "40");
    w.type_into("#dlv-moisture", "12");
    w.type_into("#dlv-impurity", "1");
    // letters are refused at the field, nothing previewed as a weight
    w.type_into("#dlv-gross", "beaucoup");
    w.click_on("#dlv-submit");
    w.wait("#dlv-gross[aria-invalid='true']");
    assert!(w.find("#confirm-dialog").is_none(), "nothing to confirm");
    w.type_into("#dlv-gross", gross);
    let warning = w.text(&w.wait("#dlv-over"));
    let value = w.text(&w.wait("#dlv-value"));
    w.shot(shot);
    (warning, value)
}

#[test]
fn the_window_offers_what_rust_allows_and_previews_what_the_settlement_pays() {
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
    w.first_start("Awa", PASS);
    w.click_on("#demo-load");
    w.wait("#nav-members");

    let (member, contract) = delivering(&w);
    let number = member["number"].as_str().expect("number").to_owned();
    let id = contract["id"].as_str().expect("id").to_owned();
    open_card(&w, &number);
    w.wait(&format!(
        ".contract-row[data-contract-id='{id}'] .contract-disburse"
    ));
    w.shot("fr-contrat-en-livraison-avance-possible");

    // well above the commitment: committed kg and a half again, in gross
    let committed: f64 = contract["committed_kg"]
        .as_str()
        .expect("committed")
        .parse()
        .expect("kg");
    let gross = format!("{:.0}", committed * 1.5 + 100.0);
    let (warning, value) = over_delivery(&mut w, &contract, &gross, "fr-livraison-au-dela");
    assert!(warning.contains("dépasse la quantité engagée"), "{warning}");
    assert!(
        warning.contains("ne compte que ce que le contrat paie"),
        "{warning}"
    );
    // the value shown is Rust's: what the delivery adds to the contract, capped
    let wh = w
        .options("#dlv-warehouse")
        .into_iter()
        .find(|v| !v.is_empty())
        .expect("a warehouse");
    let preview = w.invoke(
        "preview_delivery",
        Some(json!({
            "contract_id": id, "warehouse_id": wh, "bags": "40", "gross_kg": gross,
            "moisture": "12", "impurity": "1",
        })),
    );
    assert_eq!(digits(&value), preview["value"].as_str().expect("value"));
    assert_eq!(preview["over_committed"], true);
    let accepted: f64 = preview["accepted_kg"]
        .as_str()
        .expect("accepted")
        .parse()
        .expect("kg");
    let base: f64 = contract["base_price"]
        .as_str()
        .expect("price")
        .parse()
        .expect("price");
    let shown: f64 = digits(&value).parse().expect("francs");
    assert!(
        shown < accepted * base,
        "{shown} FCFA is less than the uncapped {accepted} kg × {base}"
    );

    // in English
    w.click_on("#lang-en");
    open_card(&w, &number);
    w.wait(&format!(
        ".contract-row[data-contract-id='{id}'] .contract-disburse"
    ));
    let (warning, value_en) = over_delivery(&mut w, &contract, &gross, "en-delivery-beyond");
    assert!(
        warning.contains("goes beyond the committed quantity"),
        "{warning}"
    );
    assert!(
        warning.contains("counts only what the contract pays"),
        "{warning}"
    );
    assert_eq!(digits(&value_en), digits(&value));
}
