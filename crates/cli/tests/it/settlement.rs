//! `sene settlement`: lock, list, show with CSV and XLSX, statements and payment lists, run for
//! real on the demo union.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{json, sene};
use calamine::{Data, Reader};
use serde_json::Value;

fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn francs(v: &Value) -> i64 {
    match v {
        Value::String(s) => s.parse().unwrap(),
        Value::Number(n) => n.as_i64().unwrap(),
        other => panic!("not an amount: {other}"),
    }
}

#[test]
fn lock_list_show_export_and_print_a_settlement_run() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("sene.sqlite");
    json(&store, &["demo"]);
    let camp = "Riz 2026/27";
    // maker-checker: a second secretariat agent proposes, the demo's secretariat locks
    json(
        &store,
        &[
            "agent",
            "add",
            "--name",
            "Seconde secrétaire",
            "--role",
            "secretariat",
        ],
    );
    let propose = || {
        json(
            &store,
            &[
                "--agent",
                "Seconde secrétaire",
                "settlement",
                "propose",
                "--campaign",
                camp,
                "--date",
                "2027-01-15",
            ],
        )
    };
    propose();
    let first = json(
        &store,
        &[
            "settlement",
            "lock",
            "--campaign",
            camp,
            "--date",
            "2027-01-15",
        ],
    );
    let id = first["run"]["id"].as_str().unwrap().to_owned();
    let n = first["members"].as_array().unwrap().len();
    assert!(n > 0);
    propose();
    let second = json(
        &store,
        &[
            "settlement",
            "lock",
            "--campaign",
            camp,
            "--date",
            "2027-01-15",
            "--replaces",
            &id,
        ],
    );
    assert_eq!(second["run"]["replaces"].as_str(), Some(id.as_str()));
    assert_eq!(second["members"], first["members"]);
    let list = json(&store, &["settlement", "list", "--campaign", camp]);
    assert_eq!(list.as_array().unwrap().len(), 2);

    // show with both exports
    let (x, c) = (dir.path().join("r.xlsx"), dir.path().join("r.csv"));
    let shown = json(
        &store,
        &[
            "settlement",
            "show",
            &id,
            "--xlsx",
            x.to_str().unwrap(),
            "--csv",
            c.to_str().unwrap(),
        ],
    );
    assert_eq!(shown["run"], first);
    assert_eq!(shown["late_records"].as_array().unwrap().len(), 0);
    // Excel's French style by default: the UTF-8 BOM, `;`, CRLF
    let csv = std::fs::read_to_string(&c).unwrap();
    let csv = csv.strip_prefix('\u{feff}').expect("the UTF-8 BOM first");
    assert!(csv.ends_with("\r\n"));
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(';').collect()).collect();
    assert_eq!(rows.len(), n + 2);
    let total = rows.last().unwrap();
    assert_eq!(total[0], "TOTAL");
    let net_col = rows[0].iter().position(|h| *h == "Net (FCFA)").unwrap();
    assert_eq!(
        total[net_col].parse::<i64>().unwrap(),
        francs(&first["totals"]["net"])
    );
    let mut wb = calamine::open_workbook_auto(&x).unwrap();
    let range = wb.worksheet_range("Règlement").unwrap();
    let cells: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
    assert_eq!(cells.len(), n + 2);
    for (row, line) in cells[1..].iter().zip(first["members"].as_array().unwrap()) {
        assert_eq!(
            row[1],
            Data::String(line["number"].as_str().unwrap().into())
        );
        let net = francs(&line["net"]);
        assert_eq!(row[net_col], Data::Float(net as f64));
    }
    let last = cells.last().unwrap();
    assert_eq!(
        last[net_col],
        Data::Float(francs(&first["totals"]["net"]) as f64)
    );

    // statements: one per member, one payment list per cooperative
    let out = dir.path().join("docs");
    let files = json(
        &store,
        &[
            "settlement",
            "statements",
            &id,
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let coops = first["cooperatives"].as_object().unwrap().len();
    assert_eq!(files.as_array().unwrap().len(), n + coops);
    for f in files.as_array().unwrap() {
        let bytes = std::fs::read(f.as_str().unwrap()).unwrap();
        assert!(bytes.starts_with(b"%PDF-"), "{f}");
    }

    // the lender portfolio, with its exports
    let (px, pc) = (dir.path().join("p.xlsx"), dir.path().join("p.csv"));
    let p = json(
        &store,
        &[
            "report",
            "portfolio",
            "--campaign",
            camp,
            "--xlsx",
            px.to_str().unwrap(),
            "--csv",
            pc.to_str().unwrap(),
        ],
    );
    let total = &p["total"];
    assert_eq!(
        francs(&total["outstanding"]),
        francs(&total["disbursed"]) - francs(&total["recovered"])
    );
    let csv = std::fs::read_to_string(&pc).unwrap();
    let last: Vec<&str> = csv.lines().last().unwrap().split(';').collect();
    assert_eq!(last[0], "TOTAL");
    assert_eq!(last[3].parse::<i64>().unwrap(), francs(&total["disbursed"]));
    // the international style on request: `,` and a decimal point, still with the BOM
    json(
        &store,
        &[
            "report",
            "portfolio",
            "--campaign",
            camp,
            "--csv",
            pc.to_str().unwrap(),
            "--csv-style",
            "intl",
        ],
    );
    let csv = std::fs::read_to_string(&pc).unwrap();
    assert!(csv.starts_with('\u{feff}'));
    let last: Vec<&str> = csv.lines().last().unwrap().split(',').collect();
    assert_eq!(last[3].parse::<i64>().unwrap(), francs(&total["disbursed"]));
    let o = sene(
        &store,
        &[
            "report",
            "portfolio",
            "--campaign",
            camp,
            "--csv-style",
            "excel",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "an unknown style is refused");
    let mut wb = calamine::open_workbook_auto(&px).unwrap();
    let r = wb.worksheet_range("Portefeuille").unwrap();
    assert_eq!(r.rows().count(), p["lines"].as_array().unwrap().len() + 2);

    // an unknown run and a bad id are clear errors
    let o = sene(&store, &["settlement", "show", "pas-un-id"]);
    assert_eq!(o.status.code(), Some(1));
}

/// `sene sale-lot complement`: what the demo's lots allow per crop, a complement above it
/// refused with the reason, one within it set and paid by the settlement.
#[test]
fn a_price_complement_is_listed_refused_above_the_surplus_and_paid() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("sene.sqlite");
    json(&store, &["demo"]);
    let camp = "Riz 2026/27";
    let complement = |per_kg: Option<i64>| -> Vec<String> {
        let mut a: Vec<String> = ["sale-lot", "complement", "--campaign", camp]
            .map(str::to_owned)
            .to_vec();
        if let Some(n) = per_kg {
            a.extend([
                "--crop".into(),
                "paddy_rice".into(),
                "--per-kg".into(),
                n.to_string(),
            ]);
        }
        a
    };
    let report = || {
        json(
            &store,
            &[
                "report",
                "settlement",
                "--campaign",
                camp,
                "--date",
                "2027-01-15",
            ],
        )
    };
    let list = json(&store, &args(&complement(None)));
    let rice = list
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["crop"] == "paddy_rice")
        .expect("rice is priced in the demo campaign")
        .clone();
    let max = francs(&rice["max_per_kg"]);
    assert_eq!(francs(&rice["per_kg"]), 0);
    assert!(
        max > 0,
        "the demo's rice lots sold above the base price: {rice}"
    );
    let out = sene(&store, &args(&complement(Some(max + 1))));
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("complément de prix"), "{err}");
    let before = report();
    assert_eq!(francs(&before[0]["totals"]["complement"]), 0);
    let set = json(&store, &args(&complement(Some(max))));
    assert_eq!(francs(&set[0]["per_kg"]), max);
    let after = report();
    assert!(francs(&after[0]["totals"]["complement"]) > 0);
    assert_eq!(
        francs(&after[0]["totals"]["net"]) - francs(&before[0]["totals"]["net"]),
        francs(&after[0]["totals"]["complement"])
    );
}

