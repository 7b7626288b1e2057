//! The federation pulls real union hubs on loopback into a real PostgreSQL: three generated
//! unions over HTTP and a fourth by USB file; national figures equal the sum of each union's
//! own report; a day's news at one union is all that travels; a stopped hub, a wrong token and
//! a malformed answer each stay their union's own error.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sene_app::demo::{generate_union, Scale};
use sene_app::org::NewDevice;
use sene_app::season::RecordDelivery;
use sene_app::Ledger;
use sene_domain::*;
use sene_federation::cluster::TempCluster;
use sene_federation::{Credentials, Federation, PullReport};
use sene_hub::{client, enroll, usb, ServeOptions};
use sene_store::Table;

use crate::rt;

pub const SCALE: Scale = Scale {
    cooperatives: 3,
    members: 40,
    contracts: 40,
    deliveries: 120,
    distributions: 20,
};

/// A hub on loopback that the test can stop (its runtime dropped: the port closes).
pub struct Hub {
    addr: SocketAddr,
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Hub {
    pub fn start(store: &Path) -> Hub {
        let opts = ServeOptions {
            store: store.to_path_buf(),
            listen: "127.0.0.1:0".parse().unwrap(),
            tls: None,
            key: None,
            backups: None,
        };
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("hub-rt")
                // a measure reads each thread's CPU from /proc: none may end meanwhile
                .thread_keep_alive(std::time::Duration::from_secs(3600))
                .enable_all()
                .build()
                .unwrap();
            rt.spawn(async move {
                if let Err(e) = sene_hub::serve(opts, Some(ready_tx)).await {
                    eprintln!("hub stopped: {e}");
                }
            });
            let _ = stop_rx.recv();
            rt.shutdown_timeout(std::time::Duration::from_secs(5));
        });
        let addr = ready_rx.blocking_recv().unwrap();
        Hub {
            addr,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
    fn stop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A generated union in `store`, the federation's device registered and paired as a
/// federation (its code), and a laptop of a field agent paired (device, code).
pub struct Made {
    pub store: PathBuf,
    pub fed_device: DeviceId,
    pub fed_code: String,
    pub laptop: (DeviceId, String),
}

/// `scale` `None`: the demo union (`sene demo`), which has reversed records.
pub fn make_union(store: &Path, scale: Option<Scale>, seed: u64) -> Made {
    let mut l = Ledger::open(store).unwrap();
    match scale {
        Some(scale) => {
            generate_union(&mut l, scale, seed, &mut |_| {}).unwrap();
        }
        None => {
            sene_app::demo::load_demo(&mut l, &mut |_| {}).unwrap();
        }
    }
    let sec = l.local_actor().unwrap();
    let (fed_device, lap) = l
        .run(&sec, |tx| {
            let f = tx.add_device(NewDevice {
                id: None,
                label: "Fédération nationale".into(),
                receipt_prefix: format!("FED{seed}"),
            })?;
            let p = tx.add_device(NewDevice {
                id: None,
                label: "Portable de test".into(),
                receipt_prefix: format!("LT{seed}"),
            })?;
            Ok((f.id, p.id))
        })
        .unwrap();
    let fed_code = enroll::pair_federation(&mut l, fed_device).unwrap().code;
    let agent = field_agent(&l);
    let coops = l.db().agent(agent).unwrap().unwrap().cooperatives;
    let lap_code = enroll::pair(&mut l, lap, agent, &coops).unwrap().code;
    Made {
        store: store.to_path_buf(),
        fed_device,
        fed_code,
        laptop: (lap, lap_code),
    }
}

fn field_agent(l: &Ledger) -> AgentId {
    let db = l.db();
    db.list_rows(Table::Agents, u32::MAX)
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_str()?.parse::<AgentId>().ok())
        .find(|a| {
            db.agent(*a)
                .unwrap()
                .is_some_and(|a| a.role == Role::FieldAgent && !a.cooperatives.is_empty())
        })
        .unwrap()
}

/// A union's own figures, as its store gives them (sene-app's reports), keyed by campaign:
/// contracts, committed and delivered kg (tenths), advance due, disbursed, recovered;
/// fertilizer bags distributed, their cost and the cash paid.
type Figures = BTreeMap<String, [i64; 9]>;

fn union_figures(store: &Path) -> (Figures, BTreeMap<String, [i64; 2]>) {
    let l = Ledger::open(store).unwrap();
    let db = l.db();
    let mut out = Figures::new();
    for cid in db.campaign_ids().unwrap() {
        let r = sene_app::reports::campaign_report(&db, cid).unwrap();
        let t = &r.total;
        let fert = r.fertilizer.iter().fold([0i64; 3], |a, f| {
            [
                a[0] + f.distributed_bags,
                a[1] + f.cost.francs(),
                a[2] + f.cash_paid.francs(),
            ]
        });
        out.insert(
            r.campaign.clone(),
            [
                i64::from(t.contracts),
                t.committed.tenths(),
                t.delivered.tenths(),
                t.advance_due.francs(),
                t.disbursed.francs(),
                t.recovered.francs(),
                fert[0],
                fert[1],
                fert[2],
            ],
        );
    }
    let mut lenders: BTreeMap<String, [i64; 2]> = BTreeMap::new();
    for p in sene_app::lending::lender_positions(
        &db,
        chrono::NaiveDate::from_ymd_opt(2100, 1, 1).unwrap(),
    )
    .unwrap()
    {
        let e = lenders
            .entry(sene_federation::replica::name_key(&p.lender))
            .or_default();
        e[0] += p.drawn.francs();
        e[1] += p.repaid_principal.francs();
    }
    (out, lenders)
}

async fn pg_figures(c: &tokio_postgres::Client, union: Option<UnionId>) -> Figures {
    let u = union.map(|u| *u.as_uuid());
    let rows = c
        .query(
            "WITH k AS (
               SELECT c.union_id, c.campaign_id,
                      count(*) FILTER (WHERE counted) AS n,
                      COALESCE(sum(committed_kg * 10) FILTER (WHERE counted), 0)::bigint AS committed,
                      COALESCE(sum(delivered_kg * 10) FILTER (WHERE counted), 0)::bigint AS delivered,
                      COALESCE(sum(advance_due) FILTER (WHERE counted), 0)::bigint AS due,
                      COALESCE(sum(disbursed) FILTER (WHERE counted), 0)::bigint AS paid,
                      COALESCE(sum(recovered) FILTER (WHERE counted), 0)::bigint AS recovered
               FROM contracts c GROUP BY 1, 2),
             f AS (
               SELECT union_id, campaign_id, sum(bags)::bigint AS bags, sum(cost)::bigint AS cost,
                      sum(cash_paid)::bigint AS cash
               FROM fertilizer WHERE NOT reversed GROUP BY 1, 2)
             SELECT cp.name, sum(COALESCE(k.n, 0))::bigint, sum(COALESCE(k.committed, 0))::bigint,
                    sum(COALESCE(k.delivered, 0))::bigint, sum(COALESCE(k.due, 0))::bigint,
                    sum(COALESCE(k.paid, 0))::bigint, sum(COALESCE(k.recovered, 0))::bigint,
                    sum(COALESCE(f.bags, 0))::bigint, sum(COALESCE(f.cost, 0))::bigint,
                    sum(COALESCE(f.cash, 0))::bigint
             FROM campaigns cp
             LEFT JOIN k ON k.union_id = cp.union_id AND k.campaign_id = cp.id
             LEFT JOIN f ON f.union_id = cp.union_id AND f.campaign_id = cp.id
             WHERE $1::uuid IS NULL OR cp.union_id = $1
             GROUP BY cp.name",
            &[&u],
        )
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            let mut a = [0i64; 9];
            for (i, x) in a.iter_mut().enumerate() {
                *x = r.get(i + 1);
            }
            (r.get(0), a)
        })
        .collect()
}

