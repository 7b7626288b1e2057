//! The demo's tests: the asset parses, the seed decides everything, the shipped demo is a
//! believable season, a generated union has exactly the counts asked.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use sene_domain::*;

use super::rng::{phone, Rng};
use super::*;
use crate::FixedClock;
use chrono::{TimeZone, Utc};
use sene_store::Store;

fn ledger() -> Ledger {
    let clock = FixedClock::new(Utc.with_ymd_and_hms(2027, 1, 15, 9, 0, 0).unwrap());
    Ledger::with_clock(Store::open_in_memory().unwrap(), Box::new(clock))
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn the_asset_parses() {
    let a = asset().unwrap();
    assert_eq!(a.cooperatives.len(), 5);
    assert_eq!(a.campaigns.len(), 3);
    assert_eq!(a.campaigns[0].prices[0].base_price.francs(), 225);
    assert_eq!(
        a.campaigns[1].fee,
        FeeModel::Flat {
            rate: "0.02".parse().unwrap()
        }
    );
    assert!(a.names.female.len() >= 20 && a.names.male.len() >= 20);
}

#[test]
fn the_rng_is_deterministic() {
    let mut a = Rng::new(7);
    let mut b = Rng::new(7);
    let xs: Vec<u64> = (0..20).map(|_| a.below(1000)).collect();
    let ys: Vec<u64> = (0..20).map(|_| b.below(1000)).collect();
    assert_eq!(xs, ys);
    let mut r = Rng::new(1);
    for _ in 0..1000 {
        let x = r.range(3, 5);
        assert!((3..=5).contains(&x));
        let d = r.date(day(2026, 1, 1), day(2026, 1, 3));
        assert!(d >= day(2026, 1, 1) && d <= day(2026, 1, 3));
    }
    // distinct phones for distinct indices
    let mut seen = HashSet::new();
    for i in 0..20_000 {
        let p = phone(&mut r, i);
        assert!(seen.insert(p[6..].to_owned()), "{p}");
        assert_eq!(sene_domain::validate::phone(&p).unwrap(), p);
    }
}

#[test]
fn the_demo_is_a_believable_season() {
    let mut l = ledger();
    let mut lines = Vec::new();
    let s = load_demo(&mut l, &mut |m| lines.push(m.to_owned())).unwrap();
    println!("{s:?}");
    assert!(lines.len() >= 7, "{lines:?}");
    assert_eq!(s.cooperatives, 5);
    assert_eq!(s.members, 125);
    assert_eq!(s.campaigns, 3);
    assert!(s.contracts >= 110, "{s:?}");
    assert!(s.disbursements >= 90, "{s:?}");
    assert!(s.deliveries >= 150, "{s:?}");
    assert!(s.distributions >= 50, "{s:?}");
    let db = l.db();
    assert_eq!(db.count(Table::Warehouses).unwrap(), 7);
    assert_eq!(db.count(Table::Agents).unwrap(), 7);
    assert_eq!(db.count(Table::Devices).unwrap(), 7);
    assert_eq!(db.count(Table::Lenders).unwrap(), 2);
    assert_eq!(db.count(Table::CreditLines).unwrap(), 2);
    assert_eq!(db.count(Table::Drawdowns).unwrap(), 2);
    assert_eq!(db.count(Table::Reversals).unwrap(), 2);
    assert_eq!(db.count(Table::SaleLots).unwrap(), 1);
    assert_eq!(db.count(Table::FertilizerProducts).unwrap(), 3);
    assert!(db.count(Table::FundAllocations).unwrap() >= 5);
    assert!(db.count(Table::Receptions).unwrap() >= 5);
    assert!(db.count(Table::GroupOrders).unwrap() >= 5);
    assert_eq!(
        db.count(Table::PurchaseOrders).unwrap(),
        4,
        "urea + DAP for rice, NPK + urea for cereals"
    );
    // Contract states: a few still requested, one rejected.
    let members = db.members(None).unwrap();
    let women = members.iter().filter(|m| m.sex == Sex::Female).count();
    assert!((15..=50).contains(&women), "{women} women");
    assert!(members.iter().filter(|m| m.phone.is_none()).count() >= 3);
    let mut states = BTreeMap::new();
    for m in &members {
        for c in db.member_contracts(m.id, None).unwrap() {
            *states.entry(c.state).or_insert(0) += 1;
        }
    }
    assert_eq!(states.get(&ContractState::Rejected), Some(&1), "{states:?}");
    assert_eq!(
        states.get(&ContractState::Requested),
        Some(&3),
        "{states:?}"
    );
    assert!(states.get(&ContractState::Delivering).copied().unwrap_or(0) > 80);

    let date = day(2027, 1, 15);
    let mut positive = 0;
    let mut in_debt = 0;
    for id in db.campaign_ids().unwrap() {
        let r = l.settle_campaign(id, date).unwrap();
        let t = &r.totals;
        let sum =
            |f: fn(&crate::reports::MemberLine) -> i64| -> i64 { r.members.iter().map(f).sum() };
        assert_eq!(t.members as usize, r.members.len());
        assert_eq!(t.net.francs(), sum(|m| m.net.francs()));
        assert_eq!(t.advances.francs(), sum(|m| m.advances.francs()));
        assert_eq!(t.payable.francs() - t.debt.francs(), t.net.francs());
        assert_eq!(
            t.delivered_value.francs()
                - t.advances.francs()
                - t.fees.francs()
                - t.fertilizer_credit.francs(),
            t.net.francs()
        );
        let p = r.members.iter().filter(|m| m.net.is_positive()).count();
        let d = r.members.iter().filter(|m| m.net.is_negative()).count();
        println!(
            "{}: {} membres, valeur livrée {}, avances {}, frais {}, engrais à crédit {}, net {} ; {} positifs, {} endettés (dette {})",
            r.campaign,
            t.members,
            t.delivered_value,
            t.advances,
            t.fees,
            t.fertilizer_credit,
            t.net,
            p,
            d,
            t.debt
        );
        assert!(p > 2 * d, "{}: {p} positive, {d} in debt", r.campaign);
        assert!(t.net.is_positive(), "{}", r.campaign);
        positive += p;
        in_debt += d;
        // The campaign report agrees with the settlement on advances.
        let cr = l.campaign_report(id).unwrap();
        assert_eq!(cr.total.disbursed, t.advances);
    }
    assert!(in_debt >= 3, "{in_debt} in debt");
    assert!(positive >= 8 * in_debt / 2, "{positive} vs {in_debt}");

    // The agents' cash reconciles: funds received ≥ advances paid out.
    for a in db.agent_ids().unwrap() {
        for c in db.campaign_ids().unwrap() {
            let cash = crate::reports::agent_cash(&db, a, c).unwrap();
            assert!(!cash.to_return.is_negative(), "{cash:?}");
        }
    }

    let again = load_demo(&mut l, &mut |_| {});
    assert!(
        matches!(again, Err(AppError::AlreadyInitialized(ref n)) if n.contains("Ségou")),
        "{again:?}"
    );
    let again = generate_union(&mut l, Scale::UNION, 1, &mut |_| {});
    assert!(matches!(again, Err(AppError::AlreadyInitialized(_))));
}

#[test]
fn the_office_inbox_holds_a_member_registered_twice_on_two_devices() {
    let mut l = ledger();
    load_demo(&mut l, &mut |_| {}).unwrap();
    let members_before = l.db().members(None).unwrap().len();
    assert!(l.conflicts(true).unwrap().is_empty());
    assert_eq!(office_inbox(&mut l).unwrap(), 1);
    let q = l.conflicts(true).unwrap();
    assert_eq!(q.len(), 1, "{q:?}");
    assert_eq!(q[0].record_table, "members");
    assert_eq!(q[0].field, "(doublon probable)");
    // the second registration arrived by the merge, under the tablet's agent
    let members = l.db().members(None).unwrap();
    assert_eq!(members.len(), members_before + 1);
    let twice: Vec<_> = members
        .iter()
        .filter(|m| m.number.ends_with("-9001"))
        .collect();
    assert_eq!(twice.len(), 1);
    assert!(members
        .iter()
        .any(|m| m.id != twice[0].id && m.full_name == twice[0].full_name));
    // the secretariat resolves it with a reason: the queue is empty
    let sec = l.local_actor().unwrap();
    let id = q[0].id.clone();
    l.resolve_conflict(
        &sec,
        &id,
        None,
        "même personne : le second numéro sera radié",
    )
    .unwrap();
    assert!(l.conflicts(true).unwrap().is_empty());
}

#[test]
fn the_demo_is_deterministic() {
    let dump = || {
        let mut l = ledger();
        load_demo(&mut l, &mut |_| {}).unwrap();
        let db = l.db();
        let mut out: Vec<String> = db
            .members(None)
            .unwrap()
            .into_iter()
            .map(|m| {
                format!(
                    "{} {} {:?} {:?}",
                    m.number, m.full_name, m.phone, m.birth_year
                )
            })
            .collect();
        for id in db.campaign_ids().unwrap() {
            let r = l.settle_campaign(id, day(2027, 1, 15)).unwrap();
            out.push(format!("{} {:?}", r.campaign, r.totals));
        }
        out
    };
    assert_eq!(dump(), dump());
}

#[test]
fn a_generated_union_has_exactly_the_counts_asked() {
    let scale = Scale {
        cooperatives: 3,
        members: 60,
        contracts: 60,
        deliveries: 300,
        distributions: 50,
    };
    let mut l = ledger();
    let mut lines = 0;
    let s = generate_union(&mut l, scale, 42, &mut |_| lines += 1).unwrap();
    assert!(lines > 3);
    let db = l.db();
    let n = |t| db.count(t).unwrap();
    assert_eq!(n(Table::Cooperatives), 3);
    assert_eq!(n(Table::Members), 60);
    assert_eq!(n(Table::Contracts), 60);
    assert_eq!(n(Table::Deliveries), 300);
    assert_eq!(n(Table::FertilizerDistributions), 50);
    assert_eq!(s.members, 60);
    assert_eq!(s.deliveries, 300);
    assert_eq!(s.campaigns, 3);
    assert!(n(Table::Reversals) >= 1);
    for id in db.campaign_ids().unwrap() {
        let r = l.settle_campaign(id, day(2027, 1, 15)).unwrap();
        let d = r.members.iter().filter(|m| m.net.is_negative()).count();
        assert!(
            d * 3 <= r.members.len().max(1),
            "{}: {d} in debt",
            r.campaign
        );
    }
}

#[test]
fn odd_scales_are_met_exactly() {
    for scale in [
        Scale {
            cooperatives: 2,
            members: 7,
            contracts: 15,
            deliveries: 5,
            distributions: 9,
        },
        Scale {
            cooperatives: 4,
            members: 41,
            contracts: 20,
            deliveries: 0,
            distributions: 0,
        },
    ] {
        let mut l = ledger();
        let s = generate_union(&mut l, scale, 3, &mut |_| {}).unwrap();
        assert_eq!(s.cooperatives, scale.cooperatives);
        assert_eq!(s.members, scale.members);
        assert_eq!(s.contracts, scale.contracts);
        assert_eq!(s.deliveries, scale.deliveries);
        assert_eq!(s.distributions, scale.distributions);
    }
}
