//! Read models of the union's lending and selling: each lender's position at a date (principal
//! drawn and repaid, interest accrued and paid, what is due) and the campaign's sale lots with
//! their gross, net and surplus over the base price.
//!
//! Reversed drawdowns, lender repayments and sale lots are voided, as in the dashboard: they
//! count in no figure (a reversed lot is still listed, marked `reversed`, with its figures).
//!
//! The store has no typed list of these union-level records yet: they are read through
//! [`Db::list_rows`] (small tables: a union has a handful of credit lines and lots a season) and
//! [`Db::credit_line`]; reversals through [`Db::reversal_of`] (indexed by target).

use std::collections::HashMap;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use sene_domain::lending::interest_accrued;
use sene_domain::*;
use sene_store::{Db, StoreError, Table};
use serde::{Deserialize, Serialize};

use crate::season::campaign;
use crate::{AppError, Ledger, Result, Tx};
use sene_domain::validate;

/// A credit line's position at a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LenderPosition {
    pub credit_line_id: CreditLineId,
    /// The lender's name.
    pub lender: String,
    /// None: a line tied to no campaign.
    pub campaign_id: Option<CampaignId>,
    /// The line's principal (what may be drawn).
    pub principal: Money,
    pub annual_rate: Rate,
    pub start: NaiveDate,
    pub maturity: NaiveDate,
    /// Non-reversed drawdowns dated on or before the date.
    pub drawn: Money,
    /// Principal of the non-reversed repayments dated on or before the date.
    pub repaid_principal: Money,
    /// drawn − principal repaid (negative only if more principal was repaid than drawn).
    pub outstanding_principal: Money,
    /// [`interest_accrued`] up to the date: simple interest, Actual/365, on the principal
    /// outstanding day by day, rounded once to the franc.
    pub interest_accrued: Money,
    /// Interest of the non-reversed repayments dated on or before the date.
    pub repaid_interest: Money,
    /// accrued − repaid interest, not below 0 (interest paid ahead shows as nothing due).
    pub interest_due: Money,
    /// outstanding principal + interest due.
    pub total_due: Money,
}

/// Totals over credit lines: each field is the sum of the lines' field (so `interest_due` is
/// Σ per line max(0, accrued − paid), not the difference of the totals).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LenderPositionTotals {
    pub principal: Money,
    pub drawn: Money,
    pub repaid_principal: Money,
    pub outstanding_principal: Money,
    pub interest_accrued: Money,
    pub repaid_interest: Money,
    pub interest_due: Money,
    pub total_due: Money,
}

/// One sale lot and what it brings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleLotView {
    pub id: SaleLotId,
    pub campaign_id: CampaignId,
    pub crop: Crop,
    pub buyer: String,
    pub date: NaiveDate,
    /// Σ kg of the lot's sources.
    pub kg: Kg,
    pub price_per_kg: Money,
    /// round(kg × price per kg), half-up to the franc.
    pub gross: Money,
    pub costs: Money,
    /// gross − costs (negative when the costs exceed the sale).
    pub net: Money,
    /// net / kg, francs per kg with two decimals, half-up (0 for a lot of no kg).
    pub net_per_kg: Decimal,
    /// The campaign's base price per kg for the lot's crop (`Campaign::prices`, the price the
    /// campaign's contracts were made at), None if the campaign has no price for that crop.
    pub base_price_per_kg: Option<Money>,
    /// (net per kg − base price) × kg = round(net − base price × kg) when positive, 0 when the
    /// lot sold at or below the base price net of costs; None without a base price.
    pub above_base: Option<Money>,
    pub paid: bool,
    /// A reversed lot is voided: listed for the record, counted nowhere.
    pub reversed: bool,
}

type Row = serde_json::Map<String, serde_json::Value>;

fn rows(db: &Db<'_>, table: Table) -> Result<Vec<Row>> {
    Ok(db
        .list_rows(table, u32::MAX)?
        .into_iter()
        .filter_map(|v| match v {
            serde_json::Value::Object(o) => Some(o),
            _ => None,
        })
        .collect())
}

fn undecodable(table: Table, column: &'static str, row: &Row) -> StoreError {
    StoreError::Decode {
        table: table.name(),
        column,
        value: row.get(column).map(ToString::to_string).unwrap_or_default(),
    }
}

fn text<'r>(row: &'r Row, table: Table, column: &'static str) -> Result<&'r str> {
    Ok(row
        .get(column)
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| undecodable(table, column, row))?)
}

