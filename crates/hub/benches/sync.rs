//! Sync on the wire and at the hub: a day's push (bytes and round trips against the size of the
//! records themselves), the hub merging a whole union's day, the day's push through a slow
//! rural link, the bootstrap of a new device, and (`resync`) the office put back from a backup
//! taken before the union's day: every device's sync with the restored office against the same
//! devices' sync of that day, in the same run.
//!
//! `cargo bench -p sene-hub --bench sync` — `SENE_BENCH_QUICK=1` for a quick run (smaller
//! unions, fewer cooperatives at the hub), `SENE_BENCH_ONLY=push,merge,slow,boot,demoboot,
//! resync,burst,burst2,burst4` to run some (`demoboot`: a new laptop's bootstrap on the demo
//! union).
//!
//! `burst` (and `burst2`, `burst4`, a union twice and four times as large): every field laptop
//! of the union (150, 300, 600), each enrolled and holding its day of deliveries, pushes at the
//! same moment with `client::sync` over HTTP on loopback to a hub in a process of its own (this
//! binary, serving a copy of the office's store as `sene hub serve` does), warmed by each
//! laptop's morning sync. Timed from the first request sent to the last answer leaving the
//! hub; the hub's delivery count is checked, its peak RSS growth read from its `VmHWM` (reset
//! just before), the bytes it wrote from `/proc/<pid>/io`.
//! `SENE_BENCH_BURST_CACHE=dir` keeps the setup for later runs, `SENE_BENCH_BURST_RUNS=k`,
//! `SENE_BENCH_BURST_NICE=idle|19|0` (once they have sent, the laptops run at `SCHED_IDLE`,
//! the default: only when the hub leaves a core idle, as if each had its own processor; or at
//! nice 19; or left at the hub's priority),
//! `SENE_BENCH_BURST_HOLD=0` (each laptop applies its answer as soon as it has it, instead of
//! asleep until every laptop has its own: see `Held`),
//! `SENE_BENCH_BURST_LAPTOPS=dir` (the laptops' stores there, e.g. a tmpfs),
//! `SENE_BENCH_BURST_ONE_BY_ONE=1` (the same day, each laptop after the previous one: what the
//! burst costs over it), `SENE_BENCH_BURST_OS_CACHE=cold` (the hub's store not read through
//! once the laptops are ready, see [`warm_os_cache`]), `SENE_BENCH_HUB_THP=0|1` (the hub's
//! process only: `MIMALLOC_ALLOW_THP`, mimalloc's transparent huge pages, on by default),
//! `SENE_BENCH_PERF_CTL=fifo` (writes `enable` to that fifo as the laptops send and `disable`
//! after the last answer: `perf record --control fifo:F -D -1` then profiles the burst alone,
//! not its setup). Quick: 5 and 20 laptops of 5 deliveries.
//!
//! Every exchange goes to a real hub (`sene_hub::serve`) on loopback, through a TCP proxy written
//! here that counts bytes and connections, and for the slow link adds 300 ms each way and paces
//! bytes at 5 000 B/s each way (40 kbit/s), with one round trip for the TCP handshake.

#![allow(
    clippy::unwrap_used,
    clippy::float_arithmetic,
    clippy::cast_precision_loss,
    clippy::too_many_lines
)]

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use flate2::write::DeflateEncoder;
use flate2::Compression;
use sene_app::demo::{generate_union, Scale};
use sene_app::org::NewDevice;
use sene_app::season::RecordDelivery;
use sene_app::sync::Scope;
use sene_app::{Actor, Ledger};
use sene_domain::{
    AgentId, ContractId, ContractState, CooperativeId, DeliveryId, DeviceId, Kg, MemberId, Percent,
    Role, WarehouseId,
};
use sene_hub::client::{self, ClientReport, Progress};
use sene_hub::{enroll, ServeOptions};
use sene_store::{Store, Table};
use sene_sync::wire::Envelope;
use serde_json::Value;

/// Deliveries in a day's push.
const DAY: usize = 50;
/// Targets.
const FLOOR_RATIO_MAX: f64 = 1.25;
/// The same counting HTTP headers (TCP payload both ways).
const FLOOR_TCP_RATIO_MAX: f64 = 1.35;
const MERGE_MAX: Duration = Duration::from_millis(500);
const SLOW_PUSH_MAX: Duration = Duration::from_secs(2);
/// The slow link: 40 kbit/s each way, 300 ms each way.
const SLOW: Link = Link {
    rate: Some(5_000),
    latency: Duration::from_millis(300),
};
const LOOPBACK: Link = Link {
    rate: None,
    latency: Duration::ZERO,
};
/// A throttled bootstrap is run when its estimate stays under this.
const SLOW_BOOT_MAX: Duration = Duration::from_secs(180);

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn deflate(bytes: &[u8]) -> usize {
    let mut enc = DeflateEncoder::new(Vec::new(), Compression::best());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap().len()
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "**missed**"
    }
}

/// A deterministic pseudo-random sequence (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + i64::try_from(self.next() % u64::try_from(hi - lo + 1).unwrap()).unwrap()
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

// ---------------------------------------------------------------------------------------------
// The hub and the link
// ---------------------------------------------------------------------------------------------

/// Starts a hub on 127.0.0.1 with an ephemeral port, in its own thread and runtime.
fn start_hub(store: &Path) -> SocketAddr {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let opts = ServeOptions {
        store: store.to_path_buf(),
        listen: "127.0.0.1:0".parse().unwrap(),
        tls: None,
        key: None,
        backups: None,
    };
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            if let Err(e) = sene_hub::serve(opts, Some(tx)).await {
                eprintln!("hub stopped: {e}");
            }
        });
    });
    rx.blocking_recv().unwrap()
}

/// One direction of a link: bytes leave at `rate` (B/s, unlimited when `None`) and arrive
/// `latency` later.
#[derive(Debug, Clone, Copy)]
struct Link {
    rate: Option<u64>,
    latency: Duration,
}

/// What went through a proxy.
#[derive(Debug, Default)]
struct Counters {
    up: AtomicU64,
    down: AtomicU64,
    connections: AtomicU64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Tally {
    up: u64,
    down: u64,
    connections: u64,
}

impl Counters {
    fn tally(&self) -> Tally {
        Tally {
            up: self.up.load(Ordering::SeqCst),
            down: self.down.load(Ordering::SeqCst),
            connections: self.connections.load(Ordering::SeqCst),
        }
    }
}

impl std::ops::Sub for Tally {
    type Output = Tally;
    fn sub(self, o: Tally) -> Tally {
        Tally {
            up: self.up - o.up,
            down: self.down - o.down,
            connections: self.connections - o.connections,
        }
    }
}

/// A TCP proxy on loopback to `target` over `link` (both ways); counts bytes and connections.
/// A new connection's first byte towards the hub leaves one round trip after the connection was
/// accepted (the TCP handshake).
fn start_proxy(target: SocketAddr, link: Link) -> (String, Arc<Counters>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let counters = Arc::new(Counters::default());
    let c = Arc::clone(&counters);
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { continue };
            let Ok(server) = TcpStream::connect(target) else {
                continue;
            };
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            c.connections.fetch_add(1, Ordering::SeqCst);
            let accepted = Instant::now();
            let (Ok(client2), Ok(server2)) = (client.try_clone(), server.try_clone()) else {
                continue;
            };
            pipe(
                client,
                server,
                link,
                accepted + 2 * link.latency,
                Arc::clone(&c),
                true,
            );
            pipe(server2, client2, link, accepted, Arc::clone(&c), false);
        }
    });
    (format!("http://{addr}"), counters)
}

/// Bytes are scheduled when read (serialised on the link at its rate, then delayed by its
/// latency) and written at their time by a second thread.
fn pipe(
    mut from: TcpStream,
    mut to: TcpStream,
    link: Link,
    start: Instant,
    counters: Arc<Counters>,
    up: bool,
) {
    // pieces of 100 bytes: 20 ms each at 5 000 B/s
    const PIECE: usize = 100;
    let (tx, rx) = mpsc::channel::<(Instant, Vec<u8>)>();
    std::thread::spawn(move || {
        let mut free = start;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let counter = if up { &counters.up } else { &counters.down };
            counter.fetch_add(n as u64, Ordering::SeqCst);
            let now = Instant::now();
            match link.rate {
                None => {
                    if tx.send((now + link.latency, buf[..n].to_vec())).is_err() {
                        return;
                    }
                }
                Some(rate) => {
                    for piece in buf[..n].chunks(PIECE) {
                        let begin = free.max(now);
                        free =
                            begin + Duration::from_nanos(piece.len() as u64 * 1_000_000_000 / rate);
                        if tx.send((free + link.latency, piece.to_vec())).is_err() {
                            return;
                        }
                    }
                }
            }
        }
    });
    std::thread::spawn(move || {
        while let Ok((at, bytes)) = rx.recv() {
            let now = Instant::now();
            if at > now {
                std::thread::sleep(at - now);
            }
            if to.write_all(&bytes).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    });
}

// ---------------------------------------------------------------------------------------------
// What is on the wire: automerge sync messages and change chunks, parsed just enough to say
// where the bytes go
// ---------------------------------------------------------------------------------------------

