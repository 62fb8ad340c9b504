//! Hostile files: decompression bombs and headers that claim gigabytes, built in the
//! tests (a few MB at most, `io_util::bombs`). Each must fail with a clear error that
//! names the file and the piece, while the memory the test process holds stays under
//! [`CAP`] above what it held before (a counting allocator tracks live bytes).
//!
//! `SPLATVIEW_WRITE_BOMBS=DIR cargo test --test io_bombs` also writes the scene bombs
//! to DIR, to measure `splatview render` on them (docs/FORMATS.md, "Hostile files and
//! memory").

mod io_util;

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use io_util::bombs::*;
use io_util::{data_path, read};
use splatview::io::limits::{self, LimitError};
use splatview::io::{LoadError, MemoryBudget, load_splat_bytes_within};

/// Most memory a case may hold at its peak beyond what the process held before.
const CAP: usize = 64 << 20;
/// What the bombs inflate to, or claim.
const GIB3: u64 = 3 << 30;
/// A budget far below what the declared-size bombs claim, to show they are refused
/// before anything is inflated.
const SMALL_BUDGET: MemoryBudget = MemoryBudget::fixed(48 << 20);

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// One case at a time: the counts are process-wide.
static SERIAL: Mutex<()> = Mutex::new(());

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// A test-only wrapper around the system allocator that tracks the bytes in use and
// their peak.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged to the system allocator.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged to the system allocator.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from this allocator (the system one) with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded unchanged to the system allocator.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns its result and the most bytes held at once above what was held
/// before.
fn measured<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let out = f();
    (out, PEAK.load(Ordering::Relaxed).saturating_sub(base))
}

/// Writes `bytes` to `$SPLATVIEW_WRITE_BOMBS/name` when that is set.
fn maybe_write(name: &str, bytes: &[u8]) {
    if let Some(dir) = std::env::var_os("SPLATVIEW_WRITE_BOMBS") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("bomb directory");
        std::fs::write(dir.join(name), bytes).expect("write bomb");
    }
}

/// Loads the bomb `bytes` as the file `name` within `budget`: it must fail, with a
/// message naming the file and containing `expect`, within [`CAP`].
fn expect_refused(name: &str, bytes: Vec<u8>, budget: MemoryBudget, expect: &str) -> LoadError {
    maybe_write(name, &bytes);
    let path = Path::new("/bombs").join(name);
    let (result, peak) = measured(|| load_splat_bytes_within(&path, &bytes, &budget));
    let err = match result {
        Ok(cloud) => panic!("{name}: loaded {} splats", cloud.len()),
        Err(e) => e,
    };
    let text = err.to_string();
    eprintln!(
        "{name} ({} bytes): peak {:.1} MiB: {text}",
        bytes.len(),
        peak as f64 / (1 << 20) as f64
    );
    assert!(
        text.contains(name),
        "{name}: error without the file name: {text}"
    );
    assert!(
        text.contains(expect),
        "{name}: expected `{expect}` in: {text}"
    );
    assert!(peak <= CAP, "{name}: held {peak} bytes");
    err
}

#[test]
fn sog_zip_entry_inflating_to_gigabytes_stops_at_the_image_bound() {
    let _one = SERIAL.lock();
    let files = playbot_sog_files();
    // The case: means_l.webp inflates to 3 GiB, and the zip says so.
    let bomb = sog_with_entry_bomb(&files, "means_l.webp", GIB3, GIB3 as u32);
    assert!(bomb.len() < 4 << 20, "{} bytes", bomb.len());
    let err = expect_refused(
        "bomb-entry.sog",
        bomb,
        MemoryBudget::UNLIMITED,
        "`means_l.webp` holds more than the 9.4 MB",
    );
    assert!(matches!(err, LoadError::Invalid { .. }), "{err:?}");
    // The same, with the zip claiming the entry is as small as the real one.
    let lying = sog_with_entry_bomb(&files, "means_l.webp", GIB3, 5812);
    expect_refused(
        "bomb-entry-lying.sog",
        lying,
        MemoryBudget::UNLIMITED,
        "means_l.webp",
    );
    // meta.json, read before anything else, has a fixed bound.
    let meta = sog_with_entry_bomb(&files, "meta.json", 1 << 30, 1 << 30);
    expect_refused(
        "bomb-meta.sog",
        meta,
        MemoryBudget::UNLIMITED,
        "`meta.json` holds more than the 1.0 MB",
    );
}

#[test]
fn sog_image_claiming_16384_squared_is_refused_before_decoding() {
    let _one = SERIAL.lock();
    let files: Vec<ZipEntry> = playbot_sog_files()
        .iter()
        .map(|(name, data)| match name.as_str() {
            "means_l.webp" => ZipEntry::stored(name, &webp_claiming(16384, 16384)),
            _ => ZipEntry::stored(name, data),
        })
        .collect();
    expect_refused(
        "bomb-dimensions.sog",
        zip(&files),
        MemoryBudget::UNLIMITED,
        "`means_l.webp` claims 16384x16384 pixels",
    );
}

