//! `sene settlement`: lock a campaign's settlement run, list runs, show one (with its CSV or
//! XLSX export), and write its member statements and payment lists as PDF files.

use std::path::Path;

use sene_app::export::{file_name, CsvStyle};
use sene_app::settlement::{
    late_records, member_statement_pdf, payment_list_pdf, settlement_csv, settlement_xlsx,
    SettlementRun,
};
use sene_app::steps::Step;
use sene_domain::*;
use serde_json::json;

use super::progress::Progress;
use crate::cli::*;
use crate::ctx::Ctx;
use crate::error::CliResult;
use crate::files::{unwritable, write_atomically};
use crate::lang::tr;
use crate::lookup;
use crate::output::Output;
use crate::parse;

pub fn run(ctx: &mut Ctx, c: SettlementCmd) -> CliResult<Output> {
    ctx.require_office()?;
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

fn describe(lang: Lang, out: &mut Output, r: &SettlementRun) {
    let replaces = r
        .run
        .replaces
        .map(|p| tr(lang, format!(", remplace {p}"), format!(", replaces {p}")))
        .unwrap_or_default();
    let locked = r.run.locked_at.format("%Y-%m-%d %H:%M");
    out.push(tr(
        lang,
        format!(
            "Règlement {} de la campagne « {} » au {} (arrêté le {locked}){replaces}",
            r.run.id, r.run.campaign, r.run.date
        ),
        format!(
            "Settlement {} of the campaign \"{}\" on {} (locked on {locked}){replaces}",
            r.run.id, r.run.campaign, r.run.date
        ),
    ));
    for l in &r.members {
        let end = match (l.debt.is_positive(), lang) {
            (true, Lang::Fr) => format!("dette {}", l.debt),
            (true, Lang::En) => format!("debt {}", l.debt),
            (false, Lang::Fr) => format!("reste à payer {}", l.remaining),
            (false, Lang::En) => format!("left to pay {}", l.remaining),
        };
        let carried = match (l.carried_debt.is_positive(), lang) {
            (false, _) => String::new(),
            (true, Lang::Fr) => format!(", dette reportée {}", l.carried_debt),
            (true, Lang::En) => format!(", carried debt {}", l.carried_debt),
        };
        out.push(tr(
            lang,
            format!(
                "  {} {} ({}) : valeur {}, avances {}, frais {}, engrais {}{carried}, net {} ; {end}",
                l.number,
                l.full_name,
                l.cooperative,
                l.delivered_value,
                l.advances,
                l.fees,
                l.fertilizer_credit,
                l.net
            ),
            format!(
                "  {} {} ({}): value {}, advances {}, fees {}, fertilizer {}{carried}, net {}; {end}",
                l.number,
                l.full_name,
                l.cooperative,
                l.delivered_value,
                l.advances,
                l.fees,
                l.fertilizer_credit,
                l.net
            ),
        ));
    }
    let t = &r.totals;
    out.push(tr(
        lang,
        format!(
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
        ),
        format!(
            "TOTAL: {} member(s), value {}, advances {}, fees {}, fertilizer {}, carried debt {}, net {}; to pay {}; debts {} ({} member(s))",
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
        ),
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
    Ok(out.line(tr(
        ctx.lang,
        format!(
            "Règlement de « {} » au {date} proposé : un autre agent du secrétariat l'arrête (sene settlement lock)",
            camp.name
        ),
        format!(
            "Settlement of \"{}\" on {date} proposed: another secretariat agent locks it (sene settlement lock)",
            camp.name
        ),
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
    describe(ctx.lang, &mut out, &run);
    out.push(tr(
        ctx.lang,
        format!("Règlement arrêté : {}", run.run.id),
        format!("Settlement locked: {}", run.run.id),
    ));
    Ok(out)
}

fn list(ctx: &Ctx, campaign: Option<&str>) -> CliResult<Output> {
    let camp = campaign
        .map(|c| lookup::campaign(&ctx.db(), c))
        .transpose()?;
    let runs = ctx.ledger.settlement_runs(camp.map(|c| c.id))?;
    let mut out = Output::new(&runs)?;
    let lang = ctx.lang;
    if runs.is_empty() {
        out.push(tr(lang, "aucun règlement arrêté", "no settlement locked"));
    }
    for r in &runs {
        let replaces = r
            .replaces
            .map(|p| tr(lang, format!(", remplace {p}"), format!(", replaces {p}")))
            .unwrap_or_default();
        let note = if r.note.is_empty() {
            String::new()
        } else {
            format!(" — {}", r.note)
        };
        let locked = r.locked_at.format("%Y-%m-%d %H:%M");
        out.push(tr(
            lang,
            format!(
                "{} « {} » au {} (arrêté le {locked}){replaces}{note}",
                r.id, r.campaign, r.date
            ),
            format!(
                "{} \"{}\" on {} (locked on {locked}){replaces}{note}",
                r.id, r.campaign, r.date
            ),
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
    let lang = ctx.lang;
    describe(lang, &mut out, &run);
    if !late.is_empty() {
        out.push(tr(
            lang,
            format!(
                "ATTENTION : {} enregistrement(s) arrivé(s) après l'arrêté, non comptés :",
                late.len()
            ),
            format!(
                "WARNING: {} record(s) arrived after the lock, not counted:",
                late.len()
            ),
        ));
        for l in &late {
            out.push(tr(
                lang,
                format!("  {} {} du {} (reçu {})", l.kind, l.id, l.date, l.receipt),
                format!(
                    "  {} {} of {} (receipt {})",
                    l.kind, l.id, l.date, l.receipt
                ),
            ));
        }
    }
    for (what, p) in [("CSV", csv), ("XLSX", xlsx)] {
        let Some(p) = p else { continue };
        if what == "CSV" {
            write_atomically(p, settlement_csv(&run, style).as_bytes())?;
        } else {
            write_atomically(p, &settlement_xlsx(&run)?)?;
        }
        out.push(tr(
            lang,
            format!("{what} écrit : {}", p.display()),
            format!("{what} written: {}", p.display()),
        ));
    }
    Ok(out)
}

fn statements(ctx: &Ctx, id: &str, dir: &Path) -> CliResult<Output> {
    let id: SettlementRunId = parse::id("ID", id)?;
    let db = ctx.db();
    let run = ctx.ledger.settlement_run(id)?;
    std::fs::create_dir_all(dir).map_err(|e| unwritable(dir, &e))?;
    // a step per file written (a union's run: thousands of statements), as a bar on a
    // terminal or a line every 2 % (super::progress)
    let mut bar = Progress::new(ctx.json);
    let total = u64::try_from(run.members.len() + run.cooperatives.len()).unwrap_or(u64::MAX);
    let (statement, list) = match ctx.lang {
        Lang::Fr => ("relevés de membre", "listes de paiement"),
        Lang::En => ("member statements", "payment lists"),
    };
    let mut step = |done: u64, text: &str| {
        bar.step(&Step {
            done,
            total,
            text: text.to_owned(),
        });
    };
    let mut files = Vec::new();
    for (done, l) in (0u64..).zip(&run.members) {
        step(done, statement);
        let p = dir.join(format!("releve-{}.pdf", file_name(&l.number)));
        write_atomically(&p, &member_statement_pdf(&db, id, l.member_id)?)?;
        files.push(p);
    }
    for (done, code) in (0u64..).zip(run.cooperatives.keys()) {
        step(
            u64::try_from(run.members.len()).unwrap_or(u64::MAX) + done,
            list,
        );
        let coop = lookup::cooperative(&db, code)?;
        let p = dir.join(format!("paiements-{}.pdf", file_name(code)));
        write_atomically(&p, &payment_list_pdf(&db, id, coop.id)?)?;
        files.push(p);
    }
    step(total, list);
    let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let mut out = Output::new(&names)?;
    out.push(tr(
        ctx.lang,
        format!(
            "{} relevé(s) de membre et {} liste(s) de paiement écrits dans {}",
            run.members.len(),
            run.cooperatives.len(),
            dir.display()
        ),
        format!(
            "{} member statement(s) and {} payment list(s) written in {}",
            run.members.len(),
            run.cooperatives.len(),
            dir.display()
        ),
    ));
    Ok(out)
}