async fn pg_lenders(c: &tokio_postgres::Client) -> BTreeMap<String, [i64; 2]> {
    c.query(
        "SELECT l.name_key,
                COALESCE((SELECT sum(amount) FROM drawdowns d WHERE d.union_id = l.union_id AND d.lender_id = l.id AND NOT reversed), 0)::bigint,
                COALESCE((SELECT sum(principal) FROM repayments r WHERE r.union_id = l.union_id AND r.lender_id = l.id AND NOT reversed), 0)::bigint
         FROM lenders l",
        &[],
    )
    .await
    .unwrap()
    .iter()
    .fold(BTreeMap::new(), |mut m, r| {
        let e: &mut [i64; 2] = m.entry(r.get(0)).or_default();
        e[0] += r.get::<_, i64>(1);
        e[1] += r.get::<_, i64>(2);
        m
    })
}

fn add(total: &mut Figures, f: &Figures) {
    for (k, v) in f {
        let e = total.entry(k.clone()).or_insert([0; 9]);
        for i in 0..9 {
            e[i] += v[i];
        }
    }
}

fn add_lenders(total: &mut BTreeMap<String, [i64; 2]>, f: &BTreeMap<String, [i64; 2]>) {
    for (k, v) in f {
        let e = total.entry(k.clone()).or_default();
        e[0] += v[0];
        e[1] += v[1];
    }
}

