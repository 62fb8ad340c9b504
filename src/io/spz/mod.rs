//! Niantic `.spz` (nianticlabs/spz `load-spz.cc`, README "File Format").
//!
//! Versions 1-3: one gzip stream holding a 16-byte header (`NGSP`, version, point count,
//! SH degree, fractional bits, flags) followed by the attribute blocks. Version 4: a
//! 32-byte plain header (adds the stream count and table-of-contents offset), optional
//! extension records, a table of `(compressed, uncompressed)` sizes, then one zstd stream
//! per attribute. Attribute order: positions (24-bit fixed point; f16 in v1), alphas,
//! colours, log scales, rotations (8-bit xyz in v1-2, "smallest three" in v3+), SH.
//!
//! SPZ stores RUB axes (x right, y up, z back) unless an `SPZ_ADOBE_coordinate_system`
//! extension names another system; 3DGS PLY uses RDF (y down, z forward). Decoding
//! converts to RDF as the spz library does when unpacking to RDF ([`axes`]): for RUB a
//! 180 degree turn about x, positions `(x, -y, -z)`, quaternions `(w, x, -y, -z)` and
//! per-SH-coefficient sign flips. See docs/FORMATS.md (also for writers that skip the
//! conversion).

mod axes;

use std::ops::Range;
use std::path::{Path, PathBuf};

use super::convert::{check_range, cloud_with_capacity, f16_to_f32, logit, u16_at, u32_at, u64_at};
use super::limits::{self, LimitError, MemoryBudget};
use super::{LoadError, SceneFormat, SplatDecoder, load_peak_bytes};
use crate::scene::splats::normalize_quat;
use crate::scene::{AaHint, SplatCloud};

const FORMAT: SceneFormat = SceneFormat::Spz;
const MAGIC: u32 = 0x5053_474e; // "NGSP"
/// Largest believable uncompressed/compressed ratio, and the fewest bytes a point takes
/// in the positions stream; together they bound the point count a file can claim (as the
/// reference loader does).
const MAX_RATIO: u64 = 1024;
const MIN_BYTES_PER_POINT: u64 = 9;
const FLAG_ANTIALIASED: u8 = 0x1;
const FLAG_EXTENSIONS: u8 = 0x2;
/// Most bytes of extension records after the data of a gzip (v1-3) file.
const MAX_LEGACY_EXTENSIONS: u64 = 1 << 16;
/// Smallest zstd window a stream may always declare: what libzstd uses up to level 19
/// when it does not know the size (window log 23). Beyond it, a stream's window may be
/// as large as the stream rounded up to a power of two (libzstd sizes it so when it
/// knows the size). ruzstd buffers up to a window of output before handing any out,
/// so this bounds what a stream's decoder can hold.
const MIN_ZSTD_WINDOW_LIMIT: u64 = 8 << 20;
/// DC colour scale of SPZ (not SH_C0: it leaves room for colours outside 0..1).
const COLOR_SCALE: f32 = 0.15;

/// The six attribute blocks, decompressed.
#[derive(Default)]
struct Streams {
    positions: Vec<u8>,
    alphas: Vec<u8>,
    colors: Vec<u8>,
    scales: Vec<u8>,
    rotations: Vec<u8>,
    sh: Vec<u8>,
}

/// Decoder for an SPZ file.
pub struct SpzDecoder {
    path: PathBuf,
    version: u32,
    count: usize,
    /// SH degree in the file (0-4); band 4 is dropped when decoding.
    file_sh_degree: u32,
    fractional_bits: u32,
    aa_hint: AaHint,
    flips: axes::Flips,
    streams: Streams,
}

fn invalid(path: &Path, reason: impl Into<String>) -> LoadError {
    LoadError::invalid(path, FORMAT, reason)
}

/// SH coefficients per channel beyond DC for degrees 0-4.
fn sh_dim(degree: u32) -> usize {
    [0, 3, 8, 15, 24][degree.min(4) as usize]
}

