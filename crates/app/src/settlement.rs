//! Settlement runs: a campaign's settlement computed at a date and **locked** (its lines are
//! written once and never edited; a correction is a new run naming the one it replaces), the
//! records that arrived after a lock, the member statements and payment lists (PDF), and the
//! CSV and XLSX exports of a run.
//!
//! Runs stay in the office store: they are not synced (see ARCHITECTURE.md).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use sene_domain::validate::{self, limits};
use sene_domain::*;
use sene_print::{PaymentListDoc, PaymentRow, StatementDelivery, StatementDoc};
use sene_store::{Db, SettlementLineRow, SettlementProposalRow, SettlementRunRow};
use serde::{Deserialize, Serialize};

pub use sene_store::LateRecord;

use crate::export::CsvStyle;
use crate::reports::{settle_campaign, MemberLine, Totals};
use crate::season::campaign;
use crate::{missing, AppError, Ledger, Result, Tx};

/// What [`Tx::lock_settlement`] is given (kept in the audit row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockSettlement {
    pub id: SettlementRunId,
    pub campaign_id: CampaignId,
    pub date: NaiveDate,
    pub replaces: Option<SettlementRunId>,
    pub note: String,
}

/// A run's header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunInfo {
    pub id: SettlementRunId,
    pub campaign_id: CampaignId,
    pub campaign: String,
    pub date: NaiveDate,
    pub locked_at: DateTime<Utc>,
    pub locked_by: AgentId,
    pub device_id: DeviceId,
    pub replaces: Option<SettlementRunId>,
    pub note: String,
}

/// A locked run with its lines and totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettlementRun {
    pub run: RunInfo,
    /// One line per member, by cooperative code and member number.
    pub members: Vec<MemberLine>,
    /// Totals per cooperative code.
    pub cooperatives: BTreeMap<String, Totals>,
    pub totals: Totals,
}

fn info(db: &Db<'_>, r: &SettlementRunRow) -> Result<RunInfo> {
    Ok(RunInfo {
        id: r.id,
        campaign_id: r.campaign_id,
        campaign: campaign(db, r.campaign_id)?.name,
        date: r.date,
        locked_at: r.locked_at,
        locked_by: r.locked_by,
        device_id: r.device_id,
        replaces: r.replaces,
        note: r.note.clone(),
    })
}

fn line(l: SettlementLineRow) -> Result<MemberLine> {
    let rest = l.net.checked_sub(l.paid)?;
    Ok(MemberLine {
        member_id: l.member_id,
        number: l.number,
        full_name: l.full_name,
        cooperative: l.cooperative,
        committed: l.committed,
        accepted: l.accepted,
        delivered_value: l.delivered_value,
        complement: l.complement,
        advances: l.advances,
        fees: l.fees,
        fertilizer_credit: l.fertilizer_credit,
        carried_debt: l.carried_debt,
        net: l.net,
        paid: l.paid,
        remaining: rest.max(Money::ZERO),
        debt: l.debt,
    })
}

fn run_row(db: &Db<'_>, id: SettlementRunId) -> Result<SettlementRunRow> {
    db.settlement_run(id)?
        .ok_or_else(|| missing("règlement", id))
}

/// A locked run, as it was locked.
///
/// # Errors
/// [`AppError::NotFound`], store errors.
pub fn settlement_run(db: &Db<'_>, id: SettlementRunId) -> Result<SettlementRun> {
    let r = run_row(db, id)?;
    let members = db
        .settlement_lines(id)?
        .into_iter()
        .map(line)
        .collect::<Result<Vec<_>>>()?;
    let mut cooperatives: BTreeMap<String, Totals> = BTreeMap::new();
    let mut totals = Totals::default();
    for l in &members {
        cooperatives
            .entry(l.cooperative.clone())
            .or_default()
            .add(l)?;
        totals.add(l)?;
    }
    Ok(SettlementRun {
        run: info(db, &r)?,
        members,
        cooperatives,
        totals,
    })
}

