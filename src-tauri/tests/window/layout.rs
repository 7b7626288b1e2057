//! End to end in the real window, the union office on a laptop's screen: the demo union in
//! mid-January 2027, in French then in English, at 1366×768 and at 1280×720. Each office task
//! is walked in the window, and each key table is measured where it is shown:
//!
//! - the sale lots and the lenders (`Ventes et prêteurs`): money drawn on a credit line
//!   (`draw_credit`), a sale lot recorded (`add_sale_lot`) above the base price, a price
//!   complement above what the lots allow (its error shown **inside** the still open dialog, in
//!   the UI's language, nothing stored), then the largest allowed (`set_price_complement`);
//! - the settlement: reviewed, proposed, locked by a second secretary signed in at the same
//!   desk (an account added on the Appareil screen), exported to XLSX, reopened from the list
//!   of runs (`settlement_run`); the account then removed (`remove_account`);
//! - the dashboard's tables and charts, and a member's card.
//!
//! "Measured": in each key table, the identifying cell and every figure's cell of every row lie
//! inside the viewport and inside the visible box of every ancestor that clips them (the
//! table's scroll container), with their text whole (not cut inside the cell); no figure's
//! column is hidden. The chart labels and figures lie inside their chart, whole and at a readable size; a member
//! card's figures inside their card.
//! Screenshots in `target/e2e-screenshots-layout/` (or `SENE_E2E_LAYOUT_SHOTS`).

#[allow(dead_code)]
use crate::webdriver;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use webdriver::Window;

fn shots_dir() -> PathBuf {
    std::env::var_os("SENE_E2E_LAYOUT_SHOTS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-screenshots-layout"),
        PathBuf::from,
    )
}

/// Digits of a figure as the window shows it ("1 234 567 FCFA" → "1234567").
fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// What is cut off in the tables matching `css` (each table's identifying cell and figure
/// cells, row by row): one line per cell, empty when everything is readable.
const CLIPPED: &str = r"
const sel = arguments[0];
const tables = [...document.querySelectorAll(sel)];
if (tables.length === 0) return [`${sel}: no such table on the page`];
const vw = document.documentElement.clientWidth;
const out = [];
// the box a cell can be seen in: the viewport, cut by every ancestor that clips horizontally
function visible(el) {
  let l = 0, r = vw;
  for (let p = el.parentElement; p && p !== document.documentElement; p = p.parentElement) {
    if (getComputedStyle(p).overflowX === 'visible') continue;
    const b = p.getBoundingClientRect();
    l = Math.max(l, b.left + p.clientLeft);
    r = Math.min(r, b.left + p.clientLeft + p.clientWidth);
  }
  return [l, r];
}
for (const t of tables) {
  const name = t.id ? `#${t.id}` : sel;
  const rows = [...t.rows];
  rows.forEach((row, i) => {
    const cells = [...row.cells];
    if (cells.length < 2) return; // « nothing to show »
    cells.forEach((c, j) => {
      if (j !== 0 && !c.classList.contains('num')) return;
      const what = `${name} row ${i} col ${j} «${c.innerText.trim().replace(/\s+/g, ' ').slice(0, 40)}»`;
      if (getComputedStyle(c).display === 'none' || c.getClientRects().length === 0) {
        out.push(`${what}: hidden`);
        return;
      }
      const r = c.getBoundingClientRect();
      const range = document.createRange();
      range.selectNodeContents(c);
      const tr = range.getBoundingClientRect();
      const left = tr.width > 0 ? Math.min(r.left, tr.left) : r.left;
      const right = tr.width > 0 ? Math.max(r.right, tr.right) : r.right;
      const [l, rr] = visible(c);
      if (left < l - 0.5 || right > rr + 0.5) {
        out.push(`${what}: ${Math.round(left)}–${Math.round(right)} px outside ${Math.round(l)}–${Math.round(rr)} px`);
      } else if (c.scrollWidth > c.clientWidth + 1) {
        out.push(`${what}: text cut (${c.scrollWidth} > ${c.clientWidth} px)`);
      }
    });
  });
}
return out;
";

