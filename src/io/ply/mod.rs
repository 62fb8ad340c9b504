//! 3D Gaussian Splatting PLY files, as written by the INRIA trainer and most tools.
//!
//! A `vertex` element with one record per splat holding `x y z`, `scale_0..2` (log
//! scales), `rot_0..3` (quaternion w, x, y, z), `opacity` (logit), `f_dc_0..2` and
//! optionally `f_rest_*` (9, 24 or 45 values for SH degree 1, 2, 3, stored channel-major).
//! Property order is free and other properties (`nx ny nz`, ...) are ignored. Any scalar
//! type is accepted and converted to f32; lists in the vertex element are rejected.
//! Encodings: `binary_little_endian`, `binary_big_endian` and `ascii`.
//!
//! The header is located here and parsed by ply-rs ([`header`]); the body is decoded by
//! our own code ([`body`]) straight into the struct-of-arrays `SplatCloud`, since ply-rs
//! builds one hash map per vertex. A `comment SplatRenderMode: mip` header line marks a
//! Mip-Splatting scene (`SplatCloud::antialiased`).

mod body;
mod header;
mod write;

#[cfg(test)]
mod tests;

use std::path::Path;

pub use write::write_gaussian_ply;

use super::LoadError;
use crate::scene::SplatCloud;

/// Parses a 3DGS PLY file held in memory; `path` is only used in error messages.
///
/// Never panics on bad input, and never allocates from a header count that the file
/// size cannot back. Non-finite values are passed through unchanged; quaternions are
/// normalized.
pub fn parse_gaussian_ply(path: &Path, bytes: &[u8]) -> Result<SplatCloud, LoadError> {
    let header = header::parse_header(path, bytes)?;
    let cloud = match header.format {
        header::Format::Ascii => body::decode_ascii(path, bytes, &header)?,
        header::Format::BinaryLittleEndian | header::Format::BinaryBigEndian => {
            body::decode_binary(path, bytes, &header)?
        }
    };
    debug_assert!(cloud.is_consistent());
    Ok(cloud)
}
