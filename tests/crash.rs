//! Crash safety: a child process writes records in a loop and reports each committed id; the
//! test kills it with SIGKILL at pseudo-random moments, 200 times; after each kill the store
//! opens, `PRAGMA integrity_check` is ok, and every reported id is present.
#![allow(clippy::unwrap_used)]

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

use sene_app::Ledger;
use sene_store::Table;

const KILLS: u32 = 200;

#[test]
fn sigkill_mid_write_loses_nothing_confirmed() {
    let dir = tempfile_dir();
    let path = dir.join("crash.sqlite");
    let fx = {
        let mut l = Ledger::open(&path).unwrap();
        sene_fixture::one_contract::setup(&mut l).unwrap()
    };
    let bin = env!("CARGO_BIN_EXE_crash_writer");
    let mut seed: u64 = 0x005E_ED0F_5E4E;
    let mut confirmed: Vec<(String, String)> = Vec::new();
    let mut kills_with_writes = 0;
    for round in 0..KILLS {
        let mut child = Command::new(bin)
            .args([
                path.to_str().unwrap(),
                &fx.member.to_string(),
                &fx.contract.to_string(),
                &fx.warehouse.to_string(),
                &fx.cooperative.to_string(),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // wait until the writer has its store open, then kill it 5 to 150 ms later (xorshift)
        let mut stdout = child.stdout.take().unwrap();
        let mut first = Vec::new();
        let mut byte = [0u8; 1];
        while stdout.read(&mut byte).unwrap_or(0) == 1 && byte[0] != b'\n' {
            first.push(byte[0]);
        }
        assert_eq!(first, b"ready", "round {round}: the writer did not start");
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(5 + seed % 146));
        child.kill().unwrap(); // SIGKILL on Unix
        let status = child.wait().unwrap();
        let mut out = String::new();
        stdout.read_to_string(&mut out).unwrap();
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert!(
            err.is_empty(),
            "round {round}: the writer failed on its own: {err} ({status})"
        );
        // only whole lines: a line is printed after its commit
        let whole = out.rsplit_once('\n').map_or("", |(w, _)| w);
        let before = confirmed.len();
        for line in whole.lines() {
            let (kind, id) = line.split_once(' ').unwrap();
            confirmed.push((kind.to_owned(), id.to_owned()));
        }
        if confirmed.len() > before {
            kills_with_writes += 1;
        }
        let l = Ledger::open(&path)
            .unwrap_or_else(|e| panic!("round {round}: store does not open after kill: {e}"));
        assert_eq!(l.store().integrity_check().unwrap(), "ok", "round {round}");
        let db = l.db();
        for (kind, id) in &confirmed {
            let table = match kind.as_str() {
                "delivery" => Table::Deliveries,
                "disbursement" => Table::Disbursements,
                _ => Table::Members,
            };
            assert!(
                db.exists(table, id).unwrap(),
                "round {round}: confirmed {kind} {id} lost"
            );
        }
    }
    assert!(
        kills_with_writes >= KILLS / 2,
        "the writer confirmed records in only {kills_with_writes} of {KILLS} rounds"
    );
    eprintln!(
        "{KILLS} kills, {} confirmed records all present",
        confirmed.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempfile_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("sene-crash-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}
