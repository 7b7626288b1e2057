//! The national tables as an XLSX workbook (as `sene_app`'s exports: a bold header row, kg and
//! francs as numbers with their formats). Staff get every sheet; a lender account only its
//! lines and its own line of the lenders' table.

use rust_decimal::Decimal;
use rust_xlsxwriter::{Workbook, XlsxError};
use sene_app::settlement::{write_sheet, Cell};
use sene_domain::{Kg, Lang, Money};

use super::page::{family, t};
use super::queries::{CampaignFigures, LenderFigures, LineFigures};
use super::WebError;

/// Francs (whole, formatted as the office's exports do).
fn francs(n: i64) -> Cell {
    Money::from_francs(n).map_or_else(|_| Cell::Number(n.into()), Cell::Money)
}

/// A count (members, contracts, bags, lots).
fn count(n: i64) -> Cell {
    Cell::Number(n.into())
}

/// Kilograms given in tenths.
fn kg(tenths: i64) -> Cell {
    Kg::from_tenths(tenths).map_or_else(|_| Cell::Number(Decimal::new(tenths, 1)), Cell::Kg)
}

/// A rate in tenths of a percent, empty when `whole` is nothing.
fn ratio(part: i64, whole: i64) -> Cell {
    if whole <= 0 {
        Cell::Empty
    } else {
        Cell::Number(Decimal::new(super::queries::rate(part, whole), 1))
    }
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
                count(r.members),
                count(r.contracts),
                kg(r.committed_tenths),
                kg(r.delivered_tenths),
                francs(r.advance_due),
                francs(r.disbursed),
                francs(r.recovered),
                ratio(r.recovered, r.disbursed),
                count(r.fertilizer_bags),
                francs(r.fertilizer_cost),
                count(r.lots),
                kg(r.lots_tenths),
                francs(r.lots_value),
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
                count(l.unions),
                count(l.lines),
                francs(l.principal),
                francs(l.drawn),
                francs(l.repaid),
                francs(l.interest),
                francs(l.outstanding()),
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
                francs(l.principal),
                francs(l.drawn),
                francs(l.repaid),
                francs(l.interest),
                francs(l.outstanding()),
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
            write_sheet(ws, &h, &rows)?;
            ws.set_column_width(0, 24)?;
        }
        wb.save_to_buffer()
    };
    go().map_err(|e| WebError::Xlsx(e.to_string()))
}
