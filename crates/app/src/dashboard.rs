//! The union office's dashboard for a campaign: where the season stands, per crop, per
//! cooperative and per agent; stock per warehouse; fertilizer; lenders; agents' cash.
//!
//! Every figure leaves out reversed money records (voided deliveries, reversed advances,
//! distributions, drawdowns, repayments and sale lots).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use sene_domain::*;
use sene_store::Db;
use serde::{Deserialize, Serialize};

use crate::reports::{agent_cash, agents_cash, settle_figures, CashPosition, FertilizerLine};
use crate::season::campaign;
use crate::settlement::Cell;
use crate::{Ledger, Result};

pub use crate::progress::{recovery_rate, Progress};

/// One crop of the campaign's family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CropLine {
    pub crop: Crop,
    pub progress: Progress,
}

/// One cooperative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CooperativeLine {
    pub cooperative_id: CooperativeId,
    pub code: String,
    pub progress: Progress,
}

/// One agent: what the agent paid and received, and the cash the agent holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentLine {
    pub agent_id: AgentId,
    pub name: String,
    /// Non-reversed advances the agent paid.
    pub disbursed: Money,
    /// Accepted kg of the non-voided deliveries the agent recorded.
    pub delivered: Kg,
    /// [`agent_cash`]: funds received − advances and balances paid + fertilizer cash − cash
    /// returned to the office.
    pub cash: CashPosition,
}

/// Stock of one crop in one warehouse, from this campaign's records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockLine {
    pub warehouse_id: WarehouseId,
    /// Empty when the warehouse is not in this store (a lot's source from another registry).
    pub warehouse: String,
    pub cooperative: String,
    pub crop: Crop,
    /// Accepted kg of non-voided deliveries into the warehouse.
    pub delivered: Kg,
    /// Kg taken by non-reversed sale lots.
    pub sold: Kg,
    /// delivered − sold (negative means a lot took more than was delivered).
    pub stock: Kg,
}

/// How the fertilizer handed out on credit or for cash comes back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FertilizerRecovery {
    /// Σ bags × frozen price of non-reversed distributions.
    pub cost: Money,
    /// Cash paid at distribution.
    pub cash_paid: Money,
    /// cost − cash: taken on credit, to be deducted at settlement.
    pub on_credit: Money,
    /// Credit covered by the delivered value at the dashboard's date: per member,
    /// min(credit, max(0, delivered value − advances − fees)) (advances are recovered first).
    pub credit_recovered: Money,
    /// cash paid + credit recovered.
    pub recovered: Money,
    /// cost − recovered.
    pub outstanding: Money,
}

/// One credit line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LenderLine {
    pub credit_line_id: CreditLineId,
    pub lender: String,
    /// None: a line tied to no campaign (shown in every campaign's dashboard).
    pub campaign_id: Option<CampaignId>,
    pub principal: Money,
    /// Non-reversed drawdowns.
    pub drawn: Money,
    /// principal − drawn.
    pub undrawn: Money,
    pub repaid_principal: Money,
    pub repaid_interest: Money,
    /// The exposure: drawn − principal repaid.
    pub outstanding: Money,
}

/// Totals over the credit lines.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LenderTotals {
    pub principal: Money,
    pub drawn: Money,
    pub repaid_principal: Money,
    pub repaid_interest: Money,
    pub outstanding: Money,
}

/// The dashboard of a campaign at a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub campaign_id: CampaignId,
    pub campaign: String,
    /// A campaign is one crop family: its lines are per crop of the family.
    pub family: CropFamily,
    pub date: NaiveDate,
    pub total: Progress,
    pub crops: Vec<CropLine>,
    /// By cooperative code.
    pub cooperatives: Vec<CooperativeLine>,
    /// Agents with any activity or cash in the campaign, by name.
    pub agents: Vec<AgentLine>,
    /// By warehouse id and crop.
    pub stock: Vec<StockLine>,
    /// Per product: needed, group orders, purchase orders, received, distributed, cost, cash.
    pub fertilizer: Vec<FertilizerLine>,
    pub fertilizer_recovery: FertilizerRecovery,
    pub lenders: Vec<LenderLine>,
    pub lender_totals: LenderTotals,
}

