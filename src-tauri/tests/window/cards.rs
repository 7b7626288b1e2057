//! End to end in the real window at 1366×768 (#21 items 4 and 3), on the demo union at the
//! union office:
//!
//! - the members screen's « Imprimer les cartes des membres » writes the cooperative's sheet
//!   (the PDF exists, has the cooperative's members' names and numbers, ten to a page, and
//!   one QR code per card);
//! - a card's code typed fast into the member search, then Enter, as a keyboard-emulating
//!   reader does, opens the member's card at once; the same code with one character changed,
//!   and another union's card, are refused under the field, in French and in English;
//! - at the office, a delivery's weighing ticket (its QR code's text, as printed) scanned into
//!   « Vérifier un ticket » matches the books; the same code with the accepted weight changed
//!   is refused with the figure that differs, paper against books; and the anomaly queue then
//!   lists that paper ticket.
//!
//! Screenshots in `target/e2e-screenshots-cards/` (or `SENE_E2E_CARDS_SHOTS`).

#[allow(dead_code)]
use crate::webdriver;

use std::path::PathBuf;
use std::time::Instant;

use serde_json::{json, Value};
use webdriver::Window;

const PASS: &str = "cartes de Koutiala 21";

fn shots_dir() -> PathBuf {
    std::env::var_os("SENE_E2E_CARDS_SHOTS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-screenshots-cards"),
        PathBuf::from,
    )
}

/// What a reader does: the code typed into the focused field, then Enter (WebDriver's key
/// U+E007), all at once.
fn scan_into(w: &Window, css: &str, code: &str) -> u128 {
    let t = Instant::now();
    w.type_into(css, &format!("{code}\u{E007}"));
    t.elapsed().as_millis()
}

/// The text with its part `i` (`:`-separated) replaced.
fn with_part(code: &str, i: usize, value: &str) -> String {
    let mut parts: Vec<String> = code.split(':').map(str::to_owned).collect();
    parts[i] = value.to_owned();
    parts.join(":")
}

/// Reads the text a PDF shows (its strings between parentheses), for the names on the sheet.
fn pdf_strings(pdf: &[u8]) -> String {
    String::from_utf8_lossy(pdf).into_owned()
}

