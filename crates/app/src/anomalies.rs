//! The anomaly queue of the union office: what looks wrong in a campaign, each with its
//! evidence (record ids and figures).
//!
//! Union-wide anomalies (sync conflicts, duplicate members, receipt gaps) are in every
//! campaign's queue; the others are the campaign's own.
//!
//! [`tell`] says each one for a person (who and what by name, the figures formatted, the
//! records to open, what to do), in French or English.

mod told;
pub mod weighing;

pub use told::{tell, title, Fact, Link, Target, Told};

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sene_domain::*;
use sene_store::Db;
use serde::{Deserialize, Serialize};

use crate::reports::{agent_cash, agents_cash, CashPosition};
use crate::season::campaign;
use crate::{Ledger, Result};

/// Why two members look like one person.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "by", content = "value", rename_all = "snake_case")]
pub enum DuplicateReason {
    /// The same member number in the same cooperative (two devices registered it offline).
    Number(String),
    /// The same phone number.
    Phone(String),
    /// The same national id.
    Nina(String),
    /// The same folded name and village, birth years within one year (or one unknown).
    NameVillage(String),
}

/// What is wrong, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AnomalyKind {
    /// An open row of the conflicts table: one field changed differently on two devices, or a
    /// probable duplicate the merge queued.
    SyncConflict {
        conflict_id: String,
        doc_id: String,
        table: String,
        record_key: String,
        field: String,
        money: bool,
        /// JSON array of the candidate values with their device, agent and time.
        candidates: String,
    },
    /// A device whose audit history, at its last sync, no longer gave the hashes the hub had
    /// received from it (a history rewritten in the file, or shortened): union-wide, shown in
    /// every campaign's queue.
    AuditRewritten {
        device_id: String,
        /// The head (audit sequence number) the hub checked.
        at_seq: i64,
        expected: String,
        got: String,
        reason: String,
        detected_at: String,
    },
    /// A USB file of a revoked device, kept whole for review and never merged: union-wide.
    QuarantinedFile {
        quarantine_id: i64,
        device_id: String,
        received_at: String,
        /// When the device wrote it.
        created_at: String,
        size: i64,
    },
    /// Two members (across the union) that look like one person.
    DuplicateMember {
        members: [MemberId; 2],
        reasons: Vec<DuplicateReason>,
    },
    /// Non-voided deliveries with the same member, contract, date, gross kg and bags.
    DuplicateDelivery {
        deliveries: Vec<DeliveryId>,
        member_id: MemberId,
        contract_id: ContractId,
        date: chrono::NaiveDate,
        gross: Kg,
        bags: u32,
    },
    /// Advances paid on an approved contract above its advance due.
    DisbursementAboveDue {
        contract_id: ContractId,
        disbursements: Vec<DisbursementId>,
        due: Money,
        disbursed: Money,
    },
    /// Advances paid on a contract that is not approved (requested, rejected, cancelled).
    DisbursementNotApproved {
        contract_id: ContractId,
        state: ContractState,
        disbursements: Vec<DisbursementId>,
        disbursed: Money,
    },
    /// Accepted kg of a contract above its committed kg.
    DeliveryAboveCommitted {
        contract_id: ContractId,
        committed: Kg,
        accepted: Kg,
    },
    /// Receipt numbers missing between the lowest and highest seen for a device.
    ReceiptGap {
        device_id: DeviceId,
        prefix: String,
        lowest: u64,
        highest: u64,
        missing: Vec<u64>,
    },
    /// An agent's cash does not reconcile: paid out and handed back more than received plus
    /// fertilizer cash collected (`position.to_return` is negative).
    AgentCashNegative {
        position: CashPosition,
        /// The francs that do not reconcile: −`position.to_return`.
        gap: Money,
    },
    /// The campaign is closed (a settlement run is locked) and an agent still holds cash:
    /// what the agent received + collected − paid out − returned is not zero.
    AgentCashOutstandingAfterClose {
        position: CashPosition,
        /// The newest locked run of the campaign.
        run_id: SettlementRunId,
        /// The francs still to return: `position.to_return`.
        gap: Money,
    },
    /// The newest physical count of a warehouse differs from its book stock at the count's
    /// date (accepted kg of non-voided deliveries − kg of non-reversed sale lots dated up to
    /// it).
    StockCountMismatch {
        warehouse_id: WarehouseId,
        count_id: i64,
        counted_on: chrono::NaiveDate,
        counted: Kg,
        book: Kg,
        /// counted − book (negative: kg missing from the warehouse).
        difference: Kg,
    },
    /// A member in debt (negative net) in the campaign's newest locked settlement run.
    SettlementDebt {
        run_id: SettlementRunId,
        member_id: MemberId,
        number: String,
        net: Money,
    },
    /// This office's store was put back from a backup (issue #16): from when, and what the
    /// laptops brought back or could not — the settlement runs locked after the backup (their
    /// carried debts came back; the runs themselves lived only in the lost store) and the
    /// receipts the lost store issued after the backup that came back with the laptops. Office
    /// records made after the backup (runs, resolutions, stock counts, cash returns) are to be
    /// redone.
    OfficeRestored {
        restored_at: String,
        backup_made_at: String,
        generation: u32,
        /// Settlement runs known from their carried debts but missing from this store.
        lost_runs: Vec<String>,
        /// Receipts of this office issued by the lost store after the backup, back from the
        /// laptops.
        receipts_back: Vec<String>,
        /// The highest receipt number of this office the backup knew.
        receipts_at_backup: i64,
    },
    /// A member who left (or died, was excluded, moved to another cooperative) with a
    /// contract, advance or delivery of the campaign dated on or after her departure: made
    /// concurrently on another laptop, or an heir's delivery. The records are kept; the
    /// secretariat reviews them.
    AfterDeparture {
        member_id: MemberId,
        status: MemberStatus,
        left_on: chrono::NaiveDate,
        /// `(kind, record id, date)`: kind `contract`, `disbursement` or `delivery`.
        records: Vec<(String, String, chrono::NaiveDate)>,
    },
    /// An agent or a warehouse that typed more of the campaign's weights by hand than the
    /// flag allows (`weighing.rs`, #21).
    HandWeighed { share: weighing::HandShare },
    /// A weighing ticket scanned at the office whose signature or figures did not match the
    /// books (`weighing.rs`, #21).
    TicketDiffers {
        check: crate::tickets::TicketCheck,
        scanned_at: String,
        scanned_by: AgentId,
    },
    /// A record of the campaign that arrived after its newest settlement run was locked (the
    /// run did not count it), until a newer run is locked.
    LateRecord {
        run_id: SettlementRunId,
        /// `delivery`, `disbursement`, `fertilizer_distribution` or `reversal`.
        record_kind: String,
        record_id: String,
        member_id: MemberId,
        date: chrono::NaiveDate,
        receipt: String,
    },
}

