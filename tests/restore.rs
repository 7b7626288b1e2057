//! The union office survives a lost disk (issue #16): a backup taken while the hub serves, work
//! going on after it, the office's store lost and the backup put back on another machine, and
//! every laptop syncing again with the restored office. A real hub on loopback each time.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use std::collections::BTreeSet;

use sene_app::season::*;
use sene_app::*;
use sene_domain::*;
use sene_fixture::*;
use sene_hub::client;
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

fn new_device(office: &mut Ledger, s: &Setup, name: &str, prefix: &str) -> Actor {
    office
        .run(&s.sec, |tx| {
            let ag = tx.add_agent(sene_app::org::NewAgent {
                id: None,
                name: name.into(),
                phone: None,
                role: Role::FieldAgent,
                cooperatives: vec![s.coop],
            })?;
            let dv = tx.add_device(sene_app::org::NewDevice {
                id: None,
                label: format!("Portable {name}"),
                receipt_prefix: prefix.into(),
            })?;
            Ok(Actor {
                agent: ag.id,
                device: dv.id,
            })
        })
        .unwrap()
}

/// The restore drill: after the office's backup, the office itself approves and pays, revokes
/// a stolen laptop, enrolls a new one that works; a committee member weighs; laptops sync; the office's disk
/// is lost and the backup restored. The laptops carry back the office's and each other's
/// records, proven by their authors' tags (one laptop by USB); the new laptop enrolls again and
/// keeps its unsynced work; the stolen laptop is still refused; a change carried without a
/// valid tag is held back, not merged and not blocking; every store converges and no receipt
/// number is held twice.
#[test]
fn the_restore_drill_brings_back_every_record_a_laptop_holds() {
    let dir = tempfile::tempdir().unwrap();
    let hub_store = dir.path().join("bureau.sqlite");
    let s = setup(&hub_store);
    let addr = start_hub(&hub_store);
    let url = format!("http://{addr}");
    let mut a = Ledger::open(&dir.path().join("awa.sqlite")).unwrap();
    let mut b = Ledger::open(&dir.path().join("bakary.sqlite")).unwrap();
    let mut c = Ledger::open(&dir.path().join("cheick.sqlite")).unwrap();
    client::enroll(&mut a, &url, s.a.device, &s.codes[0]).unwrap();
    client::enroll(&mut b, &url, s.b.device, &s.codes[1]).unwrap();
    client::enroll(&mut c, &url, s.c.device, &s.codes[2]).unwrap();
    sync(&mut a, &url);
    sync(&mut b, &url);
    sync(&mut c, &url);
    let (m1, k1, k2) = a
        .run(&s.a, |tx| {
            let m1 = member(tx, s.coop, "DIO-0001", "Aminata Traoré")?;
            let m2 = member(tx, s.coop, "DIO-0002", "Fatoumata Coulibaly")?;
            let mut ks = Vec::new();
            for m in [m1, m2] {
                ks.push(
                    tx.request_contract(RequestContract {
                        id: None,
                        member_id: m,
                        campaign_id: s.camp,
                        crop: Crop::PaddyRice,
                        committed: Kg::from_kg(1000)?,
                        date: d(2026, 5, 10),
                    })?
                    .id,
                );
            }
            Ok((m1, ks[0], ks[1]))
        })
        .unwrap();
    sync(&mut a, &url);
    sync(&mut b, &url);
    b.run(&s.b, |tx| tx.approve_contract(k1, d(2026, 5, 12)))
        .unwrap();
    sync(&mut b, &url);
    sync(&mut a, &url);

    // the union's accountant: the second secretariat agent who locks settlements
    let compta = {
        let mut office = Ledger::open(&hub_store).unwrap();
        let ag = office
            .run(&s.sec, |tx| {
                tx.add_agent(sene_app::org::NewAgent {
                    id: None,
                    name: "Comptable".into(),
                    phone: None,
                    role: Role::Secretariat,
                    cooperatives: vec![],
                })
            })
            .unwrap();
        Actor {
            agent: ag.id,
            device: s.sec.device,
        }
    };

    // the backup, while the hub serves
    let made = Ledger::open(&hub_store)
        .unwrap()
        .backup_into(&dir.path().join("cle-usb"), None)
        .unwrap();

    // after it: the office approves k2 and pays an advance on it, and enrolls a new laptop
    let mut office = Ledger::open(&hub_store).unwrap();
    office
        .run(&s.sec, |tx| tx.approve_contract(k2, d(2026, 5, 20)))
        .unwrap();
    let office_paid = office.run(&s.sec, |tx| advance(tx, k2, 50_000)).unwrap();
    assert_eq!(office_paid, "U1-000001");
    // Cheick's laptop is stolen: revoked
    assert!(sene_hub::enroll::revoke(&mut office, s.c.device).unwrap());
    let dia = new_device(&mut office, &s, "Djénéba", "D1");
    let code = sene_hub::enroll::pair(&mut office, dia.device, dia.agent, &[s.coop])
        .unwrap()
        .code;
    drop(office);
    let mut dj = Ledger::open(&dir.path().join("djeneba.sqlite")).unwrap();
    client::enroll(&mut dj, &url, dia.device, &code).unwrap();
    sync(&mut dj, &url);
    let m3 = dj
        .run(&dia, |tx| member(tx, s.coop, "DIO-0003", "Kadiatou Diarra"))
        .unwrap();
    sync(&mut dj, &url);
    // Awa pays on k1; Bakary weighs for k1
    a.run(&s.a, |tx| advance(tx, k1, 100_000)).unwrap();
    sync(&mut a, &url);
    sync(&mut b, &url);
    b.run(&s.b, |tx| {
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
        })
    })
    .unwrap();
    sync(&mut b, &url);
    sync(&mut a, &url);
    // the office settles the campaign (proposed by one, locked by the other: Fatoumata owes
    // her advance) and pays Aminata part of her balance
    let mut office = Ledger::open(&hub_store).unwrap();
    let settled_on = d(2026, 12, 1);
    office
        .run(&s.sec, |tx| tx.propose_settlement(s.camp, settled_on))
        .unwrap();
    let run = office
        .run(&compta, |tx| {
            tx.lock_settlement(s.camp, settled_on, None, "campagne close")
        })
        .unwrap();
    let balance_receipt = office
        .run(&s.sec, |tx| {
            Ok(tx
                .pay_balance(sene_app::finance::PayBalance {
                    id: None,
                    member_id: m1,
                    campaign_id: s.camp,
                    amount: Money::from_francs(10_000)?,
                    date: d(2026, 12, 2),
                    mode: PayMode::Cash,
                })?
                .recorded
                .receipt)
        })
        .unwrap();
    assert_eq!(balance_receipt, "U1-000002");
    drop(office);
    sync(&mut a, &url);
    sync(&mut b, &url);
    // Djénéba registers one more member and does not sync before the loss
    let m4 = dj
        .run(&dia, |tx| member(tx, s.coop, "DIO-0004", "Mariam Sangaré"))
        .unwrap();

    // Awa's store holds the office's approval and payment, Bakary's weighing, Djénéba's member
    for (t, id) in [
        (Table::Disbursements, None),
        (Table::Deliveries, None),
        (Table::Members, Some(m3.to_string())),
    ] {
        assert!(!ids(&a, t).is_empty());
        if let Some(id) = id {
            assert!(ids(&a, t).contains(&id));
        }
    }

    // the office's disk is lost; the backup is restored on another machine
    let restored = dir.path().join("bureau-neuf").join("bureau.sqlite");
    let manifest = backup::verify(&made.file, None).unwrap();
    backup::install(&made.file, &restored, "20261205-120000").unwrap();
    Ledger::open(&restored)
        .unwrap()
        .mark_restored(&manifest, &made.file, None)
        .unwrap();
    let url2 = format!("http://{}", start_hub(&restored));

    // Bakary brings a USB file: his weighing, and the office's records he holds, proven
    let file = sene_hub::usb::device_export_all(&mut b).unwrap();
    let mut office = Ledger::open(&restored).unwrap();
    eprintln!(
        "DBG sec {} a {} b {} c {} dia {} compta {}",
        s.sec.device, s.a.device, s.b.device, s.c.device, dia.device, compta.agent
    );
    let imported = sene_hub::usb::hub_import(&mut office, &file).unwrap();
    assert!(imported.records > 0, "{imported:?}");
    let k2_state = office.db().contract(k2).unwrap().unwrap().state;
    // approved, then paid by the office after the backup: both came back
    assert_eq!(
        k2_state,
        ContractState::Disbursed,
        "the office's approval and payment"
    );
    assert!(receipts(&office).contains(&office_paid));
    drop(office);

    // the stolen laptop is refused by the restored office: the laptops brought the
    // revocation back
    let e = client::sync(&mut c, Some(&url2), &mut |_| {}).unwrap_err();
    assert!(e.to_string().contains("révoqué"), "{e}");

    // Awa syncs: Djénéba's member is carried under a key the restored office does not know
    // (Djénéba enrolled after the backup): held back, not refused, nothing blocked
    let r = client::sync(&mut a, Some(&url2), &mut |_| {}).unwrap();
    assert!(
        r.refused_by_hub
            .iter()
            .all(|x| x.reason.contains("en attente")),
        "{:?}",
        r.refused_by_hub
    );
    let office = Ledger::open(&restored).unwrap();
    assert!(!ids(&office, Table::Members).contains(&m3.to_string()));
    for id in ids(&a, Table::Disbursements) {
        assert!(ids(&office, Table::Disbursements).contains(&id));
    }
    drop(office);

    // Djénéba's token is unknown to the restored office: she is paired again and enrolls
    // again, keeping what she has not synced
    let e = client::sync(&mut dj, Some(&url2), &mut |_| {}).unwrap_err();
    assert!(e.to_string().contains("jeton"), "{e}");
    let mut office = Ledger::open(&restored).unwrap();
    let code = sene_hub::enroll::pair(&mut office, dia.device, dia.agent, &[s.coop])
        .unwrap()
        .code;
    drop(office);
    client::enroll(&mut dj, &url2, dia.device, &code).unwrap();
    assert!(ids(&dj, Table::Members).contains(&m4.to_string()));
    sync(&mut dj, &url2);
    sync(&mut a, &url2);
    sync(&mut b, &url2);
    sync(&mut dj, &url2);

    // every record any laptop held is at the office, once; all stores agree
    let mut office = Ledger::open(&restored).unwrap();
    let again = office.run(&s.sec, |tx| advance(tx, k2, 1_000)).unwrap();
    assert_eq!(again, "U1-1-000001");
    drop(office);
    sync(&mut a, &url2);
    sync(&mut b, &url2);
    sync(&mut dj, &url2);
    let office = Ledger::open(&restored).unwrap();
    for t in [
        Table::Members,
        Table::Contracts,
        Table::Disbursements,
        Table::Deliveries,
    ] {
        for l in [&a, &b, &dj] {
            assert_eq!(ids(&office, t), ids(l, t), "{t:?}");
        }
    }
    assert!(ids(&office, Table::Members).contains(&m4.to_string()));
    for l in [&office, &a, &b, &dj] {
        let all = receipts(l);
        let distinct: BTreeSet<&String> = all.iter().collect();
        assert_eq!(
            all.len(),
            distinct.len(),
            "a receipt number held twice: {all:?}"
        );
    }
    assert!(office.db().audit_breaks().unwrap().is_empty());
    // the restore's entry in the queue: the run locked after the backup is to lock again, and
    // the office's two receipts issued after it came back from the laptops
    let queue = sene_app::anomalies::anomalies(&office.db(), s.camp).unwrap();
    let entry = queue
        .iter()
        .find_map(|x| match &x.kind {
            sene_app::anomalies::AnomalyKind::OfficeRestored {
                lost_runs,
                receipts_back,
                backup_made_at,
                ..
            } => Some((
                lost_runs.clone(),
                receipts_back.clone(),
                backup_made_at.clone(),
            )),
            _ => None,
        })
        .expect("no « Restauration du bureau » entry");
    assert_eq!(entry.0, vec![run.run.id.to_string()]);
    assert_eq!(entry.1, vec![office_paid.clone(), balance_receipt.clone()]);
    assert_eq!(entry.2, made.manifest.made_at);
    let date = d(2026, 12, 1);
    let at_office = sene_app::reports::settle_campaign(&office.db(), s.camp, date).unwrap();
    for l in [&a, &b, &dj] {
        let there = sene_app::reports::settle_campaign(&l.db(), s.camp, date).unwrap();
        assert_eq!(
            serde_json::to_value(&at_office.totals).unwrap(),
            serde_json::to_value(&there.totals).unwrap()
        );
    }
}

