//! `sene member cards` (a cooperative's sheet of member cards) and `sene member scan` (what a
//! reader typed: a member's card, or a weighing ticket checked against the books).

use std::path::PathBuf;

use sene_app::cards;
use sene_app::export::file_name;
use serde_json::json;

use crate::cli::MemberCardCmd;
use crate::ctx::Ctx;
use crate::error::{CliError, CliResult};
use crate::files::write_atomically;
use crate::lang::tr;
use crate::lookup;
use crate::output::Output;

/// Runs `sene member cards|scan`.
pub fn run(ctx: &mut Ctx, c: MemberCardCmd) -> CliResult<Output> {
    match c {
        MemberCardCmd::Cards { cooperative, out } => {
            let coop = lookup::cooperative(&ctx.db(), &cooperative)?;
            let doc = cards::member_cards(&ctx.ledger, coop.id)?;
            let pdf = cards::member_cards_pdf(&ctx.ledger, coop.id)?;
            let path = out
                .unwrap_or_else(|| PathBuf::from(format!("cartes-{}.pdf", file_name(&coop.code))));
            write_atomically(&path, &pdf)?;
            let n = doc.cards.len();
            let mut o = Output::new(&json!({
                "file": path.display().to_string(),
                "cooperative": coop.code,
                "cards": n,
                "pages": n.div_ceil(10).max(1),
            }))?;
            o.push(tr(
                ctx.lang,
                format!(
                    "{n} carte(s) de membre de {} écrites : {}",
                    coop.name,
                    path.display()
                ),
                format!(
                    "{n} member card(s) of {} written: {}",
                    coop.name,
                    path.display()
                ),
            ));
            Ok(o)
        }
        MemberCardCmd::Scan { text } => scan(ctx, &text),
    }
}

fn scan(ctx: &mut Ctx, text: &str) -> CliResult<Output> {
    if sene_app::tickets::looks_like_ticket(text) {
        return ticket(ctx, text);
    }
    match ctx.ledger.member_from_card(text)? {
        Ok(id) => {
            let m = ctx
                .db()
                .member(id)?
                .ok_or_else(|| CliError::not_found("membre", id.to_string()))?;
            let mut o = Output::new(&json!({"kind": "member", "member": m}))?;
            o.push(tr(
                ctx.lang,
                format!("carte de {} ({}) — {}", m.full_name, m.number, m.id),
                format!("card of {} ({}) — {}", m.full_name, m.number, m.id),
            ));
            Ok(o)
        }
        Err(e) => Err(CliError::msg(
            "scan_refused",
            e.message(sene_domain::Lang::Fr),
            e.message(sene_domain::Lang::En),
        )),
    }
}

/// A weighing ticket's code checked against the books; one that does not match is kept for
/// the anomaly queue (as the window does) and the command fails, so a script sees it.
fn ticket(ctx: &mut Ctx, text: &str) -> CliResult<Output> {
    let Some(check) = ctx.ledger.check_ticket_text(text)? else {
        let e = cards::ScanError::Damaged;
        return Err(CliError::msg(
            "scan_refused",
            e.message(sene_domain::Lang::Fr),
            e.message(sene_domain::Lang::En),
        ));
    };
    if check.matches() {
        let mut o = Output::new(&json!({"kind": "ticket", "check": check, "matches": true}))?;
        o.push(check.message(ctx.lang));
        return Ok(o);
    }
    if let Ok(actor) = ctx.actor() {
        let _ = ctx.ledger.record_ticket_scan(&actor, &check);
    }
    Err(CliError::msg(
        "ticket_differs",
        check.message(sene_domain::Lang::Fr),
        check.message(sene_domain::Lang::En),
    ))
}
