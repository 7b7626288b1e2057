//! The door of the desktop: a store encrypted from its first byte, opened only by an
//! account's passphrase, and the accounts of a shared device.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use sene_api::*;
use sene_app::{Ledger, StoreHandle};
use sene_store::Table;

use crate::common::{session, CHEAP, PASS};

fn gate(dir: &Path) -> Gate {
    Gate::new(dir.join("sene.sqlite"))
        .with_kdf(CHEAP)
        .with_clock(Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap())
}

fn create(g: &Gate, label: &str) -> (Session, String) {
    g.create(&CreateVaultRequest {
        label: label.into(),
        passphrase: PASS.into(),
        confirm: PASS.into(),
        lang: None,
    })
    .unwrap()
}

/// The database file, its WAL and shared-memory index, as the disk holds them.
fn raw(path: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for s in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(s);
        all.extend(std::fs::read(PathBuf::from(p)).unwrap_or_default());
    }
    all
}

fn found(hay: &[u8], needle: &str) -> bool {
    let n = needle.as_bytes();
    hay.windows(n.len()).any(|w| w == n)
}

/// Members' names and phones, and the amounts of disbursements and balance payments, as
/// the session reads them back.
fn secrets(s: &mut Session) -> Vec<String> {
    let db = s.ledger().db();
    let mut out = Vec::new();
    for row in db.list_rows(Table::Members, 10_000).unwrap() {
        out.push(row["full_name"].as_str().unwrap().to_owned());
        if let Some(p) = row["phone"].as_str() {
            out.push(p.to_owned());
        }
    }
    for t in [Table::Disbursements, Table::Drawdowns, Table::SaleLots] {
        for row in db.list_rows(t, 10_000).unwrap() {
            let a = &row["amount"];
            let a = a
                .as_i64()
                .map(|v| v.to_string())
                .or_else(|| a.as_str().map(str::to_owned));
            if let Some(a) = a.filter(|a| a.len() >= 5) {
                out.push(a);
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn a_demo_season_leaves_no_name_phone_or_amount_in_the_files() {
    // The control: the same demo in a plain store shows them to a byte search.
    let plain_dir = tempfile::tempdir().unwrap();
    let plain_path = plain_dir.path().join("sene.sqlite");
    let mut plain = session(
        plain_dir.path(),
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
    );
    plain.load_demo(&mut |_| {}).unwrap();
    let plain_secrets = secrets(&mut plain);
    let plain_bytes = raw(&plain_path);
    let shown = plain_secrets
        .iter()
        .filter(|s| found(&plain_bytes, s))
        .count();
    assert!(
        shown * 2 > plain_secrets.len(),
        "the search finds only {shown} of {} in a plain store",
        plain_secrets.len()
    );

    let dir = tempfile::tempdir().unwrap();
    let g = gate(dir.path());
    let (mut s, recovery) = create(&g, "Awa");
    let st = s.load_demo(&mut |_| {}).unwrap();
    assert!(st.initialized && st.encrypted);
    let secrets = secrets(&mut s);
    assert!(secrets.len() > 100, "{}", secrets.len());
    // While the session is open (the WAL holds the latest pages) and after it closed.
    for moment in ["open", "closed"] {
        let bytes = raw(g.path());
        assert!(bytes.len() > 100_000, "{moment}: {} bytes", bytes.len());
        let leaked: Vec<&String> = secrets.iter().filter(|x| found(&bytes, x)).collect();
        assert!(leaked.is_empty(), "{moment}: found {leaked:?}");
        assert!(!found(&bytes, "SQLite format 3"), "{moment}");
        assert!(!found(&bytes, &recovery.replace('-', "")), "{moment}");
        if moment == "open" {
            let closed = Session::new(
                Ledger::with_clock(
                    StoreHandle::open_in_memory().unwrap(),
                    Box::new(sene_app::SystemClock),
                ),
                dir.path().join("r"),
            );
            drop(std::mem::replace(&mut s, closed));
        }
    }
    // The key file neither, in what it says in clear: its salts, nonces and sealed keys are
    // random hex, where a five-digit amount turns up by chance in a few runs in a hundred
    let keys: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sene_store::Vault::key_path(g.path())).unwrap())
            .unwrap();
    let readable = readable_text(&keys);
    assert!(readable.contains("Awa"), "{readable}");
    let leaked: Vec<&String> = secrets
        .iter()
        .filter(|x| readable.contains(x.as_str()))
        .collect();
    assert!(leaked.is_empty(), "the key file says {leaked:?}");
}

/// Every key and value of a JSON document, but its long hex strings (random bytes), one per
/// line.
fn readable_text(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::String(s) if s.len() >= 16 && s.chars().all(|c| c.is_ascii_hexdigit()) => {
            String::new()
        }
        Value::String(s) => format!("{s}\n"),
        Value::Array(a) => a.iter().map(readable_text).collect(),
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| format!("{k}\n{}", readable_text(v)))
            .collect(),
        other => format!("{other}\n"),
    }
}