fn parsed<T: FromStr>(row: &Row, table: Table, column: &'static str) -> Result<T> {
    Ok(text(row, table, column)?
        .parse()
        .map_err(|_| undecodable(table, column, row))?)
}

fn integer(row: &Row, table: Table, column: &'static str) -> Result<i64> {
    Ok(row
        .get(column)
        .and_then(serde_json::Value::as_i64)
        .ok_or_else(|| undecodable(table, column, row))?)
}

fn money(row: &Row, table: Table, column: &'static str) -> Result<Money> {
    Ok(Money::from_francs(integer(row, table, column)?)?)
}

fn reversed(db: &Db<'_>, id: &str) -> Result<bool> {
    Ok(db.reversal_of(id)?.is_some())
}

/// The principal movements and interest paid of one credit line, non-reversed, any date.
#[derive(Default)]
struct LineEvents {
    /// (date, +drawn / −principal repaid)
    principal: Vec<(NaiveDate, Money)>,
    /// (date, interest paid)
    interest: Vec<(NaiveDate, Money)>,
}

/// Every credit line's position at `date`: the events dated on or before `date`, reversed
/// drawdowns and repayments left out; by lender name, then start, then id.
///
/// # Errors
/// Store errors, overflow.
pub fn lender_positions(db: &Db<'_>, date: NaiveDate) -> Result<Vec<LenderPosition>> {
    let lenders: HashMap<LenderId, String> = rows(db, Table::Lenders)?
        .iter()
        .map(|r| {
            Ok((
                parsed(r, Table::Lenders, "id")?,
                text(r, Table::Lenders, "name")?.to_owned(),
            ))
        })
        .collect::<Result<_>>()?;
    let mut events: HashMap<CreditLineId, LineEvents> = HashMap::new();
    for r in rows(db, Table::Drawdowns)? {
        if reversed(db, text(&r, Table::Drawdowns, "id")?)? {
            continue;
        }
        let line: CreditLineId = parsed(&r, Table::Drawdowns, "credit_line_id")?;
        events.entry(line).or_default().principal.push((
            parsed(&r, Table::Drawdowns, "date")?,
            money(&r, Table::Drawdowns, "amount")?,
        ));
    }
    for r in rows(db, Table::LenderRepayments)? {
        let t = Table::LenderRepayments;
        if reversed(db, text(&r, t, "id")?)? {
            continue;
        }
        let line: CreditLineId = parsed(&r, t, "credit_line_id")?;
        let on: NaiveDate = parsed(&r, t, "date")?;
        let e = events.entry(line).or_default();
        e.principal.push((on, money(&r, t, "principal")?.negated()));
        e.interest.push((on, money(&r, t, "interest")?));
    }

    let mut out = Vec::new();
    for r in rows(db, Table::CreditLines)? {
        let id: CreditLineId = parsed(&r, Table::CreditLines, "id")?;
        let Some(line) = db.credit_line(id)? else {
            continue;
        };
        let e = events.remove(&id).unwrap_or_default();
        let upto = |v: &[(NaiveDate, Money)], keep: fn(&Money) -> bool| {
            Money::sum(
                v.iter()
                    .filter(|(on, m)| *on <= date && keep(m))
                    .map(|(_, m)| *m),
            )
        };
        let drawn = upto(&e.principal, Money::is_positive)?;
        let repaid_principal = upto(&e.principal, Money::is_negative)?.negated();
        let repaid_interest = upto(&e.interest, |_| true)?;
        let outstanding_principal = drawn.checked_sub(repaid_principal)?;
        let accrued = interest_accrued(&e.principal, line.annual_rate, date)?;
        let interest_due = accrued.checked_sub(repaid_interest)?.max(Money::ZERO);
        out.push(LenderPosition {
            credit_line_id: id,
            lender: lenders.get(&line.lender_id).cloned().unwrap_or_default(),
            campaign_id: line.campaign_id,
            principal: line.principal,
            annual_rate: line.annual_rate,
            start: line.start,
            maturity: line.maturity,
            drawn,
            repaid_principal,
            outstanding_principal,
            interest_accrued: accrued,
            repaid_interest,
            interest_due,
            total_due: outstanding_principal.checked_add(interest_due)?,
        });
    }
    out.sort_by(|a, b| {
        (&a.lender, a.start, a.credit_line_id).cmp(&(&b.lender, b.start, b.credit_line_id))
    });
    Ok(out)
}