/// Byte sizes of the six attribute blocks for `n` points.
fn block_sizes(version: u32, n: u64, sh_degree: u32) -> [u64; 6] {
    let pos = if version == 1 { 6 } else { 9 };
    let rot = if version >= 3 { 4 } else { 3 };
    [
        n * pos,
        n,
        n * 3,
        n * 3,
        n * rot,
        n * sh_dim(sh_degree) as u64 * 3,
    ]
}

/// Fields shared by both headers.
struct Header {
    version: u32,
    count: u64,
    sh_degree: u32,
    fractional_bits: u32,
    flags: u8,
    /// Coordinate system the data is stored in (0: the default, RUB).
    system: u32,
}

/// Parses the fields both headers share; `file_bytes` (the size on disk) bounds the
/// point count.
fn parse_common(path: &Path, h: &[u8], file_bytes: usize) -> Result<Header, LoadError> {
    if u32_at(h, 0) != MAGIC {
        return Err(invalid(path, "missing the `NGSP` magic number"));
    }
    let header = Header {
        version: u32_at(h, 4),
        count: u64::from(u32_at(h, 8)),
        sh_degree: u32::from(h.get(12).copied().unwrap_or(0)),
        fractional_bits: u32::from(h.get(13).copied().unwrap_or(0)),
        flags: h.get(14).copied().unwrap_or(0),
        system: 0,
    };
    if !(1..=4).contains(&header.version) {
        return Err(LoadError::unsupported(
            path,
            FORMAT,
            format!("version {}", header.version),
        ));
    }
    if header.sh_degree > 4 {
        return Err(invalid(path, format!("SH degree {}", header.sh_degree)));
    }
    if header.fractional_bits > 24 {
        return Err(invalid(
            path,
            format!("{} fractional bits", header.fractional_bits),
        ));
    }
    let max_points = (file_bytes as u64).saturating_mul(MAX_RATIO) / MIN_BYTES_PER_POINT;
    if header.count > max_points.min(i32::MAX as u64) {
        return Err(LoadError::absurd(path, header.count, file_bytes));
    }
    Ok(header)
}

/// Opens an SPZ file held in memory (gzip v1-3 or NGSP v4), decompressing every stream.
///
/// Before inflating anything, the load's peak memory (the file, every block at the
/// size the header gives, the decoded cloud) is checked against `budget`. Each block
/// is then read at exactly its size, and a stream that goes on past what the header
/// accounts for fails: no more is ever inflated than the header allows.
pub fn open(path: &Path, bytes: Vec<u8>, budget: &MemoryBudget) -> Result<SpzDecoder, LoadError> {
    let (header, streams) = if bytes.starts_with(&[0x1f, 0x8b]) {
        open_gzip(path, &bytes, budget)?
    } else {
        open_ngsp(path, &bytes, budget)?
    };
    let flips = axes::Flips::to_rdf(path, header.system)?;
    Ok(SpzDecoder {
        path: path.to_owned(),
        flips,
        version: header.version,
        count: header.count as usize,
        file_sh_degree: header.sh_degree,
        fractional_bits: header.fractional_bits,
        aa_hint: if header.flags & FLAG_ANTIALIASED != 0 {
            AaHint::spz_antialiased_flag()
        } else {
            AaHint::default()
        },
        streams,
    })
}

fn limit_error(path: &Path) -> impl Fn(LimitError) -> LoadError + '_ {
    move |e| LoadError::limit(path, FORMAT, e)
}

/// Fails with [`LoadError::TooLarge`] unless a load of `file_bytes` inflating to the
/// blocks `sizes` of `header.count` points fits `budget`.
fn check_budget(
    path: &Path,
    header: &Header,
    sizes: &[u64; 6],
    file_bytes: usize,
    budget: &MemoryBudget,
) -> Result<(), LoadError> {
    let inflated = sizes.iter().fold(0u64, |a, &b| a.saturating_add(b));
    let held = (file_bytes as u64).saturating_add(inflated);
    let needed = load_peak_bytes(held, header.count, header.sh_degree.min(3));
    budget.check(needed).map_err(limit_error(path))
}

