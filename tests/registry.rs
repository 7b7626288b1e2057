//! The registry lives (issue #18), through a real hub on loopback: a member's card corrected on
//! two laptops offline, a departure meeting a delivery made elsewhere, a transfer made at the
//! office reaching the laptops of both cooperatives.
//!
//! Every laptop and the office run on one fixed clock (registration on 10 November 2026, the
//! changes on 20 November), so that departure dates, which may be neither in the future nor
//! before the registration, do not depend on the day the tests run.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use sene_app::registry::*;
use sene_app::season::*;
use sene_app::*;
use sene_domain::*;
use sene_fixture::*;
use sene_hub::client;
use sene_store::{Store, Table};

struct World {
    dir: tempfile::TempDir,
    hub_store: PathBuf,
    s: Setup,
    url: String,
    clock: Arc<FixedClock>,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let hub_store = dir.path().join("hub.sqlite");
    let s = setup(&hub_store);
    let addr = start_hub(&hub_store);
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 10, 9, 0, 0).unwrap(),
    ));
    World {
        dir,
        hub_store,
        s,
        url: format!("http://{addr}"),
        clock,
    }
}

impl World {
    /// A laptop enrolled (device `n` of the setup: 0 Awa and 1 Bakary of DIO, 2 Cheick of
    /// MKL) and synced once, on the shared clock.
    fn laptop(&self, n: usize) -> Ledger {
        let device = [self.s.a, self.s.b, self.s.c][n].device;
        let store = Store::open(&self.dir.path().join(format!("laptop{n}.sqlite"))).unwrap();
        let mut l = Ledger::with_clock(store, Box::new(self.clock.clone()));
        client::enroll(&mut l, &self.url, device, &self.s.codes[n]).unwrap();
        sync(&mut l, &self.url);
        l
    }

    /// The office's own store (the hub serves it), on the shared clock.
    fn office(&self) -> Ledger {
        Ledger::with_clock(
            Store::open(&self.hub_store).unwrap(),
            Box::new(self.clock.clone()),
        )
    }

    /// The changes of the day, after the registrations.
    fn later(&self) {
        self.clock
            .set(Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap());
    }
}

/// A correction of some fields of a member, with a reason.
fn fix(member: MemberId, reason: &str) -> CorrectMember {
    CorrectMember {
        member_id: member,
        reason: reason.into(),
        ..CorrectMember::default()
    }
}

/// The open conflicts about one record.
fn open_about(l: &Ledger, key: &str) -> Vec<sene_store::ConflictRow> {
    l.conflicts(true)
        .unwrap()
        .into_iter()
        .filter(|c| c.record_key == key)
        .collect()
}

