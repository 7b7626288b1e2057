//! The integration tests of sene-cli, one binary: each former `tests/<name>.rs` is a module
//! here (`cargo test -p sene-cli --test it sync::` runs one of them), and `common` what they
//! share: `sene` run on a store with nothing from the environment, its answer in JSON, and
//! `sene hub serve` on loopback. Every test runs the real binary (`CARGO_BIN_EXE_sene`).

mod common;

mod backup;
mod cards;
mod cert;
mod cli;
mod encryption;
mod federation;
mod office;
mod registry;
mod scale;
mod settlement;
mod sync;
mod weighing;
