//! Backup, verification and restore of the union office's store at union scale (issue #16).
//!
//! `cargo bench -p sene-app --bench backup` — `SENE_BENCH_SCALE=small` for a quick run (10
//! cooperatives), `SENE_BENCH_ENCRYPT=1` for an encrypted store (SQLCipher), as the ledger bench.
//!
//! On a store generated through the use cases and left open (its WAL as the writes left it):
//! a writer on a second connection recording deliveries one per transaction while a backup is
//! taken, against the same writer alone just before and just after, and when the copy's read
//! transaction began; then `Ledger::backup_into` (time, CPU, size against the store on disk);
//! `backup::verify` (SHA-256, read-only open, `integrity_check`, manifest) and its hashing
//! alone; `backup::install` into a new place, the restored store opened and
//! `Ledger::mark_restored`, then its first read and first write (which loads the season's
//! automerge document); peak RSS of these (the peak is reset before them) and of the process
//! before.
//!
//! Every backup is checked (it verifies, the restored store holds the deliveries the store held
//! when the copy began), so the quick run, which CI runs (`scripts/test.sh`), fails when the
//! backup or the restore breaks.

#![allow(
    clippy::unwrap_used,
    clippy::float_arithmetic,
    clippy::cast_precision_loss,
    clippy::too_many_lines
)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use sene_app::demo::{generate_union, Scale};
use sene_app::season::RecordDelivery;
use sene_app::{Actor, Ledger};
use sene_domain::{ContractId, ContractState, Kg, MemberId, Percent, WarehouseId};
use sene_store::backup;
use sene_store::{DataKey, KdfParams, Store, Table, Vault};

/// Backups (and verifications, and restores) timed.
const RUNS: usize = 3;
/// Deliveries the writer records alone, for comparison with those recorded during a backup.
const ALONE: usize = 200;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let v = f();
    (v, t.elapsed())
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

/// "median · max" of samples, in ms.
fn med_max(xs: &[Duration]) -> String {
    let (p50, _, max) = percentiles(xs.to_vec());
    format!("median {p50:.1} ms · max {max:.1} ms")
}

/// CPU time (user + system) of this process so far, from `/proc/self/stat` (ticks of 1/100 s).
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn cpu_since(before: Option<Duration>) -> String {
    cpu_time().zip(before).map_or_else(
        || "?".into(),
        |(a, b)| format!("{:.2} s", (a - b).as_secs_f64()),
    )
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "?".into())
}

fn status_field(name: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(name))
                .map(|l| l[name.len()..].trim().to_owned())
        })
        .unwrap_or_else(|| "?".into())
}

/// Resets this process's peak RSS to its current RSS (Linux ≥ 4.0); false when refused.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn sh(cmd: &str, args: &[&str]) -> String {
    std::process::Command::new(cmd)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|_| "?".into())
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn file_len(p: &Path) -> u64 {
    std::fs::metadata(p).map_or(0, |m| m.len())
}

fn with_suffix(p: &Path, s: &str) -> PathBuf {
    let mut o = p.as_os_str().to_owned();
    o.push(s);
    PathBuf::from(o)
}

const PASS: &str = "mil et sorgho 24";

/// Opens a store, encrypted with `key` when given (its key file beside it).
fn open(path: &Path, key: Option<&DataKey>) -> Ledger {
    match key {
        None => Ledger::open(path).unwrap(),
        Some(key) => {
            let mut vault = Vault::load(path).unwrap();
            Ledger::with_clock(
                Store::open_vault(path, &mut vault, key).unwrap(),
                Box::new(sene_app::SystemClock),
            )
        }
    }
}

type Target = (MemberId, ContractId, WarehouseId, NaiveDate);

/// Contracts taking deliveries, with their member's warehouse and the last day of the window.
fn targets(l: &Ledger, n: usize) -> Vec<Target> {
    let db = l.db();
    let mut out = Vec::new();
    for c in db.campaign_ids().unwrap() {
        let camp = db.campaign(c).unwrap().unwrap();
        for f in db.campaign_contracts(c).unwrap() {
            if matches!(
                f.contract.state,
                ContractState::Delivering | ContractState::Disbursed | ContractState::Approved
            ) {
                let member = db.member(f.contract.member_id).unwrap().unwrap();
                let warehouse = db.warehouses(Some(member.cooperative_id)).unwrap()[0].id;
                out.push((
                    member.id,
                    f.contract.id,
                    warehouse,
                    camp.delivery_window.end,
                ));
                if out.len() >= n {
                    return out;
                }
            }
        }
    }
    assert!(!out.is_empty(), "no contract takes deliveries");
    out
}