fn leb(b: &[u8], i: &mut usize) -> Option<u64> {
    let mut x = 0u64;
    let mut shift = 0;
    loop {
        let c = *b.get(*i)?;
        *i += 1;
        x |= u64::from(c & 0x7f) << shift;
        if c & 0x80 == 0 {
            return Some(x);
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
}

fn take(i: &mut usize, n: u64, len: usize) -> Option<Range<usize>> {
    let n = usize::try_from(n).ok()?;
    let r = *i..i.checked_add(n)?;
    (r.end <= len).then(|| {
        *i = r.end;
        r
    })
}

/// Where the bytes of one document's message go.
#[derive(Debug, Default, Clone)]
struct Parts {
    /// The whole envelope item (ids, lengths, message).
    total: usize,
    /// Heads, needs, haves (bloom filters), flags, lengths.
    sync: usize,
    changes: usize,
    n_changes: usize,
    /// Of the changes: chunk headers (magic, checksum, type, length).
    chunk_headers: usize,
    /// Dependency hashes (32 bytes each).
    deps: usize,
    /// Change messages (what was done, by whom).
    messages: usize,
    /// Actor ids, seq, start op, time, column metadata.
    change_meta: usize,
    /// The operations' columns.
    ops: usize,
    /// The change bytes with dependencies and messages left out (for a deflate estimate).
    stripped: Vec<u8>,
    /// The change bytes as they are.
    raw_changes: Vec<u8>,
}

fn parse_changes(b: &[u8], p: &mut Parts) -> Option<()> {
    let mut i = 0;
    while i < b.len() {
        let start = i;
        take(&mut i, 9, b.len())?;
        let len = leb(b, &mut i)?;
        p.chunk_headers += i - start;
        let body = take(&mut i, len, b.len())?;
        p.n_changes += 1;
        let c = &b[body.clone()];
        let mut j = 0;
        let nd = leb(c, &mut j)?;
        let deps = take(&mut j, nd * 32, c.len())?;
        let meta_start = j;
        let al = leb(c, &mut j)?;
        take(&mut j, al, c.len())?;
        leb(c, &mut j)?;
        leb(c, &mut j)?;
        leb(c, &mut j)?;
        let ml = leb(c, &mut j)?;
        let msg = take(&mut j, ml, c.len())?;
        let na = leb(c, &mut j)?;
        for _ in 0..na {
            let l = leb(c, &mut j)?;
            take(&mut j, l, c.len())?;
        }
        let ncols = leb(c, &mut j)?;
        let mut total_cols = 0;
        for _ in 0..ncols {
            leb(c, &mut j)?;
            total_cols += leb(c, &mut j)?;
        }
        p.deps += deps.len();
        p.messages += msg.len();
        p.change_meta += j - meta_start - msg.len();
        p.ops += usize::try_from(total_cols).ok()?;
        p.stripped.extend_from_slice(&c[meta_start..msg.start]);
        p.stripped.extend_from_slice(&c[msg.end..]);
        p.raw_changes.extend_from_slice(&b[start..i]);
    }
    Some(())
}

/// Splits one automerge sync message.
fn parse_message(m: &[u8]) -> Option<Parts> {
    let mut p = Parts::default();
    let mut i = 1; // version
    let hashes = |i: &mut usize| -> Option<()> {
        let n = leb(m, i)?;
        take(i, n * 32, m.len()).map(|_| ())
    };
    hashes(&mut i)?;
    hashes(&mut i)?;
    let nh = leb(m, &mut i)?;
    for _ in 0..nh {
        hashes(&mut i)?;
        let bl = leb(m, &mut i)?;
        take(&mut i, bl, m.len())?;
    }
    let nc = leb(m, &mut i)?;
    for _ in 0..nc {
        let l = leb(m, &mut i)?;
        let r = take(&mut i, l, m.len())?;
        p.changes += r.len();
        parse_changes(&m[r], &mut p)?;
    }
    p.sync = m.len() - p.changes;
    Some(p)
}

/// The kind (automerge chunk type: 0 a document, 1 a change, 2 a compressed change) and size of
/// each chunk in the changes of a sync message; `None` for an ack or what does not parse.
fn chunk_kinds(m: &[u8]) -> Option<Vec<(u8, usize)>> {
    let mut i = 1; // version
    let hashes = |i: &mut usize| -> Option<()> {
        let n = leb(m, i)?;
        take(i, n * 32, m.len()).map(|_| ())
    };
    hashes(&mut i)?;
    hashes(&mut i)?;
    for _ in 0..leb(m, &mut i)? {
        hashes(&mut i)?;
        let bl = leb(m, &mut i)?;
        take(&mut i, bl, m.len())?;
    }
    let mut out = Vec::new();
    for _ in 0..leb(m, &mut i)? {
        let l = leb(m, &mut i)?;
        let r = take(&mut i, l, m.len())?;
        out.push((*m.get(r.start + 8)?, r.len()));
    }
    Some(out)
}

/// The envelope's items, parsed, with the 6 bytes of id and message lengths counted in `sync`.
fn parse_envelope(env: &Envelope) -> Vec<(String, Parts)> {
    env.items
        .iter()
        .map(|(id, m)| {
            let mut p = parse_message(m).unwrap_or_else(|| Parts {
                sync: m.len(),
                ..Parts::default()
            });
            p.sync += 6 + id.len();
            p.total = 6 + id.len() + m.len();
            (id.clone(), p)
        })
        .collect()
}

fn raw_envelope(env: &Envelope) -> Vec<u8> {
    let mut raw = (env.items.len() as u32).to_le_bytes().to_vec();
    for (id, m) in &env.items {
        raw.extend_from_slice(&(id.len() as u16).to_le_bytes());
        raw.extend_from_slice(id.as_bytes());
        raw.extend_from_slice(&(m.len() as u32).to_le_bytes());
        raw.extend_from_slice(m);
    }
    raw
}

// ---------------------------------------------------------------------------------------------
// Devices and deliveries
// ---------------------------------------------------------------------------------------------

/// What a field agent weighs on at one cooperative.
struct Weighing {
    warehouse: WarehouseId,
    /// Contracts accepting deliveries.
    contracts: Vec<(MemberId, ContractId, ContractState)>,
}

fn weighing(l: &Ledger, coop: CooperativeId) -> Weighing {
    let db = l.db();
    let warehouse = db.warehouses(Some(coop)).unwrap()[0].id;
    let mut contracts = Vec::new();
    for m in db.members(Some(coop)).unwrap() {
        for c in db.member_contracts(m.id, None).unwrap() {
            if c.state.accepts_delivery() {
                contracts.push((m.id, c.id, c.state));
            }
        }
    }
    assert!(!contracts.is_empty(), "no contract accepts deliveries");
    // a day's weighings on contracts already being delivered on, where there are any, so that
    // the push holds deliveries only (a first delivery also moves its contract's state)
    if contracts.iter().any(|c| c.2 == ContractState::Delivering) {
        contracts.retain(|c| c.2 == ContractState::Delivering);
    }
    Weighing {
        warehouse,
        contracts,
    }
}

/// Records `n` deliveries, `per_tx` per call of [`Ledger::run`], on contracts already being
/// delivered on where there are enough of them. Returns their ids and the contracts that moved
/// to "delivering".
fn record_deliveries(
    l: &mut Ledger,
    actor: &Actor,
    w: &Weighing,
    n: usize,
    per_tx: usize,
    rng: &mut Rng,
) -> (Vec<DeliveryId>, usize) {
    record_deliveries_as(l, actor, w, n, per_tx, rng, false)
}

/// [`record_deliveries`]; `uniform`: every weighing alike (20 bags, 1,600 kg, 13 % moisture,
/// 1 % impurity), whose rows deflate far better than varied ones (a harder floor to approach).
fn record_deliveries_as(
    l: &mut Ledger,
    actor: &Actor,
    w: &Weighing,
    n: usize,
    per_tx: usize,
    rng: &mut Rng,
    uniform: bool,
) -> (Vec<DeliveryId>, usize) {
    let mut ids = Vec::with_capacity(n);
    let state = |l: &Ledger, c: ContractId| l.db().contract(c).unwrap().unwrap().state;
    let before: Vec<ContractState> = w.contracts.iter().map(|c| state(l, c.1)).collect();
    let mut k = 0;
    while k < n {
        let batch = per_tx.min(n - k);
        let got = l
            .run(actor, |tx| {
                let mut got = Vec::new();
                for j in k..k + batch {
                    let (member, contract, _) = w.contracts[j % w.contracts.len()];
                    let (bags, gross, moisture, impurity) = if uniform {
                        (20, 16_000, 130, 10)
                    } else {
                        let bags = rng.range(5, 40);
                        (
                            bags,
                            bags * 80 * 10 + rng.range(-300, 300),
                            rng.range(115, 139),
                            rng.range(5, 19),
                        )
                    };
                    let d = tx.record_delivery(RecordDelivery {
                        id: None,
                        member_id: member,
                        contract_id: contract,
                        warehouse_id: w.warehouse,
                        bags: u32::try_from(bags).unwrap(),
                        gross: Kg::from_tenths(gross)?,
                        moisture: Percent::from_tenths(moisture)?,
                        impurity: Percent::from_tenths(impurity)?,
                        date: day(2027, 1, 14),
                    })?;
                    got.push(d.id);
                }
                Ok(got)
            })
            .unwrap();
        ids.extend(got);
        k += batch;
    }
    let moved = w
        .contracts
        .iter()
        .zip(before)
        .filter(|(c, s)| state(l, c.1) != *s)
        .count();
    (ids, moved)
}

/// The floor: the delivery rows as the projection holds them, as one JSON array, deflated.
fn floor(l: &Ledger, ids: &[DeliveryId]) -> (usize, usize) {
    let rows: Vec<Value> = ids
        .iter()
        .map(|id| {
            Value::Object(
                l.db()
                    .row_by_key(Table::Deliveries, &id.to_string())
                    .unwrap()
                    .unwrap(),
            )
        })
        .collect();
    let json = serde_json::to_vec(&rows).unwrap();
    (json.len(), deflate(&json))
}

/// A client sync with its HTTP requests counted and timed.
fn timed_sync(l: &mut Ledger, url: &str) -> (ClientReport, usize, Duration) {
    let mut requests = 0;
    let t = Instant::now();
    let r = client::sync(l, Some(url), &mut |p| {
        if matches!(p, Progress::Sending { .. }) {
            requests += 1;
        }
    })
    .unwrap();
    let wall = t.elapsed();
    assert!(r.refused_by_hub.is_empty(), "{:?}", r.refused_by_hub);
    (r, requests, wall)
}

// ---------------------------------------------------------------------------------------------
// The field union: a generated union on a hub, devices paired
// ---------------------------------------------------------------------------------------------

struct Field {
    hub: SocketAddr,
    dir: tempfile::TempDir,
    generated: Duration,
    scale: Scale,
    /// Device, agent, cooperatives, code: the pusher (one cooperative), and two new devices
    /// of an agent following five.
    push: (DeviceId, AgentId, CooperativeId, String),
    /// Another device of the same agent and cooperative, for the slow link's pushes.
    push_slow: (DeviceId, AgentId, CooperativeId, String),
    boot: Vec<(DeviceId, AgentId, Vec<CooperativeId>, String)>,
    /// The office's store and its secretariat (news for the laptops).
    hub_path: std::path::PathBuf,
    sec: Actor,
}

fn field_agents(l: &Ledger) -> Vec<(AgentId, Vec<CooperativeId>)> {
    let db = l.db();
    let mut out: Vec<_> = db
        .agent_ids()
        .unwrap()
        .into_iter()
        .filter_map(|id| db.agent(id).unwrap())
        .filter(|a| a.role == Role::FieldAgent && !a.cooperatives.is_empty())
        .map(|a| (a.id, a.cooperatives))
        .collect();
    out.sort_by_key(|(_, c)| std::cmp::Reverse(c.len()));
    out
}

fn new_devices(l: &mut Ledger, sec: &Actor, prefix: &str, n: usize) -> Vec<DeviceId> {
    l.run(sec, |tx| {
        (1..=n)
            .map(|i| {
                Ok(tx
                    .add_device(NewDevice {
                        id: None,
                        label: format!("Banc {prefix}{i}"),
                        receipt_prefix: format!("{prefix}{i}"),
                    })?
                    .id)
            })
            .collect()
    })
    .unwrap()
}

fn field_union(quick: bool) -> Field {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hub.sqlite");
    let scale = if quick {
        Scale {
            cooperatives: 10,
            members: 400,
            contracts: 400,
            deliveries: 1_000,
            distributions: 200,
        }
    } else {
        // Scale::UNION's density (40 members, 333 deliveries, 67 distributions a cooperative)
        // at 10 cooperatives.
        Scale {
            cooperatives: 10,
            members: 400,
            contracts: 400,
            deliveries: 3_333,
            distributions: 667,
        }
    };
    let mut hub = Ledger::open(&path).unwrap();
    let t = Instant::now();
    generate_union(&mut hub, scale, 7, &mut |_| {}).unwrap();
    let generated = t.elapsed();
    let sec = hub.local_actor().unwrap();
    let agents = field_agents(&hub);
    assert!(agents.len() >= 2 && agents[0].1.len() >= 5, "{agents:?}");
    let devices = new_devices(&mut hub, &sec, "BNC", 4);
    let (a, ref a_coops) = agents[0];
    let (b, ref b_coops) = agents[1];
    let code = enroll::pair(&mut hub, devices[0], b, &b_coops[..1])
        .unwrap()
        .code;
    let push = (devices[0], b, b_coops[0], code);
    // the slow link's pusher weighs at another cooperative: the fast pusher's days are no
    // news for it
    let (c, c_coop) = agents
        .iter()
        .skip(2)
        .chain(agents.iter().take(1))
        .find_map(|(x, cs)| cs.iter().find(|c| **c != b_coops[0]).map(|c| (*x, *c)))
        .unwrap();
    let code = enroll::pair(&mut hub, devices[3], c, &[c_coop])
        .unwrap()
        .code;
    let push_slow = (devices[3], c, c_coop, code);
    let boot = devices[1..3]
        .iter()
        .map(|d| {
            let code = enroll::pair(&mut hub, *d, a, a_coops).unwrap().code;
            (*d, a, a_coops.clone(), code)
        })
        .collect();
    drop(hub);
    let addr = start_hub(&path);
    Field {
        hub: addr,
        dir,
        generated,
        scale,
        push,
        push_slow,
        boot,
        hub_path: path,
        sec,
    }
}

/// What comes before a day's push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Before {
    /// Nothing: the previous push, or the enrolment's first sync.
    Nothing,
    /// A sync with nothing new either way.
    QuietSync,
    /// The office records something the laptop receives (its answer carries it).
    OfficeNews,
}

/// The cases of a day's push, in the order they are run on one laptop: label, what comes
/// before, deliveries per transaction, all weighed alike.
fn push_cases() -> Vec<(&'static str, Before, usize, bool)> {
    vec![
        (
            "after the enrolment's first sync, one transaction per delivery",
            Before::Nothing,
            1,
            false,
        ),
        (
            "after a push, five transactions of ten",
            Before::Nothing,
            10,
            false,
        ),
        (
            "after a push, one transaction for all 50",
            Before::Nothing,
            DAY,
            false,
        ),
        (
            "after a sync with nothing new, one transaction per delivery",
            Before::QuietSync,
            1,
            false,
        ),
        (
            "after a push, all weighed alike, one transaction per delivery",
            Before::Nothing,
            1,
            true,
        ),
        (
            "after a sync with nothing new, all weighed alike",
            Before::QuietSync,
            1,
            true,
        ),
        (
            "after a push, the office having news for the laptop (a member it registered)",
            Before::OfficeNews,
            1,
            false,
        ),
    ]
}

fn before_push(
    f: &Field,
    l: &mut Ledger,
    url: &str,
    coop: CooperativeId,
    before: Before,
    n: usize,
) {
    match before {
        Before::Nothing => {}
        Before::QuietSync => {
            let (r, _, _) = timed_sync(l, url);
            assert_eq!(r.pushed.records + r.pulled.records, 0, "{r:?}");
        }
        Before::OfficeNews => office_news(f, coop, u32::try_from(n).unwrap()),
    }
}

/// News at the office for the pusher's cooperative: a member registered by the secretariat
/// on the office's store while the hub serves it (the answer to the next push carries it).
fn office_news(f: &Field, coop: CooperativeId, n: u32) {
    let mut office = Ledger::open(&f.hub_path).unwrap();
    office
        .run(&f.sec, |tx| {
            tx.register_member(
                sene_app::org::NewMember {
                    id: None,
                    cooperative_id: coop,
                    number: format!("BNC-NEWS-{n}"),
                    full_name: format!("Membre du bureau {n}"),
                    sex: sene_domain::Sex::Female,
                    birth_year: Some(1985),
                    village: "Dioro".into(),
                    phone: None,
                    nina: None,
                    crops: vec![],
                },
                true,
            )
        })
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// 1 and 3: a day's push
// ---------------------------------------------------------------------------------------------

struct Push {
    label: String,
    uniform: bool,
    per_tx: usize,
    moved: usize,
    floor_json: usize,
    floor: usize,
    report: ClientReport,
    requests: usize,
    tcp: Tally,
    wall: Duration,
    request: Vec<(String, Parts)>,
    request_raw: Vec<u8>,
    /// The hub's report (JSON, before deflate) inside the response's envelope.
    response_report: usize,
}

impl Push {
    fn bytes(&self) -> usize {
        self.report.bytes_sent + self.report.bytes_received
    }
    fn ratio(&self) -> f64 {
        self.bytes() as f64 / self.floor as f64
    }
    /// What crossed TCP (bodies and HTTP headers, both ways) over the floor.
    fn tcp_ratio(&self) -> f64 {
        (self.tcp.up + self.tcp.down) as f64 / self.floor as f64
    }
    fn meets(&self) -> bool {
        self.ratio() <= FLOOR_RATIO_MAX && self.tcp_ratio() <= FLOOR_TCP_RATIO_MAX
    }
}

#[allow(clippy::too_many_arguments)]
fn push_day(
    label: &str,
    l: &mut Ledger,
    actor: &Actor,
    w: &Weighing,
    (per_tx, uniform): (usize, bool),
    rng: &mut Rng,
    url: &str,
    counters: &Counters,
) -> Push {
    let (ids, moved) = record_deliveries_as(l, actor, w, DAY, per_tx, rng, uniform);
    let (floor_json, floor) = floor(l, &ids);
    // the envelope the client is about to send (a new session starts the same way)
    l.sync_reset("hub").unwrap();
    let env = l.sync_outgoing("hub", &Scope::Everything).unwrap();
    let request = parse_envelope(&env);
    let request_raw = raw_envelope(&env);
    if let Ok(dir) = std::env::var("SENE_BENCH_DUMP") {
        // the raw request, for studying its compression outside the bench
        let path = std::path::Path::new(&dir).join(format!("{label}.raw"));
        std::fs::write(path, &request_raw).unwrap();
    }
    let before = counters.tally();
    let (report, requests, wall) = timed_sync(l, url);
    let tcp = counters.tally() - before;
    assert!(report.pushed.records >= DAY, "{report:?}");
    let response_report = serde_json::to_vec(&report.pushed).unwrap().len();
    Push {
        label: label.to_owned(),
        uniform,
        per_tx,
        moved,
        floor_json,
        floor,
        report,
        requests,
        tcp,
        wall,
        request,
        request_raw,
        response_report,
    }
}

fn print_push_detail(p: &Push) {
    let r = &p.report;
    println!(
        "\n#### Day's push — {} ({} deliveries{}, {} per `Ledger::run`; {} contract(s) moved to \"delivering\")\n",
        p.label,
        DAY,
        if p.uniform { ", all weighed alike" } else { "" },
        p.per_tx,
        p.moved
    );
    println!(
        "- floor: {} B of JSON rows → **{} B** deflated ({:.1} B a delivery)",
        p.floor_json,
        p.floor,
        p.floor as f64 / DAY as f64
    );
    println!(
        "- on the wire: request {} B + response {} B = **{} B** = **{:.2}× the floor**; {} counted round(s) ({} HTTP requests, {} TCP connection(s)); TCP payload incl. HTTP headers: {} B up, {} B down; wall {:.0} ms",
        r.bytes_sent,
        r.bytes_received,
        p.bytes(),
        p.ratio(),
        r.rounds,
        p.requests,
        p.tcp.connections,
        p.tcp.up,
        p.tcp.down,
        ms(p.wall)
    );
    let mut sum = Parts::default();
    for (id, x) in &p.request {
        println!(
            "  - request item `{}`: {} B raw ({} B sync: heads/need/have/ids; {} B in {} change(s))",
            short_doc(id),
            x.total,
            x.sync,
            x.changes,
            x.n_changes
        );
        sum.total += x.total;
        sum.sync += x.sync;
        sum.changes += x.changes;
        sum.n_changes += x.n_changes;
        sum.chunk_headers += x.chunk_headers;
        sum.deps += x.deps;
        sum.messages += x.messages;
        sum.change_meta += x.change_meta;
        sum.ops += x.ops;
        sum.stripped.extend_from_slice(&x.stripped);
        sum.raw_changes.extend_from_slice(&x.raw_changes);
    }
    let body = r.bytes_sent;
    let deflated_all = deflate(&p.request_raw);
    let deflated_changes = deflate(&sum.raw_changes);
    let deflated_stripped = deflate(&sum.stripped);
    println!(
        "- request, raw (before deflate): {} B = sync messages' own fields {} B + changes {} B; of the changes: chunk headers {} B, dependency hashes {} B, change messages {} B, actor/seq/op/time/column metadata {} B, operations {} B",
        sum.total + 4,
        sum.sync + 4,
        sum.changes,
        sum.chunk_headers,
        sum.deps,
        sum.messages,
        sum.change_meta,
        sum.ops
    );
    println!(
        "- request, deflated: whole envelope {} B (+5 B header = {} B body); the changes alone {} B; the changes without dependency hashes, change messages and chunk headers {} B",
        deflated_all,
        deflated_all + 5,
        deflated_changes,
        deflated_stripped
    );
    if body != deflated_all + 5 {
        println!("  (the body sent, {body} B, differs: the client sent more than one round)");
    }
    println!(
        "- so, deflated: operations and record fields ≈ {} B, dependency hashes + change messages + chunk headers ≈ {} B, sync fields (heads, haves, other documents) ≈ {} B, envelope header 5 B; response {} B",
        deflated_stripped,
        deflated_changes.saturating_sub(deflated_stripped),
        deflated_all.saturating_sub(deflated_changes),
        r.bytes_received
    );
    println!(
        "- response: {} B, one envelope: the hub's report ({} B of JSON before deflate) and its messages",
        r.bytes_received, p.response_report,
    );
}

fn short_doc(id: &str) -> String {
    let parts: Vec<&str> = id.split('/').collect();
    match parts.as_slice() {
        [kind, c] => format!("{kind}/{}…", &c[..8.min(c.len())]),
        [kind, c, k] => format!("{kind}/{}…/{}…", &c[..8.min(c.len())], &k[..8.min(k.len())]),
        _ => id.to_owned(),
    }
}

// ---------------------------------------------------------------------------------------------
// 4: bootstrap
// ---------------------------------------------------------------------------------------------

struct Boot {
    /// The records the device holds after it (its projection rows as JSON): bytes, deflated.
    floor_json: usize,
    floor: usize,
    link: &'static str,
    enroll: Duration,
    sync: Duration,
    report: ClientReport,
    requests: usize,
    tcp: Tally,
    records: usize,
}

/// A bootstrap's target: its bodies over the deflated JSON of the records received.
const BOOT_RATIO_MAX: f64 = 1.25;

impl Boot {
    fn ratio(&self) -> f64 {
        (self.report.bytes_sent + self.report.bytes_received) as f64 / self.floor as f64
    }
}

/// Every projection row a store holds (its own columns only, as synced), one JSON object of
/// arrays by table: bytes, and deflated at the best level.
fn records_floor(l: &Ledger) -> (usize, usize) {
    let db = l.db();
    let mut all = serde_json::Map::new();
    for t in Table::PROJECTION {
        let rows: Vec<Value> = db
            .list_rows(*t, u32::MAX)
            .unwrap()
            .into_iter()
            .map(|mut v| {
                if let Some(o) = v.as_object_mut() {
                    for c in t.local_columns() {
                        o.remove(*c);
                    }
                }
                v
            })
            .collect();
        if !rows.is_empty() {
            all.insert(t.name().to_owned(), Value::Array(rows));
        }
    }
    let json = serde_json::to_vec(&Value::Object(all)).unwrap();
    (json.len(), deflate(&json))
}

fn boot_text(b: &Boot) -> String {
    format!(
        "{} B up + {} B down (sync bodies; {} B + {} B on TCP incl. enrollment and HTTP headers); {} records, {} B of JSON, {} B deflated: **{:.2}×**; {} round(s), {} HTTP requests; enroll {:.0} ms + sync {:.2} s = **{:.2} s**",
        b.report.bytes_sent,
        b.report.bytes_received,
        b.tcp.up,
        b.tcp.down,
        b.records,
        b.floor_json,
        b.floor,
        b.ratio(),
        b.report.rounds,
        b.requests,
        ms(b.enroll),
        b.sync.as_secs_f64(),
        (b.enroll + b.sync).as_secs_f64()
    )
}

/// A new laptop's bootstrap on the demo union (`load_demo`: 150 cooperatives), for the field
/// agent following the most cooperatives; and how many it follows.
fn demo_bootstrap() -> (Boot, usize) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo-hub.sqlite");
    let mut hub = Ledger::open(&path).unwrap();
    sene_app::demo::load_demo(&mut hub, &mut |_| {}).unwrap();
    let sec = hub.local_actor().unwrap();
    let agents = field_agents(&hub);
    let (agent, coops) = agents[0].clone();
    let device = new_devices(&mut hub, &sec, "DEMO", 1)[0];
    let code = enroll::pair(&mut hub, device, agent, &coops).unwrap().code;
    drop(hub);
    let addr = start_hub(&path);
    let (url, counters) = start_proxy(addr, LOOPBACK);
    let mut l = Ledger::open(&dir.path().join("demo-laptop.sqlite")).unwrap();
    let t = Instant::now();
    client::enroll(&mut l, &url, device, &code).unwrap();
    let enroll = t.elapsed();
    let (report, requests, sync) = timed_sync(&mut l, &url);
    let tcp = counters.tally();
    let (floor_json, floor) = records_floor(&l);
    let db = l.db();
    let records = Table::PROJECTION
        .iter()
        .map(|t| usize::try_from(db.count(*t).unwrap()).unwrap())
        .sum();
    let b = Boot {
        floor_json,
        floor,
        link: "loopback",
        enroll,
        sync,
        report,
        requests,
        tcp,
        records,
    };
    (b, coops.len())
}

fn bootstrap(
    f: &Field,
    who: &(DeviceId, AgentId, Vec<CooperativeId>, String),
    name: &str,
    link: Link,
    link_name: &'static str,
) -> Boot {
    let (url, counters) = start_proxy(f.hub, link);
    let mut l = Ledger::open(&f.dir.path().join(name)).unwrap();
    let t = Instant::now();
    client::enroll(&mut l, &url, who.0, &who.3).unwrap();
    let enroll = t.elapsed();
    let (report, requests, sync) = timed_sync(&mut l, &url);
    let tcp = counters.tally();
    let (floor_json, floor) = records_floor(&l);
    let db = l.db();
    let records = Table::PROJECTION
        .iter()
        .map(|t| usize::try_from(db.count(*t).unwrap()).unwrap())
        .sum();
    assert!(db.count(Table::Deliveries).unwrap() > 0);
    Boot {
        floor_json,
        floor,
        link: link_name,
        enroll,
        sync,
        report,
        requests,
        tcp,
        records,
    }
}

// ---------------------------------------------------------------------------------------------
// 2: the hub merging a whole union's day, in process
// ---------------------------------------------------------------------------------------------

struct Merge {
    coops: usize,
    generated: Duration,
    replicas: Duration,
    envelope_bytes: usize,
    /// Median fsync latency measured just before the timed exchanges.
    fsync: Duration,
    /// Hub running (documents in memory), hub just opened, only the season's message (warm),
    /// an empty envelope (warm): times and CPU time.
    warm: (Vec<Duration>, Option<Duration>),
    cold: (Vec<Duration>, Option<Duration>),
    season_only: (Vec<Duration>, Option<Duration>),
    empty: (Vec<Duration>, Option<Duration>),
    /// The same exchanges arriving together, merged in groups of `GROUP_MAX` (one commit a
    /// group, as the hub's server does): the time of each group, and CPU.
    grouped: (Vec<Duration>, Option<Duration>),
    /// The same exchanges through the server's own entry point ([`sene_hub::Hub::exchange`]:
    /// token, session, decoding, merge, reply, its dictionaries), one thread per device, all
    /// released at once: wall time until the last reply, and CPU.
    server: (Duration, Option<Duration>),
}

/// The client's loop without HTTP: until neither side has anything to say.
fn sync_in_process(hub: &mut Ledger, dev: &mut Ledger, peer: &str, scope: &Scope) {
    dev.sync_reset("hub").unwrap();
    hub.sync_reset(peer).unwrap();
    for _ in 0..client::MAX_ROUNDS {
        let up = dev.sync_outgoing("hub", &Scope::Everything).unwrap();
        let (report, down) = hub.sync_exchange(peer, &up, scope).unwrap();
        assert!(report.refused.is_empty(), "{:?}", report.refused);
        let pulled = dev.sync_incoming("hub", &down, &Scope::Everything).unwrap();
        assert!(pulled.refused.is_empty(), "{:?}", pulled.refused);
        if up.items.is_empty() && down.items.is_empty() {
            return;
        }
    }
    panic!("no agreement after {} rounds", client::MAX_ROUNDS);
}

/// The hub's exchanges, each timed; and the CPU time of the whole loop.
fn timed_exchanges(
    hub: &mut Ledger,
    work: &[(String, Envelope, Scope)],
    records: usize,
) -> (Vec<Duration>, Option<Duration>) {
    let mut times = Vec::with_capacity(work.len());
    let cpu = cpu_time();
    for (peer, env, scope) in work {
        hub.sync_reset(peer).unwrap();
        let t = Instant::now();
        let (report, _) = hub.sync_exchange(peer, env, scope).unwrap();
        times.push(t.elapsed());
        assert!(report.refused.is_empty(), "{:?}", report.refused);
        assert!(report.records >= records, "{report:?}");
    }
    let cpu = cpu.and_then(|c| Some(cpu_time()? - c));
    (times, cpu)
}

/// The exchanges merged in groups of [`sene_hub::GROUP_MAX`], each group one transaction (as
/// the hub's server merges the exchanges that arrive while it is busy): the time of each group.
fn timed_groups(
    hub: &mut Ledger,
    work: &[(String, Envelope, Scope)],
    records: usize,
) -> (Vec<Duration>, Option<Duration>) {
    let mut times = Vec::new();
    let cpu = cpu_time();
    for chunk in work.chunks(sene_hub::GROUP_MAX) {
        let t = Instant::now();
        let results = hub
            .write_group(chunk.iter().collect(), |l, (peer, env, scope)| {
                l.sync_reset(peer)?;
                l.sync_exchange(peer, env, scope)
            })
            .unwrap();
        times.push(t.elapsed());
        for r in results {
            let (report, _) = r.unwrap();
            assert!(report.refused.is_empty(), "{:?}", report.refused);
            assert!(report.records >= records, "{report:?}");
        }
    }
    let cpu = cpu.and_then(|c| Some(cpu_time()? - c));
    (times, cpu)
}

/// The exchanges through [`sene_hub::Hub::exchange`], as `POST /v1/sync` runs them: each device
/// paired and enrolled (its token), one exchange of an empty envelope each to warm the hub,
/// then one thread per device released at once with its push; the wall time until the last
/// reply, and the CPU time of the process meanwhile.
fn timed_server(
    path: &Path,
    work: &[(String, Envelope, Scope)],
    records: usize,
) -> (Duration, Option<Duration>) {
    let mut l = Ledger::open(path).unwrap();
    let _checkpoints = l
        .store()
        .checkpoint_in_background(None, Duration::from_secs(1))
        .unwrap();
    let mut tokens = Vec::new();
    for (_, _, scope) in work {
        let Scope::Device {
            device,
            agent,
            cooperatives,
            ..
        } = scope
        else {
            panic!("a device's scope");
        };
        let code = enroll::pair(&mut l, *device, *agent, cooperatives)
            .unwrap()
            .code;
        let req = enroll::EnrollRequest {
            device_id: *device,
            code,
        };
        tokens.push(enroll::enroll(&mut l, &req).unwrap().token);
    }
    let hub = sene_hub::Hub::new(l);
    let empty = Envelope::default().encode().unwrap();
    for (i, t) in tokens.iter().enumerate() {
        hub.exchange(t, &format!("warm{i}"), &empty).unwrap();
    }
    let bodies: Vec<Vec<u8>> = work.iter().map(|(_, e, _)| e.encode().unwrap()).collect();
    let barrier = std::sync::Barrier::new(work.len() + 1);
    let (hub, barrier) = (&hub, &barrier);
    std::thread::scope(|s| {
        let handles: Vec<_> = tokens
            .iter()
            .zip(&bodies)
            .enumerate()
            .map(|(i, (token, body))| {
                s.spawn(move || {
                    barrier.wait();
                    let reply = hub.exchange(token, &format!("push{i}"), body).unwrap();
                    let at = Instant::now();
                    let reply = sene_hub::Reply::decode(&reply).unwrap();
                    assert!(
                        reply.report.refused.is_empty(),
                        "{:?}",
                        reply.report.refused
                    );
                    assert!(reply.report.records >= records, "{:?}", reply.report);
                    at
                })
            })
            .collect();
        let cpu = cpu_time();
        barrier.wait();
        let start = Instant::now();
        let last = handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .max()
            .unwrap();
        let cpu = cpu.and_then(|c| Some(cpu_time()? - c));
        (last - start, cpu)
    })
}

/// CPU time (user + system) of this process so far, from `/proc/self/stat` (Linux; ticks of
/// 1/100 s).
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// This process's minor page faults so far (`/proc/self/stat`): memory it touched for the
/// first time, each a page the kernel had to find and clear.
fn minor_faults() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = stat.rsplit_once(')')?.1;
    rest.split_whitespace().nth(7)?.parse().ok()
}

