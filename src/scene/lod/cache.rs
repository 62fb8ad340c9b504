//! On-disk cache of built hierarchies, so that opening a scene again is instant.
//!
//! **Key.** A 128-bit xxh3 hash of the scene as decoded (every attribute array,
//! the SH degree and the anti-aliasing mode), not of the file's bytes: the
//! hierarchy is a function of the decoded splats, so this key is exactly as fine
//! as it must be. It covers scenes that are directories (unbundled SOG), lets two
//! formats of one scene share an entry, and a loader fix that changes what a file
//! decodes to invalidates the entry instead of serving a stale tree. xxh3
//! (`xxhash-rust`) hashes at memory speed; hashing is also how the content is
//! compared, so a 128-bit hash keeps accidental collisions out of reach.
//!
//! **File** (`<key>-b<branching>.lod` in `dirs::cache_dir()/splatview/lod/`, or a
//! directory given to [`LodCache::new`]): a 104-byte header (`SPLATLOD`, an
//! endianness marker, format version, branching, SH degree, anti-aliasing mode,
//! splat / node / merged-Gaussian / level counts, the content key, the payload
//! length and a 128-bit xxh3 checksum of the payload), then the payload: nodes,
//! weights, level starts and the merged Gaussians' arrays, native little-endian.
//!
//! **Beside the scene.** A hierarchy written next to its scene as
//! `<file name>.lod` (`biker.ply.lod`, [`sidecar_path`]; `splatview lod-build
//! SCENE --out SCENE.lod`) is read before the cache, with the same checks: a
//! precomputed hierarchy can travel with its scene. One that fails them is
//! left alone (it is the user's file) and the cache is used.
//!
//! **Trust.** An entry is used only if the header matches the scene (key, counts,
//! version, branching, endianness), the file has exactly the announced length, the
//! checksum matches, and the decoded hierarchy passes
//! [`LodHierarchy::validate`]. Anything else is rebuilt and overwritten; writes go
//! to a temporary file that is renamed into place, so a crash never leaves a
//! half-written entry under the real name.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use bytemuck::{Pod, Zeroable};
use xxhash_rust::xxh3::{Xxh3, xxh3_128};

use super::build::{BuildOptions, BuildProgress, LodBuildError, build};
use super::{LodHierarchy, LodNode};
use crate::scene::SplatCloud;

const MAGIC: [u8; 8] = *b"SPLATLOD";
/// Written in native byte order: reads back as this value only on a machine of
/// the same endianness.
const ENDIAN_MARKER: u32 = 0x0102_0304;
/// Bumped whenever the file layout or the build's output changes.
pub const FORMAT_VERSION: u32 = 1;

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Pod, Zeroable)]
struct CacheHeader {
    magic: [u8; 8],
    endian: u32,
    version: u32,
    branching: u32,
    sh_degree: u32,
    /// `AaMode::shader_code` of the scene's anti-aliasing hint (0 classic, 1
    /// antialiased: the values of the earlier flag).
    aa_mode: u32,
    reserved: u32,
    splat_count: u64,
    node_count: u64,
    interior_count: u64,
    level_count: u64,
    content_key: [u8; 16],
    payload_len: u64,
    payload_checksum: [u8; 16],
}

const HEADER_BYTES: usize = size_of::<CacheHeader>();
const _: () = assert!(HEADER_BYTES == 104);

/// Why a cache entry was not used (or could not be written).
#[derive(Debug, thiserror::Error)]
pub enum LodCacheError {
    #[error("{path}: cannot read or write the level-of-detail cache: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: level-of-detail cache is stale: {reason}")]
    Stale { path: PathBuf, reason: String },
    #[error("{path}: level-of-detail cache is corrupt: {reason}")]
    Corrupt { path: PathBuf, reason: String },
}

/// Where a hierarchy came from.
#[derive(Debug)]
pub enum CacheSource {
    /// Read from a valid cache entry.
    Loaded,
    /// Read from a valid hierarchy file beside the scene ([`sidecar_path`]).
    Beside(PathBuf),
    /// Built, with no cache to read or write (the platform has no cache
    /// directory).
    Uncached,
    /// Built, because the entry was missing, stale or corrupt (`reason`); the new
    /// entry was written unless `write_error` says otherwise.
    Built {
        reason: LodCacheError,
        write_error: Option<LodCacheError>,
    },
}

