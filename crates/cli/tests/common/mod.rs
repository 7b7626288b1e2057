//! Running `sene` on a store, for the command-line tests.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;

use serde_json::Value;

/// Runs `sene --store STORE ARGS…` with no language, store or clock from the environment.
pub fn sene(store: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_sene"))
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
