//! `sene anomalies`, `sene stock`, `sene cash`: the union office's reconciliation — the
//! anomaly queue and its resolutions, physical stock counts, cash handed back by agents.

use sene_app::anomalies::tell;
use sene_domain::{Campaign, Lang};
use serde_json::json;

use crate::cli::{AnomaliesCmd, CashCmd, StockCmd};
use crate::ctx::Ctx;
use crate::error::{CliError, CliResult};
use crate::lang::{num, tr};
use crate::lookup;
use crate::output::Output;
use crate::parse;

fn campaign(ctx: &Ctx, key: &str) -> CliResult<Campaign> {
    lookup::campaign(&ctx.db(), key)
}

pub fn anomalies(ctx: &mut Ctx, c: AnomaliesCmd) -> CliResult<Output> {
    ctx.require_office()?;
    match c {
        AnomaliesCmd::List { campaign: key } => {
            let camp = campaign(ctx, &key)?;
            let q = ctx.ledger.anomalies(camp.id)?;
            let mut out = Output::new(&q)?;
            out.push(match ctx.lang {
                Lang::Fr => format!(
                    "{} anomalie(s) ouverte(s) dans la campagne « {} »",
                    q.len(),
                    camp.name
                ),
                Lang::En => format!(
                    "{} open anomal{} in the campaign \"{}\"",
                    q.len(),
                    if q.len() == 1 { "y" } else { "ies" },
                    camp.name
                ),
            });
            // in the words the window shows (one telling of each kind: anomalies::tell)
            let db = ctx.db();
            let (colon, todo) = match ctx.lang {
                Lang::Fr => (" :", "À faire"),
                Lang::En => (":", "What to do"),
            };
            for a in &q {
                let told = tell(&db, &a.kind, ctx.lang)?;
                out.push(format!(
                    "  {} — {}{colon} {}",
                    a.key, told.title, told.summary
                ));
                for f in &told.evidence {
                    out.push(format!("      {}{colon} {}", f.label, f.value));
                }
                out.push(format!("      {todo}{colon} {}", told.action));
            }
            Ok(out)
        }
        AnomaliesCmd::Resolve {
            key,
            campaign: c,
            note,
        } => {
            let camp = campaign(ctx, &c)?;
            let r = ctx.run(|tx| tx.resolve_anomaly(camp.id, &key, &note))?;
            Ok(Output::new(&r)?.line(tr(
                ctx.lang,
                format!(
                    "Anomalie résolue : {} ({}), motif : {}",
                    r.key, r.kind, r.note
                ),
                format!(
                    "Anomaly resolved: {} ({}), reason: {}",
                    r.key, r.kind, r.note
                ),
            )))
        }
        AnomaliesCmd::Log { campaign: c } => {
            let camp = campaign(ctx, &c)?;
            let log = ctx.ledger.anomaly_resolutions(camp.id)?;
            let db = ctx.db();
            let mut out = Output::new(&log)?;
            let lang = ctx.lang;
            if log.is_empty() {
                out.push(tr(lang, "aucune anomalie résolue", "no anomaly resolved"));
            }
            for r in &log {
                let who = db
                    .agent(r.resolved_by)?
                    .map_or_else(|| r.resolved_by.to_string(), |a| a.name);
                let at = r.resolved_at.format("%Y-%m-%d %H:%M");
                out.push(tr(
                    lang,
                    format!("{at} par {who} : {} — {}", r.key, r.note),
                    format!("{at} by {who}: {} — {}", r.key, r.note),
                ));
            }
            Ok(out)
        }
    }
}

