//! The union office's commands (secretariat): dashboard, anomaly queue and its resolutions,
//! settlement review, lock and exports. Same rule as the rest of the API: parse, call the use
//! case or read model, map; no business rule here.

use std::path::PathBuf;

use chrono::NaiveDate;
use sene_app::dashboard::{Progress, StockLine};
use sene_app::export::{file_name, CsvStyle};
use sene_app::reports::{MemberLine, Totals};
use sene_app::settlement::{
    member_statement_pdf, payment_list_pdf, settlement_csv, settlement_xlsx, RunInfo,
};
use sene_app::AppError;
use sene_domain::*;
use serde_json::Value;

use crate::dto::*;
use crate::error::ApiError;
use crate::session::{date, kg, money, write_durably, Session, R};

fn progress(p: &Progress) -> ProgressView {
    ProgressView {
        contracts: p.contracts,
        committed_kg: kg(p.committed),
        delivered_kg: kg(p.delivered),
        advance_due: money(p.advance_due),
        disbursed: money(p.disbursed),
        recovered: money(p.recovered),
        recovery_rate: p.recovery_rate.to_string(),
    }
}

fn line(l: &MemberLine) -> SettlementLineView {
    SettlementLineView {
        member_id: l.member_id.to_string(),
        number: l.number.clone(),
        name: l.full_name.clone(),
        cooperative: l.cooperative.clone(),
        committed_kg: kg(l.committed),
        accepted_kg: kg(l.accepted),
        delivered_value: money(l.delivered_value),
        complement: money(l.complement),
        advances: money(l.advances),
        fees: money(l.fees),
        fertilizer_credit: money(l.fertilizer_credit),
        carried_debt: money(l.carried_debt),
        net: money(l.net),
        paid: money(l.paid),
        remaining: money(l.remaining),
        debt: money(l.debt),
    }
}

fn totals(t: &Totals) -> SettlementTotalsView {
    SettlementTotalsView {
        members: t.members,
        members_in_debt: t.members_in_debt,
        accepted_kg: kg(t.accepted),
        delivered_value: money(t.delivered_value),
        complement: money(t.complement),
        advances: money(t.advances),
        fees: money(t.fees),
        fertilizer_credit: money(t.fertilizer_credit),
        carried_debt: money(t.carried_debt),
        net: money(t.net),
        payable: money(t.payable),
        debt: money(t.debt),
    }
}

fn stock(s: &StockLine, crop: String) -> StockView {
    StockView {
        warehouse: s.warehouse.clone(),
        cooperative: s.cooperative.clone(),
        crop,
        delivered_kg: kg(s.delivered),
        sold_kg: kg(s.sold),
        stock_kg: kg(s.stock),
    }
}

fn run_view(r: &RunInfo, lines: &[MemberLine], net: Money) -> RunView {
    RunView {
        id: r.id.to_string(),
        campaign: r.campaign.clone(),
        date: date(r.date),
        locked_at: r.locked_at.to_rfc3339(),
        replaces: r.replaces.map(|x| x.to_string()),
        note: r.note.clone(),
        members: u32::try_from(lines.len()).unwrap_or(u32::MAX),
        net: money(net),
    }
}

/// The title of an anomaly kind, by its code (the app's words).
fn title(code: &str, lang: Lang) -> String {
    sene_app::anomalies::title(code, lang)
}

fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(plain).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

