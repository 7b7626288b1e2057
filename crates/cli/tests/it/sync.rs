//! `sene hub serve`, `sene hub pair`, `sene enroll`, `sene sync`, `sene sync export|import`
//! and `sene conflicts`, end to end with the real binary and a real hub on loopback.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::common::serve;

fn sene(store: &Path, args: &[&str]) -> (i32, Value, String) {
    sene_env(store, &[], args)
}

fn sene_env(store: &Path, env: &[(&str, &str)], args: &[&str]) -> (i32, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sene"))
        .envs(env.iter().copied())
        .arg("--store")
        .arg(store)
        .arg("--json")
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let v = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        v,
        format!("{stdout}{}", String::from_utf8_lossy(&out.stderr)),
    )
}

fn ok(store: &Path, args: &[&str]) -> Value {
    let (code, v, text) = sene(store, args);
    assert_eq!(code, 0, "sene {args:?} failed: {text}");
    v
}

/// Runs `sene` and checks it is refused (exit 1) with a message that says `why`.
fn refused(store: &Path, env: &[(&str, &str)], args: &[&str], why: &str) {
    let (code, v, text) = sene_env(store, env, args);
    assert_eq!(code, 1, "sene {args:?}: {text}");
    let message = v["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(why), "sene {args:?}: {v}");
}

/// An office store: a union, cooperative DIO, its field agent Moussa Diarra and his laptop
/// (prefix A1) paired. Returns the laptop's id and its pairing code. Built with `sene init`,
/// `agent add` and `hub pair`, which this file tests, not with `sene-fixture`: its union is
/// written on the ledger and its hub runs in process for good, while these tests stop
/// `sene hub serve`, start it again after a revocation, and start it on an encrypted store.
fn office_with_a_laptop(office: &Path, union: &str) -> (String, String) {
    ok(
        office,
        &[
            "init",
            "--union",
            union,
            "--region",
            "Ségou",
            "--agent",
            "Awa Secrétaire",
            "--device-name",
            "Bureau",
            "--prefix",
            "U1",
        ],
    );
    ok(
        office,
        &[
            "cooperative",
            "add",
            "--code",
            "DIO",
            "--name",
            "Dioro",
            "--village",
            "Dioro",
            "--commune",
            "Dioro",
            "--cercle",
            "Ségou",
            "--region",
            "Ségou",
        ],
    );
    let agent = ok(
        office,
        &[
            "agent",
            "add",
            "--name",
            "Moussa Diarra",
            "--role",
            "field_agent",
            "--cooperative",
            "DIO",
        ],
    );
    let agent_id = agent["id"].as_str().unwrap().to_owned();
    let device = ok(
        office,
        &[
            "device",
            "add",
            "--label",
            "Portable Moussa",
            "--prefix",
            "A1",
        ],
    );
    let device_id = device["id"].as_str().unwrap().to_owned();
    let pairing = ok(
        office,
        &["hub", "pair", "--device", "A1", "--for", &agent_id],
    );
    let code = pairing["code"].as_str().unwrap().to_owned();
    (device_id, code)
}

/// The field laptop registers Aminata Traoré (DIO-0001) in Dioro, offline.
fn add_aminata(field: &Path) {
    ok(
        field,
        &[
            "member",
            "add",
            "--cooperative",
            "DIO",
            "--number",
            "DIO-0001",
            "--name",
            "Aminata Traoré",
            "--sex",
            "F",
            "--village",
            "Dioro",
        ],
    );
}

#[test]
fn a_device_enrolls_syncs_and_carries_a_usb_file() {
    let dir = tempfile::tempdir().unwrap();
    let office = dir.path().join("office.sqlite");
    let field = dir.path().join("field.sqlite");
    let (device_id, code) = office_with_a_laptop(&office, "Union test");

    let (hub, url) = serve(&office, &[]);
    // a wrong code is refused with a clear message
    refused(
        &field,
        &[],
        &[
            "enroll",
            "--hub",
            &url,
            "--device",
            &device_id,
            "--pairing-code",
            "AAAAAAAAAA",
        ],
        "code",
    );
    let enrolled = ok(
        &field,
        &[
            "enroll",
            "--hub",
            &url,
            "--device",
            &device_id,
            "--pairing-code",
            &code,
        ],
    );
    assert_eq!(enrolled["union"], "Union test");
    // the field laptop registers a member offline, then syncs
    add_aminata(&field);
    let r = ok(&field, &["sync"]);
    assert_eq!(r["rounds"], 1, "{r}");
    assert_eq!(r["pushed"]["records"], 1, "{r}");
    drop(hub);
    let found = ok(&office, &["member", "search", "traore"]);
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");

    // no network: a USB file, both ways
    ok(
        &field,
        &[
            "member",
            "add",
            "--cooperative",
            "DIO",
            "--number",
            "DIO-0002",
            "--name",
            "Awa Coulibaly",
            "--sex",
            "F",
            "--village",
            "Dioro",
        ],
    );
    let stick = dir.path().join("cle.sene");
    ok(&field, &["sync", "export", "--to", stick.to_str().unwrap()]);
    let imported = ok(&office, &["sync", "import", stick.to_str().unwrap()]);
    assert_eq!(imported["records"], 1, "{imported}");
    let again = ok(&office, &["sync", "import", stick.to_str().unwrap()]);
    assert_eq!(
        again["records"], 0,
        "importing twice changes nothing: {again}"
    );
    let mut bytes = std::fs::read(&stick).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&stick, &bytes).unwrap();
    let (c, v, _) = sene(&office, &["sync", "import", stick.to_str().unwrap()]);
    assert_eq!(c, 1);
    assert_eq!(v["error"]["code"], "sync_unauthentic", "{v}");
    ok(
        &office,
        &[
            "member",
            "add",
            "--cooperative",
            "DIO",
            "--number",
            "DIO-0003",
            "--name",
            "Kadiatou Diarra",
            "--sex",
            "F",
            "--village",
            "Dioro",
        ],
    );
    let back = dir.path().join("retour.sene");
    ok(
        &office,
        &[
            "sync",
            "export",
            "--to",
            back.to_str().unwrap(),
            "--device",
            "A1",
        ],
    );
    let got = ok(&field, &["sync", "import", back.to_str().unwrap()]);
    assert!(got["records"].as_u64().unwrap() >= 1, "{got}");
    assert_eq!(ok(&field, &["member", "list"]).as_array().unwrap().len(), 3);
    assert_eq!(
        ok(&field, &["conflicts", "list"]).as_array().unwrap().len(),
        0
    );

    // revoked: the next sync is refused
    ok(&office, &["hub", "revoke", "--device", "A1"]);
    let (hub, url) = serve(&office, &[]);
    refused(&field, &[], &["sync", "--hub", &url], "révoqué");
    drop(hub);
}