impl AnomalyKind {
    /// A short stable code for the kind.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            AnomalyKind::SyncConflict { .. } => "sync_conflict",
            AnomalyKind::AuditRewritten { .. } => "audit_rewritten",
            AnomalyKind::QuarantinedFile { .. } => "quarantined_file",
            AnomalyKind::DuplicateMember { .. } => "duplicate_member",
            AnomalyKind::DuplicateDelivery { .. } => "duplicate_delivery",
            AnomalyKind::DisbursementAboveDue { .. } => "disbursement_above_due",
            AnomalyKind::DisbursementNotApproved { .. } => "disbursement_not_approved",
            AnomalyKind::DeliveryAboveCommitted { .. } => "delivery_above_committed",
            AnomalyKind::ReceiptGap { .. } => "receipt_gap",
            AnomalyKind::AgentCashNegative { .. } => "agent_cash_negative",
            AnomalyKind::AgentCashOutstandingAfterClose { .. } => {
                "agent_cash_outstanding_after_close"
            }
            AnomalyKind::StockCountMismatch { .. } => "stock_count_mismatch",
            AnomalyKind::SettlementDebt { .. } => "settlement_debt",
            AnomalyKind::LateRecord { .. } => "late_record",
            AnomalyKind::AfterDeparture { .. } => "after_departure",
            AnomalyKind::OfficeRestored { .. } => "office_restored",
            AnomalyKind::HandWeighed { .. } => "hand_weighed",
            AnomalyKind::TicketDiffers { .. } => "ticket_differs",
        }
    }
}

/// One anomaly of the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anomaly {
    /// Stable while the evidence stays the same: `<kind>:<record ids>` (what a resolution log
    /// would reference).
    pub key: String,
    pub kind: AnomalyKind,
}

