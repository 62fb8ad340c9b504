//! Damaged files in every format: truncated at many points, with random bytes flipped,
//! with absurd counts in their headers. Each must give an error or a valid scene: never a
//! panic, a hang or a huge allocation. A counting allocator checks the last: no single
//! allocation may exceed [`MAX_ALLOCATION`] while these tests run.

mod io_util;

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use io_util::*;
use splatview::io::{LoadError, load_splat_bytes, open_decoder};

/// Largest single allocation any test here may make. The largest legitimate ones are a
/// copy of the biggest test file (8.5 MB) and its decoded splats.
const MAX_ALLOCATION: usize = 64 << 20;

struct Counting;

static LARGEST: AtomicUsize = AtomicUsize::new(0);

// A test-only wrapper around the system allocator that records the largest request.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn check_allocations(what: &str) {
    let largest = LARGEST.load(Ordering::Relaxed);
    assert!(
        largest <= MAX_ALLOCATION,
        "{what}: an allocation of {largest} bytes"
    );
}

/// Loads `bytes` as if it were the file `path`: an error naming the file, or a
/// consistent cloud.
fn try_bytes(path: &Path, bytes: &[u8]) {
    match load_splat_bytes(path, bytes) {
        Ok(cloud) => assert!(cloud.is_consistent(), "{}", path.display()),
        Err(e) => {
            let file = path.file_name().and_then(|n| n.to_str()).unwrap_or("?");
            assert!(
                e.to_string().contains(file),
                "error without the file name: {e}"
            );
        }
    }
}

/// Runs `f` on another thread and fails if it takes longer than `limit` (a hang).
fn within(limit: Duration, what: &str, f: impl FnOnce() + Send + 'static) {
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || {
        f();
        let _ = tx.send(());
    });
    match rx.recv_timeout(limit) {
        Ok(()) => {}
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            if let Err(panic) = handle.join() {
                std::panic::resume_unwind(panic);
            }
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("{what}: still running after {limit:?}")
        }
    }
}

/// A small xorshift generator, so runs are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Truncates at `cuts` points (every byte of the first 64, then spread over the file)
/// and flips 1-4 bytes `flips` times (half of them within the first 4 KiB, where the
/// headers are).
fn damage(path: &Path, bytes: &[u8], cuts: usize, flips: usize, seed: u64) {
    let len = bytes.len();
    let mut points: Vec<usize> = (0..64.min(len)).collect();
    points.extend((0..cuts).map(|k| len * k / cuts.max(1)));
    points.push(len.saturating_sub(1));
    for cut in points {
        try_bytes(path, &bytes[..cut]);
    }
    let mut rng = Rng(seed | 1);
    for k in 0..flips {
        let mut b = bytes.to_vec();
        for _ in 0..=rng.below(4) {
            let span = if k % 2 == 0 { len.min(4096) } else { len };
            let at = rng.below(span);
            if let Some(v) = b.get_mut(at) {
                *v ^= 1 << rng.below(8);
            }
        }
        try_bytes(path, &b);
    }
    check_allocations(&path.display().to_string());
}

/// (file, truncation points, flips): the big files get fewer to keep the run short.
const FILES: [(&str, usize, usize); 20] = [
    ("guitar.compressed.ply", 24, 24),
    ("guitar.decoded.ply", 16, 16),
    ("guitar.splat", 16, 16),
    ("guitar.c1.ksplat", 16, 16),
    ("biker.spz", 12, 12),
    ("playbot_l6.ply", 128, 128),
    ("playbot_l6.compressed.ply", 128, 128),
    ("playbot_l6.sog", 128, 256),
    ("playbot_l6_sog/meta.json", 128, 256),
    ("playbot_l6.v2.spz", 96, 96),
    ("playbot_l6.v3.spz", 96, 96),
    ("playbot_l6.v4.spz", 96, 128),
    ("playbot_l6.c0.ksplat", 128, 128),
    ("playbot_l6.c1.ksplat", 128, 128),
    ("playbot_l6.c2.ksplat", 128, 128),
    ("fixtures-synthetic/minimal-v2.spz", 64, 64),
    ("fixtures-synthetic/minimal-v3.spz", 64, 64),
    ("fixtures-synthetic/minimal-v4.spz", 220, 128),
    ("fixtures-synthetic/minimal.ksplat", 256, 128),
    ("fixtures-synthetic/minimal.splat", 128, 128),
];

