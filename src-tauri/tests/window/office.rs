//! End to end in the real window, the union office: the built `sene-desktop` under Xvfb, driven
//! through tauri-driver and WebKitWebDriver, on the demo union (whose device is the
//! secretariat's) in mid-January 2027: open the dashboard and export the lender report, enter a
//! warehouse count and an agent's cash return (the count then in the anomaly queue), resolve
//! the sync conflict waiting in the anomaly queue, review, lock and export the settlement to
//! XLSX; see the lenders' position and record a repayment; start the office's hub from the window, pair a new laptop, and enroll it over HTTP with
//! the code shown. Screenshots of every step are written to `target/e2e-screenshots-office/` (or `SENE_E2E_OFFICE_SHOTS`).

#[allow(dead_code)]
use crate::webdriver;

use std::path::PathBuf;

use serde_json::json;

fn shots_dir() -> PathBuf {
    std::env::var_os("SENE_E2E_OFFICE_SHOTS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-screenshots-office"),
        PathBuf::from,
    )
}

/// Digits of a figure as the window shows it ("1 234 567 FCFA" → "1234567").
fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

#[test]
fn the_secretariat_takes_the_season_to_a_locked_settlement() {
    let shots = shots_dir();
    let dir = tempfile::tempdir().expect("temp dir");
    // the demo union; its device is the secretariat's: the office screens are offered
    let (driver, mut w) = webdriver::demo_office(dir.path(), &shots, "riz de Macina 9");
    let status = w.invoke("app_status", None);
    assert_eq!(status["may_configure"], true);
    let campaigns = status["campaigns"].as_array().expect("campaigns").clone();

    // ---- dashboard: figures and charts, the figures those of Rust ----
    w.click_on("#nav-dashboard");
    w.wait("#dash-recovery-chart");
    w.wait("#dash-stock-chart");
    let total = w.text(&w.wait("#dash-total"));
    let camp = w.script("return document.querySelector('#dash-campaign').value", &[]);
    let camp = camp.as_str().expect("a campaign selected").to_owned();
    assert!(campaigns.iter().any(|c| c["id"] == camp.as_str()));
    let d = w.invoke(
        "office_dashboard",
        Some(json!({ "campaign_id": camp, "date": "" })),
    );
    let shown = digits(&total);
    for figure in ["disbursed", "advance_due", "recovered"] {
        let v = d["total"][figure].as_str().expect("a figure");
        assert!(
            shown.contains(v),
            "the dashboard's {figure} ({v}) is not shown in: {total}"
        );
    }
    let coops = w.text(&w.wait("#dash-coops"));
    for line in d["cooperatives"].as_array().expect("cooperatives") {
        assert!(
            coops.contains(line["label"].as_str().unwrap_or("?")),
            "{coops}"
        );
    }
    w.shot("tableau-de-bord");

    // the lender report, per cooperative, from the dashboard
    w.click_on("#dash-portfolio-xlsx");
    w.wait_text("#dash-portfolio-result", ".xlsx");
    let report = w.listed_file("#dash-portfolio-result", ".xlsx");
    assert!(std::fs::read(&report)
        .expect("the lender report written")
        .starts_with(b"PK"));
    w.shot("rapport-preteurs");

    // the office's entries: a physical count of a warehouse, cash handed back by an agent
    let coop = w
        .options("#count-coop")
        .into_iter()
        .find(|v| !v.is_empty())
        .expect("a cooperative");
    w.select("#count-coop", &coop);
    let start = std::time::Instant::now();
    let warehouse = loop {
        if let Some(v) = w
            .options("#count-warehouse")
            .into_iter()
            .find(|v| !v.is_empty())
        {
            break v;
        }
        assert!(
            start.elapsed() < webdriver::PATIENCE,
            "no warehouse offered"
        );
        std::thread::sleep(std::time::Duration::from_millis(150));
    };
    w.select("#count-warehouse", &warehouse);
    w.type_into("#count-kg", "1 000");
    w.type_into("#count-note", "inventaire de mi-janvier");
    w.click_on("#count-submit");
    w.wait("#confirm-dialog");
    w.click_on("#confirm-yes");
    w.wait_gone("#confirm-dialog");
    w.wait_text("#saved", "1");
    let agent = w
        .options("#return-agent")
        .into_iter()
        .find(|v| !v.is_empty())
        .expect("an agent");
    w.select("#return-agent", &agent);
    w.type_into("#return-amount", "5000");
    w.click_on("#return-submit");
    w.wait("#confirm-dialog");
    w.click_on("#confirm-yes");
    w.wait_gone("#confirm-dialog");
    let saved = w.text(&w.wait_text("#saved", "5"));
    assert!(digits(&saved).contains("5000"), "{saved}");
    w.shot("saisies-du-bureau");

    // ---- anomaly queue: the member registered twice on two devices ----
    w.click_on("#nav-anomalies");
    let item = w.wait("li.anomaly[data-kind='sync_conflict']");
    let text = w.text(&item);
    assert!(text.contains("Conflit"), "{text}");
    // the count differs from the book stock: it is in the queue
    w.wait("li.anomaly[data-kind='stock_count_mismatch']");
    w.shot("anomalies");
    let before = w.find_all("li.anomaly").len();
    // two different people after all: both registrations stay, with the reason (the merge of
    // two registrations is conflicts.rs's); the pair is no longer a probable duplicate either
    w.click_on("li.anomaly[data-kind='sync_conflict'] .conflict-choice[value='']");
    w.type_into(
        "li.anomaly[data-kind='sync_conflict'] .anomaly-note",
        "Deux personnes différentes : le second numéro est celui de sa cousine",
    );
    w.click_on("li.anomaly[data-kind='sync_conflict'] .anomaly-resolve");
    w.wait_gone("li.anomaly[data-kind='sync_conflict']");
    assert_eq!(w.find_all("li.anomaly").len(), before - 2);
    let open = w.invoke("list_conflicts", None);
    assert_eq!(open.as_array().map(Vec::len), Some(0), "{open}");
    let log = w.text(&w.wait("#anom-log"));
    assert!(log.contains("celui de sa cousine"), "{log}");
    w.shot("conflit-resolu");

    // ---- settlement: review, lock, export ----
    w.click_on("#nav-settlement");
    w.wait("#set-preview");
    w.click_on("#set-preview");
    let totals = w.text(&w.wait("#set-totals"));
    w.wait("tr.set-line");
    w.shot("reglement-a-revoir");
    // four eyes: the secretary proposes it, the union's accountant locks it
    let disabled = w.script("return document.querySelector('#set-lock').disabled", &[]);
    assert_eq!(
        disabled,
        json!(true),
        "nothing proposed yet: the lock waits"
    );
    w.click_on("#set-propose");
    w.wait("#set-proposal-mine");
    w.shot("reglement-propose");
    // the union's accountant signs in at the same desk
    let me = w.sign_in_as_second_secretary("mil de Koutiala 5");
    w.click_on("#nav-settlement");
    w.click_on("#set-preview");
    let by = w.text(&w.wait("#set-proposal"));
    assert!(by.contains(&me), "proposed by the secretary: {by}");
    w.wait("tr.set-line");
    w.type_into(
        "#set-note",
        "Règlement de la campagne, arrêté au 15 janvier",
    );
    w.click_on("#set-lock");
    w.wait("#confirm-dialog");
    w.shot("confirmation-arret");
    w.click_on("#confirm-yes");
    w.wait_gone("#confirm-dialog");
    w.wait("#set-locked");
    let set_camp = w.script("return document.querySelector('#set-campaign').value", &[]);
    let runs = w.invoke(
        "settlement_runs",
        Some(json!({ "campaign_id": set_camp.as_str().unwrap_or_default() })),
    );
    let runs = runs.as_array().expect("runs");
    assert_eq!(runs.len(), 1, "one run locked: {runs:?}");
    assert!(
        digits(&totals).contains(
            runs[0]["net"]
                .as_str()
                .unwrap_or("?")
                .trim_start_matches('-')
        ),
        "the locked net {} is the reviewed one: {totals}",
        runs[0]["net"]
    );
    w.shot("reglement-arrete");
    w.click_on("#set-export-xlsx");
    w.wait_text("#set-export-result", ".xlsx");
    let xlsx = w.listed_file("#set-export-result", ".xlsx");
    assert!(
        xlsx.starts_with(&dir.path().display().to_string()),
        "{xlsx}: beside the store"
    );
    let bytes = std::fs::read(&xlsx).expect("the XLSX written");
    assert!(bytes.starts_with(b"PK"), "an XLSX is a zip");
    w.shot("export-xlsx");

    // ---- lenders: the position at today, as Rust computes it; a repayment recorded ----
    w.click_on("#nav-finance");
    let total = w.text(&w.wait("#fin-total-due"));
    let pos = w.invoke("lender_positions", Some(json!({ "date": "" })));
    let due = pos["total_due"].as_str().expect("total due").to_owned();
    assert_eq!(digits(&total), due, "the window shows Rust's total due");
    let line = w
        .options("#repay-line")
        .into_iter()
        .find(|v| !v.is_empty())
        .expect("a credit line");
    w.select("#repay-line", &line);
    w.type_into("#repay-principal", "10000");
    w.type_into("#repay-interest", "0");
    w.click_on("#repay-submit");
    w.wait("#confirm-dialog");
    w.click_on("#confirm-yes");
    w.wait_gone("#confirm-dialog");
    let expected = (due.parse::<i64>().expect("francs") - 10_000).to_string();
    let start = std::time::Instant::now();
    while digits(&w.text(&w.wait("#fin-total-due"))) != expected {
        assert!(
            start.elapsed() < webdriver::PATIENCE,
            "total due not {expected}"
        );
        std::thread::sleep(std::time::Duration::from_millis(150));
    }
    w.script(
        "document.getElementById('fin-lenders').scrollIntoView(); return true",
        &[],
    );
    w.shot("ventes-et-preteurs");

    // ---- the office's hub, started from the window; a new laptop paired and enrolled ----
    w.click_on("#nav-sync");
    w.wait("#hub-start");
    w.type_into("#hub-listen", "127.0.0.1:0");
    w.click_on("#hub-start");
    let urls = w.text(&w.wait("#hub-urls"));
    let url = urls
        .split_whitespace()
        .find(|u| u.starts_with("http://127.0.0.1:"))
        .expect("the hub's loopback address")
        .to_owned();
    let agent = w
        .options("#pair-agent")
        .into_iter()
        .find(|v| !v.is_empty())
        .expect("an agent to pair");
    w.select("#pair-agent", &agent);
    w.type_into("#pair-label", "Portable neuf");
    w.type_into("#pair-prefix", "NEUF");
    w.click_on("#pair-submit");
    let code = w.text(&w.wait("#pair-code")).trim().to_owned();
    let device = w.text(&w.wait("#pair-device")).trim().to_owned();
    w.shot("serveur-et-appairage");
    // the laptop, with an empty store, enrolls with that code over HTTP and receives the union
    let laptop_dir = tempfile::tempdir().expect("temp dir");
    let mut laptop = sene_api::Session::new(
        sene_app::Ledger::open(&laptop_dir.path().join("sene.sqlite")).expect("store"),
        laptop_dir.path().join("receipts"),
    );
    let st = laptop
        .enroll(
            &sene_api::EnrollRequest {
                hub_url: url,
                device_id: device,
                code,
            },
            &mut |_| {},
        )
        .expect("the laptop enrolls with the office the window runs");
    assert!(st.initialized);
    assert!(!laptop.cooperatives().expect("cooperatives").is_empty());
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
            "01-tableau-de-bord.png",
            "02-rapport-preteurs.png",
            "03-saisies-du-bureau.png",
            "04-anomalies.png",
            "05-conflit-resolu.png",
            "06-reglement-a-revoir.png",
            "07-reglement-propose.png",
            "08-confirmation-arret.png",
            "09-reglement-arrete.png",
            "10-export-xlsx.png",
            "11-ventes-et-preteurs.png",
            "12-serveur-et-appairage.png",
        ],
        "screenshots in {}",
        shots.display()
    );
}
