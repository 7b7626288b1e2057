//! Reports: the settlement of a campaign (per member, per cooperative, for the campaign) and
//! the campaign's progress (committed vs delivered, advances due vs paid, recovery, fertilizer).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sene_domain::rules::{self, SettlementInput};
use sene_domain::*;
use sene_store::Db;
use serde::{Deserialize, Serialize};

use crate::progress::Progress;
use crate::season::campaign;
use crate::{Ledger, Result};

/// One member's settlement line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberLine {
    pub member_id: MemberId,
    pub number: String,
    pub full_name: String,
    pub cooperative: String,
    pub committed: Kg,
    pub accepted: Kg,
    pub delivered_value: Money,
    /// The price complement on the counted kg (when the secretariat decided one).
    #[serde(default)]
    pub complement: Money,
    pub advances: Money,
    pub fees: Money,
    pub fertilizer_credit: Money,
    /// The debt carried in from the member's previous campaign of the crop family.
    #[serde(default)]
    pub carried_debt: Money,
    /// delivered value + complement − advances − fees − fertilizer credit − carried debt.
    pub net: Money,
    /// Balance already paid (non-reversed payments).
    pub paid: Money,
    /// Still to pay to the member: max(0, net − paid).
    pub remaining: Money,
    /// What the member owes and carries forward: max(0, −net).
    pub debt: Money,
}

/// Totals over a set of members.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub members: u32,
    pub committed: Kg,
    pub accepted: Kg,
    pub delivered_value: Money,
    #[serde(default)]
    pub complement: Money,
    pub advances: Money,
    pub fees: Money,
    pub fertilizer_credit: Money,
    #[serde(default)]
    pub carried_debt: Money,
    pub net: Money,
    pub payable: Money,
    pub debt: Money,
    pub paid: Money,
    pub remaining: Money,
    pub members_in_debt: u32,
}

impl Totals {
    /// Adds the totals of other members.
    pub(crate) fn merge(&mut self, o: &Totals) -> Result<()> {
        self.members += o.members;
        self.committed = self.committed.checked_add(o.committed)?;
        self.accepted = self.accepted.checked_add(o.accepted)?;
        self.delivered_value = self.delivered_value.checked_add(o.delivered_value)?;
        self.complement = self.complement.checked_add(o.complement)?;
        self.advances = self.advances.checked_add(o.advances)?;
        self.fees = self.fees.checked_add(o.fees)?;
        self.fertilizer_credit = self.fertilizer_credit.checked_add(o.fertilizer_credit)?;
        self.carried_debt = self.carried_debt.checked_add(o.carried_debt)?;
        self.net = self.net.checked_add(o.net)?;
        self.payable = self.payable.checked_add(o.payable)?;
        self.debt = self.debt.checked_add(o.debt)?;
        self.paid = self.paid.checked_add(o.paid)?;
        self.remaining = self.remaining.checked_add(o.remaining)?;
        self.members_in_debt += o.members_in_debt;
        Ok(())
    }

    pub(crate) fn add(&mut self, l: &MemberLine) -> Result<()> {
        self.members += 1;
        self.committed = self.committed.checked_add(l.committed)?;
        self.accepted = self.accepted.checked_add(l.accepted)?;
        self.delivered_value = self.delivered_value.checked_add(l.delivered_value)?;
        self.complement = self.complement.checked_add(l.complement)?;
        self.advances = self.advances.checked_add(l.advances)?;
        self.fees = self.fees.checked_add(l.fees)?;
        self.fertilizer_credit = self.fertilizer_credit.checked_add(l.fertilizer_credit)?;
        self.carried_debt = self.carried_debt.checked_add(l.carried_debt)?;
        self.net = self.net.checked_add(l.net)?;
        if l.net.is_positive() {
            self.payable = self.payable.checked_add(l.net)?;
        }
        self.debt = self.debt.checked_add(l.debt)?;
        self.paid = self.paid.checked_add(l.paid)?;
        self.remaining = self.remaining.checked_add(l.remaining)?;
        if l.debt.is_positive() {
            self.members_in_debt += 1;
        }
        Ok(())
    }
}

/// The settlement of a campaign at a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettlementReport {
    pub campaign_id: CampaignId,
    pub campaign: String,
    pub date: NaiveDate,
    pub fee: FeeModel,
    /// One line per member with a contract, fertilizer or a carried debt in the campaign, by
    /// cooperative and number.
    pub members: Vec<MemberLine>,
    /// Totals per cooperative code.
    pub cooperatives: BTreeMap<String, Totals>,
    pub totals: Totals,
    /// Each contract the settlement counts, with its advance due and its value, by member
    /// (a registration merged into another under the one kept).
    pub contracts: Vec<SettledContract>,
}

