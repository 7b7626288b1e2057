//! Sale lots, lenders, credit lines, drawdowns, repayments, fund allocations, balance payments.

use sene_app::finance::{
    NewAllocation, NewCreditLine, NewDrawdown, NewLender, NewRepayment, NewSaleLot, PayBalance,
};
use sene_app::lending::{complement_options, SetComplement};
use sene_domain::*;
use sene_store::Table;

use crate::cli::*;
use crate::ctx::{raw_rows, Ctx};
use crate::error::CliResult;
use crate::lang::{in_words, num, tr, word};
use crate::lookup;
use crate::output::Output;
use crate::parse;

pub fn sale_lot(ctx: &mut Ctx, c: SaleLotCmd) -> CliResult<Output> {
    match c {
        SaleLotCmd::Add(a) => {
            let db = ctx.db();
            let camp = lookup::campaign(&db, &a.campaign)?;
            let mut sources = Vec::new();
            for s in &a.sources {
                let (w, kg) = parse::key_value("--source", s)?;
                sources.push(LotSource {
                    warehouse_id: lookup::warehouse(&db, w, None)?.id,
                    kg: parse::kg("--source", kg)?,
                });
            }
            let cmd = NewSaleLot {
                id: parse::opt_id("--id", a.id.id.as_deref())?,
                campaign_id: camp.id,
                crop: parse::label("--crop", &a.crop)?,
                buyer: a.buyer,
                sources,
                price_per_kg: parse::money("--price", &a.price)?,
                costs: parse::money("--costs", &a.costs)?,
                date: parse::date_or("--date", a.date.as_deref(), ctx.today())?,
            };
            let lot = ctx.run(|tx| tx.add_sale_lot(cmd))?;
            let total = Kg::sum(lot.sources.iter().map(|s| s.kg))?;
            let out = Output::new(&lot)?;
            let lang = ctx.lang;
            let crop = word(lang, lot.crop);
            Ok(out.line(tr(
                lang,
                format!(
                    "Lot de vente à {} : {total} de {crop} à {}/kg, frais {} ({})",
                    lot.buyer, lot.price_per_kg, lot.costs, lot.id
                ),
                format!(
                    "Sale lot to {}: {} of {crop} at {}/kg, costs {} ({})",
                    lot.buyer,
                    num(lang, total),
                    lot.price_per_kg,
                    lot.costs,
                    lot.id
                ),
            )))
        }
        SaleLotCmd::Paid { lot } => {
            let id: SaleLotId = parse::id("lot", &lot)?;
            let changed = ctx.run(|tx| tx.mark_lot_paid(id))?;
            let out = Output::new(&serde_json::json!({"sale_lot": id, "changed": changed}))?;
            Ok(out.line(match (changed, ctx.lang) {
                (true, Lang::Fr) => format!("Lot {id} marqué payé"),
                (true, Lang::En) => format!("Lot {id} marked paid"),
                (false, Lang::Fr) => format!("Lot {id} déjà marqué payé"),
                (false, Lang::En) => format!("Lot {id} already marked paid"),
            }))
        }
        SaleLotCmd::List => raw_rows(ctx, Table::SaleLots, u32::MAX),
        SaleLotCmd::Complement {
            campaign,
            crop,
            per_kg,
        } => {
            let camp = lookup::campaign(&ctx.db(), &campaign)?;
            let crop: Option<Crop> = crop.map(|c| parse::label("--crop", &c)).transpose()?;
            if let (Some(crop), Some(per_kg)) = (crop, per_kg) {
                let per_kg = parse::money("--per-kg", &per_kg)?;
                ctx.run(|tx| {
                    tx.set_price_complement(SetComplement {
                        campaign_id: camp.id,
                        crop,
                        per_kg,
                    })
                })?;
            }
            let mut options = complement_options(&ctx.db(), camp.id)?;
            options.retain(|o| crop.is_none_or(|c| o.crop == c));
            let mut out = Output::new(&options)?;
            let lang = ctx.lang;
            for o in &options {
                out.push(tr(
                    lang,
                    format!(
                        "{} : prix de base {}, surplus des lots {} sur {} comptés, au plus {} par kg ; complément fixé {} par kg",
                        word(lang, o.crop),
                        o.base_price,
                        o.surplus,
                        o.counted,
                        o.max_per_kg,
                        o.per_kg
                    ),
                    format!(
                        "{}: base price {}, the lots' surplus {} over {} counted, at most {} per kg; complement set {} per kg",
                        word(lang, o.crop),
                        o.base_price,
                        o.surplus,
                        num(lang, o.counted),
                        o.max_per_kg,
                        o.per_kg
                    ),
                ));
            }
            Ok(out)
        }
    }
}