fn anomaly(kind: AnomalyKind, ids: &[String]) -> Anomaly {
    Anomaly {
        key: format!("{}:{}", kind.code(), ids.join(",")),
        kind,
    }
}

/// The anomaly queue of a campaign, in this order: sync conflicts, rewritten device
/// histories, quarantined files of revoked devices, duplicate members,
/// duplicate deliveries, advances above due or without approval, deliveries above the
/// commitment, receipt gaps, agents' cash, warehouse counts that differ from the book stock,
/// then, when the campaign has a locked settlement run, agents still holding cash, the
/// members in debt in the newest run and the records that arrived after it. The anomalies
/// the secretariat resolved (their key is in the campaign's resolution log) are left out.
///
/// # Errors
/// Unknown campaign, store errors, overflow.
pub fn anomalies(db: &Db<'_>, campaign_id: CampaignId) -> Result<Vec<Anomaly>> {
    let mut out = queue(db, campaign_id)?;
    let resolved: BTreeSet<String> = db
        .anomaly_resolutions(campaign_id)?
        .into_iter()
        .map(|r| r.key)
        .collect();
    out.retain(|a| !resolved.contains(&a.key));
    Ok(out)
}

/// The whole queue, resolved anomalies included.
pub(crate) fn queue(db: &Db<'_>, campaign_id: CampaignId) -> Result<Vec<Anomaly>> {
    let camp = campaign(db, campaign_id)?;
    let mut out = Vec::new();

    for c in db.conflicts(true)? {
        let id = c.id.clone();
        out.push(anomaly(
            AnomalyKind::SyncConflict {
                conflict_id: c.id,
                doc_id: c.doc_id,
                table: c.record_table,
                record_key: c.record_key,
                field: c.field,
                money: c.money,
                candidates: c.candidates,
            },
            &[id],
        ));
    }

    for b in db.audit_breaks()? {
        let ids = [b.device_id.clone(), b.at_seq.to_string()];
        out.push(anomaly(
            AnomalyKind::AuditRewritten {
                device_id: b.device_id,
                at_seq: b.at_seq,
                expected: b.expected,
                got: b.got,
                reason: b.reason,
                detected_at: b.detected_at,
            },
            &ids,
        ));
    }

    for q in db.quarantined()? {
        let ids = [q.id.to_string()];
        out.push(anomaly(
            AnomalyKind::QuarantinedFile {
                quarantine_id: q.id,
                device_id: q.device_id,
                received_at: q.received_at,
                created_at: q.created_at,
                size: q.size,
            },
            &ids,
        ));
    }

    out.extend(duplicate_members(db)?);
    out.extend(after_departure(db, campaign_id)?);

    for g in db.same_deliveries(campaign_id)? {
        let ids: Vec<String> = g.deliveries.iter().map(ToString::to_string).collect();
        out.push(anomaly(
            AnomalyKind::DuplicateDelivery {
                deliveries: g.deliveries,
                member_id: g.member_id,
                contract_id: g.contract_id,
                date: g.date,
                gross: g.gross,
                bags: g.bags,
            },
            &ids,
        ));
    }

    let mut disb: BTreeMap<ContractId, Vec<DisbursementId>> = BTreeMap::new();
    for (id, contract, _) in db.campaign_disbursement_ids(campaign_id)? {
        disb.entry(contract).or_default().push(id);
    }
    let figures = db.campaign_contracts(campaign_id)?;
    for f in &figures {
        let c = &f.contract;
        let disbursed = Money::sum(f.disbursements.iter().map(|(m, _)| *m))?;
        if disbursed.is_positive() {
            let ids = disb.get(&c.id).cloned().unwrap_or_default();
            let keys: Vec<String> = std::iter::once(c.id.to_string())
                .chain(ids.iter().map(ToString::to_string))
                .collect();
            if c.state.accepts_disbursement()
                || matches!(c.state, ContractState::Settled | ContractState::Defaulted)
            {
                let due = crate::progress::advance_due(&camp, c)?;
                if disbursed > due {
                    out.push(anomaly(
                        AnomalyKind::DisbursementAboveDue {
                            contract_id: c.id,
                            disbursements: ids,
                            due,
                            disbursed,
                        },
                        &keys,
                    ));
                }
            } else {
                out.push(anomaly(
                    AnomalyKind::DisbursementNotApproved {
                        contract_id: c.id,
                        state: c.state,
                        disbursements: ids,
                        disbursed,
                    },
                    &keys,
                ));
            }
        }
    }
    for f in &figures {
        let c = &f.contract;
        if f.accepted > c.committed {
            out.push(anomaly(
                AnomalyKind::DeliveryAboveCommitted {
                    contract_id: c.id,
                    committed: c.committed,
                    accepted: f.accepted,
                },
                &[c.id.to_string(), f.accepted.tenths().to_string()],
            ));
        }
    }

    // the weighing station: hand weights per agent and warehouse, paper tickets that differ
    out.extend(weighing::anomalies(db, &figures)?);
    out.extend(receipt_gaps(db)?);
    out.extend(restorations(db)?);

    let newest_run = crate::settlement::settlement_runs(db, Some(campaign_id))?
        .last()
        .map(|r| r.id);
    let mut outstanding = Vec::new();
    // every agent's cash in one grouped pass, listed by name as before
    let mut cash_of = agents_cash(db, campaign_id)?;
    for agent in db.agent_ids()? {
        let position = match cash_of.remove(&agent) {
            Some(p) => p,
            None => agent_cash(db, agent, campaign_id)?,
        };
        // the figures are the evidence: another record changes the key
        let keys = [agent.to_string(), position.to_return.francs().to_string()];
        if position.to_return.is_negative() {
            let gap = position.to_return.negated();
            out.push(anomaly(
                AnomalyKind::AgentCashNegative { position, gap },
                &keys,
            ));
        } else if let (Some(run_id), true) = (newest_run, position.to_return.is_positive()) {
            let gap = position.to_return;
            let keys = [keys[0].clone(), keys[1].clone(), run_id.to_string()];
            outstanding.push(anomaly(
                AnomalyKind::AgentCashOutstandingAfterClose {
                    position,
                    run_id,
                    gap,
                },
                &keys,
            ));
        }
    }

    out.extend(stock_count_mismatches(db, campaign_id)?);
    out.extend(outstanding);

    if let Some(run) = crate::settlement::settlement_runs(db, Some(campaign_id))?.last() {
        for l in db.settlement_lines(run.id)? {
            if l.net.is_negative() {
                out.push(anomaly(
                    AnomalyKind::SettlementDebt {
                        run_id: run.id,
                        member_id: l.member_id,
                        number: l.number,
                        net: l.net,
                    },
                    &[run.id.to_string(), l.member_id.to_string()],
                ));
            }
        }
        for r in crate::settlement::late_records(db, run.id)? {
            let keys = [run.id.to_string(), r.id.clone()];
            out.push(anomaly(
                AnomalyKind::LateRecord {
                    run_id: run.id,
                    record_kind: r.kind.to_owned(),
                    record_id: r.id,
                    member_id: r.member_id,
                    date: r.date,
                    receipt: r.receipt,
                },
                &keys,
            ));
        }
    }
    Ok(out)
}

