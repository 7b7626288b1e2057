//! The money rules of a season, in one place.
//!
//! Every computed line is rounded **once**, half-up, to the franc (money) or to 0.1 kg
//! (weights). Sums of rounded lines are exact. Nothing here reads a clock or a file.
//!
//! | rule | formula |
//! |---|---|
//! | [`advance_due`] | round(advance share × base price × committed kg) |
//! | [`net_kg`] | gross kg − bags × tare |
//! | [`accepted_kg`] | round₀.₁(net × (100 − d) / 100), d = excess moisture + excess impurity (points) |
//! | [`contract_value`] | round(min(accepted, committed) × base price) + round(over × over price) if bought |
//! | [`fees`] | none; flat: round(rate × Σ amounts); interest: Σ round(amount × rate × days / 365) |
//! | [`fertilizer_credit`] | Σ round(bags × price per bag) − Σ cash paid |
//! | [`price_complement`] | round(counted kg × complement per kg) |
//! | [`member_settlement`] | Σ contract values + Σ complements − Σ disbursements − fees − fertilizer credit − carried debt |
//!
//! # Worked example: the 60/40 rule
//! A member commits 1 000 kg of paddy at 200 FCFA/kg. The advance due is
//! 60 % × 200 × 1 000 = 120 000 FCFA. With no fee and a full delivery of 1 000 accepted kg, the
//! contract is worth 200 000 FCFA and the member is paid 200 000 − 120 000 = **80 000 FCFA**,
//! the remaining 40 %.
//!
//! ```
//! use sene_domain::rules::*;
//! use sene_domain::*;
//! let price = Money::from_francs(200).unwrap();
//! let committed = Kg::from_kg(1000).unwrap();
//! let share: Rate = "0.60".parse().unwrap();
//! let due = advance_due(share, price, committed).unwrap();
//! assert_eq!(due.francs(), 120_000);
//! let value = contract_value(committed, committed, price, None).unwrap();
//! let s = member_settlement(&SettlementInput {
//!     contract_values: vec![value],
//!     disbursements: vec![(due, chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap())],
//!     fee: FeeModel::None,
//!     settlement_date: chrono::NaiveDate::from_ymd_opt(2027, 1, 15).unwrap(),
//!     fertilizer: vec![],
//!     carried_debt: Money::ZERO,
//!     complements: vec![],
//! }).unwrap();
//! assert_eq!(s.net.francs(), 80_000);
//! ```

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::quantity::{Kg, Money, Percent, Rate};
use crate::records::{FeeModel, QualityLimits};

/// The cash advance a contract entitles the member to.
///
/// `round(advance share × base price × committed kg)`.
///
/// ```
/// # use sene_domain::{rules::advance_due, Kg, Money, Rate};
/// // 60 % × 175 FCFA × 333,3 kg = 34 996,5 -> 34 997 FCFA (half-up)
/// let due = advance_due("0.6".parse().unwrap(), Money::from_francs(175).unwrap(), "333.3".parse().unwrap());
/// assert_eq!(due.unwrap().francs(), 34_997);
/// ```
///
/// # Errors
/// [`DomainError::Overflow`].
pub fn advance_due(share: Rate, base_price: Money, committed: Kg) -> Result<Money, DomainError> {
    let v = share
        .as_decimal()
        .checked_mul(base_price.as_decimal())
        .and_then(|x| x.checked_mul(committed.as_decimal()))
        .ok_or(DomainError::Overflow)?;
    Money::round_half_up(v)
}

/// Net weight: gross − bags × tare. May be zero or negative; [`accepted_kg`] and the delivery
/// validation refuse that.
///
/// ```
/// # use sene_domain::{rules::net_kg, Kg};
/// // 10 bags, 812,4 kg gross, 0,5 kg tare a bag -> 807,4 kg net
/// assert_eq!(net_kg("812.4".parse().unwrap(), 10, "0.5".parse().unwrap()).unwrap().tenths(), 8074);
/// ```
///
/// # Errors
/// [`DomainError::Overflow`].
pub fn net_kg(gross: Kg, bags: u32, tare: Kg) -> Result<Kg, DomainError> {
    let tare_total = tare
        .as_decimal()
        .checked_mul(Decimal::from(bags))
        .ok_or(DomainError::Overflow)?;
    Kg::round_half_up(
        gross
            .as_decimal()
            .checked_sub(tare_total)
            .ok_or(DomainError::Overflow)?,
    )
}

