//! The season: campaigns, contracts, advances, deliveries, reversals.

use std::collections::HashMap;

use sene_app::season::{
    preview_delivery, preview_on_contract, Decision, DisburseAdvance, NewCampaign, RecordDelivery,
    RequestContract, Reverse,
};
use sene_domain::*;
use serde_json::json;

use crate::cli::*;
// The CLI's weighing flags (bags, gross, moisture…), not the domain's weighing evidence.
use crate::cli::Weighing;
use crate::ctx::Ctx;
use crate::error::{CliError, CliResult};
use crate::lang::{advance, fee, in_words, num, tr, word};
use crate::lookup;
use crate::output::Output;
use crate::parse;

fn campaign_lines(lang: Lang, c: &Campaign) -> Vec<String> {
    let family = word(lang, c.family);
    let bought = match (c.over_delivery_bought, lang) {
        (true, Lang::Fr) => "acheté",
        (false, Lang::Fr) => "non acheté",
        (true, Lang::En) => "bought",
        (false, Lang::En) => "not bought",
    };
    let (cw, dw) = (c.contract_window, c.delivery_window);
    let mut v = vec![
        tr(
            lang,
            format!("Campagne « {} » ({family}) — {}", c.name, c.id),
            format!("Campaign \"{}\" ({family}) — {}", c.name, c.id),
        ),
        tr(
            lang,
            format!(
                "contrats du {} au {} ; livraisons du {} au {}",
                cw.start, cw.end, dw.start, dw.end
            ),
            format!(
                "contracts from {} to {}; deliveries from {} to {}",
                cw.start, cw.end, dw.start, dw.end
            ),
        ),
        tr(
            lang,
            format!(
                "avance {} ; frais : {} ; humidité max {} ; impuretés max {} ; tare {} par sac ; surplus {bought}",
                c.advance_share,
                fee(lang, c.fee),
                c.quality.max_moisture,
                c.quality.max_impurity,
                c.bag_tare,
            ),
            format!(
                "advance {}; fees: {}; moisture max {}; impurities max {}; tare {} per bag; surplus {bought}",
                num(lang, c.advance_share),
                fee(lang, c.fee),
                num(lang, c.quality.max_moisture),
                num(lang, c.quality.max_impurity),
                num(lang, c.bag_tare),
            ),
        ),
    ];
    for p in &c.prices {
        let over = p
            .over_delivery_price
            .map(|o| format!(" (surplus {o}/kg)"))
            .unwrap_or_default();
        v.push(tr(
            lang,
            format!("  {} : {}/kg{over}", word(lang, p.crop), p.base_price),
            format!("  {}: {}/kg{over}", word(lang, p.crop), p.base_price),
        ));
    }
    v
}

pub fn campaign(ctx: &mut Ctx, c: CampaignCmd) -> CliResult<Output> {
    match c {
        CampaignCmd::Add(a) => {
            let prices = a
                .prices
                .iter()
                .map(|p| parse::price(p))
                .collect::<CliResult<Vec<_>>>()?;
            let family = match a.family.as_deref() {
                Some(f) => parse::label::<CropFamily>("--family", f)?,
                None => prices.first().map(|p| p.crop.family()).ok_or_else(|| {
                    CliError::msg(
                        "invalid_argument",
                        "donnez au moins un --price",
                        "give at least one --price",
                    )
                })?,
            };
            let cmd = NewCampaign {
                id: parse::opt_id("--id", a.id.id.as_deref())?,
                name: a.name,
                family,
                prices,
                advance_share: a
                    .advance_share
                    .as_deref()
                    .map(|s| parse::rate("--advance-share", s))
                    .transpose()?,
                fee: parse::fee(&a.fee)?,
                contract_window: parse::window("--contracts", &a.contracts)?,
                delivery_window: parse::window("--deliveries", &a.deliveries)?,
                max_moisture: a
                    .max_moisture
                    .as_deref()
                    .map(|s| parse::percent("--max-moisture", s))
                    .transpose()?,
                max_impurity: a
                    .max_impurity
                    .as_deref()
                    .map(|s| parse::percent("--max-impurity", s))
                    .transpose()?,
                bag_tare: a
                    .tare
                    .as_deref()
                    .map(|s| parse::kg("--tare", s))
                    .transpose()?,
                over_delivery_bought: a.buy_over,
            };
            let c = ctx.run(|tx| tx.open_campaign(cmd))?;
            let mut out = Output::new(&c)?;
            out.push(tr(ctx.lang, "Campagne ouverte :", "Campaign opened:"));
            for l in campaign_lines(ctx.lang, &c) {
                out.push(l);
            }
            Ok(out)
        }
        CampaignCmd::List => {
            let list = lookup::campaigns(&ctx.db(), None)?;
            let mut out = Output::new(&list)?;
            for c in &list {
                let prices: Vec<String> = c
                    .prices
                    .iter()
                    .map(|p| format!("{} {}/kg", word(ctx.lang, p.crop), p.base_price))
                    .collect();
                out.push(format!(
                    "{}  ({}) — {} — {}",
                    c.name,
                    word(ctx.lang, c.family),
                    prices.join(", "),
                    c.id
                ));
            }
            out.push(tr(
                ctx.lang,
                format!("{} campagne(s)", list.len()),
                format!("{} campaign(s)", list.len()),
            ));
            Ok(out)
        }
        CampaignCmd::Show { campaign } => {
            let c = lookup::campaign(&ctx.db(), &campaign)?;
            let mut out = Output::new(&c)?;
            for l in campaign_lines(ctx.lang, &c) {
                out.push(l);
            }
            Ok(out)
        }
    }
}

