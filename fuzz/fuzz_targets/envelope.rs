//! `Envelope::decode`: the body of `POST /v1/sync`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sene_fuzz::envelope(data));
