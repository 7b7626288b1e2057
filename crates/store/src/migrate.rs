//! Numbered migrations. Those a store lacks run in one transaction, after a copy of the older
//! file is kept beside it ([`pre_upgrade_copy`]); `PRAGMA user_version` holds the highest
//! applied; a file newer than this program is refused; the text of every applied migration is
//! fingerprinted in `schema_migrations` and checked at every open.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, TransactionBehavior};

use crate::error::StoreError;

/// One migration.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration, in order. Never edit one that has shipped: add a new one.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "ledger",
        sql: include_str!("migrations/0001_ledger.sql"),
    },
    Migration {
        version: 2,
        name: "sync",
        sql: include_str!("migrations/0002_sync.sql"),
    },
    Migration {
        version: 3,
        name: "hub",
        sql: include_str!("migrations/0003_hub.sql"),
    },
    Migration {
        version: 4,
        name: "snapshots",
        sql: include_str!("migrations/0004_snapshots.sql"),
    },
    Migration {
        version: 5,
        name: "settlement_runs",
        sql: include_str!("migrations/0005_settlement_runs.sql"),
    },
    Migration {
        version: 6,
        name: "office",
        sql: include_str!("migrations/0006_office.sql"),
    },
    Migration {
        version: 7,
        name: "device_indexes",
        sql: include_str!("migrations/0007_device_indexes.sql"),
    },
    Migration {
        version: 8,
        name: "squashes",
        sql: include_str!("migrations/0008_squashes.sql"),
    },
    Migration {
        version: 9,
        name: "debt_carries",
        sql: include_str!("migrations/0009_debt_carries.sql"),
    },
    Migration {
        version: 10,
        name: "price_complements",
        sql: include_str!("migrations/0010_price_complements.sql"),
    },
    Migration {
        version: 11,
        name: "audit_chain",
        sql: include_str!("migrations/0011_audit_chain.sql"),
    },
    Migration {
        version: 12,
        name: "quarantine",
        sql: include_str!("migrations/0012_quarantine.sql"),
    },
    Migration {
        version: 13,
        name: "maker_checker",
        sql: include_str!("migrations/0013_maker_checker.sql"),
    },
    Migration {
        version: 14,
        name: "settlement_proposals",
        sql: include_str!("migrations/0014_settlement_proposals.sql"),
    },
    Migration {
        version: 15,
        name: "hub_dicts",
        sql: include_str!("migrations/0015_hub_dicts.sql"),
    },
    Migration {
        version: 16,
        name: "restorations",
        sql: include_str!("migrations/0016_restorations.sql"),
    },
    Migration {
        version: 17,
        name: "change_tags",
        sql: include_str!("migrations/0017_change_tags.sql"),
    },
    Migration {
        version: 18,
        name: "device_revocations",
        sql: include_str!("migrations/0018_device_revocations.sql"),
    },
    Migration {
        version: 19,
        name: "member_merges_and_resolutions",
        sql: include_str!("migrations/0019_member_merges_and_resolutions.sql"),
    },
    Migration {
        version: 20,
        name: "registry_changes",
        sql: include_str!("migrations/0020_registry_changes.sql"),
    },
    Migration {
        version: 21,
        name: "office_indexes",
        sql: include_str!("migrations/0021_office_indexes.sql"),
    },
    Migration {
        version: 22,
        name: "departed_members",
        sql: include_str!("migrations/0022_departed_members.sql"),
    },
    Migration {
        version: 23,
        name: "delivery_weighing",
        sql: include_str!("migrations/0023_delivery_weighing.sql"),
    },
    Migration {
        version: 24,
        name: "audit_ticket_scans",
        sql: include_str!("migrations/0024_audit_ticket_scans.sql"),
    },
    Migration {
        version: 25,
        name: "hub_dict_ids",
        sql: include_str!("migrations/0025_hub_dict_ids.sql"),
    },
    Migration {
        version: 26,
        name: "deliveries_member_day",
        sql: include_str!("migrations/0026_deliveries_member_day.sql"),
    },
];