pub fn stock(ctx: &mut Ctx, c: StockCmd) -> CliResult<Output> {
    match c {
        StockCmd::Count {
            warehouse,
            campaign: cp,
            kg,
            date,
            note,
        } => {
            let camp = campaign(ctx, &cp)?;
            let wh = lookup::warehouse(&ctx.db(), &warehouse, None)?;
            let counted = parse::kg("--kg", &kg)?;
            let date = parse::date_or("--date", date.as_deref(), ctx.today())?;
            let n = ctx.run(|tx| tx.record_stock_count(wh.id, camp.id, date, counted, &note))?;
            Ok(Output::new(&n)?.line(tr(
                ctx.lang,
                format!(
                    "Comptage n° {} enregistré : magasin {}, {} au {}",
                    n.id, wh.name, n.counted, n.counted_on
                ),
                format!(
                    "Count no. {} recorded: warehouse {}, {} on {}",
                    n.id,
                    wh.name,
                    num(ctx.lang, n.counted),
                    n.counted_on
                ),
            )))
        }
        StockCmd::List { campaign: cp } => {
            ctx.require_office()?;
            let camp = campaign(ctx, &cp)?;
            let counts = ctx.ledger.stock_counts(camp.id)?;
            let db = ctx.db();
            let mut out = Output::new(&counts)?;
            let lang = ctx.lang;
            if counts.is_empty() {
                out.push(tr(lang, "aucun comptage", "no count"));
            }
            for n in &counts {
                let wh = db
                    .warehouse(n.warehouse_id)?
                    .map_or_else(|| n.warehouse_id.to_string(), |w| w.name);
                let (on, kg, note) = (n.counted_on, num(lang, n.counted), &n.note);
                out.push(tr(
                    lang,
                    format!("{on} {wh} : {kg} {note}"),
                    format!("{on} {wh}: {kg} {note}"),
                ));
            }
            Ok(out)
        }
    }
}

pub fn cash(ctx: &mut Ctx, c: CashCmd) -> CliResult<Output> {
    match c {
        CashCmd::Return {
            from,
            campaign: cp,
            amount,
            date,
            note,
        } => {
            let camp = campaign(ctx, &cp)?;
            // --from names who hands the cash back; who acts (this store's agent, or --agent)
            // receives it
            let key = from.ok_or_else(|| {
                CliError::msg(
                    "invalid_argument",
                    "--from : donnez l'agent qui rend l'argent (nom ou UUID)",
                    "--from: name the agent who hands the cash back (name or UUID)",
                )
            })?;
            let agent = lookup::agent(&ctx.db(), &key)?;
            let amount = parse::money("--amount", &amount)?;
            let date = parse::date_or("--date", date.as_deref(), ctx.today())?;
            let r = ctx.run(|tx| tx.record_cash_return(agent.id, camp.id, date, amount, &note))?;
            let p = sene_app::reports::agent_cash(&ctx.db(), agent.id, camp.id)?;
            let mut out = Output::new(&json!({"cash_return": r, "position": p}))?;
            let lang = ctx.lang;
            out.push(tr(
                lang,
                format!(
                    "Retour n° {} : {} rendu par {} le {}",
                    r.id, r.amount, agent.name, r.returned_on
                ),
                format!(
                    "Return no. {}: {} handed back by {} on {}",
                    r.id, r.amount, agent.name, r.returned_on
                ),
            ));
            out.push(tr(
                lang,
                format!(
                    "Caisse de {} : reçu {}, versé {}, engrais encaissé {}, déjà rendu {} → à rendre {}",
                    agent.name, p.received, p.paid_out, p.fertilizer_cash, p.returned, p.to_return
                ),
                format!(
                    "Cash of {}: received {}, paid out {}, fertilizer cash {}, already handed back {} → to hand back {}",
                    agent.name, p.received, p.paid_out, p.fertilizer_cash, p.returned, p.to_return
                ),
            ));
            Ok(out)
        }
        CashCmd::List { campaign: cp } => {
            ctx.require_office()?;
            let camp = campaign(ctx, &cp)?;
            let returns = ctx.ledger.cash_returns(camp.id)?;
            let db = ctx.db();
            let mut out = Output::new(&returns)?;
            let lang = ctx.lang;
            if returns.is_empty() {
                out.push(tr(lang, "aucun retour d'argent", "no cash handed back"));
            }
            for r in &returns {
                let who = db
                    .agent(r.agent_id)?
                    .map_or_else(|| r.agent_id.to_string(), |a| a.name);
                let (on, amount, note) = (r.returned_on, r.amount, &r.note);
                out.push(tr(
                    lang,
                    format!("{on} {who} : {amount} {note}"),
                    format!("{on} {who}: {amount} {note}"),
                ));
            }
            Ok(out)
        }
    }
}