/// The raw (inflated) content of a playbot gzip SPZ.
fn spz_raw(version: u32) -> Vec<u8> {
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(read(&format!("playbot_l6.v{version}.spz")).as_slice())
        .read_to_end(&mut raw)
        .expect("gzip");
    raw
}

#[test]
fn spz_gzip_stream_going_on_past_its_points_stops_there() {
    let _one = SERIAL.lock();
    for v in [2, 3] {
        // playbot's 1873 points, then 3 GiB of zeros in the same gzip stream.
        let raw = spz_raw(v);
        let bomb = gzip_wrap(&deflate_with_zeros(&raw, GIB3), 0, 0);
        assert!(bomb.len() < 4 << 20, "{} bytes", bomb.len());
        expect_refused(
            &format!("bomb-trailing.v{v}.spz"),
            bomb,
            MemoryBudget::UNLIMITED,
            "the gzip stream of 1873 points holds more than",
        );
    }
}

#[test]
fn spz_gzip_declaring_gigabytes_is_refused_before_inflating() {
    let _one = SERIAL.lock();
    for v in [2, 3] {
        // 3 GiB of zeros, and a header claiming as many points as 3 MB may hold.
        let (bomb, count) = spz_gzip_declaring(v, 0, GIB3);
        assert!(count > 300_000_000, "{count}");
        let err = expect_refused(
            &format!("bomb-declared.v{v}.spz"),
            bomb,
            SMALL_BUDGET,
            "needs about",
        );
        assert!(matches!(err, LoadError::TooLarge { .. }), "{err:?}");
    }
}

#[test]
fn a_gzip_spz_of_zeros_is_valid_and_loads_when_it_fits() {
    let _one = SERIAL.lock();
    // The declared bomb at a small size is a valid scene: only its size refuses it.
    let count = 5000u32;
    let raw_len = 16 + u64::from(count) * spz_gzip_bytes_per_point(3);
    let mut raw = spz_gzip_header(3, count, 0);
    raw.resize(raw_len as usize, 0);
    let bytes = gzip_wrap(&deflate_with_zeros(&raw, 0), crc32(&raw), raw_len);
    let cloud = load_splat_bytes_within(Path::new("zeros.spz"), &bytes, &MemoryBudget::UNLIMITED)
        .expect("a valid file");
    assert_eq!(cloud.len(), 5000);
}

#[test]
fn spz_zstd_stream_inflating_past_its_size_stops_there() {
    let _one = SERIAL.lock();
    let count = 16u32;
    let sizes = spz_v4_block_sizes(u64::from(count), 0);
    // The positions stream inflates to 3 GiB; the table says 144 bytes.
    let mut streams: Vec<Vec<u8>> = sizes.iter().map(|&n| zstd_with_zeros(&[], n, 20)).collect();
    streams[0] = zstd_with_zeros(&[], GIB3, 20);
    let bomb = spz_v4(count, 0, &streams, &sizes);
    assert!(bomb.len() < 1 << 20, "{} bytes", bomb.len());
    expect_refused(
        "bomb-stream.v4.spz",
        bomb,
        MemoryBudget::UNLIMITED,
        "the zstd stream of the positions block holds more than the 144 B",
    );
    // A stream declaring a window far larger than its block: ruzstd would buffer up to
    // the window before handing anything out.
    let mut streams: Vec<Vec<u8>> = sizes.iter().map(|&n| zstd_with_zeros(&[], n, 20)).collect();
    streams[1] = zstd_with_zeros(&[], GIB3, 26);
    expect_refused(
        "bomb-window.v4.spz",
        spz_v4(count, 0, &streams, &sizes),
        MemoryBudget::UNLIMITED,
        "alphas",
    );
}

#[test]
fn spz_zstd_declaring_gigabytes_is_refused_before_inflating() {
    let _one = SERIAL.lock();
    let (bomb, count) = spz_v4_declaring(0, 3 << 20);
    assert!(count > 300_000_000, "{count}");
    let err = expect_refused("bomb-declared.v4.spz", bomb, SMALL_BUDGET, "needs about");
    assert!(matches!(err, LoadError::TooLarge { needed, .. } if needed > 20_000_000_000));
}