/// The median time of writing 8 KiB and `fsync`ing it, on the file system of `dir`.
fn fsync_latency(dir: &Path) -> Duration {
    let path = dir.join("fsync.bin");
    let mut f = std::fs::File::create(&path).unwrap();
    let mut xs: Vec<Duration> = (0..50)
        .map(|_| {
            f.write_all(&[7u8; 8192]).unwrap();
            let t = Instant::now();
            f.sync_all().unwrap();
            t.elapsed()
        })
        .collect();
    drop(f);
    let _ = std::fs::remove_file(&path);
    xs.sort();
    xs[xs.len() / 2]
}

/// The merge's setup (the hub's file before the timed exchanges, and each device's push) kept
/// in `SENE_BENCH_MERGE_CACHE=dir` when set: the first run writes it, later runs start from it
/// (a copy), so that profiling the timed part does not take the minutes of the setup again.
fn cached_setup(dir: &Path, path: &Path) -> Option<Vec<(String, Envelope, Scope)>> {
    let list = std::fs::read_to_string(dir.join("work.txt")).ok()?;
    std::fs::copy(dir.join("hub.sqlite"), path).ok()?;
    let mut work = Vec::new();
    for (i, line) in list.lines().enumerate() {
        let f: Vec<&str> = line.split('\t').collect();
        let bytes = std::fs::read(dir.join(format!("env-{i}.bin"))).ok()?;
        let scope = Scope::Device {
            device: f.get(1)?.parse().ok()?,
            agent: f.get(2)?.parse().ok()?,
            role: Role::FieldAgent,
            cooperatives: vec![f.get(3)?.parse().ok()?],
        };
        work.push((f[0].to_string(), Envelope::decode(&bytes).ok()?, scope));
    }
    Some(work)
}

fn save_setup(dir: &Path, path: &Path, work: &[(String, Envelope, Scope)]) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::copy(path, dir.join("hub.sqlite")).unwrap();
    let mut list = String::new();
    for (i, (peer, env, scope)) in work.iter().enumerate() {
        std::fs::write(dir.join(format!("env-{i}.bin")), env.encode().unwrap()).unwrap();
        if let Scope::Device {
            device,
            agent,
            cooperatives,
            ..
        } = scope
        {
            list.push_str(&format!("{peer}\t{device}\t{agent}\t{}\n", cooperatives[0]));
        }
    }
    std::fs::write(dir.join("work.txt"), list).unwrap();
}