/// What is cut off or too small in the bar charts: a label or figure outside its chart or
/// the viewport, shortened (`…`), or smaller than 11 px.
const CHARTS: &str = r"
const out = [];
const charts = [...document.querySelectorAll('.bar-chart')];
if (charts.length === 0) return ['no chart on the page'];
const vw = document.documentElement.clientWidth;
for (const chart of charts) {
  const b = chart.getBoundingClientRect();
  for (const t of chart.querySelectorAll('.bar-label, .bar-value')) {
    const range = document.createRange();
    range.selectNodeContents(t);
    const r = range.getBoundingClientRect();
    const what = `#${chart.id} «${t.textContent}»`;
    if (r.left < Math.max(0, b.left) - 0.5 || r.right > Math.min(vw, b.right) + 0.5) {
      out.push(`${what}: ${Math.round(r.left)}–${Math.round(r.right)} px outside the chart ${Math.round(b.left)}–${Math.round(b.right)} px`);
    }
    if (t.textContent.includes('…')) out.push(`${what}: shortened`);
    const size = parseFloat(getComputedStyle(t).fontSize);
    if (size < 11) out.push(`${what}: drawn at ${size.toFixed(1)} px`);
  }
}
return out;
";

/// What is cut off among the elements matching `css` (figures outside a table): outside the
/// viewport or a clipping ancestor's visible box.
const FIGURES: &str = r"
const sel = arguments[0];
const out = [];
const vw = document.documentElement.clientWidth;
const els = [...document.querySelectorAll(sel)];
if (els.length === 0) return [`${sel}: nothing on the page`];
for (const el of els) {
  let l = 0, rr = vw;
  for (let p = el.parentElement; p && p !== document.documentElement; p = p.parentElement) {
    if (getComputedStyle(p).overflowX === 'visible') continue;
    const b = p.getBoundingClientRect();
    l = Math.max(l, b.left + p.clientLeft);
    rr = Math.min(rr, b.left + p.clientLeft + p.clientWidth);
  }
  // the box of the element's parent (a card, a grid cell) is where it must fit
  const box = el.parentElement.getBoundingClientRect();
  l = Math.max(l, box.left);
  rr = Math.min(rr, box.right);
  const range = document.createRange();
  range.selectNodeContents(el);
  const r = range.getBoundingClientRect();
  if (r.width > 0 && (r.left < l - 0.5 || r.right > rr + 0.5)) {
    out.push(`«${el.innerText.trim().slice(0, 40)}»: ${Math.round(r.left)}–${Math.round(r.right)} px outside ${Math.round(l)}–${Math.round(rr)} px`);
  }
}
return out;
";

/// The layout checks of one run: what each found, by window size and language.
struct Checks {
    found: Vec<String>,
    tables: usize,
}

impl Checks {
    /// Measures the tables matching `css` where the window shows them.
    fn tables(&mut self, w: &Window, at: &str, css: &str) {
        let v = w.script(CLIPPED, &[json!(css)]);
        self.tables += w
            .script(
                "return document.querySelectorAll(arguments[0]).length",
                &[json!(css)],
            )
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(0);
        self.note(at, &v);
    }

    /// Keeps what a check found (and says it at once: a later step may stop the test).
    fn note(&mut self, at: &str, v: &Value) {
        for line in v.as_array().expect("a list") {
            let line = format!("{at}: {}", line.as_str().unwrap_or_default());
            eprintln!("cut off: {line}");
            self.found.push(line);
        }
    }

    /// Measures figures outside tables (a card's facts).
    fn figures(&mut self, w: &Window, at: &str, css: &str) {
        let v = w.script(FIGURES, &[json!(css)]);
        self.note(at, &v);
    }

    fn charts(&mut self, w: &Window, at: &str) {
        let v = w.script(CHARTS, &[]);
        self.note(at, &v);
    }
}

/// Scrolls the element into the middle of the window (for the screenshot that follows).
fn show(w: &Window, css: &str) {
    w.wait(css);
    w.script(
        "document.querySelector(arguments[0]).scrollIntoView({block: 'center'}); return true",
        &[json!(css)],
    );
}

/// Waits until `f` holds.
fn until(what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < webdriver::PATIENCE, "{what}");
        std::thread::sleep(Duration::from_millis(150));
    }
}

/// Confirms the open confirmation dialog and waits until it is gone.
fn confirm(w: &Window) {
    w.wait("#confirm-dialog");
    w.click_on("#confirm-yes");
    w.wait_gone("#confirm-dialog");
}