/// Points of % deducted for quality: excess moisture + excess impurity above the limits.
#[must_use]
pub fn quality_deduction(moisture: Percent, impurity: Percent, limits: QualityLimits) -> Decimal {
    let m = (moisture.as_decimal() - limits.max_moisture.as_decimal()).max(Decimal::ZERO);
    let i = (impurity.as_decimal() - limits.max_impurity.as_decimal()).max(Decimal::ZERO);
    m + i
}

/// Accepted weight: the net weight reduced by the points of moisture and impurity above the
/// limits, rounded half-up to 0.1 kg. Never below zero.
///
/// ```
/// # use sene_domain::{rules::accepted_kg, Kg, Percent, QualityLimits};
/// let limits = QualityLimits { max_moisture: "14".parse().unwrap(), max_impurity: "2".parse().unwrap() };
/// // 16 % moisture (2 points over) and 3 % impurity (1 point over): -3 %
/// // 807,4 × 0,97 = 783,178 -> 783,2 kg
/// let a = accepted_kg("807.4".parse().unwrap(), "16".parse().unwrap(), "3".parse().unwrap(), limits);
/// assert_eq!(a.unwrap().tenths(), 7832);
/// ```
///
/// # Errors
/// [`DomainError::Overflow`].
pub fn accepted_kg(
    net: Kg,
    moisture: Percent,
    impurity: Percent,
    limits: QualityLimits,
) -> Result<Kg, DomainError> {
    let d = quality_deduction(moisture, impurity, limits);
    let kept = (Decimal::ONE_HUNDRED - d).max(Decimal::ZERO);
    let v = net
        .as_decimal()
        .checked_mul(kept)
        .ok_or(DomainError::Overflow)?
        / Decimal::ONE_HUNDRED;
    Kg::round_half_up(v.max(Decimal::ZERO))
}

/// The value of a contract's deliveries.
///
/// `round(min(accepted, committed) × base price)`, plus `round((accepted − committed) × over
/// price)` when over-delivery is bought (`over_price` is `Some`). Each is one rounded line.
///
/// ```
/// # use sene_domain::{rules::contract_value, Kg, Money};
/// let p = Money::from_francs(200).unwrap();
/// let committed: Kg = "1000".parse().unwrap();
/// // 1 100 kg accepted, over-delivery bought at 180: 200 000 + 18 000
/// let bought = contract_value("1100".parse().unwrap(), committed, p, Some(Money::from_francs(180).unwrap()));
/// assert_eq!(bought.unwrap().francs(), 218_000);
/// // not bought: the extra 100 kg are worth nothing to the contract
/// assert_eq!(contract_value("1100".parse().unwrap(), committed, p, None).unwrap().francs(), 200_000);
/// ```
///
/// # Errors
/// [`DomainError::Overflow`].
pub fn contract_value(
    accepted: Kg,
    committed: Kg,
    base_price: Money,
    over_price: Option<Money>,
) -> Result<Money, DomainError> {
    let within = accepted.min(committed).max(Kg::ZERO);
    let base = Money::round_half_up(
        within
            .as_decimal()
            .checked_mul(base_price.as_decimal())
            .ok_or(DomainError::Overflow)?,
    )?;
    let over = match over_price {
        Some(price) if accepted > committed => Money::round_half_up(
            (accepted.as_decimal() - committed.as_decimal())
                .checked_mul(price.as_decimal())
                .ok_or(DomainError::Overflow)?,
        )?,
        _ => Money::ZERO,
    };
    base.checked_add(over)
}

/// Days of interest from a disbursement to the settlement date (actual days; zero if the
/// settlement date is not after the disbursement).
#[must_use]
pub fn interest_days(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days().max(0)
}

