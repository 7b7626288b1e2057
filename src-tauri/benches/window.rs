//! The desktop's start-up, memory and receipt latency, measured in the real window (Xvfb,
//! tauri-driver, WebKitWebDriver), beside a minimal Tauri window built in the same run:
//!
//! ```sh
//! npm --prefix ui run build && cargo build -p sene-desktop --bins
//! SENE_BENCH_APP=target/debug/sene-desktop SENE_BENCH_MINIMAL=target/debug/minimal_window \
//!   xvfb-run -a -s "-screen 0 1366x768x24" cargo bench -p sene-desktop --bench window
//! ```
//!
//! - cold start: from asking the driver for a session (the app is launched) to the first
//!   interactive element on screen (the first screen of a new store, the gate's « create the
//!   first account » button `#gate #vault-create`, for Sene; `#ready` for the minimal window);
//!   median and spread over `SENE_BENCH_RUNS` launches (default 5);
//! - resident memory: the app process and its WebKit processes (VmRSS summed), once idle;
//! - save to receipt: from the click on "yes" in the delivery's confirmation to the receipt on
//!   screen, over 10 deliveries on the demo union.
//!
//! `SENE_BENCH_QUICK=1` (run by CI, `cargo test -p sene-desktop --bench window` under Xvfb):
//! one launch of each window and two deliveries, checking that every figure is still produced,
//! never how long it took.

#![allow(clippy::unwrap_used, clippy::float_arithmetic, clippy::print_stdout)]

#[allow(dead_code)]
#[path = "../tests/window/webdriver/mod.rs"]
mod webdriver;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;
use webdriver::{Driver, Window};

fn quick() -> bool {
    std::env::var_os("SENE_BENCH_QUICK").is_some()
}

