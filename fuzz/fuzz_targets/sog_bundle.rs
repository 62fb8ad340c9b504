//! A bundled SOG: a zip holding `meta.json` and the WebP images.
#![no_main]

use libfuzzer_sys::fuzz_target;
use splatview::io::{SplatDecoder, decode_all, sog};

fuzz_target!(|data: &[u8]| {
    if let Ok(decoder) = sog::open_bundle(std::path::Path::new("fuzz.sog"), data) {
        if let Ok(cloud) = decode_all(&decoder) {
            assert!(cloud.is_consistent());
            assert_eq!(cloud.len(), decoder.len());
        }
    }
});
