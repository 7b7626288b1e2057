//! Reports (settlement, campaign progress, an agent's cash), the audit trail, `check`, `table`.

use std::path::Path;

use sene_app::reports::{agent_cash, campaign_report, settle_campaign, Totals};
use sene_domain::*;
use sene_store::Table;
use serde_json::json;

use crate::cli::*;
use crate::ctx::Ctx;
use crate::error::{CliError, CliResult};
use crate::files::write_atomically;
use crate::lang::{crop_said, decimal, fee, num, tr};
use crate::lookup;
use crate::output::Output;
use crate::parse;

pub fn report(ctx: &mut Ctx, c: ReportCmd) -> CliResult<Output> {
    // the union's figures are the secretariat's; one member's settlement and an agent's own
    // cash are not (the window shows them on the member card and the cash screen)
    let office = match &c {
        ReportCmd::Settlement(a) => a.member.is_none(),
        ReportCmd::Cash { .. } => false,
        _ => true,
    };
    if office {
        ctx.require_office()?;
    }
    match c {
        ReportCmd::Settlement(a) => settlement(ctx, a),
        ReportCmd::Campaign { campaign } => progress(ctx, campaign.as_deref()),
        ReportCmd::Cash { campaign } => cash(ctx, campaign.as_deref()),
        ReportCmd::Portfolio {
            campaign,
            xlsx,
            csv,
            csv_style,
        } => portfolio(
            ctx,
            &campaign,
            xlsx.as_deref(),
            csv.as_deref(),
            parse::csv_style("--csv-style", &csv_style)?,
        ),
        ReportCmd::Dashboard {
            campaign,
            date,
            xlsx,
            csv,
            csv_style,
        } => dashboard(
            ctx,
            &campaign,
            date.as_deref(),
            xlsx.as_deref(),
            csv.as_deref(),
            parse::csv_style("--csv-style", &csv_style)?,
        ),
    }
}

fn dashboard(
    ctx: &Ctx,
    campaign: &str,
    date: Option<&str>,
    xlsx: Option<&std::path::Path>,
    csv: Option<&std::path::Path>,
    style: sene_app::export::CsvStyle,
) -> CliResult<Output> {
    use sene_app::dashboard::{dashboard, dashboard_csv, dashboard_xlsx};
    let db = ctx.db();
    let camp = lookup::campaign(&db, campaign)?;
    let day = parse::date_or("--date", date, ctx.today())?;
    let d = dashboard(&db, camp.id, day)?;
    let mut out = Output::new(&d)?;
    let lang = ctx.lang;
    out.push(tr(
        lang,
        format!("Tableau de bord de « {} » au {}", d.campaign, d.date),
        format!("Dashboard of \"{}\" on {}", d.campaign, d.date),
    ));
    for c in &d.cooperatives {
        let p = &c.progress;
        let rate = decimal(lang, p.recovery_rate);
        out.push(tr(
            lang,
            format!(
                "  {:<8} engagé {}, livré {}, avances {} sur {} dues, recouvré {} ({rate} %)",
                c.code, p.committed, p.delivered, p.disbursed, p.advance_due, p.recovered,
            ),
            format!(
                "  {:<8} committed {}, delivered {}, advances {} of {} due, recovered {} ({rate}%)",
                c.code,
                num(lang, p.committed),
                num(lang, p.delivered),
                p.disbursed,
                p.advance_due,
                p.recovered,
            ),
        ));
    }
    if let Some(f) = csv {
        write_atomically(f, dashboard_csv(&d, style).as_bytes())?;
        out.push(written(lang, "CSV", f));
    }
    if let Some(f) = xlsx {
        write_atomically(f, &dashboard_xlsx(&d)?)?;
        out.push(written(lang, "XLSX", f));
    }
    Ok(out)
}

/// `CSV écrit : FILE`.
fn written(lang: Lang, what: &str, f: &Path) -> String {
    tr(
        lang,
        format!("{what} écrit : {}", f.display()),
        format!("{what} written: {}", f.display()),
    )
}

fn totals_line(lang: Lang, label: &str, t: &Totals) -> String {
    let carried = match (t.carried_debt.is_positive(), lang) {
        (false, _) => String::new(),
        (true, Lang::Fr) => format!(", dette reportée {}", t.carried_debt),
        (true, Lang::En) => format!(", carried debt {}", t.carried_debt),
    };
    tr(
        lang,
        format!(
            "{label} : {} membre(s), engagé {}, accepté {}, valeur {}, avances {}, frais {}, engrais à crédit {}{carried}, net {} ; à payer {} (payé {}, reste {}) ; dettes {} ({} membre(s))",
            t.members,
            t.committed,
            t.accepted,
            t.delivered_value,
            t.advances,
            t.fees,
            t.fertilizer_credit,
            t.net,
            t.payable,
            t.paid,
            t.remaining,
            t.debt,
            t.members_in_debt
        ),
        format!(
            "{label}: {} member(s), committed {}, accepted {}, value {}, advances {}, fees {}, fertilizer on credit {}{carried}, net {}; to pay {} (paid {}, left {}); debts {} ({} member(s))",
            t.members,
            num(lang, t.committed),
            num(lang, t.accepted),
            t.delivered_value,
            t.advances,
            t.fees,
            t.fertilizer_credit,
            t.net,
            t.payable,
            t.paid,
            t.remaining,
            t.debt,
            t.members_in_debt
        ),
    )
}

