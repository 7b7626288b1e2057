//! The ledger at union scale, on a real file (WAL, `synchronous=FULL`, as the store sets it).
//!
//! `cargo bench -p sene-app --bench ledger` — or with `SENE_BENCH_SCALE=small` for a quick run.
//!
//! Measures: generating the union through the use cases; `record_delivery` one per transaction
//! (each commit synced to disk), 500 samples; `settle_campaign` per campaign and for all of them;
//! `campaign_report`; the store's size on disk; peak RSS.

#![allow(
    clippy::unwrap_used,
    clippy::float_arithmetic,
    clippy::cast_precision_loss
)]

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use sene_app::demo::{generate_union, Scale};
use sene_app::season::RecordDelivery;
use sene_app::Ledger;
use sene_domain::{ContractState, Kg, Percent};
use sene_store::{KdfParams, Store, Vault};

/// Deliveries recorded one per transaction.
const SAMPLES: usize = 500;
/// Runs of each report.
const RUNS: usize = 10;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// (p50, p99, max) of samples, in ms.
fn percentiles(mut xs: Vec<Duration>) -> (f64, f64, f64) {
    xs.sort();
    let at = |q: f64| {
        let i = ((xs.len() as f64 - 1.0) * q).round() as usize;
        ms(xs[i.min(xs.len() - 1)])
    };
    (at(0.5), at(0.99), ms(*xs.last().unwrap()))
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let v = f();
    (v, t.elapsed())
}

/// CPU time (user + system) of this process so far, from `/proc/self/stat` (Linux; clock
/// ticks of 1/100 s, the kernel's `USER_HZ` on every usual configuration).
#[cfg(target_os = "linux")]
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

#[cfg(not(target_os = "linux"))]
fn cpu_time() -> Option<Duration> {
    None
}

/// The machine's load average, to read the wall-clock figures against (other processes
/// sharing the cores slow them; the CPU figures are this process's own).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "?".into())
}

#[cfg(target_os = "linux")]
fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_owned())
        })
        .unwrap_or_else(|| "?".into())
}

#[cfg(not(target_os = "linux"))]
fn peak_rss() -> String {
    "n/a (Linux only)".into()
}

