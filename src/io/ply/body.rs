//! PLY body decoding straight into a `SplatCloud`.
//!
//! Binary bodies are read record by record with `chunks_exact(stride)`, each wanted
//! value fetched at its precomputed byte offset. ASCII bodies are read as a stream of
//! whitespace-separated tokens. Counts from the header are checked against the file size
//! before anything is allocated from them.

use std::ops::Range;
use std::path::Path;

use super::header::{
    ElementDecl, Field, Format, MAX_SLOTS, PlyHeader, PropType, SLOT_DC, SLOT_OPACITY, SLOT_POS,
    SLOT_REST, SLOT_ROT, SLOT_SCALE, Scalar, VertexLayout,
};
use crate::io::LoadError;
use crate::io::convert::bake_filter_3d;
use crate::scene::SplatCloud;
use crate::scene::splats::{SplatSlicesMut, normalize_quat};

fn absurd(path: &Path, count: u64, file_bytes: usize) -> LoadError {
    LoadError::AbsurdCount {
        path: path.to_owned(),
        count,
        file_bytes: file_bytes as u64,
    }
}

/// Rejects counts no file of this size could hold (each record takes at least a byte),
/// for every element up to and including element `last`.
fn check_counts(
    path: &Path,
    h: &PlyHeader,
    last: usize,
    file_bytes: usize,
) -> Result<(), LoadError> {
    for e in h.elements.iter().take(last + 1) {
        if !e.props.is_empty() && e.count > file_bytes as u64 {
            return Err(absurd(path, e.count, file_bytes));
        }
    }
    Ok(())
}

/// The log scales and opacity logit of a splat whose slots are `v`, with the
/// `filter_3D` value `filter` baked in when the file has one.
#[inline]
fn scales_and_opacity(v: &[f32], filter: Option<f32>) -> ([f32; 3], f32) {
    let s = SLOT_SCALE;
    let log_scales = [v[s], v[s + 1], v[s + 2]];
    match filter {
        Some(f) => bake_filter_3d(log_scales, v[SLOT_OPACITY], f),
        None => (log_scales, v[SLOT_OPACITY]),
    }
}

/// Appends one decoded splat; `v` holds the slots of `VertexLayout::fields`.
#[inline]
fn push_splat(cloud: &mut SplatCloud, v: &[f32], filter: Option<f32>) {
    let p = SLOT_POS;
    let r = SLOT_ROT;
    let d = SLOT_DC;
    let (log_scales, opacity_logit) = scales_and_opacity(v, filter);
    cloud.positions.push([v[p], v[p + 1], v[p + 2]]);
    cloud.log_scales.push(log_scales);
    cloud
        .rotations
        .push(normalize_quat([v[r], v[r + 1], v[r + 2], v[r + 3]]));
    cloud.opacity_logits.push(opacity_logit);
    cloud.sh_dc.push([v[d], v[d + 1], v[d + 2]]);
    cloud.sh_rest.extend_from_slice(&v[SLOT_REST..]);
}

fn new_cloud(h: &PlyHeader, layout: &VertexLayout, capacity: usize) -> SplatCloud {
    let mut cloud = SplatCloud::new(layout.sh_degree);
    cloud.set_aa_hint(h.aa_hint.clone());
    cloud.reserve(capacity);
    cloud
}

// ---------------------------------------------------------------------------------------
// Binary

#[inline(always)]
fn take<const N: usize>(rec: &[u8], offset: usize) -> [u8; N] {
    // Offsets come from the layout and always fit in the record; the fallback keeps this
    // panic-free anyway.
    rec.get(offset..offset + N)
        .and_then(|s| s.try_into().ok())
        .unwrap_or([0; N])
}

/// Reads a scalar of type `ty` at `offset` and converts it to f32 (integers by value).
#[inline(always)]
fn read_scalar<const BIG: bool>(rec: &[u8], offset: usize, ty: Scalar) -> f64 {
    macro_rules! num {
        ($t:ty, $n:literal) => {{
            let b = take::<$n>(rec, offset);
            if BIG {
                <$t>::from_be_bytes(b)
            } else {
                <$t>::from_le_bytes(b)
            }
        }};
    }
    match ty {
        Scalar::I8 => f64::from(num!(i8, 1)),
        Scalar::U8 => f64::from(num!(u8, 1)),
        Scalar::I16 => f64::from(num!(i16, 2)),
        Scalar::U16 => f64::from(num!(u16, 2)),
        Scalar::I32 => f64::from(num!(i32, 4)),
        Scalar::U32 => f64::from(num!(u32, 4)),
        Scalar::F32 => f64::from(num!(f32, 4)),
        Scalar::F64 => num!(f64, 8),
    }
}

#[inline(always)]
fn read_f32<const BIG: bool>(rec: &[u8], f: &Field) -> f32 {
    if f.ty == Scalar::F32 {
        let b = take::<4>(rec, f.offset);
        if BIG {
            f32::from_be_bytes(b)
        } else {
            f32::from_le_bytes(b)
        }
    } else {
        read_scalar::<BIG>(rec, f.offset, f.ty) as f32
    }
}

