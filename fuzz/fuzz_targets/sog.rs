//! An unbundled SOG held in memory: `meta.json` and its WebP images. The input is a
//! list of files, each `name length (u8), name, data length (u32 LE), data`
//! (`sog::unframe_files`; `tests/io_fuzz_seeds.rs` writes seeds in this framing).
#![no_main]

use libfuzzer_sys::fuzz_target;
use splatview::io::{MemoryBudget, SplatDecoder, decode_all, sog};

/// A fixed budget, so a small input that declares a large scene is refused the same
/// way on every machine.
const BUDGET: MemoryBudget = MemoryBudget::fixed(256 << 20);

fuzz_target!(|data: &[u8]| {
    let path = std::path::Path::new("fuzz/meta.json");
    if let Ok(decoder) = sog::open_in_memory(path, &sog::unframe_files(data), &BUDGET) {
        if let Ok(cloud) = decode_all(&decoder) {
            assert!(cloud.is_consistent());
            assert_eq!(cloud.len(), decoder.len());
        }
    }
});
