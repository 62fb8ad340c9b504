//! Scene file loading. One module per format; this one detects the splat format from
//! content (never from the extension), owns the error type every loader returns, and
//! defines [`SplatDecoder`], the interface the one-shot and streaming loaders share.
//! Meshes and point clouds load through [`mesh`]; [`scene_file`] tells splats, meshes
//! and point clouds apart and loads any of them.
//!
//! A loader's `open` parses headers and decompresses what must be decompressed as a
//! whole; its decoder then turns any index range of splats into a `SplatCloud`, so
//! [`decode_all`] can decode in parallel and [`stream::StreamingLoad`] can hand the
//! renderer chunks in order. Layouts, conventions and tolerances: docs/FORMATS.md.

pub mod cameras_json;
mod convert;
mod error;
pub mod ksplat;
pub mod limits;
pub mod mesh;
pub mod ply;
pub mod scene_file;
pub mod sog;
pub mod splat;
pub mod spz;
pub mod stream;

use std::ops::Range;
use std::path::{Path, PathBuf};

pub use error::LoadError;
pub use limits::MemoryBudget;
pub use scene_file::{
    LoadedScene, SceneFileKind, detect_scene_file, load_scene_file, load_scene_file_with_progress,
    load_scene_objects, load_splat_scene,
};

use crate::scene::splats::SplatSlicesMut;
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
    /// Bytes the decoder holds besides the file: decompressed blocks, decoded images, a
    /// cloud decoded when opened. Counted in the load's memory estimate.
    fn held_bytes(&self) -> u64 {
        0
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
    fn held_bytes(&self) -> u64 {
        cloud_bytes(self.cloud.len() as u64, self.cloud.sh_degree)
    }
    fn decode(&self, range: Range<usize>) -> Result<SplatCloud, LoadError> {
        convert::check_range(&self.path, self.format, &range, self.len())?;
        Ok(convert::slice_cloud(&self.cloud, range))
    }
}

/// Detects the format from content (magic bytes and structure, never the extension),
/// parses headers, decompresses where needed, and returns a decoder. The load must fit
/// the memory this machine has available ([`MemoryBudget::available`]); see
/// [`open_decoder_within`].
///
/// `path` is used in messages and, for an unbundled SOG `meta.json`, to find the WebP
/// images beside it.
pub fn open_decoder(path: &Path, bytes: Vec<u8>) -> Result<Box<dyn SplatDecoder>, LoadError> {
    open_decoder_within(path, bytes, &MemoryBudget::available())
}

/// [`open_decoder`] within `budget`: formats that inflate check their estimated peak
/// ([`load_peak_bytes`]) against it before inflating anything, and every format checks
/// the decoded scene before it is decoded, so a file that needs more fails with
/// [`LoadError::TooLarge`] ("this file needs about N GB") before any large allocation.
pub fn open_decoder_within(
    path: &Path,
    bytes: Vec<u8>,
    budget: &MemoryBudget,
) -> Result<Box<dyn SplatDecoder>, LoadError> {
    let file_bytes = bytes.len() as u64;
    let decoder = open_by_content(path, bytes, budget)?;
    let held = file_bytes.saturating_add(decoder.held_bytes());
    let needed = load_peak_bytes(held, decoder.len() as u64, decoder.sh_degree());
    budget
        .check(needed)
        .map_err(|e| LoadError::limit(path, decoder.format(), e))?;
    Ok(decoder)
}

