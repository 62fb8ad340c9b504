//! The seed corpus of the fuzz targets (`fuzz/seeds/<target>/`): small valid files cut
//! from the real test scenes, and small decompression bombs (`bomb-*`, built by
//! `io_util::bombs`). `seeds_are_valid` checks every committed seed decodes, and every
//! bomb fails quickly; `generate_fuzz_seeds` (ignored) writes them again:
//! `cargo test --test io_fuzz_seeds -- --ignored generate_fuzz_seeds`.

mod io_util;

use std::io::Write;
use std::path::{Path, PathBuf};

use io_util::bombs;
use io_util::*;
use splatview::io::{MemoryBudget, SplatDecoder, decode_all, ksplat, ply, sog, splat, spz};

/// Splats kept in each cut-down seed.
const N: usize = 16;

fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds")
}

fn frame_sog(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, data) in files {
        out.push(name.len() as u8);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(data);
    }
    out
}

/// The memory budget of the fuzz targets (`fuzz/fuzz_targets/*.rs`).
const FUZZ_BUDGET: MemoryBudget = MemoryBudget::fixed(256 << 20);

/// Opens `data` the way fuzz target `target` does.
fn open_as(target: &str, data: &[u8]) -> Result<Box<dyn SplatDecoder>, String> {
    let p = Path::new("seed");
    let budget = &FUZZ_BUDGET;
    let boxed = |d: Box<dyn SplatDecoder>| Ok::<_, String>(d);
    match target {
        "detect" => {
            splatview::io::open_decoder_within(p, data.to_vec(), budget).map_err(|e| e.to_string())
        }
        "ply" => ply::open(p, data.to_vec()).map_err(|e| e.to_string()),
        "splat" => boxed(Box::new(
            splat::open(p, data.to_vec()).map_err(|e| e.to_string())?,
        )),
        "ksplat" => boxed(Box::new(
            ksplat::open(p, data.to_vec()).map_err(|e| e.to_string())?,
        )),
        "spz" => boxed(Box::new(
            spz::open(p, data.to_vec(), budget).map_err(|e| e.to_string())?,
        )),
        "sog" => boxed(Box::new(
            sog::open_in_memory(p, &sog::unframe_files(data), budget).map_err(|e| e.to_string())?,
        )),
        "sog_bundle" => boxed(Box::new(
            sog::open_bundle(p, data, budget).map_err(|e| e.to_string())?,
        )),
        other => Err(format!("unknown target {other}")),
    }
}

#[test]
fn seeds_are_valid() {
    let mut total = 0;
    let mut targets = 0;
    for dir in std::fs::read_dir(seeds_dir()).expect("fuzz/seeds") {
        let dir = dir.expect("entry").path();
        let target = dir
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name")
            .to_owned();
        targets += 1;
        for f in std::fs::read_dir(&dir).expect("target dir") {
            let f = f.expect("entry").path();
            let data = std::fs::read(&f).expect("seed");
            total += data.len();
            if f.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("bomb-"))
            {
                check_bomb(&target, &f, &data);
                continue;
            }
            let d = open_as(&target, &data).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            let cloud = decode_all(d.as_ref()).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            assert!(
                cloud.is_consistent() && !cloud.is_empty(),
                "{}",
                f.display()
            );
        }
    }
    assert_eq!(targets, 7, "one seed directory per fuzz target");
    // About 130 KB of valid seeds and 175 KB of bombs (the SOG ones carry playbot's SH
    // centroids).
    assert!(total < 320_000, "seeds take {total} bytes");
}

/// A bomb seed must fail (open or decode) within a second, whatever it claims.
fn check_bomb(target: &str, f: &Path, data: &[u8]) {
    let start = std::time::Instant::now();
    let result =
        open_as(target, data).and_then(|d| decode_all(d.as_ref()).map_err(|e| e.to_string()));
    let elapsed = start.elapsed();
    match result {
        Ok(cloud) => panic!("{}: bomb loaded {} splats", f.display(), cloud.len()),
        Err(e) => eprintln!("{}: {e}", f.display()),
    }
    assert!(elapsed.as_secs_f64() < 1.0, "{}: {elapsed:?}", f.display());
}

