//! Decode throughput per format (ignored: run it in release):
//!
//! `cargo test --release --test io_throughput -- --ignored --nocapture`
//!
//! For each file: the best of a few runs of `open_decoder` (detection, headers,
//! decompression, image decoding) plus `decode_all` (parallel over
//! `available_parallelism()`), from bytes already in memory. `SPLATVIEW_TESTDATA` may
//! point at another copy of `testdata/splats`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use splatview::io::{decode_all, open_decoder};

const FILES: [&str; 14] = [
    "guitar.decoded.ply",
    "guitar.compressed.ply",
    "guitar.splat",
    "guitar.c1.ksplat",
    "biker.ply",
    "biker.compressed.ply",
    "biker.spz",
    "playcanvas_logo_sog_v1/meta.json",
    "playbot_l6.sog",
    "playbot_l6.v2.spz",
    "playbot_l6.v4.spz",
    "playbot_l6.c0.ksplat",
    "playbot_l6.c2.ksplat",
    "playbot_l6.compressed.ply",
];

fn data_dir() -> PathBuf {
    std::env::var_os("SPLATVIEW_TESTDATA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata/splats"),
        PathBuf::from,
    )
}

/// Bytes a scene takes on disk (a SOG directory counts all its files).
fn scene_bytes(path: &std::path::Path) -> u64 {
    if path.file_name().is_some_and(|n| n == "meta.json") {
        let dir = path.parent().expect("meta.json has a directory");
        std::fs::read_dir(dir)
            .expect("SOG directory")
            .filter_map(Result::ok)
            .filter_map(|e| e.metadata().ok())
            .map(|m| m.len())
            .sum()
    } else {
        std::fs::metadata(path).map_or(0, |m| m.len())
    }
}

#[test]
#[ignore = "a measurement, not a check: run in release with --ignored --nocapture"]
fn decode_throughput() {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("{threads} threads");
    println!("| file | format | splats | MB | open ms | decode ms | total ms | MB/s | Msplats/s |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for name in FILES {
        let path = data_dir().join(name);
        let Ok(bytes) = std::fs::read(&path) else {
            println!("| {name} | missing |");
            continue;
        };
        let mb = scene_bytes(&path) as f64 / 1e6;
        let mut best = (Duration::MAX, Duration::MAX, Duration::MAX);
        let mut info = (String::new(), 0);
        let start = Instant::now();
        let mut runs = 0;
        while runs < 3 || (runs < 20 && start.elapsed() < Duration::from_secs(2)) {
            let t0 = Instant::now();
            let decoder = open_decoder(&path, bytes.clone()).unwrap_or_else(|e| panic!("{e}"));
            let t1 = Instant::now();
            let cloud = decode_all(decoder.as_ref()).unwrap_or_else(|e| panic!("{e}"));
            let t2 = Instant::now();
            assert_eq!(cloud.len(), decoder.len());
            if t2 - t0 < best.2 {
                best = (t1 - t0, t2 - t1, t2 - t0);
            }
            info = (decoder.format().to_string(), cloud.len());
            runs += 1;
        }
        let total = best.2.as_secs_f64();
        println!(
            "| {name} | {} | {} | {mb:.2} | {:.1} | {:.1} | {:.1} | {:.0} | {:.1} |",
            info.0,
            info.1,
            best.0.as_secs_f64() * 1e3,
            best.1.as_secs_f64() * 1e3,
            total * 1e3,
            mb / total,
            info.1 as f64 / total / 1e6,
        );
    }
}