/// One contract in a settlement: what it was owed and what it is worth
/// ([`crate::progress::ContractProgress`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettledContract {
    pub contract_id: ContractId,
    pub member_id: MemberId,
    pub crop: Crop,
    pub state: ContractState,
    pub committed: Kg,
    pub accepted: Kg,
    /// The contract's advance due ([`crate::progress::advance_due`]); owed only when
    /// `approved`.
    pub advance_due: Money,
    pub approved: bool,
    /// Non-reversed advances paid on it, dated on or before the settlement's date.
    pub advances: Money,
    pub value: Money,
}

/// Computes every member's settlement for a campaign at `date` with the rules of
/// [`sene_domain::rules`]: only the advances, deliveries, fertilizer hand-outs and balance
/// payments dated on or before `date` count (the figures as they stood that day). Reversed
/// disbursements, voided deliveries and reversed distributions are left out whatever the
/// reversal's date: a reversal undoes a mistake, so the record never counted. The debts carried out of the previous campaign of the same
/// crop family (by its locked settlement) are deducted.
///
/// # Errors
/// Unknown campaign, store errors, overflow.
pub fn settle_campaign(
    db: &Db<'_>,
    campaign_id: CampaignId,
    date: NaiveDate,
) -> Result<SettlementReport> {
    let camp = campaign(db, campaign_id)?;
    let coops: HashMap<CooperativeId, String> = db
        .cooperatives()?
        .into_iter()
        .map(|c| (c.id, c.code))
        .collect();
    let figures = db.campaign_contracts_upto(campaign_id, date)?;
    settle_figures(db, camp, date, &coops, &figures)
}

/// [`settle_campaign`] of `camp` from its contracts' figures at `date`
/// ([`Db::campaign_contracts_upto`]) and the cooperatives' codes, already read (the
/// dashboard reads them for its own lines: one pass over the contracts serves both).
pub(crate) fn settle_figures(
    db: &Db<'_>,
    camp: Campaign,
    date: NaiveDate,
    coops: &HashMap<CooperativeId, String>,
    figures: &[sene_store::ContractFigures],
) -> Result<SettlementReport> {
    let campaign_id = camp.id;
    #[derive(Default)]
    struct Acc {
        committed: Kg,
        accepted: Kg,
        values: Vec<Money>,
        disb: Vec<(Money, NaiveDate)>,
        fert: Vec<rules::FertilizerLine>,
        carried: Money,
        complements: Vec<Money>,
    }
    let complement_of: HashMap<Crop, Money> = db
        .price_complements(campaign_id)?
        .into_iter()
        .filter(|(_, m)| m.is_positive())
        .collect();
    // a member registered twice and merged counts once, under the registration kept
    let merges = crate::conflicts::merges(db)?;
    let canon = |m: MemberId| merges.canonical(m);
    let mut acc: HashMap<MemberId, Acc> = HashMap::new();
    let mut settled = Vec::new();
    for f in figures {
        let c = &f.contract;
        let Some(progress) = crate::progress::of_figures(&camp, f)? else {
            continue;
        };
        let value = progress.value;
        settled.push(SettledContract {
            contract_id: c.id,
            member_id: canon(c.member_id),
            crop: c.crop,
            state: c.state,
            committed: c.committed,
            accepted: f.accepted,
            advance_due: crate::progress::advance_due(&camp, c)?,
            approved: crate::progress::approved(c.state),
            advances: progress.disbursed,
            value,
        });
        let a = acc.entry(canon(c.member_id)).or_default();
        if let Some(per_kg) = complement_of.get(&c.crop) {
            let counted = rules::counted_kg(f.accepted, c.committed, camp.over_delivery_bought);
            a.complements
                .push(rules::price_complement(counted, *per_kg)?);
        }
        a.committed = a.committed.checked_add(c.committed)?;
        a.accepted = a.accepted.checked_add(f.accepted)?;
        a.values.push(value);
        a.disb.extend(f.disbursements.iter().copied());
    }
    for f in db.campaign_fertilizer_upto(campaign_id, date)? {
        acc.entry(canon(f.member_id)).or_default().fert.push(f.line);
    }
    for (member, debt) in db.debts_carried_into(campaign_id)? {
        let a = acc.entry(canon(member)).or_default();
        a.carried = a.carried.checked_add(debt)?;
    }
    let mut paid: HashMap<MemberId, Money> = HashMap::new();
    for (member, amount) in db.campaign_payments_upto(campaign_id, date)? {
        let p = paid.entry(canon(member)).or_insert(Money::ZERO);
        *p = p.checked_add(amount)?;
    }
    let mut lines = Vec::with_capacity(acc.len());
    let members = acc.len();
    for (id, number, full_name, coop) in db.member_labels_of(|id| acc.contains_key(&id))? {
        let Some(a) = acc.remove(&id) else { continue };
        let s = rules::member_settlement(&SettlementInput {
            contract_values: a.values,
            disbursements: a.disb,
            fee: camp.fee,
            settlement_date: date,
            fertilizer: a.fert,
            carried_debt: a.carried,
            complements: a.complements,
        })?;
        let p = paid.get(&id).copied().unwrap_or(Money::ZERO);
        let remaining = s.net.checked_sub(p)?;
        lines.push(MemberLine {
            member_id: id,
            number,
            full_name,
            cooperative: coops.get(&coop).cloned().unwrap_or_default(),
            committed: a.committed,
            accepted: a.accepted,
            delivered_value: s.delivered_value,
            complement: s.complement,
            advances: s.advances,
            fees: s.fees,
            fertilizer_credit: s.fertilizer_credit,
            carried_debt: s.carried_debt,
            net: s.net,
            paid: p,
            remaining: if remaining.is_positive() {
                remaining
            } else {
                Money::ZERO
            },
            debt: s.debt(),
        });
    }
    // by cooperative, then number: the lines are put in their cooperative's bucket, the
    // buckets ordered by code, each sorted by number (a stable sort, as of the whole list by
    // both: the same order), so that the sort's cost grows with the members of a cooperative,
    // not of the union; each cooperative's lines are added up, then the union's totals from
    // the cooperatives' (sums of whole francs and kg: the same figures)
    let mut buckets: HashMap<String, Vec<MemberLine>> = HashMap::new();
    for l in lines {
        match buckets.get_mut(&l.cooperative) {
            Some(b) => b.push(l),
            None => {
                buckets.insert(l.cooperative.clone(), vec![l]);
            }
        }
    }
    let mut buckets: Vec<(String, Vec<MemberLine>)> = buckets.into_iter().collect();
    buckets.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut cooperatives: BTreeMap<String, Totals> = BTreeMap::new();
    let mut totals = Totals::default();
    let mut lines = Vec::with_capacity(members);
    for (code, mut run) in buckets {
        run.sort_by(|a, b| a.number.cmp(&b.number));
        let mut t = Totals::default();
        for l in &run {
            t.add(l)?;
        }
        totals.merge(&t)?;
        cooperatives.insert(code, t);
        lines.append(&mut run);
    }
    Ok(SettlementReport {
        campaign_id,
        campaign: camp.name,
        date,
        fee: camp.fee,
        members: lines,
        cooperatives,
        totals,
        contracts: settled,
    })
}

