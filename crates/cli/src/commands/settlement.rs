//! `sene settlement`: lock a campaign's settlement run, list runs, show one (with its CSV or
//! XLSX export), and write its member statements and payment lists as PDF files.

use std::path::Path;

use sene_app::export::{file_name, CsvStyle};
use sene_app::settlement::{
    late_records, member_statement_pdf, payment_list_pdf, settlement_csv, settlement_xlsx,
    SettlementRun,
};
use sene_domain::*;
use serde_json::json;

use crate::cli::*;
use crate::ctx::Ctx;
use crate::error::CliResult;
use crate::files::{unwritable, write_atomically};
use crate::lookup;
use crate::output::Output;
use crate::parse;

pub fn run(ctx: &mut Ctx, c: SettlementCmd) -> CliResult<Output> {
    match c {
        SettlementCmd::Propose { campaign, date } => propose(ctx, &campaign, date.as_deref()),
        SettlementCmd::Lock {
            campaign,
            date,
            replaces,
            note,
        } => lock(ctx, &campaign, date.as_deref(), replaces.as_deref(), &note),
        SettlementCmd::List { campaign } => list(ctx, campaign.as_deref()),
        SettlementCmd::Show {
            id,
            xlsx,
            csv,
            csv_style,
        } => show(
            ctx,
            &id,
            xlsx.as_deref(),
            csv.as_deref(),
            parse::csv_style("--csv-style", &csv_style)?,
        ),
        SettlementCmd::Statements { id, out } => statements(ctx, &id, &out),
    }
}

fn describe(out: &mut Output, r: &SettlementRun) {
    out.push(format!(
        "Règlement {} de la campagne « {} » au {} (arrêté le {}){}",
        r.run.id,
        r.run.campaign,
        r.run.date,
        r.run.locked_at.format("%Y-%m-%d %H:%M"),
        r.run
            .replaces
            .map(|p| format!(", remplace {p}"))
            .unwrap_or_default()
    ));
    for l in &r.members {
        let end = if l.debt.is_positive() {
            format!("dette {}", l.debt)
        } else {
            format!("reste à payer {}", l.remaining)
        };
        let carried = if l.carried_debt.is_positive() {
            format!(", dette reportée {}", l.carried_debt)
        } else {
            String::new()
        };
        out.push(format!(
            "  {} {} ({}) : valeur {}, avances {}, frais {}, engrais {}{carried}, net {} ; {end}",
            l.number,
            l.full_name,
            l.cooperative,
            l.delivered_value,
            l.advances,
            l.fees,
            l.fertilizer_credit,
            l.net
        ));
    }
    let t = &r.totals;
    out.push(format!(
        "TOTAL : {} membre(s), valeur {}, avances {}, frais {}, engrais {}, dette reportée {}, net {} ; à payer {} ; dettes {} ({} membre(s))",
        t.members,
        t.delivered_value,
        t.advances,
        t.fees,
        t.fertilizer_credit,
        t.carried_debt,
        t.net,
        t.payable,
        t.debt,
        t.members_in_debt
    ));
}

fn propose(ctx: &mut Ctx, campaign: &str, date: Option<&str>) -> CliResult<Output> {
    let camp = lookup::campaign(&ctx.db(), campaign)?;
    let date = parse::date_or("--date", date, ctx.today())?;
    let p = ctx.run(|tx| tx.propose_settlement(camp.id, date))?;
    let out = Output::new(&serde_json::json!({
        "proposal": p.id,
        "campaign_id": p.campaign_id.to_string(),
        "date": p.date.to_string(),
        "proposed_by": p.proposed_by.to_string(),
    }))?;
    Ok(out.line(format!(
        "Règlement de « {} » au {date} proposé : un autre agent du secrétariat l'arrête (sene settlement lock)",
        camp.name
    )))
}