#[allow(
    clippy::float_arithmetic,
    clippy::cast_precision_loss,
    clippy::too_many_lines
)]
fn main() {
    let small = std::env::var("SENE_BENCH_SCALE").is_ok_and(|v| v == "small");
    let scale = if small {
        Scale {
            cooperatives: 10,
            members: 400,
            contracts: 400,
            deliveries: 3_000,
            distributions: 700,
        }
    } else {
        Scale::UNION
    };
    let load_before = load_average();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("union.sene");
    // `SENE_BENCH_ENCRYPT=1`: the same run on an encrypted store (SQLCipher, the key sealed
    // under Argon2id with the default cost), and the time to unlock it.
    let encrypt = std::env::var("SENE_BENCH_ENCRYPT").is_ok_and(|v| v == "1");
    const PASS: &str = "mil et sorgho 24";
    let mut ledger = if encrypt {
        let (mut vault, key) = Vault::create(&path, "bench", PASS, KdfParams::DEFAULT).unwrap();
        vault.save().unwrap();
        Ledger::with_clock(
            Store::open_vault(&path, &mut vault, &key).unwrap(),
            Box::new(sene_app::SystemClock),
        )
    } else {
        Ledger::open(&path).unwrap()
    };

    eprintln!("Génération de {scale:?} dans {} …", path.display());
    let mut last = Instant::now();
    let start = Instant::now();
    let cpu_before = cpu_time();
    let (summary, gen_time) = timed(|| {
        generate_union(&mut ledger, scale, 20_260_501, &mut |line| {
            let now = Instant::now();
            eprintln!(
                "  [{:>6.1} s, +{:>5.2} s] {line}",
                (now - start).as_secs_f64(),
                (now - last).as_secs_f64()
            );
            last = now;
        })
        .unwrap()
    });
    let gen_cpu = cpu_time().zip(cpu_before).map_or_else(
        || "?".into(),
        |(a, b)| format!("{:.1} s", (a - b).as_secs_f64()),
    );
    eprintln!("{summary:?}");

    // --- record_delivery, one per transaction ---------------------------------------------
    let actor = ledger.local_actor().unwrap();
    let campaigns = ledger.db().campaign_ids().unwrap();
    let mut targets = Vec::new();
    let db = ledger.db();
    'outer: for c in &campaigns {
        for f in db.campaign_contracts(*c).unwrap() {
            if matches!(
                f.contract.state,
                ContractState::Delivering | ContractState::Disbursed | ContractState::Approved
            ) {
                let member = db.member(f.contract.member_id).unwrap().unwrap();
                let warehouse = db.warehouses(Some(member.cooperative_id)).unwrap()[0].id;
                let camp = db.campaign(*c).unwrap().unwrap();
                targets.push((
                    member.id,
                    f.contract.id,
                    warehouse,
                    camp.delivery_window.end,
                ));
                if targets.len() >= SAMPLES {
                    break 'outer;
                }
            }
        }
    }
    let date_in = |end: NaiveDate| end.min(NaiveDate::from_ymd_opt(2027, 1, 20).unwrap());
    let mut samples = Vec::with_capacity(SAMPLES);
    let cpu_deliveries = cpu_time();
    let wall_deliveries = Instant::now();
    for i in 0..SAMPLES {
        let (member_id, contract_id, warehouse_id, end) = targets[i % targets.len()];
        let cmd = RecordDelivery {
            id: None,
            member_id,
            contract_id,
            warehouse_id,
            bags: 6,
            gross: Kg::from_tenths(4_830 + i64::try_from(i % 50).unwrap()).unwrap(),
            moisture: Percent::from_tenths(128).unwrap(),
            impurity: Percent::from_tenths(12).unwrap(),
            date: date_in(end),
        };
        let (r, t) = timed(|| ledger.run(&actor, |tx| tx.record_delivery(cmd)));
        r.unwrap();
        samples.push(t);
    }
    let wall_deliveries = wall_deliveries.elapsed();
    let cpu_deliveries = cpu_time().zip(cpu_deliveries).map_or_else(
        || "?".into(),
        |(a, b)| format!("{:.2}", ms(a - b) / SAMPLES as f64),
    );
    let (d50, d99, dmax) = percentiles(samples);

    // --- settlement and campaign report --------------------------------------------------
    let date = NaiveDate::from_ymd_opt(2027, 1, 15).unwrap();
    let mut settle_rows = Vec::new();
    for c in &campaigns {
        let mut xs = Vec::new();
        let mut name = String::new();
        let mut lines = 0;
        for _ in 0..RUNS {
            let (r, t) = timed(|| ledger.settle_campaign(*c, date).unwrap());
            name = r.campaign;
            lines = r.members.len();
            xs.push(t);
        }
        let mut rs = Vec::new();
        for _ in 0..RUNS {
            rs.push(timed(|| ledger.campaign_report(*c).unwrap()).1);
        }
        let (s50, _, smax) = percentiles(xs);
        let (r50, _, rmax) = percentiles(rs);
        settle_rows.push((name, lines, s50, smax, r50, rmax));
    }
    let mut all = Vec::new();
    let cpu_all = cpu_time();
    for _ in 0..RUNS {
        all.push(
            timed(|| {
                for c in &campaigns {
                    ledger.settle_campaign(*c, date).unwrap();
                }
            })
            .1,
        );
    }
    let cpu_all = cpu_time().zip(cpu_all).map_or_else(
        || "?".into(),
        |(a, b)| format!("{:.1}", ms(a - b) / RUNS as f64),
    );
    let (a50, _, amax) = percentiles(all);

    // --- the office's read models: dashboard and anomaly queue, per campaign ---------------
    let mut office_rows = Vec::new();
    for c in &campaigns {
        let mut dash = Vec::new();
        let mut anom = Vec::new();
        let mut found = 0;
        for _ in 0..RUNS {
            dash.push(timed(|| ledger.dashboard(*c, date).unwrap()).1);
            let (q, t) = timed(|| ledger.anomalies(*c).unwrap());
            found = q.len();
            anom.push(t);
        }
        let (d50, _, dmax) = percentiles(dash);
        let (q50, _, qmax) = percentiles(anom);
        let name = ledger
            .db()
            .campaign(*c)
            .unwrap()
            .map(|x| x.name)
            .unwrap_or_default();
        office_rows.push((name, d50, dmax, q50, qmax, found));
    }

    // --- settlement runs: lock (compute + write every line), exports, statements ---------
    let mut lock_rows = Vec::new();
    // maker-checker: a second secretariat agent proposes each run (not timed), the first locks
    let second = ledger
        .run(&actor, |tx| {
            tx.add_agent(sene_app::org::NewAgent {
                id: None,
                name: "Seconde secrétaire".into(),
                phone: None,
                role: sene_domain::Role::Secretariat,
                cooperatives: Vec::new(),
            })
        })
        .unwrap();
    let second = sene_app::Actor {
        agent: second.id,
        device: actor.device,
    };
    for c in &campaigns {
        let mut locks = Vec::new();
        let mut last = None;
        for _ in 0..3 {
            ledger
                .run(&second, |tx| tx.propose_settlement(*c, date))
                .unwrap();
            let (run, t) = timed(|| {
                ledger
                    .run(&actor, |tx| tx.lock_settlement(*c, date, last, "bench"))
                    .unwrap()
            });
            last = Some(run.run.id);
            locks.push(t);
        }
        let id = last.unwrap();
        let (run, read) = timed(|| ledger.settlement_run(id).unwrap());
        let (_, xlsx) = timed(|| sene_app::settlement::settlement_xlsx(&run).unwrap());
        let (_, pdfs) = timed(|| {
            for l in &run.members {
                sene_app::settlement::member_statement_pdf(&ledger.db(), id, l.member_id).unwrap();
            }
        });
        let (l50, _, lmax) = percentiles(locks);
        lock_rows.push((
            run.run.campaign.clone(),
            run.members.len(),
            l50,
            lmax,
            read,
            xlsx,
            pdfs,
        ));
    }

    ledger.store().checkpoint().unwrap();
    let size = ledger.store().size_on_disk();
    let rss = peak_rss();
    let db = ledger.db();
    let count = |t| db.count(t).unwrap();

    println!();
    println!(
        "## Sene ledger benchmark ({})",
        if small { "small scale" } else { "union scale" }
    );
    println!();
    println!(
        "Scale: {} cooperatives, {} members, {} contracts, {} deliveries, {} distributions \
         (store after the run: {} deliveries, {} audit rows).",
        summary.cooperatives,
        summary.members,
        summary.contracts,
        summary.deliveries,
        summary.distributions,
        count(sene_store::Table::Deliveries),
        count(sene_store::Table::Audit),
    );
    println!();
    println!("| measure | result | target |");
    println!("|---|---|---|");
    println!(
        "| generation through the use cases | {:.1} s wall ({gen_cpu} CPU) | < 120 s |",
        gen_time.as_secs_f64()
    );
    println!(
        "| `record_delivery`, 1 per transaction (FULL sync), {SAMPLES} samples | p50 {d50:.2} ms · p99 {d99:.2} ms · max {dmax:.2} ms (mean {:.2} ms wall, {cpu_deliveries} ms CPU) | p99 ≤ 20 ms |",
        ms(wall_deliveries) / SAMPLES as f64
    );
    for (name, lines, s50, smax, r50, rmax) in &settle_rows {
        println!(
            "| `settle_campaign` « {name} » ({lines} members), {RUNS} runs | median {s50:.1} ms · max {smax:.1} ms | |"
        );
        println!(
            "| `campaign_report` « {name} », {RUNS} runs | median {r50:.1} ms · max {rmax:.1} ms | |"
        );
    }
    println!(
        "| `settle_campaign`, all {} campaigns (whole union), {RUNS} runs | median {a50:.1} ms · max {amax:.1} ms (mean {cpu_all} ms CPU) | ≤ 200 ms |",
        campaigns.len()
    );
    for (name, d50, dmax, q50, qmax, found) in &office_rows {
        println!(
            "| office « {name} »: `dashboard`, {RUNS} runs · `anomalies` ({found} in the queue), {RUNS} runs | median {d50:.1} ms · max {dmax:.1} ms · median {q50:.1} ms · max {qmax:.1} ms | |"
        );
    }
    for (name, lines, l50, lmax, read, xlsx, pdfs) in &lock_rows {
        println!(
            "| `lock_settlement` « {name} » ({lines} lines), 3 runs | median {l50:.1} ms · max {lmax:.1} ms | ≤ 200 ms |"
        );
        println!(
            "| run « {name} »: read back {:.1} ms · XLSX export {:.1} ms · {lines} statement PDFs {:.1} ms | | |",
            ms(*read),
            ms(*xlsx),
            ms(*pdfs)
        );
    }
    println!(
        "| store on disk after checkpoint | {:.1} MB | |",
        size as f64 / 1e6
    );
    println!("| peak RSS (VmHWM) | {rss} | |");
    if encrypt {
        drop(ledger);
        let mut kdf = Vec::new();
        let mut open = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            let mut vault = Vault::load(&path).unwrap();
            let id = vault.slots()[0].id.clone();
            let key = vault.unlock(&id, PASS).unwrap();
            let k = t.elapsed();
            let store = Store::open_vault(&path, &mut vault, &key).unwrap();
            let opened = Ledger::with_clock(store, Box::new(sene_app::SystemClock));
            opened.union().unwrap();
            open.push(t.elapsed());
            kdf.push(k);
        }
        let (k50, _, kmax) = percentiles(kdf);
        let (o50, _, omax) = percentiles(open);
        let p = KdfParams::DEFAULT;
        println!(
            "| unlock: Argon2id (m = {} KiB, t = {}, p = {}) · + open the store and read the union, 5 runs | median {k50:.0} ms · max {kmax:.0} ms · median {o50:.0} ms · max {omax:.0} ms | ≤ 1 s |",
            p.m_kib, p.t, p.p
        );
    }
    println!();
    println!(
        "Store: {}.",
        if encrypt {
            "encrypted (SQLCipher)"
        } else {
            "plain"
        }
    );
    println!(
        "Load average (1, 5, 15 min) before: {load_before}; after: {}.",
        load_average()
    );
}