pub fn lender(ctx: &mut Ctx, c: LenderCmd) -> CliResult<Output> {
    match c {
        LenderCmd::Add { name, kind, id } => {
            let cmd = NewLender {
                id: parse::opt_id("--id", id.id.as_deref())?,
                name,
                kind: parse::label("--kind", &kind)?,
            };
            let l = ctx.run(|tx| tx.add_lender(cmd))?;
            let out = Output::new(&l)?;
            let kind = word(ctx.lang, l.kind);
            Ok(out.line(tr(
                ctx.lang,
                format!("Prêteur « {} » ({kind}) : {}", l.name, l.id),
                format!("Lender \"{}\" ({kind}): {}", l.name, l.id),
            )))
        }
        LenderCmd::List => raw_rows(ctx, Table::Lenders, u32::MAX),
    }
}

pub fn credit_line(ctx: &mut Ctx, c: CreditLineCmd) -> CliResult<Output> {
    match c {
        CreditLineCmd::Add(a) => {
            let db = ctx.db();
            let cmd = NewCreditLine {
                id: parse::opt_id("--id", a.id.id.as_deref())?,
                lender_id: lookup::lender(&db, &a.lender)?,
                campaign_id: a
                    .campaign
                    .as_deref()
                    .map(|c| lookup::campaign(&db, c).map(|c| c.id))
                    .transpose()?,
                principal: parse::money("--principal", &a.principal)?,
                annual_rate: parse::rate("--rate", &a.rate)?,
                start: parse::date("--start", &a.start)?,
                maturity: parse::date("--maturity", &a.maturity)?,
                guarantee_share: parse::rate("--guarantee", &a.guarantee)?,
            };
            let l = ctx.run(|tx| tx.add_credit_line(cmd))?;
            let out = Output::new(&l)?;
            let lang = ctx.lang;
            Ok(out.line(tr(
                lang,
                format!(
                    "Ligne de crédit de {} à {} par an, du {} au {}, garantie {} ({})",
                    l.principal, l.annual_rate, l.start, l.maturity, l.guarantee_share, l.id
                ),
                format!(
                    "Credit line of {} at {} a year, from {} to {}, guarantee {} ({})",
                    l.principal,
                    num(lang, l.annual_rate),
                    l.start,
                    l.maturity,
                    num(lang, l.guarantee_share),
                    l.id
                ),
            )))
        }
        CreditLineCmd::List => raw_rows(ctx, Table::CreditLines, u32::MAX),
    }
}

pub fn drawdown(ctx: &mut Ctx, c: DrawdownCmd) -> CliResult<Output> {
    match c {
        DrawdownCmd::Add {
            credit_line,
            amount,
            date,
            id,
        } => {
            let cmd = NewDrawdown {
                id: parse::opt_id("--id", id.id.as_deref())?,
                credit_line_id: parse::id("--credit-line", &credit_line)?,
                amount: parse::money("--amount", &amount)?,
                date: parse::date_or("--date", date.as_deref(), ctx.today())?,
            };
            let x = ctx.run(|tx| tx.draw(cmd))?;
            let out = Output::new(&x)?;
            Ok(out.line(tr(
                ctx.lang,
                format!("Tirage de {} le {} ({})", x.amount, x.date, x.id),
                format!("Drawdown of {} on {} ({})", x.amount, x.date, x.id),
            )))
        }
        DrawdownCmd::List => raw_rows(ctx, Table::Drawdowns, u32::MAX),
    }
}

