//! Upgrades that keep every record (#22 item 3). `fixtures/upgrade/v<N>/` holds stores made by
//! the `sene` of an earlier commit of main at schema N (a small generated union, plain and
//! encrypted) and the settlement the same old `sene` printed for each (`--json`); its
//! README.txt names the commit and the commands. Each store is copied, dumped row by row with
//! plain SQL (every table, every column) before the current code opens it, opened (which
//! migrates it), dumped again and compared; the settlement of every campaign is computed by the
//! current code and compared with what the old binary printed. A store from a newer Sene and an
//! upgrade that fails at a later step leave the file byte for byte as it was.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use sene_app::{Ledger, SystemClock};
use sene_domain::Lang;
use sene_store::{fingerprint, pre_upgrade_copy, DataKey, Store, StoreError, Vault, MIGRATIONS};
use serde_json::Value;

/// The passphrase the encrypted fixtures were made with (README.txt).
const PASSPHRASE: &str = "mangue-karite-2026-bamako";
/// The settlement date given to the old `sene report settlement --date`.
const SETTLED_ON: &str = "2027-06-30";

/// Every fixture: its folder and the schema its `sene` wrote.
const FIXTURES: &[(&str, i64)] = &[("v18", 18), ("v21", 21), ("v24", 24)];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/upgrade")
}

fn latest() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