fn write_seed(target: &str, name: &str, data: &[u8]) {
    let dir = seeds_dir().join(target);
    std::fs::create_dir_all(&dir).expect("seed dir");
    std::fs::write(dir.join(name), data).expect("write seed");
    if target != "detect" && target != "sog" {
        std::fs::create_dir_all(seeds_dir().join("detect")).expect("seed dir");
        std::fs::write(seeds_dir().join("detect").join(name), data).expect("write seed");
    }
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

/// A PLY header with element `counts` replaced, and the byte offset of the body.
fn ply_header(bytes: &[u8], counts: &[(&str, usize)]) -> (String, usize) {
    let end = bytes
        .windows(11)
        .position(|w| w == b"end_header\n")
        .expect("end_header")
        + 11;
    let mut text = String::from_utf8(bytes[..end].to_vec()).expect("ASCII");
    for (element, n) in counts {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("element {element} ")))
            .expect("element")
            .to_owned();
        text = text.replacen(&line, &format!("element {element} {n}"), 1);
    }
    (text, end)
}

fn ply_seeds() {
    // 3DGS PLY, binary: the first N splats of playbot (SH degree 2).
    let bytes = read("playbot_l6.ply");
    let (header, body) = ply_header(&bytes, &[("vertex", N)]);
    let stride = header.lines().filter(|l| l.starts_with("property")).count() * 4;
    let mut out = header.clone().into_bytes();
    out.extend_from_slice(&bytes[body..body + N * stride]);
    write_seed("ply", "playbot16.ply", &out);
    // ... and in ASCII.
    let mut text = header.replace("binary_little_endian", "ascii");
    for rec in bytes[body..body + 4 * stride].chunks_exact(stride) {
        let values: Vec<String> = rec
            .chunks_exact(4)
            .map(|b| format!("{}", f32::from_le_bytes(b.try_into().expect("4"))))
            .collect();
        text.push_str(&values.join(" "));
        text.push('\n');
    }
    write_seed(
        "ply",
        "playbot4-ascii.ply",
        text.replace("element vertex 16", "element vertex 4")
            .as_bytes(),
    );

    // Compressed PLY: one chunk, N splats, with and without an `sh` element.
    for (name, file, sh) in [
        (
            "playbot16.compressed.ply",
            "playbot_l6.compressed.ply",
            true,
        ),
        ("guitar16.compressed.ply", "guitar.compressed.ply", false),
    ] {
        let bytes = read(file);
        let mut counts = vec![("chunk", 1), ("vertex", N)];
        if sh {
            counts.push(("sh", N));
        }
        let (header, body) = ply_header(&bytes, &counts);
        let orig = |e: &str| {
            String::from_utf8_lossy(&bytes[..body])
                .lines()
                .find_map(|l| l.strip_prefix(&format!("element {e} ")).map(str::to_owned))
                .and_then(|n| n.parse::<usize>().ok())
                .unwrap_or(0)
        };
        let (chunks, verts) = (orig("chunk"), orig("vertex"));
        let chunk_stride = 18 * 4;
        let mut out = header.into_bytes();
        out.extend_from_slice(&bytes[body..body + chunk_stride]);
        let v0 = body + chunks * chunk_stride;
        out.extend_from_slice(&bytes[v0..v0 + N * 16]);
        if sh {
            let s0 = v0 + verts * 16;
            out.extend_from_slice(&bytes[s0..s0 + N * 24]);
        }
        write_seed("ply", name, &out);
    }
}

fn splat_seeds() {
    write_seed("splat", "guitar16.splat", &read("guitar.splat")[..N * 32]);
    write_seed(
        "splat",
        "minimal.splat",
        &read("fixtures-synthetic/minimal.splat"),
    );
}

