//! Execution, through the use cases: the plan written phase by phase (members and contracts,
//! decisions, credit and allocations, advances, fertilizer, deliveries, a sale), each record by
//! the agent who would make it in the field, on that agent's own device.

use std::collections::{BTreeMap, HashMap};

use sene_domain::*;

use super::asset::Asset;
use super::plan::Plan;
use super::rng::{kg_tenths, money};
use super::setup::World;
use crate::fertilizer::{
    DistributeFertilizer, NewGroupOrder, NewNeed, NewPurchaseOrder, NewReception,
};
use crate::finance::{NewAllocation, NewCreditLine, NewDrawdown, NewLender, NewSaleLot};
use crate::season::{DisburseAdvance, RecordDelivery, RequestContract, Reverse};
use crate::steps::Step;
use crate::{Actor, Ledger, Result};

/// The units of work of a union of `n` cooperatives: its setup, five passes over the
/// cooperatives (members, decisions, advances, fertilizer, deliveries), the credit and the sale.
pub(super) fn units(n: usize) -> u64 {
    5 * u64::try_from(n).unwrap_or(u64::MAX / 8) + 3
}

/// True every tenth cooperative and at the last one (progress lines of a generated union).
fn every(i: usize, n: usize) -> bool {
    (i + 1).is_multiple_of(10) || i + 1 == n
}

/// The agent's mistakes, voided by a second person (maker-checker): the cooperative's
/// approver (its committee member, or the secretariat), in one transaction.
fn void(ledger: &mut Ledger, approver: &Actor, voids: Vec<Reverse>) -> Result<()> {
    if voids.is_empty() {
        return Ok(());
    }
    ledger.run(approver, |tx| {
        for r in &voids {
            tx.reverse(r.clone())?;
        }
        Ok(())
    })
}