fn side(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// The fixture `name` of `dir` (with its key file, if any) copied into `into`; a plain store is
/// kept gzipped (`<name>.gz`: its pages compress, an encrypted store's do not).
fn copy_fixture(dir: &str, name: &str, into: &Path) -> PathBuf {
    let to = into.join(name);
    let from = fixtures().join(dir).join(name);
    let gz = side(&from, ".gz");
    if gz.exists() {
        let mut out = std::fs::File::create(&to).unwrap();
        std::io::copy(
            &mut flate2::read::GzDecoder::new(std::fs::File::open(&gz).unwrap()),
            &mut out,
        )
        .unwrap();
        out.sync_all().unwrap();
        return to;
    }
    assert!(from.exists(), "missing fixture {}", from.display());
    std::fs::copy(&from, &to).unwrap();
    let keys = Vault::key_path(&from);
    if keys.exists() {
        std::fs::copy(&keys, Vault::key_path(&to)).unwrap();
    }
    to
}

/// The raw key SQLCipher takes, from the data key (read back from its recovery text: the
/// store's API does not hand the raw key out).
fn raw_key(key: &DataKey) -> String {
    const B32: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let text: Vec<u8> = key
        .recovery_text()
        .bytes()
        .filter(u8::is_ascii_alphanumeric)
        .collect();
    let mut bits = Vec::new();
    for c in &text[..52] {
        let v = B32.iter().position(|b| b == c).unwrap();
        for i in (0..5).rev() {
            bits.push((v >> i) & 1);
        }
    }
    let bytes: Vec<u8> = bits[..256]
        .chunks(8)
        .map(|c| {
            c.iter()
                .fold(0u8, |a, &b| (a << 1) | u8::try_from(b).unwrap())
        })
        .collect();
    let back = DataKey::from_recovery_text(&key.recovery_text()).unwrap();
    assert_eq!(back.recovery_text(), key.recovery_text());
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// A plain SQL connection on the store file, not through the store's code (nothing migrated).
fn raw(path: &Path, key: Option<&DataKey>) -> Connection {
    let conn = Connection::open(path).unwrap();
    if let Some(k) = key {
        conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", raw_key(k)))
            .unwrap();
    }
    conn
}

/// The file at `path` holds exactly `bytes` (else: where it first differs, not both files).
fn same_bytes(path: &Path, bytes: &[u8], what: &str) {
    let now = std::fs::read(path).unwrap();
    if now != bytes {
        let at = now.iter().zip(bytes).position(|(a, b)| a != b);
        panic!(
            "{what} changed: {} bytes, {} before, first difference at {at:?}",
            now.len(),
            bytes.len()
        );
    }
}

fn user_version(conn: &Connection) -> i64 {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

type Rows = BTreeMap<String, BTreeMap<String, Value>>;

/// Every row of every table, keyed by its primary key (or rowid), each column as JSON (blobs
/// as hex).
fn dump(conn: &Connection) -> BTreeMap<String, Rows> {
    let tables: Vec<(String, String)> = conn
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = BTreeMap::new();
    for (table, sql) in tables {
        let mut pk: Vec<(i64, String)> = conn
            .prepare(&format!(
                "SELECT pk, name FROM pragma_table_info('{table}') WHERE pk > 0"
            ))
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        pk.sort();
        let rowid = !sql.to_uppercase().contains("WITHOUT ROWID");
        let select = if rowid {
            format!("SELECT rowid AS \"#rowid\", * FROM \"{table}\"")
        } else {
            format!("SELECT * FROM \"{table}\"")
        };
        let mut st = conn.prepare(&select).unwrap();
        let names: Vec<String> = st.column_names().map(str::to_owned).collect();
        let mut rows = st.query([]).unwrap();
        let mut table_rows = Rows::new();
        while let Some(r) = rows.next().unwrap() {
            let mut row = BTreeMap::new();
            for (i, n) in names.iter().enumerate() {
                let v = match r.get_ref(i).unwrap() {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(x) => Value::from(x),
                    ValueRef::Real(x) => Value::from(x),
                    ValueRef::Text(t) => Value::from(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => {
                        Value::from(b.iter().map(|x| format!("{x:02x}")).collect::<String>())
                    }
                };
                row.insert(n.clone(), v);
            }
            let key = if pk.is_empty() {
                row["#rowid"].to_string()
            } else {
                pk.iter()
                    .map(|(_, c)| row[c].to_string())
                    .collect::<Vec<_>>()
                    .join("|")
            };
            // the rowid of a table with a primary key is not part of the record
            if !pk.is_empty() {
                row.remove("#rowid");
            }
            assert!(table_rows.insert(key, row).is_none(), "{table}: key twice");
        }
        out.insert(table, table_rows);
    }
    out
}

/// Migration 16's text was edited after it shipped (schema 16 to 18 stores ran the first
/// text): the upgrade records its fingerprint of today and adds what the edit added, the
/// store's identity in settings, when the store had none (`REVISIONS` in migrate.rs).
const REVISED: i64 = 16;

/// Every row before is there after with the same value in each column it had; the columns the
/// migrations added are empty (NULL); no row is added but the migrations' own.
fn compare(before: &BTreeMap<String, Rows>, after: &BTreeMap<String, Rows>, from: i64) -> usize {
    let mut compared = 0;
    for (table, rows) in before {
        let Some(now) = after.get(table) else {
            panic!("table {table} lost by the upgrade");
        };
        for (key, row) in rows {
            let Some(new) = now.get(key) else {
                panic!("{table} {key} lost by the upgrade");
            };
            for (col, v) in row {
                let Some(nv) = new.get(col) else {
                    panic!("{table}.{col} lost by the upgrade");
                };
                let revised = table == "schema_migrations"
                    && col == "fingerprint"
                    && key == &REVISED.to_string()
                    && v != nv;
                if revised {
                    // the first text's fingerprint, replaced by today's
                    let today = fingerprint(MIGRATIONS[usize::try_from(REVISED - 1).unwrap()].sql);
                    assert_eq!(nv, &Value::from(today), "migration {REVISED}'s fingerprint");
                } else {
                    assert_eq!(v, nv, "{table} {key} .{col} changed by the upgrade");
                }
                compared += 1;
            }
            for (col, nv) in new {
                if !row.contains_key(col) {
                    assert_eq!(nv, &Value::Null, "{table} {key}: new column {col} filled");
                }
            }
        }
        if table == "schema_migrations" {
            let mut added: Vec<i64> = now
                .keys()
                .filter(|k| !rows.contains_key(*k))
                .map(|k| k.parse().unwrap())
                .collect();
            added.sort_unstable();
            let expected: Vec<i64> = MIGRATIONS
                .iter()
                .map(|m| m.version)
                .filter(|v| *v > from)
                .collect();
            assert_eq!(added, expected, "the migrations recorded");
        } else if table == "settings" && from <= 18 && !rows.contains_key("\"store_id\"") {
            let added: Vec<&String> = now.keys().filter(|k| !rows.contains_key(*k)).collect();
            assert_eq!(
                added,
                ["\"store_id\""],
                "settings: rows added by the upgrade"
            );
        } else {
            assert_eq!(now.len(), rows.len(), "{table}: rows added by the upgrade");
        }
    }
    compared
}

/// Every figure of `old` (what the old `sene` printed) is in `new` with the same value: each
/// key of an object, each element of an array (same length). Returns how many figures.
fn covers(old: &Value, new: &Value, at: &str) -> usize {
    match (old, new) {
        (Value::Object(o), Value::Object(n)) => o
            .iter()
            .map(|(k, v)| {
                let nv = n
                    .get(k)
                    .unwrap_or_else(|| panic!("{at}.{k}: missing from today's settlement"));
                covers(v, nv, &format!("{at}.{k}"))
            })
            .sum(),
        (Value::Array(o), Value::Array(n)) => {
            assert_eq!(
                o.len(),
                n.len(),
                "{at}: {} lines then, {} now",
                o.len(),
                n.len()
            );
            o.iter()
                .zip(n)
                .enumerate()
                .map(|(i, (a, b))| covers(a, b, &format!("{at}[{i}]")))
                .sum()
        }
        _ => {
            assert_eq!(
                old, new,
                "{at}: the old sene printed {old}, today's code {new}"
            );
            1
        }
    }
}

/// The settlement of every campaign (in the order the CLI lists them) by today's code.
fn settlements(ledger: &Ledger) -> Value {
    let db = ledger.db();
    let date = NaiveDate::parse_from_str(SETTLED_ON, "%Y-%m-%d").unwrap();
    let reports: Vec<Value> = db
        .campaign_ids()
        .unwrap()
        .into_iter()
        .map(|id| serde_json::to_value(ledger.settle_campaign(id, date).unwrap()).unwrap())
        .collect();
    Value::Array(reports)
}

fn unlock(path: &Path, passphrase: &str) -> Result<(Vault, DataKey), StoreError> {
    let vault = Vault::load(path)?;
    let slot = vault.slots()[0].id.clone();
    let key = vault.unlock(&slot, passphrase)?;
    Ok((vault, key))
}

/// One fixture store upgraded: every record and every settlement figure kept.
fn upgrade(dir: &str, version: i64, encrypted: bool) {
    let tmp = tempfile::tempdir().unwrap();
    let name = if encrypted {
        "encrypted.sqlite"
    } else {
        "plain.sqlite"
    };
    let path = copy_fixture(dir, name, tmp.path());
    let original = std::fs::read(&path).unwrap();
    let key = if encrypted {
        // without its passphrase the store is not opened, and not touched
        assert!(matches!(
            Store::open(&path).unwrap_err(),
            StoreError::Encrypted { .. }
        ));
        assert!(matches!(
            unlock(&path, "pas-la-bonne-phrase-2026").unwrap_err(),
            StoreError::WrongPassphrase
        ));
        same_bytes(
            &path,
            &original,
            "an encrypted store opened without its passphrase",
        );
        Some(unlock(&path, PASSPHRASE).unwrap())
    } else {
        None
    };
    let before = {
        let conn = raw(&path, key.as_ref().map(|(_, k)| k));
        assert_eq!(user_version(&conn), version, "{dir}/{name}: its schema");
        dump(&conn)
    };
    let members = before["members"].len();
    // the generated small union (plain), the union written command by command (encrypted)
    assert_eq!(members, if encrypted { 5 } else { 120 }, "{dir}/{name}");
    assert!(!before["deliveries"].is_empty() && !before["audit"].is_empty());

    let store = match &key {
        Some((_, k)) => {
            let mut vault = Vault::load(&path).unwrap();
            Store::open_vault(&path, &mut vault, k).unwrap()
        }
        None => Store::open(&path).unwrap(),
    };
    assert_eq!(
        store.upgraded_from(),
        (version < latest()).then_some(version),
        "{dir}/{name}: the store says it was upgraded"
    );
    let ledger = Ledger::with_clock(store, Box::new(SystemClock));
    assert_eq!(ledger.store().integrity_check().unwrap(), "ok");
    let now = settlements(&ledger);
    drop(ledger);

    let after = {
        let conn = raw(&path, key.as_ref().map(|(_, k)| k));
        assert_eq!(user_version(&conn), latest(), "{dir}/{name}: upgraded");
        dump(&conn)
    };
    let compared = compare(&before, &after, version);
    let least = if encrypted { 500 } else { 20_000 };
    assert!(compared > least, "{dir}/{name}: {compared} values compared");

    let old: Value = serde_json::from_slice(
        &std::fs::read(
            fixtures()
                .join(dir)
                .join(name.replace(".sqlite", ".settlement.json")),
        )
        .unwrap(),
    )
    .unwrap();
    let figures = covers(&old, &now, &format!("{dir}/{name}"));
    let least = if encrypted { 100 } else { 1_000 };
    assert!(
        figures > least,
        "{dir}/{name}: {figures} settlement figures"
    );

    // an older store leaves a copy of itself, as the older Sene wrote it, beside it
    let copy = pre_upgrade_copy(&path, version);
    if version < latest() {
        same_bytes(&copy, &original, "the copy before upgrading");
        if encrypted {
            assert!(Vault::key_path(&copy).exists(), "the copy's key file");
        }
    } else {
        assert!(!copy.exists(), "no copy when nothing is upgraded");
    }
    eprintln!(
        "{dir}/{name}: schema {version} -> {}, {compared} values of {} tables and {figures} settlement figures kept",
        latest(),
        before.len()
    );
}

#[test]
fn every_fixture_is_there_and_older_than_this_sene_or_as_old() {
    let mut versions: Vec<i64> = FIXTURES.iter().map(|(_, v)| *v).collect();
    versions.dedup();
    assert!(versions.len() >= 3, "the current schema and two older ones");
    assert!(versions.iter().all(|v| *v <= latest()));
    assert!(versions.iter().filter(|v| **v < latest()).count() >= 2);
    for (dir, _) in FIXTURES {
        for f in [
            "plain.sqlite.gz",
            "plain.settlement.json",
            "encrypted.sqlite",
            "encrypted.sqlite.keys",
            "encrypted.settlement.json",
        ] {
            let p = fixtures().join(dir).join(f);
            let len = std::fs::metadata(&p)
                .unwrap_or_else(|_| panic!("missing {}", p.display()))
                .len();
            assert!(len < 1 << 20, "{} is {len} bytes", p.display());
        }
    }
}

#[test]
fn an_older_plain_store_keeps_every_record_and_settlement_figure() {
    for (dir, version) in FIXTURES {
        upgrade(dir, *version, false);
    }
}

#[test]
fn an_older_encrypted_store_needs_its_passphrase_and_keeps_everything() {
    for (dir, version) in FIXTURES {
        upgrade(dir, *version, true);
    }
}

/// A store written by a newer Sene is refused, with the typed error, and not touched.
#[test]
fn a_store_from_a_newer_sene_is_refused_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, _) = FIXTURES.last().unwrap();
    let path = copy_fixture(dir, "plain.sqlite", tmp.path());
    let newer = latest() + 1;
    {
        let conn = raw(&path, None);
        conn.pragma_update(None, "user_version", newer).unwrap();
        conn.execute(
            "INSERT INTO schema_migrations (version, name, fingerprint, applied_at) VALUES (?1, 'from_the_future', '0', '2030-01-01T00:00:00Z')",
            [newer],
        )
        .unwrap();
    }
    assert!(!side(&path, "-wal").exists());
    let bytes = std::fs::read(&path).unwrap();
    let e = Store::open(&path).unwrap_err();
    assert!(
        matches!(e, StoreError::TooNew { found, supported } if found == newer && supported == latest()),
        "{e}"
    );
    assert!(
        e.message(Lang::Fr).contains("plus récente"),
        "{}",
        e.message(Lang::Fr)
    );
    assert!(
        e.message(Lang::En).contains("newer Sene"),
        "{}",
        e.message(Lang::En)
    );
    let e = Ledger::open(&path).unwrap_err();
    assert!(e.to_string().contains("plus récente"), "{e}");
    same_bytes(&path, &bytes, "the newer store");
    assert!(
        !side(&path, "-wal").exists() || std::fs::metadata(side(&path, "-wal")).unwrap().len() == 0
    );
    assert!(!pre_upgrade_copy(&path, newer).exists());
}

/// An upgrade that fails at a later step (here migration 22, whose index a technician's own
/// index of the same name stands in the way of, after 19 to 21 ran) leaves the file as the
/// older Sene wrote it: byte for byte, at its version, with its records.
#[test]
fn an_upgrade_that_fails_halfway_leaves_the_file_as_it_was() {
    let (dir, version) = FIXTURES[0];
    let failing = 22;
    assert!(version + 2 < failing && failing <= latest());
    let tmp = tempfile::tempdir().unwrap();
    let path = copy_fixture(dir, "plain.sqlite", tmp.path());
    {
        let conn = raw(&path, None);
        conn.execute_batch("CREATE INDEX members_departed ON members(full_name)")
            .unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    let before = dump(&raw(&path, None));

    let e = Store::open(&path).unwrap_err();
    assert!(
        e.to_string().contains("members_departed"),
        "the failing step: {e}"
    );
    same_bytes(&path, &bytes, "the store whose upgrade failed");
    let conn = raw(&path, None);
    assert_eq!(user_version(&conn), version, "left at its version");
    let after = dump(&conn);
    assert_eq!(before, after, "the records, as they were");
    // nothing of the steps before the failing one: migration 19's tables, 20's columns
    assert!(!after.contains_key("member_merges") && !after.contains_key("registry_changes"));
    drop(conn);
    // the copy kept before trying is the older file
    same_bytes(
        &pre_upgrade_copy(&path, version),
        &bytes,
        "the copy before upgrading",
    );
    // and it fails the same way again, still without touching the file
    assert!(Store::open(&path).is_err());
    same_bytes(&path, &bytes, "the store whose upgrade failed twice");
}