/// Pairs of members that look like one person, by member id.
fn duplicate_members(db: &Db<'_>) -> Result<Vec<Anomaly>> {
    // a registration merged into another is not listed; a pair declared two people is settled
    let merges = crate::conflicts::merges(db)?;
    // only the members who share a key with another are read (in no given order: the pairs
    // found do not depend on it); each group is made again below from the exact keys
    let members = crate::conflicts::listed(db, db.duplicate_candidates()?)?;
    let mut phone: BTreeMap<&str, Vec<&Member>> = BTreeMap::new();
    let mut nina: BTreeMap<&str, Vec<&Member>> = BTreeMap::new();
    let mut number: BTreeMap<(CooperativeId, &str), Vec<&Member>> = BTreeMap::new();
    let mut name: BTreeMap<(String, String), Vec<&Member>> = BTreeMap::new();
    for m in &members {
        if let Some(p) = m.phone.as_deref() {
            phone.entry(p).or_default().push(m);
        }
        number
            .entry((m.cooperative_id, m.number.as_str()))
            .or_default()
            .push(m);
        if let Some(n) = m.nina.as_deref() {
            nina.entry(n).or_default().push(m);
        }
        name.entry((validate::fold(&m.full_name), m.village.to_lowercase()))
            .or_default()
            .push(m);
    }
    let mut pairs: BTreeMap<(MemberId, MemberId), BTreeSet<DuplicateReason>> = BTreeMap::new();
    let mut pair_up = |group: &[&Member], reason: &dyn Fn() -> DuplicateReason, years: bool| {
        for (i, a) in group.iter().enumerate() {
            for b in group.iter().skip(i + 1) {
                if years {
                    if let (Some(x), Some(y)) = (a.birth_year, b.birth_year) {
                        if (x - y).abs() > 1 {
                            continue;
                        }
                    }
                }
                let key = if a.id < b.id {
                    (a.id, b.id)
                } else {
                    (b.id, a.id)
                };
                pairs.entry(key).or_default().insert(reason());
            }
        }
    };
    for (p, g) in &phone {
        pair_up(g, &|| DuplicateReason::Phone((*p).to_owned()), false);
    }
    for ((_, n), g) in &number {
        pair_up(g, &|| DuplicateReason::Number((*n).to_owned()), false);
    }
    for (n, g) in &nina {
        pair_up(g, &|| DuplicateReason::Nina((*n).to_owned()), false);
    }
    for ((n, v), g) in &name {
        pair_up(
            g,
            &|| DuplicateReason::NameVillage(format!("{n} / {v}")),
            true,
        );
    }
    // a member and her record in the cooperative she moved to are one person, known as such
    let moved: BTreeSet<(MemberId, MemberId)> = members
        .iter()
        .filter_map(|m| {
            m.moved_to
                .map(|t| if m.id < t { (m.id, t) } else { (t, m.id) })
        })
        .collect();
    Ok(pairs
        .into_iter()
        .filter(|((a, b), _)| !merges.settled(*a, *b) && !moved.contains(&(*a, *b)))
        .map(|((a, b), reasons)| {
            anomaly(
                AnomalyKind::DuplicateMember {
                    members: [a, b],
                    reasons: reasons.into_iter().collect(),
                },
                &[a.to_string(), b.to_string()],
            )
        })
        .collect())
}