const BLOCK_NAMES: [&str; 6] = [
    "positions",
    "alphas",
    "colours",
    "scales",
    "rotations",
    "SH",
];

fn open_gzip(
    path: &Path,
    bytes: &[u8],
    budget: &MemoryBudget,
) -> Result<(Header, Streams), LoadError> {
    let mut gz = flate2::read::GzDecoder::new(bytes);
    let head = limits::read_exact_len(&mut gz, 16, "the header").map_err(limit_error(path))?;
    let mut header = parse_common(path, &head, bytes.len())?;
    if header.version == 4 {
        return Err(invalid(path, "version 4 inside a gzip stream"));
    }
    let sizes = block_sizes(header.version, header.count, header.sh_degree);
    check_budget(path, &header, &sizes, bytes.len(), budget)?;
    let mut blocks = Vec::with_capacity(6);
    for (&n, name) in sizes.iter().zip(BLOCK_NAMES) {
        let what = format!("the {name} block");
        blocks.push(limits::read_exact_len(&mut gz, n, &what).map_err(limit_error(path))?);
    }
    let data_bytes = 16 + sizes.iter().sum::<u64>();
    if header.flags & FLAG_EXTENSIONS != 0 {
        // Extension records follow the data; a broken one is as good as none, but
        // there may not be more of them than any extension needs.
        let records =
            limits::read_to_limit(&mut gz, MAX_LEGACY_EXTENSIONS, "the extension records")
                .map_err(limit_error(path))?;
        header.system = axes::stored_system(&records).unwrap_or(0);
    } else {
        let what = format!("the gzip stream of {} points", header.count);
        limits::expect_end(&mut gz, data_bytes, &what).map_err(limit_error(path))?;
    }
    Ok((header, streams_from(blocks)))
}

fn streams_from(blocks: Vec<Vec<u8>>) -> Streams {
    let mut it = blocks.into_iter();
    let mut next = || it.next().unwrap_or_default();
    Streams {
        positions: next(),
        alphas: next(),
        colors: next(),
        scales: next(),
        rotations: next(),
        sh: next(),
    }
}

fn open_ngsp(
    path: &Path,
    bytes: &[u8],
    budget: &MemoryBudget,
) -> Result<(Header, Streams), LoadError> {
    if bytes.len() < 32 {
        return Err(invalid(path, "shorter than the 32-byte header"));
    }
    let mut header = parse_common(path, bytes, bytes.len())?;
    if header.version != 4 {
        return Err(invalid(
            path,
            format!("version {} without gzip", header.version),
        ));
    }
    let num_streams = usize::from(bytes[15]);
    let toc = u32_at(bytes, 16) as usize;
    let sizes = block_sizes(4, header.count, header.sh_degree);
    // Empty blocks have no stream.
    let wanted: Vec<usize> = (0..6).filter(|&i| sizes[i] > 0).collect();
    if num_streams != wanted.len() {
        return Err(invalid(
            path,
            format!("{num_streams} streams; expected {}", wanted.len()),
        ));
    }
    let data_start = toc
        .checked_add(16 * num_streams)
        .filter(|&e| toc >= 32 && e <= bytes.len())
        .ok_or_else(|| invalid(path, "the table of contents lies outside the file"))?;
    if header.flags & FLAG_EXTENSIONS != 0 {
        header.system = axes::stored_system(&bytes[32..toc]).unwrap_or(0);
    }
    let mut pieces = Vec::with_capacity(num_streams);
    let mut at = data_start;
    for (k, &block) in wanted.iter().enumerate() {
        let compressed = u64_at(bytes, toc + 16 * k);
        let uncompressed = u64_at(bytes, toc + 16 * k + 8);
        if uncompressed != sizes[block] {
            return Err(invalid(
                path,
                format!(
                    "stream {k} holds {uncompressed} bytes; {} points need {}",
                    header.count, sizes[block]
                ),
            ));
        }
        let end = (at as u64)
            .checked_add(compressed)
            .filter(|&e| e <= bytes.len() as u64)
            .ok_or_else(|| invalid(path, format!("stream {k} runs past the end of the file")))?;
        pieces.push((block, &bytes[at..end as usize], uncompressed));
        at = end as usize;
    }
    if at != bytes.len() {
        return Err(invalid(
            path,
            format!("{} bytes after the last stream", bytes.len() - at),
        ));
    }
    check_budget(path, &header, &sizes, bytes.len(), budget)?;
    // The streams are independent: decompress them in parallel.
    let results: Vec<Result<(usize, Vec<u8>), LoadError>> = std::thread::scope(|s| {
        let handles: Vec<_> = pieces
            .into_iter()
            .map(|(block, data, n)| {
                s.spawn(move || unzstd(path, BLOCK_NAMES[block], data, n).map(|v| (block, v)))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(invalid(path, "a decompression thread panicked")))
            })
            .collect()
    });
    let mut blocks = vec![Vec::new(); 6];
    for r in results {
        let (block, data) = r?;
        blocks[block] = data;
    }
    Ok((header, streams_from(blocks)))
}