pub fn contract(ctx: &mut Ctx, c: ContractCmd) -> CliResult<Output> {
    let (decision, d) = match c {
        ContractCmd::Request(a) => return request(ctx, a),
        ContractCmd::List(a) => return list_contracts(ctx, a),
        ContractCmd::Approve(d) => (Decision::Approve, d),
        ContractCmd::Reject(d) => (Decision::Reject, d),
        ContractCmd::Cancel(d) => (Decision::Cancel, d),
        ContractCmd::Default(d) => (Decision::Default, d),
    };
    let k = lookup::contract(
        &ctx.db(),
        &d.contract.contract,
        d.contract.scope.cooperative.as_deref(),
        d.contract.scope.campaign.as_deref(),
    )?;
    let date = parse::date_or("--date", d.date.as_deref(), ctx.today())?;
    let c = ctx.run(|tx| tx.decide_contract(k.id, decision, date))?;
    let out = Output::new(&c)?;
    Ok(out.line(tr(
        ctx.lang,
        format!("Contrat {} : {}", c.id, word(ctx.lang, c.state)),
        format!("Contract {}: {}", c.id, word(ctx.lang, c.state)),
    )))
}

fn request(ctx: &mut Ctx, a: ContractRequest) -> CliResult<Output> {
    let db = ctx.db();
    let m = lookup::member(&db, &a.member, a.cooperative.as_deref())?;
    let camp = lookup::campaign(&db, &a.campaign)?;
    let crop = match a.crop.as_deref() {
        Some(c) => parse::label::<Crop>("--crop", c)?,
        None => match camp.prices.as_slice() {
            [one] => one.crop,
            _ => {
                return Err(CliError::msg(
                    "invalid_argument",
                    "la campagne a plusieurs cultures : précisez --crop",
                    "the campaign has several crops: give --crop",
                ))
            }
        },
    };
    let cmd = RequestContract {
        id: parse::opt_id("--id", a.id.id.as_deref())?,
        member_id: m.id,
        campaign_id: camp.id,
        crop,
        committed: parse::kg("--kg", &a.kg)?,
        date: parse::date_or("--date", a.date.as_deref(), ctx.today())?,
    };
    let c = ctx.run(|tx| tx.request_contract(cmd))?;
    let out = Output::new(&c)?;
    let lang = ctx.lang;
    let (crop, state) = (word(lang, c.crop), word(lang, c.state));
    Ok(out.line(tr(
        lang,
        format!(
            "Contrat demandé : {} — {} {}, {} de {crop} à {}/kg — {state}",
            c.id, m.number, m.full_name, c.committed, c.base_price
        ),
        format!(
            "Contract requested: {} — {} {}, {} of {crop} at {}/kg — {state}",
            c.id,
            m.number,
            m.full_name,
            num(lang, c.committed),
            c.base_price
        ),
    )))
}

