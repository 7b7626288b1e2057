//! The integration tests of sene-domain, one binary: each former `tests/<name>.rs` is a module
//! here (`cargo test -p sene-domain --test it money_props::` runs one of them). Proptest keeps
//! the failing cases of `it/<name>.rs` in `tests/proptest-regressions/<name>.txt` (its default
//! place beside a directory holding a `main.rs`); they are replayed first on every run.

mod merge_props;
mod money_props;
