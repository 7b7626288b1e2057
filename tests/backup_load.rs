//! Backups of the office's store while 20 devices push (issue #16): a real hub on loopback, 20
//! enrolled laptops each pushing a bounded number of records from its own thread, and backups
//! taken meanwhile from another connection to the hub's store. Every backup verifies and holds
//! a consistent subset (every record it holds has what it points to, every record the hub had
//! acknowledged when the backup began is in it, each backup holds what the one before held);
//! one taken in the middle is restored elsewhere, a hub is started on it, and the 20 laptops
//! sync again until the restored office holds everything. Bounded counts, no clock.
//!
//! The way back was first found to refuse honest laptops (« enregistrement attribué à un autre
//! appareil ») and to hold back most changes carried for others for want of their authors'
//! tags, over 2 to 4 passes (commit 138a3f7): a change queued for a missing dependency was
//! released by another laptop's merge, and the changes of a sync message that come end to end
//! in one entry, or as a whole document, were neither tagged by the office nor read by the
//! relay. Both fixed; the second test holds the office to one pass without a refusal.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};

use sene_app::org::{NewAgent, NewDevice};
use sene_app::season::*;
use sene_app::*;
use sene_domain::*;
use sene_fixture::*;
use sene_hub::{client, enroll, HubError};
use sene_store::backup::{self, Backup};
use sene_store::Table;

/// Devices pushing at once.
const DEVICES: usize = 20;
/// Syncs of each device during the load; each after recording a round of records.
const ROUNDS: usize = 4;
/// Deliveries a device records in a round (with one new member and their contract).
const PER_ROUND: usize = 3;
/// Backups taken during the load.
const BACKUPS: usize = 4;
/// Attempts of one sync when the hub asks to come back later (busy) or the link drops.
const ATTEMPTS: usize = 5;
/// Passes of the 20 laptops' syncs with the restored office (one after the other) within
/// which it must hold everything: a change waiting for its author comes in when the author
/// syncs, and what depends on it at the next pass, so at most one pass per round written
/// after the backup, and two more.
const MAX_PASSES: usize = ROUNDS + 2;

/// One field laptop: its actor, cooperative, warehouse and store.
#[derive(Clone)]
struct Laptop {
    actor: Actor,
    coop: CooperativeId,
    wh: WarehouseId,
    path: PathBuf,
}

/// What the device threads and the backups share.
#[derive(Default)]
struct State {
    /// Syncs completed during the load.
    synced: usize,
    /// Device threads ended (normally or not).
    ended: usize,
    /// Open once the last backup has begun: the devices' last round waits for it.
    gate: bool,
    /// Ids of the records the hub has acknowledged (a sync returned after pushing them).
    acked: BTreeSet<String>,
}

struct Shared {
    state: Mutex<State>,
    cv: Condvar,
}

impl Shared {
    fn update(&self, f: impl FnOnce(&mut State)) {
        f(&mut self.state.lock().unwrap());
        self.cv.notify_all();
    }

    /// Waits until `ready` holds. No device ends before the gate opens (its last round waits
    /// for it), so while waiting for the gate one that ended has failed: the backups stop.
    fn wait(&self, what: &str, ready: impl Fn(&State) -> bool) {
        let mut s = self.state.lock().unwrap();
        while !ready(&s) {
            assert!(s.gate || s.ended == 0, "a device stopped before {what}");
            s = self.cv.wait(s).unwrap();
        }
    }
}

/// Counts a device thread as ended, however it ends.
struct Ended<'a>(&'a Shared);

impl Drop for Ended<'_> {
    fn drop(&mut self) {
        self.0.update(|s| s.ended += 1);
    }
}

/// Opens the gate, however the backups end (a failing backup must not leave devices waiting).
struct OpenGate<'a>(&'a Shared);

impl Drop for OpenGate<'_> {
    fn drop(&mut self) {
        self.0.update(|s| s.gate = true);
    }
}

/// A sync, tried again when the hub is busy or the link drops; never when it refuses.
fn sync_retrying(l: &mut Ledger, url: &str) -> client::ClientReport {
    let r = sync_reporting(l, url);
    assert!(r.refused_by_hub.is_empty(), "{:?}", r.refused_by_hub);
    r
}

/// [`sync_retrying`], the hub's refusals left in the report.
fn sync_reporting(l: &mut Ledger, url: &str) -> client::ClientReport {
    let mut last = None;
    for _ in 0..ATTEMPTS {
        match client::sync(l, Some(url), &mut |_| {}) {
            Ok(r) => {
                return r;
            }
            Err(e @ HubError::Network(_)) => last = Some(e),
            Err(HubError::Remote(m)) if m.contains("occupé") => {
                last = Some(HubError::Remote(m));
            }
            Err(e) => panic!("sync refused: {e}"),
        }
    }
    panic!("no sync after {ATTEMPTS} attempts: {last:?}");
}

