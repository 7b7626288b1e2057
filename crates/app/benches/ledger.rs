//! The ledger at union scale, on a real file (WAL, `synchronous=FULL`, as the store sets it).
//!
//! `cargo bench -p sene-app --bench ledger` — or with `SENE_BENCH_SCALE=small` for a quick run.
//!
//! Measures: generating the union through the use cases; `record_delivery` one per transaction
//! (each commit synced to disk), 500 samples; `settle_campaign` per campaign and for all of them;
//! `campaign_report`; the office's dashboard and anomaly queue per campaign; locking each
//! campaign's settlement; the store's size on disk; peak RSS.
//!
//! `SENE_BENCH_SCALE`: `small` (10 cooperatives), `1x` (the union, the default), `2x`, `4x`
//! (600 cooperatives, 24,000 members, 200,000 deliveries), or several separated by commas
//! (`1x,2x,4x`): each is generated and measured in turn in this process (the peak RSS reset
//! between them), then a table gives each figure's growth from one scale to the next.
//! `SENE_BENCH_QUICK=1`: fewer samples and runs, and checks of what is measured (CI runs it).
//! `SENE_BENCH_KEEP=DIR`: keeps each generated store in `DIR` (`union-<scale>.sene`), to read
//! its query plans.

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

/// How many samples and runs (fewer in quick mode).
#[derive(Debug, Clone, Copy)]
struct Counts {
    /// Deliveries recorded one per transaction.
    samples: usize,
    /// Runs of each report.
    runs: usize,
    /// Settlement locks per campaign.
    locks: usize,
}

const FULL: Counts = Counts {
    samples: 500,
    runs: 10,
    locks: 3,
};

const QUICK: Counts = Counts {
    samples: 50,
    runs: 3,
    locks: 2,
};

/// A scale by its name in `SENE_BENCH_SCALE`.
fn scale_named(name: &str) -> Option<Scale> {
    let times = |k: u32| Scale {
        cooperatives: Scale::UNION.cooperatives * k,
        members: Scale::UNION.members * k,
        contracts: Scale::UNION.contracts * k,
        deliveries: Scale::UNION.deliveries * k,
        distributions: Scale::UNION.distributions * k,
    };
    match name {
        "small" => Some(Scale {
            cooperatives: 10,
            members: 400,
            contracts: 400,
            deliveries: 3_000,
            distributions: 700,
        }),
        "1x" | "union" => Some(times(1)),
        "2x" => Some(times(2)),
        "4x" => Some(times(4)),
        _ => None,
    }
}

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

/// CPU time this thread spent running so far, in nanoseconds (`/proc/thread-self/schedstat`,
/// Linux): the reads run on this thread only, so it is their own CPU, load or not.
#[cfg(target_os = "linux")]
fn thread_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

#[cfg(not(target_os = "linux"))]
fn thread_cpu() -> Option<Duration> {
    None
}

/// Runs `f` `runs` times: (median wall ms, max wall ms, mean CPU ms of this thread) and the
/// last value.
fn repeated<T>(runs: usize, mut f: impl FnMut() -> T) -> (Timing, T) {
    let mut xs = Vec::with_capacity(runs);
    let mut last = None;
    let cpu0 = thread_cpu();
    for _ in 0..runs {
        let (v, t) = timed(&mut f);
        xs.push(t);
        last = Some(v);
    }
    let cpu = thread_cpu().zip(cpu0).map(|(a, b)| ms(a - b) / runs as f64);
    let (median, _, max) = percentiles(xs);
    (Timing { median, max, cpu }, last.unwrap())
}

/// One timed read, in ms.
#[derive(Debug, Clone, Copy, Default)]
struct Timing {
    median: f64,
    max: f64,
    /// Mean CPU of this thread per run, when the platform says it.
    cpu: Option<f64>,
}

impl Timing {
    fn text(self) -> String {
        let cpu = self
            .cpu
            .map_or_else(String::new, |c| format!(" (CPU {c:.1} ms)"));
        format!("median {:.1} ms · max {:.1} ms{cpu}", self.median, self.max)
    }
}

/// The machine's load average, to read the wall-clock figures against (other processes
/// sharing the cores slow them; the CPU figures are this process's own).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "?".into())
}