/// The database file, its WAL and shared-memory index, as the disk holds them.
fn raw(path: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        all.extend(std::fs::read(std::path::PathBuf::from(p)).unwrap_or_default());
    }
    all
}

fn holds(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// The office's store encrypted in place by `sene encrypt`; every later command, and the
/// hub, open it with `SENE_PASSPHRASE`; a field laptop syncs with it as before.
#[test]
fn an_office_store_encrypted_in_place_still_serves_its_devices() {
    let dir = tempfile::tempdir().unwrap();
    let office = dir.path().join("office.sqlite");
    let field = dir.path().join("field.sqlite");
    let (device_id, code) = office_with_a_laptop(&office, "Union chiffrée");
    assert!(holds(&raw(&office), "Moussa Diarra"));

    // No passphrase, a weak one: refused, the store still plain.
    refused(
        &office,
        &[],
        &["encrypt", "--account", "Bureau"],
        "SENE_PASSPHRASE",
    );
    refused(
        &office,
        &[("SENE_PASSPHRASE", "1234")],
        &["encrypt", "--account", "Bureau"],
        "faible",
    );
    assert!(holds(&raw(&office), "Moussa Diarra"));

    let pass = [("SENE_PASSPHRASE", "riz de Macina 9")];
    let (c, v, text) = sene_env(&office, &pass, &["encrypt", "--account", "Bureau"]);
    assert_eq!(c, 0, "{text}");
    assert_eq!(v["recovery_key"].as_str().unwrap().len(), 69, "{v}");
    let bytes = raw(&office);
    assert!(!holds(&bytes, "Moussa Diarra") && !holds(&bytes, "Union chiffrée"));

    // Without the passphrase, or with a wrong one: a clear refusal.
    refused(&office, &[], &["member", "search", "x"], "SENE_PASSPHRASE");
    refused(
        &office,
        &[("SENE_PASSPHRASE", "riz de Macina 8")],
        &["member", "search", "x"],
        "incorrecte",
    );

    // The hub serves the encrypted file; the laptop enrolls and syncs as before.
    let (hub, url) = serve(&office, &pass);
    ok(
        &field,
        &[
            "enroll",
            "--hub",
            &url,
            "--device",
            &device_id,
            "--pairing-code",
            &code,
        ],
    );
    add_aminata(&field);
    let r = ok(&field, &["sync"]);
    assert_eq!(r["pushed"]["records"], 1, "{r}");
    drop(hub);
    let (c, found, text) = sene_env(&office, &pass, &["member", "search", "traore"]);
    assert_eq!(c, 0, "{text}");
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
    assert!(!holds(&raw(&office), "Aminata"));
}

#[test]
fn the_office_pairs_its_federation_read_only_and_revokes_it() {
    let dir = tempfile::tempdir().unwrap();
    let office = dir.path().join("office.sqlite");
    office_with_a_laptop(&office, "Union test");
    let device = ok(
        &office,
        &[
            "device",
            "add",
            "--label",
            "Fédération des unions",
            "--prefix",
            "FD",
        ],
    );
    let device_id = device["id"].as_str().unwrap().to_owned();
    // no agent to name: the office makes the federation's, read-only, named as its device
    let pairing = ok(&office, &["hub", "pair", "--device", "FD", "--federation"]);
    assert_eq!(pairing["device_id"], device_id.as_str());
    assert!(!pairing["code"].as_str().unwrap().is_empty());
    let agent_id = pairing["agent_id"].as_str().unwrap().to_owned();
    let agents = ok(&office, &["agent", "list"]);
    let agent = agents
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == agent_id.as_str())
        .unwrap();
    assert_eq!(agent["role"], "read_only", "{agent}");
    assert_eq!(agent["name"], "Fédération des unions");
    // paired again (a lost code): a new code, the same agent
    let again = ok(&office, &["hub", "pair", "--device", "FD", "--federation"]);
    assert_eq!(again["agent_id"], agent_id.as_str());
    assert_ne!(again["code"], pairing["code"]);
    let devices = ok(&office, &["hub", "devices"]);
    let row = devices
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["device_id"] == device_id.as_str())
        .unwrap();
    assert_eq!(row["cooperatives"], "*", "the federation's mark: {row}");
    // in words, without --json
    let out = Command::new(env!("CARGO_BIN_EXE_sene"))
        .arg("--store")
        .arg(&office)
        .args(["hub", "devices"])
        .output()
        .unwrap();
    let words = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        words.contains("fédération : toute l'union, lecture seule"),
        "{words}"
    );
    let revoked = ok(&office, &["hub", "revoke", "--device", "FD"]);
    assert_eq!(revoked["revoked"], true);
}