/// The first N splats of a one-section `.ksplat`, in a single bucket.
fn ksplat_subset(bytes: &[u8], level: usize) -> Vec<u8> {
    let (fixed, sh_bytes) = [(44, 4), (24, 2), (24, 1)][level];
    let sec = &bytes[4096..5120];
    let sh_degree = u16::from_le_bytes([sec[40], sec[41]]) as usize;
    let stride = fixed + [0, 9, 24, 45][sh_degree] * sh_bytes;
    let bucket_count = u32_at(sec, 12) as usize;
    let bucket_bytes = u16::from_le_bytes([sec[20], sec[21]]) as usize;
    let partial = u32_at(sec, 36) as usize;
    let data0 = 5120 + partial * 4;
    let records = data0 + bucket_count * bucket_bytes;
    let mut head = bytes[..5120].to_vec();
    head[12..16].copy_from_slice(&(N as u32).to_le_bytes());
    head[16..20].copy_from_slice(&(N as u32).to_le_bytes());
    let s = &mut head[4096..5120];
    s[0..4].copy_from_slice(&(N as u32).to_le_bytes());
    s[4..8].copy_from_slice(&(N as u32).to_le_bytes());
    let mut out = head;
    if level > 0 {
        // One partially filled bucket of N splats: the first bucket, whose full size is
        // at least N in these files.
        let s = &mut out[4096..5120];
        s[12..16].copy_from_slice(&1u32.to_le_bytes());
        s[32..36].copy_from_slice(&0u32.to_le_bytes());
        s[36..40].copy_from_slice(&1u32.to_le_bytes());
        let storage = (4 + bucket_bytes + N * stride) as u32;
        s[28..32].copy_from_slice(&storage.to_le_bytes());
        out.extend_from_slice(&(N as u32).to_le_bytes());
        out.extend_from_slice(&bytes[data0..data0 + bucket_bytes]);
    }
    out.extend_from_slice(&bytes[records..records + N * stride]);
    out
}

fn ksplat_seeds() {
    write_seed(
        "ksplat",
        "minimal.ksplat",
        &read("fixtures-synthetic/minimal.ksplat"),
    );
    for level in 0..3 {
        let bytes = read(&format!("playbot_l6.c{level}.ksplat"));
        write_seed(
            "ksplat",
            &format!("playbot16.c{level}.ksplat"),
            &ksplat_subset(&bytes, level),
        );
    }
}

/// A zstd frame of raw (stored) blocks: framing only, no compression.
fn zstd_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x28, 0xb5, 0x2f, 0xfd, 0b1010_0000];
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    let mut chunks = data.chunks(1 << 16).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0]);
    }
    while let Some(c) = chunks.next() {
        let last = u32::from(chunks.peek().is_none());
        let h = ((c.len() as u32) << 3) | last;
        out.extend_from_slice(&h.to_le_bytes()[..3]);
        out.extend_from_slice(c);
    }
    out
}

fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(data), &mut out).expect("gzip");
    out
}

fn spz_seeds() {
    for v in [2u32, 3] {
        let raw = gunzip(&read(&format!("playbot_l6.v{v}.spz")));
        let n = u32_at(&raw, 8) as usize;
        let rot = if v >= 3 { 4 } else { 3 };
        let sizes = [9, 1, 3, 3, rot, 24];
        let mut out = raw[..16].to_vec();
        out[8..12].copy_from_slice(&(N as u32).to_le_bytes());
        let mut at = 16;
        for s in sizes {
            out.extend_from_slice(&raw[at..at + N * s]);
            at += n * s;
        }
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&out).expect("gzip");
        write_seed(
            "spz",
            &format!("playbot16.v{v}.spz"),
            &enc.finish().expect("gzip"),
        );
    }
    // v4, rebuilt from the v3 data with stored zstd frames.
    let raw = gunzip(&read("playbot_l6.v3.spz"));
    let n = u32_at(&raw, 8) as usize;
    let mut streams = Vec::new();
    let mut at = 16;
    for s in [9, 1, 3, 3, 4, 24] {
        streams.push(zstd_stored(&raw[at..at + N * s]));
        at += n * s;
    }
    let mut out = b"NGSP".to_vec();
    out.extend_from_slice(&4u32.to_le_bytes());
    out.extend_from_slice(&(N as u32).to_le_bytes());
    out.extend_from_slice(&[2, raw[13], 0, 6]);
    out.extend_from_slice(&32u32.to_le_bytes());
    out.extend_from_slice(&[0; 12]);
    for (s, size) in streams.iter().zip([9, 1, 3, 3, 4, 24]) {
        out.extend_from_slice(&(s.len() as u64).to_le_bytes());
        out.extend_from_slice(&((N * size) as u64).to_le_bytes());
    }
    for s in &streams {
        out.extend_from_slice(s);
    }
    write_seed("spz", "playbot16.v4.spz", &out);
    spz_bomb_seeds();
    write_seed(
        "spz",
        "minimal-v4.spz",
        &read("fixtures-synthetic/minimal-v4.spz"),
    );
}