#[allow(clippy::too_many_lines)]
pub(super) fn execute(
    ledger: &mut Ledger,
    asset: &Asset,
    world: &World,
    plan: &Plan,
    quiet: bool,
    progress: &mut dyn FnMut(&Step),
) -> Result<()> {
    let n = world.coops.len();
    let total = units(n);
    // the setup is done
    let mut done = 1;
    // a step with a text of its own (a phase, every tenth cooperative), or a tick after each
    // cooperative of a pass, repeating the last text (a bar moves; no new line is said)
    let mut last = String::new();
    let mut progress = |done: u64, text: Option<&str>| {
        if let Some(t) = text {
            t.clone_into(&mut last);
        }
        progress(&Step {
            done,
            total,
            text: last.clone(),
        });
    };
    let group_orders = plan.group_orders();

    // 1. Members, contract requests, fertilizer needs and group orders: the field agent.
    progress(
        done,
        Some("Membres, demandes de contrat et besoins en engrais…"),
    );
    let mut member_ids: Vec<MemberId> = Vec::with_capacity(plan.members.len());
    let mut contract_ids: Vec<Vec<ContractId>> = Vec::with_capacity(plan.members.len());
    for (i, coop) in world.coops.iter().enumerate() {
        let range = plan.by_coop[i].clone();
        let (ms, cs) = ledger.run(&coop.agent, |tx| {
            let mut ms = Vec::new();
            let mut cs = Vec::new();
            for m in &plan.members[range.clone()] {
                let member = tx.register_member(m.cmd.clone(), false)?;
                let mut ids = Vec::new();
                for c in &m.contracts {
                    ids.push(
                        tx.request_contract(RequestContract {
                            id: None,
                            member_id: member.id,
                            campaign_id: world.camps[c.campaign].campaign.id,
                            crop: c.crop,
                            committed: kg_tenths(c.committed)?,
                            date: c.requested,
                        })?
                        .id,
                    );
                }
                for f in &m.fertilizer {
                    tx.add_need(NewNeed {
                        id: None,
                        member_id: member.id,
                        campaign_id: world.camps[f.campaign].campaign.id,
                        product_id: world.products[f.product].id,
                        bags: f.need,
                    })?;
                }
                ms.push(member.id);
                cs.push(ids);
            }
            for (&(_, camp, product), &bags) in group_orders.range((i, 0, 0)..(i + 1, 0, 0)) {
                tx.add_group_order(NewGroupOrder {
                    id: None,
                    cooperative_id: coop.id,
                    campaign_id: world.camps[camp].campaign.id,
                    product_id: world.products[product].id,
                    bags,
                    date: asset.fertilizer_dates.group_orders,
                })?;
            }
            Ok((ms, cs))
        })?;
        member_ids.extend(ms);
        contract_ids.extend(cs);
        done += 1;
        if quiet && every(i, n) {
            progress(
                done,
                Some(&format!("  membres : {}/{n} coopératives", i + 1)),
            );
        } else {
            progress(done, None);
        }
    }

    // 2. Decisions: the CTC member, or the secretariat.
    progress(
        done,
        Some("Décisions sur les contrats (CTC et secrétariat)…"),
    );
    for (i, coop) in world.coops.iter().enumerate() {
        let range = plan.by_coop[i].clone();
        ledger.run(&coop.approver, |tx| {
            for mi in range.clone() {
                for (c, id) in plan.members[mi].contracts.iter().zip(&contract_ids[mi]) {
                    if let Some((d, date)) = c.decision {
                        tx.decide_contract(*id, d, date)?;
                    }
                }
            }
            Ok(())
        })?;
        done += 1;
        progress(done, None);
    }

    // 3. Credit lines, drawdowns, allocations to the agents, purchase orders: the secretariat.
    progress(
        done,
        Some("Prêteurs, lignes de crédit, tirages et dotations aux agents…"),
    );
    let allocations = plan.allocations();
    let purchase_orders = ledger.run(&world.sec, |tx| {
        let mut needed: HashMap<usize, i64> = HashMap::new();
        for (&(_, camp), &amount) in &allocations {
            *needed.entry(camp).or_insert(0) += amount;
        }
        let dedicated: Vec<usize> = asset
            .lenders
            .iter()
            .filter_map(|l| l.credit_line.campaign.as_deref())
            .filter_map(|k| world.camp_by_key(k).ok())
            .collect();
        for l in &asset.lenders {
            let lender = tx.add_lender(NewLender {
                id: None,
                name: l.name.clone(),
                kind: l.kind,
            })?;
            let spec = &l.credit_line;
            let (campaign_id, need) = match spec.campaign.as_deref() {
                Some(k) => {
                    let ci = world.camp_by_key(k)?;
                    (
                        Some(world.camps[ci].campaign.id),
                        needed.get(&ci).copied().unwrap_or(0),
                    )
                }
                None => (
                    None,
                    needed
                        .iter()
                        .filter(|(c, _)| !dedicated.contains(c))
                        .map(|(_, v)| *v)
                        .sum(),
                ),
            };
            // The demo's principal, or what a generated union needs (+20 %, in millions).
            let principal = spec
                .principal
                .max((need * 12 / 10 + 999_999) / 1_000_000 * 1_000_000);
            let line = tx.add_credit_line(NewCreditLine {
                id: None,
                lender_id: lender.id,
                campaign_id,
                principal: money(principal)?,
                annual_rate: spec.annual_rate,
                start: spec.start,
                maturity: spec.maturity,
                guarantee_share: spec.guarantee_share,
            })?;
            if need > 0 {
                tx.draw(NewDrawdown {
                    id: None,
                    credit_line_id: line.id,
                    amount: money(need)?,
                    date: spec.drawdown_date,
                })?;
            }
        }
        for (&(coop, camp), &amount) in &allocations {
            let c = &world.coops[coop];
            tx.allocate_funds(NewAllocation {
                id: None,
                campaign_id: world.camps[camp].campaign.id,
                agent_id: c.agent.agent,
                cooperative_id: c.id,
                amount: money(amount)?,
                date: asset.allocations_date,
            })?;
        }
        let mut po_bags: BTreeMap<(usize, usize), u32> = BTreeMap::new();
        for (&(_, camp, product), &bags) in &group_orders {
            *po_bags.entry((camp, product)).or_insert(0) += bags;
        }
        let mut pos = HashMap::new();
        for ((camp, product), bags) in po_bags {
            let po = tx.add_purchase_order(NewPurchaseOrder {
                id: None,
                campaign_id: world.camps[camp].campaign.id,
                supplier: asset.supplier.clone(),
                product_id: world.products[product].id,
                bags,
                unit_cost: world.products[product].cost,
                date: asset.fertilizer_dates.purchase_orders,
            })?;
            pos.insert((camp, product), po.id);
        }
        Ok(pos)
    })?;
    done += 1;

    // 4. Advances: the field agent (one typing mistake, voided by a second person — the
    // cooperative's approver — before the right amount is paid).
    progress(done, Some("Avances aux membres…"));
    for (i, coop) in world.coops.iter().enumerate() {
        let range = plan.by_coop[i].clone();
        let voids = ledger.run(&coop.agent, |tx| {
            let mut voids = Vec::new();
            for mi in range.clone() {
                for (c, id) in plan.members[mi].contracts.iter().zip(&contract_ids[mi]) {
                    if let (Some(&(amount, date, mode)), Some(wrong)) =
                        (c.tranches.first(), c.wrong_tranche)
                    {
                        let x = tx.disburse_advance(DisburseAdvance {
                            id: None,
                            contract_id: *id,
                            amount: money(wrong)?,
                            date,
                            mode,
                        })?;
                        let reason = asset
                            .reasons
                            .disbursement
                            .replace("{wrong}", &money(wrong)?.to_string())
                            .replace("{right}", &money(amount)?.to_string());
                        voids.push(Reverse {
                            id: None,
                            target_kind: RecordKind::Disbursement,
                            target_id: x.id.to_string(),
                            reason,
                            date,
                        });
                    }
                }
            }
            Ok(voids)
        })?;
        void(ledger, &coop.approver, voids)?;
        ledger.run(&coop.agent, |tx| {
            for mi in range.clone() {
                for (c, id) in plan.members[mi].contracts.iter().zip(&contract_ids[mi]) {
                    for &(amount, date, mode) in &c.tranches {
                        tx.disburse_advance(DisburseAdvance {
                            id: None,
                            contract_id: *id,
                            amount: money(amount)?,
                            date,
                            mode,
                        })?;
                    }
                }
            }
            Ok(())
        })?;
        done += 1;
        progress(done, None);
    }

    // 5. Fertilizer: reception at the warehouse, then distribution to members.
    progress(done, Some("Engrais : réceptions et distributions…"));
    for (i, coop) in world.coops.iter().enumerate() {
        let range = plan.by_coop[i].clone();
        ledger.run(&coop.agent, |tx| {
            for (&(_, camp, product), &bags) in group_orders.range((i, 0, 0)..(i + 1, 0, 0)) {
                let Some(po) = purchase_orders.get(&(camp, product)) else {
                    continue;
                };
                let short = plan
                    .shortfalls
                    .get(&(i, camp, product))
                    .copied()
                    .unwrap_or(0);
                tx.receive_fertilizer(NewReception {
                    id: None,
                    purchase_order_id: *po,
                    warehouse_id: coop.warehouses[0],
                    bags_expected: bags,
                    bags_received: bags - short.min(bags),
                    date: asset.fertilizer_dates.receptions,
                    note: if short > 0 {
                        format!("{short} sacs manquants (déchirés au déchargement)")
                    } else {
                        String::new()
                    },
                })?;
            }
            for mi in range.clone() {
                for f in plan.members[mi].fertilizer.iter().filter(|f| f.bags > 0) {
                    tx.distribute_fertilizer(DistributeFertilizer {
                        id: None,
                        member_id: member_ids[mi],
                        campaign_id: world.camps[f.campaign].campaign.id,
                        product_id: world.products[f.product].id,
                        bags: f.bags,
                        cash_paid: money(f.cash)?,
                        date: f.date,
                    })?;
                }
            }
            Ok(())
        })?;
        done += 1;
        progress(done, None);
    }

    // 6. Deliveries, weighed at the warehouse (a weighing typed twice is voided).
    progress(done, Some("Livraisons au magasin…"));
    for (i, coop) in world.coops.iter().enumerate() {
        let range = plan.by_coop[i].clone();
        let voids = ledger.run(&coop.agent, |tx| {
            let mut voids = Vec::new();
            for mi in range.clone() {
                for (c, id) in plan.members[mi].contracts.iter().zip(&contract_ids[mi]) {
                    for (k, d) in c.deliveries.iter().enumerate() {
                        let cmd = RecordDelivery {
                            id: None,
                            member_id: member_ids[mi],
                            contract_id: *id,
                            warehouse_id: coop.warehouses[d.warehouse],
                            bags: d.bags,
                            gross: kg_tenths(d.gross)?,
                            moisture: Percent::from_tenths(d.moisture)?,
                            impurity: Percent::from_tenths(d.impurity)?,
                            date: d.date,
                        };
                        let first = tx.record_delivery(cmd.clone())?;
                        if k == 0 {
                            for _ in 0..c.duplicates {
                                let copy = tx.record_delivery(cmd.clone())?;
                                voids.push(Reverse {
                                    id: None,
                                    target_kind: RecordKind::Delivery,
                                    target_id: copy.id.to_string(),
                                    reason: asset
                                        .reasons
                                        .delivery
                                        .replace("{receipt}", &first.recorded.receipt),
                                    date: d.date,
                                });
                            }
                        }
                    }
                }
            }
            Ok(voids)
        })?;
        void(ledger, &coop.approver, voids)?;
        done += 1;
        if quiet && every(i, n) {
            progress(
                done,
                Some(&format!("  livraisons : {}/{n} coopératives", i + 1)),
            );
        } else {
            progress(done, None);
        }
    }

    // 7. A sale lot drawn from stock: the secretariat (marketing committee).
    progress(done, Some("Vente d'un lot…"));
    let sale = &asset.sale;
    let lots: Vec<usize> = if quiet {
        // Generated: one lot every 10 cooperatives growing the crop.
        world
            .coops
            .iter()
            .enumerate()
            .filter(|(_, c)| c.spec.families.contains(&sale.crop.family()))
            .map(|(i, _)| i)
            .step_by(10)
            .collect()
    } else {
        world
            .coops
            .iter()
            .position(|c| c.spec.code == sale.cooperative)
            .into_iter()
            .collect()
    };
    let camp = world
        .camps
        .iter()
        .find(|c| c.campaign.price(sale.crop).is_ok())
        .map(|c| c.campaign.id);
    if let Some(campaign_id) = camp {
        ledger.run(&world.sec, |tx| {
            for i in lots {
                let w = world.coops[i].warehouses[0];
                let stock = tx.db().warehouse_stock(w, sale.crop)?;
                let kg = stock.tenths() * sale.share_percent / 100 / 1_000 * 1_000;
                if kg <= 0 {
                    continue;
                }
                tx.add_sale_lot(NewSaleLot {
                    id: None,
                    campaign_id,
                    crop: sale.crop,
                    buyer: sale.buyer.clone(),
                    sources: vec![LotSource {
                        warehouse_id: w,
                        kg: kg_tenths(kg)?,
                    }],
                    price_per_kg: money(sale.price_per_kg)?,
                    costs: money(kg / 10 * sale.costs_per_kg)?,
                    date: sale.date,
                })?;
            }
            Ok(())
        })?;
    }
    done += 1;
    debug_assert_eq!(done, total);
    progress(done, Some("Union de démonstration prête"));
    Ok(())
}