fn merge_union(quick: bool) -> Merge {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hub.sqlite");
    let cache = std::env::var_os("SENE_BENCH_MERGE_CACHE").map(std::path::PathBuf::from);
    if let Some(work) = cache.as_deref().and_then(|c| cached_setup(c, &path)) {
        eprintln!("    setup read from the cache");
        let mut hub = Ledger::open(&path).unwrap();
        // the hub of the full setup has every document in memory, having just synced each
        // device: an exchange of an empty envelope with each loads them the same way
        let empty: Vec<_> = work
            .iter()
            .map(|(peer, _, scope)| (peer.clone(), Envelope::default(), scope.clone()))
            .collect();
        timed_exchanges(&mut hub, &empty, 0);
        let coops = work.len();
        return time_merges(dir, hub, work, coops, Duration::ZERO, Duration::ZERO, 0);
    }
    let coops: u32 = if quick { 20 } else { 150 };
    let scale = if quick {
        Scale {
            cooperatives: coops,
            members: coops * 10,
            contracts: coops * 10,
            deliveries: coops * 40,
            distributions: coops * 5,
        }
    } else {
        Scale::UNION
    };
    let mut hub = Ledger::open(&path).unwrap();
    let t = Instant::now();
    generate_union(&mut hub, scale, 11, &mut |m| {
        if !quick {
            eprintln!("    {m}");
        }
    })
    .unwrap();
    let generated = t.elapsed();
    let sec = hub.local_actor().unwrap();
    let agents = field_agents(&hub);
    let coop_ids: Vec<CooperativeId> = hub
        .db()
        .cooperatives()
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    let agent_of: BTreeMap<CooperativeId, AgentId> = agents
        .iter()
        .flat_map(|(a, cs)| cs.iter().map(move |c| (*c, *a)))
        .collect();
    let devices = new_devices(&mut hub, &sec, "M", coop_ids.len());
    // One device replica per cooperative, in memory, synced with the hub in process; each
    // records a day of deliveries, one per transaction, and prepares its push (the replica is
    // then dropped: only its envelope is kept).
    let t = Instant::now();
    let mut rng = Rng(99);
    let mut work = Vec::with_capacity(coop_ids.len());
    let mut envelope_bytes = 0;
    for (i, (coop, device)) in coop_ids.iter().zip(&devices).enumerate() {
        let agent = agent_of[coop];
        let actor = Actor {
            agent,
            device: *device,
        };
        let scope = Scope::Device {
            device: *device,
            agent,
            role: Role::FieldAgent,
            cooperatives: vec![*coop],
        };
        let mut dev = Ledger::with_clock(
            Store::open_in_memory().unwrap(),
            Box::new(sene_app::SystemClock),
        );
        dev.join(&actor).unwrap();
        let peer = device.to_string();
        sync_in_process(&mut hub, &mut dev, &peer, &scope);
        let w = weighing(&dev, *coop);
        record_deliveries(&mut dev, &actor, &w, DAY, 1, &mut rng);
        dev.sync_reset("hub").unwrap();
        let env = dev.sync_outgoing("hub", &Scope::Everything).unwrap();
        envelope_bytes += env.encode().unwrap().len();
        work.push((peer, env, scope));
        if !quick && (i + 1) % 25 == 0 {
            eprintln!("    replicas: {}/{}", i + 1, coop_ids.len());
        }
    }
    let replicas_time = t.elapsed();
    hub.store().checkpoint().unwrap();
    if let Some(c) = &cache {
        save_setup(c, &path, &work);
    }
    let coops = coop_ids.len();
    time_merges(
        dir,
        hub,
        work,
        coops,
        generated,
        replicas_time,
        envelope_bytes,
    )
}

fn time_merges(
    dir: tempfile::TempDir,
    mut hub: Ledger,
    work: Vec<(String, Envelope, Scope)>,
    coops: usize,
    generated: Duration,
    replicas_time: Duration,
    envelope_bytes: usize,
) -> Merge {
    let path = dir.path().join("hub.sqlite");
    let envelope_bytes = if envelope_bytes == 0 {
        work.iter().map(|w| w.1.encode().unwrap().len()).sum()
    } else {
        envelope_bytes
    };
    // a copy of the hub as it is now, for a cold run (documents not yet in memory)
    hub.store().checkpoint().unwrap();
    let cold_path = dir.path().join("hub-cold.sqlite");
    std::fs::copy(&path, &cold_path).unwrap();
    let season_path = dir.path().join("hub-season.sqlite");
    std::fs::copy(&path, &season_path).unwrap();
    let group_path = dir.path().join("hub-group.sqlite");
    std::fs::copy(&path, &group_path).unwrap();
    let server_path = dir.path().join("hub-server.sqlite");
    std::fs::copy(&path, &server_path).unwrap();
    let fsync = fsync_latency(dir.path());
    eprintln!("    timing the hub's exchanges…");
    let before = hub.db().count(Table::Deliveries).unwrap();
    let warm = timed_exchanges(&mut hub, &work, DAY);
    if std::env::var_os("SENE_BENCH_TIMES").is_some() {
        let t: Vec<String> = warm.0.iter().map(|d| format!("{:.1}", ms(*d))).collect();
        eprintln!("    warm exchanges (ms, in order): {}", t.join(" "));
    }
    let after = hub.db().count(Table::Deliveries).unwrap();
    assert_eq!(usize::try_from(after - before).unwrap(), DAY * work.len());
    drop(hub);
    let mut cold_hub = Ledger::open(&cold_path).unwrap();
    let cold = timed_exchanges(&mut cold_hub, &work, DAY);
    drop(cold_hub);
    // The same with only the documents that changed (the season's): what the other messages
    // cost. The hub is warmed first by an exchange of an empty envelope with every device
    // (documents loaded), then such exchanges are timed again: the fixed cost of an exchange
    // (state of the session, answer for every document in scope, commit).
    let mut season_hub = Ledger::open(&season_path).unwrap();
    let empty_work: Vec<_> = work
        .iter()
        .map(|(peer, _, scope)| (peer.clone(), Envelope::default(), scope.clone()))
        .collect();
    timed_exchanges(&mut season_hub, &empty_work, 0);
    let empty = timed_exchanges(&mut season_hub, &empty_work, 0);
    let season_work: Vec<_> = work
        .iter()
        .map(|(peer, env, scope)| {
            let items = env
                .items
                .iter()
                .filter(|(id, m)| id.starts_with("season/") && m.len() > 200)
                .cloned()
                .collect();
            (peer.clone(), Envelope { items }, scope.clone())
        })
        .collect();
    if let Ok(diag) = std::env::var("SENE_BENCH_WAL_DIAG") {
        // what one exchange writes: the WAL after it alone, kept with the file for reading
        // (`dbstat` maps the pages to tables and indexes)
        season_hub.store().checkpoint().unwrap();
        timed_exchanges(&mut season_hub, &season_work[..1], DAY);
        std::fs::create_dir_all(&diag).unwrap();
        for ext in ["", "-wal"] {
            let from = format!("{}{ext}", season_path.display());
            std::fs::copy(&from, Path::new(&diag).join(format!("hub.sqlite{ext}"))).unwrap();
        }
        eprintln!("    one exchange's WAL kept in {diag}");
        std::process::exit(0);
    }
    let season_only = timed_exchanges(&mut season_hub, &season_work, DAY);
    drop(season_hub);
    // the exchanges arriving together on a warm hub, merged in groups
    let mut group_hub = Ledger::open(&group_path).unwrap();
    // as the server runs: its checkpoints in a thread of their own
    let _checkpoints = group_hub
        .store()
        .checkpoint_in_background(None, Duration::from_secs(1))
        .unwrap();
    timed_exchanges(&mut group_hub, &empty_work, 0);
    let before = group_hub.db().count(Table::Deliveries).unwrap();
    let grouped = timed_groups(&mut group_hub, &work, DAY);
    let after = group_hub.db().count(Table::Deliveries).unwrap();
    assert_eq!(usize::try_from(after - before).unwrap(), DAY * work.len());
    drop(group_hub);
    let server = timed_server(&server_path, &work, DAY);
    let merged = Ledger::open(&server_path)
        .unwrap()
        .db()
        .count(Table::Deliveries)
        .unwrap();
    assert_eq!(usize::try_from(merged - before).unwrap(), DAY * work.len());
    Merge {
        coops,
        generated,
        replicas: replicas_time,
        envelope_bytes,
        fsync,
        warm,
        cold,
        season_only,
        empty,
        grouped,
        server,
    }
}

fn cpu_text(cpu: Option<Duration>) -> String {
    cpu.map_or_else(|| "n/a".into(), |c| format!("{:.2} s", c.as_secs_f64()))
}

fn stats(xs: &[Duration]) -> (Duration, Duration, Duration) {
    let total: Duration = xs.iter().sum();
    let mut s = xs.to_vec();
    s.sort();
    let p50 = s[s.len() / 2];
    let max = *s.last().unwrap();
    (total, p50, max)
}

// ---------------------------------------------------------------------------------------------
// 5: the office put back from a backup taken before the union's day, and every device syncing
// again with it, against the same devices' normal sync of that day
// ---------------------------------------------------------------------------------------------

/// Every device's sync with a hub, one device after the other.
#[derive(Debug, Default)]
struct Pass {
    /// The wall time of each device's `client::sync`.
    times: Vec<Duration>,
    /// Request and response bodies as `ClientReport` counts them (the last attempt of a
    /// request: a request the hub answered 409 for an unknown dictionary is in `tcp` only).
    sent: usize,
    received: usize,
    rounds: usize,
    /// Requests the client sent (`Progress::Sending`).
    requests: usize,
    /// What crossed the proxy: bodies of every attempt, HTTP headers, connections.
    tcp: Tally,
    pushed: usize,
    pulled: usize,
    refused: Vec<String>,
    /// Per round of the client's loop, summed over the devices: documents and bytes sent (as
    /// first sent: with the dictionary), documents and bytes received.
    by_round: BTreeMap<usize, [usize; 4]>,
}

impl Pass {
    fn total(&self) -> Duration {
        self.times.iter().sum()
    }
    fn bodies(&self) -> usize {
        self.sent + self.received
    }
}

/// A field device of the restore scenario: its store, who writes on it, where it weighs.
struct Laptop {
    ledger: Ledger,
    actor: Actor,
    /// Known once bootstrapped.
    weighing: Option<Weighing>,
}

fn sync_pass(devices: &mut [Laptop], url: &str, counters: &Counters) -> Pass {
    let mut pass = Pass::default();
    let before = counters.tally();
    for d in devices.iter_mut() {
        let mut requests = 0;
        let by_round = &mut pass.by_round;
        let t = Instant::now();
        let r = client::sync(&mut d.ledger, Some(url), &mut |p| match *p {
            Progress::Sending { round, docs, bytes } => {
                requests += 1;
                let e = by_round.entry(round).or_default();
                e[0] += docs;
                e[1] += bytes;
            }
            Progress::Received {
                round, docs, bytes, ..
            } => {
                let e = by_round.entry(round).or_default();
                e[2] += docs;
                e[3] += bytes;
            }
            Progress::Answered { .. } | Progress::Done => {}
        })
        .unwrap();
        pass.times.push(t.elapsed());
        pass.sent += r.bytes_sent;
        pass.received += r.bytes_received;
        pass.rounds += r.rounds;
        pass.requests += requests;
        pass.pushed += r.pushed.records;
        pass.pulled += r.pulled.records;
        pass.refused.extend(
            r.refused_by_hub
                .iter()
                .map(|x| format!("{}: {}", x.doc, x.reason)),
        );
    }
    pass.tcp = counters.tally() - before;
    pass
}

struct Restore {
    coops: usize,
    generated: Duration,
    bootstrap: Pass,
    backup_time: Duration,
    backup_bytes: u64,
    verify: Duration,
    install: Duration,
    mark: Duration,
    day: Pass,
    /// The passes of every device with the restored office, until it held every delivery.
    resync: Vec<Pass>,
    deliveries: i64,
    audit_breaks: usize,
    /// The first device's push of the day, and its exchange with a copy of the restored
    /// office, round by round.
    day_detail: String,
    detail: String,
}

fn restore_union(quick: bool) -> Restore {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hub.sqlite");
    let coops: u32 = if quick { 20 } else { 150 };
    let scale = if quick {
        Scale {
            cooperatives: coops,
            members: coops * 10,
            contracts: coops * 10,
            deliveries: coops * 40,
            distributions: coops * 5,
        }
    } else {
        Scale::UNION
    };
    let mut hub = Ledger::open(&path).unwrap();
    let t = Instant::now();
    generate_union(&mut hub, scale, 13, &mut |m| {
        if !quick {
            eprintln!("    {m}");
        }
    })
    .unwrap();
    let generated = t.elapsed();
    let sec = hub.local_actor().unwrap();
    let agent_of: BTreeMap<CooperativeId, AgentId> = field_agents(&hub)
        .iter()
        .flat_map(|(a, cs)| cs.iter().map(move |c| (*c, *a)))
        .collect();
    let coop_ids: Vec<CooperativeId> = hub
        .db()
        .cooperatives()
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    let devices = new_devices(&mut hub, &sec, "R", coop_ids.len());
    let mut paired = Vec::new();
    for (coop, device) in coop_ids.iter().zip(&devices) {
        let agent = agent_of[coop];
        let code = enroll::pair(&mut hub, *device, agent, &[*coop])
            .unwrap()
            .code;
        paired.push((*coop, *device, agent, code));
    }
    drop(hub);
    let (url, counters) = start_proxy(start_hub(&path), LOOPBACK);

    // each device enrolled and bootstrapped over HTTP, one cooperative each
    eprintln!("    {} devices enrolled and bootstrapped…", paired.len());
    let mut laptops = Vec::new();
    for (i, (_, device, agent, code)) in paired.iter().enumerate() {
        let mut ledger = Ledger::open(&dir.path().join(format!("device-{i}.sqlite"))).unwrap();
        client::enroll(&mut ledger, &url, *device, code).unwrap();
        laptops.push(Laptop {
            ledger,
            actor: Actor {
                agent: *agent,
                device: *device,
            },
            weighing: None,
        });
    }
    let bootstrap = sync_pass(&mut laptops, &url, &counters);
    assert!(bootstrap.refused.is_empty(), "{:?}", bootstrap.refused);
    for (l, (coop, ..)) in laptops.iter_mut().zip(&paired) {
        l.weighing = Some(weighing(&l.ledger, *coop));
    }

    // the office's backup, taken while its hub serves, before the day
    let office = Ledger::open(&path).unwrap();
    let t = Instant::now();
    let made = office
        .backup_into(&dir.path().join("cle-usb"), None)
        .unwrap();
    let backup_time = t.elapsed();
    drop(office);

    // the union's day: each device records a day of deliveries, one per transaction, then all
    // sync with the office one after the other
    eprintln!("    the day: {DAY} deliveries on each device, then each syncs…");
    let mut rng = Rng(17);
    for l in &mut laptops {
        let w = l.weighing.as_ref().unwrap();
        let (ids, _) = record_deliveries(&mut l.ledger, &l.actor, w, DAY, 1, &mut rng);
        assert_eq!(ids.len(), DAY);
    }
    // what the first device's push of the day holds (on a copy of its store: the push itself
    // is untouched)
    let day_detail = {
        laptops[0].ledger.store().checkpoint().unwrap();
        let copy = dir.path().join("device-0-day.sqlite");
        std::fs::copy(dir.path().join("device-0.sqlite"), &copy).unwrap();
        let mut dev = Ledger::open(&copy).unwrap();
        dev.sync_reset("hub").unwrap();
        let up = dev.sync_outgoing("hub", &Scope::Everything).unwrap();
        envelope_text(&up)
    };
    let day = sync_pass(&mut laptops, &url, &counters);
    assert!(day.refused.is_empty(), "{:?}", day.refused);
    assert!(day.pushed >= DAY * laptops.len(), "{day:?}");
    let deliveries = Ledger::open(&path)
        .unwrap()
        .db()
        .count(Table::Deliveries)
        .unwrap();

    // the office's disk is lost: the backup is checked and put back on another machine, and a
    // hub serves it there; every device syncs with it again
    let restored = dir.path().join("neuf").join("hub.sqlite");
    let t = Instant::now();
    let manifest = sene_store::backup::verify(&made.file, None).unwrap();
    let verify = t.elapsed();
    let t = Instant::now();
    sene_store::backup::install(&made.file, &restored, "20270114-200000").unwrap();
    let install = t.elapsed();
    let t = Instant::now();
    Ledger::open(&restored)
        .unwrap()
        .mark_restored(&manifest, &made.file, None)
        .unwrap();
    let mark = t.elapsed();
    // what the first device says to the restored office, round by round: its exchange with a
    // copy of it, in process (no HTTP, no dictionary), each message's chunks by kind
    let detail = {
        let hub_copy = dir.path().join("restored-copy.sqlite");
        std::fs::copy(&restored, &hub_copy).unwrap();
        let dev_copy = dir.path().join("device-0-copy.sqlite");
        laptops[0].ledger.store().checkpoint().unwrap();
        std::fs::copy(dir.path().join("device-0.sqlite"), &dev_copy).unwrap();
        let mut h = Ledger::open(&hub_copy).unwrap();
        let mut dev = Ledger::open(&dev_copy).unwrap();
        let (coop, device, agent, _) = &paired[0];
        let scope = Scope::Device {
            device: *device,
            agent: *agent,
            role: Role::FieldAgent,
            cooperatives: vec![*coop],
        };
        let peer = device.to_string();
        dev.sync_reset("hub").unwrap();
        h.sync_reset(&peer).unwrap();
        let mut lines = Vec::new();
        for round in 1..=client::MAX_ROUNDS {
            let up = dev.sync_outgoing("hub", &Scope::Everything).unwrap();
            let (report, down) = h.sync_exchange(&peer, &up, &scope).unwrap();
            dev.sync_incoming("hub", &down, &Scope::Everything).unwrap();
            lines.push(format!(
                "round {round}: up {}, down {} B deflated, {} records merged",
                envelope_text(&up),
                down.encode().unwrap().len(),
                report.records
            ));
            if up.items.is_empty() && down.items.is_empty() {
                break;
            }
        }
        lines.join(" · ")
    };
    let (url2, counters2) = start_proxy(start_hub(&restored), LOOPBACK);
    eprintln!("    every device syncs with the restored office…");
    let mut resync = Vec::new();
    loop {
        let pass = sync_pass(&mut laptops, &url2, &counters2);
        resync.push(pass);
        let back = Ledger::open(&restored)
            .unwrap()
            .db()
            .count(Table::Deliveries)
            .unwrap();
        if back == deliveries {
            break;
        }
        assert!(
            resync.len() < 3,
            "the restored office holds {back} deliveries of {deliveries} after {} passes",
            resync.len()
        );
    }
    let audit_breaks = Ledger::open(&restored)
        .unwrap()
        .db()
        .audit_breaks()
        .unwrap()
        .len();
    Restore {
        coops: laptops.len(),
        generated,
        bootstrap,
        backup_time,
        backup_bytes: made.manifest.bytes,
        verify,
        install,
        mark,
        day,
        resync,
        deliveries,
        audit_breaks,
        day_detail,
        detail,
    }
}

