//! Measures (ignored by default): `SENE_FED_UNIONS` unions (default 1) generated at union
//! scale (`SENE_FED_SCALE=small` for a quick run), each behind a hub on loopback; the first
//! pull of all, a pull with nothing new, a pull after three deliveries at one union, a forced
//! re-comparison; the database's size. Run:
//! `cargo test -p sene-federation --release --test it measure -- --ignored --nocapture`.

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