/// A campaign's progress for one cooperative and crop.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressLine {
    pub cooperative: String,
    pub crop: String,
    pub contracts: u32,
    pub committed: Kg,
    pub delivered: Kg,
    pub advance_due: Money,
    pub disbursed: Money,
    /// Σ per contract min(value of deliveries, advances paid): the advances recovered in kind.
    pub recovered: Money,
    /// recovered / disbursed, in % with one decimal (100 when nothing was disbursed).
    pub recovery_rate: Decimal,
}

impl ProgressLine {
    fn new(cooperative: String, crop: String, mut p: Progress) -> Self {
        p.finish();
        Self {
            cooperative,
            crop,
            contracts: p.contracts,
            committed: p.committed,
            delivered: p.delivered,
            advance_due: p.advance_due,
            disbursed: p.disbursed,
            recovered: p.recovered,
            recovery_rate: p.recovery_rate,
        }
    }
}

/// Fertilizer progress per product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FertilizerLine {
    pub product: String,
    pub needed_bags: i64,
    pub ordered_bags: i64,
    pub purchased_bags: i64,
    pub received_bags: i64,
    pub distributed_bags: i64,
    pub cost: Money,
    pub cash_paid: Money,
    pub on_credit: Money,
}

/// Where a campaign stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignReport {
    pub campaign_id: CampaignId,
    pub campaign: String,
    pub lines: Vec<ProgressLine>,
    pub total: ProgressLine,
    pub fertilizer: Vec<FertilizerLine>,
}