/// `sene report dashboard … --xlsx --csv` on the demo union: both files written, the CSV's
/// total is the dashboard's.
#[test]
fn the_dashboard_report_is_exported_to_xlsx_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("sene.sqlite");
    json(&store, &["demo"]);
    let (x, c) = (dir.path().join("d.xlsx"), dir.path().join("d.csv"));
    let d = json(
        &store,
        &[
            "report",
            "dashboard",
            "--campaign",
            "Riz 2026/27",
            "--date",
            "2027-01-15",
            "--xlsx",
            x.to_str().unwrap(),
            "--csv",
            c.to_str().unwrap(),
        ],
    );
    let csv = std::fs::read_to_string(&c).unwrap();
    assert!(csv.starts_with("\u{feff}Coopérative;"), "{csv}");
    let total: Vec<&str> = csv.lines().last().unwrap().split(';').collect();
    assert_eq!(total[0], "TOTAL");
    // kg keep their decimal, with a comma: a figure such as 2688,4 reads as a number in Excel
    assert!(
        total[3].contains(',') && total[3].replace(',', ".").parse::<f64>().is_ok(),
        "{}",
        total[3]
    );
    assert_eq!(
        total[5].parse::<i64>().unwrap(),
        francs(&d["total"]["disbursed"])
    );
    let mut wb = calamine::open_workbook_auto(&x).unwrap();
    assert!(wb.sheet_names().contains(&"Stock".to_owned()));
    let coops = wb.worksheet_range("Coopératives").unwrap();
    assert_eq!(
        coops.rows().count(),
        d["cooperatives"].as_array().unwrap().len() + 2
    );
}