/// (a) The same member's phone corrected differently on two laptops offline: after sync, one
/// open conflict on her `phone` in every queue (the office's and both laptops'), with both
/// values; resolved once at the office; after another round every store reads the same phone
/// and has the conflict closed. Both corrections stay in her history everywhere.
#[test]
fn one_phone_corrected_twice_offline_is_one_conflict_everywhere() {
    let w = world();
    let s = &w.s;
    let mut a = w.laptop(0);
    let mut b = w.laptop(1);
    let m = a
        .run(&s.a, |tx| member(tx, s.coop, "DIO-0001", "Aminata Traoré"))
        .unwrap();
    sync(&mut a, &w.url);
    sync(&mut b, &w.url);
    assert!(b.db().member(m).unwrap().is_some());
    w.later();
    // offline: two different new numbers for her
    a.run(&s.a, |tx| {
        tx.correct_member(CorrectMember {
            phone: Some(Some("76 00 00 01".into())),
            ..fix(m, "son nouveau numéro, donné au magasin")
        })
    })
    .unwrap();
    b.run(&s.b, |tx| {
        tx.correct_member(CorrectMember {
            phone: Some(Some("+223 66 00 00 02".into())),
            ..fix(m, "numéro donné par son mari")
        })
    })
    .unwrap();
    for _ in 0..2 {
        sync(&mut a, &w.url);
        sync(&mut b, &w.url);
    }
    let mut office = w.office();
    let key = m.to_string();
    for (who, l) in [("office", &office), ("a", &a), ("b", &b)] {
        let q = open_about(l, &key);
        assert_eq!(q.len(), 1, "{who}: one conflict about her: {q:?}");
        assert_eq!(q[0].record_table, "members", "{who}");
        assert_eq!(q[0].field, "phone", "{who}");
        assert!(!q[0].money, "{who}");
        for phone in ["+22376000001", "+22366000002"] {
            assert!(
                q[0].candidates.contains(&format!("\"{phone}\"")),
                "{who}: {phone} missing from {}",
                q[0].candidates
            );
        }
        // nothing else about her: no duplicate, no other field
        assert_eq!(
            l.conflicts(true).unwrap().len(),
            1,
            "{who}: {:?}",
            l.conflicts(true).unwrap()
        );
        // both corrections are in her history, with who made them
        let h = l.member_history(m).unwrap();
        assert_eq!(h.len(), 2, "{who}: {h:?}");
        let mut by: Vec<&str> = h.iter().map(|e| e.agent.as_str()).collect();
        by.sort_unstable();
        assert_eq!(by, ["Awa", "Bakary"], "{who}");
    }
    // the office keeps the husband's number
    let c = open_about(&office, &key).remove(0);
    let candidates: Vec<serde_json::Value> = serde_json::from_str(&c.candidates).unwrap();
    let keep = candidates
        .iter()
        .position(|v| v["value"] == "+22366000002")
        .unwrap();
    office
        .resolve_conflict_choice(&s.sec, &c.id, Some(keep), "elle a confirmé par téléphone")
        .unwrap();
    drop(office);
    for _ in 0..2 {
        sync(&mut a, &w.url);
        sync(&mut b, &w.url);
    }
    let office = w.office();
    let expected = office
        .db()
        .row_by_key(Table::Members, &key)
        .unwrap()
        .unwrap();
    assert_eq!(expected["phone"], "+22366000002");
    for (who, l) in [("office", &office), ("a", &a), ("b", &b)] {
        assert!(open_about(l, &key).is_empty(), "{who}: still open");
        assert_eq!(
            l.db().member(m).unwrap().unwrap().phone.as_deref(),
            Some("+22366000002"),
            "{who}"
        );
        assert_eq!(
            l.db().row_by_key(Table::Members, &key).unwrap().unwrap(),
            expected,
            "{who}: her card differs"
        );
        let closed: Vec<_> = l
            .conflicts(false)
            .unwrap()
            .into_iter()
            .filter(|c| c.record_key == key)
            .collect();
        assert_eq!(closed.len(), 1, "{who}: {closed:?}");
        assert!(
            closed[0]
                .resolution
                .as_deref()
                .unwrap_or_default()
                .contains("confirmé par téléphone"),
            "{who}: {closed:?}"
        );
    }
}

/// (d) Two corrections of different fields of one member (her phone on one laptop, her
/// village on the other) both stand after sync, with no conflict anywhere.
#[test]
fn corrections_of_different_fields_both_stand() {
    let w = world();
    let s = &w.s;
    let mut a = w.laptop(0);
    let mut b = w.laptop(1);
    let m = a
        .run(&s.a, |tx| {
            member(tx, s.coop, "DIO-0002", "Kadiatou Sangaré")
        })
        .unwrap();
    sync(&mut a, &w.url);
    sync(&mut b, &w.url);
    w.later();
    a.run(&s.a, |tx| {
        tx.correct_member(CorrectMember {
            phone: Some(Some("76123456".into())),
            ..fix(m, "téléphone donné au magasin")
        })
    })
    .unwrap();
    b.run(&s.b, |tx| {
        tx.correct_member(CorrectMember {
            village: Some("Sibila".into()),
            birth_year: Some(None),
            ..fix(m, "elle habite Sibila ; année de naissance inconnue")
        })
    })
    .unwrap();
    for _ in 0..2 {
        sync(&mut a, &w.url);
        sync(&mut b, &w.url);
    }
    let office = w.office();
    let key = m.to_string();
    let expected = office
        .db()
        .row_by_key(Table::Members, &key)
        .unwrap()
        .unwrap();
    for (who, l) in [("office", &office), ("a", &a), ("b", &b)] {
        let card = l.db().member(m).unwrap().unwrap();
        assert_eq!(card.phone.as_deref(), Some("+22376123456"), "{who}");
        assert_eq!(card.village, "Sibila", "{who}");
        assert_eq!(card.birth_year, None, "{who}");
        assert_eq!(card.full_name, "Kadiatou Sangaré", "{who}");
        assert!(
            l.conflicts(true).unwrap().is_empty(),
            "{who}: {:?}",
            l.conflicts(true).unwrap()
        );
        assert_eq!(
            l.db().row_by_key(Table::Members, &key).unwrap().unwrap(),
            expected,
            "{who}: her card differs"
        );
        let fields: Vec<Vec<String>> = l
            .member_history(m)
            .unwrap()
            .into_iter()
            .map(|h| h.change.changes.into_keys().collect())
            .collect();
        assert_eq!(fields.len(), 2, "{who}: {fields:?}");
        assert!(
            fields.contains(&vec!["phone".to_owned()]),
            "{who}: {fields:?}"
        );
        assert!(
            fields.contains(&vec!["birth_year".to_owned(), "village".to_owned()]),
            "{who}: {fields:?}"
        );
    }
}

