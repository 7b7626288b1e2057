//! The contents of the office's reports for the small fixed union of `common`, compared with
//! the expected text under `tests/snapshots/`: the settlement run's CSV and XLSX (cells read
//! back), a cooperative's payment list and the members' statements (PDF text), the lender
//! portfolio (CSV and XLSX). Record ids are UUIDv7 made at run time: each is replaced by
//! `<id1>`, `<id2>`… in order of first appearance. The clock is fixed.
//!
//! After an intended change of a report, rewrite the expected files with
//! `SENE_BLESS=1 cargo test -p sene-app --test it snapshots::`, read the diff, and commit them.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::PathBuf;

use crate::common::{d, memory, Season};
use calamine::{Data, Reader};
use chrono::{TimeZone, Utc};
use sene_app::portfolio::{lender_portfolio, portfolio_csv, portfolio_xlsx};
use sene_app::settlement::*;
use sene_print::pdf_text;

/// The fixed union with its settlement locked on 15 January 2027, at 20 January 08:30 UTC.
fn locked() -> (Season, SettlementRun) {
    let mut s = memory();
    s.clock
        .set(Utc.with_ymd_and_hms(2027, 1, 20, 8, 30, 0).unwrap());
    let (sec, camp) = (s.sec, s.camp);
    crate::common::propose(&mut s, camp, d(2027, 1, 15));
    let run =
        s.l.run(&sec, |tx| {
            tx.lock_settlement(camp, d(2027, 1, 15), None, "règlement de janvier")
        })
        .unwrap();
    (s, run)
}

/// Every UUID (8-4-4-4-12 hex digits) replaced by `<idN>`, numbered by first appearance.
fn normalise(text: &str) -> String {
    let shape = [8, 4, 4, 4, 12];
    let is_uuid = |w: &str| {
        let parts: Vec<&str> = w.split('-').collect();
        parts.len() == 5
            && parts
                .iter()
                .zip(shape)
                .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let candidate = rest.get(..36).filter(|w| is_uuid(w));
        if let Some(w) = candidate {
            let n = seen.len() + 1;
            let n = *seen.entry(w.to_owned()).or_insert(n);
            out.push_str(&format!("<id{n}>"));
            rest = &rest[36..];
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// Every sheet of a workbook, one line per row, cells typed: `"text"`, numbers as written by
/// the spreadsheet, `·` for an empty cell.
fn workbook_text(bytes: &[u8]) -> String {
    let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut out = String::new();
    for name in wb.sheet_names() {
        out.push_str(&format!("== {name}\n"));
        let range = wb.worksheet_range(&name).unwrap();
        for row in range.rows() {
            let cells: Vec<String> = row
                .iter()
                .map(|c| match c {
                    Data::Empty => "·".to_owned(),
                    Data::String(s) => format!("{s:?}"),
                    Data::Float(f) => f.to_string(),
                    Data::Int(i) => i.to_string(),
                    other => format!("{other:?}"),
                })
                .collect();
            out.push_str(&cells.join(" | "));
            out.push('\n');
        }
    }
    out
}

fn snapshot(name: &str, got: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("snapshots")
        .join(name);
    let got = normalise(got).replace("\r\n", "\n");
    if std::env::var_os("SENE_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    if want != got {
        let line = want
            .lines()
            .zip(got.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| want.lines().count().min(got.lines().count()));
        panic!(
            "{name} differs from tests/snapshots/{name} at line {}:\n  expected: {:?}\n  got:      {:?}\n\
             whole text:\n{got}\n(after an intended change: SENE_BLESS=1 cargo test -p sene-app --test it snapshots::)",
            line + 1,
            want.lines().nth(line).unwrap_or("<end>"),
            got.lines().nth(line).unwrap_or("<end>"),
        );
    }
}

#[test]
fn the_settlement_exports_read_as_expected() {
    let (_, run) = locked();
    snapshot(
        "settlement.csv",
        &settlement_csv(&run, sene_app::export::CsvStyle::French),
    );
    snapshot(
        "settlement.xlsx.txt",
        &workbook_text(&settlement_xlsx(&run).unwrap()),
    );
}

#[test]
fn the_payment_list_and_the_statements_read_as_expected() {
    let (s, run) = locked();
    let db = s.l.db();
    snapshot(
        "payment_list.pdf.txt",
        &pdf_text(&payment_list_pdf(&db, run.run.id, s.coop).unwrap()),
    );
    // A is paid the balance; B owes a debt carried over
    snapshot(
        "statement_paid.pdf.txt",
        &pdf_text(&member_statement_pdf(&db, run.run.id, s.a).unwrap()),
    );
    snapshot(
        "statement_debt.pdf.txt",
        &pdf_text(&member_statement_pdf(&db, run.run.id, s.b).unwrap()),
    );
}

#[test]
fn the_lender_portfolio_reads_as_expected() {
    let (s, _) = locked();
    let p = lender_portfolio(&s.l.db(), s.camp).unwrap();
    snapshot(
        "portfolio.csv",
        &portfolio_csv(&p, sene_app::export::CsvStyle::French),
    );
    snapshot(
        "portfolio.xlsx.txt",
        &workbook_text(&portfolio_xlsx(&p).unwrap()),
    );
}

#[test]
fn ids_are_numbered_by_first_appearance() {
    let a = "01a20764-c177-7465-b519-46975f2c7f5f";
    let b = "01a20764-c174-77ff-a9bf-5a5b218d0376";
    assert_eq!(
        normalise(&format!("x {a},{b};{a} é")),
        "x <id1>,<id2>;<id1> é"
    );
}