/// An envelope's size deflated alone, and each item's size and chunks.
fn envelope_text(env: &Envelope) -> String {
    let items: Vec<String> = env
        .items
        .iter()
        .map(|(id, m)| match chunk_kinds(m) {
            Some(k) if !k.is_empty() => {
                format!("`{}` {} B, chunks (kind, B) {k:?}", short_doc(id), m.len())
            }
            _ => format!("`{}` {} B", short_doc(id), m.len()),
        })
        .collect();
    format!(
        "{} B deflated [{}]",
        env.encode().unwrap().len(),
        items.join("; ")
    )
}

fn ratio(a: f64, b: f64) -> String {
    if b > 0.0 {
        format!("{:.2}×", a / b)
    } else {
        "n/a".into()
    }
}

fn pass_text(p: &Pass) -> String {
    let mut times = p.times.clone();
    times.sort();
    let rounds: Vec<String> = p
        .by_round
        .iter()
        .map(|(r, [ds, bs, dr, br])| {
            format!("round {r}: {ds} documents, {bs} B sent · {dr} documents, {br} B received")
        })
        .collect();
    format!(
        "{} B up + {} B down = **{} B** of bodies ({} B up + {} B down on TCP incl. HTTP headers and retried requests); {} rounds, {} requests ({}); {} records pushed, {} pulled; **{:.2} s** in all (median {:.1} ms, max {:.1} ms a device)",
        p.sent,
        p.received,
        p.bodies(),
        p.tcp.up,
        p.tcp.down,
        p.rounds,
        p.requests,
        rounds.join("; "),
        p.pushed,
        p.pulled,
        p.total().as_secs_f64(),
        ms(times[times.len() / 2]),
        ms(*times.last().unwrap())
    )
}

// ---------------------------------------------------------------------------------------------
// 6: a real burst: every field laptop of the union pushing its day at the same moment, over
// HTTP on loopback, to a hub in a process of its own
// ---------------------------------------------------------------------------------------------

/// Targets of the burst: a union's 150 laptops, and 600 (a union four times as large).
const BURST_MAX: Duration = Duration::from_millis(500);
const BURST4_MAX: Duration = Duration::from_millis(2_200);
/// Set (to a store's path) in the hub's own process, which the bench starts from its own
/// binary.
const HUB_CHILD: &str = "SENE_BENCH_HUB_CHILD";

/// Nanoseconds since the Unix epoch: the hub's process and the devices' share this clock.
fn now_ns() -> u64 {
    u64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos(),
    )
    .unwrap()
}

/// A field of `/proc/self/status` in kB (`VmRSS`, `VmHWM`).
fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// The hub's writer thread (`sene-hub-writer`): its time on a processor and its time waiting
/// for one, in ns (`/proc/self/task/<tid>/schedstat`).
fn writer_schedstat() -> (u64, u64) {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return (0, 0);
    };
    for t in tasks.flatten() {
        let comm = std::fs::read_to_string(t.path().join("comm")).unwrap_or_default();
        if comm.trim() == "sene-hub-writer" {
            let s = std::fs::read_to_string(t.path().join("schedstat")).unwrap_or_default();
            let f: Vec<u64> = s
                .split_whitespace()
                .filter_map(|x| x.parse().ok())
                .collect();
            return (
                f.first().copied().unwrap_or(0),
                f.get(1).copied().unwrap_or(0),
            );
        }
    }
    (0, 0)
}

/// Bytes handed to `write` so far (`wchar` of `/proc/<…>/io`): by the whole hub process, and
/// by its writer thread alone (the WAL's frames; the rest is mostly the checkpoints copying
/// them into the store).
fn written_bytes() -> (u64, u64) {
    let wchar = |dir: &Path| -> u64 {
        std::fs::read_to_string(dir.join("io"))
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix("wchar:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    };
    let all = wchar(Path::new("/proc/self"));
    let writer = std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
        .find(|t| {
            std::fs::read_to_string(t.path().join("comm"))
                .unwrap_or_default()
                .trim()
                == "sene-hub-writer"
        })
        .map_or(0, |t| wchar(&t.path()));
    (all, writer)
}

/// The system's processor time (`/proc/stat`, in ticks): all of it, and what the hypervisor
/// gave to other machines (steal).
fn cpu_ticks() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let Some(line) = stat.lines().find(|l| l.starts_with("cpu ")) else {
        return (0, 0);
    };
    let f: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    (f.iter().sum(), f.get(7).copied().unwrap_or(0))
}

/// The hub's debug line of each group it merges (`Hub::merge_group`), its fields as text.
type Groups = Arc<std::sync::Mutex<Vec<BTreeMap<String, String>>>>;

struct GroupLines(Groups);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for GroupLines {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        let mut f = BTreeMap::new();
        event.record(&mut Fields(&mut f));
        if f.contains_key("total_us") {
            self.0.lock().unwrap().push(f);
        }
    }
}

/// The hub's process: what `sene hub serve` runs on a plain-HTTP store (`sene_hub::serve`'s
/// steps: two connections to the store, its checkpoints in a thread of their own,
/// `Hub::with_reader`, `router` on a `TcpListener`, the same multi-threaded runtime), with its
/// log at `info` on stderr, plus what the bench reads: each `/v1/sync` request's arrival and
/// answer (a layer around the router), and the groups' debug lines. Commands on stdin, one a
/// line: `mark` (resets the peak RSS and the records), `count` (deliveries in the store),
/// `report` (JSON); stdin closed: the server stops.
fn hub_child(store: &Path) {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::Layer;
    let groups: Groups = Arc::default();
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_target(false)
                .with_writer(std::io::stderr)
                .with_filter(tracing_subscriber::EnvFilter::new("info")),
        )
        .with(
            GroupLines(Arc::clone(&groups)).with_filter(tracing_subscriber::filter::filter_fn(
                |m| m.target() == "sene_hub::server" && *m.level() == tracing::Level::DEBUG,
            )),
        )
        .init();
    // arrival, answer (ns since the epoch), status
    let stamps: Arc<std::sync::Mutex<Vec<(u64, u64, u16)>>> = Arc::default();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let store = store.to_path_buf();
    rt.block_on(async move {
        let ledger = Ledger::open(&store).unwrap();
        ledger.union().unwrap();
        let reader = Ledger::open(&store).unwrap();
        let _checkpoints = ledger
            .store()
            .checkpoint_in_background(None, Duration::from_secs(1))
            .unwrap();
        let counter = Ledger::open(&store).unwrap();
        let hub = sene_hub::Hub::with_reader(ledger, reader);
        let s = Arc::clone(&stamps);
        let app = sene_hub::router(hub).layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| {
                let s = Arc::clone(&s);
                async move {
                    let sync = req.uri().path() == "/v1/sync";
                    let at = now_ns();
                    let resp = next.run(req).await;
                    if sync {
                        s.lock()
                            .unwrap()
                            .push((at, now_ns(), resp.status().as_u16()));
                    }
                    resp
                }
            },
        ));
        let listener = sene_hub::listener("127.0.0.1:0".parse().unwrap()).unwrap();
        println!("ready {}", listener.local_addr().unwrap());
        std::io::stdout().flush().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            let mut rss_at_mark = status_kb("VmRSS:");
            let mut writer_at_mark = writer_schedstat();
            let mut cpu_at_mark = cpu_time();
            let mut faults_at_mark = minor_faults();
            let mut written_at_mark = written_bytes();
            for line in std::io::stdin().lines() {
                let Ok(line) = line else { break };
                let answer = match line.trim() {
                    "mark" => {
                        let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
                        stamps.lock().unwrap().clear();
                        groups.lock().unwrap().clear();
                        rss_at_mark = status_kb("VmRSS:");
                        writer_at_mark = writer_schedstat();
                        cpu_at_mark = cpu_time();
                        faults_at_mark = minor_faults();
                        written_at_mark = written_bytes();
                        format!("{{\"reset\":{reset},\"rss_kb\":{rss_at_mark}}}")
                    }
                    "count" => counter.db().count(Table::Deliveries).unwrap().to_string(),
                    "report" => serde_json::json!({
                        "stamps": *stamps.lock().unwrap(),
                        "groups": *groups.lock().unwrap(),
                        "rss_at_mark_kb": rss_at_mark,
                        "rss_kb": status_kb("VmRSS:"),
                        "hwm_kb": status_kb("VmHWM:"),
                        "writer_cpu_ns": writer_schedstat().0 - writer_at_mark.0,
                        "writer_wait_ns": writer_schedstat().1 - writer_at_mark.1,
                        "cpu_ms": cpu_time().zip(cpu_at_mark).map(|(a, b)| ms(a - b)),
                        "minor_faults": minor_faults().zip(faults_at_mark).map(|(a, b)| a - b),
                        "written": written_bytes().0.saturating_sub(written_at_mark.0),
                        "writer_written": written_bytes().1.saturating_sub(written_at_mark.1),
                    })
                    .to_string(),
                    other => format!("unknown command {other}"),
                };
                println!("{answer}");
                std::io::stdout().flush().unwrap();
            }
            let _ = stop.send(());
        });
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
            .unwrap();
    });
}

/// A hub in a process of its own (this binary, started with [`HUB_CHILD`]).
struct HubProcess {
    child: std::process::Child,
    stdin: Option<std::process::ChildStdin>,
    out: std::io::BufReader<std::process::ChildStdout>,
    url: String,
    log: std::path::PathBuf,
}