/// The peak resident set (`VmHWM`) in kB.
#[cfg(target_os = "linux")]
fn peak_rss_kb() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let l = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    l.trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

#[cfg(not(target_os = "linux"))]
fn peak_rss_kb() -> Option<u64> {
    None
}

/// Resets the peak resident set to the current one (Linux 4.0+), so each scale of a run
/// reports its own peak.
fn reset_peak_rss() {
    #[cfg(target_os = "linux")]
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// One campaign's office reads.
struct OfficeRow {
    name: String,
    members: usize,
    settle: Timing,
    report: Timing,
    dashboard: Timing,
    anomalies: Timing,
    queue: usize,
    lock: Timing,
    read: Duration,
    xlsx: Duration,
    pdfs: Duration,
}

/// What one scale measured.
struct Figures {
    label: String,
    generation: Duration,
    deliveries_p99: f64,
    deliveries_cpu: Option<f64>,
    union_settlement: Timing,
    office: Vec<OfficeRow>,
    store_mb: f64,
    peak_rss_kb: Option<u64>,
}

impl Figures {
    /// The slowest campaign's median of a read.
    fn worst(&self, f: impl Fn(&OfficeRow) -> Timing) -> f64 {
        self.office.iter().map(|r| f(r).median).fold(0.0, f64::max)
    }

    /// Σ over the campaigns of a read's median.
    fn sum(&self, f: impl Fn(&OfficeRow) -> Timing) -> f64 {
        self.office.iter().map(|r| f(r).median).sum()
    }
}

fn main() {
    let names = std::env::var("SENE_BENCH_SCALE").unwrap_or_else(|_| "1x".into());
    let quick = std::env::var("SENE_BENCH_QUICK").is_ok_and(|v| v == "1");
    let counts = if quick { QUICK } else { FULL };
    let keep = std::env::var_os("SENE_BENCH_KEEP").map(std::path::PathBuf::from);
    let mut all = Vec::new();
    for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let scale = scale_named(name)
            .unwrap_or_else(|| panic!("SENE_BENCH_SCALE: {name:?} is not small, 1x, 2x or 4x"));
        reset_peak_rss();
        all.push(run(name, scale, counts, quick, keep.as_deref()));
    }
    if all.len() > 1 {
        growth(&all);
    }
}

/// The growth of each figure from one scale to the next, and from the first to the last.
fn growth(all: &[Figures]) {
    type Get = fn(&Figures) -> Option<f64>;
    let rows: [(&str, Get); 11] = [
        ("generation (s)", |f| Some(f.generation.as_secs_f64())),
        ("`record_delivery` p99 (ms)", |f| Some(f.deliveries_p99)),
        ("`record_delivery` mean CPU (ms)", |f| f.deliveries_cpu),
        ("`dashboard`, slowest campaign, median (ms)", |f| {
            Some(f.worst(|r| r.dashboard))
        }),
        ("`dashboard`, Σ campaigns, median (ms)", |f| {
            Some(f.sum(|r| r.dashboard))
        }),
        ("`anomalies`, slowest campaign, median (ms)", |f| {
            Some(f.worst(|r| r.anomalies))
        }),
        ("`settle_campaign`, whole union, median (ms)", |f| {
            Some(f.union_settlement.median)
        }),
        ("`settle_campaign`, whole union, CPU (ms)", |f| {
            f.union_settlement.cpu
        }),
        ("`lock_settlement`, Σ campaigns, median (ms)", |f| {
            Some(f.sum(|r| r.lock))
        }),
        ("store on disk (MB)", |f| Some(f.store_mb)),
        ("peak RSS (MB)", |f| f.peak_rss_kb.map(|k| k as f64 / 1e3)),
    ];
    println!();
    println!("## Growth");
    println!();
    let mut header = String::from("| figure |");
    let mut rule = String::from("|---|");
    for (i, f) in all.iter().enumerate() {
        header.push_str(&format!(" {} |", f.label));
        rule.push_str("---|");
        if i > 0 {
            header.push_str(&format!(" {} / {} |", f.label, all[i - 1].label));
            rule.push_str("---|");
        }
    }
    if all.len() > 2 {
        header.push_str(&format!(
            " {} / {} |",
            all[all.len() - 1].label,
            all[0].label
        ));
        rule.push_str("---|");
    }
    println!("{header}");
    println!("{rule}");
    let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "?".into(),
    };
    for (label, get) in rows {
        let mut line = format!("| {label} |");
        for (i, f) in all.iter().enumerate() {
            line.push_str(&get(f).map_or_else(|| " ? |".into(), |v| format!(" {v:.1} |")));
            if i > 0 {
                line.push_str(&format!(" {} |", ratio(get(f), get(&all[i - 1]))));
            }
        }
        if all.len() > 2 {
            line.push_str(&format!(
                " {} |",
                ratio(get(&all[all.len() - 1]), get(&all[0]))
            ));
        }
        println!("{line}");
    }
}