/// A directory of cached hierarchies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LodCache {
    dir: PathBuf,
}

impl LodCache {
    /// A cache in `dir` (created when the first entry is written).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The platform cache directory: `dirs::cache_dir()/splatview/lod`
    /// (`~/.cache/splatview/lod` on Linux); `None` where the platform has none.
    pub fn platform() -> Option<Self> {
        dirs::cache_dir().map(|dir| Self::new(dir.join("splatview").join("lod")))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The entry for a scene with content key `key` built with `branching`.
    pub fn entry_path(&self, key: u128, branching: u32) -> PathBuf {
        self.dir.join(format!("{key:032x}-b{branching}.lod"))
    }

    /// The cached hierarchy of `scene` if a valid entry exists, otherwise a new
    /// build (written to the cache). Only a failed build is an error; cache
    /// problems are logged and reported in the [`CacheSource`].
    pub fn load_or_build(
        &self,
        scene: &SplatCloud,
        options: &BuildOptions,
        progress: Option<&BuildProgress>,
    ) -> Result<(LodHierarchy, CacheSource), LodBuildError> {
        self.load_beside_or_build(None, scene, options, progress)
    }

    /// [`Self::load_or_build`], first trying the hierarchy file beside the
    /// scene's file `scene_path` ([`sidecar_path`]) when one exists.
    pub fn load_beside_or_build(
        &self,
        scene_path: Option<&Path>,
        scene: &SplatCloud,
        options: &BuildOptions,
        progress: Option<&BuildProgress>,
    ) -> Result<(LodHierarchy, CacheSource), LodBuildError> {
        let key = scene_key(scene);
        if let Some(found) =
            beside_file(scene_path).and_then(|f| read_beside(f, scene, key, options))
        {
            return Ok(found);
        }
        let path = self.entry_path(key, options.branching);
        let reason = match read_hierarchy(&path, scene, key, options.branching) {
            Ok(hierarchy) => return Ok((hierarchy, CacheSource::Loaded)),
            Err(reason) => reason,
        };
        match &reason {
            LodCacheError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                log::info!("no level-of-detail cache entry yet: {}", path.display());
            }
            other => log::warn!("{other}; rebuilding"),
        }
        let hierarchy = build(scene, options, progress)?;
        let write_error = write_hierarchy(&path, &hierarchy, key).err();
        if let Some(error) = &write_error {
            log::warn!("{error}");
        }
        Ok((
            hierarchy,
            CacheSource::Built {
                reason,
                write_error,
            },
        ))
    }
}

/// The hierarchy of `scene` from the file beside `scene_path`, if one exists
/// and passes the checks (a failing one is logged and left alone); else from
/// `cache` or built (written to `cache`).
pub fn load_or_build_hierarchy(
    cache: Option<&LodCache>,
    scene_path: Option<&Path>,
    scene: &SplatCloud,
    options: &BuildOptions,
    progress: Option<&BuildProgress>,
) -> Result<(LodHierarchy, CacheSource), LodBuildError> {
    match cache {
        Some(cache) => cache.load_beside_or_build(scene_path, scene, options, progress),
        None => match beside_file(scene_path)
            .and_then(|f| read_beside(f, scene, scene_key(scene), options))
        {
            Some(found) => Ok(found),
            None => Ok((build(scene, options, progress)?, CacheSource::Uncached)),
        },
    }
}

/// The hierarchy file beside `scene_path`, if there is one.
fn beside_file(scene_path: Option<&Path>) -> Option<PathBuf> {
    scene_path.map(sidecar_path).filter(|p| p.is_file())
}

/// The hierarchy in `beside` if it is `scene`'s (content key `key`); a
/// failing file is logged and left alone.
fn read_beside(
    beside: PathBuf,
    scene: &SplatCloud,
    key: u128,
    options: &BuildOptions,
) -> Option<(LodHierarchy, CacheSource)> {
    match read_hierarchy(&beside, scene, key, options.branching) {
        Ok(hierarchy) => Some((hierarchy, CacheSource::Beside(beside))),
        Err(reason) => {
            log::warn!("{reason}; not used");
            None
        }
    }
}

/// The hierarchy file read beside a scene file: its name with `.lod` added
/// (`scene.ply` -> `scene.ply.lod`; a directory scene `dir/` -> `dir.lod`).
pub fn sidecar_path(scene: &Path) -> PathBuf {
    let mut name = scene
        .file_name()
        .map(std::ffi::OsStr::to_os_string)
        .unwrap_or_default();
    name.push(".lod");
    scene.with_file_name(name)
}