/// The sums of [`lender_positions`]' lines.
///
/// # Errors
/// Overflow.
pub fn lender_position_totals(positions: &[LenderPosition]) -> Result<LenderPositionTotals> {
    let mut t = LenderPositionTotals::default();
    for p in positions {
        t.principal = t.principal.checked_add(p.principal)?;
        t.drawn = t.drawn.checked_add(p.drawn)?;
        t.repaid_principal = t.repaid_principal.checked_add(p.repaid_principal)?;
        t.outstanding_principal = t
            .outstanding_principal
            .checked_add(p.outstanding_principal)?;
        t.interest_accrued = t.interest_accrued.checked_add(p.interest_accrued)?;
        t.repaid_interest = t.repaid_interest.checked_add(p.repaid_interest)?;
        t.interest_due = t.interest_due.checked_add(p.interest_due)?;
        t.total_due = t.total_due.checked_add(p.total_due)?;
    }
    Ok(t)
}

/// The sale lots of a campaign, reversed ones included and marked, by date then id. The base
/// price is the campaign's price for the lot's crop (`Campaign::prices`); contracts copy it
/// when requested, so it is the price members were promised.
///
/// # Errors
/// Unknown campaign, store errors, overflow.
pub fn sale_lots(db: &Db<'_>, campaign_id: CampaignId) -> Result<Vec<SaleLotView>> {
    let camp = campaign(db, campaign_id)?;
    let mut kg: HashMap<String, Kg> = HashMap::new();
    for r in rows(db, Table::SaleLotSources)? {
        let t = Table::SaleLotSources;
        let k = kg.entry(text(&r, t, "lot_id")?.to_owned()).or_default();
        *k = k.checked_add(Kg::from_tenths(integer(&r, t, "kg_t")?)?)?;
    }
    let mut out = Vec::new();
    for r in rows(db, Table::SaleLots)? {
        let t = Table::SaleLots;
        let lot_campaign: CampaignId = parsed(&r, t, "campaign_id")?;
        if lot_campaign != campaign_id {
            continue;
        }
        let id_text = text(&r, t, "id")?;
        let crop: Crop = parsed(&r, t, "crop")?;
        let lot_kg = kg.get(id_text).copied().unwrap_or_default();
        let price_per_kg = money(&r, t, "price_per_kg")?;
        let costs = money(&r, t, "costs")?;
        let gross = Money::round_half_up(
            lot_kg
                .as_decimal()
                .checked_mul(price_per_kg.as_decimal())
                .ok_or(DomainError::Overflow)?,
        )?;
        let net = gross.checked_sub(costs)?;
        let net_per_kg = if lot_kg.is_positive() {
            (net.as_decimal() / lot_kg.as_decimal())
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        } else {
            Decimal::ZERO
        };
        let base_price_per_kg = camp.price(crop).ok().map(|p| p.base_price);
        let above_base = base_price_per_kg
            .map(|base| -> Result<Money> {
                let surplus = Money::round_half_up(
                    net.as_decimal()
                        - lot_kg
                            .as_decimal()
                            .checked_mul(base.as_decimal())
                            .ok_or(DomainError::Overflow)?,
                )?;
                Ok(surplus.max(Money::ZERO))
            })
            .transpose()?;
        out.push(SaleLotView {
            id: id_text.parse().map_err(|_| undecodable(t, "id", &r))?,
            campaign_id,
            crop,
            buyer: text(&r, t, "buyer")?.to_owned(),
            date: parsed(&r, t, "date")?,
            kg: lot_kg,
            price_per_kg,
            gross,
            costs,
            net,
            net_per_kg,
            base_price_per_kg,
            above_base,
            paid: integer(&r, t, "paid")? != 0,
            reversed: reversed(db, id_text)?,
        });
    }
    out.sort_by_key(|a| (a.date, a.id));
    Ok(out)
}

/// What one crop's lots of a campaign made above the base price, net of costs, and the price
/// complement per kg that surplus can pay on every kg the members' contracts count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplementOption {
    pub crop: Crop,
    pub base_price: Money,
    /// Σ `above_base` of the crop's lots that are not reversed.
    pub surplus: Money,
    /// Σ over the crop's contracts of the kg their value counts (accepted up to the committed
    /// kg, all accepted kg when the campaign buys over-delivery).
    pub counted: Kg,
    /// ⌊surplus / counted kg⌋ francs (0 when nothing is counted).
    pub max_per_kg: Money,
    /// The complement decided, francs per counted kg (0: none).
    pub per_kg: Money,
}

