//! An unbundled SOG held in memory: `meta.json` and its WebP images. The input is a
//! list of files, each `name length (u8), name, data length (u32 LE), data`
//! (`tests/io_fuzz_seeds.rs` writes seeds in this framing).
#![no_main]

use libfuzzer_sys::fuzz_target;
use splatview::io::{SplatDecoder, decode_all, sog};

fn files(mut data: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    while let Some((&n, rest)) = data.split_first() {
        let Some((name, rest)) = rest.split_at_checked(usize::from(n)) else {
            break;
        };
        let Some((len, rest)) = rest.split_first_chunk::<4>() else {
            break;
        };
        let len = (u32::from_le_bytes(*len) as usize).min(rest.len());
        let (body, rest) = rest.split_at(len);
        out.push((String::from_utf8_lossy(name).into_owned(), body.to_vec()));
        data = rest;
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let path = std::path::Path::new("fuzz/meta.json");
    if let Ok(decoder) = sog::open_in_memory(path, &files(data)) {
        if let Ok(cloud) = decode_all(&decoder) {
            assert!(cloud.is_consistent());
            assert_eq!(cloud.len(), decoder.len());
        }
    }
});
