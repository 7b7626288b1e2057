//! The union office survives a lost disk (issue #16): a backup taken while the hub serves, work
//! going on after it, the office's store lost and the backup put back on another machine, and
//! every laptop syncing again with the restored office. A real hub on loopback each time.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use std::collections::BTreeSet;

use sene_app::season::*;
use sene_app::*;
use sene_domain::*;
use sene_hub::client;
use sene_scenarios::hubkit::*;
use sene_store::backup;
use sene_store::Table;

/// The ids of a table's rows in a store.
fn ids(l: &Ledger, t: Table) -> BTreeSet<String> {
    l.db()
        .list_rows(t, 100_000)
        .unwrap()
        .iter()
        .filter_map(|r| r.get("id").and_then(|v| v.as_str()).map(str::to_owned))
        .collect()
}

/// Every receipt number held by a money record of the store, with how many records hold it.
fn receipts(l: &Ledger) -> Vec<String> {
    l.db()
        .money_receipts()
        .unwrap()
        .into_iter()
        .map(|(_, _, _, r)| r)
        .collect()
}

fn advance(tx: &Tx<'_, '_>, k: ContractId, francs: i64) -> Result<String> {
    Ok(tx
        .disburse_advance(DisburseAdvance {
            id: None,
            contract_id: k,
            amount: Money::from_francs(francs)?,
            date: d(2026, 6, 1),
            mode: PayMode::Cash,
        })?
        .recorded
        .receipt)
}