/// Fees on the non-reversed disbursements, per the campaign's fee model.
///
/// ```
/// # use sene_domain::{rules::fees, FeeModel, Money};
/// # use chrono::NaiveDate;
/// let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
/// let model = FeeModel::Interest { annual_rate: "0.10".parse().unwrap() };
/// // 100 000 on 1 June and 50 000 on 1 July, settled on 31 December 2026, 10 %/yr actual/365:
/// // 100 000 × 0,10 × 213 / 365 = 5 835,6 -> 5 836 ; 50 000 × 0,10 × 183 / 365 = 2 506,8 -> 2 507
/// let f = fees(model, &[(Money::from_francs(100_000).unwrap(), d(2026, 6, 1)),
///                      (Money::from_francs(50_000).unwrap(), d(2026, 7, 1))], d(2026, 12, 31));
/// assert_eq!(f.unwrap().francs(), 5_836 + 2_507);
/// ```
///
/// # Errors
/// [`DomainError::Overflow`].
pub fn fees(
    model: FeeModel,
    disbursements: &[(Money, NaiveDate)],
    settlement_date: NaiveDate,
) -> Result<Money, DomainError> {
    match model {
        FeeModel::None => Ok(Money::ZERO),
        FeeModel::Flat { rate } => {
            let total = Money::sum(disbursements.iter().map(|(m, _)| *m))?;
            Money::round_half_up(
                rate.as_decimal()
                    .checked_mul(total.as_decimal())
                    .ok_or(DomainError::Overflow)?,
            )
        }
        FeeModel::Interest { annual_rate } => {
            let mut sum = Money::ZERO;
            for (amount, date) in disbursements {
                let days = Decimal::from(interest_days(*date, settlement_date));
                let line = amount
                    .as_decimal()
                    .checked_mul(annual_rate.as_decimal())
                    .and_then(|x| x.checked_mul(days))
                    .ok_or(DomainError::Overflow)?
                    / Decimal::from(365);
                sum = sum.checked_add(Money::round_half_up(line)?)?;
            }
            Ok(sum)
        }
    }
}

/// One fertilizer distribution line, for [`fertilizer_credit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FertilizerLine {
    pub bags: u32,
    pub price_per_bag: Money,
    pub cash_paid: Money,
}

/// What a member still owes for fertilizer: Σ round(bags × price per bag) − Σ cash paid.
///
/// ```
/// # use sene_domain::{rules::*, Money};
/// // 4 bags of urea at 15 000 (2 paid cash, 30 000) and 2 bags of DAP at 17 500 on credit:
/// let lines = [
///     FertilizerLine { bags: 4, price_per_bag: Money::from_francs(15_000).unwrap(), cash_paid: Money::from_francs(30_000).unwrap() },
///     FertilizerLine { bags: 2, price_per_bag: Money::from_francs(17_500).unwrap(), cash_paid: Money::ZERO },
/// ];
/// assert_eq!(fertilizer_credit(&lines).unwrap().francs(), 60_000 + 35_000 - 30_000);
/// ```
///
/// # Errors
/// [`DomainError::Overflow`].
pub fn fertilizer_credit(lines: &[FertilizerLine]) -> Result<Money, DomainError> {
    let mut sum = Money::ZERO;
    for l in lines {
        sum = sum
            .checked_add(fertilizer_cost(l.bags, l.price_per_bag)?)?
            .checked_sub(l.cash_paid)?;
    }
    Ok(sum)
}

/// The cost of a fertilizer hand-out, a distribution's amount: `round(bags × price per bag)`.
///
/// ```
/// # use sene_domain::{rules::fertilizer_cost, Money};
/// assert_eq!(fertilizer_cost(3, Money::from_francs(15_000).unwrap()).unwrap().francs(), 45_000);
/// ```
///
/// # Errors
/// [`DomainError::Overflow`].
pub fn fertilizer_cost(bags: u32, price_per_bag: Money) -> Result<Money, DomainError> {
    Money::round_half_up(
        price_per_bag
            .as_decimal()
            .checked_mul(Decimal::from(bags))
            .ok_or(DomainError::Overflow)?,
    )
}

/// The kg a contract's value counts: accepted up to the committed kg, or all of them when the
/// campaign buys over-delivery.
///
/// ```
/// # use sene_domain::rules::counted_kg;
/// let (acc, com) = ("1200".parse().unwrap(), "1000".parse().unwrap());
/// assert_eq!(counted_kg(acc, com, false), com);
/// assert_eq!(counted_kg(acc, com, true), acc);
/// ```
#[must_use]
pub fn counted_kg(accepted: Kg, committed: Kg, over_delivery_bought: bool) -> Kg {
    if over_delivery_bought {
        accepted
    } else {
        accepted.min(committed)
    }
}

/// The price complement of one contract: `round(counted kg × complement per kg)`, the kg
/// being [`counted_kg`].
///
/// ```
/// # use sene_domain::{rules::price_complement, Kg, Money};
/// // 12 FCFA on 412,5 kg = 4 950 FCFA
/// let c = price_complement("412.5".parse().unwrap(), Money::from_francs(12).unwrap());
/// assert_eq!(c.unwrap().francs(), 4_950);
/// ```
///
/// # Errors
/// [`DomainError::Overflow`].
pub fn price_complement(counted: Kg, per_kg: Money) -> Result<Money, DomainError> {
    Money::round_half_up(
        counted
            .as_decimal()
            .checked_mul(per_kg.as_decimal())
            .ok_or(DomainError::Overflow)?,
    )
}