fn list_contracts(ctx: &mut Ctx, a: ContractList) -> CliResult<Output> {
    let lang = ctx.lang;
    let db = ctx.db();
    let coop = lookup::opt_cooperative(&db, a.scope.cooperative.as_deref())?;
    let members: HashMap<MemberId, Member> =
        db.members(None)?.into_iter().map(|m| (m.id, m)).collect();
    let mut campaigns: HashMap<CampaignId, Campaign> = HashMap::new();
    let mut rows = Vec::new();
    if let Some(mk) = &a.member {
        let m = lookup::member(&db, mk, a.scope.cooperative.as_deref())?;
        let camp = a
            .scope
            .campaign
            .as_deref()
            .map(|k| lookup::campaign(&db, k))
            .transpose()?;
        for c in db.member_contracts(m.id, camp.map(|c| c.id))? {
            if let std::collections::hash_map::Entry::Vacant(e) = campaigns.entry(c.campaign_id) {
                e.insert(
                    db.campaign(c.campaign_id)?.ok_or_else(|| {
                        CliError::not_found("campagne", c.campaign_id.to_string())
                    })?,
                );
            }
            let disbursed = db.disbursed_on(c.id)?;
            let accepted = db.accepted_on(c.id)?;
            rows.push((c, disbursed, accepted));
        }
    } else {
        for camp in lookup::campaigns(&db, a.scope.campaign.as_deref())? {
            for f in db.campaign_contracts(camp.id)? {
                if coop.as_ref().is_some_and(|c| c.id != f.cooperative_id) {
                    continue;
                }
                let disbursed = Money::sum(f.disbursements.iter().map(|(m, _)| *m))?;
                rows.push((f.contract, disbursed, f.accepted));
            }
            campaigns.insert(camp.id, camp);
        }
    }
    // the advance each contract provides for, from its terms: owed once it is approved,
    // planned until then (one rule: sene_app::progress)
    let mut dues = Vec::with_capacity(rows.len());
    for (c, ..) in &rows {
        let camp = campaigns
            .get(&c.campaign_id)
            .ok_or_else(|| CliError::not_found("campagne", c.campaign_id.to_string()))?;
        dues.push((
            sene_app::progress::advance_due(camp, c)?,
            sene_app::progress::approved(c.state),
        ));
    }
    let json_rows: Vec<_> = rows
        .iter()
        .zip(&dues)
        .map(|((c, d, k), (due, owed))| {
            json!({
                "contract": c,
                "member_number": members.get(&c.member_id).map(|m| m.number.clone()),
                "disbursed": d,
                "accepted": k,
                "advance_due": due,
                "advance_approved": owed,
            })
        })
        .collect();
    let mut out = Output::new(&json_rows)?;
    for ((c, d, k), (due, owed)) in rows.iter().zip(&dues) {
        let m = members.get(&c.member_id);
        out.push(format!(
            "{}  {:<12} {}  {}  {}  {}  {}  {}  {}",
            c.id,
            m.map_or("?", |m| m.number.as_str()),
            m.map_or("?", |m| m.full_name.as_str()),
            word(lang, c.crop),
            tr(
                lang,
                format!("engagé {}", c.committed),
                format!("committed {}", num(lang, c.committed)),
            ),
            tr(
                lang,
                format!("livré {k}"),
                format!("delivered {}", num(lang, k)),
            ),
            advance(lang, *due, *owed),
            tr(lang, format!("avancé {d}"), format!("advanced {d}")),
            word(lang, c.state)
        ));
    }
    out.push(tr(
        lang,
        format!("{} contrat(s)", rows.len()),
        format!("{} contract(s)", rows.len()),
    ));
    Ok(out)
}

pub fn disburse(ctx: &mut Ctx, a: DisburseArgs) -> CliResult<Output> {
    let k = lookup::contract(
        &ctx.db(),
        &a.contract,
        a.scope.cooperative.as_deref(),
        a.scope.campaign.as_deref(),
    )?;
    let cmd = DisburseAdvance {
        id: parse::opt_id("--id", a.id.id.as_deref())?,
        contract_id: k.id,
        amount: parse::money("--amount", &a.amount)?,
        date: parse::date_or("--date", a.date.as_deref(), ctx.today())?,
        mode: parse::label("--mode", &a.mode)?,
    };
    let (x, due, paid) = ctx.run(|tx| {
        let x = tx.disburse_advance(cmd)?;
        let (due, paid) = tx.advance_position(x.contract_id)?;
        Ok((x, due, paid))
    })?;
    let out = Output::new(&json!({
        "disbursement": x,
        "advance_due": due,
        "disbursed": paid,
    }))?;
    let lang = ctx.lang;
    let (words, mode) = (in_words(lang, x.amount), word(lang, x.mode));
    Ok(out
        .line(tr(
            lang,
            format!(
                "Reçu {} : avance de {}{words} versée le {} en {mode}",
                x.recorded.receipt, x.amount, x.date
            ),
            format!(
                "Receipt {}: advance of {} paid on {} in {mode}",
                x.recorded.receipt, x.amount, x.date
            ),
        ))
        .line(tr(
            lang,
            format!(
                "contrat {} : {} versés sur {} d'avance due",
                x.contract_id, paid, due
            ),
            format!(
                "contract {}: {} paid of {} advance due",
                x.contract_id, paid, due
            ),
        ))
        .line(tr(lang, format!("id : {}", x.id), format!("id: {}", x.id))))
}