fn money(francs: i64) -> Result<Money> {
    Ok(Money::from_francs(francs)?)
}

/// The dashboard of a campaign at `date`: the contracts' advances and deliveries dated on or
/// before `date`, as the settlement at that date counts them (the date also sets the fees,
/// hence the fertilizer credit recovered).
///
/// # Errors
/// Unknown campaign, store errors, overflow.
pub fn dashboard(db: &Db<'_>, campaign_id: CampaignId, date: NaiveDate) -> Result<Dashboard> {
    let camp = campaign(db, campaign_id)?;
    let coops: HashMap<CooperativeId, String> = db
        .cooperatives()?
        .into_iter()
        .map(|c| (c.id, c.code))
        .collect();

    // contracts: per crop, per cooperative, total
    let mut total = Progress::default();
    let mut crops: BTreeMap<Crop, Progress> = BTreeMap::new();
    let mut by_coop: BTreeMap<(String, CooperativeId), Progress> = BTreeMap::new();
    // the contracts' figures at the date, read once for these lines and the settlement below
    let figures = db.campaign_contracts_upto(campaign_id, date)?;
    for f in &figures {
        let Some(line) = crate::progress::of_figures(&camp, f)? else {
            continue;
        };
        let code = coops.get(&f.cooperative_id).cloned().unwrap_or_default();
        for p in [
            &mut total,
            crops.entry(f.contract.crop).or_default(),
            by_coop.entry((code, f.cooperative_id)).or_default(),
        ] {
            p.add(&line)?;
        }
    }
    total.finish();
    let crops = crops
        .into_iter()
        .map(|(crop, mut progress)| {
            progress.finish();
            CropLine { crop, progress }
        })
        .collect();
    let cooperatives = by_coop
        .into_iter()
        .map(|((code, cooperative_id), mut progress)| {
            progress.finish();
            CooperativeLine {
                cooperative_id,
                code,
                progress,
            }
        })
        .collect();

    // agents and stock: one pass over the campaign's deliveries for both, one grouped pass
    // for every agent's cash
    let (activity, stock) = db.agent_activity_and_stock(campaign_id)?;
    let mut cash_of = agents_cash(db, campaign_id)?;
    let mut agents = Vec::new();
    for a in activity {
        let cash = match cash_of.remove(&a.agent_id) {
            Some(c) => c,
            None => agent_cash(db, a.agent_id, campaign_id)?,
        };
        let line = AgentLine {
            agent_id: a.agent_id,
            name: a.name,
            disbursed: money(a.disbursed)?,
            delivered: Kg::from_tenths(a.delivered_t)?,
            cash,
        };
        let idle = !line.disbursed.is_positive()
            && !line.delivered.is_positive()
            && !line.cash.received.is_positive()
            && !line.cash.paid_out.is_positive()
            && !line.cash.fertilizer_cash.is_positive()
            && !line.cash.returned.is_positive();
        if !idle {
            agents.push(line);
        }
    }

    // stock
    let warehouses: HashMap<WarehouseId, (String, CooperativeId)> = db
        .warehouses(None)?
        .into_iter()
        .map(|w| (w.id, (w.name, w.cooperative_id)))
        .collect();
    let stock = stock
        .into_iter()
        .map(|s| -> Result<StockLine> {
            let delivered = Kg::from_tenths(s.delivered_t)?;
            let sold = Kg::from_tenths(s.sold_t)?;
            let (warehouse, cooperative) = warehouses.get(&s.warehouse_id).map_or_else(
                || (String::new(), String::new()),
                |(n, c)| (n.clone(), coops.get(c).cloned().unwrap_or_default()),
            );
            Ok(StockLine {
                warehouse_id: s.warehouse_id,
                warehouse,
                cooperative,
                crop: s.crop,
                delivered,
                sold,
                stock: delivered.checked_sub(sold)?,
            })
        })
        .collect::<Result<_>>()?;

    // fertilizer: the campaign report's lines, without the report's pass over the contracts
    let fertilizer = fertilizer_lines(db, campaign_id)?;
    let settlement = settle_figures(db, camp.clone(), date, &coops, &figures)?;
    let mut rec = FertilizerRecovery::default();
    for l in &fertilizer {
        rec.cost = rec.cost.checked_add(l.cost)?;
        rec.cash_paid = rec.cash_paid.checked_add(l.cash_paid)?;
        rec.on_credit = rec.on_credit.checked_add(l.on_credit)?;
    }
    for m in &settlement.members {
        let room = m
            .delivered_value
            .checked_sub(m.advances)?
            .checked_sub(m.fees)?;
        let covered = if room.is_positive() {
            room.min(m.fertilizer_credit)
        } else {
            Money::ZERO
        };
        rec.credit_recovered = rec.credit_recovered.checked_add(covered)?;
    }
    rec.recovered = rec.cash_paid.checked_add(rec.credit_recovered)?;
    rec.outstanding = rec.cost.checked_sub(rec.recovered)?;

    // lenders
    let mut lender_totals = LenderTotals::default();
    let mut lenders = Vec::new();
    for l in db.credit_line_figures(campaign_id)? {
        let principal = money(l.principal)?;
        let drawn = money(l.drawn)?;
        let repaid_principal = money(l.repaid_principal)?;
        let repaid_interest = money(l.repaid_interest)?;
        let outstanding = drawn.checked_sub(repaid_principal)?;
        lender_totals.principal = lender_totals.principal.checked_add(principal)?;
        lender_totals.drawn = lender_totals.drawn.checked_add(drawn)?;
        lender_totals.repaid_principal = lender_totals
            .repaid_principal
            .checked_add(repaid_principal)?;
        lender_totals.repaid_interest =
            lender_totals.repaid_interest.checked_add(repaid_interest)?;
        lender_totals.outstanding = lender_totals.outstanding.checked_add(outstanding)?;
        lenders.push(LenderLine {
            credit_line_id: l.credit_line_id,
            lender: l.lender,
            campaign_id: l.campaign_id,
            principal,
            drawn,
            undrawn: principal.checked_sub(drawn)?,
            repaid_principal,
            repaid_interest,
            outstanding,
        });
    }

    Ok(Dashboard {
        campaign_id,
        campaign: camp.name,
        family: camp.family,
        date,
        total,
        crops,
        cooperatives,
        agents,
        stock,
        fertilizer,
        fertilizer_recovery: rec,
        lenders,
        lender_totals,
    })
}