#[test]
fn truncated_and_corrupted_files_fail_cleanly() {
    within(Duration::from_secs(120), "damage", || {
        for (i, (name, cuts, flips)) in FILES.iter().enumerate() {
            let path = data_path(name);
            let bytes = read(name);
            let start = Instant::now();
            damage(
                &path,
                &bytes,
                *cuts,
                *flips,
                0x9e37_79b9_7f4a_7c15 ^ i as u64,
            );
            eprintln!("{name}: {:?}", start.elapsed());
        }
    });
}

#[test]
fn damaged_sog_images_fail_cleanly() {
    // A zip checks each entry's CRC, so damage inside the bundle rarely reaches the WebP
    // decoder: damage the unbundled images instead, in a copy of the directory.
    within(Duration::from_secs(120), "sog images", || {
        let src = data_path("playbot_l6_sog");
        let dir = std::env::temp_dir().join(format!("splatview-io-damage-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let files: Vec<_> = std::fs::read_dir(&src)
            .expect("sog dir")
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        for f in &files {
            std::fs::copy(src.join(f), dir.join(f)).expect("copy");
        }
        let meta = dir.join("meta.json");
        let meta_bytes = std::fs::read(&meta).expect("meta");
        let mut rng = Rng(0x5eed);
        for f in files
            .iter()
            .filter(|f| f.to_string_lossy().ends_with(".webp"))
        {
            let original = std::fs::read(src.join(f)).expect("webp");
            let len = original.len();
            let mut variants: Vec<Vec<u8>> = [0, 12, 20, 30, len / 3, len / 2, len - 1]
                .iter()
                .map(|&cut| original[..cut].to_vec())
                .collect();
            for _ in 0..24 {
                let mut b = original.clone();
                let at = if rng.below(2) == 0 {
                    rng.below(64)
                } else {
                    rng.below(len)
                };
                b[at] ^= 1 << rng.below(8);
                variants.push(b);
            }
            for v in variants {
                std::fs::write(dir.join(f), &v).expect("write");
                try_bytes(&meta, &meta_bytes);
            }
            std::fs::write(dir.join(f), &original).expect("restore");
            check_allocations(&f.to_string_lossy());
        }
        let _ = std::fs::remove_dir_all(&dir);
    });
}

/// Replaces `len` bytes at `at` with `value`'s little-endian bytes.
fn patch(bytes: &mut [u8], at: usize, value: &[u8]) {
    bytes[at..at + value.len()].copy_from_slice(value);
}

fn expect_quick_error(name: &str, bytes: Vec<u8>) -> LoadError {
    let path = data_path(name);
    let start = Instant::now();
    let err = match open_decoder(&path, bytes) {
        Ok(d) => panic!("{name}: accepted {} splats", d.len()),
        Err(e) => e,
    };
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{name}: took {:?}",
        start.elapsed()
    );
    check_allocations(name);
    eprintln!("{name}: {err}");
    err
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).expect("gzip in memory");
    enc.finish().expect("gzip in memory")
}

fn gunzip(data: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(data)
        .read_to_end(&mut out)
        .expect("test file is gzip");
    out
}

