//! The integration tests of sene-api, one binary: each former `tests/<name>.rs` is a module
//! here (`cargo test -p sene-api --test it office_usb::` runs one of them), and `common` what
//! they share: a session on a store in a folder at a fixed time, the cheap key derivation.

mod common;

mod backup;
mod office;
mod office_usb;
mod registry;
mod retry;
mod scale;
mod session;
mod signin;
