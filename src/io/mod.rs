//! Scene file loading. One file per format; this module detects the format from
//! content and owns the error type every loader returns.

pub mod cameras_json;
pub mod ply;

use std::path::{Path, PathBuf};

use crate::scene::SplatCloud;

/// Why a scene or camera file could not be loaded. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: cannot read file: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a supported scene file: {reason}")]
    UnknownFormat { path: PathBuf, reason: String },
    #[error("{path}: invalid PLY header: {reason}")]
    BadHeader { path: PathBuf, reason: String },
    #[error("{path}: missing required property `{property}` in element `{element}`")]
    MissingProperty {
        path: PathBuf,
        element: String,
        property: String,
    },
    #[error("{path}: property `{property}` has type {found}, expected a float or integer scalar")]
    WrongType {
        path: PathBuf,
        property: String,
        found: String,
    },
    #[error(
        "{path}: file is truncated: header declares {expected} splats ({expected_bytes} bytes of data) but only {available_bytes} bytes follow the header"
    )]
    Truncated {
        path: PathBuf,
        expected: u64,
        expected_bytes: u64,
        available_bytes: u64,
    },
    #[error(
        "{path}: file is truncated: header declares {expected} splats but the ASCII body ends after {found}"
    )]
    TruncatedText {
        path: PathBuf,
        expected: u64,
        found: u64,
    },
    #[error("{path}: element count {count} is implausible for a file of {file_bytes} bytes")]
    AbsurdCount {
        path: PathBuf,
        count: u64,
        file_bytes: u64,
    },
    #[error("{path}: malformed data: {reason}")]
    Malformed { path: PathBuf, reason: String },
}

/// Loads a splat scene, choosing the parser from the file's content.
pub fn load_splat_file(path: &Path) -> Result<SplatCloud, LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.to_owned(),
        source,
    })?;
    load_splat_bytes(path, &bytes)
}

/// Loads a splat scene from memory; `path` is only used in error messages.
pub fn load_splat_bytes(path: &Path, bytes: &[u8]) -> Result<SplatCloud, LoadError> {
    if bytes.starts_with(b"ply\n") || bytes.starts_with(b"ply\r\n") {
        ply::parse_gaussian_ply(path, bytes)
    } else {
        Err(LoadError::UnknownFormat {
            path: path.to_owned(),
            reason: "expected a 3D Gaussian Splatting PLY file (starting with `ply`)".into(),
        })
    }
}