/// A laptop put back from its own backup (an agent's copy on a USB key) with `sene restore`:
/// it writes under a new actor and a new receipt series, gets back from the office what it had
/// synced after its backup, and nothing is lost or held twice.
#[test]
fn a_laptop_restored_from_its_own_backup_resyncs_without_loss_or_duplicate() {
    let Laptop {
        dir,
        hub_store,
        url,
        s,
        a_path,
        a,
        k1,
    } = one_laptop(|_| {});
    // Awa's own backup on her USB key
    let made = a.backup_into(&dir.path().join("cle-awa"), None).unwrap();
    // she pays twice and syncs: the office holds A1-000001 and A1-000002
    pay_twice_and_sync(a, &s, k1, &url);

    // her laptop's disk fails; the copy on her key is put back
    let manifest = backup::verify(&made.file, None).unwrap();
    let moved = backup::install(&made.file, &a_path, "20261205-130000").unwrap();
    assert!(moved.is_some());
    let mut a = Ledger::open(&a_path).unwrap();
    a.mark_restored(&manifest, &made.file, None).unwrap();
    assert!(ids(&a, Table::Disbursements).is_empty());
    // she pays again before syncing: a new series, never A1-000001 again
    let again = a.run(&s.a, |tx| advance(tx, k1, 5_000)).unwrap();
    assert_eq!(again, "A1-1-000001");
    let r = client::sync(&mut a, Some(&url), &mut |_| {}).unwrap();
    assert!(r.refused_by_hub.is_empty(), "{:?}", r.refused_by_hub);
    sync(&mut a, &url);
    let office = Ledger::open(&hub_store).unwrap();
    // everything is back on the laptop, and at the office, once
    assert_eq!(ids(&a, Table::Disbursements).len(), 3);
    assert_eq!(
        ids(&office, Table::Disbursements),
        ids(&a, Table::Disbursements)
    );
    for l in [&office, &a] {
        let all = receipts(l);
        let distinct: BTreeSet<&String> = all.iter().collect();
        assert_eq!(
            all.len(),
            distinct.len(),
            "a receipt number held twice: {all:?}"
        );
    }
    // the office sees that this laptop's own history went back (its audit entries made after
    // its backup are gone with its disk): one entry, for it, saying so
    let breaks = office.db().audit_breaks().unwrap();
    assert_eq!(breaks.len(), 1, "{breaks:?}");
    assert_eq!(breaks[0].device_id, s.a.device.to_string());
    assert_eq!(
        breaks[0].reason,
        sene_hub::audit::RESTORED_REASON,
        "{breaks:?}"
    );
    // her next receipt goes on in the new series
    let next = a.run(&s.a, |tx| advance(tx, k1, 1_000)).unwrap();
    assert_eq!(next, "A1-1-000002");
}