fn runs() -> usize {
    std::env::var("SENE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if quick() { 1 } else { 5 })
}

/// The first interactive element of a new store's first screen.
const FIRST_SCREEN: &str = "#gate #vault-create";

/// kB of VmRSS of every process whose executable is `exe`, and of all their descendants.
fn tree_rss_kb(exe: &Path) -> u64 {
    let procs: Vec<(u32, u32, u64, Option<PathBuf>)> = std::fs::read_dir("/proc")
        .map(|d| {
            d.filter_map(Result::ok)
                .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
                .filter_map(|pid| {
                    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
                    let field = |k: &str| {
                        status
                            .lines()
                            .find(|l| l.starts_with(k))
                            .and_then(|l| l.split_whitespace().nth(1))
                            .and_then(|v| v.parse::<u64>().ok())
                    };
                    let ppid = u32::try_from(field("PPid:")?).ok()?;
                    let rss = field("VmRSS:").unwrap_or(0);
                    let path = std::fs::read_link(format!("/proc/{pid}/exe")).ok();
                    Some((pid, ppid, rss, path))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut roots: Vec<u32> = procs
        .iter()
        .filter(|p| p.3.as_deref() == Some(exe))
        .map(|p| p.0)
        .collect();
    let mut total = 0;
    let mut seen = std::collections::HashSet::new();
    while let Some(pid) = roots.pop() {
        if !seen.insert(pid) {
            continue;
        }
        for p in &procs {
            if p.0 == pid {
                total += p.2;
            }
            if p.1 == pid {
                roots.push(p.0);
            }
        }
    }
    total
}

fn median(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let mid = v[v.len() / 2];
    (v[0], mid, v[v.len() - 1])
}

fn epoch_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
}

/// Start-up samples of one binary, in ms, and its resident memory in kB.
struct Starts {
    /// launch → the page's `sene:interactive` mark, read on the page's clock
    ms: Vec<f64>,
    /// launch → the driver first sees the ready element (polls every 150 ms: coarser)
    polled: Vec<f64>,
    /// navigation start → the mark: the part spent in the page
    page: Vec<f64>,
    rss: Vec<f64>,
}

/// Launches `app` on a fresh store `runs` times.
fn starts(app: &Path, ready: &str, shots: &Path) -> Starts {
    let mut ms = Vec::new();
    let mut polled = Vec::new();
    let mut lingered = 0;
    let mut rss = Vec::new();
    let mut page = Vec::new();
    for _ in 0..runs() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("sene.sqlite");
        let driver = Driver::start(&[("SENE_STORE", store.as_path())], &[]);
        let launched = epoch_ms();
        let t = Instant::now();
        let w = Window::open(&driver, app, shots, 90);
        w.wait(ready);
        polled.push(t.elapsed().as_secs_f64() * 1000.0);
        // the page's own clock: when its first interactive screen was drawn
        let stamps = w.script(
            "const m = performance.getEntriesByName('sene:interactive')[0]; \
             return [performance.timing.navigationStart, m ? m.startTime : null]",
            &[],
        );
        let nav = stamps[0].as_f64().unwrap_or(f64::NAN);
        let mark = stamps[1].as_f64().unwrap_or(f64::NAN);
        ms.push(nav + mark - launched);
        page.push(mark);
        let steps = w.script(
            "const t = performance.timing, n = t.navigationStart; \
             const r = performance.getEntriesByType('resource').map(e => e.name.split('/').pop() + ' ' + Math.round(e.startTime) + '-' + Math.round(e.responseEnd)); \
             const m = performance.getEntriesByType('mark').map(e => e.name + ' ' + Math.round(e.startTime)); \
             return ['html ' + (t.responseEnd - n), 'domInteractive ' + (t.domInteractive - n), 'domContentLoaded ' + (t.domContentLoadedEventEnd - n)].concat(r, m).join(', ')",
            &[],
        );
        println!(
            "  {}: {}",
            app.file_name().and_then(|f| f.to_str()).unwrap_or("?"),
            steps.as_str().unwrap_or("")
        );
        std::thread::sleep(Duration::from_secs(2));
        rss.push(tree_rss_kb(app) as f64);
        if std::env::var_os("SENE_BENCH_PS").is_some() {
            let _ = std::process::Command::new("sh")
                .args(["-c", "ps -eo pid,ppid,rss,args | grep -E 'WebKit|sene-desktop|minimal_window' | grep -v grep | cut -c1-120"])
                .status();
        }
        w.close();
        drop(driver);
        // the next launch starts alone: neither its start-up nor its memory shares the machine
        // with this one's exit (a process still there 10 s after its window closed is killed,
        // and counted)
        let t = Instant::now();
        while tree_rss_kb(app) > 0 && t.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(100));
        }
        if tree_rss_kb(app) > 0 {
            lingered += 1;
            let _ = std::process::Command::new("pkill")
                .args(["-KILL", "-f", &app.display().to_string()])
                .status();
            std::thread::sleep(Duration::from_millis(500));
        }
    }
    if lingered > 0 {
        println!(
            "  {}: {lingered} of {} launches still running 10 s after their window closed (killed)",
            app.display(),
            runs()
        );
    }
    Starts {
        ms,
        polled,
        page,
        rss,
    }
}

fn main() {
    // SENE_BENCH_APP / SENE_BENCH_MINIMAL measure other builds of the two binaries (the debug
    // build is the one scripts/run.sh opens: see BENCHMARKS.md)
    let sene = std::env::var_os("SENE_BENCH_APP").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_sene-desktop")),
        PathBuf::from,
    );
    let minimal = std::env::var_os("SENE_BENCH_MINIMAL").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_minimal_window")),
        PathBuf::from,
    );
    let shots = std::env::temp_dir().join("sene-bench-shots");
    println!("runs: {}", runs());

    let m = starts(&minimal, "#ready", &shots);
    let s = starts(&sene, FIRST_SCREEN, &shots);
    let row = |name: &str, v: &[f64]| {
        let (lo, mid, hi) = median(v.to_vec());
        println!("  {name:<22}{lo:7.0} {mid:7.0} {hi:7.0}");
        mid
    };
    println!("cold start, launch to the first interactive screen drawn (the page's own mark, read on its clock), ms (min / median / max):");
    let a = row("minimal Tauri window", &m.ms);
    let b = row("Sene", &s.ms);
    println!("  ratio of medians {:.2}", b / a);
    println!("  of which in the page (navigation start to the mark):");
    row("minimal Tauri window", &m.page);
    row("Sene", &s.page);
    println!("same, as seen by the driver polling every 150 ms for the element (coarser):");
    let a = row("minimal Tauri window", &m.polled);
    let b = row("Sene", &s.polled);
    println!("  ratio of medians {:.2}", b / a);
    let (_, mr, _) = median(m.rss);
    let (_, sr, _) = median(s.rss);
    println!("resident memory, app + WebKit processes, MiB (median):");
    println!("  minimal Tauri window  {:7.1}", mr / 1024.0);
    println!(
        "  Sene                  {:7.1}   ratio {:.2}",
        sr / 1024.0,
        sr / mr
    );

    // save → receipt for deliveries on the demo union (23 November: rice deliveries are open)
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("sene.sqlite");
    let driver = Driver::start(
        &[("SENE_STORE", store.as_path())],
        &[("SENE_CLOCK", "2026-11-23T09:00:00Z")],
    );
    let w = Window::open(&driver, &sene, &shots, 95);
    w.first_start("Bureau", "mil et sorgho 24");
    w.click_on("#demo-load");
    w.wait("#nav-members");
    // demo members with an approved rice contract, found through the app's own commands
    let deliveries = if quick() { 2 } else { 10 };
    let mut targets = Vec::new();
    for coop in w.invoke("list_cooperatives", None).as_array().unwrap() {
        let members = w.invoke(
            "search_members",
            Some(json!({ "query": "", "cooperative_id": coop["id"] })),
        );
        for m in members.as_array().unwrap() {
            let card = w.invoke("member_card", Some(json!({ "member_id": m["id"] })));
            // a delivery may be recorded on it: the flag Rust sends the window
            let open = card["contracts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["crop"] == "paddy_rice" && c["may_deliver"] == true);
            if open {
                targets.push(m["number"].as_str().unwrap().to_owned());
            }
            if targets.len() == deliveries {
                break;
            }
        }
        if targets.len() == deliveries {
            break;
        }
    }
    let mut latencies = Vec::new();
    for number in &targets {
        w.click_on("#nav-members");
        w.type_into("#member-search", number);
        let hit = w.wait_text(".member-result", number);
        w.click(&hit);
        w.wait_text("#member-card", number);
        w.click_on(".contract-deliver");
        let wh = w
            .options("#dlv-warehouse")
            .into_iter()
            .find(|v| !v.is_empty())
            .unwrap();
        w.select("#dlv-warehouse", &wh);
        w.type_into("#dlv-bags", "10");
        w.type_into("#dlv-gross", "805");
        w.type_into("#dlv-moisture", "14");
        w.type_into("#dlv-impurity", "1");
        w.wait_text("#dlv-accepted", "kg");
        w.click_on("#dlv-submit");
        let yes = w.wait("#confirm-yes");
        let t = Instant::now();
        w.click(&yes);
        w.wait("#receipt-number");
        latencies.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let n = latencies.len();
    assert_eq!(n, deliveries, "every delivery reached its receipt");
    assert!(
        s.ms.iter().chain(&m.ms).all(|x| x.is_finite()),
        "the start-up marks were read"
    );
    let (lo, mid, hi) = median(latencies);
    println!(
        "delivery: click on \"yes\" to receipt on screen, ms over {n} deliveries (min / median / max): {lo:.0} {mid:.0} {hi:.0}"
    );
    w.close();
}
