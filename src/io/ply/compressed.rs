//! PlayCanvas compressed PLY (SuperSplat, splat-transform).
//!
//! Three elements: `chunk` (one record per 256 splats: float `min_/max_x y z`,
//! `min_/max_scale_x y z` and optionally `min_/max_r g b`), `vertex` (per splat four
//! uints: `packed_position` 11-10-11 bits, `packed_rotation` 2+3x10 bits "smallest three",
//! `packed_scale` 11-10-11 bits, `packed_color` 8-8-8-8 bits) and an optional `sh`
//! (uchar `f_rest_0..N`, channel-major as in 3DGS PLY). Positions and log scales are
//! lerped between the chunk's bounds, colours too when the chunk has colour bounds; the
//! alpha byte is a linear opacity. Layout as read by splat-transform's
//! `decompress-ply.ts`; see docs/FORMATS.md.

use std::ops::Range;
use std::path::{Path, PathBuf};

use super::body::binary_spans;
use super::header::{ElementDecl, Format, PlyHeader, PropType, Scalar};
use crate::io::convert::{check_range, cloud_with_capacity, dc_from_color};
use crate::io::{LoadError, SceneFormat, SplatDecoder};
use crate::scene::splats::normalize_quat;
use crate::scene::{AaHint, SplatCloud};

/// Splats per `chunk` record.
pub const CHUNK_SIZE: usize = 256;

const FORMAT: SceneFormat = SceneFormat::CompressedPly;

/// The chunk bounds, in the order they are stored in [`ChunkBounds::values`].
const BOUND_NAMES: [&str; 18] = [
    "min_x",
    "min_y",
    "min_z",
    "max_x",
    "max_y",
    "max_z",
    "min_scale_x",
    "min_scale_y",
    "min_scale_z",
    "max_scale_x",
    "max_scale_y",
    "max_scale_z",
    "min_r",
    "min_g",
    "min_b",
    "max_r",
    "max_g",
    "max_b",
];
const PACKED: [&str; 4] = [
    "packed_position",
    "packed_rotation",
    "packed_scale",
    "packed_color",
];

/// A PLY with a `chunk` element and `packed_position` in `vertex` is a compressed PLY.
pub(super) fn is_compressed(h: &PlyHeader) -> bool {
    h.element("chunk").is_some()
        && h.elements[h.vertex]
            .props
            .iter()
            .any(|(name, _)| name == "packed_position")
}

/// One chunk's bounds: the 18 values of [`BOUND_NAMES`] (the colour ones 0..1 when the
/// file has no colour bounds).
#[derive(Clone, Copy, Debug)]
struct ChunkBounds {
    values: [f32; 18],
}

/// Decoder for a binary compressed PLY held in memory.
pub struct CompressedPlyDecoder {
    path: PathBuf,
    bytes: Vec<u8>,
    count: usize,
    big: bool,
    aa_hint: AaHint,
    chunks: Vec<ChunkBounds>,
    /// Byte offset of the first vertex record and the record size.
    vertex_start: usize,
    vertex_stride: usize,
    /// Offsets of the four packed uints within a vertex record.
    packed: [usize; 4],
    sh_degree: u32,
    /// Byte offset of the first `sh` record, its size, and per `sh_rest` slot
    /// (coefficient-major, then channel) the byte offset of its uchar.
    sh_start: usize,
    sh_stride: usize,
    sh_slots: Vec<usize>,
}

fn invalid(path: &Path, reason: impl Into<String>) -> LoadError {
    LoadError::invalid(path, FORMAT, reason)
}

/// Byte offset of each property in a record of `e` (lists are rejected by the caller).
fn offsets(e: &ElementDecl) -> Vec<(String, Scalar, usize)> {
    let mut at = 0;
    let mut out = Vec::with_capacity(e.props.len());
    for (name, ty) in &e.props {
        if let PropType::Scalar(s) = ty {
            out.push((name.clone(), *s, at));
            at += s.size();
        }
    }
    out
}