/// The runs of a campaign (of every campaign when `None`), oldest first, headers only.
///
/// # Errors
/// Store errors.
pub fn settlement_runs(db: &Db<'_>, campaign: Option<CampaignId>) -> Result<Vec<RunInfo>> {
    db.settlement_runs(campaign)?
        .iter()
        .map(|r| info(db, r))
        .collect()
}

/// The deliveries, disbursements and fertilizer distributions of the run's campaign (and the
/// reversals of these) that arrived in this store after the run was locked — recorded here or
/// received by sync — dated on or before the run's date (a reversal whatever its date), and
/// that no newer run of the campaign covers.
/// The run did not count them: each is an anomaly until a new run is locked.
///
/// # Errors
/// [`AppError::NotFound`], store errors.
pub fn late_records(db: &Db<'_>, run: SettlementRunId) -> Result<Vec<LateRecord>> {
    let r = run_row(db, run)?;
    let newest = db
        .settlement_runs(Some(r.campaign_id))?
        .into_iter()
        .last()
        .map_or(r.upto, |n| n.upto);
    let upto = std::array::from_fn(|i| newest[i].max(r.upto[i]));
    // a record dated after the run's date would not have counted in it had it come in time
    Ok(db
        .campaign_records_after(r.campaign_id, upto)?
        .into_iter()
        .filter(|l| l.kind == "reversal" || l.date <= r.date)
        .collect())
}

/// Whether a proposal's figures are those of `report` (the same campaign and date computed
/// now): what a lock requires.
#[must_use]
pub fn proposal_holds(
    p: &SettlementProposalRow,
    report: &crate::reports::SettlementReport,
) -> bool {
    p.figures == figures(report)
}

/// The figures a proposal holds and a lock must find again: the totals and every member's line.
fn figures(report: &crate::reports::SettlementReport) -> String {
    format!("{:?}|{:?}", report.totals, report.members)
}

impl Tx<'_, '_> {
    /// Proposes the campaign's settlement at `date` for another secretariat agent to lock
    /// (maker-checker): the figures are kept, and the lock must find the same. Secretariat
    /// only. A newer proposal of the same campaign and date replaces an older one.
    ///
    /// # Errors
    /// [`AppError::Forbidden`], [`AppError::NotFound`] (campaign), store errors.
    pub fn propose_settlement(
        &self,
        campaign_id: CampaignId,
        date: NaiveDate,
    ) -> Result<SettlementProposalRow> {
        self.require(self.role.may_configure(), "arrêter un règlement")?;
        campaign(self.db, campaign_id)?;
        let report = settle_campaign(self.db, campaign_id, date)?;
        let p = SettlementProposalRow {
            id: SettlementRunId::new().to_string(),
            campaign_id,
            date,
            proposed_by: self.actor.agent,
            proposed_at: self.now,
            figures: figures(&report),
            run_id: None,
        };
        self.db.insert_settlement_proposal(&p)?;
        self.audit(
            "propose_settlement",
            "settlement_proposal",
            &p.id,
            &(campaign_id, date),
        )?;
        Ok(p)
    }

