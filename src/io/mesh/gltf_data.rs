//! glTF binary data: buffers (GLB `BIN` chunk, external files, base64 data URIs) and
//! accessors, read with checked arithmetic.
//!
//! The `gltf` crate parses and validates the JSON, but its accessor reader trusts the
//! file (its offsets are computed unchecked, `count - 1` underflows for an empty
//! accessor, and attribute types are only checked with debug assertions), so the
//! bytes are read here: every accessor's span (`byteOffset + stride * (count - 1) +
//! element size`) is checked against its buffer view, and every view against the
//! bytes that actually exist, before anything is allocated from `count`. A buffer's
//! declared `byteLength` is never used to size anything. Accessor layout and
//! normalisation rules: glTF 2.0 specification, sections 3.6 (buffers, views,
//! accessors) and 3.11 (normalized integers, `c / (2^(b-1) - 1)` clamped at -1 for
//! signed types, `c / (2^b - 1)` for unsigned).

use std::path::Path;

use base64::Engine as _;
use gltf::accessor::{DataType, Dimensions};

use super::{Progress, read_file, resolve_relative};
use crate::io::LoadError;

/// Largest external buffer file read.
const MAX_BUFFER_FILE_BYTES: u64 = 16 << 30;

/// The bytes of a URI: a base64 `data:` URI decoded, or a relative file read (after
/// percent-decoding) from `base`. `Ok(Err(reason))` when it cannot be had (a
/// warning); `Err` only when the load was cancelled.
pub(super) fn read_uri(
    base: &Path,
    uri: &str,
    limit: u64,
    progress: &mut Progress<'_>,
) -> Result<Result<Vec<u8>, String>, LoadError> {
    if let Some(rest) = uri.strip_prefix("data:") {
        let Some((_, payload)) = rest.split_once(";base64,") else {
            return Ok(Err("a data URI that is not base64".into()));
        };
        return Ok(base64::engine::general_purpose::STANDARD
            .decode(payload.trim())
            .map_err(|e| format!("bad base64 in a data URI: {e}")));
    }
    if uri.contains("://") {
        return Ok(Err(format!("URI `{uri}` is not a file next to the glTF")));
    }
    let Ok(decoded) = percent_encoding::percent_decode_str(uri).decode_utf8() else {
        return Ok(Err(format!(
            "URI `{uri}` is not valid UTF-8 after percent-decoding"
        )));
    };
    let path = resolve_relative(base, &decoded);
    match read_file(&path, limit, progress) {
        Ok(bytes) => Ok(Ok(bytes)),
        Err(LoadError::Cancelled { path }) => Err(LoadError::Cancelled { path }),
        Err(e) => Ok(Err(e.to_string())),
    }
}

/// The bytes of every buffer (`None` where they could not be had; a warning says
/// why). The GLB `BIN` chunk is taken by the first buffer without a URI.
pub(super) fn load_buffers(
    document: &gltf::Document,
    mut blob: Option<Vec<u8>>,
    base: &Path,
    progress: &mut Progress<'_>,
    warnings: &mut Vec<String>,
) -> Result<Vec<Option<Vec<u8>>>, LoadError> {
    let mut buffers = Vec::new();
    for buffer in document.buffers() {
        let data = match buffer.source() {
            gltf::buffer::Source::Bin => blob
                .take()
                .ok_or_else(|| "it refers to the GLB binary chunk, which is missing".to_owned()),
            gltf::buffer::Source::Uri(uri) => read_uri(base, uri, MAX_BUFFER_FILE_BYTES, progress)?,
        };
        match data {
            Ok(bytes) => {
                if bytes.len() < buffer.length() {
                    warnings.push(format!(
                        "buffer {} holds {} bytes but declares {}: what lies past its end is \
                         skipped",
                        buffer.index(),
                        bytes.len(),
                        buffer.length()
                    ));
                }
                buffers.push(Some(bytes));
            }
            Err(reason) => {
                warnings.push(format!("buffer {} not loaded: {reason}", buffer.index()));
                buffers.push(None);
            }
        }
    }
    Ok(buffers)
}

/// The bytes of a buffer view, checked against the buffer's real size.
pub(super) fn view_bytes<'b>(
    view: &gltf::buffer::View<'_>,
    buffers: &'b [Option<Vec<u8>>],
) -> Result<&'b [u8], String> {
    let buffer = view.buffer().index();
    let data = buffers
        .get(buffer)
        .and_then(Option::as_deref)
        .ok_or_else(|| format!("buffer {buffer} is not available"))?;
    let start = view.offset();
    let end = start
        .checked_add(view.length())
        .filter(|&end| end <= data.len())
        .ok_or_else(|| {
            format!(
                "buffer view {} (bytes {start}..+{}) lies outside buffer {buffer} ({} bytes)",
                view.index(),
                view.length(),
                data.len()
            )
        })?;
    Ok(&data[start..end])
}