/// Members with records of the campaign dated on or after their departure, one entry each.
fn after_departure(db: &Db<'_>, campaign_id: CampaignId) -> Result<Vec<Anomaly>> {
    let mut by_member: BTreeMap<MemberId, Vec<(String, String, chrono::NaiveDate)>> =
        BTreeMap::new();
    for (m, kind, id, date) in db.records_after_departure(campaign_id)? {
        by_member
            .entry(m)
            .or_default()
            .push((kind.to_owned(), id, date));
    }
    let mut out = Vec::new();
    for (member_id, records) in by_member {
        let Some(m) = db.member(member_id)? else {
            continue;
        };
        let Some(left_on) = m.left_on else { continue };
        let mut ids = vec![member_id.to_string()];
        ids.extend(records.iter().map(|r| r.1.clone()));
        out.push(anomaly(
            AnomalyKind::AfterDeparture {
                member_id,
                status: m.status,
                left_on,
                records,
            },
            &ids,
        ));
    }
    Ok(out)
}

/// One entry per restoration of this store: what came back and what is to be redone.
fn restorations(db: &Db<'_>) -> Result<Vec<Anomaly>> {
    let restored = db.restorations()?;
    if restored.is_empty() {
        return Ok(Vec::new());
    }
    let lost_runs = db.carried_runs_missing()?;
    let own = db.setting(crate::settings::LOCAL_DEVICE)?;
    let prefix = match own.as_deref().and_then(|d| d.parse().ok()) {
        Some(d) => db.device(d)?.map(|d| d.receipt_prefix),
        None => None,
    };
    let mut out = Vec::new();
    for r in restored {
        let at_backup = prefix
            .as_ref()
            .and_then(|p| r.receipt_counters.get(p).copied())
            .unwrap_or(0);
        // the lost store's series is the one this store numbered in before the restore
        let series = sene_store::backup::series_of(r.from_generation);
        let mut back: Vec<(u64, String)> = Vec::new();
        if let (Some(p), Some(dev)) = (&prefix, &own) {
            let head = format!("{p}{series}");
            for (_, _, device, receipt_no) in db.money_receipts()? {
                if device.to_string() != *dev {
                    continue;
                }
                if let Some((pre, n)) = receipt::parse(&receipt_no) {
                    if pre == head && i64::try_from(n).unwrap_or(i64::MAX) > at_backup {
                        back.push((n, receipt_no));
                    }
                }
            }
        }
        back.sort();
        let receipts_back: Vec<String> = back.into_iter().map(|(_, r)| r).collect();
        let keys = [
            r.restored_at.clone(),
            lost_runs.join("+"),
            receipts_back.join("+"),
        ];
        out.push(anomaly(
            AnomalyKind::OfficeRestored {
                restored_at: r.restored_at,
                backup_made_at: r.backup_made_at,
                generation: r.to_generation,
                lost_runs: lost_runs.clone(),
                receipts_back,
                receipts_at_backup: at_backup,
            },
            &keys,
        ));
    }
    Ok(out)
}