/// Byte length of one record of an element containing lists, starting at `body[pos..]`;
/// `None` if it runs past the end of the body or a list length is negative.
fn list_record_len(body: &[u8], pos: usize, e: &ElementDecl, big: bool) -> Option<usize> {
    let mut p = pos;
    for (_, ty) in &e.props {
        match ty {
            PropType::Scalar(s) => p = p.checked_add(s.size())?,
            PropType::List(len_ty, item) => {
                let rec = body.get(p..p.checked_add(len_ty.size())?)?;
                let n = if big {
                    read_scalar::<true>(rec, 0, *len_ty)
                } else {
                    read_scalar::<false>(rec, 0, *len_ty)
                };
                if n < 0.0 {
                    return None;
                }
                let items = (n as usize).checked_mul(item.size())?;
                p = p.checked_add(len_ty.size())?.checked_add(items)?;
            }
        }
        if p > body.len() {
            return None;
        }
    }
    Some(p - pos)
}

/// Byte ranges (within `bytes`) of the binary records of elements `0..=last`, checked
/// against the file size before anything is allocated from a count.
pub(super) fn binary_spans(
    path: &Path,
    bytes: &[u8],
    h: &PlyHeader,
    last: usize,
) -> Result<Vec<Range<usize>>, LoadError> {
    let big = h.format == Format::BinaryBigEndian;
    let body = bytes.get(h.body_offset..).unwrap_or_default();
    check_counts(path, h, last, bytes.len())?;
    let mut spans = Vec::with_capacity(last + 1);
    let mut pos = 0usize;
    for e in h.elements.iter().take(last + 1) {
        let start = pos;
        if let Some(e_stride) = e.fixed_stride() {
            let len = e
                .count
                .checked_mul(e_stride as u64)
                .ok_or_else(|| absurd(path, e.count, bytes.len()))?;
            let available = (body.len() - pos) as u64;
            if len > available {
                return Err(LoadError::Truncated {
                    path: path.to_owned(),
                    expected: e.count,
                    expected_bytes: len,
                    available_bytes: available,
                });
            }
            pos += len as usize;
        } else {
            // Variable-size records (lists): walk them. Every record holds at least one
            // list length, so this loop ends after at most `body.len()` records.
            for _ in 0..e.count {
                pos += list_record_len(body, pos, e, big).ok_or_else(|| LoadError::Truncated {
                    path: path.to_owned(),
                    expected: e.count,
                    expected_bytes: body.len() as u64 + 1,
                    available_bytes: (body.len() - start) as u64,
                })?;
            }
        }
        spans.push(h.body_offset + start..h.body_offset + pos);
    }
    Ok(spans)
}

/// The byte range of the `vertex` records of a binary 3DGS PLY.
pub(super) fn vertex_span(
    path: &Path,
    bytes: &[u8],
    h: &PlyHeader,
    layout: &VertexLayout,
) -> Result<Range<usize>, LoadError> {
    // `stride` is at least 14: every required property takes at least a byte.
    if layout.stride == 0 {
        return Err(absurd(path, h.elements[h.vertex].count, bytes.len()));
    }
    let spans = binary_spans(path, bytes, h, h.vertex)?;
    Ok(spans.last().cloned().unwrap_or(0..0))
}

/// Decodes binary vertex records (`data` holds whole records) into a new cloud.
pub(super) fn decode_binary_records(
    data: &[u8],
    h: &PlyHeader,
    layout: &VertexLayout,
) -> SplatCloud {
    let mut cloud = new_cloud(h, layout, data.len() / layout.stride.max(1));
    if h.format == Format::BinaryBigEndian {
        decode_records::<true>(data, layout, &mut cloud);
    } else {
        decode_records::<false>(data, layout, &mut cloud);
    }
    cloud
}

fn decode_records<const BIG: bool>(data: &[u8], layout: &VertexLayout, cloud: &mut SplatCloud) {
    let fields = &layout.fields;
    let mut slots = [0f32; MAX_SLOTS];
    let slots = &mut slots[..fields.len().min(MAX_SLOTS)];
    for rec in data.chunks_exact(layout.stride.max(1)) {
        for (v, f) in slots.iter_mut().zip(fields) {
            *v = read_f32::<BIG>(rec, f);
        }
        let filter = layout.filter_3d.as_ref().map(|f| read_f32::<BIG>(rec, f));
        push_splat(cloud, slots, filter);
    }
}

/// Decodes binary vertex records (`data` holds exactly `out.len()` records) into
/// `out`, splat by splat, with the same conversions as [`decode_binary_records`].
pub(super) fn decode_binary_records_into(
    data: &[u8],
    h: &PlyHeader,
    layout: &VertexLayout,
    out: SplatSlicesMut<'_>,
) {
    if h.format == Format::BinaryBigEndian {
        decode_records_into::<true>(data, layout, out);
    } else {
        decode_records_into::<false>(data, layout, out);
    }
}