/// The ids of a table's rows.
fn ids(l: &Ledger, t: Table) -> BTreeSet<String> {
    l.db()
        .list_rows(t, 1_000_000)
        .unwrap()
        .iter()
        .filter_map(|r| r.get("id").and_then(|v| v.as_str()).map(str::to_owned))
        .collect()
}

/// The ids of members, contracts and deliveries in a backup file (read only, unchanged), after
/// checking that each record there has what it points to.
fn content(file: &Path) -> BTreeSet<String> {
    let conn =
        rusqlite::Connection::open_with_flags(file, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let orphans: i64 = conn
        .query_row(
            "SELECT count(*) FROM deliveries d
               LEFT JOIN members m ON m.id = d.member_id
               LEFT JOIN contracts c ON c.id = d.contract_id
              WHERE m.id IS NULL OR c.id IS NULL OR c.member_id <> d.member_id",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        orphans,
        0,
        "{}: a delivery without its member or contract",
        file.display()
    );
    let orphans: i64 = conn
        .query_row(
            "SELECT count(*) FROM contracts c LEFT JOIN members m ON m.id = c.member_id
              WHERE m.id IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        orphans,
        0,
        "{}: a contract without its member",
        file.display()
    );
    let mut st = conn.prepare("PRAGMA foreign_key_check").unwrap();
    let broken: Vec<String> = st
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        broken.is_empty(),
        "{}: foreign keys {broken:?}",
        file.display()
    );
    let mut out = BTreeSet::new();
    for t in ["members", "contracts", "deliveries"] {
        let mut st = conn.prepare(&format!("SELECT id FROM {t}")).unwrap();
        for id in st.query_map([], |r| r.get::<_, String>(0)).unwrap() {
            out.insert(id.unwrap());
        }
    }
    out
}

/// One round of a laptop: a new member and their contract request, and `PER_ROUND` deliveries
/// on the laptop's approved contract. The ids of what it wrote.
fn round(
    l: &mut Ledger,
    me: &Laptop,
    camp: CampaignId,
    (member, contract): (MemberId, ContractId),
    dev: usize,
    r: usize,
) -> Vec<String> {
    l.run(&me.actor, |tx| {
        let mut out = Vec::new();
        let m = member_of(tx, me.coop, &format!("L{dev:02}-{r}"))?;
        let k = tx
            .request_contract(RequestContract {
                id: None,
                member_id: m,
                campaign_id: camp,
                crop: Crop::PaddyRice,
                committed: Kg::from_kg(1_000)?,
                date: d(2026, 6, 1),
            })?
            .id;
        out.push(m.to_string());
        out.push(k.to_string());
        for j in 0..PER_ROUND {
            let delivery = tx.record_delivery(RecordDelivery {
                id: None,
                member_id: member,
                contract_id: contract,
                warehouse_id: me.wh,
                bags: 10,
                gross: Kg::from_tenths(8_000 + i64::try_from(10 * r + j).unwrap())?,
                moisture: "13".parse()?,
                impurity: "1".parse()?,
                date: d(2026, 11, 3),
            })?;
            out.push(delivery.id.to_string());
        }
        Ok(out)
    })
    .unwrap()
}

fn member_of(tx: &Tx<'_, '_>, coop: CooperativeId, number: &str) -> Result<MemberId> {
    member(tx, coop, number, &format!("Membre {number}"))
}