/// The demo's stock row with the most kg: (warehouse id, crop code, kg), read from Rust.
fn largest_stock(w: &Window, campaign: &str, crops: &Value) -> (String, String, f64) {
    let d = w.invoke(
        "office_dashboard",
        Some(json!({ "campaign_id": campaign, "date": "" })),
    );
    let row = d["stock"]
        .as_array()
        .expect("stock")
        .iter()
        .max_by(|a, b| {
            let kg = |v: &Value| {
                v["stock_kg"]
                    .as_str()
                    .unwrap_or("0")
                    .parse::<f64>()
                    .unwrap_or(0.0)
            };
            kg(a).total_cmp(&kg(b))
        })
        .expect("a warehouse with stock")
        .clone();
    let crop = crops
        .as_array()
        .expect("crops")
        .iter()
        .find(|c| c["label"] == row["crop"] || c["crop"] == row["crop"])
        .and_then(|c| c["crop"].as_str())
        .unwrap_or_else(|| panic!("the crop of {row} among {crops}"))
        .to_owned();
    for coop in w
        .invoke("list_cooperatives", None)
        .as_array()
        .expect("coops")
    {
        let id = coop["id"].as_str().expect("id");
        let ws = w.invoke("list_warehouses", Some(json!({ "cooperative_id": id })));
        if let Some(wh) = ws
            .as_array()
            .expect("warehouses")
            .iter()
            .find(|x| x["name"] == row["warehouse"])
        {
            let kg = row["stock_kg"]
                .as_str()
                .unwrap_or("0")
                .parse()
                .unwrap_or(0.0);
            return (format!("{id}|{}", wh["id"].as_str().expect("id")), crop, kg);
        }
    }
    panic!("no warehouse named {}", row["warehouse"]);
}

/// The complement options of the crop, as Rust computes them.
fn complement_of(w: &Window, campaign: &str, crop: &str) -> Value {
    w.invoke(
        "complement_options",
        Some(json!({ "campaign_id": campaign })),
    )
    .as_array()
    .expect("options")
    .iter()
    .find(|c| c["crop"] == crop)
    .cloned()
    .unwrap_or_else(|| panic!("no complement option for {crop}"))
}

/// Measures every office table and chart at the window's present size: dashboard, sale lots
/// and lenders, the settlement shown (`run`), a member's card.
fn measure_everything(w: &mut Window, c: &mut Checks, at: &str, member: &str) {
    w.click_on("#nav-dashboard");
    w.wait("#dash-coops tbody tr");
    w.wait("#dash-recovery-chart .bar-row");
    c.tables(w, at, "#dash-coops, #dash-crops, #dash-families, #dash-stock, #dash-agents, #dash-fertilizer, #dash-lenders");
    c.charts(w, at);
    show(w, "#dash-coops");
    w.shot(&format!("{at}-tableau-de-bord"));

    w.click_on("#nav-finance");
    w.wait("#fin-lenders tbody tr.fin-line");
    w.wait("#fin-lots tbody tr.fin-lot");
    c.tables(w, at, "#fin-lenders, #fin-lots, #fin-complements");
    show(w, "#fin-lenders");
    w.shot(&format!("{at}-preteurs"));
    show(w, "#fin-lots");
    w.shot(&format!("{at}-lots"));

    w.click_on("#nav-settlement");
    w.wait("tr.set-run");
    w.click_on("tr.set-run .set-run-open");
    w.wait("#set-locked");
    w.wait("tr.set-line");
    c.tables(w, at, "#set-lines, #set-debts, #set-runs");
    show(w, "#set-debts");
    w.shot(&format!("{at}-reglement"));

    w.click_on("#nav-members");
    w.type_into("#member-search", member);
    let hit = w.wait_text(".member-result", member);
    w.click(&hit);
    w.wait_text("#member-card", member);
    w.wait("#member-card table.data");
    c.tables(w, at, "#member-card table.data");
    c.figures(w, at, "#member-card dd, #member-card td.row-actions button");
    show(w, "#member-card table.data");
    w.shot(&format!("{at}-fiche-membre"));
}

