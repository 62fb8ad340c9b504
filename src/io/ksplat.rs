//! GaussianSplats3D `.ksplat` (mkkellogg/GaussianSplats3D `SplatBuffer.js`).
//!
//! A 4096-byte main header (version 0.1+, section counts, splat count, compression level
//! 0-2, 8-bit SH range), then `maxSectionCount` 1024-byte section headers, then the
//! sections. A section holds partially-filled bucket sizes (`u32` each), bucket centres
//! (`f32 x3` each, levels 1-2 only) and the splat records. Records: centre (`f32 x3`, or
//! `u16 x3` offsets from the bucket centre at levels 1-2), linear scale and rotation
//! (w, x, y, z) as `f32` (level 0) or f16 (levels 1-2), colour `u8 r g b a`, then SH
//! (band by band, each band channel-major) as `f32`, f16 or `u8` scaled into the header's
//! range. See docs/FORMATS.md.

use std::ops::Range;
use std::path::{Path, PathBuf};

use super::convert::{
    check_range, cloud_with_capacity, dc_from_color, f16_to_f32, f32_at, log_scale, logit, u16_at,
    u32_at,
};
use super::{LoadError, SceneFormat, SplatDecoder};
use crate::scene::splats::{normalize_quat, sh_coeffs_for_degree};
use crate::scene::{AaHint, SplatCloud};

const FORMAT: SceneFormat = SceneFormat::Ksplat;
const MAIN_HEADER: usize = 4096;
const SECTION_HEADER: usize = 1024;
/// Default 8-bit SH range (GaussianSplats3D `Constants.SphericalHarmonics8BitCompressionRange`).
const DEFAULT_SH_HALF_RANGE: f32 = 1.5;

/// Per compression level: bytes per centre/scale/rotation component, per SH value, the
/// default position quantization range, and the size of the fixed part of a record.
struct Level {
    float_bytes: usize,
    sh_bytes: usize,
    default_range: u32,
    fixed: usize,
}

const LEVELS: [Level; 3] = [
    Level {
        float_bytes: 4,
        sh_bytes: 4,
        default_range: 1,
        fixed: 44,
    },
    Level {
        float_bytes: 2,
        sh_bytes: 2,
        default_range: 32767,
        fixed: 24,
    },
    Level {
        float_bytes: 2,
        sh_bytes: 1,
        default_range: 32767,
        fixed: 24,
    },
];

/// The 4096-byte main header is recognised by its version (0.1 or later), a compression
/// level 0-2 and section counts that the file size can hold.
pub fn looks_like_ksplat(bytes: &[u8]) -> bool {
    bytes.len() >= MAIN_HEADER
        && bytes[0] == 0
        && bytes[1] >= 1
        && u16_at(bytes, 20) <= 2
        && (u32_at(bytes, 4) as usize) <= (bytes.len() - MAIN_HEADER) / SECTION_HEADER
        && u32_at(bytes, 8) <= u32_at(bytes, 4)
}

/// One section, with everything checked against the file size.
#[derive(Debug)]
struct Section {
    /// Index of the first splat of this section in the whole scene.
    first: usize,
    count: usize,
    /// Byte offset of the first record and of the bucket centres.
    data: usize,
    buckets: usize,
    bucket_stride: usize,
    bucket_count: usize,
    bucket_size: usize,
    full_buckets: usize,
    /// Cumulative splat starts of the partially-filled buckets (first one at
    /// `full_buckets * bucket_size`), plus the end of the last.
    partial_starts: Vec<usize>,
    /// Position dequantization: `(q - range) * scale + centre`.
    range: f32,
    scale: f32,
    sh_degree: u32,
    stride: usize,
}

/// Decoder for a `.ksplat` file held in memory.
pub struct KsplatDecoder {
    path: PathBuf,
    bytes: Vec<u8>,
    level: usize,
    sections: Vec<Section>,
    count: usize,
    sh_degree: u32,
    sh_min: f32,
    sh_max: f32,
}

fn invalid(path: &Path, reason: impl Into<String>) -> LoadError {
    LoadError::invalid(path, FORMAT, reason)
}

/// Number of SH values per splat for a degree: 9, 24 or 45.
fn sh_values(degree: u32) -> usize {
    (sh_coeffs_for_degree(degree) - 1) * 3
}