/// Awa pays two advances on `k1` and syncs, then her laptop is closed: the office holds
/// `A1-000001` and `A1-000002`, which are returned.
fn pay_twice_and_sync(mut a: Ledger, s: &Setup, k1: ContractId, url: &str) -> Vec<String> {
    let paid: Vec<String> = (0..2)
        .map(|_| a.run(&s.a, |tx| advance(tx, k1, 10_000)).unwrap())
        .collect();
    assert_eq!(paid, ["A1-000001", "A1-000002"]);
    sync(&mut a, url);
    paid
}

/// Copies a closed store's files (the database and any journal beside it), as an agent copies
/// the folder to a USB key and back: no `sene backup`, no `sene restore`.
fn raw_copy(from: &std::path::Path, to: &std::path::Path) {
    for suffix in ["", "-wal", "-shm", ".keys"] {
        let f = std::path::PathBuf::from(format!("{}{suffix}", from.display()));
        let t = std::path::PathBuf::from(format!("{}{suffix}", to.display()));
        if f.exists() {
            std::fs::copy(&f, &t).unwrap();
        } else if t.exists() {
            std::fs::remove_file(&t).unwrap();
        }
    }
}

/// A union office on loopback and Awa's laptop enrolled (`first` runs on it right after its
/// enrollment, as the app's open would), with a member's contract she requested and Bakary,
/// the committee, approved; every store synced.
struct Laptop {
    dir: tempfile::TempDir,
    hub_store: std::path::PathBuf,
    url: String,
    s: Setup,
    a_path: std::path::PathBuf,
    a: Ledger,
    k1: ContractId,
}