fn open_by_content(
    path: &Path,
    bytes: Vec<u8>,
    budget: &MemoryBudget,
) -> Result<Box<dyn SplatDecoder>, LoadError> {
    if bytes.starts_with(b"ply\n") || bytes.starts_with(b"ply\r\n") {
        return ply::open(path, bytes);
    }
    if bytes.starts_with(b"NGSP") || bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(Box::new(spz::open(path, bytes, budget)?));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Ok(Box::new(sog::open_bundle(path, &bytes, budget)?));
    }
    if bytes.trim_ascii_start().starts_with(b"{") {
        return Ok(Box::new(sog::open_meta(path, &bytes, budget)?));
    }
    if ksplat::looks_like_ksplat(&bytes) {
        return Ok(Box::new(ksplat::open(path, bytes)?));
    }
    if splat::looks_like_splat(&bytes) {
        return Ok(Box::new(splat::open(path, bytes)?));
    }
    // Nothing matched. A `.splat` or `.ksplat` name then only chooses whose
    // parser says what is wrong (a truncated file, mostly), never which
    // format a file is read as.
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("splat") if !bytes.len().is_multiple_of(splat::RECORD_BYTES) => {
            return Ok(Box::new(splat::open(path, bytes)?));
        }
        // The version bytes of a .ksplat header, the rest cut short or damaged.
        Some("ksplat") if bytes.len() >= 2 && bytes[0] == 0 && bytes[1] >= 1 => {
            return Ok(Box::new(ksplat::open(path, bytes)?));
        }
        _ => {}
    }
    Err(LoadError::UnknownFormat {
        path: path.to_owned(),
        reason: if bytes.is_empty() {
            "the file is empty (0 bytes)".to_owned()
        } else {
            format!("the content matches none of the supported formats: {SUPPORTED_FORMATS}")
        },
    })
}

/// Bytes the arrays of a decoded cloud of `count` splats at `sh_degree` take: 56 per
/// splat (position, log scale, rotation, opacity, DC colour as f32) plus 12 per SH
/// coefficient beyond DC (3, 8 or 15 of them).
pub fn cloud_bytes(count: u64, sh_degree: u32) -> u64 {
    let rest = u64::from((sh_degree.min(3) + 1).pow(2) - 1);
    count.saturating_mul(56 + 12 * rest)
}

/// Estimated peak memory of a load that holds `held_bytes` while decoding (the file
/// and whatever the format inflated: SPZ blocks, SOG images, an ASCII PLY's cloud) and
/// decodes `count` splats at `sh_degree`: the held bytes, the decoded cloud, and the
/// pieces [`decode_all`]'s threads have in hand. Checked against a [`MemoryBudget`]
/// before anything large is allocated; measured peaks: docs/FORMATS.md, "Hostile files
/// and memory".
pub fn load_peak_bytes(held_bytes: u64, count: u64, sh_degree: u32) -> u64 {
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get()) as u64;
    let pieces = cloud_bytes(count.min(threads * DECODE_PIECE as u64), sh_degree);
    held_bytes
        .saturating_add(cloud_bytes(count, sh_degree))
        .saturating_add(pieces)
}

/// Splats per thread below which [`decode_all`] does not start another thread.
const MIN_SPLATS_PER_THREAD: usize = 16 * 1024;
/// Splats each thread of [`decode_all`] decodes at a time before copying them into the
/// final cloud (bounds the memory decoding takes beyond the result).
const DECODE_PIECE: usize = 16 * 1024;

/// Decodes every splat, in parallel over `std::thread::available_parallelism()` threads.
///
/// The cloud is allocated once at its final size (zeroed pages, which cost nothing
/// until written); each thread decodes its share in pieces of [`DECODE_PIECE`] splats
/// and copies them into place. So the memory decoding takes beyond the result is a
/// few pieces, not a second copy of the scene.
pub fn decode_all(decoder: &dyn SplatDecoder) -> Result<SplatCloud, LoadError> {
    let n = decoder.len();
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .min(n / MIN_SPLATS_PER_THREAD)
        .max(1);
    let mut cloud = SplatCloud::zeroed(n, decoder.sh_degree());
    cloud.set_aa_hint(decoder.aa_hint());
    if threads == 1 {
        decode_into(decoder, 0, cloud.slices_mut())?;
        return Ok(cloud);
    }
    let per_thread = n.div_ceil(threads);
    let results: Vec<Result<(), LoadError>> = std::thread::scope(|s| {
        let mut rest = cloud.slices_mut();
        let mut handles = Vec::with_capacity(threads);
        let mut first = 0;
        while !rest.is_empty() {
            let (mine, later) = rest.split_at(per_thread);
            rest = later;
            let start = first;
            first += mine.len();
            handles.push(s.spawn(move || decode_into(decoder, start, mine)));
        }
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(decoder_failed(decoder, "panicked")))
            })
            .collect()
    });
    results.into_iter().collect::<Result<(), _>>()?;
    Ok(cloud)
}