    /// Computes the campaign's settlement at `date` ([`settle_campaign`]) and locks it: the run
    /// and one line per member are written in this transaction and never edited. A correction
    /// is a new run with `replaces` naming the run it corrects (of the same campaign).
    /// Each member's debt is carried to the next campaign of the crop family: a synced
    /// [`DebtCarry`] per member, written again by a later run. Secretariat only.
    ///
    /// # Errors
    /// [`AppError::Forbidden`], [`AppError::NotFound`] (campaign, replaced run),
    /// [`AppError::Mismatch`] (replaced run of another campaign), validation and store errors.
    pub fn lock_settlement(
        &self,
        campaign_id: CampaignId,
        date: NaiveDate,
        replaces: Option<SettlementRunId>,
        note: &str,
    ) -> Result<SettlementRun> {
        self.require(self.role.may_configure(), "arrêter un règlement")?;
        let camp = campaign(self.db, campaign_id)?;
        if let Some(old) = replaces {
            let o = run_row(self.db, old)?;
            if o.campaign_id != campaign_id {
                return Err(AppError::Mismatch(format!(
                    "le règlement {old} est celui d'une autre campagne que « {} »",
                    camp.name
                )));
            }
        }
        let note = if note.trim().is_empty() {
            String::new()
        } else {
            validate::text("note", note, limits::TEXT_MAX)?
        };
        let cmd = LockSettlement {
            id: SettlementRunId::new(),
            campaign_id,
            date,
            replaces,
            note,
        };
        let report = settle_campaign(self.db, campaign_id, date)?;
        // maker-checker: another secretariat agent proposed these very figures
        let proposal = self.db.open_settlement_proposal(campaign_id, date)?.ok_or(
            AppError::SecondPersonRequired {
                action: "arrêter un règlement qu'aucune autre personne n'a proposé",
            },
        )?;
        if proposal.proposed_by == self.actor.agent {
            return Err(AppError::SecondPersonRequired {
                action: "arrêter le règlement qu'il a proposé",
            });
        }
        if !proposal_holds(&proposal, &report) {
            return Err(AppError::Mismatch(
                "les chiffres du règlement ont changé depuis sa proposition (un enregistrement est arrivé entre-temps) : proposez-le de nouveau".into(),
            ));
        }
        self.db.insert_settlement_run(&SettlementRunRow {
            id: cmd.id,
            campaign_id,
            date,
            locked_at: self.now,
            locked_by: self.actor.agent,
            device_id: self.actor.device,
            replaces,
            note: cmd.note.clone(),
            upto: [0; 4],
        })?;
        for l in &report.members {
            self.db.insert_settlement_line(
                cmd.id,
                &SettlementLineRow {
                    member_id: l.member_id,
                    number: l.number.clone(),
                    full_name: l.full_name.clone(),
                    cooperative: l.cooperative.clone(),
                    committed: l.committed,
                    accepted: l.accepted,
                    delivered_value: l.delivered_value,
                    advances: l.advances,
                    fees: l.fees,
                    fertilizer_credit: l.fertilizer_credit,
                    net: l.net,
                    paid: l.paid,
                    debt: l.debt,
                    carried_debt: l.carried_debt,
                    complement: l.complement,
                },
            )?;
        }
        // The debts carry into the members' next campaign: one synced record per member in
        // debt, and a correction run sets back to zero those a replaced run had carried.
        let before: BTreeMap<MemberId, Money> = self
            .db
            .debt_carries_from(campaign_id)?
            .into_iter()
            .map(|c| (c.member_id, c.amount))
            .collect();
        for l in &report.members {
            if l.debt.is_positive() || before.contains_key(&l.member_id) {
                self.db.put_debt_carry(&DebtCarry {
                    member_id: l.member_id,
                    campaign_id,
                    amount: l.debt,
                    run_id: cmd.id,
                    date,
                })?;
            }
        }
        let settled: std::collections::HashSet<MemberId> =
            report.members.iter().map(|l| l.member_id).collect();
        for member in before.keys() {
            if !settled.contains(member) {
                self.db.put_debt_carry(&DebtCarry {
                    member_id: *member,
                    campaign_id,
                    amount: Money::ZERO,
                    run_id: cmd.id,
                    date,
                })?;
            }
        }
        self.db.confirm_settlement_proposal(&proposal.id, cmd.id)?;
        self.audit(
            "lock_settlement",
            "settlement_run",
            &cmd.id.to_string(),
            &cmd,
        )?;
        settlement_run(self.db, cmd.id)
    }
}

impl Ledger {
    /// The open proposal of a campaign's settlement at a date, if any (what the office's
    /// screen shows: who proposed it; [`proposal_holds`] says whether its figures still hold).
    ///
    /// # Errors
    /// Store errors.
    pub fn settlement_proposal(
        &self,
        campaign: CampaignId,
        date: NaiveDate,
    ) -> Result<Option<SettlementProposalRow>> {
        Ok(self.db().open_settlement_proposal(campaign, date)?)
    }

    /// [`settlement_run`] on this ledger.
    ///
    /// # Errors
    /// As [`settlement_run`].
    pub fn settlement_run(&self, id: SettlementRunId) -> Result<SettlementRun> {
        settlement_run(&self.db(), id)
    }