fn one_laptop(first: impl FnOnce(&mut Ledger)) -> Laptop {
    let dir = tempfile::tempdir().unwrap();
    let hub_store = dir.path().join("bureau.sqlite");
    let s = setup(&hub_store);
    let url = format!("http://{}", start_hub(&hub_store));
    let a_path = dir.path().join("awa.sqlite");
    let mut a = Ledger::open(&a_path).unwrap();
    let mut b = Ledger::open(&dir.path().join("bakary.sqlite")).unwrap();
    client::enroll(&mut a, &url, s.a.device, &s.codes[0]).unwrap();
    client::enroll(&mut b, &url, s.b.device, &s.codes[1]).unwrap();
    first(&mut a);
    sync(&mut a, &url);
    let k1 = a.run(&s.a, |tx| aminata_contract(tx, &s)).unwrap();
    sync(&mut a, &url);
    sync(&mut b, &url);
    b.run(&s.b, |tx| tx.approve_contract(k1, d(2026, 5, 12)))
        .unwrap();
    sync(&mut b, &url);
    sync(&mut a, &url);
    Laptop {
        dir,
        hub_store,
        url,
        s,
        a_path,
        a,
        k1,
    }
}

/// [`one_laptop`], a raw copy of its store taken, then two advances paid and synced (the
/// office holds `A1-000001` and `A1-000002`), and the copy put back by hand in its place.
fn a_laptop_copied_back() -> Laptop {
    let Laptop {
        dir,
        hub_store,
        url,
        s,
        a_path,
        a,
        k1,
    } = one_laptop(|_| {});
    drop(a);
    // the agent copies her laptop's folder to her key
    let copy = dir.path().join("cle-awa.sqlite");
    raw_copy(&a_path, &copy);
    let a = Ledger::open(&a_path).unwrap();
    pay_twice_and_sync(a, &s, k1, &url);
    // the disk fails; the copy on her key is put back by hand
    raw_copy(&copy, &a_path);
    let a = Ledger::open(&a_path).unwrap();
    Laptop {
        dir,
        hub_store,
        url,
        s,
        a_path,
        a,
        k1,
    }
}

