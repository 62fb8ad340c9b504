//! Any bytes through format detection and the chosen decoder.
#![no_main]

use libfuzzer_sys::fuzz_target;
use splatview::io::{decode_all, open_decoder};

fuzz_target!(|data: &[u8]| {
    if let Ok(decoder) = open_decoder(std::path::Path::new("fuzz.bin"), data.to_vec()) {
        if let Ok(cloud) = decode_all(decoder.as_ref()) {
            assert!(cloud.is_consistent());
            assert_eq!(cloud.len(), decoder.len());
        }
    }
});