fn decode_records_into<const BIG: bool>(
    data: &[u8],
    layout: &VertexLayout,
    out: SplatSlicesMut<'_>,
) {
    let fields = &layout.fields;
    let mut slots = [0f32; MAX_SLOTS];
    let slots = &mut slots[..fields.len().min(MAX_SLOTS)];
    let rest = out.rest_values;
    let records = data.chunks_exact(layout.stride.max(1));
    for (i, rec) in records.take(out.positions.len()).enumerate() {
        for (v, f) in slots.iter_mut().zip(fields) {
            *v = read_f32::<BIG>(rec, f);
        }
        let v = &*slots;
        let filter = layout.filter_3d.as_ref().map(|f| read_f32::<BIG>(rec, f));
        let (log_scales, opacity_logit) = scales_and_opacity(v, filter);
        let (p, r, d) = (SLOT_POS, SLOT_ROT, SLOT_DC);
        out.positions[i] = [v[p], v[p + 1], v[p + 2]];
        out.log_scales[i] = log_scales;
        out.rotations[i] = normalize_quat([v[r], v[r + 1], v[r + 2], v[r + 3]]);
        out.opacity_logits[i] = opacity_logit;
        out.sh_dc[i] = [v[d], v[d + 1], v[d + 2]];
        if let (Some(dst), Some(src)) = (
            out.sh_rest.get_mut(i * rest..(i + 1) * rest),
            v.get(SLOT_REST..SLOT_REST + rest),
        ) {
            dst.copy_from_slice(src);
        }
    }
}

// ---------------------------------------------------------------------------------------
// ASCII

fn parse_token(tok: &[u8], ty: Scalar) -> Option<f32> {
    let s = std::str::from_utf8(tok).ok()?;
    if ty == Scalar::F32 {
        s.parse::<f32>().ok()
    } else {
        // Doubles round once to f32 as they would from a binary file; integers up to
        // 32 bits are exact in f64.
        s.parse::<f64>().ok().map(|v| v as f32)
    }
}

pub(super) fn decode_ascii(
    path: &Path,
    bytes: &[u8],
    h: &PlyHeader,
    layout: &VertexLayout,
) -> Result<SplatCloud, LoadError> {
    let body = bytes.get(h.body_offset..).unwrap_or_default();
    check_counts(path, h, h.vertex, bytes.len())?;
    let vertex = &h.elements[h.vertex];
    let count = vertex.count;
    let ended_early = |found: u64| LoadError::TruncatedText {
        path: path.to_owned(),
        expected: count,
        found,
    };
    let mut tokens = body
        .split(u8::is_ascii_whitespace)
        .filter(|t| !t.is_empty());

    // Skip the elements stored before `vertex`. Each skipped token consumes input, so
    // these loops end when the body does.
    for e in &h.elements[..h.vertex] {
        for _ in 0..e.count {
            for (_, ty) in &e.props {
                let tok = tokens.next().ok_or_else(|| ended_early(0))?;
                if matches!(ty, PropType::List(..)) {
                    let len = std::str::from_utf8(tok)
                        .ok()
                        .and_then(|s| s.parse::<u64>().ok())
                        .ok_or_else(|| LoadError::Malformed {
                            path: path.to_owned(),
                            reason: format!(
                                "bad list length `{}` in element `{}`",
                                String::from_utf8_lossy(&tok[..tok.len().min(40)]),
                                e.name
                            ),
                        })?;
                    for _ in 0..len {
                        tokens.next().ok_or_else(|| ended_early(0))?;
                    }
                }
            }
            if e.props.is_empty() {
                break;
            }
        }
    }

    // Which slot each vertex property fills, if any.
    let mut slot_of = vec![usize::MAX; vertex.props.len()];
    for (slot, f) in layout.fields.iter().enumerate() {
        if let Some(s) = slot_of.get_mut(f.prop) {
            *s = slot;
        }
    }
    let filter_prop = layout.filter_3d.map(|f| f.prop);
    // A record needs at least one character and one separator per property.
    let max_fit = body.len() / (2 * vertex.props.len()).max(1) + 1;
    let mut cloud = new_cloud(h, layout, (count as usize).min(max_fit));
    let mut slots = [0f32; MAX_SLOTS];
    let slots = &mut slots[..layout.fields.len().min(MAX_SLOTS)];
    let mut filter = None;
    for i in 0..count {
        for (prop, &slot) in slot_of.iter().enumerate() {
            let tok = tokens.next().ok_or_else(|| ended_early(i))?;
            let is_filter = filter_prop == Some(prop);
            let field = if is_filter {
                layout.filter_3d
            } else {
                layout.fields.get(slot).copied()
            };
            let Some(field) = field else {
                continue;
            };
            let value = parse_token(tok, field.ty).ok_or_else(|| LoadError::Malformed {
                path: path.to_owned(),
                reason: format!(
                    "vertex {i}: cannot read `{}` as a number for property `{}`",
                    String::from_utf8_lossy(&tok[..tok.len().min(40)]),
                    vertex.props.get(prop).map_or("?", |p| p.0.as_str())
                ),
            })?;
            if is_filter {
                filter = Some(value);
            } else if let Some(v) = slots.get_mut(slot) {
                *v = value;
            }
        }
        push_splat(&mut cloud, slots, filter);
    }
    Ok(cloud)
}
