//! The office server has no window: `sene` makes an encrypted store when `SENE_PASSPHRASE` is
//! given, opens it with the passphrase or the recovery key, and `sene recover` sets a new
//! passphrase from the recovery key. Disk failures reach the user in French and English. All
//! with the real binary.
#![allow(clippy::unwrap_used)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

const PASS: &str = "riz de Macina 9";
const NEW_PASS: &str = "nouvelle phrase 7";
/// A member of the demo union (`assets/demo/union.json`).
const DEMO_MEMBER: &str = "Salif Sanogo";

struct Run {
    code: i32,
    json: Value,
    text: String,
}

/// `sene --store STORE --json ARGS…` with exactly the `SENE_*` variables given, and `input`
/// on stdin.
fn sene_in(store: &Path, env: &[(&str, &str)], input: &str, args: &[&str]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sene"));
    for (k, _) in std::env::vars() {
        if k.starts_with("SENE_") {
            cmd.env_remove(k);
        }
    }
    let mut child = cmd
        .envs(env.iter().copied())
        .arg("--store")
        .arg(store)
        .arg("--json")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    Run {
        code: out.status.code().unwrap_or(-1),
        json: serde_json::from_str(&stdout).unwrap_or(Value::Null),
        text: format!("{stdout}{}", String::from_utf8_lossy(&out.stderr)),
    }
}

fn sene(store: &Path, env: &[(&str, &str)], args: &[&str]) -> Run {
    sene_in(store, env, "", args)
}

fn ok(store: &Path, env: &[(&str, &str)], args: &[&str]) -> Value {
    let r = sene(store, env, args);
    assert_eq!(r.code, 0, "sene {args:?}: {}", r.text);
    r.json
}