fn settlement(ctx: &mut Ctx, a: SettlementArgs) -> CliResult<Output> {
    let db = ctx.db();
    let date = parse::date_or("--date", a.date.as_deref(), ctx.today())?;
    let coop = lookup::opt_cooperative(&db, a.cooperative.as_deref())?;
    let member = a
        .member
        .as_deref()
        .map(|m| lookup::member(&db, m, a.cooperative.as_deref()))
        .transpose()?;
    let mut reports = Vec::new();
    for camp in lookup::campaigns(&db, a.campaign.as_deref())? {
        let mut r = settle_campaign(&db, camp.id, date)?;
        if let Some(c) = &coop {
            r.members.retain(|l| l.cooperative == c.code);
            let kept: std::collections::HashSet<MemberId> =
                r.members.iter().map(|l| l.member_id).collect();
            r.contracts.retain(|l| kept.contains(&l.member_id));
            r.cooperatives.retain(|code, _| *code == c.code);
        }
        if let Some(m) = &member {
            r.members.retain(|l| l.member_id == m.id);
            r.contracts.retain(|l| l.member_id == m.id);
            let code = db
                .cooperative(m.cooperative_id)?
                .map(|c| c.code)
                .unwrap_or_default();
            r.cooperatives.retain(|c, _| *c == code);
        }
        reports.push(r);
    }
    let mut out = Output::new(&reports)?;
    let lang = ctx.lang;
    if reports.is_empty() {
        out.push(tr(lang, "aucune campagne", "no campaign"));
    }
    for r in &reports {
        out.push(tr(
            lang,
            format!(
                "Règlement de la campagne « {} » au {} (frais : {})",
                r.campaign,
                r.date,
                fee(lang, r.fee)
            ),
            format!(
                "Settlement of the campaign \"{}\" on {} (fees: {})",
                r.campaign,
                r.date,
                fee(lang, r.fee)
            ),
        ));
        for l in &r.members {
            let end = match (l.debt.is_positive(), lang) {
                (true, Lang::Fr) => format!("dette {}", l.debt),
                (true, Lang::En) => format!("debt {}", l.debt),
                (false, Lang::Fr) => format!("payé {}, reste à payer {}", l.paid, l.remaining),
                (false, Lang::En) => format!("paid {}, left to pay {}", l.paid, l.remaining),
            };
            let carried = match (l.carried_debt.is_positive(), lang) {
                (false, _) => String::new(),
                (true, Lang::Fr) => format!(", dette reportée {}", l.carried_debt),
                (true, Lang::En) => format!(", carried debt {}", l.carried_debt),
            };
            out.push(tr(
                lang,
                format!(
                    "  {:<12} {} [{}] : engagé {}, accepté {}, valeur {}, avances {}, frais {}, engrais {}{carried} → net {} ; {end}",
                    l.number,
                    l.full_name,
                    l.cooperative,
                    l.committed,
                    l.accepted,
                    l.delivered_value,
                    l.advances,
                    l.fees,
                    l.fertilizer_credit,
                    l.net
                ),
                format!(
                    "  {:<12} {} [{}]: committed {}, accepted {}, value {}, advances {}, fees {}, fertilizer {}{carried} → net {}; {end}",
                    l.number,
                    l.full_name,
                    l.cooperative,
                    num(lang, l.committed),
                    num(lang, l.accepted),
                    l.delivered_value,
                    l.advances,
                    l.fees,
                    l.fertilizer_credit,
                    l.net
                ),
            ));
        }
        if r.members.is_empty() {
            out.push(tr(lang, "  aucun membre", "  no member"));
        }
        for (code, t) in &r.cooperatives {
            let label = tr(
                lang,
                format!("  Coopérative {code}"),
                format!("  Cooperative {code}"),
            );
            out.push(totals_line(lang, &label, t));
        }
        let label = tr(lang, "  Total de la campagne", "  Campaign total");
        out.push(totals_line(lang, &label, &r.totals));
    }
    Ok(out)
}

