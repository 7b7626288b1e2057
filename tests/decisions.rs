//! Conflicts resolvable as designed (issue #17), through a real hub on loopback: concurrent
//! decisions on one contract reach every queue whole and one resolution at the office closes
//! them everywhere with a coherent record; a member registered twice is merged by a synced
//! record and counted once on every device.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use sene_app::org::*;
use sene_app::season::*;
use sene_app::*;
use sene_domain::*;
use sene_fixture::*;
use sene_hub::{client, enroll};

/// Three laptops and a real hub: the committee approves, the secretariat rejects and the field
/// agent cancels the same contract offline; all sync. Every queue (the hub's and each
/// laptop's) holds the three decisions; one resolution at the office; after sync every store
/// has the conflict closed and the same coherent contract (rejected by who rejected it).
#[test]
fn three_concurrent_decisions_reach_every_queue() {
    let dir = tempfile::tempdir().unwrap();
    let hub_store = dir.path().join("hub.sqlite");
    let s = setup(&hub_store);
    let (sec_laptop, code) = {
        let mut l = Ledger::open(&hub_store).unwrap();
        let actor = l
            .run(&s.sec, |tx| {
                let ag = tx.add_agent(NewAgent {
                    id: None,
                    name: "Salimata Diarra".into(),
                    phone: None,
                    role: Role::Secretariat,
                    cooperatives: vec![s.coop],
                })?;
                let dv = tx.add_device(NewDevice {
                    id: None,
                    label: "Portable du secrétariat".into(),
                    receipt_prefix: "S1".into(),
                })?;
                Ok(Actor {
                    agent: ag.id,
                    device: dv.id,
                })
            })
            .unwrap();
        let code = enroll::pair(&mut l, actor.device, actor.agent, &[s.coop])
            .unwrap()
            .code;
        (actor, code)
    };
    let addr = start_hub(&hub_store);
    let url = format!("http://{addr}");
    let open = |name: &str, device: DeviceId, code: &str| {
        let mut l = Ledger::open(&dir.path().join(format!("{name}.sqlite"))).unwrap();
        client::enroll(&mut l, &url, device, code).unwrap();
        sync(&mut l, &url);
        l
    };
    let mut a = open("a", s.a.device, &s.codes[0]);
    let mut b = open("b", s.b.device, &s.codes[1]);
    let mut sl = open("s", sec_laptop.device, &code);
    let k = a.run(&s.a, |tx| aminata_contract(tx, &s)).unwrap();
    sync(&mut a, &url);
    sync(&mut b, &url);
    sync(&mut sl, &url);
    // offline, the same contract: the committee approves, the secretariat rejects, the field
    // agent cancels
    b.run(&s.b, |tx| {
        tx.decide_contract(k, Decision::Approve, d(2026, 5, 12))
    })
    .unwrap();
    sl.run(&sec_laptop, |tx| {
        tx.decide_contract(k, Decision::Reject, d(2026, 5, 13))
    })
    .unwrap();
    a.run(&s.a, |tx| {
        tx.decide_contract(k, Decision::Cancel, d(2026, 5, 14))
    })
    .unwrap();
    sync(&mut b, &url);
    sync(&mut sl, &url);
    sync(&mut a, &url);
    sync(&mut b, &url);
    sync(&mut sl, &url);
    // every queue, the hub's and each laptop's, holds the three decisions as one conflict
    let mut hub = Ledger::open(&hub_store).unwrap();
    let key = k.to_string();
    let decision = |l: &Ledger| {
        let q: Vec<_> = l
            .conflicts(true)
            .unwrap()
            .into_iter()
            .filter(|c| c.record_key == key)
            .collect();
        assert_eq!(q.len(), 1, "one conflict for the contract: {q:?}");
        q.into_iter().next().unwrap()
    };
    for (who, l) in [("hub", &hub), ("a", &a), ("b", &b), ("s", &sl)] {
        let c = decision(l);
        for state in ["approved", "rejected", "cancelled"] {
            assert!(
                c.candidates.contains(&format!("\"{state}\"")),
                "{who}: {state} is missing from {}",
                c.candidates
            );
        }
        assert!(
            c.field.contains("state") && c.field.contains("decided_by"),
            "{who}: {}",
            c.field
        );
    }
    // the office reads them as a person would
    let c = decision(&hub);
    let text = hub.conflict_text(&c, Lang::Fr).unwrap();
    assert_eq!(text.candidates.len(), 3);
    for (word, who) in [
        ("Approuvé", "Bakary"),
        ("Rejeté", "Salimata Diarra"),
        ("Annulé", "Awa"),
    ] {
        assert!(
            text.candidates
                .iter()
                .any(|l| l.starts_with(word) && l.contains(who) && l.contains("Portable")),
            "{word} by {who}: {:?}",
            text.candidates
        );
    }
    assert!(text.record.contains("Aminata Traoré"), "{}", text.record);
    let en = hub.conflict_text(&c, Lang::En).unwrap();
    assert!(
        en.candidates
            .iter()
            .any(|l| l.starts_with("Rejected on 13/05/2026")),
        "{:?}",
        en.candidates
    );
    // one resolution at the office: rejected
    let candidates: Vec<serde_json::Value> = serde_json::from_str(&c.candidates).unwrap();
    let rejected = candidates
        .iter()
        .position(|v| v["value"] == "rejected")
        .unwrap();
    hub.resolve_conflict_choice(
        &s.sec,
        &c.id,
        Some(rejected),
        "le secrétariat a rejeté la demande",
    )
    .unwrap();
    drop(hub);
    for _ in 0..2 {
        sync(&mut a, &url);
        sync(&mut b, &url);
        sync(&mut sl, &url);
    }
    let hub = Ledger::open(&hub_store).unwrap();
    let contract_row = |l: &Ledger| {
        l.db()
            .row_by_key(sene_store::Table::Contracts, &key)
            .unwrap()
            .unwrap()
    };
    let expected = contract_row(&hub);
    assert_eq!(expected["state"], "rejected");
    assert_eq!(
        expected["decided_by"],
        sec_laptop.agent.to_string().as_str(),
        "{expected:?}"
    );
    assert_eq!(expected["decided_on"], "2026-05-13");
    assert_eq!(
        expected["approved_by"],
        serde_json::Value::Null,
        "{expected:?}"
    );
    for (who, l) in [("hub", &hub), ("a", &a), ("b", &b), ("s", &sl)] {
        let open: Vec<_> = l
            .conflicts(true)
            .unwrap()
            .into_iter()
            .filter(|c| c.record_key == key)
            .collect();
        assert!(open.is_empty(), "{who}: still open: {open:?}");
        let closed: Vec<_> = l
            .conflicts(false)
            .unwrap()
            .into_iter()
            .filter(|c| c.record_key == key)
            .collect();
        assert!(!closed.is_empty(), "{who}: no conflict closed");
        for c in &closed {
            assert!(
                c.resolution
                    .as_deref()
                    .unwrap_or_default()
                    .contains("rejeté la demande"),
                "{who}: {c:?}"
            );
            assert_eq!(
                c.resolved_by.as_deref(),
                Some(s.sec.agent.to_string().as_str()),
                "{who}"
            );
        }
        assert_eq!(contract_row(l), expected, "{who}: the contract differs");
        assert_eq!(
            l.db().contract(k).unwrap().unwrap().state,
            ContractState::Rejected,
            "{who}"
        );
    }
}

