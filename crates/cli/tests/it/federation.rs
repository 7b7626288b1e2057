//! `sene federation add-union|unions|pull|import|serve` against a real PostgreSQL (a
//! throwaway cluster, `sene_federation::cluster`) and a union office served by `sene hub serve`.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{json, serve};

fn fed(pg: &str, data: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sene"))
        .args(["--json", "federation", "--postgres", pg, "--data"])
        .arg(data)
        .args(args)
        .env_remove("SENE_LANG")
        .env_remove("SENE_FEDERATION_POSTGRES")
        .env_remove("SENE_FEDERATION_DATA")
        .output()
        .unwrap()
}

fn fed_ok(pg: &str, data: &Path, args: &[&str]) -> Value {
    let o = fed(pg, data, args);
    assert!(
        o.status.success(),
        "sene federation {args:?}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn a_union_added_with_its_code_is_pulled_imported_and_served() {
    let pgc = sene_federation::cluster::TempCluster::start().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let pg = rt.block_on(pgc.create_db("federation")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let office = dir.path().join("bureau.sqlite");
    let data = dir.path().join("federation");
    json(&office, &["demo"]);
    let device = json(
        &office,
        &[
            "device",
            "add",
            "--label",
            "Fédération nationale",
            "--prefix",
            "FED",
        ],
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let code = json(&office, &["hub", "pair", "--device", "FED", "--federation"])["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let (hub, url) = serve(&office, &[]);

    // neither a code nor a token
    let o = fed(
        &pg,
        &data,
        &[
            "add-union",
            "Union démo",
            "--url",
            &url,
            "--device",
            &device,
        ],
    );
    assert!(!o.status.success());
    let added = fed_ok(
        &pg,
        &data,
        &[
            "add-union",
            "Union démo",
            "--url",
            &url,
            "--device",
            &device,
            "--code",
            &code,
        ],
    );
    assert_eq!(added["name"], "Union démo");
    // the code is spent: the same name again is refused before it is tried
    let o = fed(
        &pg,
        &data,
        &[
            "add-union",
            "Union démo",
            "--url",
            &url,
            "--device",
            &device,
            "--code",
            &code,
        ],
    );
    let err: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(err["error"]["code"], "union_exists", "{err}");

    let first = fed_ok(&pg, &data, &["pull"]);
    assert_eq!(first[0]["ok"], true, "{first}");
    assert!(
        first[0]["report"]["rows_written"].as_u64().unwrap() > 100,
        "{first}"
    );
    let again = fed_ok(&pg, &data, &["pull", "Union démo"]);
    assert_eq!(again[0]["report"]["rows_written"], 0, "{again}");
    let unions = fed_ok(&pg, &data, &["unions"]);
    assert_eq!(unions[0]["failing"], false, "{unions}");
    assert!(unions[0]["last_ok_at"].is_string(), "{unions}");

    // an unknown union, said in French by default
    let o = Command::new(env!("CARGO_BIN_EXE_sene"))
        .args(["federation", "--postgres", &pg, "--data"])
        .arg(&data)
        .args(["pull", "Inconnue"])
        .env_remove("SENE_LANG")
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("union « Inconnue » inconnue"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    // the office's USB file for the federation: nothing new in it
    let file = dir.path().join("pour-federation.sene");
    json(
        &office,
        &[
            "sync",
            "export",
            "--device",
            "FED",
            "--to",
            file.to_str().unwrap(),
        ],
    );
    let imported = fed_ok(
        &pg,
        &data,
        &["import", file.to_str().unwrap(), "--union", "Union démo"],
    );
    assert_eq!(imported["rows_written"], 0, "{imported}");

    // the hub stopped: the pull fails, the union's status says so
    drop(hub);
    let o = fed(&pg, &data, &["pull", "Union démo"]);
    assert!(!o.status.success());
    let unions = fed_ok(&pg, &data, &["unions"]);
    assert_eq!(unions[0]["failing"], true, "{unions}");

    // serve: the scheduler pulls at once (the hub is down: a failed pull more), and
    // /v1/unions says so
    let before = fed_ok(&pg, &data, &["unions"])[0]["last_pull_at"].clone();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sene"))
        .args(["federation", "--postgres", &pg, "--data"])
        .arg(&data)
        .args([
            "serve",
            "--every",
            "1m",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let st = loop {
        if let Ok(mut r) = ureq::get(&format!("http://127.0.0.1:{port}/v1/unions")).call() {
            let st: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
            if st[0]["last_pull_at"] != before {
                break st;
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "serve did not start or did not pull"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(st[0]["name"], "Union démo", "{st}");
    assert_eq!(st[0]["failing"], true, "{st}");
    assert_eq!(st[0]["last_error_code"], "network", "{st}");
}