impl HubProcess {
    fn start(store: &Path) -> HubProcess {
        use std::io::BufRead;
        let log = store.with_extension("log");
        let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
        if let Ok(v) = std::env::var("SENE_BENCH_HUB_THP") {
            cmd.env("MIMALLOC_ALLOW_THP", v);
        }
        let mut child = cmd
            .env(HUB_CHILD, store)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let addr = line
            .trim()
            .strip_prefix("ready ")
            .unwrap_or_else(|| {
                panic!(
                    "the hub did not start: {line:?}, {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            })
            .to_owned();
        HubProcess {
            child,
            stdin,
            out,
            url: format!("http://{addr}"),
            log,
        }
    }

    fn ask(&mut self, command: &str) -> String {
        use std::io::BufRead;
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{command}").unwrap();
        stdin.flush().unwrap();
        let mut line = String::new();
        self.out.read_line(&mut line).unwrap();
        line.trim().to_owned()
    }

    fn deliveries(&mut self) -> i64 {
        self.ask("count").parse().unwrap()
    }

    fn stop(mut self) {
        drop(self.stdin.take());
        let status = self.child.wait().unwrap();
        assert!(
            status.success(),
            "hub: {status}, {}",
            std::fs::read_to_string(&self.log).unwrap_or_default()
        );
    }
}

/// The system's TCP counters (`/proc/net/netstat`, `TcpExt`): a listen queue that overflowed
/// drops a connection's handshake (the laptop tries again a second later), or, its SYN queue
/// full too, answers with a cookie and then resets the connection.
fn tcp_counters() -> BTreeMap<String, u64> {
    let text = std::fs::read_to_string("/proc/net/netstat").unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("TcpExt:")).collect();
    let mut out = BTreeMap::new();
    if let [names, values] = lines[..] {
        for (n, v) in names
            .split_whitespace()
            .zip(values.split_whitespace())
            .skip(1)
        {
            if ["ListenOverflows", "SyncookiesSent"].contains(&n) {
                out.insert(n.to_owned(), v.parse().unwrap_or(0));
            }
        }
    }
    out
}

/// This thread's id, for `renice`.
fn thread_id() -> Option<String> {
    let me = std::fs::read_link("/proc/thread-self").ok()?;
    Some(me.file_name()?.to_str()?.to_owned())
}

/// How the laptops yield the two cores to the hub once they have sent
/// (`SENE_BENCH_BURST_NICE`): in the field each has its own processor, here they share the
/// hub's.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Yield {
    /// `SCHED_IDLE` (`chrt --idle`, weight 3): they run when the hub leaves a core idle (the
    /// default, `idle`).
    Idle,
    /// nice 19 (`renice`, weight 15 each, against 1,024 for each of the hub's threads): 256
    /// laptops applying their answers outweigh the hub's busy threads (`19`).
    Nice,
    /// Left at the hub's priority (`0`).
    No,
}

impl Yield {
    fn from_env() -> Yield {
        match std::env::var("SENE_BENCH_BURST_NICE").as_deref() {
            Ok("0") => Yield::No,
            Ok("19") => Yield::Nice,
            _ => Yield::Idle,
        }
    }
}

/// Field 41 of a thread's `stat` (its scheduling policy, 5 for `SCHED_IDLE`) or 19 (its nice
/// value), counted after the command's name in parentheses; `None` for this thread.
fn thread_stat(tid: Option<&str>, field: usize) -> Option<i64> {
    let path = tid.map_or_else(
        || "/proc/thread-self/stat".to_owned(),
        |t| format!("/proc/self/task/{t}/stat"),
    );
    let stat = std::fs::read_to_string(path).ok()?;
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(field - 3)?
        .parse()
        .ok()
}

/// Lowers the laptops' threads as `how` says; what the first reads back ("SCHED_IDLE",
/// "nice 19").
fn yield_threads(how: Yield, tids: &[String]) -> Option<String> {
    let first = tids.first()?;
    match how {
        Yield::No => None,
        Yield::Nice => {
            std::process::Command::new("renice")
                .args(["-n", "19", "-p"])
                .args(tids)
                .stdout(std::process::Stdio::null())
                .status()
                .ok()?;
            Some(format!("nice {}", thread_stat(Some(first), 19)?))
        }
        Yield::Idle => {
            // every thread of this process at once (one `chrt` takes one id): the bench's own
            // thread, which only waits for them, then the laptops; put back after the burst.
            // `chrt` stops at a thread that ended meanwhile (a laptop of the quick mode done):
            // the laptops after it stay as they were, and this thread says what it got
            let _ = sched_all(true);
            (thread_stat(None, 41)? == 5).then(|| "SCHED_IDLE".to_owned())
        }
    }
}

/// Every thread of this process to `SCHED_IDLE`, or back to the normal policy; whether
/// `chrt` did it for every one (a machine without it leaves the laptops at the hub's
/// priority, and the burst's details say so).
fn sched_all(idle: bool) -> bool {
    let policy = if idle { "--idle" } else { "--other" };
    std::process::Command::new("chrt")
        .args([policy, "-a", "-p", "0", &std::process::id().to_string()])
        .stdout(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A store's file and its WAL, copied.
fn copy_store(from: &Path, to: &Path) {
    std::fs::copy(from, to).unwrap();
    for ext in ["-wal", "-shm"] {
        let (f, t) = (
            format!("{}{ext}", from.display()),
            format!("{}{ext}", to.display()),
        );
        if Path::new(&f).exists() {
            std::fs::copy(&f, &t).unwrap();
        } else {
            let _ = std::fs::remove_file(&t);
        }
    }
}

/// The laptops that have read their first answer, until all `n` have
/// (`SENE_BENCH_BURST_HOLD`): a barrier that gives up after a minute, so that a laptop whose
/// sync failed before its answer does not hang the others (its error is reported after).
struct Held {
    n: usize,
    count: std::sync::Mutex<usize>,
    all: std::sync::Condvar,
}

impl Held {
    fn new(n: usize) -> Held {
        Held {
            n,
            count: std::sync::Mutex::new(0),
            all: std::sync::Condvar::new(),
        }
    }

    fn wait(&self) {
        let mut c = self.count.lock().unwrap();
        *c += 1;
        if *c >= self.n {
            self.all.notify_all();
            return;
        }
        let _ = self
            .all
            .wait_timeout_while(c, Duration::from_secs(60), |c| *c < self.n)
            .unwrap();
    }
}

/// Reads a store (and its WAL) through, and how long that took. The office's store is then in
/// the OS's page cache as it is for an office that has served all day, on a machine of its own:
/// here the 600 laptops of the burst run on the hub's machine, and opening their stores and
/// preparing their pushes filled its memory; the kernel then dropped from its cache the
/// oldest pages it held, those of the hub's store (copied before the laptops' stores, touched
/// once) among them, and at 600 the writer read them again during the burst (its profile: 8 %
/// of its samples reading pages from the file, 5 % down to the block device; none at 150).
/// Read twice, the pages count as in use and stay.
fn warm_os_cache(path: &Path) -> Duration {
    let t = Instant::now();
    let mut buf = vec![0u8; 1 << 20];
    for ext in ["", "-wal"] {
        if let Ok(mut f) = std::fs::File::open(format!("{}{ext}", path.display())) {
            while matches!(f.read(&mut buf), Ok(k) if k > 0) {}
        }
    }
    t.elapsed()
}

fn remove_store(path: &Path) {
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
    }
}

/// Runs `job(i)` for `i` in `0..n` on `workers` threads.
fn in_parallel(n: usize, workers: usize, job: impl Fn(usize) + Sync) {
    let next = AtomicU64::new(0);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = usize::try_from(next.fetch_add(1, Ordering::SeqCst)).unwrap();
                if i >= n {
                    break;
                }
                job(i);
            });
        }
    });
}

/// The union's hub and its laptops, ready for bursts: `hub.sqlite`, the office's store after
/// every laptop's enrollment and first sync; `pre-<i>.sqlite`, laptop `i` as it was then (its
/// morning); `day-<i>.sqlite`, the same laptop with its day recorded (`day` deliveries, one per
/// transaction), not yet synced.
struct BurstSetup {
    dir: std::path::PathBuf,
    _temp: Option<tempfile::TempDir>,
    devices: usize,
    day: usize,
    scale: Scale,
    /// Generation, enrollments and first syncs, days recorded; `None` when read from the cache.
    times: Option<[Duration; 3]>,
}

fn burst_setup(coops: u32, day: usize, quick: bool) -> BurstSetup {
    let scale = if quick {
        Scale {
            cooperatives: coops,
            members: coops * 10,
            contracts: coops * 10,
            deliveries: coops * 20,
            distributions: coops * 4,
        }
    } else {
        // Scale::UNION's density (DOMAIN.md), `coops` cooperatives: Scale::UNION itself at 150
        let of = |n: u32| u32::try_from(u64::from(n) * u64::from(coops) / 150).unwrap();
        Scale {
            cooperatives: coops,
            members: of(Scale::UNION.members),
            contracts: of(Scale::UNION.contracts),
            deliveries: of(Scale::UNION.deliveries),
            distributions: of(Scale::UNION.distributions),
        }
    };
    let devices = usize::try_from(coops).unwrap();
    // SENE_BENCH_BURST_CACHE=dir keeps the setup (several minutes at 4×) for later runs
    let (dir, temp) = match std::env::var_os("SENE_BENCH_BURST_CACHE") {
        Some(c) => {
            let d = Path::new(&c).join(format!(
                "{}-{coops}-{day}",
                if quick { "quick" } else { "full" }
            ));
            if d.join("done").exists() {
                eprintln!("    setup read from {}", d.display());
                return BurstSetup {
                    dir: d,
                    _temp: None,
                    devices,
                    day,
                    scale,
                    times: None,
                };
            }
            std::fs::create_dir_all(&d).unwrap();
            (d, None)
        }
        None => {
            let t = tempfile::tempdir_in(std::env::temp_dir()).unwrap();
            (t.path().to_path_buf(), Some(t))
        }
    };
    let path = dir.join("hub.sqlite");
    remove_store(&path);
    let mut hub = Ledger::open(&path).unwrap();
    let t = Instant::now();
    generate_union(&mut hub, scale, 23, &mut |m| {
        if !quick {
            eprintln!("    {m}");
        }
    })
    .unwrap();
    let generated = t.elapsed();
    let sec = hub.local_actor().unwrap();
    let agent_of: BTreeMap<CooperativeId, AgentId> = field_agents(&hub)
        .iter()
        .flat_map(|(a, cs)| cs.iter().map(move |c| (*c, *a)))
        .collect();
    let coop_ids: Vec<CooperativeId> = hub
        .db()
        .cooperatives()
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(coop_ids.len(), devices);
    let ids = new_devices(&mut hub, &sec, "B", devices);
    let mut paired = Vec::new();
    for (coop, device) in coop_ids.iter().zip(&ids) {
        let agent = agent_of[coop];
        let code = enroll::pair(&mut hub, *device, agent, &[*coop])
            .unwrap()
            .code;
        paired.push((*coop, *device, agent, code));
    }
    drop(hub);
    // each laptop enrolled and synced over HTTP, as in the field; a copy of it kept (its
    // morning); then its day recorded
    let server = HubProcess::start(&path);
    let t = Instant::now();
    let done = AtomicU64::new(0);
    let enrolled = std::sync::Mutex::new(Duration::ZERO);
    let recorded = std::sync::Mutex::new(Duration::ZERO);
    in_parallel(devices, 3, |i| {
        let (coop, device, agent, code) = &paired[i];
        let p = dir.join(format!("day-{i}.sqlite"));
        remove_store(&p);
        let t = Instant::now();
        let mut l = Ledger::open(&p).unwrap();
        client::enroll(&mut l, &server.url, *device, code).unwrap();
        let r = client::sync(&mut l, Some(&server.url), &mut |_| {}).unwrap();
        assert!(r.refused_by_hub.is_empty(), "{:?}", r.refused_by_hub);
        drop(l);
        *enrolled.lock().unwrap() += t.elapsed();
        copy_store(&p, &dir.join(format!("pre-{i}.sqlite")));
        let t = Instant::now();
        let mut l = Ledger::open(&p).unwrap();
        let w = weighing(&l, *coop);
        let actor = Actor {
            agent: *agent,
            device: *device,
        };
        let mut rng = Rng(1_000 + i as u64);
        let (got, _) = record_deliveries(&mut l, &actor, &w, day, 1, &mut rng);
        assert_eq!(got.len(), day);
        drop(l);
        *recorded.lock().unwrap() += t.elapsed();
        let n = done.fetch_add(1, Ordering::SeqCst) + 1;
        if !quick && n.is_multiple_of(50) {
            eprintln!("    laptops: {n}/{devices}");
        }
    });
    let wall = t.elapsed();
    server.stop();
    // the two phases ran interleaved on 3 threads: their shares of the wall time
    let (e, r) = (*enrolled.lock().unwrap(), *recorded.lock().unwrap());
    let share = |x: Duration| wall.mul_f64(x.as_secs_f64() / (e + r).as_secs_f64().max(1e-9));
    std::fs::write(dir.join("done"), "").unwrap();
    BurstSetup {
        dir,
        _temp: temp,
        devices,
        day,
        scale,
        times: Some([generated, share(e), share(r)]),
    }
}

/// One burst, on fresh copies of the setup's stores.
struct BurstRun {
    load: String,
    /// From the first request sent to the last answer leaving the hub.
    wall: Duration,
    /// From the first request's arrival at the hub to the last answer leaving it.
    hub_wall: Duration,
    /// From the first request sent until the last laptop had applied its answer.
    devices_done: Duration,
    /// How long the laptops took to send their requests (last sent − first sent).
    spread: Duration,
    requests: usize,
    statuses: BTreeMap<u16, usize>,
    rounds: usize,
    bytes_up: usize,
    bytes_down: usize,
    merged: i64,
    /// The groups the hub merged: their debug lines.
    groups: Vec<BTreeMap<String, String>>,
    rss_before_kb: u64,
    hwm_kb: u64,
    rss_after_kb: u64,
    /// The morning's syncs (warming the hub), one per laptop, on 3 threads.
    morning: Duration,
    /// The hub's store read through before the laptops sent ([`warm_os_cache`]), in this time;
    /// `None`: not (`SENE_BENCH_BURST_OS_CACHE=cold`, or one by one).
    warmed: Option<Duration>,
    /// The writer thread's time on a processor and waiting for one, the hub process's CPU
    /// time, over the burst.
    writer_cpu: Duration,
    writer_wait: Duration,
    hub_cpu: Option<f64>,
    /// The hub's minor page faults during the burst.
    hub_faults: Option<u64>,
    /// Bytes the hub wrote during the burst: all its threads, and the writer's alone.
    hub_written: u64,
    writer_written: u64,
    /// The share of the machine's processor time stolen by the hypervisor, from the requests'
    /// release to the last laptop's end.
    steal: f64,
    /// Each laptop after the previous one's answer (SENE_BENCH_BURST_ONE_BY_ONE).
    one_by_one: bool,
    /// How the laptops yielded the cores once they had sent ("SCHED_IDLE", "nice 19"), as
    /// read back; none when they did not.
    niced: Option<String>,
    /// Whether each laptop applied its answer only once every laptop had its own (`Held`).
    held: bool,
    /// The system's TCP counters over the burst (see `tcp_counters`).
    tcp: BTreeMap<String, u64>,
}