/// A member registered on two laptops offline (the same number, name and village): the
/// duplicate reaches every queue; the office merges the two registrations; after sync every
/// store lists one member holding both registrations' contracts, advance and delivery, and
/// counts her once in the settlement, and every queue has the duplicate closed.
#[test]
fn a_member_registered_twice_is_merged_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let hub_store = dir.path().join("hub.sqlite");
    let s = setup(&hub_store);
    let addr = start_hub(&hub_store);
    let url = format!("http://{addr}");
    let open = |name: &str, device: DeviceId, code: &str| {
        let mut l = Ledger::open(&dir.path().join(format!("{name}.sqlite"))).unwrap();
        client::enroll(&mut l, &url, device, code).unwrap();
        sync(&mut l, &url);
        l
    };
    let mut a = open("a", s.a.device, &s.codes[0]);
    let mut b = open("b", s.b.device, &s.codes[1]);
    // offline, the same woman on both laptops, each with a contract
    let register = |l: &mut Ledger, who: &Actor, kg: i64| {
        l.run(who, |tx| {
            let m = member(tx, s.coop, "DIO-0100", "Kadiatou Sangaré")?;
            let k = tx.request_contract(RequestContract {
                id: None,
                member_id: m,
                campaign_id: s.camp,
                crop: Crop::PaddyRice,
                committed: Kg::from_kg(kg)?,
                date: d(2026, 5, 10),
            })?;
            Ok((m, k.id))
        })
        .unwrap()
    };
    let (ma, ka) = register(&mut a, &s.a, 1000);
    let (mb, kb) = register(&mut b, &s.b, 500);
    sync(&mut a, &url);
    sync(&mut b, &url);
    sync(&mut a, &url);
    // the office approves both contracts; money and crop follow on each registration
    {
        let mut hub = Ledger::open(&hub_store).unwrap();
        hub.run(&s.sec, |tx| {
            tx.approve_contract(ka, d(2026, 5, 12))?;
            tx.approve_contract(kb, d(2026, 5, 12))
        })
        .unwrap();
    }
    sync(&mut a, &url);
    sync(&mut b, &url);
    a.run(&s.a, |tx| {
        tx.disburse_advance(DisburseAdvance {
            id: None,
            contract_id: ka,
            amount: Money::from_francs(50_000)?,
            date: d(2026, 6, 1),
            mode: PayMode::Cash,
        })
    })
    .unwrap();
    b.run(&s.b, |tx| {
        tx.record_delivery(RecordDelivery {
            id: None,
            member_id: mb,
            contract_id: kb,
            warehouse_id: s.wh,
            bags: 10,
            gross: Kg::from_kg(505)?,
            moisture: "14".parse()?,
            impurity: "2".parse()?,
            date: d(2026, 11, 3),
        })
    })
    .unwrap();
    for _ in 0..2 {
        sync(&mut a, &url);
        sync(&mut b, &url);
    }
    let mut hub = Ledger::open(&hub_store).unwrap();
    let dup = |l: &Ledger| {
        l.conflicts(true)
            .unwrap()
            .into_iter()
            .filter(|c| c.record_table == "members")
            .collect::<Vec<_>>()
    };
    for (who, l) in [("hub", &hub), ("a", &a), ("b", &b)] {
        let q = dup(l);
        assert_eq!(q.len(), 1, "{who}: {q:?}");
        assert!(
            q[0].candidates.contains(&ma.to_string()) && q[0].candidates.contains(&mb.to_string()),
            "{who}: {q:?}"
        );
    }
    let c = dup(&hub).remove(0);
    // as the office reads it: the two registrations, their records, who registered each
    let text = hub.conflict_text(&c, Lang::Fr).unwrap();
    assert_eq!(
        text.kind,
        sene_app::conflicts::ConflictKind::MemberDuplicate
    );
    assert!(
        text.candidates
            .iter()
            .any(|l| l.contains("Kadiatou Sangaré")
                && l.contains("50\u{a0}000\u{a0}FCFA")
                && l.contains("Awa")),
        "{:?}",
        text.candidates
    );
    assert!(
        text.candidates
            .iter()
            .any(|l| l.contains("Bakary") && l.contains("Portable Bakary")),
        "{:?}",
        text.candidates
    );
    // only the secretariat merges
    let candidates: Vec<serde_json::Value> = serde_json::from_str(&c.candidates).unwrap();
    let keep = candidates
        .iter()
        .position(|v| v["value"] == ma.to_string().as_str())
        .unwrap();
    let e = hub
        .resolve_conflict_choice(&s.b, &c.id, Some(keep), "même personne")
        .unwrap_err();
    assert!(matches!(e, AppError::Forbidden { .. }), "{e:?}");
    hub.resolve_conflict_choice(
        &s.sec,
        &c.id,
        Some(keep),
        "même personne, inscrite deux fois",
    )
    .unwrap();
    drop(hub);
    for _ in 0..2 {
        sync(&mut a, &url);
        sync(&mut b, &url);
    }
    let hub = Ledger::open(&hub_store).unwrap();
    for (who, l) in [("hub", &hub), ("a", &a), ("b", &b)] {
        assert!(dup(l).is_empty(), "{who}: the duplicate is still open");
        // nothing deleted: both registrations are there, the merged one counted under the kept
        let db = l.db();
        assert!(db.member(ma).unwrap().is_some() && db.member(mb).unwrap().is_some());
        let listed = sene_app::conflicts::listed(&db, db.members(Some(s.coop)).unwrap()).unwrap();
        let named: Vec<_> = listed
            .iter()
            .filter(|m| m.full_name == "Kadiatou Sangaré")
            .collect();
        assert_eq!(named.len(), 1, "{who}: {named:?}");
        assert_eq!(named[0].id, ma, "{who}");
        let card = sene_app::views::member_card(&db, mb, d(2027, 1, 15)).unwrap();
        assert_eq!(card.member.id, ma, "{who}: the merged card is the kept one");
        assert_eq!(card.contracts.len(), 2, "{who}");
        assert_eq!(card.disbursements.len(), 1, "{who}");
        assert_eq!(card.deliveries.len(), 1, "{who}");
        let st = l.settle_campaign(s.camp, d(2027, 1, 15)).unwrap();
        let lines: Vec<_> = st
            .members
            .iter()
            .filter(|x| x.full_name == "Kadiatou Sangaré")
            .collect();
        assert_eq!(lines.len(), 1, "{who}: counted once");
        assert_eq!(lines[0].member_id, ma);
        assert_eq!(lines[0].committed, Kg::from_kg(1500).unwrap(), "{who}");
        assert_eq!(
            lines[0].advances,
            Money::from_francs(50_000).unwrap(),
            "{who}"
        );
        assert!(lines[0].accepted.is_positive(), "{who}");
        let merges = sene_app::conflicts::merges(&db).unwrap();
        assert_eq!(merges.canonical(mb), ma, "{who}");
    }
}