/// The office's store is copied while its hub serves; laptops and the office work on; the
/// office's disk is lost and the copy is put back on another machine. Every record a laptop
/// made after the copy comes back to the restored office exactly once, the restored office
/// writes under a new automerge actor and numbers its receipts in a new series (the number the
/// lost store issued after the copy is never issued again), and all stores converge.
#[test]
fn a_restored_office_gets_back_what_the_laptops_made_after_its_backup() {
    let dir = tempfile::tempdir().unwrap();
    let hub_store = dir.path().join("bureau.sqlite");
    let s = setup(&hub_store);
    let addr = start_hub(&hub_store);
    let url = format!("http://{addr}");

    let mut a = Ledger::open(&dir.path().join("awa.sqlite")).unwrap();
    let mut b = Ledger::open(&dir.path().join("bakary.sqlite")).unwrap();
    client::enroll(&mut a, &url, s.a.device, &s.codes[0]).unwrap();
    client::enroll(&mut b, &url, s.b.device, &s.codes[1]).unwrap();
    sync(&mut a, &url);
    sync(&mut b, &url);

    // a member and a contract, approved by the committee, before the backup
    let (m1, k1) = a
        .run(&s.a, |tx| {
            let m1 = member(tx, s.coop, "DIO-0001", "Aminata Traoré")?;
            let k1 = tx
                .request_contract(RequestContract {
                    id: None,
                    member_id: m1,
                    campaign_id: s.camp,
                    crop: Crop::PaddyRice,
                    committed: Kg::from_kg(1000)?,
                    date: d(2026, 5, 10),
                })?
                .id;
            Ok((m1, k1))
        })
        .unwrap();
    sync(&mut a, &url);
    sync(&mut b, &url);
    b.run(&s.b, |tx| tx.approve_contract(k1, d(2026, 5, 12)))
        .unwrap();
    sync(&mut b, &url);
    sync(&mut a, &url);

    // the office's backup, taken while its hub serves
    let office = Ledger::open(&hub_store).unwrap();
    let made = office
        .backup_into(&dir.path().join("cle-usb"), None)
        .unwrap();
    drop(office);
    backup::verify(&made.file, None).unwrap();

    // after the backup: Awa pays and weighs, registers a member, and syncs
    let (paid, m2) = a
        .run(&s.a, |tx| {
            let r = advance(tx, k1, 100_000)?;
            tx.record_delivery(RecordDelivery {
                id: None,
                member_id: m1,
                contract_id: k1,
                warehouse_id: s.wh,
                bags: 20,
                gross: Kg::from_kg(1010)?,
                moisture: "14".parse()?,
                impurity: "2".parse()?,
                date: d(2026, 11, 3),
            })?;
            let m2 = member(tx, s.coop, "DIO-0002", "Fatoumata Coulibaly")?;
            Ok((r, m2))
        })
        .unwrap();
    assert_eq!(paid, "A1-000001");
    sync(&mut a, &url);
    // the office pays an advance too, which no laptop receives before the disk is lost
    let mut office = Ledger::open(&hub_store).unwrap();
    let lost_receipt = office.run(&s.sec, |tx| advance(tx, k1, 5_000)).unwrap();
    assert_eq!(lost_receipt, "U1-000001");
    drop(office);

    // the office's disk is lost: the backup is put back on another machine, and served there
    let restored = dir.path().join("bureau-neuf").join("bureau.sqlite");
    let manifest = backup::verify(&made.file, None).unwrap();
    let moved = backup::install(&made.file, &restored, "20261205-120000").unwrap();
    assert!(moved.is_none());
    let mut office = Ledger::open(&restored).unwrap();
    let generation = office.mark_restored(&manifest, &made.file, None).unwrap();
    assert_eq!(generation, 1);
    let old_actor = s.sec.device.as_uuid().as_bytes().to_vec();
    let actor = office.db().sync_actor().unwrap().unwrap();
    assert_eq!(
        &actor[..16],
        old_actor.as_slice(),
        "the actor names the device"
    );
    assert!(actor.len() > 16, "a new actor, never used before");
    assert_eq!(office.db().restorations().unwrap().len(), 1);
    // what the laptops made after the backup is not there yet
    assert!(!ids(&office, Table::Members).contains(&m2.to_string()));
    drop(office);
    let addr2 = start_hub(&restored);
    let url2 = format!("http://{addr2}");

    // every laptop syncs with the restored office: nothing refused
    let back = sync(&mut a, &url2);
    assert!(back.pushed.records > 0, "{back:?}");
    sync(&mut b, &url2);
    sync(&mut a, &url2);

    let mut office = Ledger::open(&restored).unwrap();
    for t in [Table::Members, Table::Disbursements, Table::Deliveries] {
        let at_a = ids(&a, t);
        let at_office = ids(&office, t);
        for id in &at_a {
            assert!(
                at_office.contains(id),
                "{t:?} {id} made by a laptop did not come back"
            );
        }
    }
    assert!(ids(&office, Table::Members).contains(&m2.to_string()));

    // the restored office pays again: a new series, never a number the lost store issued
    let again = office.run(&s.sec, |tx| advance(tx, k1, 5_000)).unwrap();
    assert_eq!(again, "U1-1-000001");
    assert_ne!(again, lost_receipt);
    let next = office.run(&s.sec, |tx| advance(tx, k1, 1_000)).unwrap();
    assert_eq!(next, "U1-1-000002");
    drop(office);
    sync(&mut a, &url2);
    sync(&mut b, &url2);
    sync(&mut a, &url2);

    // every store holds the same money records, and no receipt number twice
    let office = Ledger::open(&restored).unwrap();
    for t in [Table::Members, Table::Disbursements, Table::Deliveries] {
        assert_eq!(ids(&office, t), ids(&a, t), "{t:?} office vs Awa");
        assert_eq!(ids(&office, t), ids(&b, t), "{t:?} office vs Bakary");
    }
    for l in [&office, &a, &b] {
        let all = receipts(l);
        let distinct: BTreeSet<&String> = all.iter().collect();
        assert_eq!(
            all.len(),
            distinct.len(),
            "a receipt number held twice: {all:?}"
        );
        assert!(!all.contains(&lost_receipt));
    }
    // the office's history going back in time raised nothing against an honest laptop
    assert!(office.db().audit_breaks().unwrap().is_empty());
    // the laptops' settlement figures are the office's
    let date = d(2026, 12, 1);
    let at_office = sene_app::reports::settle_campaign(&office.db(), s.camp, date).unwrap();
    let at_a = sene_app::reports::settle_campaign(&a.db(), s.camp, date).unwrap();
    assert_eq!(
        serde_json::to_value(&at_office.totals).unwrap(),
        serde_json::to_value(&at_a.totals).unwrap()
    );
}
