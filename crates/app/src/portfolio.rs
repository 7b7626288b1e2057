//! The lender portfolio of a campaign per cooperative: advances disbursed, recovered in kind
//! (Σ per contract min(value delivered, advances paid)), outstanding, and the recovery rate;
//! with its CSV and XLSX exports.

use rust_decimal::Decimal;
use sene_domain::*;
use sene_store::Db;
use serde::{Deserialize, Serialize};

use crate::progress::recovery_rate;
use crate::reports::campaign_report;
use crate::settlement::Cell;
use crate::{AppError, Result};

/// One cooperative's line (or the `TOTAL` line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortfolioLine {
    pub cooperative: String,
    pub contracts: u32,
    pub advance_due: Money,
    pub disbursed: Money,
    pub recovered: Money,
    /// disbursed − recovered.
    pub outstanding: Money,
    /// recovered / disbursed, % with one decimal (100 when nothing was disbursed).
    pub recovery_rate: Decimal,
}

/// The portfolio of a campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Portfolio {
    pub campaign_id: CampaignId,
    pub campaign: String,
    /// By cooperative code.
    pub lines: Vec<PortfolioLine>,
    pub total: PortfolioLine,
}

fn line(cooperative: String) -> PortfolioLine {
    PortfolioLine {
        cooperative,
        contracts: 0,
        advance_due: Money::ZERO,
        disbursed: Money::ZERO,
        recovered: Money::ZERO,
        outstanding: Money::ZERO,
        recovery_rate: Decimal::ONE_HUNDRED,
    }
}

/// The campaign's portfolio per cooperative, from [`campaign_report`] (reversed records left
/// out, the contracts that count: [`crate::progress::counts`]).
///
/// # Errors
/// Unknown campaign, store errors, overflow.
pub fn lender_portfolio(db: &Db<'_>, campaign_id: CampaignId) -> Result<Portfolio> {
    let r = campaign_report(db, campaign_id)?;
    let mut lines: Vec<PortfolioLine> = Vec::new();
    let mut total = line("TOTAL".into());
    for p in &r.lines {
        if lines.last().is_none_or(|l| l.cooperative != p.cooperative) {
            lines.push(line(p.cooperative.clone()));
        }
        let Some(l) = lines.last_mut() else { continue };
        for l in [l, &mut total] {
            l.contracts += p.contracts;
            l.advance_due = l.advance_due.checked_add(p.advance_due)?;
            l.disbursed = l.disbursed.checked_add(p.disbursed)?;
            l.recovered = l.recovered.checked_add(p.recovered)?;
        }
    }
    for l in lines.iter_mut().chain(std::iter::once(&mut total)) {
        l.outstanding = l.disbursed.checked_sub(l.recovered)?;
        l.recovery_rate = recovery_rate(l.recovered, l.disbursed);
    }
    Ok(Portfolio {
        campaign_id,
        campaign: r.campaign,
        lines,
        total,
    })
}

/// The columns of a portfolio export.
pub const PORTFOLIO_HEADERS: [&str; 7] = [
    "Coopérative",
    "Contrats",
    "Avances dues (FCFA)",
    "Avances versées (FCFA)",
    "Recouvré en nature (FCFA)",
    "Encours (FCFA)",
    "Taux de recouvrement (%)",
];

/// The rows of a portfolio export: one per cooperative, then `TOTAL`.
#[must_use]
pub fn portfolio_rows(p: &Portfolio) -> Vec<Vec<Cell>> {
    p.lines
        .iter()
        .chain(std::iter::once(&p.total))
        .map(|l| {
            vec![
                Cell::Text(l.cooperative.clone()),
                Cell::Number(l.contracts.into()),
                Cell::Money(l.advance_due),
                Cell::Money(l.disbursed),
                Cell::Money(l.recovered),
                Cell::Money(l.outstanding),
                Cell::Number(l.recovery_rate),
            ]
        })
        .collect()
}

/// The portfolio as CSV in `style`.
#[must_use]
pub fn portfolio_csv(p: &Portfolio, style: crate::export::CsvStyle) -> String {
    crate::export::csv(style, &PORTFOLIO_HEADERS, &portfolio_rows(p))
}

/// The portfolio as an XLSX workbook (one sheet `Portefeuille`).
///
/// # Errors
/// [`AppError::Export`].
pub fn portfolio_xlsx(p: &Portfolio) -> Result<Vec<u8>> {
    crate::settlement::xlsx("Portefeuille", &PORTFOLIO_HEADERS, &portfolio_rows(p))
        .map_err(|e| AppError::Export(e.to_string()))
}