/// Small SPZ bombs: a stream going on past its points, headers declaring more points
/// than the fuzz budget allows over data that really inflates to them, a zstd stream
/// inflating past its size, a zstd window far larger than its block.
fn spz_bomb_seeds() {
    let raw = gunzip(&std::fs::read(seeds_dir().join("spz/playbot16.v3.spz")).expect("seed"));
    let trailing = bombs::gzip_wrap(&bombs::deflate_with_zeros(&raw, 4 << 20), 0, 0);
    write_seed("spz", "bomb-trailing.v3.spz", &trailing);
    let (declared, _) = bombs::spz_gzip_declaring(3, 3, 12 << 20);
    write_seed("spz", "bomb-declared.v3.spz", &declared);
    let (declared, _) = bombs::spz_v4_declaring(3, 10_000);
    write_seed("spz", "bomb-declared.v4.spz", &declared);
    let sizes = bombs::spz_v4_block_sizes(N as u64, 0);
    let streams = |bomb: usize, zeros: u64, window_log: u8| -> Vec<Vec<u8>> {
        sizes
            .iter()
            .enumerate()
            .map(|(k, &n)| match k == bomb {
                true => bombs::zstd_with_zeros(&[], zeros, window_log),
                false => bombs::zstd_with_zeros(&[], n, 20),
            })
            .collect()
    };
    let stream = bombs::spz_v4(N as u32, 0, &streams(0, 64 << 20, 20), &sizes);
    write_seed("spz", "bomb-stream.v4.spz", &stream);
    let window = bombs::spz_v4(N as u32, 0, &streams(1, 16 << 20, 26), &sizes);
    write_seed("spz", "bomb-window.v4.spz", &window);
}

fn webp(width: u32, height: u32, rgba: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut out)
        .encode(rgba, width, height, image::ExtendedColorType::Rgba8)
        .expect("webp");
    out
}

fn rgba(name: &str) -> (u32, Vec<u8>) {
    let img = image::load_from_memory(&read(&format!("playbot_l6_sog/{name}")))
        .expect("webp")
        .into_rgba8();
    (img.width(), img.into_raw())
}

/// The first N splats of playbot's SOG, with a palette of the SH centroids they use.
fn sog_seed_files() -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for name in [
        "means_l.webp",
        "means_u.webp",
        "quats.webp",
        "scales.webp",
        "sh0.webp",
    ] {
        let (_, px) = rgba(name);
        files.push((name.to_owned(), webp(4, 4, &px[..4 * N])));
    }
    // Relabel the used centroids 0..N; the palette is one row of 64 entries.
    let (_, labels) = rgba("shN_labels.webp");
    let (cw, centroids) = rgba("shN_centroids.webp");
    let coeffs = cw as usize / 64;
    let mut new_labels = vec![0u8; 4 * N];
    let mut row = vec![0u8; 4 * cw as usize];
    for i in 0..N {
        let label = usize::from(labels[4 * i]) | (usize::from(labels[4 * i + 1]) << 8);
        new_labels[4 * i] = i as u8;
        new_labels[4 * i + 3] = 255;
        let src = ((label / 64) * cw as usize + (label % 64) * coeffs) * 4;
        row[i * coeffs * 4..(i + 1) * coeffs * 4]
            .copy_from_slice(&centroids[src..src + coeffs * 4]);
    }
    files.push(("shN_labels.webp".into(), webp(4, 4, &new_labels)));
    files.push(("shN_centroids.webp".into(), webp(cw, 1, &row)));
    let meta = String::from_utf8(read("playbot_l6_sog/meta.json"))
        .expect("utf8")
        .replacen("\"count\":1873", &format!("\"count\":{N}"), 1)
        .replacen("\"count\":1024", &format!("\"count\":{N}"), 1);
    files.push(("meta.json".into(), meta.into_bytes()));
    files
}