fn deliver(l: &mut Ledger, actor: &Actor, t: Target, i: usize) {
    let (member_id, contract_id, warehouse_id, end) = t;
    l.run(actor, |tx| {
        tx.record_delivery(RecordDelivery {
            id: None,
            member_id,
            contract_id,
            warehouse_id,
            bags: 6,
            gross: Kg::from_tenths(4_830 + i64::try_from(i % 50).unwrap())?,
            moisture: Percent::from_tenths(128)?,
            impurity: Percent::from_tenths(12)?,
            date: end.min(NaiveDate::from_ymd_opt(2027, 1, 20).unwrap()),
        })
    })
    .unwrap();
}

/// A writer on its own connection recording deliveries one per transaction: `count` of them,
/// or, when `until` is given, until it is set (at least one). The time of each, and when each
/// was committed.
fn writer(
    path: PathBuf,
    key: Option<DataKey>,
    targets: Vec<Target>,
    count: usize,
    until: Option<Arc<AtomicBool>>,
    started: Option<std::sync::mpsc::Sender<()>>,
) -> std::thread::JoinHandle<Vec<(Duration, Instant)>> {
    std::thread::spawn(move || {
        let mut l = open(&path, key.as_ref());
        let actor = l.local_actor().unwrap();
        // the season documents loaded before the first timed write
        deliver(&mut l, &actor, targets[0], 0);
        if let Some(s) = started {
            s.send(()).unwrap();
        }
        let mut xs = Vec::new();
        for i in 1.. {
            let stop = match &until {
                Some(flag) => flag.load(Ordering::SeqCst) && !xs.is_empty(),
                None => i > count,
            };
            if stop {
                break;
            }
            let (_, t) = timed(|| deliver(&mut l, &actor, targets[i % targets.len()], i));
            xs.push((t, Instant::now()));
        }
        xs
    })
}