    /// [`settlement_runs`] on this ledger.
    ///
    /// # Errors
    /// As [`settlement_runs`].
    pub fn settlement_runs(&self, campaign: Option<CampaignId>) -> Result<Vec<RunInfo>> {
        settlement_runs(&self.db(), campaign)
    }

    /// [`late_records`] on this ledger.
    ///
    /// # Errors
    /// As [`late_records`].
    pub fn late_records(&self, run: SettlementRunId) -> Result<Vec<LateRecord>> {
        late_records(&self.db(), run)
    }
}

// ---------------------------------------------------------------------------------------------
// Documents

fn cooperative_by_code(db: &Db<'_>, code: &str) -> Result<Cooperative> {
    db.cooperatives()?
        .into_iter()
        .find(|c| c.code == code)
        .ok_or_else(|| missing("coopérative", code))
}

fn union_name(db: &Db<'_>) -> Result<String> {
    Ok(db.union()?.ok_or(AppError::NotInitialized)?.name)
}

/// The statement of one member of a run.
///
/// # Errors
/// [`AppError::NotFound`] (run, member not in the run), store errors.
pub fn member_statement(
    db: &Db<'_>,
    run: SettlementRunId,
    member: MemberId,
) -> Result<StatementDoc> {
    let r = run_row(db, run)?;
    let l = db
        .settlement_line(run, member)?
        .ok_or_else(|| missing("membre", member))?;
    let coop = cooperative_by_code(db, &l.cooperative)?;
    let deliveries = db
        .member_deliveries_upto(member, r.campaign_id, r.upto)?
        .into_iter()
        .map(|(date, receipt, accepted)| StatementDelivery {
            date,
            receipt,
            accepted,
        })
        .collect();
    Ok(StatementDoc {
        union_name: union_name(db)?,
        cooperative_name: format!("Coopérative {} ({})", coop.name, coop.code),
        campaign: campaign(db, r.campaign_id)?.name,
        run: r.id.to_string(),
        date: r.date,
        member_name: l.full_name,
        member_number: l.number,
        deliveries,
        committed: l.committed,
        accepted: l.accepted,
        delivered_value: l.delivered_value,
        advances: l.advances,
        fees: l.fees,
        fertilizer_credit: l.fertilizer_credit,
        carried_debt: l.carried_debt,
        complement: l.complement,
        net: l.net,
        paid: l.paid,
    })
}

/// A member's statement of a run, as a PDF (French).
///
/// # Errors
/// As [`member_statement`].
pub fn member_statement_pdf(
    db: &Db<'_>,
    run: SettlementRunId,
    member: MemberId,
) -> Result<Vec<u8>> {
    Ok(sene_print::render_statement(&member_statement(
        db, run, member,
    )?))
}

/// The payment list of one cooperative in a run: the members with a balance to pay
/// (net − already paid > 0), with the amounts and the total.
///
/// # Errors
/// [`AppError::NotFound`], store errors.
pub fn payment_list(
    db: &Db<'_>,
    run: SettlementRunId,
    cooperative: CooperativeId,
) -> Result<PaymentListDoc> {
    let r = run_row(db, run)?;
    let coop = db
        .cooperative(cooperative)?
        .ok_or_else(|| missing("coopérative", cooperative))?;
    let mut rows = Vec::new();
    let mut total = Money::ZERO;
    for l in db.settlement_lines(run)? {
        if l.cooperative != coop.code {
            continue;
        }
        let amount = line(l.clone())?.remaining;
        if amount.is_positive() {
            total = total.checked_add(amount)?;
            rows.push(PaymentRow {
                member_number: l.number,
                member_name: l.full_name,
                amount,
            });
        }
    }
    Ok(PaymentListDoc {
        union_name: union_name(db)?,
        cooperative_name: format!("Coopérative {} ({})", coop.name, coop.code),
        campaign: campaign(db, r.campaign_id)?.name,
        run: r.id.to_string(),
        date: r.date,
        rows,
        total,
    })
}

