//! A bundled SOG: a zip holding `meta.json` and the WebP images.
#![no_main]

use libfuzzer_sys::fuzz_target;
use splatview::io::{MemoryBudget, SplatDecoder, decode_all, sog};

/// A fixed budget, so a small input that declares a large scene is refused the same
/// way on every machine.
const BUDGET: MemoryBudget = MemoryBudget::fixed(256 << 20);

fuzz_target!(|data: &[u8]| {
    if let Ok(decoder) = sog::open_bundle(std::path::Path::new("fuzz.sog"), data, &BUDGET) {
        if let Ok(cloud) = decode_all(&decoder) {
            assert!(cloud.is_consistent());
            assert_eq!(cloud.len(), decoder.len());
        }
    }
});