/// (b) A departure recorded on one laptop and, offline on another, a delivery for her dated
/// after it: after sync the office's anomaly queue for the campaign names her and the
/// delivery, which is kept in every store.
#[test]
fn a_delivery_after_a_departure_made_elsewhere_is_an_anomaly_and_kept() {
    let w = world();
    let s = &w.s;
    let mut a = w.laptop(0);
    let mut b = w.laptop(1);
    let (m, k) = a
        .run(&s.a, |tx| {
            let m = member(tx, s.coop, "DIO-0003", "Mariam Coulibaly")?;
            let k = tx.request_contract(RequestContract {
                id: None,
                member_id: m,
                campaign_id: s.camp,
                crop: Crop::PaddyRice,
                committed: Kg::from_kg(1000)?,
                date: d(2026, 5, 10),
            })?;
            Ok((m, k.id))
        })
        .unwrap();
    sync(&mut a, &w.url);
    {
        let mut office = w.office();
        office
            .run(&s.sec, |tx| tx.approve_contract(k, d(2026, 5, 12)))
            .unwrap();
    }
    sync(&mut a, &w.url);
    sync(&mut b, &w.url);
    w.later();
    // offline: Awa records that she left on the 15th; Bakary weighs her paddy on the 18th
    a.run(&s.a, |tx| {
        tx.member_departed(MemberDeparted {
            id: None,
            member_id: m,
            status: MemberStatus::Left,
            on: d(2026, 11, 15),
            reason: "partie vivre à Bamako".into(),
        })
    })
    .unwrap();
    let delivery = b
        .run(&s.b, |tx| {
            tx.record_delivery(RecordDelivery {
                id: None,
                member_id: m,
                contract_id: k,
                warehouse_id: s.wh,
                bags: 10,
                gross: Kg::from_kg(505)?,
                moisture: "14".parse()?,
                impurity: "2".parse()?,
                date: d(2026, 11, 18),
            })
        })
        .unwrap()
        .id;
    // the laptop that knows of the departure gives her no advance after it
    let e = a
        .run(&s.a, |tx| {
            tx.disburse_advance(DisburseAdvance {
                id: None,
                contract_id: k,
                amount: Money::from_francs(10_000)?,
                date: d(2026, 11, 16),
                mode: PayMode::Cash,
            })
        })
        .unwrap_err();
    assert!(
        matches!(&e, AppError::Registry { fr, .. } if fr.contains("n'est plus membre")),
        "{e:?}"
    );
    for _ in 0..2 {
        sync(&mut a, &w.url);
        sync(&mut b, &w.url);
    }
    let office = w.office();
    let q: Vec<_> = office
        .anomalies(s.camp)
        .unwrap()
        .into_iter()
        .filter(|x| x.kind.code() == "after_departure")
        .collect();
    assert_eq!(q.len(), 1, "{q:?}");
    match &q[0].kind {
        sene_app::anomalies::AnomalyKind::AfterDeparture {
            member_id,
            status,
            left_on,
            records,
        } => {
            assert_eq!(*member_id, m);
            assert_eq!(*status, MemberStatus::Left);
            assert_eq!(*left_on, d(2026, 11, 15));
            assert_eq!(
                records,
                &vec![("delivery".to_owned(), delivery.to_string(), d(2026, 11, 18))]
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(q[0].key.contains(&delivery.to_string()), "{}", q[0].key);
    // the office tells it with her name
    let told = office.tell_anomaly(&q[0].kind, Lang::Fr).unwrap();
    let all = format!("{told:?}");
    assert!(all.contains("Mariam Coulibaly"), "{all}");
    // the delivery is kept in every store, and she is gone in every store
    for (who, l) in [("office", &office), ("a", &a), ("b", &b)] {
        let x = l.db().delivery(delivery).unwrap();
        assert!(x.is_some(), "{who}: the delivery is missing");
        assert_eq!(x.unwrap().member_id, m, "{who}");
        assert!(l.db().reversal_of(&delivery.to_string()).unwrap().is_none());
        let card = l.db().member(m).unwrap().unwrap();
        assert_eq!(card.status, MemberStatus::Left, "{who}");
        assert_eq!(card.left_on, Some(d(2026, 11, 15)), "{who}");
        let q: Vec<_> = l
            .anomalies(s.camp)
            .unwrap()
            .into_iter()
            .filter(|x| x.kind.code() == "after_departure")
            .collect();
        assert_eq!(q.len(), 1, "{who}: {q:?}");
    }
}

/// (c) A transfer made at the office reaches the laptops of both cooperatives: the laptop of
/// the cooperative she left reads her old record as transferred, the laptop of the one she
/// joined reads her new record with her new number, and its history.
#[test]
fn a_transfer_at_the_office_reaches_both_cooperatives() {
    let w = world();
    let s = &w.s;
    let mut a = w.laptop(0);
    let mut c = w.laptop(2);
    let m = a
        .run(&s.a, |tx| {
            member(tx, s.coop, "DIO-0004", "Fatoumata Diallo")
        })
        .unwrap();
    sync(&mut a, &w.url);
    sync(&mut c, &w.url);
    assert!(c.db().member(m).unwrap().is_none(), "not in Cheick's scope");
    w.later();
    let moved = {
        let mut office = w.office();
        // a number taken in the cooperative she joins is refused
        let taken = office
            .run(&s.sec, |tx| member(tx, s.other, "MKL-0001", "Awa Sidibé"))
            .unwrap();
        let e = office
            .run(&s.sec, |tx| {
                tx.transfer_member(TransferMember {
                    id: None,
                    member_id: m,
                    to_cooperative: s.other,
                    new_number: "MKL-0001".into(),
                    new_member_id: None,
                    on: d(2026, 11, 20),
                    reason: "mariée à Markala".into(),
                })
            })
            .unwrap_err();
        assert!(matches!(e, AppError::DuplicateMemberNumber { .. }), "{e:?}");
        assert!(office.db().member(taken).unwrap().is_some());
        // a field agent may not move her
        let e = a
            .run(&s.a, |tx| {
                tx.transfer_member(TransferMember {
                    id: None,
                    member_id: m,
                    to_cooperative: s.other,
                    new_number: "MKL-0007".into(),
                    new_member_id: None,
                    on: d(2026, 11, 20),
                    reason: "mariée à Markala".into(),
                })
            })
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden { .. }), "{e:?}");
        office
            .run(&s.sec, |tx| {
                tx.transfer_member(TransferMember {
                    id: None,
                    member_id: m,
                    to_cooperative: s.other,
                    new_number: "MKL-0007".into(),
                    new_member_id: None,
                    on: d(2026, 11, 20),
                    reason: "mariée à Markala".into(),
                })
            })
            .unwrap()
    };
    let new_id = moved.joined.id;
    assert_ne!(new_id, m);
    for _ in 0..2 {
        sync(&mut a, &w.url);
        sync(&mut c, &w.url);
    }
    // Awa's laptop (DIO): the old record, transferred, pointing at the new one
    let old = a.db().member(m).unwrap().unwrap();
    assert_eq!(old.status, MemberStatus::Transferred);
    assert_eq!(old.left_on, Some(d(2026, 11, 20)));
    assert_eq!(old.moved_to, Some(new_id));
    assert_eq!(old.number, "DIO-0004");
    assert_eq!(old.cooperative_id, s.coop);
    assert!(a.db().member(new_id).unwrap().is_none(), "MKL is not Awa's");
    let h = a.member_history(m).unwrap();
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(h[0].change.action, RegistryAction::TransferOut);
    assert_eq!(h[0].change.reason, "mariée à Markala");
    assert_eq!(h[0].agent, "Secrétariat");
    assert_eq!(h[0].device, "Bureau");
    // Cheick's laptop (MKL): her new record with her new number, linked to the old one
    let new = c.db().member(new_id).unwrap().unwrap();
    assert_eq!(new.cooperative_id, s.other);
    assert_eq!(new.number, "MKL-0007");
    assert_eq!(new.full_name, "Fatoumata Diallo");
    assert_eq!(new.status, MemberStatus::Active);
    assert_eq!(new.moved_from, Some(m));
    assert_eq!(new.registered_on, Some(d(2026, 11, 20)));
    assert_eq!(
        c.db()
            .member_by_number(s.other, "MKL-0007")
            .unwrap()
            .map(|x| x.id),
        Some(new_id)
    );
    assert!(c.db().member(m).unwrap().is_none(), "DIO is not Cheick's");
    let h = c.member_history(new_id).unwrap();
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(h[0].change.action, RegistryAction::TransferIn);
    assert_eq!(
        h[0].change.changes["number"],
        (Some("DIO-0004".to_owned()), Some("MKL-0007".to_owned()))
    );
    // the office holds both, and her whole history from the new record
    let office = w.office();
    let h = office.member_history(new_id).unwrap();
    let actions: Vec<RegistryAction> = h.iter().map(|e| e.change.action).collect();
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert!(actions.contains(&RegistryAction::TransferOut));
    assert!(actions.contains(&RegistryAction::TransferIn));
    for (who, l) in [("office", &office), ("a", &a), ("c", &c)] {
        assert!(
            l.conflicts(true).unwrap().is_empty(),
            "{who}: {:?}",
            l.conflicts(true).unwrap()
        );
    }
}
