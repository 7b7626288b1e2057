//! Measures (ignored by default): `SENE_FED_UNIONS` unions (default 1) generated at union
//! scale (`SENE_FED_SCALE=small` for a quick run), each behind a hub on loopback; the first
//! pull of all, a pull with nothing new, a pull after three deliveries at one union, a forced
//! re-comparison; the database's size. Run:
//! `cargo test -p sene-federation --release --test it measure -- --ignored --nocapture`.

#![allow(clippy::float_arithmetic)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use sene_app::demo::Scale;
use sene_federation::cluster::TempCluster;
use sene_federation::Federation;

use crate::pulls::{deliveries_at, make_union, Hub, SCALE};
use crate::rt;

#[test]
#[ignore = "a measure: minutes at union scale"]
fn measure_pulls() {
    let n: u64 = std::env::var("SENE_FED_UNIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let scale = Some(
        if std::env::var("SENE_FED_SCALE").as_deref() == Ok("small") {
            SCALE
        } else {
            Scale::UNION
        },
    );
    let pgc = TempCluster::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let made: Vec<_> = (0..n)
        .map(|i| make_union(&dir.path().join(format!("u{i}.sqlite")), scale, 100 + i))
        .collect();
    eprintln!(
        "generated {n} union(s) {scale:?} in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let hubs: Vec<Hub> = made.iter().map(|m| Hub::start(&m.store)).collect();
    let rt = rt();
    let fed = rt.block_on(async {
        let url = pgc.create_db("federation").await.unwrap();
        let fed = Federation::open(&url, &dir.path().join("fed"))
            .await
            .unwrap();
        // SENE_FED_COLD=1: each pull opens its replica anew (as a command does)
        let fed = if std::env::var_os("SENE_FED_COLD").is_some() {
            fed
        } else {
            fed.keep_replicas_open(sene_federation::KEEP_OPEN)
        };
        let fed = Arc::new(fed);
        for (i, m) in made.iter().enumerate() {
            fed.enroll_union(
                &format!("U{i}"),
                &hubs[i].url(),
                m.fed_device,
                &m.fed_code,
                None,
            )
            .await
            .unwrap();
        }
        fed
    });
    let round = |what: &str| {
        let t = Instant::now();
        let r = rt.block_on(fed.pull_all()).unwrap();
        let secs = t.elapsed().as_secs_f64();
        let (mut bytes, mut rows, mut records, mut proj) = (0, 0, 0, 0);
        for (name, p) in &r {
            let p = p.as_ref().unwrap_or_else(|e| panic!("{name}: {e}"));
            bytes += p.bytes_received + p.bytes_sent;
            rows += p.rows_written;
            records += p.records_merged;
            proj = proj.max(p.projection_ms);
        }
        eprintln!(
            "{what}: {secs:.2} s wall, {bytes} bytes, {records} records merged, {rows} rows written, slowest projection {proj} ms; this process's RSS {} MB",
            rss_mb()
        );
    };
    eprintln!("before the first pull: this process's RSS {} MB", rss_mb());
    round("first pull");
    round("nothing new");
    deliveries_at(&hubs[0].url(), dir.path(), &made[0]);
    round("three deliveries at one union");
    let t = Instant::now();
    let p = rt.block_on(fed.pull("U0", true)).unwrap();
    eprintln!(
        "forced re-comparison of one union: {:.2} s wall, {} rows written ({} ms in PostgreSQL)",
        t.elapsed().as_secs_f64(),
        p.rows_written,
        p.projection_ms
    );
    let c = rt.block_on(fed.client()).unwrap();
    let size: i64 = rt
        .block_on(c.query_one("SELECT pg_database_size(current_database())", &[]))
        .unwrap()
        .get(0);
    let replica =
        std::fs::metadata(fed.replica_path(rt.block_on(fed.union("U0")).unwrap().union_id))
            .map(|m| m.len())
            .unwrap_or(0);
    eprintln!(
        "PostgreSQL database: {} MB; replica of U0: {} MB",
        size / 1_000_000,
        replica / 1_000_000
    );
    // where a pull with nothing new spends its time: the replica's engine loading every
    // document (cold: each pull opens the replica anew), the messages, the round trip
    let u0 = rt.block_on(fed.union("U0")).unwrap();
    let path = fed.replica_path(u0.union_id);
    let t = Instant::now();
    let mut l = sene_app::Ledger::open(&path).unwrap();
    let open = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let env = l
        .sync_outgoing("measure", &sene_app::sync::Scope::Everything)
        .unwrap();
    let cold = t.elapsed().as_secs_f64();
    let t = Instant::now();
    l.sync_outgoing("measure", &sene_app::sync::Scope::Everything)
        .unwrap();
    let warm = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let r = sene_federation::replica::sync(&path, &hubs[0].url(), &u0.token).unwrap();
    let whole = t.elapsed().as_secs_f64();
    eprintln!(
        "replica of U0 ({} documents): open {open:.2} s, messages cold {cold:.2} s, warm {warm:.2} s; a whole sync with nothing new {whole:.2} s ({} bytes received)",
        env.items.len(),
        r.bytes_received
    );
    drop(hubs);
}

/// This process's resident memory (it holds the hubs too), from /proc.
fn rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

/// A day at every union: `SENE_FED_UNIONS` unions (default 10), each a copy of the hub
/// bench's burst setup (`SENE_FED_DAY_FROM`: its `full-150-50` folder, a union-scale union
/// with 150 laptops each holding a day of 50 deliveries; made by `SENE_BENCH_ONLY=burst
/// SENE_BENCH_BURST_CACHE=dir cargo bench -p sene-hub --bench sync`). Union 0 is pulled a
/// first time; the other unions are copies of it made directly: its hub's store, its replica
/// and its rows in PostgreSQL (generating 50 union-scale unions and pulling each a first time
/// would take hours). Then, `SENE_FED_BATCH` unions at a time (default 10: 50 union hubs in
/// this one process would not fit its memory), each union's 150 laptops push their day
/// (7,500 deliveries) to its hub, and the federation pulls those unions' day, four at once:
/// timed, with the CPU of the hubs' threads and of the rest of the process apart. Run:
/// `SENE_FED_DAY_FROM=… cargo test -p sene-federation --release --test it measure_day --
/// --ignored --nocapture`.
#[test]
#[ignore = "a measure: minutes at union scale, needs the hub bench's burst setup"]
fn measure_day() {
    let from = std::path::PathBuf::from(
        std::env::var_os("SENE_FED_DAY_FROM").expect("SENE_FED_DAY_FROM: the burst setup"),
    );
    let env_n = |k: &str, d: usize| {
        std::env::var(k)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(d)
    };
    let n = env_n("SENE_FED_UNIONS", 10);
    let batch = env_n("SENE_FED_BATCH", 10);
    let laptops = (0..)
        .take_while(|i| from.join(format!("day-{i}.sqlite")).exists())
        .count();
    assert!(laptops > 0, "no day-N.sqlite in {}", from.display());
    let pgc = TempCluster::start().unwrap();
    let dir = tempfile::tempdir_in(
        std::env::var_os("SENE_FED_WORK").map_or_else(std::env::temp_dir, Into::into),
    )
    .unwrap();
    // the union before its day, the federation paired by its secretariat
    let h0 = dir.path().join("hub-before.sqlite");
    copy_store(&from.join("hub.sqlite"), &h0);
    let (device, code) = {
        let mut l = sene_app::Ledger::open(&h0).unwrap();
        let sec = l.local_actor().unwrap();
        let d = l
            .run(&sec, |tx| {
                tx.add_device(sene_app::org::NewDevice {
                    id: None,
                    label: "Fédération nationale".into(),
                    receipt_prefix: "FED".into(),
                })
            })
            .unwrap()
            .id;
        let code = sene_hub::enroll::pair_federation(&mut l, d).unwrap().code;
        (d, code)
    };
    let rt = rt();
    let url = rt.block_on(pgc.create_db("federation")).unwrap();
    let data = dir.path().join("fed");
    let setup = rt.block_on(Federation::open(&url, &data)).unwrap();
    {
        let hub = Hub::start(&h0);
        rt.block_on(setup.enroll_union("U00", &hub.url(), device, &code, None))
            .unwrap();
        let t = Instant::now();
        let first = rt.block_on(setup.pull("U00", false)).unwrap();
        eprintln!(
            "union 0's first pull: {:.1} s, {} records merged, {} rows written",
            t.elapsed().as_secs_f64(),
            first.records_merged,
            first.rows_written
        );
    }
    let u0 = rt.block_on(setup.union("U00")).unwrap();
    let r0 = setup.replica_path(u0.union_id);
    // the other unions: copies of union 0 made directly (its replica and its rows)
    let t = Instant::now();
    let names: Vec<String> = (0..n).map(|k| format!("U{k:02}")).collect();
    rt.block_on(copy_union(&setup, &u0, &r0, &names[1..]));
    drop(setup);
    eprintln!(
        "{} copies of union 0 made in {:.1} s",
        n - 1,
        t.elapsed().as_secs_f64()
    );
    // every union's day, `batch` unions at a time, the replicas as `serve` keeps them
    let fed = Arc::new(
        rt.block_on(Federation::open(&url, &data))
            .unwrap()
            .keep_replicas_open(sene_federation::KEEP_OPEN),
    );
    let (mut wall, mut bytes, mut records, mut rows, mut proj) = (0.0, 0, 0, 0, 0);
    let (mut hub_cpu, mut rest_cpu) = (0.0, 0.0);
    for (b, names) in names.chunks(batch).enumerate() {
        let t = Instant::now();
        let hubs: Vec<(String, Hub)> = names
            .iter()
            .enumerate()
            .map(|(k, name)| {
                let h = dir.path().join(format!("hub-{}.sqlite", b * batch + k));
                copy_store(&h0, &h);
                let hub = Hub::start(&h);
                push_day(&from, laptops, &dir.path().join("laptops"), &hub.url());
                (name.clone(), hub)
            })
            .collect();
        eprintln!(
            "batch {}: {} unions' days pushed to their hubs in {:.1} s",
            b + 1,
            hubs.len(),
            t.elapsed().as_secs_f64()
        );
        let entries = rt.block_on(async {
            let c = fed.client().await.unwrap();
            let mut out = Vec::new();
            for (name, h) in &hubs {
                c.execute(
                    "UPDATE unions SET hub_url = $2 WHERE name = $1",
                    &[name, &h.url()],
                )
                .await
                .unwrap();
                out.push(fed.union(name).await.unwrap());
            }
            out
        });
        let before = thread_cpu();
        let process = process_cpu();
        perf_control("enable");
        let t = Instant::now();
        let r = rt.block_on(fed.pull_these(entries));
        let secs = t.elapsed().as_secs_f64();
        perf_control("disable");
        let (h, o) = cpu_split(&before, &thread_cpu());
        let process = process_cpu() - process;
        let (mut b_bytes, mut b_records, mut b_rows) = (0, 0, 0);
        for (name, p) in &r {
            let p = p.as_ref().unwrap_or_else(|e| panic!("{name}: {e}"));
            b_bytes += p.bytes_received + p.bytes_sent;
            b_records += p.records_merged;
            b_rows += p.rows_written;
            proj = proj.max(p.projection_ms);
            eprintln!(
                "  {name}: exchange and merge {} ms, snapshot {} ms, projection {} ms",
                p.sync_ms, p.snapshot_ms, p.projection_ms
            );
        }
        eprintln!(
            "batch {}: {} unions' day pulled in {secs:.2} s wall, {b_bytes} bytes, {b_records} records merged, {b_rows} rows written; CPU: hubs {h:.1} s, the federation {o:.1} s (the process {process:.1} s); RSS {} MB, replicas open {}",
            b + 1,
            r.len(),
            rss_mb(),
            fed.replicas_open()
        );
        wall += secs;
        bytes += b_bytes;
        records += b_records;
        rows += b_rows;
        hub_cpu += h;
        rest_cpu += o;
        drop(hubs);
        for k in 0..names.len() {
            remove_store(&dir.path().join(format!("hub-{}.sqlite", b * batch + k)));
        }
    }
    eprintln!(
        "a day at {n} unions ({laptops} laptops × their day each): pulled in {wall:.1} s of wall (batches summed), {bytes} bytes, {records} records merged, {rows} rows written, slowest projection {proj} ms; CPU: the hubs {hub_cpu:.1} s, the federation (its replicas, projection, client) {rest_cpu:.1} s"
    );
    let c = rt.block_on(fed.client()).unwrap();
    let size: i64 = rt
        .block_on(c.query_one("SELECT pg_database_size(current_database())", &[]))
        .unwrap()
        .get(0);
    eprintln!("PostgreSQL database: {} MB", size / 1_000_000);
    if std::env::var_os("SENE_FED_KEEP").is_some() {
        // SENE_FED_KEEP=1: the stores stay for a look (the replicas under fed/)
        eprintln!("kept: {}", dir.keep().display());
    }
}

/// Registers `names` as unions whose replica and projected rows are copies of `u0`'s.
async fn copy_union(
    fed: &Federation,
    u0: &sene_federation::UnionEntry,
    r0: &std::path::Path,
    names: &[String],
) {
    let c = fed.client().await.unwrap();
    let tables = sene_federation::pg::partitioned_tables(&c).await.unwrap();
    for name in names {
        let creds = sene_federation::Credentials {
            device: u0.device_id,
            agent: u0.agent_id,
            token: u0.token.clone(),
            bundle_key: None,
            ca_pem: None,
        };
        let id = fed
            .add_union(name, Some("http://127.0.0.1:9"), creds)
            .await
            .unwrap();
        copy_store(r0, &fed.replica_path(id));
        let (to, of) = (*id.as_uuid(), *u0.union_id.as_uuid());
        for t in &tables {
            let cols = sene_federation::pg::columns(&c, t).await.unwrap();
            let list = cols.join(", ");
            let values = cols
                .iter()
                .map(|c| if c == "union_id" { "$1" } else { c.as_str() })
                .collect::<Vec<_>>()
                .join(", ");
            c.execute(
                &format!("INSERT INTO {t} ({list}) SELECT {values} FROM {t} WHERE union_id = $2"),
                &[&to, &of],
            )
            .await
            .unwrap();
        }
        c.execute(
            "UPDATE unions u SET source_union_id = o.source_union_id, source_name = o.source_name,
               region = o.region, projected = o.projected, last_pull_at = o.last_pull_at,
               last_ok_at = o.last_ok_at
             FROM unions o WHERE u.union_id = $1 AND o.union_id = $2",
            &[&to, &of],
        )
        .await
        .unwrap();
    }
}

/// The day: each of `laptops` laptops (copies of the setup's) pushes what it recorded to the
/// hub at `url`, three at a time.
fn push_day(from: &std::path::Path, laptops: usize, dir: &std::path::Path, url: &str) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    std::fs::create_dir_all(dir).unwrap();
    let next = AtomicUsize::new(0);
    let pushed = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= laptops {
                    break;
                }
                let p = dir.join(format!("day-{i}.sqlite"));
                copy_store(&from.join(format!("day-{i}.sqlite")), &p);
                let mut l = sene_app::Ledger::open(&p).unwrap();
                let r = sene_hub::client::sync(&mut l, Some(url), &mut |_| {}).unwrap();
                assert!(r.refused_by_hub.is_empty(), "{:?}", r.refused_by_hub);
                pushed.fetch_add(r.pushed.records, Ordering::SeqCst);
                drop(l);
                remove_store(&p);
            });
        }
    });
    assert!(pushed.into_inner() >= laptops, "the day was not pushed");
}

