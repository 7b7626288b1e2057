//! # sene-store
//!
//! One SQLite file per device (or per union office): numbered migrations, the projection
//! tables, typed reads and writes, and the transaction helper.
//!
//! Durability: WAL journal, `synchronous=FULL`, foreign keys on. A use case runs inside
//! [`Store::write`], one `BEGIN IMMEDIATE` transaction that commits before the caller is told
//! "saved". A power cut leaves all of a use case or none of it.
//!
//! The store knows SQL and nothing of automerge or HTTP. Money records and the audit trail are
//! protected by triggers: an `UPDATE` or `DELETE` on them aborts.

// What each module holds; their types are re-exported at the crate's root, below.

// The audit trail as a hash chain, and what the hub keeps of each device's chain.
mod audit_chain;
// Backups of a live store, their verification, and putting one back in place.
pub mod backup;
// Conversions between SQLite values and domain types.
mod codec;
// `Db`: typed reads and writes on the projection tables, one file per area.
mod db;
// `StoreError` and its messages.
mod error;
// The numbered migrations, their fingerprints, and running them at every open.
mod migrate;
// The union office's append-only reconciliation records (anomalies, stock counts, cash).
mod office;
// The registry's corrections, departures and transfers, and the change rows that keep them.
mod registry;
// Locked settlement runs and their lines, and settlement proposals.
mod settlement;
// `Store`: opening (plain or encrypted), transactions and groups, checkpoints.
mod store;
// What sync needs from the store: rows as JSON, change chunks, sync states, conflicts.
mod sync;
// The store's data key, and the key file of the agents who may unwrap it.
mod vault;

pub use audit_chain::{chain_hex, AuditBreak, ChainHash, QuarantinedFile, CHAIN_HASH_LEN};
pub use db::*;
pub use error::StoreError;
pub use migrate::{fingerprint, pre_upgrade_copy, Migration, MIGRATIONS};
pub use office::{AnomalyResolution, CashReturn, StockCount};
pub use settlement::{LateRecord, SettlementLineRow, SettlementProposalRow, SettlementRunRow};
pub use store::{Checkpointer, Store, WRITER_CHECKPOINT_PAGES};
pub use sync::{
    row_key, ConflictResolution, ConflictRow, HubDevice, PutOutcome, RowAction, RowChange, Touched,
};
pub use vault::{check_passphrase, DataKey, KdfParams, Slot, Vault, FILE_SALT_LEN, KEY_LEN};
