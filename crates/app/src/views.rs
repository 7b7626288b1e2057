//! Read models for the screens: a member's card (every record and the balance per campaign) and
//! a cooperative's collection sheet. Figures come from the same rules and queries as the
//! settlement; nothing here writes.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sene_domain::*;
use sene_store::Db;

use crate::reports::{settle_campaign, MemberLine};
use crate::{AppError, Result};

/// A contract with its figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractLine {
    pub contract: Contract,
    pub campaign_name: String,
    /// [`crate::progress::advance_due`]: the contract's terms, whatever its state.
    pub advance_due: Money,
    /// Σ non-reversed disbursements.
    pub disbursed: Money,
    /// Σ accepted kg of non-voided deliveries.
    pub accepted: Kg,
    /// The contract's value at the campaign's prices (capped at the committed kg unless
    /// over-delivery is bought).
    pub value: Money,
    /// An advance may be paid on it on the card's date: the checks `Tx::disburse_advance`
    /// makes on the contract's state and the member's presence.
    pub may_disburse: bool,
    /// A delivery may be recorded on it: the check `Tx::record_delivery` makes on its state.
    pub may_deliver: bool,
}

/// A money record and whether it was reversed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marked<T> {
    pub record: T,
    /// The reversal's receipt, when reversed.
    pub reversed_by: Option<String>,
}

/// Everything about one member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberCard {
    pub member: Member,
    pub cooperative: Cooperative,
    pub contracts: Vec<ContractLine>,
    pub disbursements: Vec<Marked<Disbursement>>,
    pub deliveries: Vec<Marked<Delivery>>,
    pub distributions: Vec<Marked<FertilizerDistribution>>,
    pub payments: Vec<Marked<BalancePayment>>,
    /// Per campaign where the member has records: the settlement line at `date`.
    pub balances: Vec<(Campaign, MemberLine)>,
}

fn marked<T>(db: &Db<'_>, id: &str, record: T) -> Result<Marked<T>> {
    Ok(Marked {
        record,
        reversed_by: db.reversal_of(id)?.map(|r| r.recorded.receipt),
    })
}

fn missing(kind: &'static str, id: impl ToString) -> AppError {
    AppError::NotFound {
        kind,
        id: id.to_string(),
    }
}

/// A contract's figures from the campaign's rules, and what may be recorded on it on `date`.
///
/// # Errors
/// Unknown campaign, overflow.
pub fn contract_line(db: &Db<'_>, contract: Contract, date: NaiveDate) -> Result<ContractLine> {
    let camp = db
        .campaign(contract.campaign_id)?
        .ok_or_else(|| missing("campagne", contract.campaign_id))?;
    let disbursed = db.disbursed_on(contract.id)?;
    let accepted = db.accepted_on(contract.id)?;
    let p = crate::progress::ContractProgress::of(&camp, &contract, disbursed, accepted)?;
    let (advance_due, value) = (crate::progress::advance_due(&camp, &contract)?, p.value);
    let present = db
        .member(contract.member_id)?
        .is_some_and(|m| crate::registry::present_on(&m, date));
    Ok(ContractLine {
        may_disburse: contract.state.accepts_disbursement() && present,
        may_deliver: contract.state.accepts_delivery(),
        campaign_name: camp.name,
        advance_due,
        disbursed,
        accepted,
        value,
        contract,
    })
}