/// Everything a member's settlement for a campaign is computed from. Reversed disbursements,
/// voided deliveries and reversed distributions must already be left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettlementInput {
    /// [`contract_value`] of each of the member's contracts in the campaign.
    pub contract_values: Vec<Money>,
    /// Each non-reversed disbursement: amount and date.
    pub disbursements: Vec<(Money, NaiveDate)>,
    pub fee: FeeModel,
    pub settlement_date: NaiveDate,
    /// The member's non-reversed fertilizer distributions in the campaign.
    pub fertilizer: Vec<FertilizerLine>,
    /// The debt the member carries in from the previous campaign (a locked settlement's
    /// negative net), deducted like an advance. Zero or more.
    #[serde(default)]
    pub carried_debt: Money,
    /// [`price_complement`] of each of the member's contracts with a complement.
    #[serde(default)]
    pub complements: Vec<Money>,
}

/// A member's settlement, line by line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settlement {
    /// Σ contract values.
    pub delivered_value: Money,
    /// Σ non-reversed disbursements.
    pub advances: Money,
    pub fees: Money,
    pub fertilizer_credit: Money,
    /// The debt carried in from the previous campaign.
    #[serde(default)]
    pub carried_debt: Money,
    /// Σ price complements.
    #[serde(default)]
    pub complement: Money,
    /// delivered value + complement − advances − fees − fertilizer credit − carried debt.
    /// Positive: paid to the member; negative: a debt carried forward.
    pub net: Money,
}

impl Settlement {
    /// What the member is owed (zero when in debt).
    #[must_use]
    pub fn payable(&self) -> Money {
        if self.net.is_positive() {
            self.net
        } else {
            Money::ZERO
        }
    }

    /// What the member owes (zero when paid).
    #[must_use]
    pub fn debt(&self) -> Money {
        if self.net.is_negative() {
            self.net.negated()
        } else {
            Money::ZERO
        }
    }
}