/// Per device, the receipt numbers missing between the lowest and highest seen in every
/// table that carries receipts (advances, deliveries, distributions, balance payments,
/// reversals; voided records keep their numbers).
fn receipt_gaps(db: &Db<'_>) -> Result<Vec<Anomaly>> {
    // every record of the union is read: no allocation per record, the numbers sorted once;
    // a device's records mostly come together, so a run of one device and prefix is kept
    // aside and added to its list when the next record differs
    type ByDevice = HashMap<DeviceId, HashMap<String, Vec<u64>>>;
    fn flush(run: Option<(DeviceId, String, Vec<u64>)>, by_device: &mut ByDevice) {
        if let Some((device, prefix, nums)) = run {
            by_device
                .entry(device)
                .or_default()
                .entry(prefix)
                .or_default()
                .extend(nums);
        }
    }
    let mut by_device = ByDevice::new();
    let mut run: Option<(DeviceId, String, Vec<u64>)> = None;
    db.each_receipt(|device, receipt_no| {
        let Some((prefix, n)) = receipt::parse(receipt_no) else {
            return;
        };
        match &mut run {
            Some((d, p, nums)) if *d == device && p == prefix => nums.push(n),
            _ => {
                let next = Some((device, prefix.to_owned(), vec![n]));
                flush(std::mem::replace(&mut run, next), &mut by_device);
            }
        }
    })?;
    flush(run, &mut by_device);
    let seen: BTreeMap<(DeviceId, String), Vec<u64>> = by_device
        .into_iter()
        .flat_map(|(d, m)| m.into_iter().map(move |(p, nums)| ((d, p), nums)))
        .collect();
    let mut out = Vec::new();
    for ((device_id, prefix), nums) in seen {
        let Some((lowest, highest, missing)) = missing_numbers(nums) else {
            continue;
        };
        if !missing.is_empty() {
            let key = [
                device_id.to_string(),
                format!("{lowest}-{highest}"),
                missing.len().to_string(),
            ];
            out.push(anomaly(
                AnomalyKind::ReceiptGap {
                    device_id,
                    prefix,
                    lowest,
                    highest,
                    missing,
                },
                &key,
            ));
        }
    }
    Ok(out)
}

/// The lowest and highest of `nums` (in any order, repeats allowed) and the numbers between
/// them that are not in it, ascending; `None` when `nums` is empty. A device's numbers are
/// dense (a gap is an anomaly): they are marked in a bit set over their range, in time linear
/// in their count and range, without a sort; numbers too sparse for it (a range over 64 times
/// their count) are sorted instead.
fn missing_numbers(mut nums: Vec<u64>) -> Option<(u64, u64, Vec<u64>)> {
    let lowest = *nums.iter().min()?;
    let highest = *nums.iter().max()?;
    let span = highest - lowest;
    let dense = usize::try_from(span)
        .ok()
        .filter(|s| *s / 64 <= nums.len().saturating_add(64));
    let missing = match dense {
        Some(span) => {
            let mut seen = vec![0u64; span / 64 + 1];
            for n in &nums {
                // n − lowest ≤ span, which fits a usize
                let i = usize::try_from(n - lowest).unwrap_or(usize::MAX);
                if let Some(w) = seen.get_mut(i / 64) {
                    *w |= 1 << (i % 64);
                }
            }
            let mut missing = Vec::new();
            for (k, w) in seen.iter().enumerate().filter(|(_, w)| **w != u64::MAX) {
                for b in 0..64 {
                    let i = k * 64 + b;
                    if i <= span && w & (1 << b) == 0 {
                        missing.push(lowest + i as u64);
                    }
                }
            }
            missing
        }
        None => {
            nums.sort_unstable();
            nums.dedup();
            nums.windows(2).flat_map(|w| w[0] + 1..w[1]).collect()
        }
    };
    Some((lowest, highest, missing))
}