/// The fertilizer lines of [`crate::reports::campaign_report`] (per product: needed, ordered,
/// purchased, received, distributed, cost, cash paid, on credit = cost − cash paid).
fn fertilizer_lines(db: &Db<'_>, campaign_id: CampaignId) -> Result<Vec<FertilizerLine>> {
    db.fertilizer_totals(campaign_id)?
        .into_iter()
        .map(|t| -> Result<FertilizerLine> {
            let cost = money(t.cost)?;
            let cash_paid = money(t.cash_paid)?;
            Ok(FertilizerLine {
                product: t.product,
                needed_bags: t.needed_bags,
                ordered_bags: t.ordered_bags,
                purchased_bags: t.purchased_bags,
                received_bags: t.received_bags,
                distributed_bags: t.distributed_bags,
                cost,
                cash_paid,
                on_credit: cost.checked_sub(cash_paid)?,
            })
        })
        .collect()
}

/// One crop family over its campaigns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyLine {
    pub family: CropFamily,
    pub campaigns: Vec<CampaignId>,
    pub progress: Progress,
}

/// Per crop family, the totals of its campaigns (every campaign of the store).
///
/// # Errors
/// Store errors, overflow.
pub fn family_totals(db: &Db<'_>) -> Result<Vec<FamilyLine>> {
    let mut by: BTreeMap<CropFamily, FamilyLine> = BTreeMap::new();
    for id in db.campaign_ids()? {
        let camp = campaign(db, id)?;
        let line = by.entry(camp.family).or_insert_with(|| FamilyLine {
            family: camp.family,
            campaigns: Vec::new(),
            progress: Progress::default(),
        });
        line.campaigns.push(id);
        for f in db.campaign_contracts(id)? {
            if let Some(c) = crate::progress::of_figures(&camp, &f)? {
                line.progress.add(&c)?;
            }
        }
    }
    Ok(by
        .into_values()
        .map(|mut l| {
            l.progress.finish();
            l
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Exports

/// The columns of a progress table after its first (the cooperative, crop or family).
pub const PROGRESS_HEADERS: [&str; 7] = [
    "Contrats",
    "Engagé (kg)",
    "Livré (kg)",
    "Avance due (FCFA)",
    "Avances versées (FCFA)",
    "Recouvré en nature (FCFA)",
    "Taux de recouvrement (%)",
];

fn progress_row(first: String, p: &Progress) -> Vec<Cell> {
    vec![
        Cell::Text(first),
        Cell::Number(p.contracts.into()),
        Cell::Kg(p.committed),
        Cell::Kg(p.delivered),
        Cell::Money(p.advance_due),
        Cell::Money(p.disbursed),
        Cell::Money(p.recovered),
        Cell::Number(p.recovery_rate),
    ]
}

fn with_first<'a>(first: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut h = vec![first];
    h.extend_from_slice(rest);
    h
}

/// The progress per cooperative, then a `TOTAL` row (the CSV export of the dashboard).
#[must_use]
pub fn cooperative_rows(d: &Dashboard) -> Vec<Vec<Cell>> {
    let mut rows: Vec<Vec<Cell>> = d
        .cooperatives
        .iter()
        .map(|c| progress_row(c.code.clone(), &c.progress))
        .collect();
    rows.push(progress_row("TOTAL".into(), &d.total));
    rows
}

/// The dashboard's progress per cooperative as CSV in `style` (header, one row per
/// cooperative, `TOTAL`).
#[must_use]
pub fn dashboard_csv(d: &Dashboard, style: crate::export::CsvStyle) -> String {
    crate::export::csv(
        style,
        &with_first("Coopérative", &PROGRESS_HEADERS),
        &cooperative_rows(d),
    )
}

/// The whole dashboard as an XLSX workbook, one sheet per table: `Coopératives`, `Cultures`,
/// `Agents`, `Stock`, `Engrais`, `Prêteurs` (kg and francs as numbers, figures as shown).
///
/// # Errors
/// [`crate::AppError::Export`].
pub fn dashboard_xlsx(d: &Dashboard) -> Result<Vec<u8>> {
    let coop_h = with_first("Coopérative", &PROGRESS_HEADERS);
    let crop_h = with_first("Culture", &PROGRESS_HEADERS);
    let mut crops: Vec<Vec<Cell>> = d
        .crops
        .iter()
        .map(|c| progress_row(c.crop.label_fr().to_owned(), &c.progress))
        .collect();
    crops.push(progress_row("TOTAL".into(), &d.total));
    let agents: Vec<Vec<Cell>> = d
        .agents
        .iter()
        .map(|a| {
            vec![
                Cell::Text(a.name.clone()),
                Cell::Money(a.disbursed),
                Cell::Kg(a.delivered),
                Cell::Money(a.cash.received),
                Cell::Money(a.cash.paid_out),
                Cell::Money(a.cash.fertilizer_cash),
                Cell::Money(a.cash.returned),
                Cell::Money(a.cash.to_return),
            ]
        })
        .collect();
    let stock: Vec<Vec<Cell>> = d
        .stock
        .iter()
        .map(|s| {
            vec![
                Cell::Text(s.warehouse.clone()),
                Cell::Text(s.cooperative.clone()),
                Cell::Text(s.crop.label_fr().to_owned()),
                Cell::Kg(s.delivered),
                Cell::Kg(s.sold),
                Cell::Kg(s.stock),
            ]
        })
        .collect();
    let fertilizer: Vec<Vec<Cell>> = d
        .fertilizer
        .iter()
        .map(|f| {
            vec![
                Cell::Text(f.product.clone()),
                Cell::Number(f.needed_bags.into()),
                Cell::Number(f.ordered_bags.into()),
                Cell::Number(f.purchased_bags.into()),
                Cell::Number(f.received_bags.into()),
                Cell::Number(f.distributed_bags.into()),
                Cell::Money(f.cost),
                Cell::Money(f.cash_paid),
                Cell::Money(f.on_credit),
            ]
        })
        .collect();
    let mut lenders: Vec<Vec<Cell>> = d
        .lenders
        .iter()
        .map(|l| {
            vec![
                Cell::Text(l.lender.clone()),
                Cell::Money(l.principal),
                Cell::Money(l.drawn),
                Cell::Money(l.undrawn),
                Cell::Money(l.repaid_principal),
                Cell::Money(l.repaid_interest),
                Cell::Money(l.outstanding),
            ]
        })
        .collect();
    let t = &d.lender_totals;
    lenders.push(vec![
        Cell::Text("TOTAL".into()),
        Cell::Money(t.principal),
        Cell::Money(t.drawn),
        Cell::Money(t.principal.checked_sub(t.drawn)?),
        Cell::Money(t.repaid_principal),
        Cell::Money(t.repaid_interest),
        Cell::Money(t.outstanding),
    ]);
    crate::settlement::xlsx_sheets(&[
        ("Coopératives", &coop_h, cooperative_rows(d)),
        ("Cultures", &crop_h, crops),
        (
            "Agents",
            &[
                "Agent",
                "Avances versées (FCFA)",
                "Livré (kg)",
                "Fonds reçus (FCFA)",
                "Payé (FCFA)",
                "Espèces engrais (FCFA)",
                "Rendu au bureau (FCFA)",
                "À rendre (FCFA)",
            ],
            agents,
        ),
        (
            "Stock",
            &[
                "Magasin",
                "Coopérative",
                "Culture",
                "Livré (kg)",
                "Vendu (kg)",
                "Stock (kg)",
            ],
            stock,
        ),
        (
            "Engrais",
            &[
                "Produit",
                "Besoins (sacs)",
                "Commandes groupées (sacs)",
                "Achetés (sacs)",
                "Reçus (sacs)",
                "Distribués (sacs)",
                "Coût (FCFA)",
                "Payé comptant (FCFA)",
                "À crédit (FCFA)",
            ],
            fertilizer,
        ),
        (
            "Prêteurs",
            &[
                "Prêteur",
                "Principal (FCFA)",
                "Tiré (FCFA)",
                "Non tiré (FCFA)",
                "Remboursé, principal (FCFA)",
                "Intérêts payés (FCFA)",
                "Encours (FCFA)",
            ],
            lenders,
        ),
    ])
    .map_err(|e| crate::AppError::Export(e.to_string()))
}

impl Ledger {
    /// [`family_totals`] on this ledger.
    ///
    /// # Errors
    /// As [`family_totals`].
    pub fn family_totals(&self) -> Result<Vec<FamilyLine>> {
        family_totals(&self.db())
    }

    /// [`dashboard`] on this ledger.
    ///
    /// # Errors
    /// As [`dashboard`].
    pub fn dashboard(&self, campaign_id: CampaignId, date: NaiveDate) -> Result<Dashboard> {
        dashboard(&self.db(), campaign_id, date)
    }
}