/// A member's card at `date` (the date interest fees are counted to).
///
/// # Errors
/// [`AppError::NotFound`], store errors.
pub fn member_card(db: &Db<'_>, member_id: MemberId, date: NaiveDate) -> Result<MemberCard> {
    // a registration merged into another shows the kept one's card, with both one's records
    let merges = crate::conflicts::merges(db)?;
    let group = merges.group(member_id);
    let member_id = merges.canonical(member_id);
    let member = db
        .member(member_id)?
        .ok_or_else(|| missing("membre", member_id))?;
    let cooperative = db
        .cooperative(member.cooperative_id)?
        .ok_or_else(|| missing("coopérative", member.cooperative_id))?;
    let mut contracts = Vec::new();
    let mut campaigns: BTreeMap<CampaignId, ()> = BTreeMap::new();
    let mut ids = sene_store::MemberRecordIds::default();
    for m in &group {
        for c in db.member_contracts(*m, None)? {
            campaigns.insert(c.campaign_id, ());
            contracts.push(contract_line(db, c, date)?);
        }
        // a campaign the member starts with a debt carried in, even before any contract there
        for (c, _) in db.member_debts_carried(*m)? {
            campaigns.insert(c, ());
        }
        let mine = db.member_record_ids(*m)?;
        ids.disbursements.extend(mine.disbursements);
        ids.deliveries.extend(mine.deliveries);
        ids.distributions.extend(mine.distributions);
        ids.payments.extend(mine.payments);
    }
    let mut disbursements = Vec::new();
    for id in ids.disbursements {
        if let Some(x) = db.disbursement(id)? {
            disbursements.push(marked(db, &id.to_string(), x)?);
        }
    }
    let mut deliveries = Vec::new();
    for id in ids.deliveries {
        if let Some(x) = db.delivery(id)? {
            deliveries.push(marked(db, &id.to_string(), x)?);
        }
    }
    let mut distributions = Vec::new();
    for id in ids.distributions {
        if let Some(x) = db.distribution(id)? {
            campaigns.insert(x.campaign_id, ());
            distributions.push(marked(db, &id.to_string(), x)?);
        }
    }
    let mut payments = Vec::new();
    for id in ids.payments {
        if let Some(x) = db.payment(id)? {
            payments.push(marked(db, &id.to_string(), x)?);
        }
    }
    let mut balances = Vec::new();
    for campaign_id in campaigns.into_keys() {
        let camp = db
            .campaign(campaign_id)?
            .ok_or_else(|| missing("campagne", campaign_id))?;
        let report = settle_campaign(db, campaign_id, date)?;
        if let Some(line) = report
            .members
            .into_iter()
            .find(|l| l.member_id == member_id)
        {
            balances.push((camp, line));
        }
    }
    Ok(MemberCard {
        member,
        cooperative,
        contracts,
        disbursements,
        deliveries,
        distributions,
        payments,
        balances,
    })
}

/// One line of a collection sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetLine {
    pub member_id: MemberId,
    pub number: String,
    pub full_name: String,
    pub crop: Crop,
    pub committed: Kg,
    pub delivered: Kg,
    /// max(0, committed − delivered).
    pub remaining: Kg,
    /// Σ non-reversed advances.
    pub advance: Money,
}

/// Who committed what and who delivered what, in one cooperative for one campaign: the sheet
/// an agent carries to the collection point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionSheet {
    pub cooperative: Cooperative,
    pub campaign: Campaign,
    pub lines: Vec<SheetLine>,
    pub committed: Kg,
    pub delivered: Kg,
    pub remaining: Kg,
    pub advance: Money,
}

/// The collection sheet of approved contracts (and of any contract with money or deliveries).
///
/// # Errors
/// [`AppError::NotFound`], store errors, overflow.
pub fn collection_sheet(
    db: &Db<'_>,
    cooperative_id: CooperativeId,
    campaign_id: CampaignId,
) -> Result<CollectionSheet> {
    let cooperative = db
        .cooperative(cooperative_id)?
        .ok_or_else(|| missing("coopérative", cooperative_id))?;
    let campaign = db
        .campaign(campaign_id)?
        .ok_or_else(|| missing("campagne", campaign_id))?;
    let labels: BTreeMap<MemberId, (String, String)> = db
        .members(Some(cooperative_id))?
        .into_iter()
        .map(|m| (m.id, (m.number, m.full_name)))
        .collect();
    // a merged registration's contracts are on the line of the one kept
    let merges = crate::conflicts::merges(db)?;
    let mut lines = Vec::new();
    for f in db.campaign_contracts(campaign_id)? {
        if f.cooperative_id != cooperative_id {
            continue;
        }
        let c = &f.contract;
        let Some(p) = crate::progress::of_figures(&campaign, &f)? else {
            continue;
        };
        let member_id = merges.canonical(c.member_id);
        let Some((number, full_name)) = labels.get(&member_id).cloned() else {
            continue;
        };
        let advance = p.disbursed;
        let remaining = if p.delivered >= p.committed {
            Kg::default()
        } else {
            p.committed.checked_sub(p.delivered)?
        };
        lines.push(SheetLine {
            member_id,
            number,
            full_name,
            crop: c.crop,
            committed: c.committed,
            delivered: f.accepted,
            remaining,
            advance,
        });
    }
    lines.sort_by(|a, b| a.number.cmp(&b.number).then(a.crop.cmp(&b.crop)));
    Ok(CollectionSheet {
        committed: Kg::sum(lines.iter().map(|l| l.committed))?,
        delivered: Kg::sum(lines.iter().map(|l| l.delivered))?,
        remaining: Kg::sum(lines.iter().map(|l| l.remaining))?,
        advance: Money::sum(lines.iter().map(|l| l.advance))?,
        cooperative,
        campaign,
        lines,
    })
}