fn lock(
    ctx: &mut Ctx,
    campaign: &str,
    date: Option<&str>,
    replaces: Option<&str>,
    note: &str,
) -> CliResult<Output> {
    let camp = lookup::campaign(&ctx.db(), campaign)?;
    let date = parse::date_or("--date", date, ctx.today())?;
    let replaces: Option<SettlementRunId> = parse::opt_id("--replaces", replaces)?;
    let run = ctx.run(|tx| tx.lock_settlement(camp.id, date, replaces, note))?;
    let mut out = Output::new(&run)?;
    describe(&mut out, &run);
    out.push(format!("Règlement arrêté : {}", run.run.id));
    Ok(out)
}

fn list(ctx: &Ctx, campaign: Option<&str>) -> CliResult<Output> {
    let camp = campaign
        .map(|c| lookup::campaign(&ctx.db(), c))
        .transpose()?;
    let runs = ctx.ledger.settlement_runs(camp.map(|c| c.id))?;
    let mut out = Output::new(&runs)?;
    if runs.is_empty() {
        out.push("aucun règlement arrêté");
    }
    for r in &runs {
        out.push(format!(
            "{} « {} » au {} (arrêté le {}){}{}",
            r.id,
            r.campaign,
            r.date,
            r.locked_at.format("%Y-%m-%d %H:%M"),
            r.replaces
                .map(|p| format!(", remplace {p}"))
                .unwrap_or_default(),
            if r.note.is_empty() {
                String::new()
            } else {
                format!(" — {}", r.note)
            }
        ));
    }
    Ok(out)
}

fn show(
    ctx: &Ctx,
    id: &str,
    xlsx: Option<&Path>,
    csv: Option<&Path>,
    style: CsvStyle,
) -> CliResult<Output> {
    let id: SettlementRunId = parse::id("ID", id)?;
    let db = ctx.db();
    let run = ctx.ledger.settlement_run(id)?;
    let late = late_records(&db, id)?;
    let late_json: Vec<_> = late
        .iter()
        .map(|l| {
            json!({"kind": l.kind, "id": l.id, "member_id": l.member_id, "date": l.date,
                   "receipt": l.receipt, "recorded_at": l.recorded_at})
        })
        .collect();
    let mut out = Output::new(&json!({"run": run, "late_records": late_json}))?;
    describe(&mut out, &run);
    if !late.is_empty() {
        out.push(format!(
            "ATTENTION : {} enregistrement(s) arrivé(s) après l'arrêté, non comptés :",
            late.len()
        ));
        for l in &late {
            out.push(format!(
                "  {} {} du {} (reçu {})",
                l.kind, l.id, l.date, l.receipt
            ));
        }
    }
    if let Some(p) = csv {
        write_atomically(p, settlement_csv(&run, style).as_bytes())?;
        out.push(format!("CSV écrit : {}", p.display()));
    }
    if let Some(p) = xlsx {
        write_atomically(p, &settlement_xlsx(&run)?)?;
        out.push(format!("XLSX écrit : {}", p.display()));
    }
    Ok(out)
}

fn statements(ctx: &Ctx, id: &str, dir: &Path) -> CliResult<Output> {
    let id: SettlementRunId = parse::id("ID", id)?;
    let db = ctx.db();
    let run = ctx.ledger.settlement_run(id)?;
    std::fs::create_dir_all(dir).map_err(|e| unwritable(dir, &e))?;
    let mut files = Vec::new();
    for l in &run.members {
        let p = dir.join(format!("releve-{}.pdf", file_name(&l.number)));
        write_atomically(&p, &member_statement_pdf(&db, id, l.member_id)?)?;
        files.push(p);
    }
    for code in run.cooperatives.keys() {
        let coop = lookup::cooperative(&db, code)?;
        let p = dir.join(format!("paiements-{}.pdf", file_name(code)));
        write_atomically(&p, &payment_list_pdf(&db, id, coop.id)?)?;
        files.push(p);
    }
    let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let mut out = Output::new(&names)?;
    out.push(format!(
        "{} relevé(s) de membre et {} liste(s) de paiement écrits dans {}",
        run.members.len(),
        run.cooperatives.len(),
        dir.display()
    ));
    Ok(out)
}