/// Every receipt number in the store is held once.
fn assert_receipts_once(l: &Ledger) {
    let all = receipts(l);
    let distinct: BTreeSet<&String> = all.iter().collect();
    assert_eq!(
        all.len(),
        distinct.len(),
        "a receipt number held twice: {all:?}"
    );
}

/// A laptop whose folder was copied back by hand (no `sene restore`) is found out by the hub at
/// its next sync, before anything is merged: it takes a new identity and receipt series, gets
/// back the two advances it had lost, and never issues their numbers again.
#[test]
fn a_laptop_copied_back_by_hand_is_found_out_at_its_next_sync() {
    let r = a_laptop_copied_back();
    let mut a = r.a;
    assert!(
        ids(&a, Table::Disbursements).is_empty(),
        "the copy predates the advances"
    );
    assert_eq!(a.sync_generation().unwrap(), 0);
    let report = client::sync(&mut a, Some(&r.url), &mut |_| {}).unwrap();
    assert!(
        report.refused_by_hub.is_empty(),
        "{:?}",
        report.refused_by_hub
    );
    // found out: a new generation, and the lost advances are back
    assert_eq!(a.sync_generation().unwrap(), 1);
    assert_eq!(ids(&a, Table::Disbursements).len(), 2);
    let restorations = a.db().restorations().unwrap();
    assert_eq!(restorations.len(), 1, "{restorations:?}");
    assert!(
        restorations[0].backup_file.contains("sans restauration"),
        "{restorations:?}"
    );
    // her next receipt is in a new series, never A1-000001 or A1-000002 again
    let next = a.run(&r.s.a, |tx| advance(tx, r.k1, 5_000)).unwrap();
    assert_eq!(next, "A1-1-000001");
    let report = client::sync(&mut a, Some(&r.url), &mut |_| {}).unwrap();
    assert!(
        report.refused_by_hub.is_empty(),
        "{:?}",
        report.refused_by_hub
    );
    sync(&mut a, &r.url);
    let office = Ledger::open(&r.hub_store).unwrap();
    assert_eq!(ids(&office, Table::Disbursements).len(), 3);
    assert_eq!(
        ids(&office, Table::Disbursements),
        ids(&a, Table::Disbursements)
    );
    for l in [&office, &a] {
        assert_receipts_once(l);
    }
    // one entry for the secretariat, saying what happened; later syncs add none
    let breaks = office.db().audit_breaks().unwrap();
    assert_eq!(breaks.len(), 1, "{breaks:?}");
    assert_eq!(breaks[0].device_id, r.s.a.device.to_string());
    assert_eq!(breaks[0].reason, sene_hub::audit::RESTORED_REASON);
    drop(r.dir);
}