/// The content key of a decoded scene (see the module docs).
pub fn scene_key(scene: &SplatCloud) -> u128 {
    let mut hasher = Xxh3::new();
    hasher.update(&(scene.len() as u64).to_le_bytes());
    hasher.update(&scene.sh_degree.to_le_bytes());
    hasher.update(&[scene.aa_hint.mode.shader_code() as u8]);
    hasher.update(bytemuck::cast_slice(&scene.positions));
    hasher.update(bytemuck::cast_slice(&scene.log_scales));
    hasher.update(bytemuck::cast_slice(&scene.rotations));
    hasher.update(bytemuck::cast_slice(&scene.opacity_logits));
    hasher.update(bytemuck::cast_slice(&scene.sh_dc));
    hasher.update(bytemuck::cast_slice(&scene.sh_rest));
    hasher.digest128()
}

/// The payload sections, in file order.
fn payload_sections(h: &LodHierarchy) -> [&[u8]; 9] {
    let i = h.interior();
    [
        bytemuck::cast_slice(h.nodes()),
        bytemuck::cast_slice(h.weights()),
        bytemuck::cast_slice(h.level_starts()),
        bytemuck::cast_slice(&i.positions),
        bytemuck::cast_slice(&i.log_scales),
        bytemuck::cast_slice(&i.rotations),
        bytemuck::cast_slice(&i.opacity_logits),
        bytemuck::cast_slice(&i.sh_dc),
        bytemuck::cast_slice(&i.sh_rest),
    ]
}

