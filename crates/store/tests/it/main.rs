//! The integration tests of sene-store, one binary: each former `tests/<name>.rs` is a module
//! here (`cargo test -p sene-store --test it backup::` runs one of them).

mod backup;
mod encryption;
mod store;
