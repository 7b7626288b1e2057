//! Running `sene` on a store, for the command-line tests, and `sene hub serve` on loopback.
//! The office, its hub and its laptops are built here through the binary, as an office builds
//! them; the same union, hub and laptop built on the ledger itself are in `sene-fixture`.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Runs `sene --store STORE ARGS…` with no language, store or clock from the environment.
pub fn sene(store: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sene"))
        .arg("--store")
        .arg(store)
        .args(args)
        .env_remove("SENE_STORE")
        .env_remove("SENE_LANG")
        .env_remove("SENE_CLOCK")
        .output()
        .unwrap()
}

/// `sene --json ARGS…`, which must succeed, its answer parsed.
pub fn json(store: &Path, args: &[&str]) -> Value {
    let mut a = vec!["--json"];
    a.extend_from_slice(args);
    let o = sene(store, &a);
    assert!(
        o.status.success(),
        "sene {args:?}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

/// A `sene hub serve` process, killed when dropped.
pub struct Hub(Child);

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `sene --store STORE hub serve` on a free port of 127.0.0.1, with the variables
/// `env` and no store, language or clock from the environment, and waits until it accepts
/// connections: the hub and its URL.
pub fn serve(store: &Path, env: &[(&str, &str)]) -> (Hub, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_sene"))
        .env_remove("SENE_STORE")
        .env_remove("SENE_LANG")
        .env_remove("SENE_CLOCK")
        .envs(env.iter().copied())
        .arg("--store")
        .arg(store)
        .args(["hub", "serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let hub = Hub(child);
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the hub did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (hub, format!("http://127.0.0.1:{port}"))
}