#[test]
fn the_office_reads_every_figure_at_1366x768_and_1280x720() {
    let shots = shots_dir();
    let dir = tempfile::tempdir().expect("temp dir");
    let pass = "riz de Macina 9";
    let (driver, mut w) = webdriver::demo_office(dir.path(), &shots, pass);
    w.resize_page(1366, 768);
    let mut c = Checks {
        found: Vec::new(),
        tables: 0,
    };
    let status = w.invoke("app_status", None);
    let campaign = status["campaigns"][0].clone();
    let camp = campaign["id"].as_str().expect("a campaign").to_owned();
    let at = "fr-1366";

    // ---- lenders: money drawn on a credit line ----
    w.click_on("#nav-finance");
    w.wait("#fin-lenders tbody tr.fin-line");
    c.tables(&w, at, "#fin-lenders");
    let before = w.invoke("lender_positions", Some(json!({ "date": "" })));
    let line = w
        .options("#draw-line")
        .into_iter()
        .find(|v| !v.is_empty())
        .expect("a credit line");
    w.select("#draw-line", &line);
    w.type_into("#draw-amount", "250 000");
    w.click_on("#draw-submit");
    confirm(&w);
    w.wait("#saved");
    let after = w.invoke("lender_positions", Some(json!({ "date": "" })));
    let drawn = |v: &Value| {
        v["lines"]
            .as_array()
            .and_then(|a| a.iter().find(|l| l["credit_line_id"] == line.as_str()))
            .and_then(|l| l["drawn"].as_str())
            .and_then(|s| s.parse::<i64>().ok())
            .expect("the line's drawn amount")
    };
    assert_eq!(
        drawn(&after),
        drawn(&before) + 250_000,
        "the drawing stored"
    );
    let due = after["total_due"].as_str().expect("total due").to_owned();
    until("the window shows the new total due", || {
        digits(&w.text(&w.wait("#fin-total-due"))) == due
    });
    c.tables(&w, at, "#fin-lenders");
    show(&w, "#fin-lenders");
    w.shot("fr-1366-tirage");

    // ---- a sale lot above the base price, from the fullest warehouse ----
    let (coop_wh, crop, stock) = largest_stock(&w, &camp, &campaign["crops"]);
    let (coop, warehouse) = coop_wh.split_once('|').expect("coop|warehouse");
    let base = complement_of(&w, &camp, &crop);
    let base_price: i64 = base["base_price"]
        .as_str()
        .unwrap_or("0")
        .parse()
        .expect("francs");
    let lots_before = w.invoke("sale_lots", Some(json!({ "campaign_id": camp })));
    let kg = (stock / 2.0).floor().max(1.0);
    w.select("#lot-crop", &crop);
    w.select("#lot-coop", coop);
    w.select("#lot-warehouse", warehouse);
    w.type_into("#lot-buyer", "Grands Moulins du Sahel");
    w.type_into("#lot-kg", &format!("{kg}"));
    w.type_into("#lot-price", &(base_price + 120).to_string());
    w.type_into("#lot-costs", "15000");
    w.click_on("#lot-submit");
    confirm(&w);
    w.wait_text("tr.fin-lot", "Grands Moulins du Sahel");
    let lots = w.invoke("sale_lots", Some(json!({ "campaign_id": camp })));
    assert_eq!(
        lots.as_array().map(Vec::len),
        lots_before.as_array().map(|a| a.len() + 1),
        "one lot more: {lots}"
    );
    c.tables(&w, at, "#fin-lots, #fin-complements");
    show(&w, "#fin-lots");
    w.shot("fr-1366-lot-de-vente");

    // ---- the price complement: above the limit, the error shows in the dialog ----
    let option = complement_of(&w, &camp, &crop);
    let max: i64 = option["max_per_kg"]
        .as_str()
        .unwrap_or("0")
        .parse()
        .expect("francs");
    assert!(
        max > 0,
        "the lot made something above the base price: {option}"
    );
    w.select("#complement-crop", &crop);
    w.type_into("#complement-per-kg", &(max + 1).to_string());
    w.click_on("#complement-submit");
    w.wait("#confirm-dialog");
    w.click_on("#confirm-yes");
    let err = w.text(&w.wait("#confirm-dialog .error"));
    assert!(
        err.contains(&(max + 1).to_string()) && digits(&err).contains(&max.to_string()),
        "the error says what was asked and what is allowed: {err}"
    );
    assert!(err.contains("disponible"), "in French: {err}");
    w.shot("fr-1366-complement-refuse");
    assert_eq!(
        complement_of(&w, &camp, &crop)["per_kg"],
        "0",
        "nothing stored"
    );
    w.click_on("#confirm-no");
    w.wait_gone("#confirm-dialog");
    // the field that caused it says so
    w.wait("#complement-per-kg[aria-invalid='true']");
    w.type_into("#complement-per-kg", &max.to_string());
    w.click_on("#complement-submit");
    confirm(&w);
    let cell = format!("tr.fin-complement[data-crop='{crop}'] .fin-per-kg");
    until("the table shows the complement", || {
        digits(&w.text(&w.wait(&cell))) == max.to_string()
    });
    assert_eq!(
        complement_of(&w, &camp, &crop)["per_kg"],
        max.to_string(),
        "the complement stored"
    );
    c.tables(&w, at, "#fin-complements");
    show(&w, "#fin-complements");
    w.shot("fr-1366-complement");

    // ---- settlement: reviewed, proposed, locked by the second secretary, exported ----
    w.click_on("#nav-settlement");
    w.click_on("#set-preview");
    w.wait("tr.set-line");
    let complement_total = w.text(&w.wait("#set-complement-total"));
    assert_ne!(digits(&complement_total), "0", "the complement is counted");
    c.tables(&w, at, "#set-lines, #set-debts");
    show(&w, "#set-lines");
    w.shot("fr-1366-reglement-apercu");
    w.click_on("#set-propose");
    w.wait("#set-proposal-mine");
    let me = w.sign_in_as_second_secretary("mil de Koutiala 5");
    w.click_on("#nav-settlement");
    w.click_on("#set-preview");
    let by = w.text(&w.wait("#set-proposal"));
    assert!(by.contains(&me), "proposed by the secretary: {by}");
    w.type_into("#set-note", "Règlement avec le complément de prix");
    w.click_on("#set-lock");
    confirm(&w);
    w.wait("#set-locked");
    w.click_on("#set-export-xlsx");
    let xlsx = w.listed_file("#set-export-result", ".xlsx");
    assert!(std::fs::read(&xlsx).expect("the XLSX").starts_with(b"PK"));
    c.tables(&w, at, "#set-lines, #set-debts, #set-runs");
    show(&w, "#set-debts");
    w.shot("fr-1366-reglement-arrete");
    // a member paid at settlement (deliveries, advances): their card is measured too
    let member = w
        .text(&w.wait("#set-lines tr.set-line td"))
        .trim()
        .to_owned();

    // ---- accounts: back as the office, the second secretary's account removed ----
    let second = w.invoke("app_status", None)["account_label"].clone();
    w.click_on("#lock-now");
    let office = w.invoke("vault_status", None)["accounts"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["label"] == "Bureau"))
        .and_then(|x| x["id"].as_str())
        .expect("the office's account")
        .to_owned();
    w.sign_in_as(&office, pass);
    w.click_on("#nav-device");
    let gone = w
        .invoke("list_accounts", None)
        .as_array()
        .and_then(|a| a.iter().find(|x| x["label"] == second))
        .and_then(|x| x["id"].as_str())
        .unwrap_or_else(|| panic!("the account {second}"))
        .to_owned();
    w.click_on(&format!("tr[data-account='{gone}'] .account-remove"));
    confirm(&w);
    w.wait_gone(&format!("tr[data-account='{gone}']"));
    let accounts = w.invoke("list_accounts", None);
    assert_eq!(
        accounts.as_array().map(Vec::len),
        Some(1),
        "only the office's account: {accounts}"
    );
    w.shot("fr-1366-compte-retire");

    // ---- every table and chart, at both sizes, in French then in English ----
    measure_everything(&mut w, &mut c, "fr-1366", &member);
    w.resize_page(1280, 720);
    measure_everything(&mut w, &mut c, "fr-1280", &member);
    w.click_on("#lang-en");
    w.wait_text("#nav-dashboard", "Dashboard");
    measure_everything(&mut w, &mut c, "en-1280", &member);

    // the complement above the limit, in English, inside the dialog
    w.click_on("#nav-finance");
    w.wait("#fin-complements tbody tr.fin-complement");
    w.select("#complement-crop", &crop);
    w.type_into("#complement-per-kg", &(max + 7).to_string());
    w.click_on("#complement-submit");
    w.wait("#confirm-dialog");
    w.click_on("#confirm-yes");
    let err = w.text(&w.wait("#confirm-dialog .error"));
    assert!(err.contains("available"), "in English: {err}");
    for french in ["disponible", "demandé", "complément", "surplus des lots"] {
        assert!(!err.contains(french), "no French in the English UI: {err}");
    }
    w.shot("en-1280-complement-refused");
    w.click_on("#confirm-no");
    w.wait_gone("#confirm-dialog");

    w.resize_page(1366, 768);
    measure_everything(&mut w, &mut c, "en-1366", &member);
    w.close();
    drop(driver);

    assert!(c.tables >= 40, "the tables were found: {}", c.tables);
    assert!(
        c.found.is_empty(),
        "{} figures or labels cut off:\n{}",
        c.found.len(),
        c.found.join("\n")
    );
}