/// The scenario; `strict`: no refusal at all on the way back to the restored office.
fn scenario(strict: bool) {
    let dir = tempfile::tempdir().unwrap();
    let hub_store = dir.path().join("bureau.sqlite");
    let s = setup(&hub_store);

    // 20 field agents, each with a laptop, half in each cooperative
    let mut office = Ledger::open(&hub_store).unwrap();
    let other_wh = office.db().warehouses(Some(s.other)).unwrap()[0].id;
    let mut laptops = Vec::new();
    let mut codes = Vec::new();
    for i in 0..DEVICES {
        let (coop, wh) = if i % 2 == 0 {
            (s.coop, s.wh)
        } else {
            (s.other, other_wh)
        };
        let actor = office
            .run(&s.sec, |tx| {
                let ag = tx.add_agent(NewAgent {
                    id: None,
                    name: format!("Agent {i:02}"),
                    phone: None,
                    role: Role::FieldAgent,
                    cooperatives: vec![coop],
                })?;
                let dv = tx.add_device(NewDevice {
                    id: None,
                    label: format!("Portable {i:02}"),
                    receipt_prefix: format!("L{i:02}"),
                })?;
                Ok(Actor {
                    agent: ag.id,
                    device: dv.id,
                })
            })
            .unwrap();
        codes.push(
            enroll::pair(&mut office, actor.device, actor.agent, &[coop])
                .unwrap()
                .code,
        );
        laptops.push(Laptop {
            actor,
            coop,
            wh,
            path: dir.path().join(format!("portable-{i:02}.sqlite")),
        });
    }
    drop(office);
    let url = format!("http://{}", start_hub(&hub_store));

    // each laptop enrolls, registers a member and requests their contract; the office approves
    let mut contracts = Vec::new();
    for (i, (me, code)) in laptops.iter().zip(&codes).enumerate() {
        let mut l = Ledger::open(&me.path).unwrap();
        client::enroll(&mut l, &url, me.actor.device, code).unwrap();
        sync_retrying(&mut l, &url);
        let mk = l
            .run(&me.actor, |tx| {
                let m = member_of(tx, me.coop, &format!("L{i:02}-P"))?;
                let k = tx
                    .request_contract(RequestContract {
                        id: None,
                        member_id: m,
                        campaign_id: s.camp,
                        crop: Crop::PaddyRice,
                        committed: Kg::from_kg(100_000)?,
                        date: d(2026, 5, 10),
                    })?
                    .id;
                Ok((m, k))
            })
            .unwrap();
        sync_retrying(&mut l, &url);
        contracts.push(mk);
    }
    let mut office = Ledger::open(&hub_store).unwrap();
    for (_, k) in &contracts {
        office
            .run(&s.sec, |tx| tx.approve_contract(*k, d(2026, 5, 20)))
            .unwrap();
    }
    drop(office);
    let mut before_load = BTreeSet::new();
    for me in &laptops {
        let mut l = Ledger::open(&me.path).unwrap();
        sync_retrying(&mut l, &url);
        for t in [Table::Members, Table::Contracts, Table::Deliveries] {
            before_load.extend(ids(&l, t));
        }
    }

    // the load: every laptop in its own thread, a round then a sync, ROUNDS times; backups
    // taken meanwhile, as the syncs pass thresholds spread over the load; the laptops' last
    // round waits until the last backup has begun
    let shared = Shared {
        state: Mutex::new(State::default()),
        cv: Condvar::new(),
    };
    let backups_dir = dir.path().join("sauvegardes");
    let mut made: Vec<(Backup, BTreeSet<String>)> = Vec::new();
    let written: Vec<Vec<String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = laptops
            .iter()
            .zip(&contracts)
            .enumerate()
            .map(|(i, (me, mk))| {
                let (shared, url, camp) = (&shared, &url, s.camp);
                scope.spawn(move || {
                    let _ended = Ended(shared);
                    let mut l = Ledger::open(&me.path).unwrap();
                    let mut mine = Vec::new();
                    for r in 0..ROUNDS {
                        if r == ROUNDS - 1 {
                            shared.wait("the last backup", |s| s.gate);
                        }
                        let wrote = round(&mut l, me, camp, *mk, i, r);
                        sync_retrying(&mut l, url);
                        shared.update(|s| {
                            s.synced += 1;
                            s.acked.extend(wrote.iter().cloned());
                        });
                        mine.extend(wrote);
                    }
                    mine
                })
            })
            .collect();
        {
            let _gate = OpenGate(&shared);
            let hub = Ledger::open(&hub_store).unwrap();
            // the syncs before the last rounds
            let before_last = DEVICES * (ROUNDS - 1);
            for k in 1..=BACKUPS {
                let threshold = k * before_last / BACKUPS;
                shared.wait("a backup's turn", |s| s.synced >= threshold);
                let acked = shared.state.lock().unwrap().acked.clone();
                if k == BACKUPS {
                    shared.update(|s| s.gate = true);
                }
                let b = hub
                    .backup_into(&backups_dir.join(format!("{k}")), None)
                    .unwrap();
                made.push((b, acked));
            }
        }
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(made.len(), BACKUPS);
    let all: BTreeSet<String> = before_load
        .iter()
        .cloned()
        .chain(written.iter().flatten().cloned())
        .collect();
    assert_eq!(
        all.len(),
        before_load.len() + DEVICES * ROUNDS * (2 + PER_ROUND)
    );

    // every backup verifies and holds a consistent subset: what was there before the load and
    // everything acknowledged before it began, nothing that was never written, and at least
    // what the backup before it held
    let mut previous = before_load.clone();
    let mut contents = Vec::new();
    for (k, (b, acked)) in made.iter().enumerate() {
        let m = backup::verify(&b.file, None).unwrap();
        assert_eq!(m, b.manifest);
        let held = content(&b.file);
        assert!(
            held.is_subset(&all),
            "backup {k} holds records never written"
        );
        assert!(
            acked.is_subset(&held),
            "backup {k} lacks {} records the hub had acknowledged before it began",
            acked.difference(&held).count()
        );
        assert!(
            previous.is_subset(&held),
            "backup {k} lost records an earlier backup (or the store before the load) held"
        );
        previous = held.clone();
        contents.push(held);
    }
    // the laptops' last rounds were written after every backup but the last had returned
    assert!(contents[..BACKUPS - 1].iter().all(|c| c.len() < all.len()));

    // the office's disk is lost: a backup from the middle of the load is put back elsewhere
    let (chosen, _) = &made[BACKUPS / 2 - 1];
    let held = &contents[BACKUPS / 2 - 1];
    let restored = dir.path().join("bureau-neuf").join("bureau.sqlite");
    let manifest = backup::verify(&chosen.file, None).unwrap();
    assert!(backup::install(&chosen.file, &restored, "20261205-180000")
        .unwrap()
        .is_none());
    let mut office = Ledger::open(&restored).unwrap();
    assert_eq!(
        office.mark_restored(&manifest, &chosen.file, None).unwrap(),
        1
    );
    let mut at_office = BTreeSet::new();
    for t in [Table::Members, Table::Contracts, Table::Deliveries] {
        at_office.extend(ids(&office, t));
    }
    assert_eq!(&at_office, held, "the restored store is the backup");
    drop(office);

    // a hub on the restored store: the laptops sync again, one after the other, until it
    // holds everything; then once more, so each has what the others brought back
    let url2 = format!("http://{}", start_hub(&restored));
    let mut refusals = Vec::new();
    let mut passes = 0;
    let mut missing = all.len();
    while missing > 0 && passes < MAX_PASSES {
        passes += 1;
        for me in &laptops {
            let mut l = Ledger::open(&me.path).unwrap();
            refusals.extend(sync_reporting(&mut l, &url2).refused_by_hub);
        }
        let office = Ledger::open(&restored).unwrap();
        let mut there = BTreeSet::new();
        for t in [Table::Members, Table::Contracts, Table::Deliveries] {
            there.extend(ids(&office, t));
        }
        assert!(there.is_subset(&all));
        missing = all.len() - there.len();
    }
    eprintln!(
        "re-sync with the restored office: {passes} pass(es) of the {DEVICES} laptops, {} refusal(s) on the way",
        refusals.len()
    );
    for r in &refusals {
        eprintln!("  {}: {}", r.doc, r.reason);
    }
    if strict {
        assert!(refusals.is_empty(), "honest laptops refused: {refusals:?}");
    } else {
        // the two known ways a relayed change waits for its author (see the module's doc);
        // anything else an honest laptop meets is a failure
        for r in &refusals {
            assert!(
                r.reason.contains("mises en attente")
                    || r.reason.contains("attribué à un autre appareil"),
                "{}: {}",
                r.doc,
                r.reason
            );
        }
    }
    assert_eq!(missing, 0, "records still missing after {passes} passes");
    for me in &laptops {
        let mut l = Ledger::open(&me.path).unwrap();
        let r = sync_reporting(&mut l, &url2);
        assert!(r.refused_by_hub.is_empty(), "{:?}", r.refused_by_hub);
    }

    // every laptop agrees with the restored office on its cooperative, and nothing was
    // flagged against an honest laptop
    let office = Ledger::open(&restored).unwrap();
    assert!(office.db().audit_breaks().unwrap().is_empty());
    for me in &laptops {
        let l = Ledger::open(&me.path).unwrap();
        let members = |x: &Ledger| -> BTreeSet<MemberId> {
            x.db()
                .members(Some(me.coop))
                .unwrap()
                .iter()
                .map(|m| m.id)
                .collect()
        };
        assert_eq!(members(&l), members(&office));
        let deliveries_of = |x: &Ledger| -> BTreeSet<String> {
            let coop_members = members(x);
            x.db()
                .list_rows(Table::Deliveries, 1_000_000)
                .unwrap()
                .iter()
                .filter(|r| {
                    r.get("member_id")
                        .and_then(|v| v.as_str())
                        .and_then(|m| m.parse().ok())
                        .is_some_and(|m| coop_members.contains(&m))
                })
                .filter_map(|r| r.get("id").and_then(|v| v.as_str()).map(str::to_owned))
                .collect()
        };
        assert_eq!(deliveries_of(&l), deliveries_of(&office));
    }
}

#[test]
fn backups_taken_while_twenty_devices_push_verify_and_restore() {
    scenario(false);
}

/// The same, and no honest laptop's document is refused or held back on the way back to the
/// restored office: one pass of the 20 laptops brings everything back.
#[test]
fn the_restored_office_takes_everything_back_in_one_pass_without_refusal() {
    scenario(true);
}