/// A migration whose text was edited after it shipped (never again: add a new migration), and
/// how a store that ran its first text is brought to what the edited text does.
struct Revision {
    version: i64,
    /// The fingerprint of the text that shipped first.
    shipped: &'static str,
    /// What the edit added, run once on such a store before its fingerprint is updated.
    catch_up: &'static str,
}

/// Every edited migration. 464a263 shipped migration 16 without the store's identity and
/// 75ae1f3 added it to the same file: a store made in between (schema 16 to 18) was refused by
/// every later Sene as altered (found by the upgrade fixtures, tests/upgrade.rs).
const REVISIONS: &[Revision] = &[Revision {
    version: 16,
    shipped: "7bd49ea492cb1db6",
    catch_up: "INSERT INTO settings (key, value) VALUES ('store_id', lower(hex(randomblob(16)))) ON CONFLICT(key) DO NOTHING;",
}];

/// FNV-1a 64 of a migration's text: detects an edited migration (not a security measure).
#[must_use]
pub fn fingerprint(sql: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in sql.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The copy of a store taken before it is upgraded from schema `version`: beside it,
/// `<file>.schema-<version>.bak` (and its key file, when the store is encrypted, as
/// `<copy>.keys`).
#[must_use]
pub fn pre_upgrade_copy(store: &Path, version: i64) -> PathBuf {
    let mut s = store.as_os_str().to_owned();
    s.push(format!(".schema-{version}.bak"));
    PathBuf::from(s)
}

/// Copies the store's file (checkpointed first, so the copy holds every committed write)
/// beside it before an upgrade: a way back to the version the older Sene read.
fn copy_before_upgrade(conn: &Connection, version: i64) -> Result<(), StoreError> {
    let Some(path) = conn.path().filter(|p| !p.is_empty()).map(PathBuf::from) else {
        return Ok(());
    };
    let io = |p: &Path, e: std::io::Error| StoreError::Io {
        path: p.display().to_string(),
        reason: e.to_string(),
    };
    let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
    let target = pre_upgrade_copy(&path, version);
    let mut tmp = target.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::copy(&path, &tmp).map_err(|e| io(&tmp, e))?;
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| io(&tmp, e))?;
    std::fs::rename(&tmp, &target).map_err(|e| io(&target, e))?;
    // a reader of the older Sene kept the WAL from being emptied: its frames go with the copy
    let side = |p: &Path, s: &str| {
        let mut o = p.as_os_str().to_owned();
        o.push(s);
        PathBuf::from(o)
    };
    if busy != 0 {
        let wal = side(&path, "-wal");
        if wal.exists() {
            std::fs::copy(&wal, side(&target, "-wal")).map_err(|e| io(&wal, e))?;
        }
    }
    let keys = crate::Vault::key_path(&path);
    if keys.exists() {
        let to = crate::Vault::key_path(&target);
        std::fs::copy(&keys, &to).map_err(|e| io(&to, e))?;
    }
    Ok(())
}