/// Opens a `.ksplat` file held in memory, checking every section against the file size.
pub fn open(path: &Path, bytes: Vec<u8>) -> Result<KsplatDecoder, LoadError> {
    if bytes.len() < MAIN_HEADER {
        return Err(invalid(path, "shorter than its 4096-byte header"));
    }
    let (major, minor) = (bytes[0], bytes[1]);
    if major != 0 || minor < 1 {
        return Err(LoadError::unsupported(
            path,
            FORMAT,
            format!("version {major}.{minor}"),
        ));
    }
    let level = usize::from(u16_at(&bytes, 20));
    if level >= LEVELS.len() {
        return Err(LoadError::unsupported(
            path,
            FORMAT,
            format!("compression level {level}"),
        ));
    }
    let max_sections = u32_at(&bytes, 4) as usize;
    if max_sections > (bytes.len() - MAIN_HEADER) / SECTION_HEADER {
        return Err(invalid(
            path,
            format!(
                "its header lists {max_sections} sections, whose {SECTION_HEADER}-byte headers do not fit in the file's {} bytes: truncated?",
                bytes.len()
            ),
        ));
    }
    let or_default = |v: f32, d: f32| if v == 0.0 || v.is_nan() { d } else { v };
    let sh_min = or_default(f32_at(&bytes, 36), -DEFAULT_SH_HALF_RANGE);
    let sh_max = or_default(f32_at(&bytes, 40), DEFAULT_SH_HALF_RANGE);

    let mut sections = Vec::with_capacity(max_sections);
    let mut offset = (MAIN_HEADER + max_sections * SECTION_HEADER) as u64;
    let mut first = 0usize;
    for s in 0..max_sections {
        let h = &bytes[MAIN_HEADER + s * SECTION_HEADER..MAIN_HEADER + (s + 1) * SECTION_HEADER];
        let section = parse_section(path, &bytes, h, level, &mut offset, first)?;
        first += section.count;
        sections.push(section);
    }
    let sh_degree = sections.iter().map(|s| s.sh_degree).max().unwrap_or(0);
    let declared = u32_at(&bytes, 16) as usize;
    if declared != first {
        return Err(invalid(
            path,
            format!("the header declares {declared} splats but its sections hold {first}"),
        ));
    }
    Ok(KsplatDecoder {
        path: path.to_owned(),
        bytes,
        level,
        sections,
        count: first,
        sh_degree,
        sh_min,
        sh_max,
    })
}

/// Parses one section header `h`; `offset` is where its data starts and is advanced
/// past it.
fn parse_section(
    path: &Path,
    bytes: &[u8],
    h: &[u8],
    level: usize,
    offset: &mut u64,
    first: usize,
) -> Result<Section, LoadError> {
    let lv = &LEVELS[level.min(LEVELS.len() - 1)];
    let count = u32_at(h, 0) as u64;
    let max_count = u32_at(h, 4) as u64;
    let bucket_size = u32_at(h, 8) as u64;
    let bucket_count = u32_at(h, 12) as u64;
    let block_size = f32_at(h, 16);
    let bucket_bytes = u64::from(u16_at(h, 20));
    let range = match u32_at(h, 24) {
        0 => lv.default_range,
        r => r,
    };
    let full_buckets = u32_at(h, 32) as u64;
    let partial = u32_at(h, 36) as u64;
    let sh_degree = u32::from(u16_at(h, 40));
    if sh_degree > 3 {
        return Err(LoadError::unsupported(
            path,
            FORMAT,
            format!("spherical harmonics of degree {sh_degree}"),
        ));
    }
    if count > max_count {
        return Err(invalid(
            path,
            format!("a section holds {count} splats but has room for {max_count}"),
        ));
    }
    let stride = lv.fixed
        + if sh_degree > 0 {
            sh_values(sh_degree) * lv.sh_bytes
        } else {
            0
        };
    let file = bytes.len() as u64;
    // Every product below has factors under 2^32, so it fits a u64.
    let bucket_storage = bucket_bytes * bucket_count + partial * 4;
    let size = bucket_storage + max_count * stride as u64;
    let start = *offset;
    if start.saturating_add(size) > file {
        return Err(LoadError::Truncated {
            path: path.to_owned(),
            expected: count,
            expected_bytes: size,
            available_bytes: file.saturating_sub(start),
        });
    }
    *offset = start + size;
    let start = start as usize;

    let mut partial_starts = Vec::new();
    if level > 0 && count > 0 {
        if bucket_size == 0 || bucket_count < full_buckets + partial || bucket_bytes < 12 {
            return Err(invalid(path, "inconsistent bucket layout"));
        }
        let mut at = full_buckets * bucket_size;
        partial_starts.reserve(partial as usize + 1);
        partial_starts.push(at as usize);
        for p in 0..partial as usize {
            at += u64::from(u32_at(bytes, start + 4 * p));
            partial_starts.push(at.min(usize::MAX as u64) as usize);
        }
        if at < count {
            return Err(invalid(
                path,
                format!("buckets hold {at} splats but the section has {count}"),
            ));
        }
    }
    Ok(Section {
        first,
        count: count as usize,
        data: start + bucket_storage as usize,
        buckets: start + partial as usize * 4,
        bucket_stride: bucket_bytes as usize,
        bucket_count: bucket_count as usize,
        bucket_size: bucket_size as usize,
        full_buckets: full_buckets as usize,
        partial_starts,
        range: range as f32,
        scale: block_size / 2.0 / range as f32,
        sh_degree,
        stride,
    })
}

