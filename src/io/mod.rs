//! Scene file loading. One module per format; this one detects the format from content
//! (never from the extension), owns the error type every loader returns, and defines
//! [`SplatDecoder`], the interface the one-shot and streaming loaders share.
//!
//! A loader's `open` parses headers and decompresses what must be decompressed as a
//! whole; its decoder then turns any index range of splats into a `SplatCloud`, so
//! [`decode_all`] can decode in parallel and [`stream::StreamingLoad`] can hand the
//! renderer chunks in order. Layouts, conventions and tolerances: docs/FORMATS.md.

pub mod cameras_json;
mod convert;
mod error;
pub mod ksplat;
pub mod ply;
pub mod sog;
pub mod splat;
pub mod spz;
pub mod stream;

use std::ops::Range;
use std::path::{Path, PathBuf};

pub use error::LoadError;

use crate::scene::{AaHint, SplatCloud};

/// The scene file formats splatview reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SceneFormat {
    /// 3DGS PLY (INRIA trainer output): float properties per splat.
    Ply,
    /// PlayCanvas compressed PLY: `chunk` + packed `vertex` (+ optional `sh`) elements.
    CompressedPly,
    /// antimatter15 `.splat`: 32 bytes per splat, no header.
    Splat,
    /// GaussianSplats3D `.ksplat`, compression levels 0-2.
    Ksplat,
    /// Niantic `.spz`, versions 1-3 (gzip) and 4 (NGSP header, zstd streams).
    Spz,
    /// PlayCanvas SOG: `meta.json` + WebP images, unbundled or zipped (`.sog`).
    Sog,
}

impl SceneFormat {
    /// Every format, in the order they are listed to users.
    pub const ALL: [SceneFormat; 6] = [
        Self::Ply,
        Self::CompressedPly,
        Self::Splat,
        Self::Ksplat,
        Self::Spz,
        Self::Sog,
    ];

    /// A short human-readable name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ply => "3DGS PLY",
            Self::CompressedPly => "compressed PLY",
            Self::Splat => ".splat",
            Self::Ksplat => ".ksplat",
            Self::Spz => "SPZ",
            Self::Sog => "SOG",
        }
    }
}

impl std::fmt::Display for SceneFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What [`LoadError::UnknownFormat`] tells the user splatview can read.
pub const SUPPORTED_FORMATS: &str = "3DGS .ply, PlayCanvas compressed .ply, antimatter15 .splat, \
     GaussianSplats3D .ksplat, Niantic .spz (v1-v4), PlayCanvas SOG (meta.json + WebP, or bundled .sog)";

/// A parsed scene file whose splats can be decoded by index range (streaming, parallel
/// decode).
pub trait SplatDecoder: Send + Sync {
    fn format(&self) -> SceneFormat;
    /// Total number of splats.
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn sh_degree(&self) -> u32;
    /// The anti-aliasing mode the file asks for, and why (docs/ANTIALIASING.md).
    fn aa_hint(&self) -> AaHint {
        AaHint::default()
    }
    /// Decodes the splats in `range` (within `0..len()`) into a cloud with
    /// `sh_degree()` and `aa_hint()`. Never panics on bad data.
    fn decode(&self, range: Range<usize>) -> Result<SplatCloud, LoadError>;
}

/// A decoder over a cloud decoded as a whole at open time (formats whose records can't
/// be located by index, such as ASCII PLY).
pub(crate) struct CloudDecoder {
    pub format: SceneFormat,
    pub path: PathBuf,
    pub cloud: SplatCloud,
}

impl SplatDecoder for CloudDecoder {
    fn format(&self) -> SceneFormat {
        self.format
    }
    fn len(&self) -> usize {
        self.cloud.len()
    }
    fn sh_degree(&self) -> u32 {
        self.cloud.sh_degree
    }
    fn aa_hint(&self) -> AaHint {
        self.cloud.aa_hint.clone()
    }
    fn decode(&self, range: Range<usize>) -> Result<SplatCloud, LoadError> {
        convert::check_range(&self.path, self.format, &range, self.len())?;
        Ok(convert::slice_cloud(&self.cloud, range))
    }
}