/// A member's settlement for a campaign: Σ contract values + Σ price complements
/// − Σ non-reversed disbursements − fees − fertilizer credit − carried debt.
///
/// # Errors
/// [`DomainError::Overflow`]; [`DomainError::OutOfRange`] for a negative carried debt or
/// complement.
pub fn member_settlement(input: &SettlementInput) -> Result<Settlement, DomainError> {
    if input.carried_debt.is_negative() {
        return Err(DomainError::OutOfRange {
            field: "dette reportée",
            value: input.carried_debt.to_string(),
            min: "0".into(),
            max: "—".into(),
        });
    }
    let delivered_value = Money::sum(input.contract_values.iter().copied())?;
    if let Some(c) = input.complements.iter().find(|c| c.is_negative()) {
        return Err(DomainError::OutOfRange {
            field: "complément de prix",
            value: c.to_string(),
            min: "0".into(),
            max: "—".into(),
        });
    }
    let complement = Money::sum(input.complements.iter().copied())?;
    let advances = Money::sum(input.disbursements.iter().map(|(m, _)| *m))?;
    let fees = fees(input.fee, &input.disbursements, input.settlement_date)?;
    let fertilizer_credit = fertilizer_credit(&input.fertilizer)?;
    let net = delivered_value
        .checked_add(complement)?
        .checked_sub(advances)?
        .checked_sub(fees)?
        .checked_sub(fertilizer_credit)?
        .checked_sub(input.carried_debt)?;
    Ok(Settlement {
        delivered_value,
        advances,
        fees,
        fertilizer_credit,
        carried_debt: input.carried_debt,
        complement,
        net,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn m(f: i64) -> Money {
        Money::from_francs(f).unwrap_or_default()
    }
    fn kg(s: &str) -> Kg {
        Kg::from_str(s).unwrap_or_default()
    }
    fn rate(s: &str) -> Rate {
        Rate::from_str(s).unwrap_or_default()
    }
    fn pct(s: &str) -> Percent {
        Percent::from_str(s).unwrap_or_default()
    }
    fn date(y: i32, mo: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, mo, d).unwrap_or_default()
    }
    fn limits() -> QualityLimits {
        QualityLimits {
            max_moisture: pct("14"),
            max_impurity: pct("2"),
        }
    }

    #[test]
    fn sixty_forty_with_full_delivery_leaves_forty_percent() {
        let price = m(250);
        let committed = kg("2000");
        let due = advance_due(rate("0.6"), price, committed).unwrap_or_default();
        assert_eq!(due.francs(), 300_000);
        let value = contract_value(committed, committed, price, None).unwrap_or_default();
        let s = member_settlement(&SettlementInput {
            contract_values: vec![value],
            disbursements: vec![(due, date(2026, 6, 1))],
            fee: FeeModel::None,
            settlement_date: date(2027, 1, 10),
            fertilizer: vec![],
            carried_debt: Money::ZERO,
            complements: vec![],
        })
        .unwrap_or_else(|_| unreachable_settlement());
        assert_eq!(s.net.francs(), 200_000); // 40 % of 500 000
    }

    fn unreachable_settlement() -> Settlement {
        Settlement {
            delivered_value: Money::ZERO,
            advances: Money::ZERO,
            fees: Money::ZERO,
            fertilizer_credit: Money::ZERO,
            carried_debt: Money::ZERO,
            complement: Money::ZERO,
            net: Money::from_francs(-1).unwrap_or_default(),
        }
    }

    #[test]
    fn half_up_rounding_on_fractional_commitment_and_partial_delivery() {
        // 60 % × 185 × 412,5 kg = 45 787,5 -> 45 788
        let price = m(185);
        let committed = kg("412.5");
        let due = advance_due(rate("0.6"), price, committed).unwrap_or_default();
        assert_eq!(due.francs(), 45_788);
        // partial delivery of 300,3 accepted kg: 300,3 × 185 = 55 555,5 -> 55 556
        let value = contract_value(kg("300.3"), committed, price, None).unwrap_or_default();
        assert_eq!(value.francs(), 55_556);
        let s = member_settlement(&SettlementInput {
            contract_values: vec![value],
            disbursements: vec![(due, date(2026, 6, 1))],
            fee: FeeModel::None,
            settlement_date: date(2027, 1, 10),
            fertilizer: vec![],
            carried_debt: Money::ZERO,
            complements: vec![],
        })
        .unwrap_or_else(|_| unreachable_settlement());
        assert_eq!(s.net.francs(), 55_556 - 45_788);
    }

    #[test]
    fn moisture_and_impurity_above_limits() {
        // 20 bags, 1 010 kg gross, tare 0,5 -> 1 000 kg net; 16,5 % moisture (+2,5) and 3,2 %
        // impurity (+1,2): -3,7 % -> 963 kg
        let net = net_kg(kg("1010"), 20, kg("0.5")).unwrap_or_default();
        assert_eq!(net.tenths(), 10_000);
        let acc = accepted_kg(net, pct("16.5"), pct("3.2"), limits()).unwrap_or_default();
        assert_eq!(acc.tenths(), 9_630);
        // at the limits exactly, nothing is deducted
        let acc = accepted_kg(net, pct("14"), pct("2"), limits()).unwrap_or_default();
        assert_eq!(acc, net);
        // rounding to 0,1 kg half-up: 333,3 × 0,985 = 328,3005 -> 328,3 ; 333,5 × 0,99 = 330,165 -> 330,2
        assert_eq!(
            accepted_kg(kg("333.3"), pct("15.5"), pct("0"), limits()).map(|k| k.tenths()),
            Ok(3283)
        );
        assert_eq!(
            accepted_kg(kg("333.5"), pct("15"), pct("0"), limits()).map(|k| k.tenths()),
            Ok(3302)
        );
    }

    #[test]
    fn over_delivery_bought_and_not_bought() {
        let p = m(200);
        let c = kg("500");
        assert_eq!(
            contract_value(kg("620.5"), c, p, Some(m(150))).map(|v| v.francs()),
            Ok(100_000 + 18_075)
        );
        assert_eq!(
            contract_value(kg("620.5"), c, p, None).map(|v| v.francs()),
            Ok(100_000)
        );
        // below the commitment the over price plays no part
        assert_eq!(
            contract_value(kg("400"), c, p, Some(m(150))).map(|v| v.francs()),
            Ok(80_000)
        );
    }

    #[test]
    fn interest_on_two_tranches() {
        let model = FeeModel::Interest {
            annual_rate: rate("0.12"),
        };
        // 150 000 on 15 May 2026 -> 31 Jan 2027: 261 days: 150 000 × 0,12 × 261/365 = 12 871,23 -> 12 871
        // 90 000 on 1 Aug 2026 -> 183 days: 90 000 × 0,12 × 183/365 = 5 414,79 -> 5 415
        let f = fees(
            model,
            &[
                (m(150_000), date(2026, 5, 15)),
                (m(90_000), date(2026, 8, 1)),
            ],
            date(2027, 1, 31),
        );
        assert_eq!(f.map(|v| v.francs()), Ok(12_871 + 5_415));
        // a settlement date before a disbursement counts no days
        assert_eq!(
            fees(model, &[(m(90_000), date(2026, 8, 1))], date(2026, 7, 1)).map(|v| v.francs()),
            Ok(0)
        );
    }

    #[test]
    fn flat_fee_with_shortfall_leaves_a_debt() {
        // advance 120 000 at 2 % flat = 2 400 ; delivered only 500 of 1 000 kg at 200 = 100 000
        let s = member_settlement(&SettlementInput {
            contract_values: vec![
                contract_value(kg("500"), kg("1000"), m(200), None).unwrap_or_default()
            ],
            disbursements: vec![(m(120_000), date(2026, 6, 1))],
            fee: FeeModel::Flat { rate: rate("0.02") },
            settlement_date: date(2027, 1, 10),
            fertilizer: vec![],
            carried_debt: Money::ZERO,
            complements: vec![],
        })
        .unwrap_or_else(|_| unreachable_settlement());
        assert_eq!(s.fees.francs(), 2_400);
        assert_eq!(s.net.francs(), 100_000 - 120_000 - 2_400);
        assert_eq!(s.debt().francs(), 22_400);
        assert_eq!(s.payable(), Money::ZERO);
    }

    #[test]
    fn fertilizer_part_credit_part_cash() {
        let lines = [
            FertilizerLine {
                bags: 3,
                price_per_bag: m(16_500),
                cash_paid: m(20_000),
            },
            FertilizerLine {
                bags: 1,
                price_per_bag: m(18_000),
                cash_paid: m(18_000),
            },
        ];
        assert_eq!(
            fertilizer_credit(&lines).map(|v| v.francs()),
            Ok(49_500 - 20_000)
        );
        let s = member_settlement(&SettlementInput {
            contract_values: vec![m(200_000)],
            disbursements: vec![(m(120_000), date(2026, 6, 1))],
            fee: FeeModel::None,
            settlement_date: date(2027, 1, 10),
            fertilizer: lines.to_vec(),
            carried_debt: Money::ZERO,
            complements: vec![],
        })
        .unwrap_or_else(|_| unreachable_settlement());
        assert_eq!(s.net.francs(), 200_000 - 120_000 - 29_500);
    }

    #[test]
    fn a_carried_debt_is_deducted_and_may_carry_on() {
        let input = SettlementInput {
            contract_values: vec![m(200_000)],
            disbursements: vec![(m(120_000), date(2026, 6, 1))],
            fee: FeeModel::None,
            settlement_date: date(2027, 1, 10),
            fertilizer: vec![],
            carried_debt: m(22_400),
            complements: vec![],
        };
        let s = member_settlement(&input).unwrap_or_else(|_| unreachable_settlement());
        assert_eq!(s.carried_debt.francs(), 22_400);
        assert_eq!(s.net.francs(), 200_000 - 120_000 - 22_400);
        // a debt larger than the season's balance stays a debt
        let s = member_settlement(&SettlementInput {
            carried_debt: m(100_000),
            ..input.clone()
        })
        .unwrap_or_else(|_| unreachable_settlement());
        assert_eq!(s.debt().francs(), 20_000);
        assert!(member_settlement(&SettlementInput {
            carried_debt: m(-1),
            ..input
        })
        .is_err());
    }

    #[test]
    fn a_price_complement_adds_to_the_net() {
        let c = price_complement(kg("300.3"), m(15)).unwrap_or_default();
        // 300,3 × 15 = 4 504,5 -> 4 505
        assert_eq!(c.francs(), 4_505);
        let s = member_settlement(&SettlementInput {
            contract_values: vec![m(60_060)],
            disbursements: vec![(m(40_000), date(2026, 6, 1))],
            fee: FeeModel::None,
            settlement_date: date(2027, 1, 10),
            fertilizer: vec![],
            carried_debt: Money::ZERO,
            complements: vec![c, m(100)],
        })
        .unwrap_or_else(|_| unreachable_settlement());
        assert_eq!(s.complement.francs(), 4_605);
        assert_eq!(s.net.francs(), 60_060 + 4_605 - 40_000);
    }
}
