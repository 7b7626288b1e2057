//! `sene_hub::Reply::decode`: the hub's answer, read by a device. (Not replayed by
//! `crates/sync/tests/corpus.rs`, which cannot depend on `sene-hub`; its seeds are in
//! `fuzz/seeds/reply/`.)
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(r) = sene_hub::Reply::decode(data) {
        let again = r.encode().and_then(|b| sene_hub::Reply::decode(&b));
        assert_eq!(again.ok().as_ref(), Some(&r), "reply round trip");
    }
});
