//! # sene-app
//!
//! The use cases of a union's season, one method each on [`Tx`]: `register_member`,
//! `request_contract`, `approve_contract`, `disburse_advance`, `record_delivery`,
//! `distribute_fertilizer`, `reverse`, … and the read models built on the same rules
//! (`settle_campaign`, `campaign_report`, the dashboard, the member card…). The CLI, the hub
//! and the desktop app call only these.
//!
//! There is one write path: [`Ledger::run`] opens one SQLite transaction for a closure of use
//! cases on a [`Tx`], checks who is acting, and commits before returning: a use case that
//! returned `Ok` is on disk. Each use case validates its input, writes its projection rows and
//! one audit row (agent, device, time, action, record, the command as given).
//!
//! Time comes from an injected [`Clock`], so tests control it.

// The write path: the ledger, its transactions, the clock, the errors.
// Ledger, Actor, InitUnion, Guarded, settings: opening, init/join, `Ledger::run`.
mod ledger;
// Tx and what every use case shares: role check, idempotency (Fresh), audit, `missing`.
mod tx;
// Clock, SystemClock, FixedClock.
mod clock;
// AppError (French and English) and Result.
mod error;

// Use cases: methods on Tx, one module per part of the season.
// Cooperatives, warehouses, agents, devices, members.
pub mod org;
// The registry's life: corrections, departures, transfers, closures.
pub mod registry;
// Campaigns, contracts, advances, deliveries, reversals of money records.
pub mod season;
// Fertilizer group purchase: catalog, needs, orders, receptions, distribution.
pub mod fertilizer;
// Sale lots, lenders, credit lines, fund allocations, balance payments.
pub mod finance;
// Settlement runs: locked at a date, late records, statements, payment lists, exports.
pub mod settlement;
// The office's reconciliation: anomalies closed, stock counts, cash handed back.
pub mod office;

// Read models: nothing here writes.
// Each contract's figures composed once; every other read model takes them from here.
pub mod progress;
// Campaign settlement and progress report, agents' cash.
pub mod reports;
// The office dashboard of a campaign.
pub mod dashboard;
// A member's card and a cooperative's collection sheet.
pub mod views;
// Receipts of money records, printed and reprinted.
pub mod receipts;
// Member cards: their QR code, the scan read back, the A4 sheet.
pub mod cards;
// The weighing ticket's signed QR code and its check at the office.
pub mod tickets;
// The anomaly queue, each with its evidence.
pub mod anomalies;
// The lender portfolio per cooperative, with its exports.
pub mod portfolio;
// Lenders' positions at a date and the campaign's sale lots.
pub mod lending;

// Between stores and out of them.
// Sync messages to send and to receive, validated before merging.
pub mod sync;
// The conflict queue as a person reads it, and its resolutions.
pub mod conflicts;
// Backups and restores, as the ledger sees them.
mod backup;
// The one CSV writer and the naming of exported files.
pub mod export;
// Demo data: the shipped small union and a generated one at benchmark scale.
pub mod demo;
// A step of long work, with how far along it is (the window's and `sene`'s progress).
pub mod steps;

pub use backup::BACKUP_MAX_AGE_HOURS;
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{AppError, Result};
pub use ledger::{settings, Actor, Guarded, InitUnion, Ledger};
pub use sene_store::{Store as StoreHandle, StoreError};
pub use tx::Tx;
pub(crate) use tx::{missing, Fresh};