fn run_burst(setup: &BurstSetup, work: &Path) -> BurstRun {
    let n = setup.devices;
    let hub_path = work.join("hub.sqlite");
    copy_store(&setup.dir.join("hub.sqlite"), &hub_path);
    // the laptops' stores: SENE_BENCH_BURST_LAPTOPS=dir puts them elsewhere (a tmpfs: in the
    // field each has its own disk, here they would share the hub's; 600 take 1.7 GB)
    let laptops = std::env::var_os("SENE_BENCH_BURST_LAPTOPS").map(std::path::PathBuf::from);
    let work = laptops.as_deref().unwrap_or(work);
    // a fresh tmpfs has no such folder yet
    std::fs::create_dir_all(work).unwrap();
    for i in 0..n {
        copy_store(
            &setup.dir.join(format!("day-{i}.sqlite")),
            &work.join(format!("day-{i}.sqlite")),
        );
    }
    let mut hub = HubProcess::start(&hub_path);
    let url = hub.url.clone();
    // the morning: every laptop syncs (nothing of the day yet), so the hub holds the union's
    // documents as it does after a day of serving
    let t = Instant::now();
    in_parallel(n, 3, |i| {
        let p = work.join(format!("pre-{i}.sqlite"));
        copy_store(&setup.dir.join(format!("pre-{i}.sqlite")), &p);
        let mut l = Ledger::open(&p).unwrap();
        let r = client::sync(&mut l, Some(&url), &mut |_| {}).unwrap();
        assert!(r.refused_by_hub.is_empty(), "{:?}", r.refused_by_hub);
        // the laptop then records its day (`day-<i>`, made from `pre-<i>` at setup): it holds
        // the compression dictionary of this morning's exchange, not the one before it (as
        // if the morning's reply had been lost: what the bench measured before 2026-12-07 (4))
        let dict = l.setting(client::keys::HUB_DICT).unwrap().unwrap();
        drop(l);
        remove_store(&p);
        Ledger::open(&work.join(format!("day-{i}.sqlite")))
            .unwrap()
            .set_setting(client::keys::HUB_DICT, &dict)
            .unwrap();
    });
    let morning = t.elapsed();
    // the hours between: its checkpoints catch up (the background checkpoint waits for a
    // second without commits, then copies the morning's WAL: 3 s, so that it is done before
    // the burst, as it is hours before in the field)
    std::thread::sleep(Duration::from_secs(3));
    let before = hub.deliveries();
    let load = std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    let mark: Value = serde_json::from_str(&hub.ask("mark")).unwrap();
    assert!(
        mark["reset"].as_bool().unwrap(),
        "the peak RSS could not be reset"
    );
    // every laptop opens its store and prepares its push (its own work, before it sends);
    // they wait for one another just before sending, then all send at once
    // SENE_BENCH_BURST_ONE_BY_ONE=1: the same day, each laptop after the previous one's
    // answer (what a burst costs the hub's memory over the same syncs spread out)
    let one_by_one = std::env::var_os("SENE_BENCH_BURST_ONE_BY_ONE").is_some();
    let barrier = std::sync::Barrier::new(if one_by_one { 1 } else { n + 1 });
    // once every laptop is ready (its store open, its push prepared), the hub's store is read
    // through before they send (see `warm_os_cache`); then they all go
    let go = std::sync::Barrier::new(if one_by_one { 1 } else { n + 1 });
    let cold = std::env::var("SENE_BENCH_BURST_OS_CACHE").as_deref() == Ok("cold");
    // Each laptop, its first answer read, waits (asleep) until every laptop has its own, then
    // applies it (`SENE_BENCH_BURST_HOLD=0`: applies it at once, at `SCHED_IDLE` as below).
    // In the field each applies on its own processor. Here they share the hub's two cores,
    // and `SCHED_IDLE` is a weight (3 against 1,024), not a rank: 256 laptops applying the
    // answers of one group weigh three-quarters of a thread against the writer merging the
    // next one.
    let hold = !one_by_one && std::env::var("SENE_BENCH_BURST_HOLD").as_deref() != Ok("0");
    let held = Held::new(if hold { n } else { 0 });
    let mut warmed = None;
    let turn = (std::sync::Mutex::new(0usize), std::sync::Condvar::new());
    let day = setup.day;
    let how = if one_by_one {
        Yield::No
    } else {
        Yield::from_env()
    };
    let tcp_before = tcp_counters();
    let mut niced = None;
    let mut steal = 0.0;
    // the laptops' threads, and how many have sent
    let tids = std::sync::Mutex::new(Vec::new());
    let sending = AtomicU64::new(0);
    let results: Vec<Result<(ClientReport, u64, u64, usize), String>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let (barrier, go, url, tids, sending, turn, held) =
                    (&barrier, &go, &url, &tids, &sending, &turn, &held);
                let p = work.join(format!("day-{i}.sqlite"));
                s.spawn(move || {
                    tids.lock().unwrap().extend(thread_id());
                    let mut l = Ledger::open(&p).unwrap();
                    let mut sent = 0;
                    let mut requests = 0;
                    let r = client::sync(&mut l, Some(url), &mut |p| {
                        if let (Progress::Answered { round: 1, .. }, true) = (p, hold) {
                            held.wait();
                        }
                        if let Progress::Sending { round, .. } = p {
                            if *round == 1 {
                                if one_by_one {
                                    let mut t = turn.0.lock().unwrap();
                                    while *t != i {
                                        t = turn.1.wait(t).unwrap();
                                    }
                                } else {
                                    barrier.wait();
                                    go.wait();
                                }
                                sent = now_ns();
                                sending.fetch_add(1, Ordering::SeqCst);
                            }
                            requests += 1;
                        }
                    })
                    .map_err(|e| format!("laptop {i}: {e}"));
                    if one_by_one {
                        *turn.0.lock().unwrap() += 1;
                        turn.1.notify_all();
                    }
                    let r = r?;
                    let done = now_ns();
                    assert!(r.refused_by_hub.is_empty(), "{:?}", r.refused_by_hub);
                    assert!(r.pushed.records >= day, "{r:?}");
                    Ok((r, sent, done, requests))
                })
            })
            .collect();
        if !one_by_one {
            barrier.wait();
            if !cold {
                warmed = Some(warm_os_cache(&hub_path));
            }
            go.wait();
        }
        let ticks = cpu_ticks();
        perf_control("enable");
        if how != Yield::No {
            // the laptops send at the hub's priority, all at once; once they have (each past
            // its callback, and 20 ms to connect and write), they yield: applying their
            // answers, they then take only what the hub leaves of the two cores (in the field
            // each has its own processor)
            while sending.load(Ordering::SeqCst) < n as u64 {
                std::thread::sleep(Duration::from_millis(1));
            }
            std::thread::sleep(Duration::from_millis(20));
            niced = yield_threads(how, &tids.lock().unwrap());
        }
        let out = handles.into_iter().map(|h| h.join().unwrap()).collect();
        perf_control("disable");
        if how == Yield::Idle {
            let _ = sched_all(false);
            assert_ne!(
                thread_stat(None, 41),
                Some(5),
                "chrt could not put the bench's thread back"
            );
        }
        let after = cpu_ticks();
        steal = (after.1 - ticks.1) as f64 / (after.0 - ticks.0).max(1) as f64;
        out
    });
    let tcp_after = tcp_counters();
    let tcp: BTreeMap<String, u64> = tcp_after
        .iter()
        .map(|(k, v)| (k.clone(), v - tcp_before.get(k).copied().unwrap_or(0)))
        .collect();
    let report: Value = serde_json::from_str(&hub.ask("report")).unwrap();
    let after = hub.deliveries();
    let failed: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    if !failed.is_empty() {
        let log = std::fs::read_to_string(&hub.log).unwrap_or_default();
        let warnings: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("WARN") || l.contains("ERROR"))
            .take(10)
            .collect();
        let stamps: Vec<(u64, u64, u16)> =
            serde_json::from_value(report["stamps"].clone()).unwrap();
        let mut statuses = BTreeMap::new();
        for s in &stamps {
            *statuses.entry(s.2).or_insert(0) += 1;
        }
        panic!(
            "{} of {n} laptops failed (first: {}); the hub answered {:?} (by status), merged {} deliveries; its warnings: {warnings:#?}",
            failed.len(),
            failed[0],
            statuses,
            after - before
        );
    }
    let results: Vec<(ClientReport, u64, u64, usize)> =
        results.into_iter().map(Result::unwrap).collect();
    hub.stop();
    for i in 0..n {
        remove_store(&work.join(format!("day-{i}.sqlite")));
    }
    remove_store(&hub_path);
    let merged = after - before;
    assert_eq!(
        merged,
        i64::try_from(n * day).unwrap(),
        "the hub held {before} deliveries before the burst and {after} after"
    );
    let first_sent = results.iter().map(|r| r.1).min().unwrap();
    let last_sent = results.iter().map(|r| r.1).max().unwrap();
    let last_done = results.iter().map(|r| r.2).max().unwrap();
    let stamps: Vec<(u64, u64, u16)> = serde_json::from_value(report["stamps"].clone()).unwrap();
    let mut statuses = BTreeMap::new();
    for s in &stamps {
        *statuses.entry(s.2).or_insert(0) += 1;
    }
    let first_in = stamps.iter().map(|s| s.0).min().unwrap();
    let last_out = stamps.iter().map(|s| s.1).max().unwrap();
    let ns = |a: u64, b: u64| Duration::from_nanos(b.saturating_sub(a));
    BurstRun {
        load,
        wall: ns(first_sent, last_out),
        hub_wall: ns(first_in, last_out),
        devices_done: ns(first_sent, last_done),
        spread: ns(first_sent, last_sent),
        requests: results.iter().map(|r| r.3).sum(),
        statuses,
        rounds: results.iter().map(|r| r.0.rounds).sum(),
        bytes_up: results.iter().map(|r| r.0.bytes_sent).sum(),
        bytes_down: results.iter().map(|r| r.0.bytes_received).sum(),
        merged,
        groups: serde_json::from_value(report["groups"].clone()).unwrap(),
        rss_before_kb: report["rss_at_mark_kb"].as_u64().unwrap(),
        hwm_kb: report["hwm_kb"].as_u64().unwrap(),
        rss_after_kb: report["rss_kb"].as_u64().unwrap(),
        writer_cpu: Duration::from_nanos(report["writer_cpu_ns"].as_u64().unwrap()),
        writer_wait: Duration::from_nanos(report["writer_wait_ns"].as_u64().unwrap()),
        hub_cpu: report["cpu_ms"].as_f64(),
        hub_faults: report["minor_faults"].as_u64(),
        hub_written: report["written"].as_u64().unwrap_or(0),
        writer_written: report["writer_written"].as_u64().unwrap_or(0),
        steal,
        morning,
        warmed,
        one_by_one,
        niced,
        held: hold,
        tcp,
    }
}

fn group_text(g: &BTreeMap<String, String>) -> String {
    let f = |k: &str| -> f64 { g.get(k).and_then(|v| v.parse().ok()).unwrap_or(0.0) / 1e3 };
    format!(
        "{} (waited {:.0}, read {:.0}, merge {:.0}, around {:.0}, commit {:.0} ms; {} merged ahead, {} of them for nothing, waited {:.0} ms for them)",
        g.get("exchanges").map_or("?", String::as_str),
        f("waited_us"),
        f("read_us"),
        f("merge_us"),
        f("around_us"),
        f("commit_us"),
        g.get("ahead").map_or("?", String::as_str),
        g.get("ahead_missed").map_or("?", String::as_str),
        f("ahead_wait_us"),
    )
}

/// `runs` bursts of every laptop of a union of `coops` cooperatives, each on fresh copies.
/// Tells a `perf record --control fifo:…` to start or stop (`SENE_BENCH_PERF_CTL`).
fn perf_control(what: &str) {
    if let Some(fifo) = std::env::var_os("SENE_BENCH_PERF_CTL") {
        let mut f = std::fs::OpenOptions::new().write(true).open(fifo).unwrap();
        writeln!(f, "{what}").unwrap();
    }
}

fn burst(coops: u32, day: usize, runs: usize, quick: bool) -> (BurstSetup, Vec<BurstRun>) {
    let setup = burst_setup(coops, day, quick);
    let work = tempfile::tempdir().unwrap();
    let runs = (1..=runs)
        .map(|k| {
            eprintln!("    burst {k}/{runs}: {coops} laptops at once…");
            let r = run_burst(&setup, work.path());
            eprintln!(
                "      {:.3} s (hub {:.3} s; writer on CPU {:.0} ms, waiting {:.0} ms; hub CPU {:?} ms, {:?} page faults; wrote {:.1} MB, the writer {:.1} MB; steal {:.0} %), TCP {:?}, groups {:?}",
                r.wall.as_secs_f64(),
                r.hub_wall.as_secs_f64(),
                ms(r.writer_cpu),
                ms(r.writer_wait),
                r.hub_cpu,
                r.hub_faults,
                r.hub_written as f64 / 1e6,
                r.writer_written as f64 / 1e6,
                r.steal * 100.0,
                r.tcp,
                r.groups.iter().map(group_text).collect::<Vec<_>>()
            );
            r
        })
        .collect();
    (setup, runs)
}

fn burst_rows(
    setup: &BurstSetup,
    runs: &[BurstRun],
    max: Option<Duration>,
    table: &mut Vec<[String; 4]>,
    details: &mut Vec<String>,
) {
    let n = setup.devices;
    for (k, r) in runs.iter().enumerate() {
        table.push([
            format!(
                "6. Burst: {n} laptops (one cooperative each, {} deliveries recorded in each store) pushing {} over HTTP on loopback (`client::sync`) to a hub in its own process on a copy of the office's store ({} cooperatives); first request sent → last answer out of the hub; run {} of {} (load {})",
                setup.day,
                if r.one_by_one {
                    "one after the other (SENE_BENCH_BURST_ONE_BY_ONE: not a burst)"
                } else {
                    "at once"
                },
                setup.scale.cooperatives,
                k + 1,
                runs.len(),
                r.load
            ),
            format!(
                "**{:.3} s** (hub: first arrival → last answer {:.3} s; until the last laptop applied its answer {:.3} s); {} deliveries merged; groups {}; hub RSS {:.1} MB → peak {:.1} MB (**+{:.1} MB**) → {:.1} MB after",
                r.wall.as_secs_f64(),
                r.hub_wall.as_secs_f64(),
                r.devices_done.as_secs_f64(),
                r.merged,
                r.groups
                    .iter()
                    .map(|g| g.get("exchanges").cloned().unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join("+"),
                r.rss_before_kb as f64 / 1e3,
                r.hwm_kb as f64 / 1e3,
                r.hwm_kb.saturating_sub(r.rss_before_kb) as f64 / 1e3,
                r.rss_after_kb as f64 / 1e3
            ),
            max.map_or_else(
                || "— (the growth 1× → 2× → 4×)".into(),
                |m| format!("≤ {:.1} s", m.as_secs_f64()),
            ),
            max.map_or("—", |m| verdict(r.wall <= m)).into(),
        ]);
        details.push(format!(
            "Burst of {n}, run {}: the hub's writer thread {:.0} ms on a processor and {:.0} ms waiting for one, the hub's process {} ms of CPU, {:.0} % of the machine's time stolen by the hypervisor; the laptops {} once they had sent, {}; {} requests ({:?} by status), {} rounds; {} B up, {} B down (bodies); laptops' sends spread over {:.1} ms; TCP counters over the burst {:?}; groups (exchanges, the oldest's wait in the queue, the requests read and the merges taken out to run ahead on a second thread, the merges, the work around them, savepoints and commit; merges run ahead): {}; the morning's syncs {:.1} s; {}.",
            k + 1,
            ms(r.writer_cpu),
            ms(r.writer_wait),
            r.hub_cpu.map_or_else(|| "?".into(), |c| format!("{c:.0}")),
            r.steal * 100.0,
            r.niced.as_deref().unwrap_or("at the hub's priority"),
            if r.held {
                "each applying its answer once all had theirs"
            } else {
                "each applying its answer as it came"
            },
            r.requests,
            r.statuses,
            r.rounds,
            r.bytes_up,
            r.bytes_down,
            ms(r.spread),
            r.tcp,
            r.groups.iter().map(group_text).collect::<Vec<_>>().join("; "),
            r.morning.as_secs_f64(),
            r.warmed.map_or_else(
                || "the hub's store not read through before the burst (SENE_BENCH_BURST_OS_CACHE=cold, or one by one)".into(),
                |d| format!("the hub's store read through once the laptops were ready, in {:.0} ms", ms(d))
            )
        ));
    }
    if let Some([g, e, d]) = setup.times {
        details.push(format!(
            "Burst of {n}: union {:?} generated in {:.1} s; laptops enrolled and synced ≈ {:.1} s, days recorded ≈ {:.1} s (3 threads).",
            setup.scale,
            g.as_secs_f64(),
            e.as_secs_f64(),
            d.as_secs_f64()
        ));
    }
}

// ---------------------------------------------------------------------------------------------

fn sh(cmd: &str, args: &[&str]) -> String {
    std::process::Command::new(cmd)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|_| "?".into())
}