/// The price complement each crop of a campaign allows, and the one decided.
///
/// # Errors
/// Unknown campaign, store errors, overflow.
pub fn complement_options(db: &Db<'_>, campaign_id: CampaignId) -> Result<Vec<ComplementOption>> {
    let camp = campaign(db, campaign_id)?;
    let mut surplus: HashMap<Crop, Money> = HashMap::new();
    for l in sale_lots(db, campaign_id)? {
        if l.reversed {
            continue;
        }
        let s = surplus.entry(l.crop).or_default();
        *s = s.checked_add(l.above_base.unwrap_or_default())?;
    }
    let mut counted: HashMap<Crop, Kg> = HashMap::new();
    for f in db.campaign_contracts(campaign_id)? {
        let c = &f.contract;
        let kg = sene_domain::rules::counted_kg(f.accepted, c.committed, camp.over_delivery_bought);
        let k = counted.entry(c.crop).or_default();
        *k = k.checked_add(kg)?;
    }
    let decided: HashMap<Crop, Money> = db.price_complements(campaign_id)?.into_iter().collect();
    let mut out = Vec::new();
    for p in &camp.prices {
        let surplus = surplus.get(&p.crop).copied().unwrap_or_default();
        let counted = counted.get(&p.crop).copied().unwrap_or_default();
        let max_per_kg = if counted.is_positive() && surplus.is_positive() {
            Money::try_from_decimal((surplus.as_decimal() / counted.as_decimal()).floor())?
        } else {
            Money::ZERO
        };
        out.push(ComplementOption {
            crop: p.crop,
            base_price: p.base_price,
            surplus,
            counted,
            max_per_kg,
            per_kg: decided.get(&p.crop).copied().unwrap_or_default(),
        });
    }
    Ok(out)
}

/// What [`Tx::set_price_complement`] is given (kept in the audit row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetComplement {
    pub campaign_id: CampaignId,
    pub crop: Crop,
    /// Francs per counted kg; 0 takes a complement back.
    pub per_kg: Money,
}

impl Tx<'_, '_> {
    /// Decides the price complement of a campaign's crop: francs per kg counted by each
    /// contract's value, paid at settlement. It may not exceed what the crop's lots made above
    /// the base price net of costs, spread over the counted kg ([`complement_options`]).
    /// Secretariat only. A run locked before keeps its figures: a new run counts it.
    ///
    /// # Errors
    /// [`AppError::Forbidden`], unknown campaign or a crop it does not price, a negative or
    /// absurd amount, [`AppError::AboveAvailable`] above the surplus.
    pub fn set_price_complement(&self, cmd: SetComplement) -> Result<ComplementOption> {
        self.require(self.role.may_configure(), "fixer un complément de prix")?;
        validate::non_negative_money(
            "complément de prix au kg",
            cmd.per_kg,
            validate::limits::PRICE_PER_KG_MAX,
        )?;
        let camp = campaign(self.db, cmd.campaign_id)?;
        camp.price(cmd.crop)?;
        let option = complement_options(self.db, cmd.campaign_id)?
            .into_iter()
            .find(|o| o.crop == cmd.crop)
            .ok_or_else(|| AppError::Mismatch(format!("{} sans prix", cmd.crop.label_fr())))?;
        if cmd.per_kg > option.max_per_kg {
            return Err(AppError::AboveAvailable {
                what: "complément de prix au kg (surplus des lots net des frais, réparti sur les kg comptés)",
                requested: cmd.per_kg.to_string(),
                available: option.max_per_kg.to_string(),
            });
        }
        self.db
            .set_price_complement(cmd.campaign_id, cmd.crop, cmd.per_kg)?;
        self.audit(
            "set_price_complement",
            "campaign_price",
            &format!("{}/{}", cmd.campaign_id, cmd.crop.code()),
            &cmd,
        )?;
        Ok(ComplementOption {
            per_kg: cmd.per_kg,
            ..option
        })
    }
}

impl Ledger {
    /// [`lender_positions`] on this ledger.
    ///
    /// # Errors
    /// As [`lender_positions`].
    pub fn lender_positions(&self, date: NaiveDate) -> Result<Vec<LenderPosition>> {
        lender_positions(&self.db(), date)
    }

    /// [`sale_lots`] on this ledger.
    ///
    /// # Errors
    /// As [`sale_lots`].
    pub fn sale_lots(&self, campaign: CampaignId) -> Result<Vec<SaleLotView>> {
        sale_lots(&self.db(), campaign)
    }

    /// [`complement_options`] on this ledger.
    ///
    /// # Errors
    /// As [`complement_options`].
    pub fn complement_options(&self, campaign: CampaignId) -> Result<Vec<ComplementOption>> {
        complement_options(&self.db(), campaign)
    }
}
