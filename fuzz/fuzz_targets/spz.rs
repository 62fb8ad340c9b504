//! The Niantic .spz (gzip v1-3, zstd v4) parser, called directly (no detection).
#![no_main]

use libfuzzer_sys::fuzz_target;
use splatview::io::{MemoryBudget, SplatDecoder, decode_all};

/// A fixed budget, so a small input that declares a large scene is refused the same
/// way on every machine.
const BUDGET: MemoryBudget = MemoryBudget::fixed(256 << 20);

fuzz_target!(|data: &[u8]| {
    let path = std::path::Path::new("fuzz.spz");
    let decoder: Result<Box<dyn SplatDecoder>, _> = splatview::io::spz::open(path, data.to_vec(), &BUDGET)
        .map(|d| Box::new(d) as Box<dyn SplatDecoder>);
    if let Ok(decoder) = decoder {
        if let Ok(cloud) = decode_all(decoder.as_ref()) {
            assert!(cloud.is_consistent());
            assert_eq!(cloud.len(), decoder.len());
        }
    }
});
