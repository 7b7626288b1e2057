//! End to end in the real window (1366×768, the demo union, mid-January 2027): what a French
//! office opens by double-click, and dates typed day first whatever the system's locale.
//!
//! - Dates: the dashboard's date typed `31/02/2027` is refused at the field (« ce mois-là a 28
//!   jours »), `10/01/2027` shows the dashboard of 10 January (the ISO date reached Rust).
//! - Exports: the dashboard's « Avancement par coopérative (CSV) » and a locked settlement's
//!   CSV of « Céréales sèches 2026/27 » are read from the files the window lists: UTF-8 BOM,
//!   `;`, kg with a decimal comma (as Rust's figures), the campaign's accents in the file name;
//!   the international style on request (`,` and a decimal point).
//!
//! Screenshots in `target/e2e-screenshots-exports/` (or `SENE_E2E_EXPORTS_SHOTS`).

#[allow(dead_code)]
use crate::webdriver;

use std::path::{Path, PathBuf};

use serde_json::json;
use webdriver::Window;

const BOM: &[u8] = b"\xEF\xBB\xBF";
const CAMPAIGN: &str = "Céréales sèches 2026/27";

fn shots_dir() -> PathBuf {
    std::env::var_os("SENE_E2E_EXPORTS_SHOTS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-screenshots-exports"),
        PathBuf::from,
    )
}

/// A CSV written by the app: its bytes start with the UTF-8 BOM; its rows split on `sep`.
fn read_csv(path: &str, sep: char) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(
        bytes.starts_with(BOM),
        "{path} starts with the UTF-8 BOM: {:?}",
        &bytes[..bytes.len().min(8)]
    );
    let text = String::from_utf8(bytes[BOM.len()..].to_vec()).expect("UTF-8");
    assert!(text.ends_with("\r\n"), "CRLF line ends");
    text.split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| l.split(sep).map(str::to_owned).collect())
        .collect()
}

fn column(rows: &[Vec<String>], header: &str) -> usize {
    rows[0]
        .iter()
        .position(|h| h == header)
        .unwrap_or_else(|| panic!("no column {header} in {:?}", rows[0]))
}

/// The file's name (not its folder's) keeps the campaign's accents.
fn assert_accented_name(path: &str) {
    let name = Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    assert!(
        name.contains("Céréales sèches 2026_27"),
        "the file name keeps its accents: {name}"
    );
}

/// The id of the demo's campaign [`CAMPAIGN`].
fn campaign_id(w: &Window) -> String {
    let status = w.invoke("app_status", None);
    status["campaigns"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["name"] == CAMPAIGN))
        .and_then(|c| c["id"].as_str())
        .unwrap_or_else(|| panic!("no campaign {CAMPAIGN} in the demo: {status}"))
        .to_owned()
}

