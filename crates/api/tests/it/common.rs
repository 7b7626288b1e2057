//! What the api tests share. A union here is built through the session as the window builds
//! it: [`session`] on an empty folder, then `init_union` or `load_demo` (the demo union); a
//! laptop is another [`session`] that enrolls with the office's hub (`hub_start`,
//! `pair_device`, `enroll`). Unions, hubs and laptops built on the ledger itself are in
//! `sene-fixture`.

use std::path::Path;

use chrono::{DateTime, Utc};
use sene_api::Session;
use sene_app::{FixedClock, Ledger, StoreHandle};
use sene_store::KdfParams;

/// A cheap key derivation: the tests measure behaviour, BENCHMARKS.md the real cost.
pub const CHEAP: KdfParams = KdfParams {
    m_kib: 1024,
    t: 1,
    p: 1,
};

/// The passphrase of the tests' accounts.
pub const PASS: &str = "mil et sorgho 24";

/// A session on the plain store `dir/sene.sqlite` (made if missing), its clock fixed at `at`,
/// its receipts written to `dir/receipts`.
pub fn session(dir: &Path, at: DateTime<Utc>) -> Session {
    let store = StoreHandle::open(&dir.join("sene.sqlite")).expect("store");
    Session::new(
        Ledger::with_clock(store, Box::new(FixedClock::new(at))),
        dir.join("receipts"),
    )
}