#[test]
fn billions_of_splats_in_a_small_file_fail_at_once() {
    let billions = 3_000_000_000u32.to_le_bytes();

    // Compressed PLY: the vertex count in the header.
    let text = read("playbot_l6.compressed.ply");
    let edited = String::from_utf8_lossy(&text).replacen(
        "element vertex 1873",
        "element vertex 3000000000",
        1,
    );
    let err = expect_quick_error("playbot_l6.compressed.ply", edited.into_bytes());
    assert!(matches!(err, LoadError::AbsurdCount { .. }), "{err}");

    // .ksplat: the splat count of the main header and of the section.
    let mut k = read("playbot_l6.c1.ksplat");
    patch(&mut k, 16, &billions);
    patch(&mut k, 4096, &billions);
    patch(&mut k, 4096 + 4, &billions);
    expect_quick_error("playbot_l6.c1.ksplat", k);
    // ... and the section count.
    let mut k = read("playbot_l6.c1.ksplat");
    patch(&mut k, 4, &billions);
    expect_quick_error("playbot_l6.c1.ksplat", k);

    // SPZ v4: the point count of the plain header.
    let mut s = read("playbot_l6.v4.spz");
    patch(&mut s, 8, &billions);
    let err = expect_quick_error("playbot_l6.v4.spz", s);
    assert!(matches!(err, LoadError::AbsurdCount { .. }), "{err}");

    // SPZ v2/v3: the point count inside the gzip stream.
    for name in ["playbot_l6.v2.spz", "playbot_l6.v3.spz"] {
        let mut raw = gunzip(&read(name));
        patch(&mut raw, 8, &billions);
        let err = expect_quick_error(name, gzip(&raw));
        assert!(matches!(err, LoadError::AbsurdCount { .. }), "{err}");
    }

    // SOG: the count in meta.json.
    let meta = String::from_utf8_lossy(&read("playbot_l6_sog/meta.json")).replacen(
        "\"count\":1873",
        "\"count\":3000000000",
        1,
    );
    assert!(meta.contains("3000000000"));
    expect_quick_error("playbot_l6_sog/meta.json", meta.into_bytes());
}

#[test]
fn unknown_content_lists_the_supported_formats() {
    // An empty file says so instead.
    match open_decoder(Path::new("empty.ply"), Vec::new()) {
        Err(LoadError::UnknownFormat { reason, .. }) => {
            assert_eq!(reason, "the file is empty (0 bytes)");
        }
        Err(other) => panic!("{other}"),
        Ok(d) => panic!("accepted {} splats", d.len()),
    }
    for bytes in [
        b"hello world".to_vec(),
        vec![0xff; 31],
        vec![0; 4097],
        vec![0; 4096],
        b"PK\x03\x04not a zip".to_vec(),
        b"{\"not\": \"sog\"}".to_vec(),
    ] {
        let err = match open_decoder(Path::new("mystery.bin"), bytes) {
            Ok(d) => panic!("accepted {} splats", d.len()),
            Err(e) => e,
        };
        assert!(err.to_string().contains("mystery.bin"), "{err}");
        if let LoadError::UnknownFormat { reason, .. } = &err {
            for format in [".spz", ".ksplat", ".splat", "SOG", "compressed"] {
                assert!(reason.contains(format), "{reason}");
            }
        }
    }
}

/// A `.splat` or `.ksplat` cut short matches no format by content; its name
/// then lets the format's own parser say what is wrong instead of "matches
/// none of the supported formats". Any other name still gets the list.
#[test]
fn truncated_splat_and_ksplat_files_say_so() {
    for (name, keep) in [
        ("guitar.splat", 1usize),
        ("guitar.splat", 16),
        ("guitar.c1.ksplat", 0),
    ] {
        let bytes = read(name);
        let cut = if keep == 0 {
            bytes[..5000].to_vec()
        } else {
            bytes[..bytes.len() - keep].to_vec()
        };
        let err = expect_quick_error(name, cut.clone()).to_string();
        assert!(err.contains("truncated?"), "{name}: {err}");
        let err = match open_decoder(Path::new("mystery.bin"), cut) {
            Ok(d) => panic!("accepted {} splats", d.len()),
            Err(e) => e,
        };
        assert!(matches!(err, LoadError::UnknownFormat { .. }), "{err}");
    }
}
