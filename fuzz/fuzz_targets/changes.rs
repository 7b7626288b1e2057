//! Automerge changes or documents through `AutoCommit::load` and `Engine::import_changes`,
//! on real in-memory stores (one empty, one with records).
#![no_main]

use std::cell::RefCell;

use sene_fuzz::Stores;

thread_local! {
    // Made once for the whole run: every input is applied in a transaction that is rolled
    // back, so each one finds the stores as they were made.
    static STORES: RefCell<Option<Stores>> = RefCell::new(Stores::new().ok());
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    STORES.with(|s| match s.borrow_mut().as_mut() {
        Some(stores) => sene_fuzz::changes(stores, data),
        None => panic!("the fuzz stores could not be made"),
    });
});