/// Runs `sene` and checks it is refused (exit 1) with a message that says `why`.
fn refused_in(store: &Path, env: &[(&str, &str)], input: &str, args: &[&str], why: &str) {
    let r = sene_in(store, env, input, args);
    assert_eq!(r.code, 1, "sene {args:?}: {}", r.text);
    let message = r.json["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(why), "sene {args:?}: {}", r.json);
}

fn refused(store: &Path, env: &[(&str, &str)], args: &[&str], why: &str) {
    refused_in(store, env, "", args, why);
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// The database file, its WAL and shared-memory index, as the disk holds them.
fn raw(path: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        all.extend(std::fs::read(with_suffix(path, suffix)).unwrap_or_default());
    }
    all
}

fn holds(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn keys(path: &Path) -> Vec<u8> {
    std::fs::read(with_suffix(path, ".keys")).unwrap()
}

/// The names of the members the store lists.
fn member_names(store: &Path, env: &[(&str, &str)]) -> Vec<String> {
    ok(store, env, &["member", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["full_name"].as_str().unwrap().to_owned())
        .collect()
}

/// `SENE_PASSPHRASE=… sene demo` makes a store whose bytes show no member's name (the same
/// demo without it does), shows the recovery key once, and later commands open it with the
/// passphrase only. A weak passphrase, a plain store already there, are refused and say why.
#[test]
fn a_store_made_with_a_passphrase_is_encrypted() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.sqlite");
    ok(&plain, &[], &["demo"]);
    assert!(
        holds(&raw(&plain), DEMO_MEMBER),
        "the check would see a name"
    );

    let store = dir.path().join("office.sqlite");
    for (lang, why) in [
        ("fr", "phrase secrète trop faible : au moins 8 caractères"),
        ("en", "passphrase too weak: at least 8 characters"),
    ] {
        refused(
            &store,
            &[("SENE_PASSPHRASE", "1234")],
            &["--lang", lang, "demo"],
            why,
        );
    }
    assert!(!store.exists() && !with_suffix(&store, ".keys").exists());

    let pass = [("SENE_PASSPHRASE", PASS)];
    let made = ok(&store, &pass, &["demo"]);
    let recovery = made["recovery_key"].as_str().unwrap();
    assert_eq!(recovery.len(), 69, "{made}");
    assert_eq!(made["account"], "Bureau");
    assert!(made["members"].as_u64().unwrap() > 100, "{made}");
    let bytes = raw(&store);
    assert!(!holds(&bytes, DEMO_MEMBER));
    assert!(!holds(&bytes, "SQLite format 3"));
    assert!(!holds(&keys(&store), recovery));

    // The people's answer says to write the key down, in their language.
    let en = dir.path().join("en.sqlite");
    let r = Command::new(env!("CARGO_BIN_EXE_sene"))
        .env("SENE_PASSPHRASE", PASS)
        .env_remove("SENE_ACCOUNT")
        .args(["--store", en.to_str().unwrap(), "--lang", "en"])
        .args([
            "--agent", "Awa", "init", "--union", "U", "--region", "Ségou",
        ])
        .args(["--device-name", "Bureau", "--prefix", "BU"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&r.stdout);
    assert!(r.status.success(), "{text}");
    assert!(text.contains("Recovery key: "), "{text}");
    assert!(text.contains("Write this key down on paper now"), "{text}");

    // Later commands: the passphrase opens it, nothing else does.
    refused(
        &store,
        &[],
        &["member", "list"],
        "donnez la phrase secrète dans la variable SENE_PASSPHRASE (et le nom du compte dans SENE_ACCOUNT s'il y en a plusieurs), ou la clé de secours dans SENE_RECOVERY_KEY",
    );
    refused(
        &store,
        &[("SENE_PASSPHRASE", "riz de Macina 8")],
        &["member", "list"],
        "incorrecte",
    );
    assert!(member_names(&store, &pass).iter().any(|n| n == DEMO_MEMBER));

    // A plain store already there is not silently kept plain.
    let before = raw(&plain);
    refused(&plain, &pass, &["demo"], "existe déjà, en clair");
    refused(
        &plain,
        &pass,
        &["--lang", "en", "demo"],
        "already exists, in clear",
    );
    assert_eq!(raw(&plain), before);
    assert!(!with_suffix(&plain, ".keys").exists());
}

/// A creation that fails before writing anything leaves no key behind: the next try makes a
/// new one and shows its recovery key.
#[test]
fn a_failed_creation_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("office.sqlite");
    let pass = [("SENE_PASSPHRASE", PASS)];
    // `init` without its first agent's name
    refused(
        &store,
        &pass,
        &[
            "init",
            "--union",
            "U",
            "--region",
            "Ségou",
            "--device-name",
            "B",
            "--prefix",
            "BU",
        ],
        "--agent",
    );
    assert!(!store.exists() && !with_suffix(&store, ".keys").exists());
    let made = ok(
        &store,
        &pass,
        &[
            "--agent",
            "Awa",
            "init",
            "--union",
            "U",
            "--region",
            "Ségou",
            "--device-name",
            "B",
            "--prefix",
            "BU",
        ],
    );
    assert_eq!(made["recovery_key"].as_str().unwrap().len(), 69, "{made}");
}

/// The office lost every passphrase: `sene recover` with the recovery key (from
/// `SENE_RECOVERY_KEY` or typed) sets a new one; afterwards the new passphrase opens the
/// store and the old one does not. Another store's key, a mistyped key, a weak or mistyped
/// new passphrase are refused and change nothing. The recovery key also opens the store for
/// any command, even with its key file lost.
#[test]
fn the_recovery_key_gives_the_office_a_new_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("office.sqlite");
    let other = dir.path().join("other.sqlite");
    let recovery = ok(&store, &[("SENE_PASSPHRASE", PASS)], &["demo"])["recovery_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let foreign = ok(
        &other,
        &[("SENE_PASSPHRASE", "mil et sorgho 24")],
        &[
            "--agent",
            "Awa",
            "init",
            "--union",
            "U",
            "--region",
            "Ségou",
            "--device-name",
            "B",
            "--prefix",
            "BU",
        ],
    )["recovery_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut typo: Vec<char> = recovery.chars().collect();
    typo[6] = if typo[6] == 'A' { 'B' } else { 'A' };
    let typo: String = typo.into_iter().collect();

    // Refusals that change nothing.
    let key_file = keys(&store);
    let bytes = raw(&store);
    let new = ("SENE_NEW_PASSPHRASE", NEW_PASS);
    for (env, input, why) in [
        (
            vec![("SENE_RECOVERY_KEY", foreign.as_str()), new],
            "",
            "cette clé de secours n'ouvre pas la base",
        ),
        (
            vec![("SENE_RECOVERY_KEY", typo.as_str()), new],
            "",
            "clé de secours illisible",
        ),
        (
            vec![
                ("SENE_RECOVERY_KEY", recovery.as_str()),
                ("SENE_NEW_PASSPHRASE", "motdepasse"),
            ],
            "",
            "trop faible",
        ),
        // typed: the confirmation differs
        (
            vec![],
            &format!("{recovery}\n{NEW_PASS}\nnouvelle phrase 8\n") as &str,
            "diffèrent",
        ),
        // nothing given, nothing typed
        (vec![], "", "SENE_RECOVERY_KEY"),
    ] {
        refused_in(&store, &env, input, &["recover"], why);
        assert_eq!(keys(&store), key_file, "{why}");
        assert_eq!(raw(&store), bytes, "{why}");
    }
    refused(
        &store,
        &[("SENE_RECOVERY_KEY", &foreign), new],
        &["--lang", "en", "recover"],
        "this recovery key does not open the store",
    );
    // The wrong key opens nothing for other commands either.
    refused(
        &store,
        &[("SENE_RECOVERY_KEY", &foreign)],
        &["member", "list"],
        "n'ouvre pas",
    );

    // The key from the environment, the new passphrase from the environment.
    let r = ok(
        &store,
        &[("SENE_RECOVERY_KEY", &recovery), new],
        &["recover"],
    );
    assert_eq!(r["account"], "Bureau", "{r}");
    assert_ne!(keys(&store), key_file);
    refused(
        &store,
        &[("SENE_PASSPHRASE", PASS)],
        &["member", "list"],
        "incorrecte",
    );
    assert!(member_names(&store, &[("SENE_PASSPHRASE", NEW_PASS)])
        .iter()
        .any(|n| n == DEMO_MEMBER));

    // The key file lost as well: the recovery key still opens the store for any command,
    // and `sene recover`, the key and the new passphrase typed, makes a new key file.
    std::fs::remove_file(with_suffix(&store, ".keys")).unwrap();
    assert!(member_names(&store, &[("SENE_RECOVERY_KEY", &recovery)])
        .iter()
        .any(|n| n == DEMO_MEMBER));
    let typed = format!(
        "{}\nphrase du bureau 3\nphrase du bureau 3\n",
        recovery.to_lowercase()
    );
    let r = sene_in(
        &store,
        &[],
        &typed,
        &["recover", "--account", "Secrétariat"],
    );
    assert_eq!(r.code, 0, "{}", r.text);
    assert_eq!(r.json["account"], "Secrétariat", "{}", r.json);
    refused(
        &store,
        &[("SENE_PASSPHRASE", NEW_PASS)],
        &["member", "list"],
        "incorrecte",
    );
    assert!(member_names(
        &store,
        &[
            ("SENE_PASSPHRASE", "phrase du bureau 3"),
            ("SENE_ACCOUNT", "Secrétariat")
        ]
    )
    .iter()
    .any(|n| n == DEMO_MEMBER));
    assert!(!holds(&raw(&store), DEMO_MEMBER));

    // A plain store has nothing to recover.
    let plain = dir.path().join("plain.sqlite");
    ok(&plain, &[], &["demo"]);
    refused(
        &plain,
        &[("SENE_RECOVERY_KEY", &recovery), new],
        &["recover"],
        "n'est pas chiffrée",
    );
}

/// A write the disk refuses (here past the process's file size limit, `ulimit -f`: `write`
/// fails with EFBIG, SQLite answers SQLITE_IOERR) reaches the user as a disk error, in
/// French, and in English with `--lang en`.
#[test]
fn a_disk_error_is_told_in_french_and_english() {
    let dir = tempfile::tempdir().unwrap();
    for (lang, start) in [
        (
            "fr",
            "erreur : erreur de lecture ou d'écriture sur le disque (code SQLite",
        ),
        ("en", "error: the disk failed to read or write (SQLite code"),
    ] {
        let store = dir.path().join(format!("{lang}.sqlite"));
        // SIGXFSZ ignored, so that the write fails instead of the process being killed.
        let out = Command::new("/bin/sh")
            .arg("-c")
            .arg("trap '' XFSZ; ulimit -f 400; exec \"$0\" \"$@\"")
            .arg(env!("CARGO_BIN_EXE_sene"))
            .args(["--store", store.to_str().unwrap(), "--lang", lang, "demo"])
            .env_remove("SENE_PASSPHRASE")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains(start), "{err}");
    }
}