/// Finds property `name` of element `e` and checks its type is one of `types`.
fn find(
    path: &Path,
    e: &ElementDecl,
    table: &[(String, Scalar, usize)],
    name: &str,
    types: &[Scalar],
) -> Result<usize, LoadError> {
    let (_, ty, at) =
        table
            .iter()
            .find(|(n, ..)| n == name)
            .ok_or_else(|| LoadError::MissingProperty {
                path: path.to_owned(),
                element: e.name.clone(),
                property: name.to_owned(),
            })?;
    if !types.contains(ty) {
        return Err(LoadError::WrongType {
            path: path.to_owned(),
            property: name.to_owned(),
            found: format!("{} (a compressed PLY needs {})", ty.name(), types[0].name()),
        });
    }
    Ok(*at)
}

fn read_u32(rec: &[u8], at: usize, big: bool) -> u32 {
    let b: [u8; 4] = rec
        .get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .unwrap_or([0; 4]);
    if big {
        u32::from_be_bytes(b)
    } else {
        u32::from_le_bytes(b)
    }
}

impl CompressedPlyDecoder {
    pub(super) fn new(path: &Path, bytes: Vec<u8>, h: PlyHeader) -> Result<Self, LoadError> {
        let big = match h.format {
            Format::Ascii => {
                return Err(LoadError::unsupported(
                    path,
                    FORMAT,
                    "ASCII encoding (compressed PLY files are binary)",
                ));
            }
            Format::BinaryLittleEndian => false,
            Format::BinaryBigEndian => true,
        };
        let chunk_el = h.element("chunk").unwrap_or(0);
        let sh_el = h.element("sh");
        for e in [Some(chunk_el), Some(h.vertex), sh_el]
            .into_iter()
            .flatten()
        {
            if h.elements[e].fixed_stride().is_none() {
                return Err(LoadError::WrongType {
                    path: path.to_owned(),
                    property: h.elements[e].name.clone(),
                    found: "a list (compressed PLY elements hold scalars only)".into(),
                });
            }
        }
        let last = [chunk_el, h.vertex, sh_el.unwrap_or(0)]
            .into_iter()
            .max()
            .unwrap_or(0);
        let spans = binary_spans(path, &bytes, &h, last)?;
        let span = |i: usize| spans.get(i).cloned().unwrap_or(0..0);

        let vertex = &h.elements[h.vertex];
        let table = offsets(vertex);
        let mut packed = [0; 4];
        for (slot, name) in packed.iter_mut().zip(PACKED) {
            *slot = find(path, vertex, &table, name, &[Scalar::U32, Scalar::I32])?;
        }
        let vertex_stride = vertex.fixed_stride().unwrap_or(0).max(1);
        let count = span(h.vertex).len() / vertex_stride;

        let chunks = read_chunks(path, &bytes, &h, chunk_el, span(chunk_el), big)?;
        if chunks.len() != count.div_ceil(CHUNK_SIZE) {
            return Err(invalid(
                path,
                format!(
                    "{} chunk records for {count} splats; expected {}",
                    chunks.len(),
                    count.div_ceil(CHUNK_SIZE)
                ),
            ));
        }

        let (sh_degree, sh_start, sh_stride, sh_slots) = match sh_el {
            None => (0, 0, 0, Vec::new()),
            Some(i) => {
                let (degree, stride, slots) = sh_layout(path, &h.elements[i], count)?;
                (degree, span(i).start, stride, slots)
            }
        };
        Ok(Self {
            path: path.to_owned(),
            count,
            big,
            aa_hint: h.aa_hint.clone(),
            chunks,
            vertex_start: span(h.vertex).start,
            vertex_stride,
            packed,
            sh_degree,
            sh_start,
            sh_stride,
            sh_slots,
            bytes,
        })
    }
}

