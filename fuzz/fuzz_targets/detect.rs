//! Any bytes through format detection and the chosen decoder.
#![no_main]

use libfuzzer_sys::fuzz_target;
use splatview::io::{MemoryBudget, decode_all, open_decoder_within};

/// A fixed budget, so a small input that declares a large scene is refused the same
/// way on every machine.
const BUDGET: MemoryBudget = MemoryBudget::fixed(256 << 20);

fuzz_target!(|data: &[u8]| {
    let path = std::path::Path::new("fuzz.bin");
    if let Ok(decoder) = open_decoder_within(path, data.to_vec(), &BUDGET) {
        if let Ok(cloud) = decode_all(decoder.as_ref()) {
            assert!(cloud.is_consistent());
            assert_eq!(cloud.len(), decoder.len());
        }
    }
});