/// Detects the format from content (magic bytes and structure, never the extension),
/// parses headers, decompresses where needed, and returns a decoder.
///
/// `path` is used in messages and, for an unbundled SOG `meta.json`, to find the WebP
/// images beside it.
pub fn open_decoder(path: &Path, bytes: Vec<u8>) -> Result<Box<dyn SplatDecoder>, LoadError> {
    if bytes.starts_with(b"ply\n") || bytes.starts_with(b"ply\r\n") {
        return ply::open(path, bytes);
    }
    if bytes.starts_with(b"NGSP") || bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(Box::new(spz::open(path, bytes)?));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Ok(Box::new(sog::open_bundle(path, &bytes)?));
    }
    if bytes.trim_ascii_start().starts_with(b"{") {
        return Ok(Box::new(sog::open_meta(path, &bytes)?));
    }
    if ksplat::looks_like_ksplat(&bytes) {
        return Ok(Box::new(ksplat::open(path, bytes)?));
    }
    if splat::looks_like_splat(&bytes) {
        return Ok(Box::new(splat::open(path, bytes)?));
    }
    Err(LoadError::UnknownFormat {
        path: path.to_owned(),
        reason: format!("the content matches none of the supported formats: {SUPPORTED_FORMATS}"),
    })
}

/// Splats per piece below which [`decode_all`] does not start another thread.
const MIN_SPLATS_PER_THREAD: usize = 16 * 1024;

/// Decodes every splat, in parallel over `std::thread::available_parallelism()` threads.
pub fn decode_all(decoder: &dyn SplatDecoder) -> Result<SplatCloud, LoadError> {
    let n = decoder.len();
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .min(n / MIN_SPLATS_PER_THREAD)
        .max(1);
    if threads == 1 {
        return decoder.decode(0..n);
    }
    let bounds: Vec<usize> = (0..=threads).map(|t| n * t / threads).collect();
    let parts: Vec<Result<SplatCloud, LoadError>> = std::thread::scope(|s| {
        let handles: Vec<_> = bounds
            .windows(2)
            .map(|w| {
                let range = w[0]..w[1];
                s.spawn(move || decoder.decode(range))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(decoder_panicked(decoder))))
            .collect()
    });
    let mut parts = parts.into_iter();
    let mut cloud = parts.next().unwrap_or_else(|| Ok(SplatCloud::new(0)))?;
    cloud.reserve(n - cloud.len());
    for part in parts {
        cloud.append(&part?);
    }
    Ok(cloud)
}

fn decoder_panicked(decoder: &dyn SplatDecoder) -> LoadError {
    LoadError::Malformed {
        path: PathBuf::from(decoder.format().name()),
        reason: "a decoder thread panicked".into(),
    }
}

/// The file to read for `path`: a directory stands for the unbundled SOG `meta.json`
/// inside it.
pub fn scene_file_path(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join("meta.json")
    } else {
        path.to_owned()
    }
}

/// Loads a splat scene, choosing the parser from the file's content. `path` may also be
/// an unbundled SOG directory or its `meta.json`.
pub fn load_splat_file(path: &Path) -> Result<SplatCloud, LoadError> {
    load_splat_file_with_format(path).map(|(cloud, _)| cloud)
}

/// [`load_splat_file`], also saying which format the file was.
pub fn load_splat_file_with_format(path: &Path) -> Result<(SplatCloud, SceneFormat), LoadError> {
    let file = scene_file_path(path);
    // The common case, a binary 3DGS PLY, is converted while it is read.
    if let Some(cloud) = ply::load_binary_ply(&file)? {
        return Ok((cloud, SceneFormat::Ply));
    }
    let bytes = std::fs::read(&file).map_err(|source| LoadError::Io {
        path: file.clone(),
        source,
    })?;
    let decoder = open_decoder(&file, bytes)?;
    Ok((decode_all(decoder.as_ref())?, decoder.format()))
}

/// Loads a splat scene from memory; `path` is used in error messages (and to find the
/// images of an unbundled SOG `meta.json`).
pub fn load_splat_bytes(path: &Path, bytes: &[u8]) -> Result<SplatCloud, LoadError> {
    decode_all(open_decoder(path, bytes.to_vec())?.as_ref())
}
