//! PLY scene files: the 3DGS layout and PlayCanvas's compressed layout ([`compressed`]).
//!
//! A 3DGS PLY has a `vertex` element with one record per splat holding `x y z`,
//! `scale_0..2` (log scales), `rot_0..3` (quaternion w, x, y, z), `opacity` (logit),
//! `f_dc_0..2` and optionally `f_rest_*` (9, 24 or 45 values for SH degree 1, 2, 3, stored
//! channel-major). Property order is free and other properties (`nx ny nz`, ...) are
//! ignored. Any scalar type is accepted and converted to f32; lists in the vertex element
//! are rejected. Encodings: `binary_little_endian`, `binary_big_endian` and `ascii`.
//!
//! The header is located here and parsed by ply-rs ([`header`]); the body is decoded by
//! our own code ([`body`]) straight into the struct-of-arrays `SplatCloud`, since ply-rs
//! builds one hash map per vertex. A `comment SplatRenderMode: <mode>` header line or a
//! `filter_3D` property says which anti-aliasing mode the scene was trained with
//! (`SplatCloud::aa_hint`; docs/ANTIALIASING.md); `filter_3D` is baked into the scales
//! and opacities as the splats are decoded. Binary bodies are decoded by index range
//! (in parallel by `io::decode_all`); ASCII bodies are decoded whole when opened.

mod body;
pub mod compressed;
mod describe;
mod file;
mod header;
mod write;

#[cfg(test)]
mod file_tests;
#[cfg(test)]
mod tests;

use std::ops::Range;
use std::path::{Path, PathBuf};

pub(crate) use file::{BinaryPlyReader, load_binary_ply};
pub use write::write_gaussian_ply;

use super::convert::check_range;
use super::{CloudDecoder, LoadError, SceneFormat, SplatDecoder};
use crate::scene::{AaHint, SplatCloud};

/// Opens a PLY file held in memory: a 3DGS PLY or a PlayCanvas compressed PLY (told
/// apart by the `chunk` element and the `packed_*` vertex properties).
///
/// Never panics on bad input, and never allocates from a header count that the file
/// size cannot back.
pub fn open(path: &Path, bytes: Vec<u8>) -> Result<Box<dyn SplatDecoder>, LoadError> {
    let header = header::parse_header(path, &bytes)?;
    if compressed::is_compressed(&header) {
        return Ok(Box::new(compressed::CompressedPlyDecoder::new(
            path, bytes, header,
        )?));
    }
    let elements: Vec<describe::ScannedElement> = header
        .elements
        .iter()
        .map(|e| describe::ScannedElement {
            name: e.name.clone(),
            count: e.count,
            properties: e.props.iter().map(|(name, _)| name.clone()).collect(),
        })
        .collect();
    if let Some(reason) = describe::not_splats_reason(&elements) {
        // A mesh or point cloud: say so rather than name one missing property.
        return Err(LoadError::UnknownFormat {
            path: path.to_owned(),
            reason,
        });
    }
    let layout = header::vertex_layout(path, &header.elements[header.vertex])?;
    if header.format == header::Format::Ascii {
        let cloud = body::decode_ascii(path, &bytes, &header, &layout)?;
        debug_assert!(cloud.is_consistent());
        return Ok(Box::new(CloudDecoder {
            format: SceneFormat::Ply,
            path: path.to_owned(),
            cloud,
        }));
    }
    let data = body::vertex_span(path, &bytes, &header, &layout)?;
    Ok(Box::new(PlyDecoder {
        path: path.to_owned(),
        count: data.len() / layout.stride,
        bytes,
        data,
        header,
        layout,
    }))
}

/// What a PLY file holds, told from its header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlyContent {
    /// Gaussian splats: a PlayCanvas compressed PLY, or a `vertex` element with any of
    /// the 3DGS properties (`scale_0`, `rot_0`, `opacity`, `f_dc_0`).
    Splats,
    /// A mesh: a `face` element with at least one face.
    Mesh,
    /// Anything else: vertices only, drawn as points.
    PointCloud,
}

/// 3DGS vertex properties that mark a PLY as splats even if others are missing (the
/// splat loader then names what is missing).
const GAUSSIAN_MARKERS: [&str; 4] = ["scale_0", "rot_0", "opacity", "f_dc_0"];

/// Classifies a PLY from its beginning (`head` must hold the whole header).
pub fn classify(path: &Path, head: &[u8]) -> Result<PlyContent, LoadError> {
    let header = header::parse_header(path, head)?;
    let vertex = &header.elements[header.vertex];
    if compressed::is_compressed(&header)
        || vertex
            .props
            .iter()
            .any(|(name, _)| GAUSSIAN_MARKERS.contains(&name.as_str()))
    {
        return Ok(PlyContent::Splats);
    }
    let has_faces = header
        .element("face")
        .is_some_and(|f| header.elements[f].count > 0);
    Ok(if has_faces {
        PlyContent::Mesh
    } else {
        PlyContent::PointCloud
    })
}

/// ply-rs's header of a PLY held in memory and the offset of its body, after the same
/// checks as the splat loader's (numbers that would overflow inside ply-rs, names
/// declared twice, a `vertex` element).
pub(crate) fn parse_header_for_mesh(
    path: &Path,
    bytes: &[u8],
) -> Result<(ply_rs::ply::Header, usize), LoadError> {
    let (ours, theirs) = header::parse_header_with_ply_rs(path, bytes)?;
    Ok((theirs, ours.body_offset))
}

/// Parses a PLY file held in memory into a cloud; `path` is only used in error messages.
///
/// Never panics on bad input, and never allocates from a header count that the file
/// size cannot back. Non-finite values are passed through unchanged; quaternions are
/// normalized.
pub fn parse_gaussian_ply(path: &Path, bytes: &[u8]) -> Result<SplatCloud, LoadError> {
    let decoder = open(path, bytes.to_vec())?;
    let cloud = super::decode_all(decoder.as_ref())?;
    debug_assert!(cloud.is_consistent());
    Ok(cloud)
}

/// A binary 3DGS PLY: records are located by index.
struct PlyDecoder {
    path: PathBuf,
    bytes: Vec<u8>,
    /// Byte range of the vertex records in `bytes`.
    data: Range<usize>,
    count: usize,
    header: header::PlyHeader,
    layout: header::VertexLayout,
}

impl SplatDecoder for PlyDecoder {
    fn format(&self) -> SceneFormat {
        SceneFormat::Ply
    }
    fn len(&self) -> usize {
        self.count
    }
    fn sh_degree(&self) -> u32 {
        self.layout.sh_degree
    }
    fn aa_hint(&self) -> AaHint {
        self.header.aa_hint.clone()
    }
    fn decode(&self, range: Range<usize>) -> Result<SplatCloud, LoadError> {
        check_range(&self.path, SceneFormat::Ply, &range, self.count)?;
        let stride = self.layout.stride;
        let start = self.data.start + range.start * stride;
        let end = self.data.start + range.end * stride;
        let records = self.bytes.get(start..end).unwrap_or_default();
        Ok(body::decode_binary_records(
            records,
            &self.header,
            &self.layout,
        ))
    }
}
