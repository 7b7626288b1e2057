//! The integration tests of sene-app, one binary: each former `tests/<name>.rs` is a module
//! here (`cargo test -p sene-app --test it office::` runs one of them), and `common` the union,
//! the office and the laptop they start from. Proptest keeps the failing cases of
//! `it/<name>.rs` in `tests/proptest-regressions/<name>.txt` (its default place beside a
//! directory holding a `main.rs`); the export snapshots stay in `tests/snapshots/`.

mod common;

mod compositions;
mod convergence;
mod lending;
mod office;
mod props;
mod rebuild;
mod receipts;
mod reconcile;
mod registry;
mod settlement_runs;
mod snapshots;
mod sync_pair;
mod tickets;
mod use_cases;
mod weighing;
