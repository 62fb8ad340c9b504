//! `LoadError`: why a scene or camera file could not be loaded.

use std::path::PathBuf;

use super::SceneFormat;
use super::limits::{LimitError, MemoryBudget};
use crate::scene::mesh::MeshFormat;

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
    /// The background loader ended without a result (it panicked).
    #[error("{path}: the loader stopped unexpectedly before finishing (a bug in splatview)")]
    LoaderStopped { path: PathBuf },
    /// The file is recognised as `format` but its content is inconsistent or cut short.
    #[error("{path}: invalid {format} file: {reason}")]
    Invalid {
        path: PathBuf,
        format: SceneFormat,
        reason: String,
    },
    /// Loading the file would take more memory than its budget (by default, what the
    /// machine has available): refused before anything large is allocated.
    #[error("{path}: {}", LimitError::OverBudget { needed: *needed, budget: *budget })]
    TooLarge {
        path: PathBuf,
        /// Estimated peak bytes of the load.
        needed: u64,
        budget: MemoryBudget,
    },
    /// The file is a valid `format` file using a feature or version splatview cannot read.
    #[error("{path}: unsupported {format} file: {reason}")]
    Unsupported {
        path: PathBuf,
        format: SceneFormat,
        reason: String,
    },
    /// A mesh or point-cloud file that is recognised but cannot be read.
    #[error("{path}: invalid {format} file: {reason}")]
    InvalidMesh {
        path: PathBuf,
        format: MeshFormat,
        reason: String,
    },
    /// The caller asked the loader to stop (through its progress callback).
    #[error("{path}: loading was cancelled")]
    Cancelled { path: PathBuf },
}

impl LoadError {
    /// A [`LoadError::InvalidMesh`] for `path`.
    pub(crate) fn invalid_mesh(
        path: &std::path::Path,
        format: MeshFormat,
        reason: impl Into<String>,
    ) -> Self {
        Self::InvalidMesh {
            path: path.to_owned(),
            format,
            reason: reason.into(),
        }
    }

    /// A [`LoadError::Invalid`] for `path`.
    pub(crate) fn invalid(
        path: &std::path::Path,
        format: SceneFormat,
        reason: impl Into<String>,
    ) -> Self {
        Self::Invalid {
            path: path.to_owned(),
            format,
            reason: reason.into(),
        }
    }

    /// A [`LoadError::Unsupported`] for `path`.
    pub(crate) fn unsupported(
        path: &std::path::Path,
        format: SceneFormat,
        reason: impl Into<String>,
    ) -> Self {
        Self::Unsupported {
            path: path.to_owned(),
            format,
            reason: reason.into(),
        }
    }

    /// A failed bounded read, budget check or image decode of `path`: over budget
    /// becomes [`LoadError::TooLarge`], anything else [`LoadError::Invalid`].
    pub(crate) fn limit(path: &std::path::Path, format: SceneFormat, e: LimitError) -> Self {
        match e {
            LimitError::OverBudget { needed, budget } => Self::TooLarge {
                path: path.to_owned(),
                needed,
                budget,
            },
            other => Self::invalid(path, format, other.to_string()),
        }
    }

    /// A [`LoadError::AbsurdCount`] for `path`.
    pub(crate) fn absurd(path: &std::path::Path, count: u64, file_bytes: usize) -> Self {
        Self::AbsurdCount {
            path: path.to_owned(),
            count,
            file_bytes: file_bytes as u64,
        }
    }
}