/// Decodes splats `first..first + out.len()` into `out`, [`DECODE_PIECE`] at a time.
fn decode_into(
    decoder: &dyn SplatDecoder,
    first: usize,
    mut out: SplatSlicesMut<'_>,
) -> Result<(), LoadError> {
    let mut at = first;
    while !out.is_empty() {
        let (piece, later) = out.split_at(DECODE_PIECE);
        let part = decoder.decode(at..at + piece.len())?;
        if part.len() != piece.len()
            || !part.is_consistent()
            || part.sh_rest.len() != piece.sh_rest.len()
        {
            return Err(decoder_failed(
                decoder,
                "returned splats that do not fit its range",
            ));
        }
        at += piece.len();
        piece.positions.copy_from_slice(&part.positions);
        piece.log_scales.copy_from_slice(&part.log_scales);
        piece.rotations.copy_from_slice(&part.rotations);
        piece.opacity_logits.copy_from_slice(&part.opacity_logits);
        piece.sh_dc.copy_from_slice(&part.sh_dc);
        piece.sh_rest.copy_from_slice(&part.sh_rest);
        out = later;
    }
    Ok(())
}

fn decoder_failed(decoder: &dyn SplatDecoder, what: &str) -> LoadError {
    LoadError::Malformed {
        path: PathBuf::from(decoder.format().name()),
        reason: format!("a decoder thread {what}"),
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
/// an unbundled SOG directory or its `meta.json`. The load must fit the memory this
/// machine has available ([`load_splat_file_within`]).
pub fn load_splat_file(path: &Path) -> Result<SplatCloud, LoadError> {
    load_splat_file_with_format(path).map(|(cloud, _)| cloud)
}

/// [`load_splat_file`], also saying which format the file was.
pub fn load_splat_file_with_format(path: &Path) -> Result<(SplatCloud, SceneFormat), LoadError> {
    load_splat_file_within(path, &MemoryBudget::available())
}

/// [`load_splat_file_with_format`] within `budget`: a file whose load is estimated to
/// need more fails with [`LoadError::TooLarge`] before anything large is allocated.
pub fn load_splat_file_within(
    path: &Path,
    budget: &MemoryBudget,
) -> Result<(SplatCloud, SceneFormat), LoadError> {
    let file = scene_file_path(path);
    // The common case, a binary 3DGS PLY, is converted while it is read.
    if let Some(cloud) = ply::load_binary_ply(&file, budget)? {
        return Ok((cloud, SceneFormat::Ply));
    }
    let bytes = std::fs::read(&file).map_err(|source| LoadError::Io {
        path: file.clone(),
        source,
    })?;
    let decoder = open_decoder_within(&file, bytes, budget)?;
    Ok((decode_all(decoder.as_ref())?, decoder.format()))
}

/// Loads a splat scene from memory; `path` is used in error messages (and to find the
/// images of an unbundled SOG `meta.json`). The load must fit the memory this machine
/// has available.
pub fn load_splat_bytes(path: &Path, bytes: &[u8]) -> Result<SplatCloud, LoadError> {
    load_splat_bytes_within(path, bytes, &MemoryBudget::available())
}

/// [`load_splat_bytes`] within `budget`.
pub fn load_splat_bytes_within(
    path: &Path,
    bytes: &[u8],
    budget: &MemoryBudget,
) -> Result<SplatCloud, LoadError> {
    decode_all(open_decoder_within(path, bytes.to_vec(), budget)?.as_ref())
}