/// Per warehouse, its newest count (latest date, then latest entered) when it differs from
/// the book stock at the count's date. The book stocks come from one pass over the campaign's
/// deliveries and sale lots per warehouse and day, whatever the number of warehouses counted.
fn stock_count_mismatches(db: &Db<'_>, campaign_id: CampaignId) -> Result<Vec<Anomaly>> {
    let mut newest: BTreeMap<WarehouseId, sene_store::StockCount> = BTreeMap::new();
    // ordered by warehouse, date, entry: the last one of each warehouse wins
    for c in db.stock_counts(campaign_id)? {
        newest.insert(c.warehouse_id, c);
    }
    if newest.is_empty() {
        return Ok(Vec::new());
    }
    // per counted warehouse, delivered − sold on the days up to its count
    let mut book_of: BTreeMap<WarehouseId, i64> = BTreeMap::new();
    for d in db.campaign_stock_by_day(campaign_id)? {
        let Some(c) = newest.get(&d.warehouse_id) else {
            continue;
        };
        if d.date <= c.counted_on {
            let b = book_of.entry(d.warehouse_id).or_default();
            *b = b
                .checked_add(d.delivered_t)
                .and_then(|b| b.checked_sub(d.sold_t))
                .ok_or(DomainError::Overflow)?;
        }
    }
    let mut out = Vec::new();
    for (warehouse_id, c) in newest {
        let book = Kg::from_tenths(book_of.get(&warehouse_id).copied().unwrap_or(0))?;
        let difference = c.counted.checked_sub(book)?;
        if difference.tenths() != 0 {
            let keys = [
                warehouse_id.to_string(),
                c.id.to_string(),
                book.tenths().to_string(),
            ];
            out.push(anomaly(
                AnomalyKind::StockCountMismatch {
                    warehouse_id,
                    count_id: c.id,
                    counted_on: c.counted_on,
                    counted: c.counted,
                    book,
                    difference,
                },
                &keys,
            ));
        }
    }
    Ok(out)
}

impl Ledger {
    /// [`anomalies`] on this ledger.
    ///
    /// # Errors
    /// As [`anomalies`].
    pub fn anomalies(&self, campaign_id: CampaignId) -> Result<Vec<Anomaly>> {
        anomalies(&self.db(), campaign_id)
    }

    /// [`tell`] on this ledger.
    ///
    /// # Errors
    /// As [`tell`].
    pub fn tell_anomaly(&self, kind: &AnomalyKind, lang: Lang) -> Result<Told> {
        tell(&self.db(), kind, lang)
    }
}

#[cfg(test)]
mod tests {
    use super::missing_numbers;

    /// What `missing_numbers` must give: every number of the range that is not in the list.
    fn by_definition(nums: &[u64]) -> Option<(u64, u64, Vec<u64>)> {
        let lowest = *nums.iter().min()?;
        let highest = *nums.iter().max()?;
        let seen: std::collections::BTreeSet<u64> = nums.iter().copied().collect();
        let missing = (lowest..=highest).filter(|n| !seen.contains(n)).collect();
        Some((lowest, highest, missing))
    }

    #[test]
    fn the_missing_numbers_are_those_of_the_range_not_seen_dense_or_sparse() {
        // a pseudo-random walk (no dependency): dense lists in any order with repeats and
        // gaps, runs crossing 64-bit words, and sparse lists that take the sorted path
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut cases: Vec<Vec<u64>> = vec![
            vec![],
            vec![7],
            vec![5, 5, 5],
            vec![3, 1],
            vec![64, 0, 127, 128, 63],
            vec![1, 1_000_000],
            vec![u64::MAX, u64::MAX - 3],
            (1..=200).filter(|n| n % 64 != 0).rev().collect(),
        ];
        for _ in 0..200 {
            let len = (next() % 300) as usize;
            let spread = [2, 70, 10_000][(next() % 3) as usize];
            let base = next() % 1_000;
            cases.push((0..len).map(|_| base + next() % spread).collect());
        }
        for nums in cases {
            assert_eq!(
                missing_numbers(nums.clone()),
                by_definition(&nums),
                "{nums:?}"
            );
        }
    }
}