pub fn repayment(ctx: &mut Ctx, c: RepaymentCmd) -> CliResult<Output> {
    match c {
        RepaymentCmd::Add {
            credit_line,
            principal,
            interest,
            date,
            id,
        } => {
            let cmd = NewRepayment {
                id: parse::opt_id("--id", id.id.as_deref())?,
                credit_line_id: parse::id("--credit-line", &credit_line)?,
                principal: parse::money("--principal", &principal)?,
                interest: parse::money("--interest", &interest)?,
                date: parse::date_or("--date", date.as_deref(), ctx.today())?,
            };
            let x = ctx.run(|tx| tx.repay_lender(cmd))?;
            let out = Output::new(&x)?;
            Ok(out.line(tr(
                ctx.lang,
                format!(
                    "Remboursement le {} : principal {}, intérêts {} ({})",
                    x.date, x.principal, x.interest, x.id
                ),
                format!(
                    "Repayment on {}: principal {}, interest {} ({})",
                    x.date, x.principal, x.interest, x.id
                ),
            )))
        }
        RepaymentCmd::List => raw_rows(ctx, Table::LenderRepayments, u32::MAX),
    }
}

pub fn allocation(ctx: &mut Ctx, c: AllocationCmd) -> CliResult<Output> {
    match c {
        AllocationCmd::Add {
            campaign,
            to_agent,
            cooperative,
            amount,
            date,
            id,
        } => {
            let db = ctx.db();
            let agent = lookup::agent(&db, &to_agent)?;
            let coop = lookup::cooperative(&db, &cooperative)?;
            let cmd = NewAllocation {
                id: parse::opt_id("--id", id.id.as_deref())?,
                campaign_id: lookup::campaign(&db, &campaign)?.id,
                agent_id: agent.id,
                cooperative_id: coop.id,
                amount: parse::money("--amount", &amount)?,
                date: parse::date_or("--date", date.as_deref(), ctx.today())?,
            };
            let x = ctx.run(|tx| tx.allocate_funds(cmd))?;
            let out = Output::new(&x)?;
            let words = in_words(ctx.lang, x.amount);
            Ok(out.line(tr(
                ctx.lang,
                format!(
                    "Dotation de {}{words} à {} pour {} le {} ({})",
                    x.amount, agent.name, coop.code, x.date, x.id
                ),
                format!(
                    "Allocation of {} to {} for {} on {} ({})",
                    x.amount, agent.name, coop.code, x.date, x.id
                ),
            )))
        }
        AllocationCmd::List => raw_rows(ctx, Table::FundAllocations, u32::MAX),
    }
}

pub fn payment(ctx: &mut Ctx, c: PaymentCmd) -> CliResult<Output> {
    match c {
        PaymentCmd::Add {
            member,
            cooperative,
            campaign,
            amount,
            date,
            mode,
            id,
        } => {
            let db = ctx.db();
            let m = lookup::member(&db, &member, cooperative.as_deref())?;
            let cmd = PayBalance {
                id: parse::opt_id("--id", id.id.as_deref())?,
                member_id: m.id,
                campaign_id: lookup::campaign(&db, &campaign)?.id,
                amount: parse::money("--amount", &amount)?,
                date: parse::date_or("--date", date.as_deref(), ctx.today())?,
                mode: parse::label("--mode", &mode)?,
            };
            let x = ctx.run(|tx| tx.pay_balance(cmd))?;
            let out = Output::new(&x)?;
            let lang = ctx.lang;
            let (words, mode) = (in_words(lang, x.amount), word(lang, x.mode));
            Ok(out
                .line(tr(
                    lang,
                    format!(
                        "Reçu {} : solde de {}{words} payé à {} {} le {} en {mode}",
                        x.recorded.receipt, x.amount, m.number, m.full_name, x.date
                    ),
                    format!(
                        "Receipt {}: balance of {} paid to {} {} on {} in {mode}",
                        x.recorded.receipt, x.amount, m.number, m.full_name, x.date
                    ),
                ))
                .line(tr(lang, format!("id : {}", x.id), format!("id: {}", x.id))))
        }
        PaymentCmd::List => raw_rows(ctx, Table::BalancePayments, u32::MAX),
    }
}
