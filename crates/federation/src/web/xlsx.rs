//! The national tables as an XLSX workbook (as `sene_app`'s exports: a bold header row, kg and
//! francs as numbers with their formats). Staff get every sheet; a lender account only its
//! lines and its own line of the lenders' table.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use sene_domain::Lang;

use super::page::{family, t};
use super::queries::{CampaignFigures, LenderFigures, LineFigures};
use super::WebError;

enum Cell {
    Text(String),
    /// A whole number (members, bags, francs).
    Int(i64),
    /// Tenths (kg, percents).
    Tenths(i64),
    /// Nothing to tell (a rate of nothing).
    Empty,
}

/// A rate in tenths of a percent, empty when `whole` is nothing.
fn ratio(part: i64, whole: i64) -> Cell {
    if whole <= 0 {
        Cell::Empty
    } else {
        Cell::Tenths(super::queries::rate(part, whole))
    }
}

#[allow(clippy::cast_precision_loss)]
fn num(n: i64) -> f64 {
    n as f64
}

fn write(ws: &mut Worksheet, headers: &[&str], rows: &[Vec<Cell>]) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let one = Format::new().set_num_format("#,##0.0");
    let whole = Format::new().set_num_format("#,##0");
    for (c, h) in (0_u16..).zip(headers) {
        ws.write_string_with_format(0, c, *h, &bold)?;
    }
    for (r, row) in (1_u32..).zip(rows) {
        for (c, cell) in (0_u16..).zip(row) {
            match cell {
                Cell::Text(s) => ws.write_string(r, c, s).map(|_| ()),
                Cell::Empty => Ok(()),
                Cell::Int(n) => ws
                    .write_number_with_format(r, c, num(*n), &whole)
                    .map(|_| ()),
                // a tenth written as its decimal text's value: 12345 → 1234.5
                Cell::Tenths(n) => {
                    let sign = if *n < 0 { "-" } else { "" };
                    let v: f64 = format!("{sign}{}.{}", (n / 10).abs(), (n % 10).abs())
                        .parse()
                        .unwrap_or_default();
                    ws.write_number_with_format(r, c, v, &one).map(|_| ())
                }
            }?;
        }
        ws.set_column_width(0, 24)?;
    }
    Ok(())
}

fn campaign_sheet(lang: Lang, rows: &[CampaignFigures]) -> (Vec<&'static str>, Vec<Vec<Cell>>) {
    let h = vec![
        t(lang, "Union", "Union"),
        t(lang, "Filière", "Crop family"),
        t(lang, "Campagne", "Campaign"),
        t(lang, "Membres", "Members"),
        t(lang, "Contrats", "Contracts"),
        t(lang, "Engagé (kg)", "Committed (kg)"),
        t(lang, "Livré (kg)", "Delivered (kg)"),
        t(lang, "Avances dues (FCFA)", "Advances due (FCFA)"),
        t(lang, "Avances versées (FCFA)", "Advances paid (FCFA)"),
        t(lang, "Recouvré (FCFA)", "Recovered (FCFA)"),
        t(lang, "Taux de recouvrement (%)", "Recovery rate (%)"),
        t(lang, "Engrais (sacs)", "Fertilizer (bags)"),
        t(lang, "Engrais (FCFA)", "Fertilizer (FCFA)"),
        t(lang, "Lots vendus", "Sale lots"),
        t(lang, "Lots (kg)", "Lots (kg)"),
        t(lang, "Lots (FCFA)", "Lots (FCFA)"),
    ];
    let rows = rows
        .iter()
        .map(|r| {
            vec![
                Cell::Text(r.union.clone()),
                Cell::Text(family(&r.family, lang)),
                Cell::Text(r.campaign.clone()),
                Cell::Int(r.members),
                Cell::Int(r.contracts),
                Cell::Tenths(r.committed_tenths),
                Cell::Tenths(r.delivered_tenths),
                Cell::Int(r.advance_due),
                Cell::Int(r.disbursed),
                Cell::Int(r.recovered),
                ratio(r.recovered, r.disbursed),
                Cell::Int(r.fertilizer_bags),
                Cell::Int(r.fertilizer_cost),
                Cell::Int(r.lots),
                Cell::Tenths(r.lots_tenths),
                Cell::Int(r.lots_value),
            ]
        })
        .collect();
    (h, rows)
}