#[test]
fn a_french_office_opens_the_exports_and_types_dates_day_first() {
    let shots = shots_dir();
    let dir = tempfile::tempdir().expect("temp dir");
    let (driver, mut w) = webdriver::demo_office(dir.path(), &shots, "riz de Macina 9");
    let size = w.script("return [window.innerWidth, window.innerHeight]", &[]);
    assert_eq!(size, json!([1366, 768]), "the window at 1366×768");
    let camp = campaign_id(&w);

    // ---- dates typed day first: a day February does not have is refused at the field ----
    w.click_on("#nav-dashboard");
    w.wait("#dash-recovery-chart");
    w.select("#dash-campaign", &camp);
    w.wait_text(".lead", CAMPAIGN);
    let shown = w.script("return document.querySelector('#dash-date').value", &[]);
    assert_eq!(shown, json!("15/01/2027"), "today, day first");
    w.type_into("#dash-date", "31/02/2027");
    w.script(
        "document.querySelector('#dash-date').blur(); return true",
        &[],
    );
    let err = w.text(&w.wait("#dash-date-date-err"));
    assert!(
        err.contains("31/02/2027") && err.contains("28 jours"),
        "the field says why: {err}"
    );
    let invalid = w.script(
        "return document.querySelector('#dash-date').getAttribute('aria-invalid')",
        &[],
    );
    assert_eq!(invalid, json!("true"));
    let mut shot_files = vec![w.shot("date-impossible")];
    // refreshing with it: the same message, at the field, and nothing asked of Rust
    w.click_on("#dash-refresh");
    let err = w.text(&w.wait("#dash-date-err"));
    assert!(err.contains("28 jours"), "{err}");
    // a real date, day first: the dashboard of that day
    w.type_into("#dash-date", "10/01/2027");
    w.click_on("#dash-refresh");
    w.wait_text(".lead", "10/01/2027");
    w.wait_gone("#dash-date-err");
    shot_files.push(w.shot("date-jj-mm-aaaa"));
    w.type_into("#dash-date", "15/01/2027");
    w.click_on("#dash-refresh");
    w.wait_text(".lead", "15/01/2027");

    // ---- the dashboard's progress per cooperative, in Excel's French style by default ----
    let style = w.script(
        "return document.querySelector('#dash-csv-style').value",
        &[],
    );
    assert_eq!(style, json!("csv"), "Excel (French) unless asked otherwise");
    w.click_on("#dash-export-csv");
    let path = w.listed_file("#dash-portfolio-result", ".csv");
    assert!(
        path.starts_with(&dir.path().display().to_string()),
        "{path}: beside the store"
    );
    assert_accented_name(&path);
    let rows = read_csv(&path, ';');
    assert_eq!(rows[0][0], "Coopérative", "{:?}", rows[0]);
    let d = w.invoke(
        "office_dashboard",
        Some(json!({ "campaign_id": camp, "date": "2027-01-15" })),
    );
    let lines = d["cooperatives"].as_array().expect("cooperatives");
    assert_eq!(rows.len(), lines.len() + 2, "header, cooperatives, TOTAL");
    let delivered = column(&rows, "Livré (kg)");
    let committed = column(&rows, "Engagé (kg)");
    let total = rows.last().expect("a TOTAL row");
    assert_eq!(total[0], "TOTAL");
    // kg as Rust computed them, with a decimal comma and no thousands separator
    for (col, key) in [(delivered, "delivered_kg"), (committed, "committed_kg")] {
        let want = d["total"][key].as_str().expect("kg");
        let got = &total[col];
        assert!(
            !got.contains(['.', ' ', '\u{a0}']),
            "{key}: no point, no grouping: {got}"
        );
        assert_eq!(
            got.replace(',', ".").parse::<f64>().ok(),
            want.parse::<f64>().ok(),
            "{key}: {got} is Rust's {want}"
        );
    }
    w.script(
        "document.querySelector('#dash-portfolio-result').scrollIntoView({block: 'center'}); return true",
        &[],
    );
    shot_files.push(w.shot("export-csv-tableau-de-bord"));

    // the international style, on request: `,` and a decimal point (still with the BOM)
    w.select("#dash-csv-style", "csv-intl");
    w.click_on("#dash-export-csv");
    let start = std::time::Instant::now();
    let intl = loop {
        let p = w.listed_file("#dash-portfolio-result", ".csv");
        let rows = read_csv(&p, ',');
        if rows[0].len() > 1 {
            break rows;
        }
        assert!(
            start.elapsed() < webdriver::PATIENCE,
            "no international CSV"
        );
        std::thread::sleep(std::time::Duration::from_millis(150));
    };
    let t = intl.last().expect("TOTAL");
    assert_eq!(
        t[delivered].parse::<f64>().ok(),
        d["total"]["delivered_kg"]
            .as_str()
            .and_then(|s| s.parse().ok())
    );
    w.select("#dash-csv-style", "csv");

    // ---- a settlement of the campaign, proposed and locked (four eyes), then exported ----
    w.click_on("#nav-settlement");
    w.select("#set-campaign", &camp);
    w.type_into("#set-date", "15/01/2027");
    w.click_on("#set-preview");
    w.wait("tr.set-line");
    w.click_on("#set-propose");
    w.wait("#set-proposal-mine");
    w.sign_in_as_second_secretary("mil de Koutiala 5");
    w.click_on("#nav-settlement");
    w.select("#set-campaign", &camp);
    w.click_on("#set-preview");
    w.wait("#set-proposal");
    w.wait("tr.set-line");
    w.type_into(
        "#set-note",
        "Règlement des céréales sèches, arrêté au 15 janvier",
    );
    w.click_on("#set-lock");
    w.wait("#confirm-dialog");
    w.click_on("#confirm-yes");
    w.wait_gone("#confirm-dialog");
    w.wait("#set-locked");
    w.click_on("#set-export-csv");
    let path = w.listed_file("#set-export-result", ".csv");
    assert_accented_name(&path);
    let rows = read_csv(&path, ';');
    assert_eq!(rows[0][0], "Coopérative", "{:?}", rows[0]);
    let accepted = column(&rows, "Accepté (kg)");
    let net = column(&rows, "Net (FCFA)");
    // every kg with its decimal comma; some members delivered fractions of a kg
    let kg: Vec<&str> = rows[1..].iter().map(|r| r[accepted].as_str()).collect();
    assert!(
        kg.iter().all(|k| {
            k.split_once(',').is_some_and(|(a, b)| {
                a.trim_start_matches('-')
                    .bytes()
                    .all(|c| c.is_ascii_digit())
                    && b.len() == 1
                    && b.bytes().all(|c| c.is_ascii_digit())
            })
        }),
        "kg written 2688,4: {kg:?}"
    );
    assert!(
        kg.iter().any(|k| !k.ends_with(",0")),
        "a kg value with decimals: {kg:?}"
    );
    // francs whole, as Rust's total
    let runs = w.invoke("settlement_runs", Some(json!({ "campaign_id": camp })));
    let run_net = runs[0]["net"].as_str().expect("net").to_owned();
    assert_eq!(rows.last().expect("TOTAL")[net], run_net);
    w.script(
        "document.querySelector('#set-export-result').scrollIntoView({block: 'center'}); return true",
        &[],
    );
    shot_files.push(w.shot("export-csv-reglement"));
    w.close();
    drop(driver);

    for f in &shot_files {
        let png = std::fs::read(f).unwrap_or_default();
        assert!(
            png.starts_with(b"\x89PNG"),
            "a screenshot at {}",
            f.display()
        );
    }
    assert_eq!(shot_files.len(), 4, "screenshots in {}", shots.display());
}