async fn count(c: &tokio_postgres::Client, table: &str, union: UnionId) -> i64 {
    c.query_one(
        &format!("SELECT count(*) FROM {table} WHERE union_id = $1"),
        &[union.as_uuid()],
    )
    .await
    .unwrap()
    .get(0)
}

/// Three deliveries on a laptop of the union, synced with its hub.
pub fn deliveries_at(url: &str, dir: &Path, made: &Made) -> u32 {
    let mut lap = Ledger::open(&dir.join("laptop.sqlite")).unwrap();
    client::enroll(&mut lap, url, made.laptop.0, &made.laptop.1).unwrap();
    sene_fixture::sync(&mut lap, url);
    let actor = lap.local_actor().unwrap();
    let db = lap.db();
    let mut target = None;
    'find: for cid in db.campaign_ids().unwrap() {
        let camp = db.campaign(cid).unwrap().unwrap();
        for f in db.campaign_contracts(cid).unwrap() {
            let c = &f.contract;
            let open = matches!(
                c.state,
                ContractState::Approved | ContractState::Disbursed | ContractState::Delivering
            );
            if open && f.accepted.tenths() + 3000 < c.committed.tenths() {
                let wh = db.warehouses(Some(f.cooperative_id)).unwrap()[0].id;
                target = Some((camp.clone(), c.clone(), wh));
                break 'find;
            }
        }
    }
    let (camp, c, wh) = target.expect("a contract with room");
    for i in 0..3 {
        lap.run(&actor, |tx| {
            tx.record_delivery(RecordDelivery {
                id: None,
                member_id: c.member_id,
                contract_id: c.id,
                warehouse_id: wh,
                bags: 2,
                gross: Kg::from_kg(80 + i)?,
                moisture: Percent::from_tenths(120)?,
                impurity: Percent::from_tenths(10)?,
                date: camp.delivery_window.start + chrono::Days::new(3),
            })
        })
        .unwrap();
    }
    sene_fixture::sync(&mut lap, url);
    3
}