impl Section {
    /// The bucket holding local splat `i` (levels 1-2).
    fn bucket_of(&self, i: usize) -> usize {
        if i < self.full_buckets * self.bucket_size {
            i / self.bucket_size.max(1)
        } else {
            // partial_starts[k] <= i < partial_starts[k + 1] means partial bucket k.
            let k = self.partial_starts.partition_point(|&s| s <= i);
            self.full_buckets + k.saturating_sub(1)
        }
    }
}

impl KsplatDecoder {
    fn decode_section(&self, s: &Section, local: Range<usize>, cloud: &mut SplatCloud) {
        let b = &self.bytes;
        let fb = LEVELS[self.level].float_bytes;
        let float = |at: usize| {
            if fb == 4 {
                f32_at(b, at)
            } else {
                f16_to_f32(u16_at(b, at))
            }
        };
        let sh_bytes = LEVELS[self.level].sh_bytes;
        let sh_value = |at: usize| match sh_bytes {
            4 => f32_at(b, at),
            2 => f16_to_f32(u16_at(b, at)),
            _ => {
                let t = f32::from(b.get(at).copied().unwrap_or(0)) / 255.0;
                self.sh_min + t * (self.sh_max - self.sh_min)
            }
        };
        let rest = sh_values(self.sh_degree);
        let own = if s.sh_degree > 0 {
            sh_values(s.sh_degree)
        } else {
            0
        };
        for i in local {
            let r = s.data + i * s.stride;
            let position = if self.level == 0 {
                [f32_at(b, r), f32_at(b, r + 4), f32_at(b, r + 8)]
            } else {
                let bucket = s.buckets
                    + s.bucket_stride * s.bucket_of(i).min(s.bucket_count.saturating_sub(1));
                let q = |k: usize| {
                    (f32::from(u16_at(b, r + 2 * k)) - s.range) * s.scale
                        + f32_at(b, bucket + 4 * k)
                };
                [q(0), q(1), q(2)]
            };
            cloud.positions.push(position);
            let sc = r + 3 * fb;
            cloud.log_scales.push([
                log_scale(float(sc)),
                log_scale(float(sc + fb)),
                log_scale(float(sc + 2 * fb)),
            ]);
            let ro = r + 6 * fb;
            cloud.rotations.push(normalize_quat([
                float(ro),
                float(ro + fb),
                float(ro + 2 * fb),
                float(ro + 3 * fb),
            ]));
            let co = r + 10 * fb;
            let byte = |k: usize| f32::from(b.get(co + k).copied().unwrap_or(0)) / 255.0;
            cloud.sh_dc.push([
                dc_from_color(byte(0)),
                dc_from_color(byte(1)),
                dc_from_color(byte(2)),
            ]);
            cloud.opacity_logits.push(logit(byte(3)));
            // SH: band by band, each band channel-major; sh_rest is coefficient-major.
            let sh = co + 4;
            let start = cloud.sh_rest.len();
            cloud.sh_rest.resize(start + rest, 0.0);
            let out = &mut cloud.sh_rest[start..];
            let mut base = 0;
            for band in 1..=3usize {
                let width = 2 * band + 1;
                if base + 3 * width > own {
                    break;
                }
                let first_coeff = band * band - 1;
                for c in 0..3 {
                    for j in 0..width {
                        let value = sh_value(sh + (base + c * width + j) * sh_bytes);
                        if let Some(v) = out.get_mut((first_coeff + j) * 3 + c) {
                            *v = value;
                        }
                    }
                }
                base += 3 * width;
            }
        }
    }
}

impl SplatDecoder for KsplatDecoder {
    fn format(&self) -> SceneFormat {
        FORMAT
    }
    fn len(&self) -> usize {
        self.count
    }
    fn sh_degree(&self) -> u32 {
        self.sh_degree
    }
    fn decode(&self, range: Range<usize>) -> Result<SplatCloud, LoadError> {
        check_range(&self.path, FORMAT, &range, self.count)?;
        let mut cloud = cloud_with_capacity(range.len(), self.sh_degree, &AaHint::default());
        for s in &self.sections {
            let lo = range.start.max(s.first);
            let hi = range.end.min(s.first + s.count);
            if lo < hi {
                self.decode_section(s, lo - s.first..hi - s.first, &mut cloud);
            }
        }
        Ok(cloud)
    }
}