impl Session {
    pub(crate) fn office_date(&self, field: &str, v: &str) -> R<NaiveDate> {
        let t = v.trim();
        if t.is_empty() {
            return Ok(self.today());
        }
        NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| {
            ApiError::invalid(
                self.lang,
                field,
                &format!("« {t} » n'est pas une date (AAAA-MM-JJ)"),
                &format!("\"{t}\" is not a date (YYYY-MM-DD)"),
            )
        })
    }

    pub(crate) fn require_office(&self) -> R<()> {
        let actor = self.actor()?;
        self.ledger
            .require_office_reader(&actor)
            .map_err(|e| self.app(&e))
    }

    /// `office_dashboard`: where the campaign stands at a date.
    ///
    /// # Errors
    /// Not the secretariat, unknown campaign, malformed date, store errors.
    pub fn office_dashboard(&self, req: &CampaignDateRequest) -> R<DashboardView> {
        self.require_office()?;
        let camp: CampaignId = self.id("campagne", &req.campaign_id)?;
        let day = self.office_date("date", &req.date)?;
        let d = self.ledger.dashboard(camp, day).map_err(|e| self.app(&e))?;
        let families = self
            .ledger
            .family_totals()
            .map_err(|e| self.app(&e))?
            .iter()
            .map(|f| DashLine {
                label: self.label(f.family.label_fr(), f.family.label_en()),
                progress: progress(&f.progress),
            })
            .collect();
        Ok(DashboardView {
            campaign: d.campaign.clone(),
            date: date(d.date),
            families,
            total: progress(&d.total),
            crops: d
                .crops
                .iter()
                .map(|c| DashLine {
                    label: self.label(c.crop.label_fr(), c.crop.label_en()),
                    progress: progress(&c.progress),
                })
                .collect(),
            cooperatives: d
                .cooperatives
                .iter()
                .map(|c| DashLine {
                    label: c.code.clone(),
                    progress: progress(&c.progress),
                })
                .collect(),
            agents: d
                .agents
                .iter()
                .map(|a| AgentDashLine {
                    name: a.name.clone(),
                    disbursed: money(a.disbursed),
                    delivered_kg: kg(a.delivered),
                    received: money(a.cash.received),
                    paid_out: money(a.cash.paid_out),
                    fertilizer_cash: money(a.cash.fertilizer_cash),
                    returned: money(a.cash.returned),
                    to_return: money(a.cash.to_return),
                })
                .collect(),
            stock: d
                .stock
                .iter()
                .map(|s| stock(s, self.label(s.crop.label_fr(), s.crop.label_en())))
                .collect(),
            fertilizer: d
                .fertilizer
                .iter()
                .map(|f| FertilizerDashLine {
                    product: f.product.clone(),
                    needed_bags: f.needed_bags.to_string(),
                    ordered_bags: f.ordered_bags.to_string(),
                    received_bags: f.received_bags.to_string(),
                    distributed_bags: f.distributed_bags.to_string(),
                    cost: money(f.cost),
                    cash_paid: money(f.cash_paid),
                    on_credit: money(f.on_credit),
                })
                .collect(),
            fertilizer_recovered: money(d.fertilizer_recovery.recovered),
            fertilizer_outstanding: money(d.fertilizer_recovery.outstanding),
            lenders: d
                .lenders
                .iter()
                .map(|l| LenderDashLine {
                    lender: l.lender.clone(),
                    principal: money(l.principal),
                    drawn: money(l.drawn),
                    repaid_principal: money(l.repaid_principal),
                    repaid_interest: money(l.repaid_interest),
                    outstanding: money(l.outstanding),
                })
                .collect(),
            lenders_outstanding: money(d.lender_totals.outstanding),
        })
    }

    /// `office_anomalies`: the campaign's anomaly queue with its evidence.
    ///
    /// # Errors
    /// Not the secretariat, unknown campaign, store errors.
    pub fn office_anomalies(&mut self, req: &CampaignRequest) -> R<Vec<AnomalyView>> {
        self.require_office()?;
        let camp: CampaignId = self.id("campagne", &req.campaign_id)?;
        let queue = self.ledger.anomalies(camp).map_err(|e| self.app(&e))?;
        let lang = self.lang;
        let mut out = Vec::with_capacity(queue.len());
        for a in queue {
            let code = a.kind.code().to_owned();
            let told = self
                .ledger
                .tell_anomaly(&a.kind, lang)
                .map_err(|e| self.app(&e))?;
            let colon = if lang == Lang::Fr { " : " } else { ": " };
            let mut lines: Vec<String> = told
                .evidence
                .iter()
                .map(|f| format!("{}{colon}{}", f.label, f.value))
                .collect();
            let mut links: Vec<AnomalyLinkView> = told
                .links
                .into_iter()
                .map(|l| AnomalyLinkView {
                    target: match l.target {
                        sene_app::anomalies::Target::Member => "member",
                        sene_app::anomalies::Target::Settlement => "settlement",
                        sene_app::anomalies::Target::Dashboard => "dashboard",
                        sene_app::anomalies::Target::Sync => "sync",
                    }
                    .to_owned(),
                    id: l.id,
                    label: l.label,
                })
                .collect();
            let (mut summary, mut action) = (told.summary, told.action);
            let (conflict_id, values, money_field, conflict_kind) = match &a.kind {
                sene_app::anomalies::AnomalyKind::SyncConflict { conflict_id, .. } => {
                    // a sync conflict as a person reads it (sene_app::conflicts): the record
                    // and what differs, each value with who, which device, when
                    let row = self.conflict_row(conflict_id)?;
                    let t = self
                        .ledger
                        .conflict_text(&row, lang)
                        .map_err(|e| self.app(&e))?;
                    summary = t.record;
                    action = t.action;
                    lines = vec![t.what];
                    links = t
                        .members
                        .into_iter()
                        .map(|(id, label)| AnomalyLinkView {
                            target: "member".into(),
                            id: Some(id.to_string()),
                            label,
                        })
                        .collect();
                    (
                        Some(t.id),
                        t.candidates,
                        t.money,
                        Some(t.kind.code().to_owned()),
                    )
                }
                _ => (None, Vec::new(), false, None),
            };
            out.push(AnomalyView {
                key: a.key,
                title: told.title,
                kind: code,
                summary,
                evidence: lines,
                links,
                action,
                conflict_id,
                values,
                money: money_field,
                conflict_kind,
            });
        }
        Ok(out)
    }

    /// An open conflict as the window shows it, in the session's language.
    ///
    /// # Errors
    /// Unknown or resolved conflict, store errors.
    pub(crate) fn conflict_view(&mut self, id: &str) -> R<ConflictView> {
        let row = self.conflict_row(id)?;
        let lang = self.lang;
        let t = self
            .ledger
            .conflict_text(&row, lang)
            .map_err(|e| self.app(&e))?;
        Ok(ConflictView {
            id: t.id,
            kind: t.kind.code().to_owned(),
            record: t.record,
            field: t.what,
            money: t.money,
            values: t.candidates,
            member_ids: t.members.iter().map(|(m, _)| m.to_string()).collect(),
            at: t.found_at,
        })
    }

    fn conflict_row(&self, id: &str) -> R<sene_store::ConflictRow> {
        self.ledger
            .conflicts(true)
            .map_err(|e| self.app(&e))?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or_else(|| {
                self.app(&AppError::NotFound {
                    kind: "conflit ouvert",
                    id: id.to_owned(),
                })
            })
    }

    /// `resolve_anomaly`: records why an anomaly (not a sync conflict) is settled.
    ///
    /// # Errors
    /// Not the secretariat, a key not in the queue or already resolved, an empty reason.
    pub fn resolve_anomaly(&mut self, req: &ResolveAnomalyRequest) -> R<ResolutionView> {
        let camp: CampaignId = self.id("campagne", &req.campaign_id)?;
        let actor = self.actor()?;
        let r = self
            .ledger
            .run(&actor, |tx| tx.resolve_anomaly(camp, &req.key, &req.note))
            .map_err(|e| self.app(&e))?;
        Ok(self.resolution(&r))
    }

    fn resolution(&self, r: &sene_store::AnomalyResolution) -> ResolutionView {
        let by = self
            .ledger
            .db()
            .agent(r.resolved_by)
            .ok()
            .flatten()
            .map_or_else(|| r.resolved_by.to_string(), |a| a.name);
        ResolutionView {
            key: r.key.clone(),
            title: title(&r.kind, self.lang),
            kind: r.kind.clone(),
            note: r.note.clone(),
            by,
            at: r.resolved_at.to_rfc3339(),
        }
    }

    /// `anomaly_log`: the resolutions of a campaign, and of the sync conflicts, who, when, why;
    /// newest first.
    ///
    /// # Errors
    /// Not the secretariat, unknown campaign, store errors.
    pub fn anomaly_log(&self, req: &CampaignRequest) -> R<Vec<ResolutionView>> {
        self.require_office()?;
        let camp: CampaignId = self.id("campagne", &req.campaign_id)?;
        let log = self
            .ledger
            .anomaly_resolutions(camp)
            .map_err(|e| self.app(&e))?;
        let mut out: Vec<ResolutionView> = log.iter().map(|r| self.resolution(r)).collect();
        // the sync conflicts resolved keep their own log (the conflicts table): shown here too,
        // so that the secretariat reads one journal
        let db = self.ledger.db();
        for c in self.ledger.conflicts(false).map_err(|e| self.app(&e))? {
            let (Some(at), Some(by)) = (c.resolved_at, c.resolved_by) else {
                continue;
            };
            let resolution: Value = c
                .resolution
                .as_deref()
                .and_then(|r| serde_json::from_str(r).ok())
                .unwrap_or(Value::Null);
            let by = by
                .parse::<AgentId>()
                .ok()
                .and_then(|id| db.agent(id).ok().flatten())
                .map_or(by, |a| a.name);
            out.push(ResolutionView {
                key: format!("sync_conflict:{}", c.id),
                kind: "sync_conflict".into(),
                title: title("sync_conflict", self.lang),
                note: resolution.get("reason").map_or_else(String::new, plain),
                by,
                at,
            });
        }
        out.sort_by(|a, b| b.at.cmp(&a.at));
        Ok(out)
    }

    /// `resolve_conflict`: keeps one of the values in conflict (or none) with the reason.
    ///
    /// # Errors
    /// Unknown or resolved conflict, a choice out of range, an empty reason, a money conflict
    /// resolved by another role than the secretariat.
    pub fn resolve_conflict(&mut self, req: &ResolveConflictRequest) -> R<()> {
        let actor = self.actor()?;
        let open = self.ledger.conflicts(true).map_err(|e| self.app(&e))?;
        let c = open
            .iter()
            .find(|c| c.id == req.conflict_id.trim())
            .ok_or_else(|| {
                self.app(&AppError::NotFound {
                    kind: "conflit ouvert",
                    id: req.conflict_id.clone(),
                })
            })?;
        let candidates: Vec<Value> = serde_json::from_str(&c.candidates).unwrap_or_default();
        let choice = match req.choice {
            None => None,
            Some(i) => Some(
                usize::try_from(i)
                    .ok()
                    .filter(|i| *i < candidates.len())
                    .ok_or_else(|| {
                        ApiError::invalid(
                            self.lang,
                            "choice",
                            "ce choix n'est pas une des valeurs en conflit",
                            "this choice is not one of the values in conflict",
                        )
                    })?,
            ),
        };
        let id = c.id.clone();
        self.ledger
            .resolve_conflict_choice(&actor, &id, choice, &req.reason)
            .map_err(|e| self.app(&e))?;
        Ok(())
    }

    /// `record_stock_count`: a physical count of a warehouse (the anomaly queue compares it with
    /// the book stock).
    ///
    /// # Errors
    /// Not the secretariat, unknown warehouse or campaign, a date outside the season, kg that
    /// are not a weight or absurd (the note is optional).
    pub fn record_stock_count(&mut self, req: &StockCountRequest) -> R<OfficeRecordView> {
        let warehouse: WarehouseId = self.id("magasin", &req.warehouse_id)?;
        let camp: CampaignId = self.id("campagne", &req.campaign_id)?;
        let day = self.office_date("date", &req.date)?;
        let counted: Kg = self.parse_field("kg", "poids compté (kg)", &req.kg)?;
        let actor = self.actor()?;
        let c = self
            .ledger
            .run(&actor, |tx| {
                tx.record_stock_count(warehouse, camp, day, counted, &req.note)
            })
            .map_err(|e| {
                field_of(
                    self.app(&e),
                    &[("stock", "kg"), ("date", "date"), ("note", "note")],
                )
            })?;
        let name = self
            .ledger
            .db()
            .warehouse(c.warehouse_id)
            .ok()
            .flatten()
            .map_or_else(|| c.warehouse_id.to_string(), |w| w.name);
        Ok(OfficeRecordView {
            what: name,
            date: date(c.counted_on),
            figure: kg(c.counted),
            note: c.note,
        })
    }

    /// `record_cash_return`: cash an agent hands back to the office (it comes off what the agent
    /// must still return).
    ///
    /// # Errors
    /// Not the secretariat, unknown agent or campaign, a date outside the season, an amount that
    /// is not whole positive francs (the note is optional).
    pub fn record_cash_return(&mut self, req: &CashReturnRequest) -> R<OfficeRecordView> {
        let agent: AgentId = self.id("agent", &req.agent_id)?;
        let camp: CampaignId = self.id("campagne", &req.campaign_id)?;
        let day = self.office_date("date", &req.date)?;
        let amount: Money = self.parse_field("amount", "montant", &req.amount)?;
        let actor = self.actor()?;
        let r = self
            .ledger
            .run(&actor, |tx| {
                tx.record_cash_return(agent, camp, day, amount, &req.note)
            })
            .map_err(|e| {
                field_of(
                    self.app(&e),
                    &[("montant", "amount"), ("date", "date"), ("note", "note")],
                )
            })?;
        let name = self
            .ledger
            .db()
            .agent(r.agent_id)
            .ok()
            .flatten()
            .map_or_else(|| r.agent_id.to_string(), |a| a.name);
        Ok(OfficeRecordView {
            what: name,
            date: date(r.returned_on),
            figure: money(r.amount),
            note: r.note,
        })
    }

    /// `settlement_preview`: every member's settlement at a date, for review before locking.
    ///
    /// # Errors
    /// Not the secretariat, unknown campaign, malformed date, store errors.
    pub fn settlement_preview(&self, req: &CampaignDateRequest) -> R<SettlementView> {
        self.require_office()?;
        let camp: CampaignId = self.id("campagne", &req.campaign_id)?;
        let day = self.office_date("date", &req.date)?;
        let s = self
            .ledger
            .settle_campaign(camp, day)
            .map_err(|e| self.app(&e))?;
        let proposal = self.proposal_view(camp, day, &s)?;
        Ok(SettlementView {
            run_id: None,
            campaign: s.campaign,
            date: date(s.date),
            locked_at: None,
            replaces: None,
            note: None,
            lines: s.members.iter().map(line).collect(),
            totals: totals(&s.totals),
            proposal,
        })
    }

    fn proposal_view(
        &self,
        camp: CampaignId,
        day: NaiveDate,
        report: &sene_app::reports::SettlementReport,
    ) -> R<Option<ProposalView>> {
        let Some(p) = self
            .ledger
            .settlement_proposal(camp, day)
            .map_err(|e| self.app(&e))?
        else {
            return Ok(None);
        };
        let holds = sene_app::settlement::proposal_holds(&p, report);
        let name = self
            .ledger
            .db()
            .agent(p.proposed_by)
            .map_err(|e| self.app(&e.into()))?
            .map_or_else(|| p.proposed_by.to_string(), |a| a.name);
        Ok(Some(ProposalView {
            proposed_by: name,
            proposed_at: p.proposed_at.to_rfc3339(),
            by_me: self.actor()?.agent == p.proposed_by,
            holds,
        }))
    }

    /// `propose_settlement`: proposes the settlement at a date for another secretariat agent to
    /// lock (maker-checker); answers the preview with its proposal.
    ///
    /// # Errors
    /// Not the secretariat, unknown campaign, malformed date, store errors.
    pub fn propose_settlement(&mut self, req: &CampaignDateRequest) -> R<SettlementView> {
        self.require_office()?;
        let camp: CampaignId = self.id("campagne", &req.campaign_id)?;
        let day = self.office_date("date", &req.date)?;
        let actor = self.actor()?;
        self.ledger
            .run(&actor, |tx| tx.propose_settlement(camp, day))
            .map_err(|e| self.app(&e))?;
        self.settlement_preview(req)
    }

    /// `lock_settlement`: locks the settlement at a date (immutable; a correction is a new run
    /// that names the one it replaces).
    ///
    /// # Errors
    /// Not the secretariat, unknown campaign or run, malformed date, store errors.
    pub fn lock_settlement(&mut self, req: &LockRequest) -> R<SettlementView> {
        let camp: CampaignId = self.id("campagne", &req.campaign_id)?;
        let day = self.office_date("date", &req.date)?;
        let replaces: Option<SettlementRunId> = match req.replaces.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(r) => Some(self.id("règlement", r)?),
        };
        let actor = self.actor()?;
        let run = self
            .ledger
            .run(&actor, |tx| {
                tx.lock_settlement(camp, day, replaces, &req.note)
            })
            .map_err(|e| self.app(&e))?;
        Ok(self.run_settlement(&run))
    }

    fn run_settlement(&self, run: &sene_app::settlement::SettlementRun) -> SettlementView {
        SettlementView {
            run_id: Some(run.run.id.to_string()),
            campaign: run.run.campaign.clone(),
            date: date(run.run.date),
            locked_at: Some(run.run.locked_at.to_rfc3339()),
            replaces: run.run.replaces.map(|r| r.to_string()),
            note: Some(run.run.note.clone()),
            proposal: None,
            lines: run.members.iter().map(line).collect(),
            totals: totals(&run.totals),
        }
    }

    /// `settlement_runs`: the locked runs of a campaign, newest first.
    ///
    /// # Errors
    /// Not the secretariat, unknown campaign, store errors.
    pub fn settlement_runs(&self, req: &CampaignRequest) -> R<Vec<RunView>> {
        self.require_office()?;
        let camp: CampaignId = self.id("campagne", &req.campaign_id)?;
        let runs = self
            .ledger
            .settlement_runs(Some(camp))
            .map_err(|e| self.app(&e))?;
        let mut out = Vec::with_capacity(runs.len());
        for r in runs {
            let full = self.ledger.settlement_run(r.id).map_err(|e| self.app(&e))?;
            out.push(run_view(&r, &full.members, full.totals.net));
        }
        out.sort_by(|a, b| b.locked_at.cmp(&a.locked_at));
        Ok(out)
    }

    /// `settlement_run`: a locked run with its lines.
    ///
    /// # Errors
    /// Not the secretariat, unknown run, store errors.
    pub fn settlement_run(&self, req: &RunRequest) -> R<SettlementView> {
        self.require_office()?;
        let id: SettlementRunId = self.id("règlement", &req.run_id)?;
        let run = self.ledger.settlement_run(id).map_err(|e| self.app(&e))?;
        Ok(self.run_settlement(&run))
    }

    /// `export_settlement`: a locked run to XLSX or CSV, or its PDF statements and payment
    /// lists, in `exports/<run>/` beside the store (each file written durably).
    ///
    /// # Errors
    /// Not the secretariat, unknown run or format, files that cannot be written.
    pub fn export_settlement(&self, req: &ExportRequest) -> R<ExportView> {
        self.require_office()?;
        let id: SettlementRunId = self.id("règlement", &req.run_id)?;
        let run = self.ledger.settlement_run(id).map_err(|e| self.app(&e))?;
        // the campaign in the names, accents kept: « règlement-Céréales sèches 2026_27-… »
        let stem = format!(
            "règlement-{}-{}",
            file_name(&run.run.campaign),
            date(run.run.date)
        );
        let folder = self
            .exports_dir()
            .join(format!("{stem}-{}", &id.to_string()[..8]));
        std::fs::create_dir_all(&folder).map_err(|e| self.file_error(&folder, &e))?;
        let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
        match req.format.trim() {
            "xlsx" => files.push((
                folder.join(format!("{stem}.xlsx")),
                settlement_xlsx(&run).map_err(|e| self.app(&e))?,
            )),
            "statements" => {
                let db = self.ledger.db();
                for l in &run.members {
                    files.push((
                        folder.join(format!("releve-{}.pdf", file_name(&l.number))),
                        member_statement_pdf(&db, id, l.member_id).map_err(|e| self.app(&e))?,
                    ));
                }
                for coop in db.cooperatives().map_err(|e| self.app(&e.into()))? {
                    if run.cooperatives.contains_key(&coop.code) {
                        files.push((
                            folder.join(format!("paiements-{}.pdf", file_name(&coop.code))),
                            payment_list_pdf(&db, id, coop.id).map_err(|e| self.app(&e))?,
                        ));
                    }
                }
            }
            other => match csv_style(other) {
                Some(style) => files.push((
                    folder.join(format!("{stem}.csv")),
                    settlement_csv(&run, style).into_bytes(),
                )),
                None => {
                    return Err(ApiError::invalid(
                        self.lang,
                        "format",
                        &format!(
                        "format d'export inconnu : « {other} » (xlsx, csv, csv-intl, statements)"
                    ),
                        &format!(
                            "unknown export format: \"{other}\" (xlsx, csv, csv-intl, statements)"
                        ),
                    ))
                }
            },
        }
        let mut bytes = 0usize;
        let mut names = Vec::with_capacity(files.len());
        for (path, data) in &files {
            write_durably(path, data).map_err(|e| self.file_error(path, &e))?;
            bytes += data.len();
            names.push(path.display().to_string());
        }
        Ok(ExportView {
            folder: folder.display().to_string(),
            files: names,
            bytes: u32::try_from(bytes).unwrap_or(u32::MAX),
        })
    }

    /// `export_portfolio`: the lender portfolio report of a campaign to XLSX or CSV, in
    /// `exports/` beside the store.
    ///
    /// # Errors
    /// Not the secretariat, unknown campaign or format, a file that cannot be written.
    pub fn export_portfolio(&self, req: &PortfolioExportRequest) -> R<ExportView> {
        use sene_app::portfolio::{lender_portfolio, portfolio_csv, portfolio_xlsx};
        self.require_office()?;
        let camp: CampaignId = self.id("campagne", &req.campaign_id)?;
        let p = lender_portfolio(&self.ledger.db(), camp).map_err(|e| self.app(&e))?;
        let stem = format!(
            "portefeuille-{}-{}",
            file_name(&p.campaign),
            date(self.today())
        );
        self.write_export(
            &stem,
            &req.format,
            || portfolio_xlsx(&p),
            |style| portfolio_csv(&p, style),
        )
    }

    /// `export_dashboard`: the campaign's dashboard at a date to XLSX (every table, one sheet
    /// each) or CSV (the progress per cooperative), in `exports/` beside the store.
    ///
    /// # Errors
    /// Not the secretariat, unknown campaign or format, a malformed date, a file that cannot
    /// be written.
    pub fn export_dashboard(&self, req: &DashboardExportRequest) -> R<ExportView> {
        use sene_app::dashboard::{dashboard_csv, dashboard_xlsx};
        self.require_office()?;
        let camp: CampaignId = self.id("campagne", &req.campaign_id)?;
        let day = self.office_date("date", &req.date)?;
        let d = self.ledger.dashboard(camp, day).map_err(|e| self.app(&e))?;
        let stem = format!(
            "tableau-de-bord-{}-{}",
            file_name(&d.campaign),
            date(d.date)
        );
        self.write_export(
            &stem,
            &req.format,
            || dashboard_xlsx(&d),
            |style| dashboard_csv(&d, style),
        )
    }

    /// Writes `stem.xlsx` or `stem.csv` (by `format`: `xlsx`, `csv` in Excel's French style,
    /// `csv-intl`) in `exports/`, durably.
    fn write_export(
        &self,
        stem: &str,
        format: &str,
        xlsx: impl FnOnce() -> sene_app::Result<Vec<u8>>,
        csv: impl FnOnce(CsvStyle) -> String,
    ) -> R<ExportView> {
        let folder = self.exports_dir();
        std::fs::create_dir_all(&folder).map_err(|e| self.file_error(&folder, &e))?;
        let (path, data) = match format.trim() {
            "xlsx" => (
                folder.join(format!("{stem}.xlsx")),
                xlsx().map_err(|e| self.app(&e))?,
            ),
            other => match csv_style(other) {
                Some(style) => (folder.join(format!("{stem}.csv")), csv(style).into_bytes()),
                None => {
                    return Err(ApiError::invalid(
                        self.lang,
                        "format",
                        &format!("format d'export inconnu : « {other} » (xlsx, csv, csv-intl)"),
                        &format!("unknown export format: \"{other}\" (xlsx, csv, csv-intl)"),
                    ))
                }
            },
        };
        write_durably(&path, &data).map_err(|e| self.file_error(&path, &e))?;
        Ok(ExportView {
            folder: folder.display().to_string(),
            files: vec![path.display().to_string()],
            bytes: u32::try_from(data.len()).unwrap_or(u32::MAX),
        })
    }

    fn exports_dir(&self) -> PathBuf {
        self.receipts_dir
            .parent()
            .map_or_else(|| PathBuf::from("exports"), |p| p.join("exports"))
    }
}

/// Names the request's field in an error from a use case (whose fields are French labels):
/// the first `(label part, field)` whose part the label contains.
fn field_of(mut e: ApiError, pairs: &[(&str, &str)]) -> ApiError {
    if let Some(f) = e.field.as_deref() {
        if let Some((_, key)) = pairs.iter().find(|(part, _)| f.contains(part)) {
            e.field = Some((*key).to_owned());
        }
    }
    e
}

/// The CSV style an export format names: `csv` (Excel in French, the default), `csv-fr`,
/// `csv-intl`; None for another format.
fn csv_style(format: &str) -> Option<CsvStyle> {
    match format.strip_prefix("csv")? {
        "" => Some(CsvStyle::default()),
        code => CsvStyle::from_code(code.strip_prefix('-')?),
    }
}