/// On the laptop of [`deliveries_at`], a committee or secretariat member (who made a record
/// may not void it) voids the last delivery the laptop recorded; the agent corrects that
/// member's village and hands them a bag of fertilizer; it syncs. The delivery's id.
fn void_last_delivery_at(url: &str, dir: &Path) -> String {
    let mut lap = Ledger::open(&dir.join("laptop.sqlite")).unwrap();
    let actor = lap.local_actor().unwrap();
    let db = lap.db();
    let second = db
        .list_rows(Table::Agents, u32::MAX)
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_str()?.parse::<AgentId>().ok())
        .find(|a| *a != actor.agent && db.agent(*a).unwrap().is_some_and(|a| a.role.may_approve()))
        .expect("a second person");
    let rows = db.list_rows(Table::Deliveries, u32::MAX).unwrap();
    let last = rows
        .iter()
        .rfind(|r| r["device_id"] == actor.device.to_string().as_str())
        .expect("a delivery of the laptop");
    let id = last["id"].as_str().unwrap().to_owned();
    let date = last["date"].as_str().unwrap().parse().unwrap();
    let second = sene_app::Actor {
        agent: second,
        device: actor.device,
    };
    lap.run(&second, |tx| {
        tx.reverse(sene_app::season::Reverse {
            id: None,
            target_kind: RecordKind::Delivery,
            target_id: id.clone(),
            reason: "pesée saisie deux fois".into(),
            date,
        })
    })
    .unwrap();
    let member: MemberId = last["member_id"].as_str().unwrap().parse().unwrap();
    let campaign: CampaignId = lap
        .db()
        .contract(last["contract_id"].as_str().unwrap().parse().unwrap())
        .unwrap()
        .unwrap()
        .campaign_id;
    let product = lap.db().products().unwrap()[0].id;
    lap.run(&actor, |tx| {
        tx.correct_member(sene_app::registry::CorrectMember {
            member_id: member,
            village: Some("Sansanding".into()),
            reason: "village mal écrit".into(),
            ..Default::default()
        })?;
        tx.distribute_fertilizer(sene_app::fertilizer::DistributeFertilizer {
            id: None,
            member_id: member,
            campaign_id: campaign,
            product_id: product,
            bags: 1,
            cash_paid: Money::ZERO,
            date,
        })
    })
    .unwrap();
    sene_fixture::sync(&mut lap, url);
    id
}

/// Projects a whole snapshot of the union's replica (`union`: the federation's id), in a
/// transaction rolled back: what it would write (nothing when the projection is as a whole
/// read makes it).
async fn whole_against_projection(fed: &Federation, union: UnionId) -> (u64, u64) {
    let path = fed.replica_path(union);
    let snap = tokio::task::spawn_blocking(move || {
        let l = Ledger::open(&path).unwrap();
        sene_federation::replica::snapshot(&l).unwrap().unwrap()
    })
    .await
    .unwrap();
    let mut c = fed.client().await.unwrap();
    let tx = c.transaction().await.unwrap();
    let w = sene_federation::project::project(&tx, *union.as_uuid(), &snap, false)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    (w.rows_written, w.rows_deleted)
}

fn total_written(r: &[(String, Result<PullReport, sene_federation::FederationError>)]) -> u64 {
    r.iter()
        .map(|(_, p)| p.as_ref().map_or(0, |p| p.rows_written))
        .sum()
}