/// The same laptop travelling by USB only: the office refuses its file, saying what to do,
/// and merges nothing; the office's file for it tells it what the office holds, so it takes a
/// new identity; its next file is accepted and nothing is held twice.
#[test]
fn a_laptop_copied_back_by_hand_is_found_out_through_usb_files() {
    let r = a_laptop_copied_back();
    let mut a = r.a;
    let file = sene_hub::usb::device_export(&mut a).unwrap();
    let mut office = Ledger::open(&r.hub_store).unwrap();
    let refused = sene_hub::usb::hub_import(&mut office, &file).unwrap_err();
    assert!(
        matches!(refused, sene_hub::HubError::Rewound { known, .. } if known > 0),
        "{refused:?}"
    );
    assert!(refused
        .to_string()
        .contains("importez-y d'abord le fichier du bureau"));
    assert!(refused
        .message(sene_domain::Lang::En)
        .contains("first import the office's file on it"));
    // the office's file for her laptop
    let back = sene_hub::usb::hub_export(&mut office, r.s.a.device).unwrap();
    sene_hub::usb::device_import(&mut a, &back).unwrap();
    assert_eq!(a.sync_generation().unwrap(), 1);
    assert_eq!(ids(&a, Table::Disbursements).len(), 2);
    let next = a.run(&r.s.a, |tx| advance(tx, r.k1, 5_000)).unwrap();
    assert_eq!(next, "A1-1-000001");
    let file = sene_hub::usb::device_export(&mut a).unwrap();
    sene_hub::usb::hub_import(&mut office, &file).unwrap();
    assert_eq!(ids(&office, Table::Disbursements).len(), 3);
    for l in [&office, &a] {
        assert_receipts_once(l);
    }
    let breaks = office.db().audit_breaks().unwrap();
    assert_eq!(breaks.len(), 1, "{breaks:?}");
    assert_eq!(breaks[0].reason, sene_hub::audit::RESTORED_REASON);
    drop(r.dir);
}