fn progress(ctx: &mut Ctx, campaign: Option<&str>) -> CliResult<Output> {
    let db = ctx.db();
    let mut reports = Vec::new();
    for camp in lookup::campaigns(&db, campaign)? {
        reports.push(campaign_report(&db, camp.id)?);
    }
    let mut out = Output::new(&reports)?;
    let lang = ctx.lang;
    if reports.is_empty() {
        out.push(tr(lang, "aucune campagne", "no campaign"));
    }
    for r in &reports {
        out.push(tr(
            lang,
            format!("Avancement de la campagne « {} »", r.campaign),
            format!("Progress of the campaign \"{}\"", r.campaign),
        ));
        for l in r.lines.iter().chain(std::iter::once(&r.total)) {
            let rate = decimal(lang, l.recovery_rate);
            out.push(tr(
                lang,
                format!(
                    "  {:<8} {} : {} contrat(s), engagé {}, livré (accepté) {} ; avance due {}, versée {}, recouvrée {} ({rate} %)",
                    l.cooperative,
                    l.crop,
                    l.contracts,
                    l.committed,
                    l.delivered,
                    l.advance_due,
                    l.disbursed,
                    l.recovered,
                ),
                format!(
                    "  {:<8} {}: {} contract(s), committed {}, delivered (accepted) {}; advance due {}, paid {}, recovered {} ({rate}%)",
                    l.cooperative,
                    crop_said(lang, &l.crop),
                    l.contracts,
                    num(lang, l.committed),
                    num(lang, l.delivered),
                    l.advance_due,
                    l.disbursed,
                    l.recovered,
                ),
            ));
        }
        for f in &r.fertilizer {
            out.push(tr(
                lang,
                format!(
                    "  engrais {} : besoins {}, commandés {}, achetés {}, reçus {}, distribués {} sacs ; coût {}, payé comptant {}, à crédit {}",
                    f.product,
                    f.needed_bags,
                    f.ordered_bags,
                    f.purchased_bags,
                    f.received_bags,
                    f.distributed_bags,
                    f.cost,
                    f.cash_paid,
                    f.on_credit
                ),
                format!(
                    "  fertilizer {}: needed {}, ordered {}, bought {}, received {}, handed out {} bags; cost {}, paid in cash {}, on credit {}",
                    f.product,
                    f.needed_bags,
                    f.ordered_bags,
                    f.purchased_bags,
                    f.received_bags,
                    f.distributed_bags,
                    f.cost,
                    f.cash_paid,
                    f.on_credit
                ),
            ));
        }
    }
    Ok(out)
}

fn cash(ctx: &mut Ctx, campaign: Option<&str>) -> CliResult<Output> {
    let agent = match &ctx.agent {
        Some(a) => lookup::agent(&ctx.db(), a)?,
        None => {
            let id = ctx.ledger.local_actor()?.agent;
            ctx.db()
                .agent(id)?
                .ok_or_else(|| CliError::not_found("agent", id.to_string()))?
        }
    };
    let db = ctx.db();
    let lang = ctx.lang;
    let mut rows = Vec::new();
    let mut out = Output::default();
    out.push(tr(
        lang,
        format!("Caisse de l'agent {} ({})", agent.name, agent.id),
        format!("Cash of the agent {} ({})", agent.name, agent.id),
    ));
    for camp in lookup::campaigns(&db, campaign)? {
        let p = agent_cash(&db, agent.id, camp.id)?;
        out.push(tr(
            lang,
            format!(
                "  {} : reçu {}, versé {}, engrais encaissé {}, déjà rendu {} → à rendre {}",
                camp.name, p.received, p.paid_out, p.fertilizer_cash, p.returned, p.to_return
            ),
            format!(
                "  {}: received {}, paid out {}, fertilizer cash {}, already handed back {} → to hand back {}",
                camp.name, p.received, p.paid_out, p.fertilizer_cash, p.returned, p.to_return
            ),
        ));
        rows.push(json!({"campaign_id": camp.id, "campaign": camp.name, "position": p}));
    }
    out.json = json!({"agent_id": agent.id, "agent": agent.name, "campaigns": rows});
    Ok(out)
}

