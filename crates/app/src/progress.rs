//! One contract's figures, composed once: every front (settlement, campaign report, dashboard,
//! lender portfolio, collection sheet, member card, delivery preview, CLI) takes them from here.
//!
//! - **Which contracts count** ([`counts`]): a contract counts once approved (approved,
//!   disbursed, delivering, settled, defaulted). A contract that was never approved (requested),
//!   or was rejected or cancelled, counts only when money or goods moved on it — an advance paid
//!   and not reversed, or a delivery accepted and not voided — because then there is something
//!   to recover or to pay for: an advance paid on a contract cancelled later is still owed, and
//!   the kg delivered on it still belong to the member.
//! - **Advance due** ([`advance_due`]): the contract's terms, `round(advance share × base price
//!   × committed kg)`; in a campaign's figures ([`ContractProgress::due`]) only an approved
//!   contract's due is owed.
//! - **Value** ([`ContractProgress::value`]): the accepted kg at the base price within the
//!   commitment, plus the kg above it at the over-delivery price when the campaign buys them
//!   ([`over_price`]).
//! - **Recovered** ([`ContractProgress::recovered`]): the advance recovered in kind, `min(value
//!   of the accepted kg within the commitment, advances paid)`; [`recovery_rate`] over a set.

use rust_decimal::Decimal;
use sene_domain::rules;
use sene_domain::*;
use sene_store::ContractFigures;
use serde::{Deserialize, Serialize};

use crate::Result;

/// The advance a contract provides for, from its terms: `round(advance share × base price ×
/// committed kg)`, whatever its state.
///
/// # Errors
/// Overflow.
pub fn advance_due(camp: &Campaign, c: &Contract) -> Result<Money> {
    Ok(rules::advance_due(
        camp.advance_share,
        c.base_price,
        c.committed,
    )?)
}

/// The price of the kg delivered above the commitment: the crop's over-delivery price when the
/// campaign buys over-deliveries, otherwise none (those kg are worth nothing on the contract).
#[must_use]
pub fn over_price(camp: &Campaign, crop: Crop) -> Option<Money> {
    if camp.over_delivery_bought {
        camp.price(crop).ok().and_then(|p| p.over_delivery_price)
    } else {
        None
    }
}

/// Whether the contract counts in a campaign's figures (module doc): approved or later, or
/// anything paid or delivered on it.
#[must_use]
pub fn counts(state: ContractState, disbursed: Money, accepted: Kg) -> bool {
    approved(state) || disbursed.is_positive() || accepted.is_positive()
}

/// Approved or later: the contract's advance is owed.
#[must_use]
pub const fn approved(state: ContractState) -> bool {
    !matches!(
        state,
        ContractState::Requested | ContractState::Rejected | ContractState::Cancelled
    )
}

/// recovered / disbursed in %, one decimal, half-up; 100 when nothing was disbursed.
#[must_use]
pub fn recovery_rate(recovered: Money, disbursed: Money) -> Decimal {
    if !disbursed.is_positive() {
        return Decimal::ONE_HUNDRED;
    }
    (recovered.as_decimal() * Decimal::ONE_HUNDRED / disbursed.as_decimal())
        .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// Where one contract stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContractProgress {
    pub committed: Kg,
    /// Σ accepted kg of non-voided deliveries.
    pub delivered: Kg,
    /// [`advance_due`] when approved or later, zero otherwise.
    pub due: Money,
    /// Σ non-reversed advances paid.
    pub disbursed: Money,
    /// The accepted kg at the campaign's prices (module doc).
    pub value: Money,
    /// min(value of the accepted kg within the commitment, advances paid).
    pub recovered: Money,
}

impl ContractProgress {
    /// One contract's figures from what was paid and delivered on it.
    ///
    /// # Errors
    /// Overflow.
    pub fn of(camp: &Campaign, c: &Contract, disbursed: Money, delivered: Kg) -> Result<Self> {
        let due = if approved(c.state) {
            advance_due(camp, c)?
        } else {
            Money::ZERO
        };
        let within = rules::contract_value(delivered, c.committed, c.base_price, None)?;
        let value = rules::contract_value(
            delivered,
            c.committed,
            c.base_price,
            over_price(camp, c.crop),
        )?;
        Ok(Self {
            committed: c.committed,
            delivered,
            due,
            disbursed,
            value,
            recovered: within.min(disbursed),
        })
    }

    /// [`Self::of`] for a contract that [`counts`], `None` for one that does not.
    ///
    /// # Errors
    /// Overflow.
    pub fn counted(
        camp: &Campaign,
        c: &Contract,
        disbursed: Money,
        delivered: Kg,
    ) -> Result<Option<Self>> {
        if counts(c.state, disbursed, delivered) {
            Self::of(camp, c, disbursed, delivered).map(Some)
        } else {
            Ok(None)
        }
    }

    /// The value a delivery of `accepted` kg adds to this contract (what the delivery
    /// preview shows): the contract's value after it minus its value before, so the kg above
    /// the commitment are priced as the settlement prices them.
    ///
    /// # Errors
    /// Overflow.
    pub fn value_added(&self, camp: &Campaign, c: &Contract, accepted: Kg) -> Result<Money> {
        let after = rules::contract_value(
            self.delivered.checked_add(accepted)?,
            c.committed,
            c.base_price,
            over_price(camp, c.crop),
        )?;
        Ok(after.checked_sub(self.value)?)
    }

    /// Whether `accepted` more kg would take the contract above its commitment.
    #[must_use]
    pub fn over_committed_with(&self, accepted: Kg) -> bool {
        self.delivered
            .checked_add(accepted)
            .map_or(true, |after| after > self.committed)
    }
}

/// Committed vs delivered, advances due vs paid, and recovery, over a set of contracts that
/// [`counts`]: the dashboard's, the campaign report's and the lender portfolio's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Contracts counted ([`counts`]).
    pub contracts: u32,
    pub committed: Kg,
    /// Accepted kg of non-voided deliveries.
    pub delivered: Kg,
    /// Σ [`ContractProgress::due`]: the advance due of the approved contracts.
    pub advance_due: Money,
    /// Σ non-reversed advances paid.
    pub disbursed: Money,
    /// Σ [`ContractProgress::recovered`].
    pub recovered: Money,
    /// [`recovery_rate`] of the set.
    pub recovery_rate: Decimal,
}

impl Progress {
    /// Adds one contract.
    ///
    /// # Errors
    /// Overflow.
    pub fn add(&mut self, l: &ContractProgress) -> Result<()> {
        self.contracts += 1;
        self.committed = self.committed.checked_add(l.committed)?;
        self.delivered = self.delivered.checked_add(l.delivered)?;
        self.advance_due = self.advance_due.checked_add(l.due)?;
        self.disbursed = self.disbursed.checked_add(l.disbursed)?;
        self.recovered = self.recovered.checked_add(l.recovered)?;
        Ok(())
    }

    /// Computes the rate once every contract is added.
    pub fn finish(&mut self) {
        self.recovery_rate = recovery_rate(self.recovered, self.disbursed);
    }
}

/// A campaign's contract from the store's figures, counted or not ([`ContractProgress::counted`]).
///
/// # Errors
/// Overflow.
pub fn of_figures(camp: &Campaign, f: &ContractFigures) -> Result<Option<ContractProgress>> {
    let disbursed = Money::sum(f.disbursements.iter().map(|(m, _)| *m))?;
    ContractProgress::counted(camp, &f.contract, disbursed, f.accepted)
}