/// Inflates the zstd stream of block `name`, which must hold exactly `n` bytes. Its
/// window may be no larger than a stream of `n` bytes needs (at least
/// [`MIN_ZSTD_WINDOW_LIMIT`]), and it must end after `n` bytes.
fn unzstd(path: &Path, name: &str, data: &[u8], n: u64) -> Result<Vec<u8>, LoadError> {
    let window_limit = n
        .checked_next_power_of_two()
        .unwrap_or(u64::MAX)
        .max(MIN_ZSTD_WINDOW_LIMIT);
    let mut input = data;
    let mut dec =
        ruzstd::decoding::StreamingDecoder::new_with_max_window_size(&mut input, window_limit)
            .map_err(|e| invalid(path, format!("bad zstd stream of the {name} block: {e}")))?;
    let what = format!("the zstd stream of the {name} block");
    let out = limits::read_exact_len(&mut dec, n, &what).map_err(limit_error(path))?;
    limits::expect_end(&mut dec, n, &what).map_err(limit_error(path))?;
    Ok(out)
}

impl SpzDecoder {
    fn position(&self, i: usize) -> [f32; 3] {
        let p = &self.streams.positions;
        let c = |k: usize| -> f32 {
            if self.version == 1 {
                f16_to_f32(u16_at(p, (3 * i + k) * 2))
            } else {
                let at = (3 * i + k) * 3;
                let b = |o: usize| u32::from(p.get(at + o).copied().unwrap_or(0));
                // Sign-extend the 24-bit value.
                let v = (((b(0) | (b(1) << 8) | (b(2) << 16)) << 8) as i32) >> 8;
                v as f32 / (1u32 << self.fractional_bits) as f32
            }
        };
        let f = self.flips.position;
        [c(0) * f[0], c(1) * f[1], c(2) * f[2]]
    }

    /// Rotation as (w, x, y, z), converted to RDF.
    fn rotation(&self, i: usize) -> [f32; 4] {
        let r = &self.streams.rotations;
        let byte = |k: usize, n: usize| f32::from(r.get(i * n + k).copied().unwrap_or(0));
        let [x, y, z, w] = if self.version >= 3 {
            unpack_smallest_three(u32_at(r, i * 4))
        } else {
            let xyz = [0, 1, 2].map(|k| byte(k, 3) / 127.5 - 1.0);
            let w = (1.0 - xyz.iter().map(|v| v * v).sum::<f32>())
                .max(0.0)
                .sqrt();
            [xyz[0], xyz[1], xyz[2], w]
        };
        let f = self.flips.quat;
        normalize_quat([w, x * f[0], y * f[1], z * f[2]])
    }
}