#[test]
fn three_unions_by_http_and_one_by_usb_add_up() {
    let pgc = TempCluster::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let made: Vec<Made> = (0..3)
        .map(|i| {
            make_union(
                &dir.path().join(format!("union{i}.sqlite")),
                Some(SCALE),
                10 + i,
            )
        })
        .collect();
    let mut hubs: Vec<Hub> = made.iter().map(|m| Hub::start(&m.store)).collect();
    let names = ["Union Ségou", "Union Sikasso", "Union Kayes"];
    let rt = rt();
    let fed = rt.block_on(async {
        let url = pgc.create_db("federation").await.unwrap();
        // as serve runs it: the replicas kept open from one pull to the next, here at most
        // two of the three (the least recently pulled closed, opened again when next pulled)
        let fed = Arc::new(
            Federation::open(&url, &dir.path().join("fed"))
                .await
                .unwrap()
                .keep_replicas_open(2),
        );
        for (i, m) in made.iter().enumerate() {
            fed.enroll_union(names[i], &hubs[i].url(), m.fed_device, &m.fed_code, None)
                .await
                .unwrap();
        }
        fed
    });
    let ids: Vec<UnionId> = rt
        .block_on(fed.unions())
        .unwrap()
        .iter()
        .map(|u| u.union_id)
        .collect();
    let by_name = |n: &str| rt.block_on(fed.union(n)).unwrap().union_id;
    let _ = ids;

    // first pull of all three
    let first = rt.block_on(fed.pull_all()).unwrap();
    for (n, r) in &first {
        let r = r.as_ref().unwrap_or_else(|e| panic!("{n}: {e}"));
        assert!(r.projected && r.rows_written > 100, "{n}: {r:?}");
        eprintln!("first pull {n}: {r:?}");
    }
    assert_eq!(fed.replicas_open(), 2, "the bound on open replicas");
    let c = rt.block_on(fed.client()).unwrap();

    // every union's figures, and the national sums, equal the unions' own reports
    let mut national = Figures::new();
    let mut lenders = BTreeMap::new();
    for (i, m) in made.iter().enumerate() {
        let (own, own_lenders) = union_figures(&m.store);
        assert!(
            own.values().any(|v| v[0] > 0 && v[2] > 0 && v[4] > 0),
            "{own:?}"
        );
        let pg = rt.block_on(pg_figures(&c, Some(by_name(names[i]))));
        assert_eq!(pg, own, "{}", names[i]);
        add(&mut national, &own);
        add_lenders(&mut lenders, &own_lenders);
    }
    assert_eq!(rt.block_on(pg_figures(&c, None)), national);
    assert_eq!(rt.block_on(pg_lenders(&c)), lenders);
    assert!(lenders.values().any(|v| v[0] > 0), "{lenders:?}");
    // members: all of them, by union
    for (i, m) in made.iter().enumerate() {
        let l = Ledger::open(&m.store).unwrap();
        let n = l.db().count(Table::Members).unwrap();
        assert_eq!(rt.block_on(count(&c, "members", by_name(names[i]))), n);
    }

    // pulling again changes nothing and writes nothing
    let again = rt.block_on(fed.pull_all()).unwrap();
    assert_eq!(total_written(&again), 0, "{again:?}");
    for (n, r) in &again {
        let r = r.as_ref().unwrap();
        assert_eq!(r.records_merged, 0, "{n}: {r:?}");
        assert!(!r.projected, "{n}: nothing new, no projection: {r:?}");
    }
    assert_eq!(rt.block_on(pg_figures(&c, None)), national);

    // the projection rebuilt from the replica alone: a union's rows lost in PostgreSQL come
    // back with a forced pull, nothing asked of its hub but news
    let u2 = by_name(names[2]);
    let deliveries2 = rt.block_on(count(&c, "deliveries", u2));
    rt.block_on(c.batch_execute(&format!(
        "DELETE FROM deliveries WHERE union_id = '{u2}'; UPDATE contracts SET delivered_kg = 0 WHERE union_id = '{u2}'"
    )))
    .unwrap();
    let rebuilt = rt.block_on(fed.pull(names[2], true)).unwrap();
    assert_eq!(rt.block_on(count(&c, "deliveries", u2)), deliveries2);
    assert_eq!(rebuilt.records_merged, 0, "{rebuilt:?}");
    assert!(
        rebuilt.rows_written >= u64::try_from(deliveries2).unwrap(),
        "{rebuilt:?}"
    );
    assert_eq!(rt.block_on(pg_figures(&c, None)), national);

    // a command pulls union 0 while the federation keeps its replica open: the next pull of
    // the federation opens that replica anew rather than trust what it had loaded
    let pg_url = pgc.url("federation");
    let cold = rt
        .block_on(Federation::open(&pg_url, &dir.path().join("fed")))
        .unwrap();
    let by_command = rt.block_on(cold.pull(names[0], false)).unwrap();
    assert_eq!(by_command.rows_written, 0, "{by_command:?}");

    // a day's news at one union: three deliveries; only they travel and are written
    let u0 = by_name(names[0]);
    let before = rt.block_on(count(&c, "deliveries", u0));
    deliveries_at(&hubs[0].url(), dir.path(), &made[0]);
    let next = rt.block_on(fed.pull_all()).unwrap();
    let r0 = next
        .iter()
        .find(|(n, _)| n == names[0])
        .unwrap()
        .1
        .as_ref()
        .unwrap();
    eprintln!("after 3 deliveries: {r0:?}");
    assert_eq!(rt.block_on(count(&c, "deliveries", u0)), before + 3);
    // the three deliveries and their contract's figures
    assert_eq!(r0.rows_written, 4, "{r0:?}");
    assert!(r0.records_merged >= 3 && r0.records_merged < 10, "{r0:?}");
    assert!(r0.bytes_received < 8 * 1024, "{r0:?}");
    for (n, r) in next.iter().filter(|(n, _)| n != names[0]) {
        let r = r.as_ref().unwrap();
        assert_eq!((r.records_merged, r.rows_written), (0, 0), "{n}: {r:?}");
    }
    let (own0, _) = union_figures(&made[0].store);
    assert_eq!(rt.block_on(pg_figures(&c, Some(u0))), own0);

    // one of them voided, its member corrected and given fertilizer: the pull reads again
    // only the rows it changed and those that follow (the voided delivery, named by the
    // reversal; the member's contracts and hand-outs); what it leaves in PostgreSQL is what
    // a whole read would
    let voided = void_last_delivery_at(&hubs[0].url(), dir.path());
    let r0 = rt.block_on(fed.pull(names[0], false)).unwrap();
    eprintln!("after a delivery voided: {r0:?}");
    // the delivery, now reversed, its contract's figures, the member, the hand-out
    assert_eq!(r0.rows_written, 4, "{r0:?}");
    let reversed: bool = rt
        .block_on(c.query_one(
            "SELECT reversed FROM deliveries WHERE union_id = $1 AND id = $2::text::uuid",
            &[u0.as_uuid(), &voided],
        ))
        .unwrap()
        .get(0);
    assert!(reversed, "{voided}");
    assert_eq!(rt.block_on(count(&c, "deliveries", u0)), before + 3);
    let (own0, _) = union_figures(&made[0].store);
    assert_eq!(rt.block_on(pg_figures(&c, Some(u0))), own0);
    assert_eq!(rt.block_on(whole_against_projection(&fed, u0)), (0, 0));

    // one hub stopped: the others still pull; its status says the error, its data stays
    let u1 = by_name(names[1]);
    let members1 = rt.block_on(count(&c, "members", u1));
    hubs[1].stop();
    let down = rt.block_on(fed.pull_all()).unwrap();
    for (n, r) in &down {
        if n == names[1] {
            let e = r.as_ref().unwrap_err();
            assert_eq!(e.code(), "network", "{e}");
        } else {
            r.as_ref().unwrap();
        }
    }
    let st = rt.block_on(fed.status()).unwrap();
    let s1 = st.iter().find(|s| s.name == names[1]).unwrap();
    assert!(s1.failing, "{s1:?}");
    assert!(
        s1.last_ok_at.is_some() && s1.last_error_at > s1.last_ok_at,
        "{s1:?}"
    );
    assert!(s1.age_seconds.is_some_and(|a| a >= 0), "{s1:?}");
    assert!(
        s1.last_error.as_deref().unwrap().contains("bureau"),
        "{s1:?}"
    );
    assert!(
        st.iter().filter(|s| s.name != names[1]).all(|s| !s.failing),
        "{st:?}"
    );
    assert_eq!(rt.block_on(count(&c, "members", u1)), members1);
    let failed: i64 = rt
        .block_on(c.query_one(
            "SELECT count(*) FROM union_pulls WHERE union_id = $1 AND NOT ok AND error_code = 'network'",
            &[u1.as_uuid()],
        ))
        .unwrap()
        .get(0);
    assert_eq!(failed, 1);

    // a wrong token: refused by the union's hub, said, the others unaffected
    let u2_token = rt.block_on(fed.union(names[2])).unwrap().token;
    rt.block_on(fed.set_token(names[2], "faux-jeton")).unwrap();
    let e = rt.block_on(fed.pull(names[2], false)).unwrap_err();
    assert!(e.to_string().contains("jeton"), "{e}");
    rt.block_on(fed.set_token(names[2], &u2_token)).unwrap();
    let ok = rt.block_on(fed.pull(names[2], false)).unwrap();
    // after a failure the projection is compared again (nothing differs)
    assert!(ok.projected && ok.rows_written == 0, "{ok:?}");

    // a malformed answer: a server that answers garbage
    let garbage = garbage_server();
    let creds = Credentials {
        device: DeviceId::new(),
        agent: AgentId::new(),
        token: "x".into(),
        bundle_key: None,
        ca_pem: None,
    };
    rt.block_on(fed.add_union("Union Mopti", Some(&format!("http://{garbage}")), creds))
        .unwrap();
    let with_garbage = rt.block_on(fed.pull_all()).unwrap();
    let gm = with_garbage
        .iter()
        .find(|(n, _)| n == "Union Mopti")
        .unwrap();
    let e = gm.1.as_ref().unwrap_err();
    eprintln!("malformed answer: {} ({})", e, e.code());
    assert!(with_garbage
        .iter()
        .filter(|(n, _)| n == names[0] || n == names[2])
        .all(|(_, r)| r.is_ok()));

    // a fourth union without a link: enrolled in person, then its office's USB file
    let store4 = dir.path().join("union4.sqlite");
    let m4 = make_union(&store4, None, 14);
    let mut l4 = Ledger::open(&store4).unwrap();
    let enrolled = enroll::enroll(
        &mut l4,
        &enroll::EnrollRequest {
            device_id: m4.fed_device,
            code: m4.fed_code.clone(),
        },
    )
    .unwrap();
    let u4 = rt
        .block_on(fed.add_union(
            "Union Tombouctou",
            None,
            Credentials {
                device: enrolled.device_id,
                agent: enrolled.agent_id,
                token: enrolled.token,
                bundle_key: Some(enrolled.bundle_key),
                ca_pem: None,
            },
        ))
        .unwrap();
    let file = usb::hub_export(&mut l4, m4.fed_device).unwrap();
    // a union without a link is left out of the scheduled pulls, and says why when asked
    let e = rt
        .block_on(fed.pull("Union Tombouctou", false))
        .unwrap_err();
    assert_eq!(e.code(), "no_link");
    let imported = rt
        .block_on(fed.import("Union Tombouctou", file.clone()))
        .unwrap();
    assert!(imported.rows_written > 100, "{imported:?}");
    let (own4, _) = union_figures(&store4);
    assert_eq!(rt.block_on(pg_figures(&c, Some(u4))), own4);
    // the demo union's reversed advance and delivery are there, marked, out of the figures
    for t in ["disbursements", "deliveries"] {
        let n: i64 = rt
            .block_on(c.query_one(
                &format!("SELECT count(*) FROM {t} WHERE union_id = $1 AND reversed"),
                &[u4.as_uuid()],
            ))
            .unwrap()
            .get(0);
        assert_eq!(n, 1, "{t}");
    }
    // the same file again: nothing new
    let again = rt.block_on(fed.import("Union Tombouctou", file)).unwrap();
    assert_eq!(
        (again.records_merged, again.rows_written),
        (0, 0),
        "{again:?}"
    );
    // a file made for another device is refused before anything is read
    let other = usb::hub_export(&mut l4, m4.laptop.0);
    if let Ok(other) = other {
        assert!(rt.block_on(fed.import("Union Tombouctou", other)).is_err());
    }
    drop(hubs);
}