/// This process's CPU seconds (user + system), its ended threads' included, from /proc.
fn process_cpu() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let f: Vec<&str> = s
        .rsplit_once(')')
        .map(|(_, r)| r.split_whitespace().collect())
        .unwrap_or_default();
    let tick = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

/// CPU seconds of each of this process's threads, with its name, from /proc.
fn thread_cpu() -> BTreeMap<u64, (String, f64)> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
    {
        let Ok(tid) = e.file_name().to_string_lossy().parse::<u64>() else {
            continue;
        };
        let s = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
        let (Some(open), Some(close)) = (s.find('('), s.rfind(')')) else {
            continue;
        };
        let name = s[open + 1..close].to_owned();
        let f: Vec<&str> = s[close + 1..].split_whitespace().collect();
        let tick = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
        // utime and stime: fields 14 and 15 of stat, 11 and 12 after the name
        out.insert(tid, (name, (tick(11) + tick(12)) / 100.0));
    }
    out
}

/// The CPU spent between two readings by the hubs' threads (their runtime's `hub-rt`, their
/// writer and merge threads) and by every other thread (the stores' checkpointers, the hubs'
/// among them: a few ms).
fn cpu_split(
    before: &BTreeMap<u64, (String, f64)>,
    after: &BTreeMap<u64, (String, f64)>,
) -> (f64, f64) {
    let (mut hub, mut rest) = (0.0, 0.0);
    for (tid, (name, secs)) in after {
        let spent = secs - before.get(tid).map_or(0.0, |b| b.1);
        if name.starts_with("hub-rt") || name.starts_with("sene-hub") {
            hub += spent;
        } else {
            rest += spent;
        }
    }
    (hub, rest)
}