#[test]
fn a_wrong_passphrase_opens_nothing_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let g = gate(dir.path());
    let (mut s, _) = create(&g, "Awa");
    s.load_demo(&mut |_| {}).unwrap();
    drop(s);
    let before = raw(g.path());
    let status = g.status();
    assert_eq!(status.state, "locked");
    assert_eq!(status.accounts.len(), 1);
    let account = status.accounts[0].id.clone();
    let e = g
        .sign_in(&SignInRequest {
            account: account.clone(),
            passphrase: "mil et sorgho 25".into(),
            lang: None,
        })
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::WrongPassphrase);
    assert!(e.message.contains("incorrecte"), "{}", e.message);
    // the window in English: the refusal in English
    let e = g
        .sign_in(&SignInRequest {
            account: account.clone(),
            passphrase: "mil et sorgho 25".into(),
            lang: Some("en".into()),
        })
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::WrongPassphrase);
    assert!(!e.message.contains("incorrecte"), "{}", e.message);
    assert!(
        e.message.to_lowercase().contains("passphrase"),
        "{}",
        e.message
    );
    assert_eq!(raw(g.path()), before);
    // The right one opens, as the agent the account was bound to when the demo made it.
    let s = g
        .sign_in(&SignInRequest {
            account,
            passphrase: PASS.into(),
            lang: None,
        })
        .unwrap();
    let st = s.status().unwrap();
    assert!(st.initialized);
    assert_eq!(st.account_label.as_deref(), Some("Awa"));
    assert!(st.agent_name.is_some());
}

#[test]
fn weak_or_mistyped_passphrases_are_refused_at_creation() {
    let dir = tempfile::tempdir().unwrap();
    let g = gate(dir.path());
    for (p, c, field) in [
        ("1234", "1234", "passphrase"),
        ("98765432", "98765432", "passphrase"),
        (PASS, "mil et sorgho 42", "confirm"),
    ] {
        let e = g
            .create(&CreateVaultRequest {
                label: "Awa".into(),
                passphrase: p.into(),
                confirm: c.into(),
                lang: None,
            })
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidValue, "{p}");
        assert_eq!(e.field.as_deref(), Some(field), "{p}");
    }
    assert_eq!(g.status().state, "new");
    assert!(!g.path().exists());
}

#[test]
fn a_store_file_from_another_laptop_is_named_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let g = gate(dir.path());
    let (s, _) = create(&g, "Awa");
    drop(s);
    let other = tempfile::tempdir().unwrap();
    let og = gate(other.path());
    let (mut o, _) = create(&og, "Moussa");
    o.load_demo(&mut |_| {}).unwrap();
    drop(o);
    std::fs::copy(og.path(), g.path()).unwrap();
    let before = raw(g.path());
    let account = g.status().accounts[0].id.clone();
    let e = g
        .sign_in(&SignInRequest {
            account,
            passphrase: PASS.into(),
            lang: None,
        })
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::ForeignFile, "{e:?}");
    assert_eq!(raw(g.path()), before);
}

/// The key with its first letter mistyped: always a different letter, so it is always a typo
/// (a random key need not hold any given letter).
fn with_a_typo(key: &str) -> String {
    let mut chars: Vec<char> = key.chars().collect();
    chars[0] = if chars[0] == 'B' { 'C' } else { 'B' };
    chars.into_iter().collect()
}

#[test]
fn the_recovery_key_opens_when_the_passphrase_is_forgotten() {
    let dir = tempfile::tempdir().unwrap();
    let g = gate(dir.path());
    let (mut s, recovery) = create(&g, "Awa");
    s.load_demo(&mut |_| {}).unwrap();
    drop(s);
    let bad = g
        .recover(&RecoverRequest {
            recovery_key: with_a_typo(&recovery),
            label: "Awa".into(),
            passphrase: "nouvelle phrase 7".into(),
            confirm: "nouvelle phrase 7".into(),
            lang: None,
        })
        .unwrap_err();
    assert_eq!(bad.field.as_deref(), Some("recovery_key"));
    let s = g
        .recover(&RecoverRequest {
            recovery_key: recovery.to_lowercase(),
            label: "Awa".into(),
            passphrase: "nouvelle phrase 7".into(),
            confirm: "nouvelle phrase 7".into(),
            lang: None,
        })
        .unwrap();
    assert!(s.status().unwrap().initialized);
    drop(s);
    let account = g.status().accounts[0].id.clone();
    assert_eq!(
        g.sign_in(&SignInRequest {
            account: account.clone(),
            passphrase: PASS.into(),
            lang: None,
        })
        .unwrap_err()
        .code,
        ErrorCode::WrongPassphrase
    );
    g.sign_in(&SignInRequest {
        account,
        passphrase: "nouvelle phrase 7".into(),
        lang: None,
    })
    .unwrap();
}