/// The issue's own case: an agent's laptop folder copied to a USB key, the disk lost, the copy
/// put back by hand on the new disk — and the agent pays before syncing. The app's open
/// (`Ledger::check_file_identity`, which the window and the CLI run) finds the store in another
/// file and takes a new identity and receipt series before anything is written; her payment
/// gets a number of the new series; her sync is accepted at once (no refusal, no `duplicate
/// seq`), the advances she had lost come back, and no receipt number is held twice.
#[test]
fn a_laptop_copied_back_by_hand_that_pays_before_syncing_repeats_nothing() {
    // the app records the file its store lives in
    let Laptop {
        dir,
        hub_store,
        url,
        s,
        a_path,
        a,
        k1,
    } = one_laptop(|a| assert_eq!(a.check_file_identity().unwrap(), None));
    drop(a);
    let key = dir.path().join("cle-usb");
    std::fs::create_dir_all(&key).unwrap();
    raw_copy(&a_path, &key.join("awa.sqlite"));
    // reopened where it lives: the same file, nothing changes
    let mut a = Ledger::open(&a_path).unwrap();
    assert_eq!(a.check_file_identity().unwrap(), None);
    pay_twice_and_sync(a, &s, k1, &url);
    // the disk is lost; a new disk; the folder copied back from the key
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", a_path.display()));
    }
    raw_copy(&key.join("awa.sqlite"), &a_path);
    let mut a = Ledger::open(&a_path).unwrap();
    assert_eq!(a.check_file_identity().unwrap(), Some(1), "found copied");
    assert_eq!(a.check_file_identity().unwrap(), None, "once");
    // she pays before syncing: a number of the new series
    let again = a.run(&s.a, |tx| advance(tx, k1, 5_000)).unwrap();
    assert_eq!(again, "A1-1-000001");
    let r = client::sync(&mut a, Some(&url), &mut |_| {}).unwrap();
    assert!(r.refused_by_hub.is_empty(), "{:?}", r.refused_by_hub);
    sync(&mut a, &url);
    let office = Ledger::open(&hub_store).unwrap();
    assert_eq!(ids(&a, Table::Disbursements).len(), 3);
    assert_eq!(
        ids(&office, Table::Disbursements),
        ids(&a, Table::Disbursements)
    );
    for l in [&office, &a] {
        assert_receipts_once(l);
    }
    let breaks = office.db().audit_breaks().unwrap();
    assert_eq!(breaks.len(), 1, "{breaks:?}");
    assert_eq!(breaks[0].reason, sene_hub::audit::RESTORED_REASON);
}