/// A cooperative's payment list of a run, as a PDF (French).
///
/// # Errors
/// As [`payment_list`].
pub fn payment_list_pdf(
    db: &Db<'_>,
    run: SettlementRunId,
    cooperative: CooperativeId,
) -> Result<Vec<u8>> {
    Ok(sene_print::render_payment_list(&payment_list(
        db,
        run,
        cooperative,
    )?))
}

// ---------------------------------------------------------------------------------------------
// Exports

/// The columns of a run's export, in order.
pub const EXPORT_HEADERS: [&str; 17] = [
    "Coopérative",
    "N° membre",
    "Nom",
    "Engagé (kg)",
    "Accepté (kg)",
    "Valeur livrée (FCFA)",
    "Complément de prix (FCFA)",
    "Avances (FCFA)",
    "Frais (FCFA)",
    "Engrais à crédit (FCFA)",
    "Dette reportée (FCFA)",
    "Net (FCFA)",
    "Déjà payé (FCFA)",
    "Reste à payer (FCFA)",
    "Dette (FCFA)",
    "Membre (id)",
    "Règlement (id)",
];

/// One cell of an export: text, or a number (kg with one decimal, francs whole).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Kg(Kg),
    Money(Money),
    /// A count or a rate.
    Number(rust_decimal::Decimal),
    /// Nothing to tell (a rate of nothing).
    Empty,
}

/// The rows of a run's export: one per member, then a `TOTAL` row.
#[must_use]
pub fn export_rows(run: &SettlementRun) -> Vec<Vec<Cell>> {
    let id = run.run.id.to_string();
    let mut rows: Vec<Vec<Cell>> = run
        .members
        .iter()
        .map(|l| {
            vec![
                Cell::Text(l.cooperative.clone()),
                Cell::Text(l.number.clone()),
                Cell::Text(l.full_name.clone()),
                Cell::Kg(l.committed),
                Cell::Kg(l.accepted),
                Cell::Money(l.delivered_value),
                Cell::Money(l.complement),
                Cell::Money(l.advances),
                Cell::Money(l.fees),
                Cell::Money(l.fertilizer_credit),
                Cell::Money(l.carried_debt),
                Cell::Money(l.net),
                Cell::Money(l.paid),
                Cell::Money(l.remaining),
                Cell::Money(l.debt),
                Cell::Text(l.member_id.to_string()),
                Cell::Text(id.clone()),
            ]
        })
        .collect();
    let t = &run.totals;
    rows.push(vec![
        Cell::Text("TOTAL".into()),
        Cell::Text(String::new()),
        Cell::Text(format!("{} membres", t.members)),
        Cell::Kg(t.committed),
        Cell::Kg(t.accepted),
        Cell::Money(t.delivered_value),
        Cell::Money(t.complement),
        Cell::Money(t.advances),
        Cell::Money(t.fees),
        Cell::Money(t.fertilizer_credit),
        Cell::Money(t.carried_debt),
        Cell::Money(t.net),
        Cell::Money(t.paid),
        Cell::Money(t.remaining),
        Cell::Money(t.debt),
        Cell::Text(String::new()),
        Cell::Text(id),
    ]);
    rows
}

/// A run as CSV in `style` (header row, one row per member, a `TOTAL` row): see
/// [`crate::export`].
#[must_use]
pub fn settlement_csv(run: &SettlementRun, style: CsvStyle) -> String {
    crate::export::csv(style, &EXPORT_HEADERS, &export_rows(run))
}