#[test]
#[allow(clippy::too_many_lines)]
fn member_cards_and_weighing_tickets_in_the_real_window() {
    let shots = shots_dir();
    let dir = tempfile::tempdir().expect("temp dir");
    let (driver, mut w) = webdriver::demo_office(dir.path(), &shots, PASS);
    w.wait("#member-search");

    // a cooperative with members
    let coops = w.invoke("list_cooperatives", None);
    let coop = coops
        .as_array()
        .expect("cooperatives")
        .iter()
        .max_by_key(|c| c["member_count"].as_u64().unwrap_or(0))
        .expect("a cooperative")
        .clone();
    let coop_id = coop["id"].as_str().expect("id").to_owned();
    let members = w.invoke(
        "search_members",
        Some(json!({ "query": "", "cooperative_id": coop_id })),
    );
    let members: Vec<Value> = members.as_array().cloned().unwrap_or_default();
    let active: Vec<&Value> = members.iter().filter(|m| m["active"] == true).collect();
    assert!(active.len() >= 2, "{members:?}");

    // ---- the sheet of cards, from the members screen ----
    w.click_on("#nav-members");
    w.select("#member-coop", &coop_id);
    // the button waits for the cooperative to be chosen
    w.click_on("#print-member-cards:not([disabled])");
    let written = w.text(&w.wait("#member-cards-written"));
    let path = written
        .rsplit(": ")
        .next()
        .expect("the path is said")
        .trim()
        .to_owned();
    assert!(written.contains(&active.len().to_string()), "{written}");
    let pdf = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e} ({written})"));
    assert!(pdf.starts_with(b"%PDF-1.4"), "{path}");
    let text = pdf_strings(&pdf);
    for m in &active {
        let number = m["number"].as_str().expect("number");
        assert!(text.contains(number), "{number} missing from {path}");
    }
    let pages = text.matches("/Type /Page ").count() + text.matches("/Type /Page\n").count();
    assert!(
        pages >= active.len().div_ceil(10),
        "{pages} pages for {} cards",
        active.len()
    );
    // one QR code (a filled path of modules) per card
    assert_eq!(text.matches("q 0 g").count(), active.len(), "{path}");
    w.shot("cartes-imprimees");

    // ---- a card scanned into the member search opens her card ----
    let status = w.invoke("app_status", None);
    assert_eq!(status["lang"], "fr");
    let member = active[1];
    let member_id = member["id"].as_str().expect("id");
    let number = member["number"].as_str().expect("number");
    let _ = member_id;
    let code = card_code(&text, number);
    assert!(code.starts_with("SENE1:"), "{code}");
    let ms = scan_into(&w, "#member-search", &code);
    w.wait_text("#member-card", number);
    let field = w.script("return document.getElementById('member-search').value", &[]);
    assert_eq!(field, json!(""), "the field is ready for the next scan");
    w.wait_text(".scan-member", number);
    w.shot("carte-scannee-fiche-ouverte");
    eprintln!("card scanned in {ms} ms (WebDriver typing, 60 characters and Enter)");

    // one character changed: refused where the person is looking, nothing opened
    w.click_on("#nav-members");
    let last = code.chars().last().expect("a code");
    let tampered = format!(
        "{}{}",
        &code[..code.len() - 1],
        if last == '0' { '1' } else { '0' }
    );
    let other = active[0]["number"].as_str().expect("number");
    scan_into(&w, "#member-search", &tampered);
    let refused = w.text(&w.wait(".scan-refused"));
    assert!(refused.contains("abîmé"), "{refused}");
    assert!(w.body_text().contains("Code refusé"));
    let _ = other;
    w.shot("carte-abimee-refusee");

    // another union's card
    let foreign = with_part(&code, 1, "0000AAAA");
    scan_into(&w, "#member-search", &foreign);
    w.wait_text(".scan-refused", "autre union");
    w.shot("carte-autre-union-refusee");

    // ---- in English ----
    w.click_on("#lang-en");
    w.wait_text("#nav-members", "Cooperatives & members");
    w.click_on("#nav-members");
    scan_into(&w, "#member-search", &tampered);
    w.wait_text(".scan-refused", "damaged or misread");
    w.shot("en-damaged-card-refused");
    scan_into(&w, "#member-search", &foreign);
    w.wait_text(".scan-refused", "another union");
    w.shot("en-other-union-card-refused");
    let code0 = card_code(&text, other);
    scan_into(&w, "#member-search", &code0);
    w.wait_text("#member-card", other);
    w.shot("en-card-scanned-member-open");
    w.click_on("#lang-fr");
    w.wait_text("#nav-members", "Coopératives et membres");

    // ---- a weighing ticket checked at the office ----
    let (delivery, receipt, campaign) = a_delivery(&w, &members);
    let r = w.invoke(
        "receipt",
        Some(json!({ "kind": "delivery", "id": delivery })),
    );
    let proof = r["proof"]
        .as_str()
        .expect("a delivery receipt carries its proof")
        .to_owned();
    assert!(proof.starts_with("SENE2:"), "{proof}");
    assert!(proof.contains(&receipt.to_uppercase()), "{proof}");
    w.click_on("#nav-anomalies");
    w.wait("#ticket-scan");
    scan_into(&w, "#ticket-scan", &proof);
    let ok = w.text(&w.wait(".ticket-ok"));
    assert!(ok.contains("conforme") && ok.contains(&receipt), "{ok}");
    w.shot("ticket-conforme");

    // the accepted weight changed on the paper (+50 kg)
    let accepted: i64 = proof
        .split(':')
        .nth(3)
        .expect("kg")
        .parse()
        .expect("tenths");
    let altered = with_part(&proof, 3, &(accepted + 500).to_string());
    scan_into(&w, "#ticket-scan", &altered);
    let bad = w.text(&w.wait(".ticket-bad"));
    assert!(bad.contains("NON conforme"), "{bad}");
    assert!(bad.contains("signature fausse"), "{bad}");
    let row = w.text(&w.wait(".ticket-differences tr[data-field='accepted']"));
    assert!(
        row.contains("Poids accepté") || row.contains("poids accepté"),
        "{row}"
    );
    w.shot("ticket-modifie-refuse");

    // the anomaly queue lists the paper ticket that differs from the books
    w.select("#anom-campaign", &campaign);
    let item = w.wait("li.anomaly[data-kind='ticket_differs']");
    let told = w.text(&item);
    assert!(told.contains(&receipt), "{told}");
    assert!(
        told.contains("Ticket de pesée différent des livres"),
        "{told}"
    );
    w.script(
        "document.querySelector(\"li.anomaly[data-kind='ticket_differs']\").scrollIntoView(); return true",
        &[],
    );
    w.shot("anomalie-ticket-different");

    // the same paper in English
    w.click_on("#lang-en");
    w.wait_text("#nav-members", "Cooperatives & members");
    w.click_on("#nav-anomalies");
    scan_into(&w, "#ticket-scan", &altered);
    let bad = w.text(&w.wait(".ticket-bad"));
    assert!(
        bad.contains("does NOT match") && bad.contains("accepted weight"),
        "{bad}"
    );
    w.shot("en-altered-ticket-refused");
    w.click_on("#lang-fr");
    w.wait_text("#nav-members", "Coopératives et membres");

    // a ticket scanned into the member search is checked there too
    w.click_on("#nav-members");
    scan_into(&w, "#member-search", &proof);
    w.wait(".ticket-ok");
    w.shot("ticket-dans-la-recherche");

    w.close();
    drop(driver);
}

