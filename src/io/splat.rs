//! antimatter15 `.splat`: no header, 32 bytes per splat, little-endian:
//! position `f32 x3`, linear scale `f32 x3`, colour `u8 r g b a` (linear colour and
//! opacity, 0..255) and rotation `u8 w x y z` (component = (byte - 128) / 128).
//! Layout of antimatter15/splat's `convert.py`; see docs/FORMATS.md.

use std::ops::Range;
use std::path::{Path, PathBuf};

use super::convert::{check_range, cloud_with_capacity, dc_from_color, f32_at, log_scale, logit};
use super::{LoadError, SceneFormat, SplatDecoder};
use crate::scene::splats::normalize_quat;
use crate::scene::{AaHint, SplatCloud};

/// Bytes per splat record.
pub const RECORD_BYTES: usize = 32;

const FORMAT: SceneFormat = SceneFormat::Splat;

/// Records [`looks_like_splat`] inspects, spread over the file.
const SAMPLES: usize = 64;

/// A `.splat` has no magic number: the content is taken for one when its size is a
/// positive multiple of 32 and sampled records hold finite positions and finite,
/// positive scales (exponentials of log scales; an all-zero file is not a scene).
pub fn looks_like_splat(bytes: &[u8]) -> bool {
    if bytes.is_empty() || !bytes.len().is_multiple_of(RECORD_BYTES) {
        return false;
    }
    let n = bytes.len() / RECORD_BYTES;
    let samples = n.min(SAMPLES);
    (0..samples).all(|s| {
        let at = (s * n / samples) * RECORD_BYTES;
        let plausible_pos = |o: usize| {
            let v = f32_at(bytes, at + o);
            v.is_finite() && v.abs() < 1e7
        };
        let plausible_scale = |o: usize| {
            let v = f32_at(bytes, at + o);
            v > 0.0 && v < 1e7
        };
        (0..3).all(|k| plausible_pos(4 * k) && plausible_scale(12 + 4 * k))
    })
}

/// Opens a `.splat` file held in memory.
pub fn open(path: &Path, bytes: Vec<u8>) -> Result<SplatFileDecoder, LoadError> {
    if !bytes.len().is_multiple_of(RECORD_BYTES) {
        return Err(LoadError::invalid(
            path,
            FORMAT,
            format!(
                "size {} is not a multiple of the {RECORD_BYTES}-byte record: truncated?",
                bytes.len()
            ),
        ));
    }
    Ok(SplatFileDecoder {
        path: path.to_owned(),
        count: bytes.len() / RECORD_BYTES,
        bytes,
    })
}

/// Decoder for an antimatter15 `.splat` file.
pub struct SplatFileDecoder {
    path: PathBuf,
    bytes: Vec<u8>,
    count: usize,
}

impl SplatDecoder for SplatFileDecoder {
    fn format(&self) -> SceneFormat {
        FORMAT
    }
    fn len(&self) -> usize {
        self.count
    }
    fn sh_degree(&self) -> u32 {
        0
    }
    fn decode(&self, range: Range<usize>) -> Result<SplatCloud, LoadError> {
        check_range(&self.path, FORMAT, &range, self.count)?;
        let mut cloud = cloud_with_capacity(range.len(), 0, &AaHint::default());
        let records = self
            .bytes
            .get(range.start * RECORD_BYTES..range.end * RECORD_BYTES)
            .unwrap_or_default();
        for r in records.chunks_exact(RECORD_BYTES) {
            cloud
                .positions
                .push([f32_at(r, 0), f32_at(r, 4), f32_at(r, 8)]);
            cloud.log_scales.push([
                log_scale(f32_at(r, 12)),
                log_scale(f32_at(r, 16)),
                log_scale(f32_at(r, 20)),
            ]);
            cloud.sh_dc.push([
                dc_from_color(f32::from(r[24]) / 255.0),
                dc_from_color(f32::from(r[25]) / 255.0),
                dc_from_color(f32::from(r[26]) / 255.0),
            ]);
            cloud.opacity_logits.push(logit(f32::from(r[27]) / 255.0));
            let q = |b: u8| (f32::from(b) - 128.0) / 128.0;
            cloud
                .rotations
                .push(normalize_quat([q(r[28]), q(r[29]), q(r[30]), q(r[31])]));
        }
        Ok(cloud)
    }
}