/// Tells a `perf record --control fifo:F -D -1` to start or stop (`SENE_FED_PERF_CTL=F`):
/// the pulls profiled, not their setup.
fn perf_control(what: &str) {
    use std::io::Write;
    if let Some(fifo) = std::env::var_os("SENE_FED_PERF_CTL") {
        let mut f = std::fs::OpenOptions::new().write(true).open(fifo).unwrap();
        writeln!(f, "{what}").unwrap();
    }
}

/// Copies a closed store (its write-ahead log too, if one was left).
fn copy_store(from: &std::path::Path, to: &std::path::Path) {
    remove_store(to);
    std::fs::copy(from, to).unwrap();
    let wal = |p: &std::path::Path| {
        let mut s = p.as_os_str().to_owned();
        s.push("-wal");
        std::path::PathBuf::from(s)
    };
    if wal(from).exists() {
        std::fs::copy(wal(from), wal(to)).unwrap();
    }
}

fn remove_store(p: &std::path::Path) {
    for ext in ["", "-wal", "-shm"] {
        let mut s = p.as_os_str().to_owned();
        s.push(ext);
        let _ = std::fs::remove_file(std::path::PathBuf::from(s));
    }
}

/// Reading a replica's rows for the projection (`replica::snapshot`), alone: `SENE_FED_REPLICA`
/// names a replica (one `measure_day` kept with `SENE_FED_KEEP=1`, under its `fed/`), read
/// `SENE_FED_RUNS` times (5); each run's time and the rows read are printed.
/// `SENE_FED_REPLICA=… cargo test -p sene-federation --release --test it measure_snapshot --
/// --ignored --nocapture`.
#[test]
#[ignore = "a measure: needs a union-scale replica"]
fn measure_snapshot() {
    let path = std::env::var_os("SENE_FED_REPLICA").expect("SENE_FED_REPLICA: a replica");
    let runs: usize = std::env::var("SENE_FED_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let l = sene_app::Ledger::open(std::path::Path::new(&path)).unwrap();
    for run in 1..=runs {
        let t = Instant::now();
        let snap = sene_federation::replica::snapshot(&l).unwrap().unwrap();
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let rows: usize = snap.tables.iter().map(|t| t.rows.len()).sum();
        eprintln!("snapshot {run}/{runs}: {ms:.0} ms, {rows} rows");
    }
}