fn sog_seeds() {
    let files = sog_seed_files();
    write_seed("sog", "playbot16.sogfiles", &frame_sog(&files));
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in &files {
        zip.start_file(name.as_str(), options).expect("zip");
        zip.write_all(data).expect("zip");
    }
    let bundle = zip.finish().expect("zip").into_inner();
    write_seed("sog_bundle", "playbot16.sog", &bundle);

    // Bombs: a zip entry inflating past what 16 splats can need, and an image
    // claiming 16384 x 16384 pixels.
    let entry = bombs::sog_with_entry_bomb(&files, "means_l.webp", 10 << 20, 10 << 20);
    write_seed("sog_bundle", "bomb-entry.sog", &entry);
    let claiming: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(name, data)| match name.as_str() {
            "means_l.webp" => (name.clone(), bombs::webp_claiming(16384, 16384)),
            _ => (name.clone(), data.clone()),
        })
        .collect();
    write_seed("sog", "bomb-dimensions.sogfiles", &frame_sog(&claiming));
    let stored: Vec<bombs::ZipEntry> = claiming
        .iter()
        .map(|(name, data)| bombs::ZipEntry::stored(name, data))
        .collect();
    write_seed("sog_bundle", "bomb-dimensions.sog", &bombs::zip(&stored));
}

/// Checks the seed `seed` of `target` decodes to the first splats of `original`.
fn check_prefix(target: &str, seed: &str, original: &str) {
    let data = std::fs::read(seeds_dir().join(target).join(seed)).expect("seed");
    let d = open_as(target, &data).unwrap_or_else(|e| panic!("{seed}: {e}"));
    let cut = decode_all(d.as_ref()).unwrap_or_else(|e| panic!("{seed}: {e}"));
    let whole = load(original);
    let prefix = whole.select(&(0..cut.len()).collect::<Vec<_>>());
    assert_eq!(cut.positions, prefix.positions, "{seed}");
    assert_eq!(cut.sh_rest, prefix.sh_rest, "{seed}");
}

#[test]
#[ignore = "writes fuzz/seeds; run by hand after changing a format"]
fn generate_fuzz_seeds() {
    let _ = std::fs::remove_dir_all(seeds_dir());
    ply_seeds();
    splat_seeds();
    ksplat_seeds();
    spz_seeds();
    sog_seeds();
    check_prefix("ply", "playbot16.ply", "playbot_l6.ply");
    check_prefix(
        "ply",
        "playbot16.compressed.ply",
        "playbot_l6.compressed.ply",
    );
    check_prefix("ply", "guitar16.compressed.ply", "guitar.compressed.ply");
    check_prefix("splat", "guitar16.splat", "guitar.splat");
    for level in 0..3 {
        let seed = format!("playbot16.c{level}.ksplat");
        check_prefix("ksplat", &seed, &format!("playbot_l6.c{level}.ksplat"));
    }
    check_prefix("spz", "playbot16.v2.spz", "playbot_l6.v2.spz");
    check_prefix("spz", "playbot16.v3.spz", "playbot_l6.v3.spz");
    check_prefix("spz", "playbot16.v4.spz", "playbot_l6.v3.spz");
    check_prefix("sog", "playbot16.sogfiles", "playbot_l6_sog");
    check_prefix("sog_bundle", "playbot16.sog", "playbot_l6_sog");
}
