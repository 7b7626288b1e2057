//! Fertilizer: catalog, needs, group orders, purchase orders, receptions, distributions.

use sene_app::fertilizer::{
    DistributeFertilizer, NewGroupOrder, NewNeed, NewProduct, NewPurchaseOrder, NewReception,
};
use sene_domain::*;

use crate::cli::*;
use crate::ctx::Ctx;
use crate::error::{CliError, CliResult};
use crate::lang::{in_words, num, tr};
use crate::lookup;
use crate::output::Output;
use crate::parse;

pub fn run(ctx: &mut Ctx, c: FertilizerCmd) -> CliResult<Output> {
    match c {
        FertilizerCmd::Product(ProductCmd::Add(a)) => {
            let cmd = NewProduct {
                id: parse::opt_id("--id", a.id.id.as_deref())?,
                name: a.name,
                bag_weight: parse::kg("--bag-weight", &a.bag_weight)?,
                price_per_bag: parse::money("--price", &a.price)?,
            };
            let p = ctx.run(|tx| tx.add_product(cmd))?;
            let out = Output::new(&p)?;
            Ok(out.line(tr(
                ctx.lang,
                format!(
                    "Produit « {} » : sac de {}, {} le sac ({})",
                    p.name, p.bag_weight, p.price_per_bag, p.id
                ),
                format!(
                    "Product \"{}\": bag of {}, {} a bag ({})",
                    p.name,
                    num(ctx.lang, p.bag_weight),
                    p.price_per_bag,
                    p.id
                ),
            )))
        }
        FertilizerCmd::Product(ProductCmd::List) => {
            crate::ctx::raw_rows(ctx, sene_store::Table::FertilizerProducts, u32::MAX)
        }
        FertilizerCmd::Need(a) => {
            let db = ctx.db();
            let m = lookup::member(&db, &a.member, a.cooperative.as_deref())?;
            let camp = lookup::campaign(&db, &a.campaign)?;
            let p = lookup::product(&db, &a.product)?;
            let cmd = NewNeed {
                id: parse::opt_id("--id", a.id.id.as_deref())?,
                member_id: m.id,
                campaign_id: camp.id,
                product_id: p.id,
                bags: parse::count("--bags", &a.bags)?,
            };
            let n = ctx.run(|tx| tx.add_need(cmd))?;
            let out = Output::new(&n)?;
            Ok(out.line(tr(
                ctx.lang,
                format!(
                    "Besoin enregistré : {} {} — {} sacs de {} ({})",
                    m.number, m.full_name, n.bags, p.name, n.id
                ),
                format!(
                    "Need recorded: {} {} — {} bags of {} ({})",
                    m.number, m.full_name, n.bags, p.name, n.id
                ),
            )))
        }
        FertilizerCmd::GroupOrder(a) => {
            let db = ctx.db();
            let coop = lookup::cooperative(&db, &a.cooperative)?;
            let camp = lookup::campaign(&db, &a.campaign)?;
            let p = lookup::product(&db, &a.product)?;
            let cmd = NewGroupOrder {
                id: parse::opt_id("--id", a.id.id.as_deref())?,
                cooperative_id: coop.id,
                campaign_id: camp.id,
                product_id: p.id,
                bags: parse::count("--bags", &a.bags)?,
                date: parse::date_or("--date", a.date.as_deref(), ctx.today())?,
            };
            let g = ctx.run(|tx| tx.add_group_order(cmd))?;
            let out = Output::new(&g)?;
            Ok(out.line(tr(
                ctx.lang,
                format!(
                    "Commande groupée de {} : {} sacs de {} ({})",
                    coop.code, g.bags, p.name, g.id
                ),
                format!(
                    "Group order of {}: {} bags of {} ({})",
                    coop.code, g.bags, p.name, g.id
                ),
            )))
        }
        FertilizerCmd::PurchaseOrder(a) => {
            let db = ctx.db();
            let camp = lookup::campaign(&db, &a.campaign)?;
            let p = lookup::product(&db, &a.product)?;
            let cmd = NewPurchaseOrder {
                id: parse::opt_id("--id", a.id.id.as_deref())?,
                campaign_id: camp.id,
                supplier: a.supplier,
                product_id: p.id,
                bags: parse::count("--bags", &a.bags)?,
                unit_cost: parse::money("--unit-cost", &a.unit_cost)?,
                date: parse::date_or("--date", a.date.as_deref(), ctx.today())?,
            };
            let po = ctx.run(|tx| tx.add_purchase_order(cmd))?;
            let out = Output::new(&po)?;
            Ok(out.line(tr(
                ctx.lang,
                format!(
                    "Bon de commande à {} : {} sacs de {} à {} le sac ({})",
                    po.supplier, po.bags, p.name, po.unit_cost, po.id
                ),
                format!(
                    "Purchase order to {}: {} bags of {} at {} a bag ({})",
                    po.supplier, po.bags, p.name, po.unit_cost, po.id
                ),
            )))
        }
        FertilizerCmd::Receive(a) => {
            let db = ctx.db();
            let po_id: PurchaseOrderId = parse::id("--purchase-order", &a.purchase_order)?;
            let po = db
                .purchase_order(po_id)?
                .ok_or_else(|| CliError::not_found("bon de commande", &a.purchase_order))?;
            let wh = lookup::warehouse(&db, &a.warehouse, None)?;
            let received = parse::count("--received", &a.received)?;
            let cmd = NewReception {
                id: parse::opt_id("--id", a.id.id.as_deref())?,
                purchase_order_id: po.id,
                warehouse_id: wh.id,
                bags_expected: match a.expected.as_deref() {
                    Some(e) => parse::count("--expected", e)?,
                    None => po.bags,
                },
                bags_received: received,
                date: parse::date_or("--date", a.date.as_deref(), ctx.today())?,
                note: a.note,
            };
            let r = ctx.run(|tx| tx.receive_fertilizer(cmd))?;
            let out = Output::new(&r)?;
            let short = r.bags_expected.saturating_sub(r.bags_received);
            let lang = ctx.lang;
            let missing = match (short > 0, lang) {
                (false, _) => String::new(),
                (true, Lang::Fr) => format!(", {short} manquants"),
                (true, Lang::En) => format!(", {short} missing"),
            };
            Ok(out.line(tr(
                lang,
                format!(
                    "Réception au magasin « {} » : {} sacs reçus sur {} attendus{missing} ({})",
                    wh.name, r.bags_received, r.bags_expected, r.id
                ),
                format!(
                    "Reception at the warehouse \"{}\": {} bags received of {} expected{missing} ({})",
                    wh.name, r.bags_received, r.bags_expected, r.id
                ),
            )))
        }
        FertilizerCmd::Distribute(a) => {
            let db = ctx.db();
            let m = lookup::member(&db, &a.member, a.cooperative.as_deref())?;
            let camp = lookup::campaign(&db, &a.campaign)?;
            let p = lookup::product(&db, &a.product)?;
            let cmd = DistributeFertilizer {
                id: parse::opt_id("--id", a.id.id.as_deref())?,
                member_id: m.id,
                campaign_id: camp.id,
                product_id: p.id,
                bags: parse::count("--bags", &a.bags)?,
                cash_paid: parse::money("--cash", &a.cash)?,
                date: parse::date_or("--date", a.date.as_deref(), ctx.today())?,
            };
            let x = ctx.run(|tx| tx.distribute_fertilizer(cmd))?;
            let out = Output::new(&x)?;
            let lang = ctx.lang;
            let words = in_words(lang, x.cash_paid);
            Ok(out
                .line(tr(
                    lang,
                    format!(
                        "Reçu {} : {} sacs de {} remis à {} {} le {}",
                        x.recorded.receipt, x.bags, p.name, m.number, m.full_name, x.date
                    ),
                    format!(
                        "Receipt {}: {} bags of {} handed to {} {} on {}",
                        x.recorded.receipt, x.bags, p.name, m.number, m.full_name, x.date
                    ),
                ))
                .line(tr(
                    lang,
                    format!(
                        "prix {} le sac ; payé comptant {}{words}",
                        x.price_per_bag, x.cash_paid
                    ),
                    format!(
                        "price {} a bag; paid in cash {}",
                        x.price_per_bag, x.cash_paid
                    ),
                ))
                .line(tr(lang, format!("id : {}", x.id), format!("id: {}", x.id))))
        }
    }
}
