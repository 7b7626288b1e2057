//! The union office's read models on a generated union: every dashboard figure equals a sum
//! computed here from the raw rows, and the anomaly queue holds exactly the injected anomalies.
#![allow(
    clippy::unwrap_used,
    clippy::too_many_lines,
    clippy::cast_possible_truncation
)]

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{NaiveDate, TimeZone, Utc};
use rust_decimal::prelude::*;
use sene_app::anomalies::{AnomalyKind, DuplicateReason};
use sene_app::dashboard::{recovery_rate, Dashboard};
use sene_app::demo::{generate_union, Scale};
use sene_app::org::{NewAgent, NewMember};
use sene_app::season::{RecordDelivery, Reverse};
use sene_app::*;
use sene_domain::*;
use sene_store::{ConflictRow, Table};
use serde_json::{json, Value};

use crate::common::ledger_at;

/// The union-scale union (150 cooperatives, 6,000 members, 50,000 deliveries: about a minute
/// and a half for both tests on two cores, debug build), as the issue asks;
/// `SENE_OFFICE_TEST_SCALE=small` runs the same tests on 3 cooperatives, for quick iteration;
/// `SENE_OFFICE_TEST_SCALE=4x` on four times the union (600 cooperatives, 24,000 members,
/// 200,000 deliveries), run by hand (issue #20: the figures stay exact at that size), not in CI.
fn scale() -> Scale {
    match std::env::var("SENE_OFFICE_TEST_SCALE").as_deref() {
        Ok("small") => Scale {
            cooperatives: 3,
            members: 60,
            contracts: 60,
            deliveries: 300,
            distributions: 50,
        },
        Ok("4x") => Scale {
            cooperatives: Scale::UNION.cooperatives * 4,
            members: Scale::UNION.members * 4,
            contracts: Scale::UNION.contracts * 4,
            deliveries: Scale::UNION.deliveries * 4,
            distributions: Scale::UNION.distributions * 4,
        },
        _ => Scale::UNION,
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn union() -> Ledger {
    let mut l = ledger_at(Utc.with_ymd_and_hms(2027, 1, 15, 9, 0, 0).unwrap());
    let sc = scale();
    generate_union(&mut l, sc, 42, &mut |_| {}).unwrap();
    // the union is as large as asked
    let count = |t: Table| l.db().count(t).unwrap();
    assert_eq!(count(Table::Cooperatives), i64::from(sc.cooperatives));
    assert_eq!(count(Table::Members), i64::from(sc.members));
    assert!(count(Table::Deliveries) >= i64::from(sc.deliveries));
    l
}

fn rows(l: &Ledger, t: Table) -> Vec<Value> {
    l.db().list_rows(t, u32::MAX).unwrap()
}

fn s(v: &Value, k: &str) -> String {
    v[k].as_str().unwrap_or_default().to_owned()
}

fn i(v: &Value, k: &str) -> i64 {
    v[k].as_i64().unwrap_or_default()
}

fn money(f: i64) -> Money {
    Money::from_francs(f).unwrap()
}

fn tenths(t: i64) -> Kg {
    Kg::from_tenths(t).unwrap()
}

fn half_up(x: Decimal) -> i64 {
    x.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .unwrap()
}

/// Figures of a set of contracts, summed here.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct P {
    contracts: u32,
    committed_t: i64,
    delivered_t: i64,
    due: i64,
    disbursed: i64,
    recovered: i64,
}

fn check_progress(label: &str, got: &sene_app::dashboard::Progress, want: &P) {
    assert_eq!(got.contracts, want.contracts, "{label}: contracts");
    assert_eq!(
        got.committed,
        tenths(want.committed_t),
        "{label}: committed"
    );
    assert_eq!(
        got.delivered,
        tenths(want.delivered_t),
        "{label}: delivered"
    );
    assert_eq!(got.advance_due, money(want.due), "{label}: advance due");
    assert_eq!(got.disbursed, money(want.disbursed), "{label}: disbursed");
    assert_eq!(got.recovered, money(want.recovered), "{label}: recovered");
    assert_eq!(
        got.recovery_rate,
        recovery_rate(money(want.recovered), money(want.disbursed)),
        "{label}: rate"
    );
    if want.disbursed > 0 {
        let r =
            Decimal::from(want.recovered) * Decimal::ONE_HUNDRED / Decimal::from(want.disbursed);
        let r = r.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
        assert_eq!(got.recovery_rate, r, "{label}: rate by hand");
    }
}

/// Every dashboard figure of every campaign against sums of the raw rows.
fn check_dashboards(l: &Ledger) {
    let reversed: HashSet<String> = rows(l, Table::Reversals)
        .iter()
        .map(|r| s(r, "target_id"))
        .collect();
    let live = |v: &Value| !reversed.contains(&s(v, "id"));
    let members: HashMap<String, String> = rows(l, Table::Members)
        .iter()
        .map(|m| (s(m, "id"), s(m, "cooperative_id")))
        .collect();
    let coop_code: HashMap<String, String> = rows(l, Table::Cooperatives)
        .iter()
        .map(|c| (s(c, "id"), s(c, "code")))
        .collect();
    let contracts = rows(l, Table::Contracts);
    let disbursements = rows(l, Table::Disbursements);
    let deliveries = rows(l, Table::Deliveries);
    // per contract, the live advances paid and accepted tenths of kg (summed once: per
    // contract scans of every row made the union-scale run quadratic)
    let mut paid_by: HashMap<String, i64> = HashMap::new();
    for x in disbursements.iter().filter(|x| live(x)) {
        *paid_by.entry(s(x, "contract_id")).or_default() += i(x, "amount");
    }
    let mut accepted_by: HashMap<String, i64> = HashMap::new();
    for x in deliveries.iter().filter(|x| live(x)) {
        *accepted_by.entry(s(x, "contract_id")).or_default() += i(x, "accepted_t");
    }
    let over_prices: HashMap<(String, String), Option<i64>> = rows(l, Table::CampaignPrices)
        .iter()
        .map(|x| {
            (
                (s(x, "campaign_id"), s(x, "crop")),
                x["over_price"].as_i64(),
            )
        })
        .collect();
    let date = day(2027, 1, 15);
    let mut seen_contracts = 0;
    let mut families: BTreeMap<String, P> = BTreeMap::new();
    for camp in rows(l, Table::Campaigns) {
        let cid = s(&camp, "id");
        let share: Decimal = s(&camp, "advance_share").parse().unwrap();
        let d: Dashboard = l.dashboard(cid.parse().unwrap(), date).unwrap();
        let label = s(&camp, "name");
        let camp_contracts: HashMap<String, &Value> = contracts
            .iter()
            .filter(|c| s(c, "campaign_id") == cid)
            .map(|c| (s(c, "id"), c))
            .collect();

        // contracts: total, per crop, per cooperative
        let mut total = P::default();
        let mut crops: BTreeMap<String, P> = BTreeMap::new();
        let mut coops: BTreeMap<String, P> = BTreeMap::new();
        for (id, c) in &camp_contracts {
            let paid = paid_by.get(id).copied().unwrap_or(0);
            let accepted = accepted_by.get(id).copied().unwrap_or(0);
            let state = s(c, "state");
            // the contracts that count (sene_app::progress::counts): approved or later, or
            // anything paid or delivered on it
            if ["requested", "rejected", "cancelled"].contains(&state.as_str())
                && paid == 0
                && accepted == 0
            {
                continue;
            }
            let committed = i(c, "committed_t");
            let price = i(c, "base_price");
            let due = if ["requested", "rejected", "cancelled"].contains(&state.as_str()) {
                0
            } else {
                half_up(share * Decimal::from(price) * Decimal::new(committed, 1))
            };
            let value = half_up(Decimal::from(price) * Decimal::new(accepted.min(committed), 1));
            for p in [
                &mut total,
                crops.entry(s(c, "crop")).or_default(),
                coops
                    .entry(coop_code[&members[&s(c, "member_id")]].clone())
                    .or_default(),
            ] {
                p.contracts += 1;
                p.committed_t += committed;
                p.delivered_t += accepted;
                p.due += due;
                p.disbursed += paid;
                p.recovered += value.min(paid);
            }
        }
        seen_contracts += total.contracts;
        let fam = families.entry(s(&camp, "family")).or_default();
        fam.contracts += total.contracts;
        fam.committed_t += total.committed_t;
        fam.delivered_t += total.delivered_t;
        fam.due += total.due;
        fam.disbursed += total.disbursed;
        fam.recovered += total.recovered;
        check_progress(&label, &d.total, &total);
        assert_eq!(d.crops.len(), crops.len(), "{label}: crops");
        for c in &d.crops {
            check_progress(
                &format!("{label} {}", c.crop),
                &c.progress,
                &crops[c.crop.code()],
            );
        }
        assert_eq!(d.cooperatives.len(), coops.len(), "{label}: cooperatives");
        for c in &d.cooperatives {
            check_progress(&format!("{label} {}", c.code), &c.progress, &coops[&c.code]);
        }

        // stock per warehouse and crop
        let mut stock: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
        for x in deliveries
            .iter()
            .filter(|x| live(x) && camp_contracts.contains_key(&s(x, "contract_id")))
        {
            stock
                .entry((s(x, "warehouse_id"), s(x, "crop")))
                .or_default()
                .0 += i(x, "accepted_t");
        }
        let lots: HashMap<String, String> = rows(l, Table::SaleLots)
            .iter()
            .filter(|x| live(x) && s(x, "campaign_id") == cid)
            .map(|x| (s(x, "id"), s(x, "crop")))
            .collect();
        for src in rows(l, Table::SaleLotSources) {
            if let Some(crop) = lots.get(&s(&src, "lot_id")) {
                stock
                    .entry((s(&src, "warehouse_id"), crop.clone()))
                    .or_default()
                    .1 += i(&src, "kg_t");
            }
        }
        assert_eq!(d.stock.len(), stock.len(), "{label}: stock lines");
        for line in &d.stock {
            let (dk, sk) = stock[&(line.warehouse_id.to_string(), line.crop.code().to_owned())];
            assert_eq!(line.delivered, tenths(dk), "{label}: stock delivered");
            assert_eq!(line.sold, tenths(sk), "{label}: stock sold");
            assert_eq!(line.stock, tenths(dk - sk), "{label}: stock");
        }

        // fertilizer per product
        let pos: HashMap<String, (String, i64)> = rows(l, Table::PurchaseOrders)
            .iter()
            .filter(|o| s(o, "campaign_id") == cid)
            .map(|o| (s(o, "id"), (s(o, "product_id"), i(o, "bags"))))
            .collect();
        let dists: Vec<Value> = rows(l, Table::FertilizerDistributions)
            .into_iter()
            .filter(|x| live(x) && s(x, "campaign_id") == cid)
            .collect();
        let products: HashMap<String, String> = rows(l, Table::FertilizerProducts)
            .iter()
            .map(|p| (s(p, "name"), s(p, "id")))
            .collect();
        let (mut cost_all, mut cash_all) = (0, 0);
        for f in &d.fertilizer {
            let pid = &products[&f.product];
            let ordered: i64 = rows(l, Table::GroupOrders)
                .iter()
                .filter(|g| s(g, "campaign_id") == cid && s(g, "product_id") == *pid)
                .map(|g| i(g, "bags"))
                .sum();
            let purchased: i64 = pos.values().filter(|(p, _)| p == pid).map(|(_, b)| b).sum();
            let received: i64 = rows(l, Table::Receptions)
                .iter()
                .filter(|r| {
                    pos.get(&s(r, "purchase_order_id"))
                        .is_some_and(|(p, _)| p == pid)
                })
                .map(|r| i(r, "bags_received"))
                .sum();
            let mine: Vec<&Value> = dists
                .iter()
                .filter(|x| s(x, "product_id") == *pid)
                .collect();
            let distributed: i64 = mine.iter().map(|x| i(x, "bags")).sum();
            let cost: i64 = mine
                .iter()
                .map(|x| i(x, "bags") * i(x, "price_per_bag"))
                .sum();
            let cash: i64 = mine.iter().map(|x| i(x, "cash_paid")).sum();
            assert_eq!(f.ordered_bags, ordered, "{label} {}: ordered", f.product);
            assert_eq!(
                f.purchased_bags, purchased,
                "{label} {}: purchased",
                f.product
            );
            assert_eq!(f.received_bags, received, "{label} {}: received", f.product);
            assert_eq!(
                f.distributed_bags, distributed,
                "{label} {}: distributed",
                f.product
            );
            assert_eq!(f.cost, money(cost), "{label} {}: cost", f.product);
            assert_eq!(f.cash_paid, money(cash), "{label} {}: cash", f.product);
            cost_all += cost;
            cash_all += cash;
        }
        let r = &d.fertilizer_recovery;
        assert_eq!(r.cost, money(cost_all), "{label}: fertilizer cost");
        assert_eq!(r.cash_paid, money(cash_all), "{label}: fertilizer cash");
        assert_eq!(
            r.on_credit,
            money(cost_all - cash_all),
            "{label}: on credit"
        );
        // credit recovered: per member, what the delivered value leaves after advances and
        // fees (the fees come from the settlement, whose rules are tested on their own)
        let settlement = l.settle_campaign(cid.parse().unwrap(), date).unwrap();
        let mut by_member: HashMap<String, Vec<(&String, &&Value)>> = HashMap::new();
        for (id, c) in &camp_contracts {
            by_member
                .entry(s(c, "member_id"))
                .or_default()
                .push((id, c));
        }
        let mut credit_by: HashMap<String, i64> = HashMap::new();
        for x in &dists {
            *credit_by.entry(s(x, "member_id")).or_default() +=
                i(x, "bags") * i(x, "price_per_bag") - i(x, "cash_paid");
        }
        let mut credit_recovered = 0;
        for m in &settlement.members {
            let mid = m.member_id.to_string();
            let mut value = 0;
            let mut paid = 0;
            for (id, c) in by_member.get(&mid).into_iter().flatten() {
                let accepted = accepted_by.get(*id).copied().unwrap_or(0);
                let p = paid_by.get(*id).copied().unwrap_or(0);
                let state = s(c, "state");
                if ["rejected", "cancelled", "requested"].contains(&state.as_str())
                    && p == 0
                    && accepted == 0
                {
                    continue;
                }
                let committed = i(c, "committed_t");
                let price = i(c, "base_price");
                let over = if i(&camp, "over_delivery_bought") == 1 {
                    over_prices
                        .get(&(cid.clone(), s(c, "crop")))
                        .copied()
                        .flatten()
                } else {
                    None
                };
                let base = Decimal::from(price) * Decimal::new(accepted.min(committed), 1);
                let extra = over.map_or(Decimal::ZERO, |o| {
                    Decimal::from(o) * Decimal::new((accepted - committed).max(0), 1)
                });
                value += half_up(base + extra);
                paid += p;
            }
            let credit = credit_by.get(&mid).copied().unwrap_or(0);
            assert_eq!(
                m.delivered_value,
                money(value),
                "{label} {}: value",
                m.number
            );
            assert_eq!(m.advances, money(paid), "{label} {}: advances", m.number);
            let room = value - paid - m.fees.francs();
            credit_recovered += room.clamp(0, credit);
        }
        assert_eq!(
            r.credit_recovered,
            money(credit_recovered),
            "{label}: credit recovered"
        );
        assert_eq!(
            r.recovered,
            money(cash_all + credit_recovered),
            "{label}: recovered"
        );
        assert_eq!(
            r.outstanding,
            money(cost_all - cash_all - credit_recovered),
            "{label}: outstanding"
        );

        // lenders
        let lines: Vec<Value> = rows(l, Table::CreditLines)
            .into_iter()
            .filter(|x| x["campaign_id"].is_null() || s(x, "campaign_id") == cid)
            .collect();
        assert_eq!(d.lenders.len(), lines.len(), "{label}: credit lines");
        let (mut drawn_all, mut out_all) = (0, 0);
        for line in &lines {
            let id = s(line, "id");
            let got = d
                .lenders
                .iter()
                .find(|x| x.credit_line_id.to_string() == id)
                .unwrap();
            let drawn: i64 = rows(l, Table::Drawdowns)
                .iter()
                .filter(|x| live(x) && s(x, "credit_line_id") == id)
                .map(|x| i(x, "amount"))
                .sum();
            let reps: Vec<Value> = rows(l, Table::LenderRepayments)
                .into_iter()
                .filter(|x| live(x) && s(x, "credit_line_id") == id)
                .collect();
            let principal: i64 = reps.iter().map(|x| i(x, "principal")).sum();
            let interest: i64 = reps.iter().map(|x| i(x, "interest")).sum();
            assert_eq!(
                got.principal,
                money(i(line, "principal")),
                "{label}: principal"
            );
            assert_eq!(got.drawn, money(drawn), "{label}: drawn");
            assert_eq!(
                got.undrawn,
                money(i(line, "principal") - drawn),
                "{label}: undrawn"
            );
            assert_eq!(got.repaid_principal, money(principal), "{label}: repaid");
            assert_eq!(got.repaid_interest, money(interest), "{label}: interest");
            assert_eq!(
                got.outstanding,
                money(drawn - principal),
                "{label}: outstanding"
            );
            drawn_all += drawn;
            out_all += drawn - principal;
        }
        assert_eq!(
            d.lender_totals.drawn,
            money(drawn_all),
            "{label}: total drawn"
        );
        assert_eq!(
            d.lender_totals.outstanding,
            money(out_all),
            "{label}: exposure"
        );

        // agents
        // received, paid out, fertilizer cash, disbursed, delivered kg, returned
        let mut agents: BTreeMap<String, [i64; 6]> = BTreeMap::new();
        for x in rows(l, Table::FundAllocations)
            .iter()
            .filter(|x| live(x) && s(x, "campaign_id") == cid)
        {
            agents.entry(s(x, "agent_id")).or_default()[0] += i(x, "amount");
        }
        for x in disbursements
            .iter()
            .filter(|x| live(x) && camp_contracts.contains_key(&s(x, "contract_id")))
        {
            let a = agents.entry(s(x, "agent_id")).or_default();
            a[1] += i(x, "amount");
            a[3] += i(x, "amount");
        }
        for x in rows(l, Table::BalancePayments)
            .iter()
            .filter(|x| live(x) && s(x, "campaign_id") == cid)
        {
            agents.entry(s(x, "agent_id")).or_default()[1] += i(x, "amount");
        }
        for x in &dists {
            agents.entry(s(x, "agent_id")).or_default()[2] += i(x, "cash_paid");
        }
        for x in deliveries
            .iter()
            .filter(|x| live(x) && camp_contracts.contains_key(&s(x, "contract_id")))
        {
            agents.entry(s(x, "agent_id")).or_default()[4] += i(x, "accepted_t");
        }
        // cash handed back: the office table's rows as stored
        for x in l.db().cash_returns(cid.parse().unwrap()).unwrap() {
            agents.entry(x.agent_id.to_string()).or_default()[5] += x.amount.francs();
        }
        agents.retain(|_, a| a.iter().any(|v| *v != 0));
        assert_eq!(d.agents.len(), agents.len(), "{label}: agents");
        for a in &d.agents {
            let [received, paid, fert, disbursed, delivered, returned] =
                agents[&a.agent_id.to_string()];
            assert_eq!(
                a.cash.received,
                money(received),
                "{label} {}: received",
                a.name
            );
            assert_eq!(a.cash.paid_out, money(paid), "{label} {}: paid out", a.name);
            assert_eq!(
                a.cash.fertilizer_cash,
                money(fert),
                "{label} {}: fert cash",
                a.name
            );
            assert_eq!(
                a.cash.returned,
                money(returned),
                "{label} {}: returned",
                a.name
            );
            assert_eq!(
                a.cash.to_return,
                money(received - paid + fert - returned),
                "{label} {}: to return",
                a.name
            );
            assert_eq!(
                a.disbursed,
                money(disbursed),
                "{label} {}: disbursed",
                a.name
            );
            assert_eq!(
                a.delivered,
                tenths(delivered),
                "{label} {}: delivered",
                a.name
            );
        }
    }
    let got = sene_app::dashboard::family_totals(&l.db()).unwrap();
    assert_eq!(got.len(), families.len());
    for f in &got {
        check_progress(f.family.code(), &f.progress, &families[f.family.code()]);
    }
    // rejected or cancelled contracts with nothing on them are left out
    assert!(seen_contracts > 0 && seen_contracts as usize <= contracts.len());
}

/// The contracts whose accepted kg exceed the committed kg, from the raw rows.
fn over_delivered(l: &Ledger, campaign: CampaignId) -> BTreeSet<String> {
    let reversed: HashSet<String> = rows(l, Table::Reversals)
        .iter()
        .map(|r| s(r, "target_id"))
        .collect();
    let mut accepted: HashMap<String, i64> = HashMap::new();
    for x in rows(l, Table::Deliveries) {
        if !reversed.contains(&s(&x, "id")) {
            *accepted.entry(s(&x, "contract_id")).or_default() += i(&x, "accepted_t");
        }
    }
    rows(l, Table::Contracts)
        .iter()
        .filter(|c| s(c, "campaign_id") == campaign.to_string())
        .filter(|c| accepted.get(&s(c, "id")).copied().unwrap_or(0) > i(c, "committed_t"))
        .map(|c| s(c, "id"))
        .collect()
}

/// Groups of two or more non-reversed deliveries of the campaign with the same member,
/// contract, day, gross kg and bags (ids sorted and joined), from the raw rows.
fn repeated_weighings(l: &Ledger, campaign: CampaignId) -> BTreeSet<String> {
    let reversed: HashSet<String> = rows(l, Table::Reversals)
        .iter()
        .map(|r| s(r, "target_id"))
        .collect();
    let of_campaign: HashSet<String> = rows(l, Table::Contracts)
        .iter()
        .filter(|c| s(c, "campaign_id") == campaign.to_string())
        .map(|c| s(c, "id"))
        .collect();
    let mut groups: BTreeMap<(String, String, String, i64, i64), Vec<String>> = BTreeMap::new();
    for x in rows(l, Table::Deliveries) {
        if reversed.contains(&s(&x, "id")) || !of_campaign.contains(&s(&x, "contract_id")) {
            continue;
        }
        groups
            .entry((
                s(&x, "member_id"),
                s(&x, "contract_id"),
                s(&x, "date"),
                i(&x, "gross_t"),
                i(&x, "bags"),
            ))
            .or_default()
            .push(s(&x, "id"));
    }
    groups
        .into_values()
        .filter(|ids| ids.len() > 1)
        .map(|mut ids| {
            ids.sort();
            ids.join(",")
        })
        .collect()
}

/// A money row as a sync would write it: through the store, not the use case.
fn synced_disbursement(
    l: &mut Ledger,
    sec: Actor,
    agent: AgentId,
    contract: ContractId,
    amount: i64,
    date: NaiveDate,
) -> DisbursementId {
    let id = DisbursementId::new();
    let (store, _, _) = l.parts().unwrap();
    store
        .write(|db| -> Result<(), sene_store::StoreError> {
            let receipt = db.next_receipt(sec.device)?;
            let row = json!({
                "id": id.to_string(), "contract_id": contract.to_string(), "amount": amount,
                "date": date.to_string(), "mode": "cash", "agent_id": agent.to_string(),
                "device_id": sec.device.to_string(), "receipt": receipt,
                "recorded_at": "2027-01-15T09:00:00.000Z",
            });
            db.put_row(Table::Disbursements, row.as_object().unwrap())?;
            Ok(())
        })
        .unwrap();
    id
}

/// A second secretariat agent on the office's computer (maker-checker's second person).
fn second_secretary(l: &mut Ledger, sec: Actor) -> Actor {
    let a = l
        .run(&sec, |tx| {
            tx.add_agent(NewAgent {
                id: None,
                name: "Seconde secrétaire".into(),
                phone: None,
                role: Role::Secretariat,
                cooperatives: Vec::new(),
            })
        })
        .unwrap();
    Actor {
        agent: a.id,
        device: sec.device,
    }
}

/// No UUID, no dotted decimal (« 2688.4 »), no JSON in what a person reads.
fn readable(s: &str) {
    let b = s.as_bytes();
    for w in b.windows(3) {
        assert!(
            !(w[0].is_ascii_digit() && w[1] == b'.' && w[2].is_ascii_digit()),
            "a dotted decimal in: {s}"
        );
    }
    for token in s.split(|c: char| !(c.is_ascii_hexdigit() || c == '-')) {
        let parts: Vec<usize> = token.split('-').map(str::len).collect();
        assert!(parts != [8, 4, 4, 4, 12], "an id in: {s}");
    }
    assert!(!s.contains('{') && !s.contains('"'), "JSON in: {s}");
}

/// Every anomaly of the queue told in French and English: a title, who and what by name, the
/// member cards to open, an action; never an id or a dotted decimal.
fn check_told(l: &Ledger, q: &[sene_app::anomalies::Anomaly]) {
    use sene_app::anomalies::Target;
    let db = l.db();
    for a in q {
        for lang in [Lang::Fr, Lang::En] {
            let t = l.tell_anomaly(&a.kind, lang).unwrap();
            assert!(!t.title.is_empty() && t.title != a.kind.code(), "{t:#?}");
            assert!(t.summary.len() > 20 && t.action.len() > 20, "{t:#?}");
            let mut all = format!("{}\n{}\n{}", t.title, t.summary, t.action);
            for f in &t.evidence {
                all.push_str(&format!("\n{} : {}", f.label, f.value));
            }
            for k in &t.links {
                all.push_str(&format!("\n{}", k.label));
            }
            if !matches!(a.kind, AnomalyKind::SyncConflict { .. }) {
                readable(&all);
                assert!(!t.evidence.is_empty(), "{t:#?}");
                assert!(!t.links.is_empty(), "{t:#?}");
            }
            let members: Vec<MemberId> = match &a.kind {
                AnomalyKind::DuplicateMember { members, .. } => members.to_vec(),
                AnomalyKind::DuplicateDelivery { member_id, .. }
                | AnomalyKind::SettlementDebt { member_id, .. }
                | AnomalyKind::LateRecord { member_id, .. }
                | AnomalyKind::AfterDeparture { member_id, .. } => vec![*member_id],
                AnomalyKind::DisbursementAboveDue { contract_id, .. }
                | AnomalyKind::DisbursementNotApproved { contract_id, .. }
                | AnomalyKind::DeliveryAboveCommitted { contract_id, .. } => {
                    vec![db.contract(*contract_id).unwrap().unwrap().member_id]
                }
                _ => Vec::new(),
            };
            let linked: Vec<String> = t
                .links
                .iter()
                .filter(|k| k.target == Target::Member)
                .filter_map(|k| k.id.clone())
                .collect();
            assert_eq!(
                linked,
                members.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "{t:#?}"
            );
            for m in &members {
                let m = db.member(*m).unwrap().unwrap();
                let coop = db.cooperative(m.cooperative_id).unwrap().unwrap();
                assert!(t.summary.contains(&m.full_name), "{t:#?}");
                assert!(all.contains(&coop.name), "{t:#?}");
            }
            let agent = match &a.kind {
                AnomalyKind::AgentCashNegative { position, .. }
                | AnomalyKind::AgentCashOutstandingAfterClose { position, .. } => {
                    Some(position.agent_id)
                }
                _ => None,
            };
            if let Some(agent) = agent {
                let name = db.agent(agent).unwrap().unwrap().name;
                assert!(t.summary.contains(&name), "{t:#?}");
            }
            if let AnomalyKind::ReceiptGap { device_id, .. } = &a.kind {
                let label = db.device(*device_id).unwrap().unwrap().label;
                assert!(t.summary.contains(&label), "{t:#?}");
            }
            match &a.kind {
                AnomalyKind::DeliveryAboveCommitted { accepted, .. } => {
                    assert!(t.summary.contains(&accepted.to_string()), "{t:#?}");
                }
                AnomalyKind::DisbursementAboveDue { disbursed, .. }
                | AnomalyKind::DisbursementNotApproved { disbursed, .. } => {
                    assert!(t.summary.contains(&disbursed.to_string()), "{t:#?}");
                }
                AnomalyKind::SettlementDebt { net, .. } => {
                    assert!(t.summary.contains(&net.negated().to_string()), "{t:#?}");
                }
                AnomalyKind::AgentCashNegative { gap, .. }
                | AnomalyKind::AgentCashOutstandingAfterClose { gap, .. } => {
                    assert!(t.summary.contains(&gap.to_string()), "{t:#?}");
                }
                _ => {}
            }
        }
    }
}

#[test]
fn the_dashboard_and_the_anomaly_queue_of_a_generated_union() {
    let mut l = union();
    check_dashboards(&l);

    // the clean union: the only anomalies are the demo's own over-deliveries (the generator
    // lets some members bring a little more than they committed, as in the field) and, at union
    // scale, the weighings that happen to repeat (same member, contract, day, gross kg and bags
    // among 50,000 drawn at random): each computed here from the raw rows
    let camps: Vec<CampaignId> = l.db().campaign_ids().unwrap();
    let mut baseline: BTreeMap<CampaignId, BTreeSet<String>> = BTreeMap::new();
    for c in &camps {
        let q = l.anomalies(*c).unwrap();
        let mut over = BTreeSet::new();
        let mut repeated = BTreeSet::new();
        for a in &q {
            match &a.kind {
                AnomalyKind::DeliveryAboveCommitted { contract_id, .. } => {
                    over.insert(contract_id.to_string());
                }
                AnomalyKind::DuplicateDelivery { deliveries, .. } => {
                    let mut ids: Vec<String> = deliveries.iter().map(ToString::to_string).collect();
                    ids.sort();
                    repeated.insert(ids.join(","));
                }
                other => panic!("unexpected anomaly in the clean union: {other:#?}"),
            }
        }
        assert_eq!(over, over_delivered(&l, *c));
        assert_eq!(repeated, repeated_weighings(&l, *c));
        baseline.insert(*c, q.into_iter().map(|a| a.key).collect());
    }

    // the campaign with the most deliveries
    let db = l.db();
    let figures = |c: CampaignId| db.campaign_contracts(c).unwrap();
    let camp = *camps
        .iter()
        .max_by_key(|c| {
            figures(**c)
                .iter()
                .filter(|f| f.accepted.is_positive())
                .count()
        })
        .unwrap();
    let all = figures(camp);
    let sec = l.local_actor().unwrap();
    let deliveries = rows(&l, Table::Deliveries);
    let first_delivery = |c: ContractId| {
        deliveries
            .iter()
            .find(|x| s(x, "contract_id") == c.to_string())
            .cloned()
    };
    let open: Vec<_> = all
        .iter()
        .filter(|f| {
            f.contract.state.accepts_delivery()
                && f.accepted < f.contract.committed
                && first_delivery(f.contract.id).is_some()
        })
        .collect();
    // (1) duplicate deliveries, on a contract with room for both
    let dup_on = open
        .iter()
        .find(|f| f.contract.committed.checked_sub(f.accepted).unwrap() > tenths(2_000))
        .unwrap();
    // (2) over-delivery, on another
    let over_on = open
        .iter()
        .find(|f| {
            f.contract.id != dup_on.contract.id
                && f.contract.committed.checked_sub(f.accepted).unwrap() < tenths(400_000)
        })
        .unwrap();
    // (3) above the advance due: a contract fully paid, one more advance of 1 000 FCFA
    let share: Decimal = rows(&l, Table::Campaigns)
        .iter()
        .find(|c| s(c, "id") == camp.to_string())
        .map(|c| s(c, "advance_share").parse().unwrap())
        .unwrap();
    let due_of = |f: &sene_store::ContractFigures| {
        half_up(share * f.contract.base_price.as_decimal() * f.contract.committed.as_decimal())
    };
    let paid_of = |f: &sene_store::ContractFigures| -> i64 {
        f.disbursements.iter().map(|(m, _)| m.francs()).sum()
    };
    let full = all
        .iter()
        .find(|f| {
            f.contract.state.accepts_disbursement() && paid_of(f) > 0 && paid_of(f) == due_of(f)
        })
        .unwrap();
    // (4) the agent whose allocations are reversed: paid out without funds (the advances a
    // sync brings in below are paid by the same agent, so no other agent's cash moves)
    let poor = db
        .agent_ids()
        .unwrap()
        .into_iter()
        .find(|a| {
            let c = reports::agent_cash(&db, *a, camp).unwrap();
            c.received.is_positive() && c.paid_out > c.fertilizer_cash
        })
        .unwrap();
    let allocations: Vec<String> = rows(&l, Table::FundAllocations)
        .iter()
        .filter(|x| s(x, "agent_id") == poor.to_string() && s(x, "campaign_id") == camp.to_string())
        .map(|x| s(x, "id"))
        .collect();
    let a_member = db.member(dup_on.contract.member_id).unwrap().unwrap();
    let other = db
        .members(None)
        .unwrap()
        .into_iter()
        .find(|m| m.phone.is_some() && m.id != a_member.id)
        .unwrap();
    let coop = db.cooperative(a_member.cooperative_id).unwrap().unwrap();
    let contract_start: NaiveDate = rows(&l, Table::Campaigns)
        .iter()
        .find(|c| s(c, "id") == camp.to_string())
        .map(|c| s(c, "contract_start").parse().unwrap())
        .unwrap();

    let dd = first_delivery(dup_on.contract.id).unwrap();
    let od = first_delivery(over_on.contract.id).unwrap();
    let delivery =
        |f: &sene_store::ContractFigures, d: &Value, gross: Kg, bags: u32| RecordDelivery {
            id: None,
            member_id: f.contract.member_id,
            contract_id: f.contract.id,
            warehouse_id: s(d, "warehouse_id").parse().unwrap(),
            bags,
            gross,
            moisture: Percent::from_tenths(0).unwrap(),
            impurity: Percent::from_tenths(0).unwrap(),
            date: s(d, "date").parse().unwrap(),
        };
    let over_gross = over_on
        .contract
        .committed
        .checked_sub(over_on.accepted)
        .unwrap()
        .checked_add(tenths(1_000))
        .unwrap();
    // maker-checker: the allocations the secretariat made are voided by a second secretariat
    // agent (signed in on the office's computer)
    let second = second_secretary(&mut l, sec);
    l.run(&second, |tx| {
        for id in &allocations {
            tx.reverse(Reverse {
                id: None,
                target_kind: RecordKind::Allocation,
                target_id: id.clone(),
                reason: "fonds rendus au siège".into(),
                date: day(2027, 1, 15),
            })?;
        }
        Ok(())
    })
    .unwrap();
    let (dup_a, dup_b, requested, twin) = l
        .run(&sec, |tx| {
            let cmd = delivery(dup_on, &dd, tenths(800), 2);
            let a = tx.record_delivery(cmd.clone())?;
            let b = tx.record_delivery(cmd)?;
            tx.record_delivery(delivery(over_on, &od, over_gross, 2))?;
            let requested = tx.request_contract(sene_app::season::RequestContract {
                id: None,
                member_id: a_member.id,
                campaign_id: camp,
                crop: dup_on.contract.crop,
                committed: tenths(10_000),
                date: contract_start,
            })?;
            let twin = tx.register_member(
                NewMember {
                    id: None,
                    cooperative_id: coop.id,
                    number: format!("{}-9999", coop.code),
                    full_name: "Jumeau Inventé".into(),
                    sex: Sex::Male,
                    birth_year: Some(1960),
                    village: "Ailleurs".into(),
                    phone: other.phone.clone(),
                    nina: None,
                    crops: Vec::new(),
                },
                true,
            )?;
            Ok((a.id, b.id, requested, twin))
        })
        .unwrap();
    // (5) a receipt number taken and never used, between numbers used before and after
    let burnt = {
        let (store, _, _) = l.parts().unwrap();
        store.write(|db| db.next_receipt(sec.device)).unwrap()
    };
    let (prefix, burnt_n) = receipt::parse(&burnt)
        .map(|(p, n)| (p.to_owned(), n))
        .unwrap();

    // (6) advances a sync brings in: one above the due, one on a contract not approved
    let above = synced_disbursement(&mut l, sec, poor, full.contract.id, 1_000, day(2027, 1, 15));
    let unapproved = synced_disbursement(&mut l, sec, poor, requested.id, 5_000, day(2027, 1, 15));
    // (8) a member number registered twice offline (a use case refuses it, a merge takes it)
    let clash = {
        let mut row = rows(&l, Table::Members)
            .into_iter()
            .find(|m| s(m, "id") == a_member.id.to_string())
            .unwrap();
        let id = MemberId::new();
        let o = row.as_object_mut().unwrap();
        o.insert("id".into(), json!(id.to_string()));
        o.insert("full_name".into(), json!("Autre Personne"));
        o.insert("folded_name".into(), json!("autre personne"));
        o.insert("village".into(), json!("Autre village"));
        o.insert("phone".into(), Value::Null);
        o.insert("nina".into(), Value::Null);
        let (store, _, _) = l.parts().unwrap();
        store
            .write(|db| db.put_row(Table::Members, row.as_object().unwrap()))
            .unwrap();
        id
    };
    // (7) a sync conflict
    {
        let (store, _, _) = l.parts().unwrap();
        store
            .write(|db| {
                db.insert_conflict(&ConflictRow {
                    id: "conflict-1".into(),
                    doc_id: format!("registry/{}", coop.id),
                    record_table: "members".into(),
                    record_key: other.id.to_string(),
                    field: "village".into(),
                    money: false,
                    candidates: r#"[{"value":"A"},{"value":"B"}]"#.into(),
                    found_at: "2027-01-15T09:00:00.000Z".into(),
                    resolved_at: None,
                    resolved_by: None,
                    resolution: None,
                })
            })
            .unwrap();
    }

    // (8) a device whose audit history the hub found rewritten at its last sync
    {
        let (store, _, _) = l.parts().unwrap();
        store
            .write(|db| {
                db.put_audit_break(&sene_store::AuditBreak {
                    device_id: "device-x".into(),
                    at_seq: 42,
                    expected: "00ff".into(),
                    got: "ff00".into(),
                    reason: "historique d'audit réécrit".into(),
                    detected_at: "2027-01-15T09:00:00Z".into(),
                })
            })
            .unwrap();
    }

    // (9) a revoked device's file kept in quarantine
    {
        let (store, _, _) = l.parts().unwrap();
        store
            .write(|db| {
                db.put_quarantine(
                    "device-y",
                    "2027-01-15T09:00:00Z",
                    "2027-01-14T18:00:00Z",
                    b"SENEUSB1...",
                )
            })
            .unwrap();
    }

    // (5) cash handed back by the agent already short of funds: the dashboard counts it and
    // the gap of the negative position grows by as much
    let holder = poor;
    let before = reports::agent_cash(&l.db(), holder, camp).unwrap();
    l.run(&sec, |tx| {
        tx.record_cash_return(
            holder,
            camp,
            day(2027, 1, 10),
            money(1_000),
            "compté au bureau",
        )?;
        tx.record_cash_return(holder, camp, day(2027, 1, 14), money(2_000), "")
    })
    .unwrap();
    let after = reports::agent_cash(&l.db(), holder, camp).unwrap();
    assert_eq!(after.returned, money(3_000));
    assert_eq!(
        after.to_return,
        before.to_return.checked_sub(money(3_000)).unwrap()
    );

    check_dashboards(&l);

    // exactly the injected anomalies beside the baseline
    let q = l.anomalies(camp).unwrap();
    let now: BTreeSet<String> = q.iter().map(|a| a.key.clone()).collect();
    assert!(now.is_superset(&baseline[&camp]));
    let new: Vec<&AnomalyKind> = q
        .iter()
        .filter(|a| !baseline[&camp].contains(&a.key))
        .map(|a| &a.kind)
        .collect();
    let mut codes: Vec<&str> = new.iter().map(|k| k.code()).collect();
    codes.sort_unstable();
    assert_eq!(
        codes,
        [
            "agent_cash_negative",
            "audit_rewritten",
            "delivery_above_committed",
            "disbursement_above_due",
            "disbursement_not_approved",
            "duplicate_delivery",
            "duplicate_member",
            "duplicate_member",
            "quarantined_file",
            "receipt_gap",
            "sync_conflict",
        ],
        "{new:#?}"
    );
    let mut pair = [dup_a, dup_b];
    pair.sort();
    let mut members = [twin.id, other.id];
    members.sort();
    for k in new {
        match k {
            AnomalyKind::AuditRewritten {
                device_id, at_seq, ..
            } => {
                assert_eq!((device_id.as_str(), *at_seq), ("device-x", 42));
            }
            AnomalyKind::QuarantinedFile {
                device_id, size, ..
            } => {
                assert_eq!((device_id.as_str(), *size), ("device-y", 11));
            }
            AnomalyKind::SyncConflict {
                conflict_id, field, ..
            } => {
                assert_eq!(
                    (conflict_id.as_str(), field.as_str()),
                    ("conflict-1", "village")
                );
            }
            AnomalyKind::DuplicateMember {
                members: m,
                reasons,
            } => {
                if *m == members {
                    assert_eq!(
                        reasons,
                        &[DuplicateReason::Phone(other.phone.clone().unwrap())]
                    );
                } else {
                    let mut clashing = [a_member.id, clash];
                    clashing.sort();
                    assert_eq!(*m, clashing);
                    assert_eq!(reasons, &[DuplicateReason::Number(a_member.number.clone())]);
                }
            }
            AnomalyKind::DuplicateDelivery {
                deliveries,
                contract_id,
                gross,
                bags,
                ..
            } => {
                assert_eq!(deliveries.as_slice(), pair);
                assert_eq!(*contract_id, dup_on.contract.id);
                assert_eq!((*gross, *bags), (tenths(800), 2));
            }
            AnomalyKind::DisbursementAboveDue {
                contract_id,
                disbursements,
                due,
                disbursed,
            } => {
                assert_eq!(*contract_id, full.contract.id);
                assert!(disbursements.contains(&above));
                assert_eq!(due.francs(), due_of(full));
                assert_eq!(disbursed.francs(), due_of(full) + 1_000);
            }
            AnomalyKind::DisbursementNotApproved {
                contract_id,
                state,
                disbursements,
                disbursed,
            } => {
                assert_eq!(*contract_id, requested.id);
                assert_eq!(*state, ContractState::Requested);
                assert_eq!(disbursements.as_slice(), [unapproved]);
                assert_eq!(disbursed.francs(), 5_000);
            }
            AnomalyKind::DeliveryAboveCommitted {
                contract_id,
                committed,
                accepted,
            } => {
                assert_eq!(*contract_id, over_on.contract.id);
                assert_eq!(*committed, over_on.contract.committed);
                // 2 bags of 0,5 kg tare: 100 kg − 1 kg above the commitment
                assert_eq!(
                    *accepted,
                    over_on.contract.committed.checked_add(tenths(990)).unwrap()
                );
            }
            AnomalyKind::ReceiptGap {
                device_id,
                prefix: p,
                missing,
                ..
            } => {
                assert_eq!(*device_id, sec.device);
                assert_eq!(*p, prefix);
                assert_eq!(missing.as_slice(), [burnt_n]);
            }
            AnomalyKind::AgentCashNegative { position, gap } => {
                assert_eq!(position.agent_id, poor);
                assert_eq!(position.received, Money::ZERO);
                assert!(position.to_return.is_negative());
                assert_eq!(position.returned, money(3_000));
                assert_eq!(*gap, position.to_return.negated());
                assert_eq!(
                    gap.francs(),
                    position.paid_out.francs() + 3_000 - position.fertilizer_cash.francs()
                );
            }
            AnomalyKind::StockCountMismatch { .. } => panic!("no stock was counted: {k:#?}"),
            AnomalyKind::OfficeRestored { .. } => panic!("nothing was restored: {k:#?}"),
            AnomalyKind::AfterDeparture { .. } => panic!("no member departed: {k:#?}"),
            AnomalyKind::HandWeighed { .. } | AnomalyKind::TicketDiffers { .. } => {
                panic!("no weighing evidence, no ticket scanned: {k:#?}")
            }
            other @ (AnomalyKind::SettlementDebt { .. }
            | AnomalyKind::LateRecord { .. }
            | AnomalyKind::AgentCashOutstandingAfterClose { .. }) => {
                panic!("no settlement run was locked: {other:#?}")
            }
        }
    }
    // each one told for a person, in French and English (the injected ones, and a sample of
    // the generated union's own)
    let told: Vec<_> = q
        .iter()
        .filter(|a| !baseline[&camp].contains(&a.key))
        .chain(q.iter().take(40))
        .cloned()
        .collect();
    check_told(&l, &told);
    // union-wide anomalies show in every campaign's queue, the campaign's own only in it
    for c in camps.iter().filter(|c| **c != camp) {
        let mut codes: Vec<String> = l
            .anomalies(*c)
            .unwrap()
            .into_iter()
            .filter(|a| !baseline[c].contains(&a.key))
            .map(|a| a.kind.code().to_owned())
            .collect();
        codes.sort();
        assert_eq!(
            codes,
            [
                "audit_rewritten",
                "duplicate_member",
                "duplicate_member",
                "quarantined_file",
                "receipt_gap",
                "sync_conflict"
            ]
        );
    }
}

#[test]
fn a_locked_settlement_puts_its_debts_and_late_records_in_the_queue() {
    let mut l = union();
    let sec = l.local_actor().unwrap();
    let db = l.db();
    let camps = db.campaign_ids().unwrap();
    let camp = *camps
        .iter()
        .max_by_key(|c| {
            db.campaign_contracts(**c)
                .unwrap()
                .iter()
                .filter(|f| f.accepted.is_positive())
                .count()
        })
        .unwrap();
    let baseline: BTreeSet<String> = l
        .anomalies(camp)
        .unwrap()
        .into_iter()
        .map(|a| a.key)
        .collect();
    let deliveries = rows(&l, Table::Deliveries);
    let (f, d) = db
        .campaign_contracts(camp)
        .unwrap()
        .into_iter()
        .filter(|f| {
            f.contract.state.accepts_delivery()
                && f.contract.committed.checked_sub(f.accepted).unwrap() > tenths(2_000)
        })
        .find_map(|f| {
            let d = deliveries
                .iter()
                .find(|x| s(x, "contract_id") == f.contract.id.to_string())
                .cloned()?;
            Some((f, d))
        })
        .unwrap();

    // agents' cash still held once the campaign is closed: checked apart, below
    let new = |l: &Ledger| -> Vec<AnomalyKind> {
        l.anomalies(camp)
            .unwrap()
            .into_iter()
            .filter(|a| !baseline.contains(&a.key))
            .map(|a| a.kind)
            .filter(|k| !matches!(k, AnomalyKind::AgentCashOutstandingAfterClose { .. }))
            .collect()
    };
    let debts = |run: &sene_app::settlement::SettlementRun| -> BTreeSet<(MemberId, Money)> {
        run.members
            .iter()
            .filter(|m| m.net.is_negative())
            .map(|m| (m.member_id, m.net))
            .collect()
    };
    let queued_debts = |kinds: &[AnomalyKind], run_id| -> BTreeSet<(MemberId, Money)> {
        kinds
            .iter()
            .filter_map(|k| match k {
                AnomalyKind::SettlementDebt {
                    run_id: r,
                    member_id,
                    net,
                    ..
                } if *r == run_id => Some((*member_id, *net)),
                _ => None,
            })
            .collect()
    };

    // a run locked: its members in debt are queued, nothing else (proposed by a second
    // secretariat agent, locked by the first: maker-checker)
    let second_sec = second_secretary(&mut l, sec);
    l.run(&second_sec, |tx| {
        tx.propose_settlement(camp, day(2027, 1, 15))
    })
    .unwrap();
    let first = l
        .run(&sec, |tx| {
            tx.lock_settlement(camp, day(2027, 1, 15), None, "premier arrêté")
        })
        .unwrap();
    let q = new(&l);
    assert!(q
        .iter()
        .all(|k| matches!(k, AnomalyKind::SettlementDebt { .. })));
    assert_eq!(queued_debts(&q, first.run.id), debts(&first));
    // every agent holding cash of the campaign is queued once the run is locked
    let holding: BTreeMap<AgentId, Money> = l
        .anomalies(camp)
        .unwrap()
        .into_iter()
        .filter_map(|a| match a.kind {
            AnomalyKind::AgentCashOutstandingAfterClose {
                position,
                run_id,
                gap,
            } => {
                assert_eq!(run_id, first.run.id);
                assert_eq!(gap, position.to_return);
                Some((position.agent_id, gap))
            }
            _ => None,
        })
        .collect();
    let want: BTreeMap<AgentId, Money> = l
        .db()
        .agent_ids()
        .unwrap()
        .into_iter()
        .filter_map(|a| {
            let c = reports::agent_cash(&l.db(), a, camp).unwrap();
            c.to_return.is_positive().then_some((a, c.to_return))
        })
        .collect();
    assert!(!want.is_empty());
    assert_eq!(holding, want);
    assert_eq!(q.len(), debts(&first).len());

    // a delivery recorded after the lock is late until a newer run
    let late = l
        .run(&sec, |tx| {
            tx.record_delivery(RecordDelivery {
                id: None,
                member_id: f.contract.member_id,
                contract_id: f.contract.id,
                warehouse_id: s(&d, "warehouse_id").parse().unwrap(),
                bags: 2,
                gross: tenths(800),
                moisture: Percent::from_tenths(0).unwrap(),
                impurity: Percent::from_tenths(0).unwrap(),
                date: s(&d, "date").parse().unwrap(),
            })
        })
        .unwrap();
    let q = new(&l);
    let lates: Vec<&AnomalyKind> = q
        .iter()
        .filter(|k| !matches!(k, AnomalyKind::SettlementDebt { .. }))
        .collect();
    assert_eq!(lates.len(), 1, "{q:#?}");
    match lates[0] {
        AnomalyKind::LateRecord {
            run_id,
            record_kind,
            record_id,
            member_id,
            receipt,
            ..
        } => {
            assert_eq!(*run_id, first.run.id);
            assert_eq!(record_kind, "delivery");
            assert_eq!(*record_id, late.id.to_string());
            assert_eq!(*member_id, late.member_id);
            assert_eq!(*receipt, late.recorded.receipt);
        }
        other => panic!("{other:#?}"),
    }
    // debts, cash still held and the late record, each told for a person
    let q = l.anomalies(camp).unwrap();
    let told: Vec<_> = q
        .iter()
        .filter(|a| !baseline.contains(&a.key))
        .chain(q.iter().take(40))
        .cloned()
        .collect();
    check_told(&l, &told);

    // a new run that replaces the first: no late record, its own debts
    l.run(&second_sec, |tx| {
        tx.propose_settlement(camp, day(2027, 1, 15))
    })
    .unwrap();
    let second = l
        .run(&sec, |tx| {
            tx.lock_settlement(
                camp,
                day(2027, 1, 15),
                Some(first.run.id),
                "avec la livraison tardive",
            )
        })
        .unwrap();
    let q = new(&l);
    assert!(q
        .iter()
        .all(|k| matches!(k, AnomalyKind::SettlementDebt { .. })));
    assert_eq!(queued_debts(&q, second.run.id), debts(&second));
    assert_eq!(q.len(), debts(&second).len());
}
