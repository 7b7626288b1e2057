//! The office's standby machine (issue #16, part 3): the accountant's laptop, enrolled as a
//! secretariat device, keeps the newest of the hub's scheduled backups; when the office's disk
//! is lost, it is promoted (its newest copy restored) and the office's own records — here a
//! locked settlement run — are there. A real hub on loopback, real files.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use std::path::Path;
use std::time::Duration;

use sene_app::*;
use sene_domain::*;
use sene_fixture::*;
use sene_hub::schedule::BackupSchedule;
use sene_hub::{client, standby, ServeOptions};
use sene_store::backup;

/// The settlement runs a backup holds, read from a scratch copy of it.
fn runs_in(copy: &Path, scratch: &Path) -> usize {
    let _ = std::fs::remove_file(scratch);
    std::fs::copy(copy, scratch).unwrap();
    let l = Ledger::open(scratch).unwrap();
    let n = sene_app::settlement::settlement_runs(&l.db(), None)
        .unwrap()
        .len();
    n
}

#[test]
fn the_standby_keeps_the_offices_own_records_and_is_promoted_when_the_disk_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let hub_store = dir.path().join("bureau.sqlite");
    let backups = dir.path().join("sauvegardes");
    let s = setup(&hub_store);
    // the union's accountant, of the secretariat, with his own laptop
    let (compta, code) = {
        let mut office = Ledger::open(&hub_store).unwrap();
        let compta = office
            .run(&s.sec, |tx| {
                let ag = tx.add_agent(sene_app::org::NewAgent {
                    id: None,
                    name: "Comptable".into(),
                    phone: None,
                    role: Role::Secretariat,
                    cooperatives: vec![],
                })?;
                let dv = tx.add_device(sene_app::org::NewDevice {
                    id: None,
                    label: "Portable du comptable".into(),
                    receipt_prefix: "CPT".into(),
                })?;
                Ok(Actor {
                    agent: ag.id,
                    device: dv.id,
                })
            })
            .unwrap();
        let code = sene_hub::enroll::pair(&mut office, compta.device, compta.agent, &[])
            .unwrap()
            .code;
        (compta, code)
    };
    // the hub backs up every second here (the default is every 30 minutes), when the store
    // changed
    let addr = start_hub_with(ServeOptions {
        store: hub_store.clone(),
        listen: "127.0.0.1:0".parse().unwrap(),
        tls: None,
        key: None,
        backups: Some(BackupSchedule {
            dir: backups.clone(),
            every: Duration::from_secs(1),
        }),
    });
    let url = format!("http://{addr}");
    let mut a = Ledger::open(&dir.path().join("awa.sqlite")).unwrap();
    client::enroll(&mut a, &url, s.a.device, &s.codes[0]).unwrap();
    sync(&mut a, &url);
    let laptop_path = dir.path().join("comptable.sqlite");
    let mut laptop = Ledger::open(&laptop_path).unwrap();
    client::enroll(&mut laptop, &url, compta.device, &code).unwrap();
    sync(&mut laptop, &url);
    let copies = dir.path().join("copies-du-bureau");

    // a field agent's laptop may not take the office's copy: it holds every member and payment
    let e = standby::pull(&a, &dir.path().join("vol"), &mut |_, _| {}).unwrap_err();
    assert!(
        matches!(&e, sene_hub::HubError::Remote(m) if m.contains("secrétariat")),
        "{e}"
    );
    assert!(!dir.path().join("vol").exists());

    // the office has not heard from a standby yet: it warns
    assert!(standby::status(&backups, chrono::Utc::now()).overdue);

    // the standby takes the newest backup; once the office is quiet, asking again costs nothing
    // (the hub made no new backup: its store did not change; and the standby already holds it)
    let mut first = None;
    let mut quiet = false;
    for _ in 0..20 {
        let mut seen = 0;
        let p = standby::pull(&laptop, &copies, &mut |got, _| seen = got).unwrap();
        assert_eq!(seen, p.downloaded);
        if first.is_none() {
            assert!(p.downloaded > 0, "{p:?}");
            first = Some(p.clone());
        }
        if p.downloaded == 0 {
            quiet = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(1500));
    }
    assert!(
        quiet,
        "the hub kept making backups of a store nothing wrote to"
    );
    let made_before = backup::list(&backups).unwrap().len();
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(
        backup::list(&backups).unwrap().len(),
        made_before,
        "no backup of an unchanged store"
    );
    let p = standby::pull(&laptop, &copies, &mut |_, _| {}).unwrap();
    assert_eq!(p.downloaded, 0);
    backup::verify(&p.file, None).unwrap();
    assert_eq!(runs_in(&p.file, &dir.path().join("s0.sqlite")), 0);
    // the standby's folder keeps the hub's retention: one copy an hour (here, the newest)
    // (two when the test straddles the hour)
    assert!(backup::list(&copies).unwrap().len() <= 2);
    assert!(first.is_some());
    let st = standby::status(&backups, chrono::Utc::now());
    assert!(st.current && !st.overdue, "{st:?}");
    assert_eq!(
        st.copy.as_ref().unwrap().device,
        compta.device.to_string(),
        "the office knows which machine holds its copy"
    );

    // the office's own work: a member's contract, its advance, and the campaign's settlement,
    // proposed by the secretariat and locked by the accountant (office-only records)
    let mut office = Ledger::open(&hub_store).unwrap();
    let k = office.run(&s.sec, |tx| aminata_contract(tx, &s)).unwrap();
    let at_office = Actor {
        agent: compta.agent,
        device: s.sec.device,
    };
    office
        .run(&at_office, |tx| tx.approve_contract(k, d(2026, 5, 12)))
        .unwrap();
    let settled_on = d(2026, 12, 1);
    office
        .run(&s.sec, |tx| tx.propose_settlement(s.camp, settled_on))
        .unwrap();
    let run = office
        .run(&at_office, |tx| {
            tx.lock_settlement(s.camp, settled_on, None, "campagne close")
        })
        .unwrap();
    drop(office);

    // within the next backups, the standby holds a copy with the locked run
    let scratch = dir.path().join("s.sqlite");
    let mut held = None;
    for _ in 0..30 {
        let p = standby::pull(&laptop, &copies, &mut |_, _| {}).unwrap();
        if runs_in(&p.file, &scratch) == 1 {
            held = Some(p);
            break;
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    let held = held.expect("the standby never got the locked settlement run");
    assert!(held.downloaded > 0);
    assert!(standby::status(&backups, chrono::Utc::now()).current);

    // the office's disk is lost (the hub, its store and its backups with it). The standby is
    // promoted: its newest copy restored, with a new sync identity
    let newest = backup::list(&copies).unwrap().pop().unwrap();
    assert_eq!(newest.0, held.file);
    let promoted = dir.path().join("secours").join("bureau.sqlite");
    let manifest = backup::verify(&newest.0, None).unwrap();
    backup::install(&newest.0, &promoted, "20261205-210000").unwrap();
    let mut office = Ledger::open(&promoted).unwrap();
    office.mark_restored(&manifest, &newest.0, None).unwrap();
    let runs = sene_app::settlement::settlement_runs(&office.db(), Some(s.camp)).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].id, run.run.id);
    assert!(office.db().carried_runs_missing().unwrap().is_empty());
    drop(office);

    // the laptops go on with the promoted office
    let url2 = format!("http://{}", start_hub(&promoted));
    sync(&mut a, &url2);
    sync(&mut laptop, &url2);
}