/// Reads every chunk record's bounds.
fn read_chunks(
    path: &Path,
    bytes: &[u8],
    h: &PlyHeader,
    chunk_el: usize,
    span: Range<usize>,
    big: bool,
) -> Result<Vec<ChunkBounds>, LoadError> {
    let e = &h.elements[chunk_el];
    let table = offsets(e);
    let has_color = table.iter().any(|(n, ..)| n == "min_r");
    let used = if has_color { 18 } else { 12 };
    let mut at = [0usize; 18];
    for (slot, name) in at.iter_mut().zip(BOUND_NAMES).take(used) {
        *slot = find(path, e, &table, name, &[Scalar::F32])?;
    }
    let stride = e.fixed_stride().unwrap_or(0).max(1);
    let records = bytes.get(span).unwrap_or_default();
    let mut chunks = Vec::with_capacity(records.len() / stride);
    for rec in records.chunks_exact(stride) {
        // Without colour bounds the colour bytes are the colour: bounds 0..1.
        let mut values = [0.0; 18];
        values[15..].fill(1.0);
        for (v, &o) in values.iter_mut().zip(&at).take(used) {
            *v = f32::from_bits(read_u32(rec, o, big));
        }
        chunks.push(ChunkBounds { values });
    }
    Ok(chunks)
}

/// SH degree, record size and per-slot byte offsets of the `sh` element.
fn sh_layout(
    path: &Path,
    e: &ElementDecl,
    count: usize,
) -> Result<(u32, usize, Vec<usize>), LoadError> {
    let table = offsets(e);
    let n = table.len();
    let degree = match n {
        9 => 1,
        24 => 2,
        45 => 3,
        _ => {
            return Err(invalid(
                path,
                format!("the `sh` element has {n} properties; expected 9, 24 or 45"),
            ));
        }
    };
    if e.count != count as u64 {
        return Err(invalid(
            path,
            format!("{} `sh` records for {count} splats", e.count),
        ));
    }
    // The file stores f_rest channel-major; slots go coefficient-major.
    let per_channel = n / 3;
    let mut slots = Vec::with_capacity(n);
    for k in 0..per_channel {
        for c in 0..3 {
            let name = format!("f_rest_{}", c * per_channel + k);
            slots.push(find(path, e, &table, &name, &[Scalar::U8])?);
        }
    }
    Ok((degree, e.fixed_stride().unwrap_or(0), slots))
}

/// `bits`-bit unsigned field at `shift` as 0..=1.
#[inline]
fn unorm(v: u32, shift: u32, bits: u32) -> f64 {
    let mask = (1u32 << bits) - 1;
    f64::from((v >> shift) & mask) / f64::from(mask)
}

#[inline]
fn lerp(a: f32, b: f32, t: f64) -> f32 {
    (f64::from(a) * (1.0 - t) + f64::from(b) * t) as f32
}

/// Smallest-three quaternion: 2 bits for the index (in w, x, y, z order) of the largest
/// component, 10 bits for each other one in -1/sqrt(2)..1/sqrt(2).
fn unpack_rotation(v: u32) -> [f32; 4] {
    let norm = std::f64::consts::SQRT_2;
    let a = (unorm(v, 20, 10) - 0.5) * norm;
    let b = (unorm(v, 10, 10) - 0.5) * norm;
    let c = (unorm(v, 0, 10) - 0.5) * norm;
    let m = (1.0 - (a * a + b * b + c * c)).max(0.0).sqrt();
    let q = match v >> 30 {
        0 => [m, a, b, c],
        1 => [a, m, b, c],
        2 => [a, b, m, c],
        _ => [a, b, c, m],
    };
    normalize_quat(q.map(|x| x as f32))
}

/// An SH byte as splat-transform decodes it: 0 and 255 are the ends of -4..4 exactly.
#[inline]
fn sh_value(b: u8) -> f32 {
    let n = match b {
        0 => 0.0,
        255 => 1.0,
        _ => (f32::from(b) + 0.5) / 256.0,
    };
    (n - 0.5) * 8.0
}