fn main() {
    if let Some(store) = std::env::var_os(HUB_CHILD) {
        hub_child(Path::new(&store));
        return;
    }
    let quick = std::env::var_os("SENE_BENCH_QUICK").is_some();
    let only = std::env::var("SENE_BENCH_ONLY").ok();
    let run = |name: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|x| x.trim() == name))
    };
    println!("## Sync — raw output");
    let fsync_dir = tempfile::tempdir().unwrap();
    println!(
        "\ncommit {} · `nproc` {} · `rustc` {} · load average {} · fsync of 8 KiB (median) {:.1} ms · {}\n",
        sh("git", &["describe", "--always", "--dirty"]),
        sh("nproc", &[]),
        sh("rustc", &["--version"]),
        std::fs::read_to_string("/proc/loadavg")
            .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
            .unwrap_or_default(),
        ms(fsync_latency(fsync_dir.path())),
        if quick { "QUICK run" } else { "full run" }
    );
    let mut table: Vec<[String; 4]> = Vec::new();
    let mut details: Vec<String> = Vec::new();

    let field = (run("push") || run("slow") || run("boot")).then(|| {
        eprintln!("generating the field union…");
        let f = field_union(quick);
        eprintln!("  done in {:.1} s", f.generated.as_secs_f64());
        details.push(format!(
            "Field union: {:?}, generated in {:.1} s; hub on loopback.",
            f.scale,
            f.generated.as_secs_f64()
        ));
        f
    });

    if let Some(f) = &field {
        if run("push") {
            // the pusher: enrolled for one cooperative, its first sync (its cooperative's
            // records), then every case of a day's push, each after the one before
            let (url, counters) = start_proxy(f.hub, LOOPBACK);
            let (device, agent, coop, code) = f.push.clone();
            let mut l = Ledger::open(&f.dir.path().join("pusher.sqlite")).unwrap();
            client::enroll(&mut l, &url, device, &code).unwrap();
            let (first, _, _) = timed_sync(&mut l, &url);
            details.push(format!(
                "Pusher (one cooperative) enrolled and synced: {} B up, {} B down, {} round(s).",
                first.bytes_sent, first.bytes_received, first.rounds
            ));
            let actor = Actor { agent, device };
            let w = weighing(&l, coop);
            details.push(format!(
                "Its cooperative: {} contracts accept deliveries, {} already delivering.",
                w.contracts.len(),
                w.contracts
                    .iter()
                    .filter(|c| c.2 == ContractState::Delivering)
                    .count()
            ));
            let mut rng = Rng(5);
            let mut pushes = Vec::new();
            for (n, (label, before, per_tx, uniform)) in push_cases().into_iter().enumerate() {
                eprintln!("day's push: {label}…");
                before_push(f, &mut l, &url, coop, before, n);
                let p = push_day(
                    label,
                    &mut l,
                    &actor,
                    &w,
                    (per_tx, uniform),
                    &mut rng,
                    &url,
                    &counters,
                );
                table.push([
                    format!(
                        "1. Day's push, {DAY} deliveries, {label} — bodies (request + response) / floor; TCP payload incl. HTTP headers / floor"
                    ),
                    format!(
                        "{} B + {} B = {} B / {} B = **{:.2}×**; TCP {} B + {} B = **{:.2}×**; {} round trip(s) counted, {} HTTP request(s); {:.0} ms",
                        p.report.bytes_sent,
                        p.report.bytes_received,
                        p.bytes(),
                        p.floor,
                        p.ratio(),
                        p.tcp.up,
                        p.tcp.down,
                        p.tcp_ratio(),
                        p.report.rounds,
                        p.requests,
                        ms(p.wall)
                    ),
                    format!("≤ {FLOOR_RATIO_MAX}× (≤ {FLOOR_TCP_RATIO_MAX}× with headers), 1 request"),
                    verdict(p.meets() && p.requests == 1).into(),
                ]);
                pushes.push(p);
            }
            for p in &pushes {
                print_push_detail(p);
            }
        }
        if run("slow") {
            // another device of the same agent and cooperative, enrolled and bootstrapped on
            // loopback; its pushes through the slow link, each a new TCP connection (the
            // client opens one a sync), its handshake held one round trip by the proxy
            let (url, _) = start_proxy(f.hub, LOOPBACK);
            let (slow_url, slow_counters) = start_proxy(f.hub, SLOW);
            let (device, agent, coop, code) = f.push_slow.clone();
            let mut l = Ledger::open(&f.dir.path().join("pusher-slow.sqlite")).unwrap();
            client::enroll(&mut l, &url, device, &code).unwrap();
            timed_sync(&mut l, &url);
            let actor = Actor { agent, device };
            let w = weighing(&l, coop);
            let mut rng = Rng(11);
            let mut pushes = Vec::new();
            for (n, (label, before, per_tx, uniform)) in push_cases().into_iter().enumerate() {
                eprintln!("day's push through the slow link: {label}…");
                before_push(f, &mut l, &slow_url, coop, before, 100 + n);
                let p = push_day(
                    &format!("through the slow link, {label}"),
                    &mut l,
                    &actor,
                    &w,
                    (per_tx, uniform),
                    &mut rng,
                    &slow_url,
                    &slow_counters,
                );
                table.push([
                    format!(
                        "3. Day's push through 40 kbit/s each way, 600 ms round trip, TCP handshake included, {label} — wall time of `client::sync`"
                    ),
                    format!(
                        "**{:.2} s** ({} B up + {} B down on TCP incl. HTTP headers = {:.2}× the floor; {} HTTP request(s), {} connection(s))",
                        p.wall.as_secs_f64(),
                        p.tcp.up,
                        p.tcp.down,
                        p.tcp_ratio(),
                        p.requests,
                        p.tcp.connections
                    ),
                    format!("≤ {} s", SLOW_PUSH_MAX.as_secs()),
                    verdict(p.wall <= SLOW_PUSH_MAX).into(),
                ]);
                // what the link alone costs: the handshake, then per request one round
                // trip, and the bytes at 5 000 B/s
                let link_time = 0.6 * (p.tcp.connections + p.requests as u64) as f64
                    + (p.tcp.up + p.tcp.down) as f64 / 5_000.0;
                details.push(format!(
                    "Slow push, {label}: the link alone accounts for ≈ {link_time:.2} s ({} TCP handshake(s) and {} HTTP request(s) at 600 ms each, {} B at 5 000 B/s); measured {:.2} s.",
                    p.tcp.connections,
                    p.requests,
                    p.tcp.up + p.tcp.down,
                    p.wall.as_secs_f64()
                ));
                pushes.push(p);
            }
            for p in &pushes {
                print_push_detail(p);
            }
        }

        if run("boot") {
            eprintln!("bootstrap on loopback…");
            let b = bootstrap(f, &f.boot[0], "boot-fast.sqlite", LOOPBACK, "loopback");
            let mut boots = vec![b];
            let bytes = boots[0].tcp.up + boots[0].tcp.down;
            let estimate = Duration::from_secs_f64(
                bytes as f64 / 5_000.0 + 0.6 * (2.0 + boots[0].requests as f64 + 1.0),
            );
            if estimate <= SLOW_BOOT_MAX {
                eprintln!(
                    "bootstrap through the slow link (estimate {:.0} s)…",
                    estimate.as_secs_f64()
                );
                boots.push(bootstrap(
                    f,
                    &f.boot[1],
                    "boot-slow.sqlite",
                    SLOW,
                    "slow link",
                ));
            } else {
                details.push(format!(
                    "Bootstrap through the slow link not run: {bytes} B would take ≈ {:.0} s.",
                    estimate.as_secs_f64()
                ));
            }
            for b in &boots {
                table.push([
                    format!(
                        "4. Bootstrap of a new device, agent of {} cooperatives ({}) — `client::enroll` + first sync; bodies / deflated JSON of the records received",
                        f.boot[0].2.len(),
                        b.link
                    ),
                    boot_text(b),
                    format!("≤ {BOOT_RATIO_MAX}×"),
                    verdict(b.ratio() <= BOOT_RATIO_MAX).into(),
                ]);
            }
        }
    }

    if run("demoboot") {
        eprintln!("bootstrap on the demo union (loading it)…");
        let (b, coops) = demo_bootstrap();
        table.push([
            format!(
                "4d. Bootstrap of a new laptop on the demo union (`load_demo`, 150 cooperatives), agent of {coops} cooperatives, loopback — bodies / deflated JSON of the records received"
            ),
            boot_text(&b),
            format!("≤ {BOOT_RATIO_MAX}×"),
            verdict(b.ratio() <= BOOT_RATIO_MAX).into(),
        ]);
    }

    if run("merge") {
        eprintln!("hub merge of a union's day (generating the union)…");
        let m = merge_union(quick);
        for (name, (xs, cpu)) in [
            ("warm (hub running, documents in memory)", &m.warm),
            ("cold (hub just opened)", &m.cold),
        ] {
            let (total, p50, max) = stats(xs);
            table.push([
                format!(
                    "2. Hub merge of {} cooperatives × {DAY} deliveries (`sync_exchange`, incl. projection and answer), {name}",
                    m.coops
                ),
                format!(
                    "**{:.3} s** total (CPU {}); {:.1} ms a cooperative (median {:.1}, max {:.1})",
                    total.as_secs_f64(),
                    cpu_text(*cpu),
                    ms(total) / m.coops as f64,
                    ms(p50),
                    ms(max)
                ),
                format!("≤ {:.1} s", MERGE_MAX.as_secs_f64()),
                verdict(total <= MERGE_MAX).into(),
            ]);
        }
        {
            let (xs, cpu) = &m.grouped;
            let (total, _, max) = stats(xs);
            table.push([
                format!(
                    "2g. Hub merge of {} cooperatives × {DAY} deliveries, warm, the exchanges arriving together: merged in {} groups of at most {} (one transaction and one commit a group, WAL checkpoints in a thread of their own, as the server does)",
                    m.coops,
                    xs.len(),
                    sene_hub::GROUP_MAX
                ),
                format!(
                    "**{:.3} s** total (CPU {}); {:.1} ms a cooperative; longest group {:.1} ms",
                    total.as_secs_f64(),
                    cpu_text(*cpu),
                    ms(total) / m.coops as f64,
                    ms(max)
                ),
                format!("≤ {:.1} s", MERGE_MAX.as_secs_f64()),
                verdict(total <= MERGE_MAX).into(),
            ]);
        }
        {
            let (wall, cpu) = &m.server;
            table.push([
                format!(
                    "2s. Same, through the server's entry point (`Hub::exchange`: token, session, decoding, merge, reply and its dictionaries), {} devices released at once, one thread each",
                    m.coops
                ),
                format!(
                    "**{:.3} s** until the last reply (CPU {})",
                    wall.as_secs_f64(),
                    cpu_text(*cpu)
                ),
                format!("≤ {:.1} s", MERGE_MAX.as_secs_f64()),
                verdict(*wall <= MERGE_MAX).into(),
            ]);
        }
        let (total, p50, _) = stats(&m.season_only.0);
        let (e_total, e_p50, _) = stats(&m.empty.0);
        details.push(format!(
            "Merge: union generated in {:.1} s; {} replicas bootstrapped in process in {:.1} s; the {} pushes weigh {} B in all. Same pushes with only the season document's message (warm hub): {:.3} s total (CPU {}), median {:.1} ms. An empty envelope's exchange (documents already in memory: session state, answer for every document in scope, commit — the fixed cost): {:.3} s total (CPU {}), median {:.1} ms. Median fsync of 8 KiB just before: {:.1} ms.",
            m.generated.as_secs_f64(),
            m.coops,
            m.replicas.as_secs_f64(),
            m.coops,
            m.envelope_bytes,
            total.as_secs_f64(),
            cpu_text(m.season_only.1),
            ms(p50),
            e_total.as_secs_f64(),
            cpu_text(m.empty.1),
            ms(e_p50),
            ms(m.fsync)
        ));
    }

    if run("resync") {
        eprintln!("the office restored before the union's day (generating the union)…");
        let r = restore_union(quick);
        table.push([
            format!(
                "5. Office store of {} cooperatives backed up before the day (`Ledger::backup_into` on a second connection while the hub serves) · restored (`verify` · `install` · open + `mark_restored`)",
                r.coops
            ),
            format!(
                "{:.0} ms, {:.1} MB · {:.0} ms · {:.0} ms · {:.0} ms",
                ms(r.backup_time),
                r.backup_bytes as f64 / 1e6,
                ms(r.verify),
                ms(r.install),
                ms(r.mark)
            ),
            "—".into(),
            "(measured)".into(),
        ]);
        table.push([
            format!(
                "5a. The day's sync with the office, {} devices one after the other, {DAY} deliveries each (one per transaction)",
                r.coops
            ),
            pass_text(&r.day),
            "—".into(),
            "(measured)".into(),
        ]);
        for (i, p) in r.resync.iter().enumerate() {
            table.push([
                format!(
                    "5b. The same devices syncing with the restored office, pass {} of {}",
                    i + 1,
                    r.resync.len()
                ),
                pass_text(p),
                "—".into(),
                "(measured)".into(),
            ]);
        }
        let again = Pass {
            times: r.resync.iter().flat_map(|p| p.times.clone()).collect(),
            sent: r.resync.iter().map(|p| p.sent).sum(),
            received: r.resync.iter().map(|p| p.received).sum(),
            rounds: r.resync.iter().map(|p| p.rounds).sum(),
            requests: r.resync.iter().map(|p| p.requests).sum(),
            tcp: r.resync.iter().fold(Tally::default(), |a, p| Tally {
                up: a.up + p.tcp.up,
                down: a.down + p.tcp.down,
                connections: a.connections + p.tcp.connections,
            }),
            ..Pass::default()
        };
        table.push([
            "5c. Re-sync after the restore / the day's sync (same run)".into(),
            format!(
                "bodies **{}** ({} / {} B) · TCP {} · rounds {} · requests {} · time **{}** ({:.2} s / {:.2} s)",
                ratio(again.bodies() as f64, r.day.bodies() as f64),
                again.bodies(),
                r.day.bodies(),
                ratio(
                    (again.tcp.up + again.tcp.down) as f64,
                    (r.day.tcp.up + r.day.tcp.down) as f64
                ),
                ratio(again.rounds as f64, r.day.rounds as f64),
                ratio(again.requests as f64, r.day.requests as f64),
                ratio(again.total().as_secs_f64(), r.day.total().as_secs_f64()),
                again.total().as_secs_f64(),
                r.day.total().as_secs_f64()
            ),
            "—".into(),
            "(measured)".into(),
        ]);
        let refused: Vec<&String> = r.resync.iter().flat_map(|p| &p.refused).collect();
        details.push(format!(
            "Restore: union generated in {:.1} s; the {} devices' bootstrap over HTTP: {}. After the re-sync the restored office holds all {} deliveries; audit breaks raised: {}; refusals during the re-sync: {}{}",
            r.generated.as_secs_f64(),
            r.coops,
            pass_text(&r.bootstrap),
            r.deliveries,
            r.audit_breaks,
            refused.len(),
            refused
                .first()
                .map_or_else(String::new, |f| format!(" (first: {f})"))
        ));
        details.push(format!(
            "The first device's messages (chunk kinds: 0 a whole document, 1 a change, 2 a compressed change): its push of the day {}; with a copy of the restored office, in process: {}.",
            r.day_detail, r.detail
        ));
    }

    // 6: the union's laptops at once (5 runs), a union twice as large (3 runs, no target of
    // its own: the growth 1× → 2× → 4×) and four times as large (3 runs)
    for (name, coops, runs, max) in [
        (
            "burst",
            if quick { 5 } else { 150 },
            if quick { 2 } else { 5 },
            Some(BURST_MAX),
        ),
        (
            "burst2",
            if quick { 10 } else { 300 },
            if quick { 1 } else { 3 },
            None,
        ),
        (
            "burst4",
            if quick { 20 } else { 600 },
            if quick { 1 } else { 3 },
            Some(BURST4_MAX),
        ),
    ] {
        if run(name) {
            // SENE_BENCH_BURST_RUNS=k: k runs instead (a profile, a quick look)
            let runs = std::env::var("SENE_BENCH_BURST_RUNS")
                .ok()
                .and_then(|k| k.parse().ok())
                .unwrap_or(runs);
            eprintln!("burst: {coops} laptops at once (setting up the union)…");
            let day = if quick { 5 } else { DAY };
            let (setup, runs) = burst(coops, day, runs, quick);
            burst_rows(&setup, &runs, max, &mut table, &mut details);
        }
    }

    println!("\n| Measure | Figure | Target | Verdict |\n|---|---|---|---|");
    for [a, b, c, d] in &table {
        println!("| {a} | {b} | {c} | {d} |");
    }
    println!();
    for d in &details {
        println!("- {d}");
    }
}