/// A member's card code as the sheet prints it: the text under her QR code (the QR code holds
/// the same text: `sene_print::cards` draws both from one payload, its unit test reads the
/// squares back), the first code after her number on the sheet.
fn card_code(pdf: &str, number: &str) -> String {
    let at = pdf
        .find(&format!("{number})"))
        .unwrap_or_else(|| panic!("{number} not on the sheet"));
    let from = at + pdf[at..].find("(SENE1:").expect("a code after the number") + 1;
    let len = pdf[from..].find(')').expect("the code's end");
    pdf[from..from + len].to_owned()
}

/// A delivery of the demo (not reversed), its receipt number and its campaign, from a
/// member's card.
fn a_delivery(w: &Window, members: &[Value]) -> (String, String, String) {
    for m in members {
        let card = w.invoke("member_card", Some(json!({ "member_id": m["id"] })));
        let Some(d) = card["deliveries"]
            .as_array()
            .and_then(|d| d.iter().find(|d| d["voided"] == false))
        else {
            continue;
        };
        let campaign = card["contracts"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["id"] == d["contract_id"]))
            .and_then(|c| c["campaign_id"].as_str())
            .expect("the delivery's contract")
            .to_owned();
        return (
            d["id"].as_str().expect("id").to_owned(),
            d["receipt"].as_str().expect("receipt").to_owned(),
            campaign,
        );
    }
    panic!("no delivery in the demo's cooperative")
}

/// A person's actions on the way to a receipt: keys typed by hand, clicks and choices.
#[derive(Default, Debug)]
struct Effort {
    keys: usize,
    clicks: usize,
}

impl Effort {
    fn typed(&mut self, w: &Window, css: &str, text: &str) {
        self.keys += text.chars().count();
        w.type_into(css, text);
    }
    fn click(&mut self, w: &Window, css: &str) {
        self.clicks += 1;
        w.click_on(css);
    }
    fn select(&mut self, w: &Window, css: &str, value: &str) {
        self.clicks += 1;
        w.select(css, value);
    }
}