pub fn audit(ctx: &Ctx, a: AuditArgs) -> CliResult<Output> {
    let db = ctx.db();
    let all = db.audit_entries(u32::MAX)?;
    let skip = all.len().saturating_sub(a.limit as usize);
    let entries = &all[skip..];
    let rows: Vec<_> = entries
        .iter()
        .map(|e| {
            json!({
                "at": e.at,
                "agent_id": e.agent_id,
                "device_id": e.device_id,
                "action": e.action,
                "record_kind": e.record_kind,
                "record_id": e.record_id,
                "payload": serde_json::from_str::<serde_json::Value>(&e.payload)
                    .unwrap_or_else(|_| serde_json::Value::String(e.payload.clone())),
            })
        })
        .collect();
    let mut out = Output::new(&rows)?;
    for e in entries {
        out.push(format!(
            "{}  {:<22} {} {}  (agent {})",
            e.at.format("%Y-%m-%d %H:%M:%S"),
            e.action,
            e.record_kind,
            e.record_id,
            e.agent_id
        ));
    }
    out.push(tr(
        ctx.lang,
        format!("{} action(s) affichée(s) sur {}", entries.len(), all.len()),
        format!("{} action(s) shown out of {}", entries.len(), all.len()),
    ));
    Ok(out)
}

fn all_tables() -> impl Iterator<Item = Table> {
    Table::PROJECTION
        .iter()
        .copied()
        .chain(std::iter::once(Table::Audit))
}

pub fn check(ctx: &Ctx) -> CliResult<Output> {
    let integrity = ctx.ledger.store().integrity_check()?;
    let db = ctx.db();
    let mut counts = serde_json::Map::new();
    let mut lines = Vec::new();
    for t in all_tables() {
        let n = db.count(t)?;
        counts.insert(t.name().to_owned(), json!(n));
        lines.push(format!("  {:<26} {n}", t.name()));
    }
    if integrity != "ok" {
        return Err(CliError::msg(
            "store_damaged",
            format!("la base est endommagée (integrity_check : {integrity}) : restaurez une copie de sauvegarde"),
            format!("the store is damaged (integrity_check: {integrity}): restore a backup"),
        ));
    }
    // An empty store is sound but not usable yet: say so (scripts rely on it).
    ctx.ledger.union()?;
    let size = ctx.ledger.store().size_on_disk();
    let mut out = Output::new(&json!({
        "integrity": integrity,
        "store": ctx.store.display().to_string(),
        "size_bytes": size,
        "counts": counts,
    }))?;
    out.push(tr(
        ctx.lang,
        format!(
            "Base {} : intégrité ok, {} octets",
            ctx.store.display(),
            size
        ),
        format!(
            "Store {}: integrity ok, {} bytes",
            ctx.store.display(),
            size
        ),
    ));
    for l in lines {
        out.push(l);
    }
    Ok(out)
}

pub fn table(ctx: &Ctx, a: TableArgs) -> CliResult<Output> {
    let want = a.name.trim().to_lowercase().replace('-', "_");
    let Some(t) = all_tables().find(|t| t.name() == want) else {
        let names: Vec<&str> = all_tables().map(Table::name).collect();
        return Err(CliError::msg(
            "invalid_argument",
            format!(
                "table « {} » inconnue ; tables : {}",
                a.name,
                names.join(", ")
            ),
            format!("unknown table \"{}\"; tables: {}", a.name, names.join(", ")),
        ));
    };
    crate::ctx::raw_rows(ctx, t, a.limit)
}

/// `sene report portfolio`: the lender portfolio of a campaign per cooperative.
fn portfolio(
    ctx: &Ctx,
    campaign: &str,
    xlsx: Option<&Path>,
    csv: Option<&Path>,
    style: sene_app::export::CsvStyle,
) -> CliResult<Output> {
    use sene_app::portfolio::{lender_portfolio, portfolio_csv, portfolio_xlsx};
    let db = ctx.db();
    let camp = lookup::campaign(&db, campaign)?;
    let p = lender_portfolio(&db, camp.id)?;
    let mut out = Output::new(&p)?;
    let lang = ctx.lang;
    out.push(tr(
        lang,
        format!("Portefeuille de la campagne « {} »", p.campaign),
        format!("Portfolio of the campaign \"{}\"", p.campaign),
    ));
    for l in p.lines.iter().chain(std::iter::once(&p.total)) {
        let rate = decimal(lang, l.recovery_rate);
        out.push(tr(
            lang,
            format!(
                "  {:<8} {} contrat(s) : avances dues {}, versées {}, recouvrées en nature {}, encours {} ({rate} %)",
                l.cooperative, l.contracts, l.advance_due, l.disbursed, l.recovered, l.outstanding,
            ),
            format!(
                "  {:<8} {} contract(s): advances due {}, paid {}, recovered in kind {}, outstanding {} ({rate}%)",
                l.cooperative, l.contracts, l.advance_due, l.disbursed, l.recovered, l.outstanding,
            ),
        ));
    }
    if let Some(f) = csv {
        write_atomically(f, portfolio_csv(&p, style).as_bytes())?;
        out.push(written(lang, "CSV", f));
    }
    if let Some(f) = xlsx {
        write_atomically(f, &portfolio_xlsx(&p)?)?;
        out.push(written(lang, "XLSX", f));
    }
    Ok(out)
}