struct Weights {
    bags: u32,
    gross: Kg,
    moisture: Percent,
    impurity: Percent,
}

fn weights(w: &Weighing) -> CliResult<Weights> {
    Ok(Weights {
        bags: parse::count("--bags", &w.bags)?,
        gross: parse::kg("--gross", &w.gross)?,
        moisture: parse::percent("--moisture", &w.moisture)?,
        impurity: parse::percent("--impurity", &w.impurity)?,
    })
}

pub fn delivery(ctx: &mut Ctx, c: DeliveryCmd) -> CliResult<Output> {
    match c {
        DeliveryCmd::Add(a) => add_delivery(ctx, a),
        DeliveryCmd::Preview(a) => {
            let db = ctx.db();
            let w = weights(&a.weighing)?;
            let lang = ctx.lang;
            let weighed = |net: Kg, accepted: Kg| {
                tr(
                    lang,
                    format!(
                        "{} sacs, brut {} : net {net} ; accepté {accepted} (humidité {}, impuretés {})",
                        w.bags, w.gross, w.moisture, w.impurity
                    ),
                    format!(
                        "{} bags, gross {}: net {}; accepted {} (moisture {}, impurities {})",
                        w.bags,
                        num(lang, w.gross),
                        num(lang, net),
                        num(lang, accepted),
                        num(lang, w.moisture),
                        num(lang, w.impurity)
                    ),
                )
            };
            if let Some(k) = &a.contract {
                // on a contract: what the delivery adds to it, as the settlement counts it
                let k = lookup::contract(
                    &db,
                    k,
                    a.scope.cooperative.as_deref(),
                    a.scope.campaign.as_deref(),
                )?;
                let p = preview_on_contract(&db, k.id, w.bags, w.gross, w.moisture, w.impurity)?;
                let over = if p.over_committed {
                    tr(
                        lang,
                        " ; attention : au-delà de la quantité engagée",
                        "; warning: beyond the committed quantity",
                    )
                } else {
                    String::new()
                };
                return Ok(Output::new(&p)?.line(weighed(p.net, p.accepted)).line(tr(
                    lang,
                    format!(
                        "ajoute {} à la valeur du contrat{over} (rien n'est enregistré)",
                        p.value
                    ),
                    format!(
                        "adds {} to the contract's value{over} (nothing is recorded)",
                        p.value
                    ),
                )));
            }
            let (Some(ck), Some(crop)) = (a.scope.campaign.as_deref(), a.crop.as_deref()) else {
                return Err(CliError::msg(
                    "invalid_argument",
                    "donnez --contract, ou --campaign et --crop",
                    "give --contract, or --campaign and --crop",
                ));
            };
            let camp = lookup::campaign(&db, ck)?;
            let crop = parse::label::<Crop>("--crop", crop)?;
            let p = preview_delivery(&camp, crop, w.bags, w.gross, w.moisture, w.impurity)?;
            Ok(Output::new(&p)?.line(weighed(p.net, p.accepted)).line(tr(
                lang,
                format!(
                    "valeur {} au prix de base de la campagne « {} », avant tout contrat (rien n'est enregistré)",
                    p.value, camp.name
                ),
                format!(
                    "value {} at the base price of the campaign \"{}\", before any contract (nothing is recorded)",
                    p.value, camp.name
                ),
            )))
        }
        DeliveryCmd::List { limit } => {
            crate::ctx::raw_rows(ctx, sene_store::Table::Deliveries, limit)
        }
    }
}