/// Brings the store's schema up to date. `Some(version)`: an existing store of that older
/// version was upgraded (its copy is [`pre_upgrade_copy`]).
pub(crate) fn run(conn: &mut Connection) -> Result<Option<i64>, StoreError> {
    let latest = MIGRATIONS.last().map_or(0, |m| m.version);
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > latest {
        return Err(StoreError::TooNew {
            found: current,
            supported: latest,
        });
    }
    let upgraded = (current > 0 && current < latest).then_some(current);
    if upgraded.is_some() {
        copy_before_upgrade(conn, current)?;
    }
    // Every migration this store lacks in ONE transaction: an upgrade that fails at any step
    // leaves the file as it was, at the version the older Sene wrote (immediate: two programs
    // opening the same old store do not both migrate it; the version is read again inside).
    let tx = conn.transaction_with_behavior(if current < latest {
        TransactionBehavior::Immediate
    } else {
        TransactionBehavior::Deferred
    })?;
    let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > latest {
        return Err(StoreError::TooNew {
            found: current,
            supported: latest,
        });
    }
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, fingerprint TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT",
    )?;
    for m in MIGRATIONS {
        if m.version <= current {
            let stored: Option<String> = tx
                .query_row(
                    "SELECT fingerprint FROM schema_migrations WHERE version = ?1",
                    [m.version],
                    |r| r.get(0),
                )
                .map(Some)
                .or_else(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Ok(None),
                    e => Err(e),
                })?;
            let now = fingerprint(m.sql);
            if stored.as_deref() != Some(now.as_str()) {
                let Some(r) = REVISIONS
                    .iter()
                    .find(|r| r.version == m.version && stored.as_deref() == Some(r.shipped))
                else {
                    return Err(StoreError::MigrationChanged { version: m.version });
                };
                tx.execute_batch(r.catch_up)?;
                tx.execute(
                    "UPDATE schema_migrations SET fingerprint = ?1 WHERE version = ?2",
                    rusqlite::params![now, m.version],
                )?;
            }
            continue;
        }
        tx.execute_batch(m.sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, fingerprint, applied_at) VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%SZ','now'))",
            rusqlite::params![m.version, m.name, fingerprint(m.sql)],
        )?;
        tx.pragma_update(None, "user_version", m.version)?;
    }
    tx.commit()?;
    Ok(upgraded)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A hub store of version 14 loses its hex dictionaries in settings (the hub's devices say
    /// their next exchange without one) and keeps the device-side setting and everything else.
    #[test]
    fn version_15_moves_the_hub_dictionaries_out_of_settings() {
        let mut conn = Connection::open_in_memory().unwrap();
        run(&mut conn).unwrap();
        // back to version 14, with settings as a hub of that version kept them
        conn.execute_batch(
            "DROP TABLE hub_dicts; DROP TABLE restorations; DROP TABLE change_tags; ALTER TABLE devices DROP COLUMN revoked_at; DROP TABLE member_merges; DROP TABLE conflict_resolutions; DROP INDEX conflicts_open_record; DROP TABLE registry_changes; DROP INDEX distributions_campaign_agent; DROP INDEX balance_payments_campaign_agent; DROP INDEX fund_allocations_campaign_agent; DROP INDEX disbursements_agent; DROP INDEX contracts_campaign_id; CREATE INDEX contracts_campaign ON contracts(campaign_id); DROP INDEX deliveries_contract_figures; CREATE INDEX deliveries_contract ON deliveries(contract_id); DROP INDEX deliveries_device_receipt; CREATE INDEX deliveries_device ON deliveries(device_id); DROP INDEX members_departed; DROP INDEX audit_ticket_scans; ALTER TABLE deliveries DROP COLUMN weighing; ALTER TABLE members DROP COLUMN registered_on; ALTER TABLE members DROP COLUMN left_on; ALTER TABLE members DROP COLUMN moved_to; ALTER TABLE members DROP COLUMN moved_from; ALTER TABLE warehouses DROP COLUMN closed_on; ALTER TABLE agents DROP COLUMN left_on; DELETE FROM schema_migrations WHERE version >= 15; PRAGMA user_version = 14;
             INSERT INTO settings (key, value) VALUES ('hub_dict/d1', 'abcd'), ('hub_dict_prev/d1', 'ef01'), ('hub_dict', '0123'), ('hub_url', 'http://bureau');",
        )
        .unwrap();
        run(&mut conn).unwrap();
        let keys: Vec<String> = conn
            .prepare("SELECT key FROM settings ORDER BY key")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(keys, ["hub_dict", "hub_url", "store_id"]);
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, i64::try_from(MIGRATIONS.len()).unwrap());
        conn.execute(
            "INSERT INTO hub_dicts (device_id, slot, deflated) VALUES ('d1', 2, x'00')",
            [],
        )
        .unwrap_err();
    }
}