#[test]
fn an_old_plain_store_is_encrypted_and_keeps_its_season() {
    let dir = tempfile::tempdir().unwrap();
    let mut plain = session(
        dir.path(),
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
    );
    plain.load_demo(&mut |_| {}).unwrap();
    let members = secrets(&mut plain);
    let dashboard_before = plain.status().unwrap().campaigns.len();
    drop(plain);
    let g = gate(dir.path());
    assert_eq!(g.status().state, "plain");
    let (mut s, recovery) = g
        .encrypt_existing(&CreateVaultRequest {
            label: "Bureau".into(),
            passphrase: PASS.into(),
            confirm: PASS.into(),
            lang: None,
        })
        .unwrap();
    assert_eq!(recovery.len(), 69);
    assert_eq!(s.status().unwrap().campaigns.len(), dashboard_before);
    assert_eq!(secrets(&mut s), members);
    let bytes = raw(g.path());
    assert!(members.iter().all(|m| !found(&bytes, m)));
    assert_eq!(g.status().state, "locked");
    assert!(g.status().accounts[0].agent_id.is_some());
}

#[test]
fn the_secretariat_gives_a_second_agent_a_sign_in_who_then_signs_records() {
    let dir = tempfile::tempdir().unwrap();
    let g = gate(dir.path());
    let (mut s, _) = create(&g, "Awa");
    s.load_demo(&mut |_| {}).unwrap();
    let me = s.status().unwrap();
    assert_eq!(me.role.as_deref(), Some("secretariat"));
    let agents = s.agents().unwrap();
    let field = agents
        .iter()
        .find(|a| a.role == "field_agent")
        .unwrap()
        .clone();
    // Mistyped confirmation, weak passphrase, unknown agent: refused.
    let weak = s.add_account(&AddAccountRequest {
        agent_id: field.id.clone(),
        passphrase: "1234".into(),
        confirm: "1234".into(),
    });
    assert_eq!(weak.unwrap_err().code, ErrorCode::InvalidValue);
    let unknown = s.add_account(&AddAccountRequest {
        agent_id: "0190f0f0-0000-7000-8000-000000000000".into(),
        passphrase: "riz de Macina 9".into(),
        confirm: "riz de Macina 9".into(),
    });
    assert_eq!(unknown.unwrap_err().code, ErrorCode::NotFound);
    let accounts = s
        .add_account(&AddAccountRequest {
            agent_id: field.id.clone(),
            passphrase: "riz de Macina 9".into(),
            confirm: "riz de Macina 9".into(),
        })
        .unwrap();
    assert_eq!(accounts.len(), 2);
    let theirs = accounts
        .iter()
        .find(|a| a.agent_id.as_deref() == Some(field.id.as_str()))
        .unwrap()
        .clone();
    assert_eq!(theirs.label, field.name);
    drop(s);
    // The field agent signs in with their own passphrase and acts as themself.
    let mut f = g
        .sign_in(&SignInRequest {
            account: theirs.id.clone(),
            passphrase: "riz de Macina 9".into(),
            lang: None,
        })
        .unwrap();
    let st = f.status().unwrap();
    assert_eq!(st.agent_name.as_deref(), Some(field.name.as_str()));
    assert_eq!(st.role.as_deref(), Some("field_agent"));
    let before = f
        .ledger()
        .db()
        .list_rows(Table::Audit, 100_000)
        .unwrap()
        .len();
    f.set_idle_lock(&IdleLockRequest { minutes: 5 }).unwrap();
    assert_eq!(f.status().unwrap().idle_lock_minutes, 5);
    assert!(f.set_idle_lock(&IdleLockRequest { minutes: 241 }).is_err());
    // …and may not give accounts.
    let e = f
        .add_account(&AddAccountRequest {
            agent_id: me_agent(&f, &agents),
            passphrase: "une autre phrase 3".into(),
            confirm: "une autre phrase 3".into(),
        })
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    // What they write carries their agent id.
    let coop = f
        .cooperatives()
        .unwrap()
        .into_iter()
        .find(|c| field.cooperatives.contains(&c.code))
        .unwrap()
        .id;
    f.register_member(&NewMemberRequest {
        cooperative_id: coop,
        number: "9999".into(),
        full_name: "Oumou Sangaré".into(),
        sex: "F".into(),
        birth_year: Some(1980),
        village: "Diado".into(),
        phone: None,
        nina: None,
        crops: vec!["rice".into()],
        confirmed: true,
    })
    .unwrap();
    let audit = f.ledger().db().list_rows(Table::Audit, 100_000).unwrap();
    assert!(audit.len() > before);
    let last = audit
        .iter()
        .find(|r| r["payload"].as_str().is_some_and(|p| p.contains("Oumou")))
        .unwrap();
    assert_eq!(last["agent_id"].as_str(), Some(field.id.as_str()), "{last}");
}

fn me_agent(_s: &Session, agents: &[AgentView]) -> String {
    agents
        .iter()
        .find(|a| a.role == "secretariat")
        .unwrap()
        .id
        .clone()
}
