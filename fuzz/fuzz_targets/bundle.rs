//! `Bundle::peek` / `Bundle::decode`: a file from a USB stick.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sene_fuzz::bundle(data));