/// Writes `hierarchy` (built from a scene with content key `key`) to `path`,
/// through a temporary file in the same directory.
pub fn write_hierarchy(
    path: &Path,
    hierarchy: &LodHierarchy,
    key: u128,
) -> Result<(), LodCacheError> {
    let io = |source| LodCacheError::Io {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let sections = payload_sections(hierarchy);
    let mut checksum = Xxh3::new();
    let mut payload_len = 0u64;
    for section in sections {
        checksum.update(section);
        payload_len += section.len() as u64;
    }
    let interior = hierarchy.interior();
    let header = CacheHeader {
        magic: MAGIC,
        endian: ENDIAN_MARKER,
        version: FORMAT_VERSION,
        branching: hierarchy.branching(),
        sh_degree: interior.sh_degree,
        aa_mode: interior.aa_hint.mode.shader_code(),
        reserved: 0,
        splat_count: hierarchy.splat_count() as u64,
        node_count: hierarchy.nodes().len() as u64,
        interior_count: interior.len() as u64,
        level_count: hierarchy.depth_count() as u64,
        content_key: key.to_le_bytes(),
        payload_len,
        payload_checksum: checksum.digest128().to_le_bytes(),
    };
    let temporary = path.with_extension(format!("tmp{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&temporary)?);
        file.write_all(bytemuck::bytes_of(&header))?;
        for section in sections {
            file.write_all(section)?;
        }
        file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&temporary, path)
    };
    write().map_err(|source| {
        let _ = std::fs::remove_file(&temporary);
        io(source)
    })
}

/// Reads the hierarchy at `path` if it was built from `scene` (content key `key`)
/// with `branching`, and is intact.
pub fn read_hierarchy(
    path: &Path,
    scene: &SplatCloud,
    key: u128,
    branching: u32,
) -> Result<LodHierarchy, LodCacheError> {
    let bytes = std::fs::read(path).map_err(|source| LodCacheError::Io {
        path: path.to_owned(),
        source,
    })?;
    let stale = |reason: String| LodCacheError::Stale {
        path: path.to_owned(),
        reason,
    };
    let corrupt = |reason: String| LodCacheError::Corrupt {
        path: path.to_owned(),
        reason,
    };
    let header: CacheHeader = bytes
        .get(..HEADER_BYTES)
        .map(bytemuck::pod_read_unaligned)
        .ok_or_else(|| corrupt(format!("{} bytes, shorter than the header", bytes.len())))?;
    if header.magic != MAGIC {
        return Err(corrupt("not a splatview level-of-detail cache file".into()));
    }
    if header.endian != ENDIAN_MARKER {
        return Err(stale("written on a machine of the other byte order".into()));
    }
    if header.version != FORMAT_VERSION {
        return Err(stale(format!(
            "format version {}, this build writes {FORMAT_VERSION}",
            header.version
        )));
    }
    let expected = [
        ("content key", u128::from_le_bytes(header.content_key), key),
        (
            "splat count",
            u128::from(header.splat_count),
            scene.len() as u128,
        ),
        (
            "SH degree",
            u128::from(header.sh_degree),
            u128::from(scene.sh_degree),
        ),
        (
            "anti-aliasing mode",
            u128::from(header.aa_mode),
            u128::from(scene.aa_hint.mode.shader_code()),
        ),
        (
            "branching",
            u128::from(header.branching),
            u128::from(branching),
        ),
    ];
    for (what, found, wanted) in expected {
        if found != wanted {
            return Err(stale(format!(
                "{what} is {found:#x}, the scene needs {wanted:#x}"
            )));
        }
    }
    let payload = &bytes[HEADER_BYTES..];
    if payload.len() as u64 != header.payload_len {
        return Err(corrupt(format!(
            "payload of {} bytes, the header announces {}",
            payload.len(),
            header.payload_len
        )));
    }
    if xxh3_128(payload).to_le_bytes() != header.payload_checksum {
        return Err(corrupt("payload checksum mismatch".into()));
    }
    // The header's mode was checked against the scene's: the merged splats carry the
    // scene's hint, as when they are built.
    decode_payload(&header, payload, scene).map_err(corrupt)
}

/// Splits the checked payload into the hierarchy's arrays and validates them
/// (`scene`: the cloud it was built from, checked against the header).
fn decode_payload(
    header: &CacheHeader,
    payload: &[u8],
    scene: &SplatCloud,
) -> Result<LodHierarchy, String> {
    let count = |v: u64| usize::try_from(v).map_err(|_| format!("count {v} too large"));
    let (nodes, interior, levels) = (
        count(header.node_count)?,
        count(header.interior_count)?,
        count(header.level_count)?,
    );
    if header.sh_degree > crate::scene::splats::MAX_SH_DEGREE {
        return Err(format!("SH degree {}", header.sh_degree));
    }
    let rest = crate::scene::splats::sh_coeffs_for_degree(header.sh_degree) - 1;
    let mut cursor = Sections { rest: payload };
    let mut take = |elements: usize, element_bytes: usize| cursor.take(elements, element_bytes);
    let node_list: Vec<LodNode> = bytemuck::pod_collect_to_vec(take(nodes, 32)?);
    let weights: Vec<f32> = bytemuck::pod_collect_to_vec(take(nodes, 4)?);
    let level_starts: Vec<u32> = bytemuck::pod_collect_to_vec(take(levels + 1, 4)?);
    let mut cloud = SplatCloud::new(header.sh_degree);
    cloud.set_aa_hint(scene.aa_hint.clone());
    cloud.positions = bytemuck::pod_collect_to_vec(take(interior, 12)?);
    cloud.log_scales = bytemuck::pod_collect_to_vec(take(interior, 12)?);
    cloud.rotations = bytemuck::pod_collect_to_vec(take(interior, 16)?);
    cloud.opacity_logits = bytemuck::pod_collect_to_vec(take(interior, 4)?);
    cloud.sh_dc = bytemuck::pod_collect_to_vec(take(interior, 12)?);
    cloud.sh_rest = bytemuck::pod_collect_to_vec(take(interior.saturating_mul(rest * 3), 4)?);
    if !cursor.rest.is_empty() {
        return Err(format!(
            "{} bytes left after the last section",
            cursor.rest.len()
        ));
    }
    let splats =
        u32::try_from(header.splat_count).map_err(|_| "splat count too large".to_string())?;
    LodHierarchy::from_parts(
        splats,
        header.branching,
        node_list,
        weights,
        level_starts,
        cloud,
        &scene.sh_dc,
    )
}

/// Reads consecutive sections of a payload.
struct Sections<'a> {
    rest: &'a [u8],
}

impl<'a> Sections<'a> {
    fn take(&mut self, elements: usize, element_bytes: usize) -> Result<&'a [u8], String> {
        let rest = self.rest;
        let len = elements
            .checked_mul(element_bytes)
            .filter(|&len| len <= rest.len())
            .ok_or_else(|| "the counts do not fit the payload".to_string())?;
        let (section, tail) = rest.split_at(len);
        self.rest = tail;
        Ok(section)
    }
}