/// A server that answers every request with 200 and bytes that are no Sene answer.
fn garbage_server() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            std::thread::spawn(move || {
                use std::io::{Read, Write};
                let mut buf = [0u8; 65536];
                let _ = s.set_read_timeout(Some(std::time::Duration::from_millis(300)));
                let _ = s.read(&mut buf);
                let _ = s.write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-length: 11\r\nconnection: close\r\n\r\nnot a reply",
                );
            });
        }
    });
    addr
}

/// A snapshot's rows by table and id: their hashes.
fn hashes(s: &sene_federation::replica::Snapshot) -> BTreeMap<(&'static str, uuid::Uuid), i64> {
    s.tables
        .iter()
        .flat_map(|t| t.rows.iter().map(|r| ((t.table, r.id), r.hash)))
        .collect()
}

/// Writes straight into the store (as a merge would) while it is watched, and checks that
/// the partial snapshot of what was written holds every row whose projection changed, as a
/// whole snapshot gives it, and nothing else than a whole snapshot gives. How many rows
/// changed.
fn partial_follows(l: &mut Ledger, write: impl FnOnce(&sene_store::Db<'_>)) -> usize {
    use sene_federation::replica::{snapshot, snapshot_since, Since};
    let before = hashes(&snapshot(l).unwrap().unwrap());
    let store = l.parts().unwrap().0;
    store.watch_rows().unwrap();
    store
        .write(|db| -> Result<(), sene_store::StoreError> {
            write(db);
            Ok(())
        })
        .unwrap();
    let changes = store.unwatch_rows().unwrap();
    let since = Since::of(&changes).expect("a partial read");
    let partial = hashes(&snapshot_since(l, Some(&since)).unwrap().unwrap());
    let after = hashes(&snapshot(l).unwrap().unwrap());
    let mut changed = 0;
    for (k, h) in &after {
        if before.get(k) != Some(h) {
            changed += 1;
            assert_eq!(partial.get(k), Some(h), "{k:?} changed, not read again");
        }
    }
    for (k, h) in &partial {
        assert_eq!(
            after.get(k),
            Some(h),
            "{k:?} read again, not as a whole read"
        );
    }
    changed
}

/// What a row of the projection takes from another row is followed by the partial read: a
/// member moved to another cooperative (its contracts, their advances and deliveries, its
/// hand-outs take the new one), a contract given to another member. Written straight into
/// the store: no use case changes these columns today, and a merge may.
#[test]
fn a_partial_snapshot_holds_every_row_a_write_changes() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = Ledger::open(&dir.path().join("u.sqlite")).unwrap();
    generate_union(&mut l, SCALE, 7, &mut |_| {}).unwrap();
    let db = l.db();
    let text =
        |r: &serde_json::Map<String, serde_json::Value>, c: &str| r[c].as_str().unwrap().to_owned();
    let delivery = db.list_rows(Table::Deliveries, 1).unwrap()[0]
        .as_object()
        .unwrap()
        .clone();
    let member = db
        .row_by_key(Table::Members, &text(&delivery, "member_id"))
        .unwrap()
        .unwrap();
    let coops = db.list_rows(Table::Cooperatives, u32::MAX).unwrap();
    let elsewhere = coops
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .find(|c| *c != text(&member, "cooperative_id"))
        .unwrap();
    let another = db
        .list_rows(Table::Members, u32::MAX)
        .unwrap()
        .into_iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .find(|m| *m != text(&member, "id"))
        .unwrap();
    let contract = text(&delivery, "contract_id");

    // the member moved: itself, its contracts, their deliveries (and advances, hand-outs)
    let moved = partial_follows(&mut l, |db| {
        let mut m = member.clone();
        m.insert("cooperative_id".into(), elsewhere.clone().into());
        db.put_row(Table::Members, &m).unwrap();
    });
    assert!(moved > 2, "{moved} rows changed");
    // a contract given to another member: itself, its deliveries and advances
    let given = partial_follows(&mut l, |db| {
        let mut c = db.row_by_key(Table::Contracts, &contract).unwrap().unwrap();
        c.insert("member_id".into(), another.clone().into());
        db.put_row(Table::Contracts, &c).unwrap();
    });
    assert!(given >= 2, "{given} rows changed");
}