fn lender_sheet(lang: Lang, rows: &[LenderFigures]) -> (Vec<&'static str>, Vec<Vec<Cell>>) {
    let h = vec![
        t(lang, "Prêteur", "Lender"),
        t(lang, "Unions", "Unions"),
        t(lang, "Lignes", "Lines"),
        t(lang, "Montant des lignes (FCFA)", "Lines' principal (FCFA)"),
        t(lang, "Tiré (FCFA)", "Drawn (FCFA)"),
        t(lang, "Remboursé (FCFA)", "Repaid (FCFA)"),
        t(lang, "Intérêts payés (FCFA)", "Interest paid (FCFA)"),
        t(lang, "Encours (FCFA)", "Outstanding (FCFA)"),
        t(lang, "Remboursé / tiré (%)", "Repaid / drawn (%)"),
        t(
            lang,
            "Recouvrement des campagnes financées (%)",
            "Recovery of the campaigns financed (%)",
        ),
    ];
    let rows = rows
        .iter()
        .map(|l| {
            vec![
                Cell::Text(l.name.clone()),
                Cell::Int(l.unions),
                Cell::Int(l.lines),
                Cell::Int(l.principal),
                Cell::Int(l.drawn),
                Cell::Int(l.repaid),
                Cell::Int(l.interest),
                Cell::Int(l.outstanding()),
                ratio(l.repaid, l.drawn),
                ratio(l.financed_recovered, l.financed_disbursed),
            ]
        })
        .collect();
    (h, rows)
}

fn line_sheet(lang: Lang, rows: &[LineFigures]) -> (Vec<&'static str>, Vec<Vec<Cell>>) {
    let h = vec![
        t(lang, "Prêteur", "Lender"),
        t(lang, "Union", "Union"),
        t(lang, "Campagne", "Campaign"),
        t(lang, "Début", "Start"),
        t(lang, "Échéance", "Maturity"),
        t(lang, "Montant (FCFA)", "Principal (FCFA)"),
        t(lang, "Tiré (FCFA)", "Drawn (FCFA)"),
        t(lang, "Remboursé (FCFA)", "Repaid (FCFA)"),
        t(lang, "Intérêts payés (FCFA)", "Interest paid (FCFA)"),
        t(lang, "Encours (FCFA)", "Outstanding (FCFA)"),
    ];
    let rows = rows
        .iter()
        .map(|l| {
            vec![
                Cell::Text(l.lender.clone()),
                Cell::Text(l.union.clone()),
                Cell::Text(l.campaign.clone().unwrap_or_default()),
                Cell::Text(l.start.to_string()),
                Cell::Text(l.maturity.to_string()),
                Cell::Int(l.principal),
                Cell::Int(l.drawn),
                Cell::Int(l.repaid),
                Cell::Int(l.interest),
                Cell::Int(l.outstanding()),
            ]
        })
        .collect();
    (h, rows)
}

/// The workbook: the campaigns' sheet when given (staff), the lenders' and the lines'.
///
/// # Errors
/// [`WebError::Xlsx`].
pub fn workbook(
    lang: Lang,
    campaigns: Option<&[CampaignFigures]>,
    lenders: &[LenderFigures],
    lines: &[LineFigures],
) -> Result<Vec<u8>, WebError> {
    let go = || -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        let mut sheets = Vec::new();
        if let Some(c) = campaigns {
            sheets.push((t(lang, "Campagnes", "Campaigns"), campaign_sheet(lang, c)));
        }
        sheets.push((t(lang, "Prêteurs", "Lenders"), lender_sheet(lang, lenders)));
        sheets.push((
            t(lang, "Lignes de crédit", "Credit lines"),
            line_sheet(lang, lines),
        ));
        for (name, (h, rows)) in sheets {
            let ws = wb.add_worksheet();
            ws.set_name(name)?;
            write(ws, &h, &rows)?;
        }
        wb.save_to_buffer()
    };
    go().map_err(|e| WebError::Xlsx(e.to_string()))
}