/// Decodes `bytes` through `limits::decode_image` within `limits`; it must be refused
/// by the limits, within [`CAP`].
fn expect_image_refused(name: &str, bytes: &[u8], image_limits: image::Limits) {
    let (result, peak) = measured(|| limits::decode_image(name, bytes, None, image_limits));
    let err = match result {
        Ok(img) => panic!("{name}: decoded {}x{}", img.width(), img.height()),
        Err(e) => e,
    };
    eprintln!("{name}: peak {peak} bytes: {err}");
    assert!(
        matches!(
            &err,
            LimitError::Image {
                source: image::ImageError::Limits(_),
                ..
            }
        ),
        "{name}: {err}"
    );
    assert!(err.to_string().contains(name), "{err}");
    assert!(peak <= CAP, "{name}: held {peak} bytes");
}

#[test]
fn images_claiming_16384_squared_are_refused_within_the_cap() {
    let _one = SERIAL.lock();
    let images = [
        ("claims.webp", webp_claiming(16384, 16384)),
        ("claims.png", png_claiming(16384, 16384)),
        ("claims.jpg", jpeg_claiming(16384, 16384)),
    ];
    for (name, bytes) in &images {
        assert!(bytes.len() < 1000, "{name}: {} bytes", bytes.len());
        // A texture loader's limits: the device's largest texture, 256 MiB.
        expect_image_refused(name, bytes, limits::image_limits(8192, 8192, 256 << 20));
        // Dimensions allowed, memory not: 16384^2 pixels need 0.75 to 1 GiB.
        expect_image_refused(name, bytes, limits::image_limits(16384, 16384, 256 << 20));
    }
}

#[test]
fn the_bombs_are_what_they_claim() {
    let _one = SERIAL.lock();
    // Deflate: a prefix, then zeros across the repeated-chunk shortcut.
    let prefix = b"NGSP and some more bytes".repeat(100);
    for zeros in [0u64, 1000, 1 << 20, (5 << 20) + 123] {
        let mut out = Vec::new();
        flate2::read::DeflateDecoder::new(deflate_with_zeros(&prefix, zeros).as_slice())
            .read_to_end(&mut out)
            .expect("inflate");
        assert_eq!(out.len() as u64, prefix.len() as u64 + zeros);
        assert_eq!(&out[..prefix.len()], prefix.as_slice());
        assert!(out[prefix.len()..].iter().all(|&b| b == 0));
    }
    // Zstd: raw blocks, then RLE blocks.
    let mut out = Vec::new();
    ruzstd::decoding::StreamingDecoder::new(zstd_with_zeros(&prefix, 300_000, 20).as_slice())
        .expect("frame")
        .read_to_end(&mut out)
        .expect("zstd");
    assert_eq!(out.len(), prefix.len() + 300_000);
    assert_eq!(&out[..prefix.len()], prefix.as_slice());
    // Images: the claimed dimensions are in the headers.
    for bytes in [
        webp_claiming(16384, 16384),
        png_claiming(16384, 16384),
        jpeg_claiming(16384, 16384),
    ] {
        let reader = image::ImageReader::new(std::io::Cursor::new(bytes))
            .with_guessed_format()
            .expect("format");
        assert_eq!(reader.into_dimensions().expect("header"), (16384, 16384));
    }
    // The zip builder writes archives the zip crate reads.
    let files = playbot_sog_files();
    let entries: Vec<ZipEntry> = files.iter().map(|(n, d)| ZipEntry::stored(n, d)).collect();
    let rebuilt = load_splat_bytes_within(
        &data_path("rebuilt.sog"),
        &zip(&entries),
        &MemoryBudget::UNLIMITED,
    )
    .expect("rebuilt bundle");
    assert_eq!(rebuilt.len(), 1873);
}

#[test]
fn a_streamed_bomb_fails_before_the_scene_starts() {
    use splatview::io::stream::{LoadMessage, StreamingLoad};
    let _one = SERIAL.lock();
    // The window loads through `io::stream`: the bomb must fail before `Started`, so
    // the scene on screen is never replaced.
    let dir = std::env::temp_dir().join(format!("splatview-bombs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("bomb-entry.sog");
    let bomb = sog_with_entry_bomb(&playbot_sog_files(), "means_l.webp", GIB3, GIB3 as u32);
    std::fs::write(&path, bomb).expect("write");
    let (messages, peak) = measured(|| {
        let load = StreamingLoad::spawn(path.clone());
        let mut messages = Vec::new();
        while let Some(m) = load.recv_timeout(std::time::Duration::from_secs(20)) {
            let last = matches!(
                m,
                LoadMessage::Failed(_) | LoadMessage::Finished { .. } | LoadMessage::Cancelled
            );
            messages.push(m);
            if last {
                break;
            }
        }
        messages
    });
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        !messages
            .iter()
            .any(|m| matches!(m, LoadMessage::Started { .. } | LoadMessage::Chunk { .. })),
        "{messages:?}"
    );
    match messages.last() {
        Some(LoadMessage::Failed(e)) => {
            assert!(e.to_string().contains("means_l.webp"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    assert!(peak <= CAP, "held {peak} bytes");
}