/// "Smallest three": 2 bits for the index (x, y, z, w order) of the largest component,
/// then for each other component a sign bit and 9 magnitude bits scaled by 1/sqrt(2).
/// Returns (x, y, z, w).
fn unpack_smallest_three(mut comp: u32) -> [f32; 4] {
    const MASK: u32 = (1 << 9) - 1;
    let largest = (comp >> 30) as usize;
    let mut q = [0.0f32; 4];
    let mut sum = 0.0;
    for i in (0..4).rev() {
        if i != largest {
            let mag = (comp & MASK) as f32 / MASK as f32 * std::f32::consts::FRAC_1_SQRT_2;
            let v = if (comp >> 9) & 1 == 1 { -mag } else { mag };
            comp >>= 10;
            q[i] = v;
            sum += v * v;
        }
    }
    q[largest] = (1.0 - sum).max(0.0).sqrt();
    q
}

impl SplatDecoder for SpzDecoder {
    fn format(&self) -> SceneFormat {
        FORMAT
    }
    fn len(&self) -> usize {
        self.count
    }
    fn sh_degree(&self) -> u32 {
        self.file_sh_degree.min(3)
    }
    fn aa_hint(&self) -> AaHint {
        self.aa_hint.clone()
    }
    fn held_bytes(&self) -> u64 {
        let s = &self.streams;
        [
            &s.positions,
            &s.alphas,
            &s.colors,
            &s.scales,
            &s.rotations,
            &s.sh,
        ]
        .iter()
        .map(|b| b.len() as u64)
        .sum()
    }
    fn decode(&self, range: Range<usize>) -> Result<SplatCloud, LoadError> {
        check_range(&self.path, FORMAT, &range, self.count)?;
        let degree = self.sh_degree();
        let mut cloud = cloud_with_capacity(range.len(), degree, &self.aa_hint);
        let s = &self.streams;
        let byte = |v: &[u8], at: usize| f32::from(v.get(at).copied().unwrap_or(0));
        let file_dim = sh_dim(self.file_sh_degree);
        let dim = sh_dim(degree);
        for i in range {
            cloud.positions.push(self.position(i));
            cloud.rotations.push(self.rotation(i));
            cloud
                .log_scales
                .push([0, 1, 2].map(|k| byte(&s.scales, 3 * i + k) / 16.0 - 10.0));
            cloud.opacity_logits.push(logit(byte(&s.alphas, i) / 255.0));
            cloud
                .sh_dc
                .push([0, 1, 2].map(|k| (byte(&s.colors, 3 * i + k) / 255.0 - 0.5) / COLOR_SCALE));
            // Coefficient-major with the channel inner, as in `sh_rest`.
            let base = i * file_dim * 3;
            for (k, flip) in self.flips.sh.iter().enumerate().take(dim) {
                for c in 0..3 {
                    let v = (byte(&s.sh, base + 3 * k + c) - 128.0) / 128.0;
                    cloud.sh_rest.push(v * flip);
                }
            }
        }
        Ok(cloud)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smallest_three_round_trip() {
        // w largest (index 3), x = +0.5/sqrt2-ish, others zero.
        let mag = 256u32;
        let comp = (3 << 30) | (mag << 20);
        let q = unpack_smallest_three(comp);
        assert!(q[0] > 0.3 && q[1] == 0.0 && q[2] == 0.0, "{q:?}");
        let n: f32 = q.iter().map(|v| v * v).sum();
        assert!((n - 1.0).abs() < 1e-5);
    }

    #[test]
    fn huge_point_count_in_a_tiny_file_fails_at_once() {
        let mut bytes = vec![0u8; 64];
        bytes[..4].copy_from_slice(b"NGSP");
        bytes[4] = 4;
        bytes[8..12].copy_from_slice(&3_000_000_000u32.to_le_bytes());
        bytes[16] = 32;
        let err = open(Path::new("x.spz"), bytes, &MemoryBudget::UNLIMITED).err();
        assert!(
            matches!(err, Some(LoadError::AbsurdCount { .. })),
            "{err:?}"
        );
    }
}