/// Writes a header row (bold) and the rows to a worksheet; kg and francs as numbers. Every
/// XLSX of Sene writes its sheets with it (the office's exports, the federation's national
/// tables).
///
/// # Errors
/// The writer's.
pub fn write_sheet(
    ws: &mut rust_xlsxwriter::Worksheet,
    headers: &[&str],
    rows: &[Vec<Cell>],
) -> std::result::Result<(), rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::Format;
    let bold = Format::new().set_bold();
    let kg = Format::new().set_num_format("#,##0.0");
    let fcfa = Format::new().set_num_format("#,##0");
    for (c, h) in (0_u16..).zip(headers) {
        ws.write_string_with_format(0, c, *h, &bold)?;
    }
    for (r, row) in (1_u32..).zip(rows) {
        for (c, cell) in (0_u16..).zip(row) {
            match cell {
                Cell::Text(s) => ws.write_string(r, c, s).map(|_| ()),
                Cell::Kg(k) => ws
                    .write_number_with_format(r, c, kg_f64(*k), &kg)
                    .map(|_| ()),
                Cell::Money(m) => ws
                    .write_number_with_format(r, c, money_f64(*m), &fcfa)
                    .map(|_| ()),
                Cell::Number(n) => ws.write_number(r, c, dec_f64(*n)).map(|_| ()),
                Cell::Empty => Ok(()),
            }?;
        }
    }
    Ok(())
}

/// A one-sheet workbook.
pub(crate) fn xlsx(
    sheet: &str,
    headers: &[&str],
    rows: &[Vec<Cell>],
) -> std::result::Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet)?;
    write_sheet(ws, headers, rows)?;
    wb.save_to_buffer()
}

/// One sheet of a workbook: its name, its header row and its rows.
pub(crate) type Sheet<'a> = (&'a str, &'a [&'a str], Vec<Vec<Cell>>);

/// A workbook of several sheets.
pub(crate) fn xlsx_sheets(
    sheets: &[Sheet<'_>],
) -> std::result::Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, headers, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name)?;
        write_sheet(ws, headers, rows)?;
    }
    wb.save_to_buffer()
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> AppError {
    AppError::Export(e.to_string())
}

/// A run as an XLSX workbook: a sheet `Règlement` (header, one row per member, `TOTAL` row;
/// kg and francs as numbers) and a sheet `Coopératives` (totals per cooperative).
///
/// # Errors
/// [`AppError::Export`].
pub fn settlement_xlsx(run: &SettlementRun) -> Result<Vec<u8>> {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Règlement").map_err(xlsx_err)?;
    write_sheet(ws, &EXPORT_HEADERS, &export_rows(run)).map_err(xlsx_err)?;
    let ws = wb.add_worksheet();
    ws.set_name("Coopératives").map_err(xlsx_err)?;
    let rows: Vec<Vec<Cell>> = run
        .cooperatives
        .iter()
        .chain(std::iter::once((&"TOTAL".to_owned(), &run.totals)))
        .map(|(code, t)| {
            let mut row = vec![Cell::Text(code.clone()), Cell::Number(t.members.into())];
            row.extend(
                [
                    t.delivered_value,
                    t.complement,
                    t.advances,
                    t.fees,
                    t.fertilizer_credit,
                    t.carried_debt,
                    t.net,
                    t.remaining,
                    t.debt,
                ]
                .map(Cell::Money),
            );
            row
        })
        .collect();
    write_sheet(
        ws,
        &[
            "Coopérative",
            "Membres",
            "Valeur livrée (FCFA)",
            "Complément de prix (FCFA)",
            "Avances (FCFA)",
            "Frais (FCFA)",
            "Engrais à crédit (FCFA)",
            "Dette reportée (FCFA)",
            "Net (FCFA)",
            "Reste à payer (FCFA)",
            "Dette (FCFA)",
        ],
        &rows,
    )
    .map_err(xlsx_err)?;
    wb.save_to_buffer().map_err(xlsx_err)
}

/// Francs as a spreadsheet number: exact, since |x| ≤ 10¹⁵ < 2⁵³.
#[allow(clippy::cast_precision_loss)]
fn money_f64(m: Money) -> f64 {
    m.francs() as f64
}

/// A count or rate as a spreadsheet number.
fn dec_f64(n: rust_decimal::Decimal) -> f64 {
    use rust_decimal::prelude::ToPrimitive;
    n.to_f64().unwrap_or_default()
}

/// Kg as a spreadsheet number (tenths / 10, through a decimal so no float arithmetic).
fn kg_f64(k: Kg) -> f64 {
    use rust_decimal::prelude::ToPrimitive;
    rust_decimal::Decimal::new(k.tenths(), 1)
        .to_f64()
        .unwrap_or_default()
}