/// What is not a copy by hand takes no new identity: a store renamed (or its folder moved on
/// the same disk), a store encrypted in place, a store put back with `sene restore` (its
/// restore already gave it one).
#[test]
fn a_store_renamed_encrypted_or_restored_is_not_taken_for_a_copy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("awa.sqlite");
    let mut l = Ledger::open(&path).unwrap();
    sene_fixture::one_contract::setup(&mut l).unwrap();
    assert_eq!(l.check_file_identity().unwrap(), None);
    drop(l);
    let moved = dir.path().join("dossier-deplace");
    std::fs::create_dir_all(&moved).unwrap();
    let renamed = moved.join("awa.sqlite");
    std::fs::rename(&path, &renamed).unwrap();
    let mut l = Ledger::open(&renamed).unwrap();
    assert_eq!(
        l.check_file_identity().unwrap(),
        None,
        "a rename is no copy"
    );
    let made = l
        .backup_into(&dir.path().join("sauvegardes"), None)
        .unwrap();
    drop(l);
    // encrypted in place
    sene_store::Store::encrypt_plain(
        &renamed,
        "Awa",
        "karité de Koutiala 3",
        sene_store::KdfParams {
            m_kib: 1024,
            t: 1,
            p: 1,
        },
    )
    .unwrap();
    let mut vault = sene_store::Vault::load(&renamed).unwrap();
    let key = vault
        .unlock(&vault.slots()[0].id.clone(), "karité de Koutiala 3")
        .unwrap();
    let store = sene_store::Store::open_vault(&renamed, &mut vault, &key).unwrap();
    let mut l = Ledger::with_clock(store, Box::new(sene_app::SystemClock));
    assert_eq!(
        l.check_file_identity().unwrap(),
        None,
        "encryption is no copy"
    );
    assert_eq!(l.sync_generation().unwrap(), 0);
    drop(l);
    // put back with a restore: one new generation, from the restore alone
    let other = dir.path().join("restaure.sqlite");
    let manifest = backup::verify(&made.file, None).unwrap();
    backup::install(&made.file, &other, "20261205-140000").unwrap();
    let mut l = Ledger::open(&other).unwrap();
    assert_eq!(l.mark_restored(&manifest, &made.file, None).unwrap(), 1);
    assert_eq!(l.check_file_identity().unwrap(), None);
    assert_eq!(l.sync_generation().unwrap(), 1);
}

/// A laptop lost with no backup of it, twice: each time the office pairs the same device
/// again and the agent enrolls a new, empty store. Its first exchange (by sync, or by USB files
/// when `by_usb`) brings back the receipts the lost laptop had synced, and the new store
/// numbers in a new series after every one the device used (the office tells it the newest
/// generation it accepted from that device), so no receipt number is ever issued twice.
fn reinstalled_twice(by_usb: bool) {
    let Laptop {
        dir,
        hub_store,
        url,
        s,
        a,
        k1,
        ..
    } = one_laptop(|_| {});
    let paid = pay_twice_and_sync(a, &s, k1, &url);
    let mut issued = paid;
    for (round, expected) in [(1, "A1-1-000001"), (2, "A1-2-000001")] {
        // the laptop is lost with its disk; the office pairs the same device again
        let mut office = Ledger::open(&hub_store).unwrap();
        let code = sene_hub::enroll::pair(&mut office, s.a.device, s.a.agent, &[s.coop])
            .unwrap()
            .code;
        drop(office);
        let mut a = Ledger::open(&dir.path().join(format!("awa-neuf-{round}.sqlite"))).unwrap();
        client::enroll(&mut a, &url, s.a.device, &code).unwrap();
        if by_usb {
            let mut office = Ledger::open(&hub_store).unwrap();
            let file = sene_hub::usb::hub_export(&mut office, s.a.device).unwrap();
            sene_hub::usb::device_import(&mut a, &file).unwrap();
        } else {
            sync(&mut a, &url);
        }
        let back = receipts(&a);
        assert!(
            issued.iter().all(|p| back.contains(p)),
            "the synced receipts come back: {back:?}"
        );
        let next = a.run(&s.a, |tx| advance(tx, k1, 1_000)).unwrap();
        assert_eq!(next, expected);
        assert!(!issued.contains(&next));
        issued.push(next);
        if by_usb {
            let file = sene_hub::usb::device_export(&mut a).unwrap();
            let mut office = Ledger::open(&hub_store).unwrap();
            sene_hub::usb::hub_import(&mut office, &file).unwrap();
        } else {
            sync(&mut a, &url);
        }
        assert_receipts_once(&a);
    }
    let office = Ledger::open(&hub_store).unwrap();
    assert_receipts_once(&office);
    assert_eq!(ids(&office, Table::Disbursements).len(), issued.len());
}

#[test]
fn a_laptop_reinstalled_without_a_backup_never_repeats_a_receipt() {
    reinstalled_twice(false);
}

#[test]
fn a_laptop_reinstalled_without_a_backup_and_synced_by_usb_never_repeats_a_receipt() {
    reinstalled_twice(true);
}