fn main() {
    let small = std::env::var("SENE_BENCH_SCALE").is_ok_and(|v| v == "small");
    let encrypt = std::env::var("SENE_BENCH_ENCRYPT").is_ok_and(|v| v == "1");
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
    let path = dir.path().join("bureau.sene");
    let (mut ledger, key) = if encrypt {
        let (mut vault, key) = Vault::create(&path, "bench", PASS, KdfParams::DEFAULT).unwrap();
        vault.save().unwrap();
        let l = Ledger::with_clock(
            Store::open_vault(&path, &mut vault, &key).unwrap(),
            Box::new(sene_app::SystemClock),
        );
        (l, Some(key))
    } else {
        (Ledger::open(&path).unwrap(), None)
    };
    let key = key.as_ref();

    eprintln!("Génération de {scale:?} dans {} …", path.display());
    let (summary, gen_time) = timed(|| {
        generate_union(&mut ledger, scale, 20_260_501, &mut |line| {
            if !small {
                eprintln!("  {line}");
            }
        })
        .unwrap()
    });
    eprintln!("{summary:?} en {:.1} s", gen_time.as_secs_f64());
    // --- a writer on another connection while a backup is taken, against the same writer alone
    // just before and just after -----------------------------------------------------------------
    eprintln!("Écritures pendant une sauvegarde…");
    let many = targets(&ledger, 500);
    let alone = writer(path.clone(), key.cloned(), many.clone(), ALONE, None, None)
        .join()
        .unwrap();
    // the deliveries before the writer's: its first (untimed) one, then its timed ones in order
    let base = ledger.db().count(Table::Deliveries).unwrap() + 1;
    let stop = Arc::new(AtomicBool::new(false));
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let during = writer(
        path.clone(),
        key.cloned(),
        many.clone(),
        0,
        Some(Arc::clone(&stop)),
        Some(started_tx),
    );
    started_rx.recv().unwrap();
    let call = Instant::now();
    let (live, live_time) = timed(|| {
        ledger
            .backup_into(&dir.path().join("cle-usb-pendant"), key)
            .unwrap()
    });
    stop.store(true, Ordering::SeqCst);
    let during = during.join().unwrap();
    // the copy is consistent: it verifies, and holds every delivery there was when it began and
    // at most those committed until it ended
    let live_manifest = backup::verify(&live.file, key).unwrap();
    let after = ledger.db().count(Table::Deliveries).unwrap();
    let live_restored = dir.path().join("neuf-pendant").join("bureau.sene");
    backup::install(&live.file, &live_restored, "20270120-130000").unwrap();
    let copied = {
        let mut office = open(&live_restored, key);
        office
            .mark_restored(&live_manifest, &live.file, None)
            .unwrap();
        office.db().count(Table::Deliveries).unwrap()
    };
    let began = base + i64::try_from(during.iter().filter(|d| d.1 <= call).count()).unwrap();
    assert!(
        copied >= began && copied <= after,
        "{began} ≤ {copied} ≤ {after}"
    );
    // when the copy's read transaction began: after the commit of the writer's last delivery it
    // holds, before the commit of the next one (the writer's deliveries are in commit order)
    let in_copy = usize::try_from(copied - base).unwrap();
    let since = |at: Instant| ms(at.saturating_duration_since(call));
    let snapshot = format!(
        "{} – {} ms",
        in_copy
            .checked_sub(1)
            .and_then(|i| during.get(i))
            .map_or_else(|| "0".into(), |d| format!("{:.0}", since(d.1))),
        during
            .get(in_copy)
            .map_or_else(|| "?".into(), |d| format!("{:.0}", since(d.1)))
    );
    let alone_after = writer(path.clone(), key.cloned(), many, ALONE, None, None)
        .join()
        .unwrap();
    let (a50, a99, amax) = percentiles(alone.iter().map(|d| d.0).collect());
    let (b50, b99, bmax) = percentiles(alone_after.iter().map(|d| d.0).collect());
    let (d50, d99, dmax) = percentiles(during.iter().map(|d| d.0).collect());

    // --- the backup part proper: its peak RSS from here ------------------------------------------
    let rss_generation = status_field("VmHWM:");
    let peak_reset = reset_peak_rss();
    let rss_at_reset = status_field("VmRSS:");
    let deliveries = ledger.db().count(Table::Deliveries).unwrap();
    let members = ledger.db().count(Table::Members).unwrap();
    let contracts = ledger.db().count(Table::Contracts).unwrap();
    let store_file = file_len(&path);
    let store_wal = file_len(&with_suffix(&path, "-wal"));

    // --- backup_into on the live store (open, its WAL as the writes left it) ------------------
    eprintln!("Sauvegardes…");
    let mut made = Vec::new();
    let mut backup_times = Vec::new();
    let cpu = cpu_time();
    for i in 0..RUNS {
        let (b, t) = timed(|| {
            ledger
                .backup_into(&dir.path().join(format!("cle-usb-{i}")), key)
                .unwrap()
        });
        assert_eq!(b.manifest.bytes, file_len(&b.file));
        made.push(b);
        backup_times.push(t);
    }
    let backup_cpu = cpu_since(cpu);
    let backup_bytes = made[0].manifest.bytes;

    // --- verify, and its hashing alone ---------------------------------------------------------
    eprintln!("Vérifications…");
    let mut verify_times = Vec::new();
    let mut hash_times = Vec::new();
    let cpu = cpu_time();
    for b in &made {
        let (m, t) = timed(|| backup::verify(&b.file, key).unwrap());
        assert_eq!(m, b.manifest);
        verify_times.push(t);
    }
    let verify_cpu = cpu_since(cpu);
    for b in &made {
        let (sha, t) = timed(|| backup::sha256_file(&b.file).unwrap());
        assert_eq!(sha, b.manifest.sha256);
        hash_times.push(t);
    }

    // --- install into a new place, open, mark_restored, first read, first write ---------------
    eprintln!("Restaurations…");
    let mut install_times = Vec::new();
    let mut open_times = Vec::new();
    let mut mark_times = Vec::new();
    let mut read_times = Vec::new();
    let mut write_times = Vec::new();
    let mut restored_size = 0;
    let target = targets(&ledger, 1)[0];
    for (i, b) in made.iter().enumerate() {
        let restored = dir.path().join(format!("neuf-{i}")).join("bureau.sene");
        let manifest = backup::read_manifest(&b.file).unwrap();
        let (moved, t) = timed(|| backup::install(&b.file, &restored, "20270120-120000").unwrap());
        assert!(moved.is_none());
        install_times.push(t);
        let (mut office, t) = timed(|| open(&restored, key));
        open_times.push(t);
        let (generation, t) = timed(|| office.mark_restored(&manifest, &b.file, None).unwrap());
        assert_eq!(generation, 1);
        mark_times.push(t);
        let (n, t) = timed(|| office.db().count(Table::Deliveries).unwrap());
        assert_eq!(
            n, deliveries,
            "the restored store holds what the store held"
        );
        read_times.push(t);
        let actor = office.local_actor().unwrap();
        let ((), t) = timed(|| deliver(&mut office, &actor, target, i));
        write_times.push(t);
        assert_eq!(
            office.db().count(Table::Deliveries).unwrap(),
            deliveries + 1
        );
        office.store().checkpoint().unwrap();
        restored_size = office.store().size_on_disk();
    }
    let rss_backup = status_field("VmHWM:");

    ledger.store().checkpoint().unwrap();
    let store_after = ledger.store().size_on_disk();

    println!();
    println!(
        "## Sene backup benchmark ({}, {} store)",
        if small { "small scale" } else { "union scale" },
        if encrypt { "encrypted" } else { "plain" }
    );
    println!();
    println!(
        "commit {} · `nproc` {} · `rustc` {}",
        sh("git", &["describe", "--always", "--dirty"]),
        sh("nproc", &[]),
        sh("rustc", &["--version"]),
    );
    println!();
    println!(
        "Scale: {} cooperatives, {} members, {} contracts, {} deliveries, {} distributions, generated through the use cases in {:.1} s.",
        summary.cooperatives,
        summary.members,
        summary.contracts,
        summary.deliveries,
        summary.distributions,
        gen_time.as_secs_f64()
    );
    println!();
    println!("| measure | result |");
    println!("|---|---|");
    println!(
        "| the live store when backed up (open, not checkpointed): file · WAL | {} · {} ({members} members, {contracts} contracts, {deliveries} deliveries) |",
        mb(store_file),
        mb(store_wal)
    );
    println!(
        "| `Ledger::backup_into`, {RUNS} runs | {} (CPU {backup_cpu} in all) |",
        med_max(&backup_times)
    );
    println!(
        "| backup file | {} ({backup_bytes} B; {:.2}× the store file + WAL) |",
        mb(backup_bytes),
        backup_bytes as f64 / (store_file + store_wal) as f64
    );
    println!(
        "| `backup::verify` (SHA-256, read-only open, `integrity_check`, manifest), {RUNS} runs | {} (CPU {verify_cpu} in all) |",
        med_max(&verify_times)
    );
    println!(
        "| of which SHA-256 of the file alone, {RUNS} runs | {} |",
        med_max(&hash_times)
    );
    println!(
        "| `backup::install` into a new place (copy, fsync, rename), {RUNS} runs | {} |",
        med_max(&install_times)
    );
    println!(
        "| open the restored store, {RUNS} runs | {} |",
        med_max(&open_times)
    );
    println!(
        "| `Ledger::mark_restored`, {RUNS} runs | {} |",
        med_max(&mark_times)
    );
    let total: Vec<Duration> = (0..RUNS)
        .map(|i| verify_times[i] + install_times[i] + open_times[i] + mark_times[i])
        .collect();
    println!(
        "| restore: verify + install + open + `mark_restored`, {RUNS} runs | {} |",
        med_max(&total)
    );
    println!(
        "| restored store: first read (count of deliveries) · first `record_delivery` (loads its season's document) | {} · {} |",
        med_max(&read_times),
        med_max(&write_times)
    );
    println!(
        "| restored store on disk after a checkpoint | {} |",
        mb(restored_size)
    );
    println!(
        "| `record_delivery` on a second connection, 1 per transaction, alone ({ALONE}), just before · just after the one below | p50 {a50:.2} · p99 {a99:.2} · max {amax:.2} ms · p50 {b50:.2} · p99 {b99:.2} · max {bmax:.2} ms |"
    );
    println!(
        "| same while a `backup_into` runs ({:.0} ms): {} deliveries | p50 {d50:.2} · p99 {d99:.2} · max {dmax:.2} ms (p99 {:.2}× and {:.2}× alone) |",
        ms(live_time),
        during.len(),
        d99 / a99,
        d99 / b99
    );
    println!(
        "| that backup: deliveries in the store when it was called · in the copy · when it returned | {began} · {copied} · {after} (its read transaction began {snapshot} after the call) |"
    );
    println!(
        "| peak RSS (VmHWM) of the backups, verifications and restores above ({}) · whole process before | {rss_backup} · {rss_generation} |",
        if peak_reset {
            format!("the peak reset before them, when the process held {rss_at_reset}")
        } else {
            "the peak could not be reset: whole process".into()
        }
    );
    println!(
        "| store on disk at the end, after a checkpoint | {} |",
        mb(store_after)
    );
    println!();
    println!(
        "Load average (1, 5, 15 min) before: {load_before}; after: {}.",
        load_average()
    );
}