fn add_delivery(ctx: &mut Ctx, a: DeliveryAdd) -> CliResult<Output> {
    let db = ctx.db();
    let k = lookup::contract(
        &db,
        &a.contract,
        a.scope.cooperative.as_deref(),
        a.scope.campaign.as_deref(),
    )?;
    let member = match &a.member {
        Some(m) => lookup::member(&db, m, a.scope.cooperative.as_deref())?,
        None => db
            .member(k.member_id)?
            .ok_or_else(|| CliError::not_found("membre", k.member_id.to_string()))?,
    };
    let wh = match &a.warehouse {
        Some(w) => lookup::warehouse(&db, w, Some(member.cooperative_id))
            .or_else(|_| lookup::warehouse(&db, w, None))?,
        None => match db.warehouses(Some(member.cooperative_id))?.as_slice() {
            [one] => one.clone(),
            _ => return Err(CliError::msg(
                "invalid_argument",
                "précisez --warehouse (la coopérative du membre n'a pas exactement un magasin)",
                "give --warehouse (the member's cooperative does not have exactly one warehouse)",
            )),
        },
    };
    let w = weights(&a.weighing)?;
    let cmd = RecordDelivery {
        id: parse::opt_id("--id", a.id.id.as_deref())?,
        member_id: member.id,
        contract_id: k.id,
        warehouse_id: wh.id,
        bags: w.bags,
        gross: w.gross,
        moisture: w.moisture,
        impurity: w.impurity,
        date: parse::date_or("--date", a.date.as_deref(), ctx.today())?,
    };
    // A weight typed here is a hand weight: its reason, when given, is kept as the evidence
    // (without it the delivery reads « saisie avant la balance », as a script's always did).
    let weighing = match a.hand_reason.as_deref() {
        None => None,
        Some(reason) => Some(sene_domain::Weighing::Hand {
            reason: reason.parse::<HandReason>().map_err(|_| {
                let list = |label: fn(HandReason) -> &'static str| {
                    HandReason::ALL
                        .iter()
                        .map(|r| format!("{} ({})", r.code(), label(*r)))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                CliError::msg(
                    "invalid_argument",
                    format!(
                        "--hand-reason : motif inconnu « {reason} » ; l'un de : {}",
                        list(HandReason::label_fr)
                    ),
                    format!(
                        "--hand-reason: unknown reason \"{reason}\"; one of: {}",
                        list(HandReason::label_en)
                    ),
                )
            })?,
            note: a.hand_note.clone().unwrap_or_default(),
        }),
    };
    let x = ctx.run(|tx| tx.record_weighed_delivery(cmd, weighing))?;
    let out = Output::new(&x)?;
    let lang = ctx.lang;
    Ok(out
        .line(tr(
            lang,
            format!(
                "Reçu {} : livraison de {} ({}) au magasin « {} » le {}",
                x.recorded.receipt, member.number, member.full_name, wh.name, x.date
            ),
            format!(
                "Receipt {}: delivery by {} ({}) to the warehouse \"{}\" on {}",
                x.recorded.receipt, member.number, member.full_name, wh.name, x.date
            ),
        ))
        .line(tr(
            lang,
            format!(
                "{} sacs, brut {}, net {}, accepté {} (humidité {}, impuretés {})",
                x.bags, x.gross, x.net, x.accepted, x.moisture, x.impurity
            ),
            format!(
                "{} bags, gross {}, net {}, accepted {} (moisture {}, impurities {})",
                x.bags,
                num(lang, x.gross),
                num(lang, x.net),
                num(lang, x.accepted),
                num(lang, x.moisture),
                num(lang, x.impurity)
            ),
        ))
        .line(tr(lang, format!("id : {}", x.id), format!("id: {}", x.id))))
}

pub fn reverse(ctx: &mut Ctx, a: ReverseArgs) -> CliResult<Output> {
    let cmd = Reverse {
        id: parse::opt_id("--id", a.reversal_id.as_deref())?,
        target_kind: parse::label("--kind", &a.kind)?,
        target_id: a.record.trim().to_owned(),
        reason: a.reason,
        date: parse::date_or("--date", a.date.as_deref(), ctx.today())?,
    };
    let r = ctx.run(|tx| tx.reverse(cmd))?;
    let out = Output::new(&r)?;
    let kind = word(ctx.lang, r.target_kind);
    Ok(out.line(tr(
        ctx.lang,
        format!(
            "Reçu {} : {kind} {} annulé(e) le {} — motif : {}",
            r.recorded.receipt, r.target_id, r.date, r.reason
        ),
        format!(
            "Receipt {}: {kind} {} reversed on {} — reason: {}",
            r.recorded.receipt, r.target_id, r.date, r.reason
        ),
    )))
}
