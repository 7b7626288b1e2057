//! The real-window tests, one binary: each drives the built app under Xvfb through
//! tauri-driver (`xvfb-run -a -s "-screen 0 1366x768x24" cargo test -p sene-desktop --test
//! window office::` runs one of them). `webdriver` is their harness; it lets one window run at
//! a time (a test waits for the window of another to close), and notes the commands each
//! module's windows invoke for `tests/window_coverage.rs`, which cargo runs after this binary
//! (test binaries run in name order). A real-window test module says `use crate::webdriver;`.

mod webdriver;

mod about;
mod anomalies;
mod backup;
mod cards;
mod conflicts;
mod e2e;
mod exports;
mod federation;
mod field;
mod first_run;
mod layout;
mod office;
mod office_sync;
mod registry;
mod restore;
mod retry;
mod rules;
mod standby;
mod weighing;