impl SplatDecoder for CompressedPlyDecoder {
    fn format(&self) -> SceneFormat {
        FORMAT
    }
    fn len(&self) -> usize {
        self.count
    }
    fn sh_degree(&self) -> u32 {
        self.sh_degree
    }
    fn aa_hint(&self) -> AaHint {
        self.aa_hint.clone()
    }
    fn decode(&self, range: Range<usize>) -> Result<SplatCloud, LoadError> {
        check_range(&self.path, FORMAT, &range, self.count)?;
        let mut cloud = cloud_with_capacity(range.len(), self.sh_degree, &self.aa_hint);
        let stride = self.vertex_stride;
        let start = self.vertex_start + range.start * stride;
        let records = self
            .bytes
            .get(start..start + range.len() * stride)
            .unwrap_or_default();
        let [p_pos, p_rot, p_scale, p_col] = self.packed;
        for (i, rec) in range.clone().zip(records.chunks_exact(stride)) {
            let Some(c) = self.chunks.get(i / CHUNK_SIZE) else {
                break;
            };
            let b = &c.values;
            let pos = read_u32(rec, p_pos, self.big);
            cloud.positions.push([
                lerp(b[0], b[3], unorm(pos, 21, 11)),
                lerp(b[1], b[4], unorm(pos, 11, 10)),
                lerp(b[2], b[5], unorm(pos, 0, 11)),
            ]);
            cloud
                .rotations
                .push(unpack_rotation(read_u32(rec, p_rot, self.big)));
            let s = read_u32(rec, p_scale, self.big);
            cloud.log_scales.push([
                lerp(b[6], b[9], unorm(s, 21, 11)),
                lerp(b[7], b[10], unorm(s, 11, 10)),
                lerp(b[8], b[11], unorm(s, 0, 11)),
            ]);
            let col = read_u32(rec, p_col, self.big);
            cloud.sh_dc.push([
                dc_from_color(lerp(b[12], b[15], unorm(col, 24, 8))),
                dc_from_color(lerp(b[13], b[16], unorm(col, 16, 8))),
                dc_from_color(lerp(b[14], b[17], unorm(col, 8, 8))),
            ]);
            let alpha = unorm(col, 0, 8);
            cloud
                .opacity_logits
                .push((-(1.0 / alpha - 1.0).ln()) as f32);
        }
        if !self.sh_slots.is_empty() {
            let start = self.sh_start + range.start * self.sh_stride;
            let sh = self
                .bytes
                .get(start..start + range.len() * self.sh_stride)
                .unwrap_or_default();
            for rec in sh.chunks_exact(self.sh_stride.max(1)) {
                cloud.sh_rest.extend(
                    self.sh_slots
                        .iter()
                        .map(|&o| sh_value(rec.get(o).copied().unwrap_or(128))),
                );
            }
        }
        if !cloud.is_consistent() {
            return Err(invalid(&self.path, "records shorter than the header says"));
        }
        Ok(cloud)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_unpacks_to_unit_quaternion_with_largest_in_place() {
        // Largest is x (index 1), others at their mid code (0).
        let v = (1u32 << 30) | (512 << 20) | (512 << 10) | 512;
        let q = unpack_rotation(v);
        assert!((q[1] - 1.0).abs() < 1e-2, "{q:?}");
        let n: f32 = q.iter().map(|x| x * x).sum();
        assert!((n - 1.0).abs() < 1e-6);
    }

    #[test]
    fn sh_bytes_span_minus_four_to_four() {
        assert_eq!(sh_value(0), -4.0);
        assert_eq!(sh_value(255), 4.0);
        assert!(sh_value(128).abs() < 0.02);
    }

    #[test]
    fn unorm_ends() {
        assert_eq!(unorm(0x7ff << 21, 21, 11), 1.0);
        assert_eq!(unorm(0, 0, 10), 0.0);
    }
}