/// Committed vs delivered kg, advances due vs paid, recovery rate per cooperative and crop,
/// and fertilizer needed / ordered / received / distributed.
///
/// # Errors
/// Unknown campaign, store errors, overflow.
pub fn campaign_report(db: &Db<'_>, campaign_id: CampaignId) -> Result<CampaignReport> {
    let camp = campaign(db, campaign_id)?;
    let coops: HashMap<CooperativeId, String> = db
        .cooperatives()?
        .into_iter()
        .map(|c| (c.id, c.code))
        .collect();
    let mut by: BTreeMap<(String, String), Progress> = BTreeMap::new();
    let mut total = Progress::default();
    for f in db.campaign_contracts(campaign_id)? {
        let Some(p) = crate::progress::of_figures(&camp, &f)? else {
            continue;
        };
        let coop = coops.get(&f.cooperative_id).cloned().unwrap_or_default();
        let crop = f.contract.crop.label_fr().to_owned();
        for l in [by.entry((coop, crop)).or_default(), &mut total] {
            l.add(&p)?;
        }
    }
    let lines: Vec<ProgressLine> = by
        .into_iter()
        .map(|((cooperative, crop), p)| ProgressLine::new(cooperative, crop, p))
        .collect();
    let total = ProgressLine::new("TOTAL".into(), "toutes".into(), total);
    let fertilizer = db
        .fertilizer_totals(campaign_id)?
        .into_iter()
        .map(|t| -> Result<FertilizerLine> {
            let cost = Money::from_francs(t.cost)?;
            let cash = Money::from_francs(t.cash_paid)?;
            Ok(FertilizerLine {
                product: t.product,
                needed_bags: t.needed_bags,
                ordered_bags: t.ordered_bags,
                purchased_bags: t.purchased_bags,
                received_bags: t.received_bags,
                distributed_bags: t.distributed_bags,
                cost,
                cash_paid: cash,
                on_credit: cost.checked_sub(cash)?,
            })
        })
        .collect::<Result<_>>()?;
    Ok(CampaignReport {
        campaign_id,
        campaign: camp.name,
        lines,
        total,
        fertilizer,
    })
}

/// An agent's cash position for a campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashPosition {
    pub agent_id: AgentId,
    pub received: Money,
    pub paid_out: Money,
    pub fertilizer_cash: Money,
    /// Cash the agent already handed back to the office (cash returns, migration 6).
    pub returned: Money,
    /// received − paid out + fertilizer cash collected − returned: what the agent must still
    /// hand back (negative: more went out or came back than the agent ever held).
    pub to_return: Money,
}

/// An agent's cash: funds received − advances and balances paid + fertilizer cash collected
/// − cash already returned to the office.
///
/// # Errors
/// Store errors, overflow.
pub fn agent_cash(db: &Db<'_>, agent: AgentId, campaign_id: CampaignId) -> Result<CashPosition> {
    let (r, p, c) = db.agent_cash(agent, campaign_id)?;
    cash_position(&sene_store::AgentCash {
        agent_id: agent,
        received: r,
        paid: p,
        collected: c,
        returned: db.agent_cash_returned(agent, campaign_id)?,
    })
}

/// Every agent's cash in a campaign ([`agent_cash`] of each), by agent id, from one grouped
/// pass over the campaign's money records whatever the number of agents.
///
/// # Errors
/// Store errors, overflow.
pub fn agents_cash(db: &Db<'_>, campaign_id: CampaignId) -> Result<HashMap<AgentId, CashPosition>> {
    db.agents_cash(campaign_id)?
        .iter()
        .map(|c| Ok((c.agent_id, cash_position(c)?)))
        .collect()
}

/// The position of an agent's cash figures: what the agent must still hand back.
fn cash_position(c: &sene_store::AgentCash) -> Result<CashPosition> {
    let (received, paid_out, fertilizer_cash, returned) = (
        Money::from_francs(c.received)?,
        Money::from_francs(c.paid)?,
        Money::from_francs(c.collected)?,
        Money::from_francs(c.returned)?,
    );
    Ok(CashPosition {
        agent_id: c.agent_id,
        received,
        paid_out,
        fertilizer_cash,
        returned,
        to_return: received
            .checked_sub(paid_out)?
            .checked_add(fertilizer_cash)?
            .checked_sub(returned)?,
    })
}

impl Ledger {
    /// [`settle_campaign`] on this ledger.
    ///
    /// # Errors
    /// As [`settle_campaign`].
    pub fn settle_campaign(
        &self,
        campaign_id: CampaignId,
        date: NaiveDate,
    ) -> Result<SettlementReport> {
        settle_campaign(&self.db(), campaign_id, date)
    }

    /// [`campaign_report`] on this ledger.
    ///
    /// # Errors
    /// As [`campaign_report`].
    pub fn campaign_report(&self, campaign_id: CampaignId) -> Result<CampaignReport> {
        campaign_report(&self.db(), campaign_id)
    }
}