/// Measured for BENCHMARKS.md (no time is asserted): a full delivery at the weighing station
/// (the card scanned, the weight captured from the emulated scale, confirmed, the receipt
/// shown) against the same delivery with the member searched and the weight typed by hand
/// (with its reason), through WebDriver, in the person's keys and clicks and in seconds.
#[cfg(unix)]
#[test]
#[allow(clippy::too_many_lines)]
fn a_delivery_at_the_weighing_station_against_one_typed_by_hand() {
    use sene_scale::emulator::{Emulator, ScaleState};
    use sene_scale::ProtocolKind;
    use std::str::FromStr;

    let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-screenshots-station");
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).expect("screenshots folder");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().join("sene.sqlite");
    let app = PathBuf::from(env!("CARGO_BIN_EXE_sene-desktop"));
    let driver = webdriver::Driver::start(
        &[("SENE_STORE", store.as_path())],
        &[("SENE_CLOCK", "2026-11-23T09:00:00Z")],
    );
    let mut w = Window::open(&driver, &app, &shots, 1);
    w.resize_page(1366, 768);
    w.first_start("Awa", PASS);
    w.click_on("#demo-load");
    w.wait("#nav-members");

    // a member with a contract open to delivery, her cooperative's cards
    let all = w.invoke(
        "search_members",
        Some(json!({ "query": "", "cooperative_id": null })),
    );
    let (member, contract) = all
        .as_array()
        .expect("members")
        .iter()
        .find_map(|m| {
            let card = w.invoke("member_card", Some(json!({ "member_id": m["id"] })));
            card["contracts"]
                .as_array()?
                .iter()
                .find(|c| c["may_deliver"] == true)
                .map(|c| (m.clone(), c.clone()))
        })
        .expect("a contract open to delivery");
    let number = member["number"].as_str().expect("number").to_owned();
    let sheet = w.invoke(
        "member_cards",
        Some(json!({ "cooperative_id": member["cooperative_id"] })),
    );
    let pdf = std::fs::read(sheet["path"].as_str().expect("path")).expect("the sheet");
    let code = card_code(&String::from_utf8_lossy(&pdf), &number);
    let contract_id = contract["id"].as_str().expect("id").to_owned();

    // the scale: A&D frames every 100 ms, 48.6 kg on the platform
    let (emu, _host) = Emulator::start(
        ProtocolKind::And,
        ScaleState {
            weight: sene_scale::Decimal::from_str("48.6").expect("kg"),
            period: std::time::Duration::from_millis(100),
            ..ScaleState::default()
        },
    )
    .expect("a pseudo-terminal");
    let port = emu.path().expect("the pty").display().to_string();
    w.click_on("#nav-device");
    w.wait("#scale");
    w.type_into("#scale-port", &port);
    w.select("#scale-protocol", "and");
    w.select("#scale-baud", "9600");
    w.type_into("#scale-format", "8N1");
    w.type_into("#scale-stable-ms", "500");
    w.click_on("#scale-test");
    w.wait("#scale-test-live[data-stable='true']");
    let warehouse = |w: &Window| {
        w.options("#dlv-warehouse")
            .into_iter()
            .find(|v| !v.is_empty())
            .expect("a warehouse")
    };
    let deliver = format!(".contract-row[data-contract-id='{contract_id}'] .contract-deliver");

    // ---- at the station: card scanned, weight captured ----
    w.click_on("#nav-members");
    w.wait("#member-search");
    let mut station = Effort::default();
    let t = Instant::now();
    // the reader types the code and Enter: no key of the person's
    w.type_into("#member-search", &format!("{code}\u{E007}"));
    w.wait_text("#member-card", &number);
    station.click(&w, &deliver);
    let wh = warehouse(&w);
    station.select(&w, "#dlv-warehouse", &wh);
    station.typed(&w, "#dlv-bags", "1");
    station.typed(&w, "#dlv-moisture", "12");
    station.typed(&w, "#dlv-impurity", "1");
    w.wait("#dlv-scale[data-stable='true']");
    station.click(&w, "#dlv-capture");
    w.wait("#dlv-captures li.capture");
    station.click(&w, "#dlv-submit");
    station.click(&w, "#confirm-yes");
    w.wait("#receipt");
    let station_s = t.elapsed().as_secs_f64();
    // the printed ticket carries its proof, drawn from Rust's QR matrix
    let proof = w.script(
        "return document.getElementById('receipt-proof').dataset.proof",
        &[],
    );
    let proof = proof.as_str().expect("the receipt's QR code").to_owned();
    assert!(proof.starts_with("SENE2:"), "{proof}");
    let dark = w.script(
        "return document.querySelectorAll('#receipt-proof rect[fill=\"#000\"]').length",
        &[],
    );
    assert!(dark.as_u64().unwrap_or(0) > 100, "{dark}");
    w.script(
        "document.getElementById('receipt-proof').scrollIntoView(); return true",
        &[],
    );
    w.shot("station-recu");
    w.click_on("#nav-members");

    // ---- the same delivery typed: member searched, weight typed with its reason ----
    let mut hand = Effort::default();
    let t = Instant::now();
    hand.typed(&w, "#member-search", &number);
    let hit = w.wait_text(".member-result", &number);
    hand.clicks += 1;
    w.click(&hit);
    w.wait_text("#member-card", &number);
    hand.click(&w, &deliver);
    let wh = warehouse(&w);
    hand.select(&w, "#dlv-warehouse", &wh);
    hand.typed(&w, "#dlv-bags", "1");
    hand.typed(&w, "#dlv-moisture", "12");
    hand.typed(&w, "#dlv-impurity", "1");
    hand.click(&w, "#dlv-by-hand");
    hand.typed(&w, "#dlv-gross", "48,6");
    hand.select(&w, "#dlv-hand-reason", "scale_broken");
    hand.click(&w, "#dlv-submit");
    hand.click(&w, "#confirm-yes");
    w.wait("#receipt");
    let hand_s = t.elapsed().as_secs_f64();
    w.shot("a-la-main-recu");
    drop(emu);

    // the ticket from the window's receipt, scanned at the office: it matches
    w.click_on("#nav-anomalies");
    scan_into(&w, "#ticket-scan", &proof);
    w.wait(".ticket-ok");
    w.shot("station-ticket-verifie");

    eprintln!(
        "BENCH station (card scanned, weight captured): {} keys, {} clicks, {station_s:.2} s; \
         typed by hand (member searched, weight and reason typed): {} keys, {} clicks, {hand_s:.2} s",
        station.keys, station.clicks, hand.keys, hand.clicks
    );
    assert!(station.keys < hand.keys, "{station:?} {hand:?}");
    w.close();
    drop(driver);
}