#[allow(clippy::too_many_lines)]
fn run(
    label: &str,
    scale: Scale,
    counts: Counts,
    quick: bool,
    keep: Option<&std::path::Path>,
) -> Figures {
    let Counts {
        samples: n_samples,
        runs,
        locks,
    } = counts;
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
                if targets.len() >= n_samples {
                    break 'outer;
                }
            }
        }
    }
    let date_in = |end: NaiveDate| end.min(NaiveDate::from_ymd_opt(2027, 1, 20).unwrap());
    let mut samples = Vec::with_capacity(n_samples);
    let cpu_deliveries = cpu_time();
    let wall_deliveries = Instant::now();
    for i in 0..n_samples {
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
    let cpu_per_delivery = cpu_time()
        .zip(cpu_deliveries)
        .map(|(a, b)| ms(a - b) / n_samples as f64);
    let (d50, d99, dmax) = percentiles(samples);

    // --- settlement, campaign report, the office's dashboard and anomaly queue -------------
    let date = NaiveDate::from_ymd_opt(2027, 1, 15).unwrap();
    let mut office = Vec::new();
    for c in &campaigns {
        let (settle, r) = repeated(runs, || ledger.settle_campaign(*c, date).unwrap());
        let (report, _) = repeated(runs, || ledger.campaign_report(*c).unwrap());
        let (dashboard, d) = repeated(runs, || ledger.dashboard(*c, date).unwrap());
        let (anomalies, q) = repeated(runs, || ledger.anomalies(*c).unwrap());
        if quick {
            check_office(&ledger, *c, date, &d, &r);
        }
        office.push(OfficeRow {
            name: r.campaign,
            members: r.members.len(),
            settle,
            report,
            dashboard,
            anomalies,
            queue: q.len(),
            lock: Timing::default(),
            read: Duration::ZERO,
            xlsx: Duration::ZERO,
            pdfs: Duration::ZERO,
        });
    }
    let (union_settlement, ()) = repeated(runs, || {
        for c in &campaigns {
            ledger.settle_campaign(*c, date).unwrap();
        }
    });

    // --- settlement runs: lock (compute + write every line), exports, statements ---------
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
    for (c, row) in campaigns.iter().zip(&mut office) {
        let mut last = None;
        let mut xs = Vec::with_capacity(locks);
        let mut cpu = Some(Duration::ZERO);
        for _ in 0..locks {
            ledger
                .run(&second, |tx| tx.propose_settlement(*c, date))
                .unwrap();
            let cpu0 = thread_cpu();
            let (run, t) = timed(|| {
                ledger
                    .run(&actor, |tx| tx.lock_settlement(*c, date, last, "bench"))
                    .unwrap()
            });
            cpu = cpu
                .zip(thread_cpu().zip(cpu0))
                .map(|(s, (a, b))| s + (a - b));
            last = Some(run.run.id);
            xs.push(t);
        }
        let (median, _, max) = percentiles(xs);
        let lock = Timing {
            median,
            max,
            cpu: cpu.map(|c| ms(c) / locks as f64),
        };
        row.lock = lock;
        let id = last.unwrap();
        let (run, read) = timed(|| ledger.settlement_run(id).unwrap());
        let (_, xlsx) = timed(|| sene_app::settlement::settlement_xlsx(&run).unwrap());
        let (_, pdfs) = timed(|| {
            for l in &run.members {
                sene_app::settlement::member_statement_pdf(&ledger.db(), id, l.member_id).unwrap();
            }
        });
        row.read = read;
        row.xlsx = xlsx;
        row.pdfs = pdfs;
    }

    ledger.store().checkpoint().unwrap();
    let size = ledger.store().size_on_disk();
    let rss = peak_rss_kb();
    let db = ledger.db();
    let count = |t| db.count(t).unwrap();

    println!();
    println!(
        "## Sene ledger benchmark ({label}: {} cooperatives)",
        scale.cooperatives
    );
    println!();
    println!(
        "Scale: {} cooperatives, {} members, {} contracts, {} deliveries, {} distributions, {} \
         agents (store after the run: {} deliveries, {} audit rows).",
        summary.cooperatives,
        summary.members,
        summary.contracts,
        summary.deliveries,
        summary.distributions,
        count(sene_store::Table::Agents),
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
        "| `record_delivery`, 1 per transaction (FULL sync), {n_samples} samples | p50 {d50:.2} ms · p99 {d99:.2} ms · max {dmax:.2} ms (mean {:.2} ms wall, {} ms CPU) | p99 ≤ 20 ms |",
        ms(wall_deliveries) / n_samples as f64,
        cpu_per_delivery.map_or_else(|| "?".into(), |c| format!("{c:.2}"))
    );
    for r in &office {
        println!(
            "| `settle_campaign` « {} » ({} members), {runs} runs | {} | |",
            r.name,
            r.members,
            r.settle.text()
        );
        println!(
            "| `campaign_report` « {} », {runs} runs | {} | |",
            r.name,
            r.report.text()
        );
    }
    println!(
        "| `settle_campaign`, all {} campaigns (whole union), {runs} runs | {} | ≤ 100 ms |",
        campaigns.len(),
        union_settlement.text()
    );
    for r in &office {
        println!(
            "| office « {} »: `dashboard`, {runs} runs | {} | ≤ 100 ms |",
            r.name,
            r.dashboard.text()
        );
        println!(
            "| office « {} »: `anomalies` ({} in the queue), {runs} runs | {} | ≤ 100 ms |",
            r.name,
            r.queue,
            r.anomalies.text()
        );
    }
    for r in &office {
        println!(
            "| `lock_settlement` « {} » ({} lines), {locks} runs | {} | ≤ 200 ms |",
            r.name,
            r.members,
            r.lock.text()
        );
        println!(
            "| run « {} »: read back {:.1} ms · XLSX export {:.1} ms · {} statement PDFs {:.1} ms | | |",
            r.name,
            ms(r.read),
            ms(r.xlsx),
            r.members,
            ms(r.pdfs)
        );
    }
    println!(
        "| store on disk after checkpoint | {:.1} MB | |",
        size as f64 / 1e6
    );
    println!(
        "| peak RSS (VmHWM) | {} | |",
        rss.map_or_else(|| "?".into(), |k| format!("{k} kB"))
    );
    if let Some(keep) = keep {
        std::fs::create_dir_all(keep).unwrap();
        let to = keep.join(format!("union-{label}.sene"));
        std::fs::copy(&path, &to).unwrap();
        eprintln!("store kept in {}", to.display());
    }
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
    Figures {
        label: label.to_owned(),
        generation: gen_time,
        deliveries_p99: d99,
        deliveries_cpu: cpu_per_delivery,
        union_settlement,
        office,
        store_mb: size as f64 / 1e6,
        peak_rss_kb: rss,
    }
}

/// Quick mode's checks: what was timed gave figures, and the dashboard's agent lines are each
/// agent's cash as [`sene_app::reports::agent_cash`] computes it alone.
fn check_office(
    ledger: &Ledger,
    campaign: sene_domain::CampaignId,
    date: NaiveDate,
    d: &sene_app::dashboard::Dashboard,
    r: &sene_app::reports::SettlementReport,
) {
    assert_eq!(d.campaign_id, campaign);
    assert_eq!(d.date, date);
    assert!(!r.members.is_empty(), "a settlement without members");
    assert!(!d.agents.is_empty(), "a dashboard without agents");
    let db = ledger.db();
    for a in &d.agents {
        let alone = sene_app::reports::agent_cash(&db, a.agent_id, campaign).unwrap();
        assert_eq!(a.cash, alone, "agent {} of the dashboard", a.agent_id);
    }
}