/// Reads component `i` of an element starting at `bytes[0]`, as f32, normalised if
/// asked.
fn component(bytes: &[u8], ty: DataType, normalized: bool, i: usize) -> f32 {
    let size = ty.size();
    let b = bytes.get(i * size..(i + 1) * size).unwrap_or_default();
    let raw = |n: usize| -> [u8; 4] {
        let mut out = [0u8; 4];
        out[..n].copy_from_slice(b.get(..n).unwrap_or(&[0; 4][..n]));
        out
    };
    match ty {
        DataType::F32 => f32::from_le_bytes(raw(4)),
        DataType::U8 => {
            let v = f32::from(raw(1)[0]);
            if normalized { v / 255.0 } else { v }
        }
        DataType::I8 => {
            let v = f32::from(raw(1)[0] as i8);
            if normalized { (v / 127.0).max(-1.0) } else { v }
        }
        DataType::U16 => {
            let [l, h, ..] = raw(2);
            let v = f32::from(u16::from_le_bytes([l, h]));
            if normalized { v / 65535.0 } else { v }
        }
        DataType::I16 => {
            let [l, h, ..] = raw(2);
            let v = f32::from(i16::from_le_bytes([l, h]));
            if normalized {
                (v / 32767.0).max(-1.0)
            } else {
                v
            }
        }
        DataType::U32 => u32::from_le_bytes(raw(4)) as f32,
    }
}

/// The checked layout of an accessor: its elements' bytes and stride.
struct Layout<'b> {
    bytes: &'b [u8],
    stride: usize,
    count: usize,
}

fn layout<'b>(
    accessor: &gltf::Accessor<'_>,
    buffers: &'b [Option<Vec<u8>>],
) -> Result<Layout<'b>, String> {
    let index = accessor.index();
    if accessor.sparse().is_some() {
        return Err(format!(
            "accessor {index} is sparse, which is not supported"
        ));
    }
    let view = accessor
        .view()
        .ok_or_else(|| format!("accessor {index} has no buffer view"))?;
    let bytes = view_bytes(&view, buffers)?;
    let element = accessor.size();
    let stride = view.stride().unwrap_or(element);
    if stride < element {
        return Err(format!(
            "accessor {index}: stride {stride} is smaller than its elements ({element} bytes)"
        ));
    }
    let count = accessor.count();
    let span = match count {
        0 => Some(0),
        _ => (count - 1)
            .checked_mul(stride)
            .and_then(|s| s.checked_add(element))
            .and_then(|s| s.checked_add(accessor.offset())),
    };
    match span {
        Some(span) if span <= bytes.len() => Ok(Layout {
            bytes: bytes.get(accessor.offset()..).unwrap_or_default(),
            stride,
            count,
        }),
        _ => Err(format!(
            "accessor {index}: {count} elements of {element} bytes every {stride} from byte {} \
             do not fit in its buffer view ({} bytes)",
            accessor.offset(),
            bytes.len()
        )),
    }
}

/// Reads a float attribute (`POSITION`, `NORMAL`, `TEXCOORD_0`, `COLOR_0`) with `N`
/// components per element; `dims` lists the accessor types accepted (a `VEC3` colour is
/// read into the first three of four components, the fourth set to 1).
pub(super) fn read_floats<const N: usize>(
    accessor: &gltf::Accessor<'_>,
    dims: &[Dimensions],
    buffers: &[Option<Vec<u8>>],
) -> Result<Vec<[f32; N]>, String> {
    let d = accessor.dimensions();
    if !dims.contains(&d) {
        return Err(format!(
            "accessor {} has type {d:?}; expected one of {dims:?}",
            accessor.index()
        ));
    }
    let components = d.multiplicity().min(N);
    let l = layout(accessor, buffers)?;
    let (ty, normalized) = (accessor.data_type(), accessor.normalized());
    let mut out = Vec::with_capacity(l.count);
    for k in 0..l.count {
        let element = l.bytes.get(k * l.stride..).unwrap_or_default();
        let mut v = [1.0f32; N];
        for (c, slot) in v.iter_mut().enumerate().take(components) {
            *slot = component(element, ty, normalized, c);
        }
        out.push(v);
    }
    Ok(out)
}

/// Reads an index accessor (`SCALAR` of u8, u16 or u32).
pub(super) fn read_indices(
    accessor: &gltf::Accessor<'_>,
    buffers: &[Option<Vec<u8>>],
) -> Result<Vec<u32>, String> {
    let ty = accessor.data_type();
    if accessor.dimensions() != Dimensions::Scalar
        || !matches!(ty, DataType::U8 | DataType::U16 | DataType::U32)
    {
        return Err(format!(
            "index accessor {} is {:?} {ty:?}; expected unsigned integer scalars",
            accessor.index(),
            accessor.dimensions()
        ));
    }
    let l = layout(accessor, buffers)?;
    let mut out = Vec::with_capacity(l.count);
    for k in 0..l.count {
        let e = l.bytes.get(k * l.stride..).unwrap_or_default();
        let byte = |i: usize| e.get(i).copied().unwrap_or(0);
        out.push(match ty {
            DataType::U8 => u32::from(byte(0)),
            DataType::U16 => u32::from(u16::from_le_bytes([byte(0), byte(1)])),
            _ => u32::from_le_bytes([byte(0), byte(1), byte(2), byte(3)]),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalised_components_follow_the_specification() {
        assert_eq!(component(&[255], DataType::U8, true, 0), 1.0);
        assert_eq!(component(&[128], DataType::I8, true, 0), -1.0);
        assert_eq!(component(&[0x01, 0x80], DataType::I16, true, 0), -1.0);
        assert_eq!(component(&[0xff, 0xff], DataType::U16, true, 0), 1.0);
        assert_eq!(component(&[7], DataType::U8, false, 0), 7.0);
        assert_eq!(
            component(&1.5f32.to_le_bytes(), DataType::F32, false, 0),
            1.5
        );
        // Past the end of the bytes: zero, not a panic.
        assert_eq!(component(&[1], DataType::F32, false, 3), 0.0);
    }
}
