//! PlayCanvas SOG ("spatially ordered gaussians"): a `meta.json` plus lossless WebP
//! images holding quantized attributes, one texel per splat, either as files in a
//! directory or bundled in a zip (`.sog`). Version 2 (`"version": 2`) quantizes scales,
//! colours and SH through 256-entry codebooks; version 1 (no `version`) lerps each byte
//! between per-attribute `mins`/`maxs`. Layout as read by splat-transform's `read-sog.ts`
//! and `read-sog-v1.ts`; see docs/FORMATS.md.
//!
//! This module reads `meta.json` and finds the images ([`meta`]); [`decode`] turns the
//! images into splats.

mod decode;
mod meta;

use std::io::Cursor;
use std::path::{Component, Path};

pub use decode::SogDecoder;

use super::limits::{self, LimitError, MemoryBudget};
use super::{LoadError, SceneFormat, load_peak_bytes};

const FORMAT: SceneFormat = SceneFormat::Sog;

/// Most bytes of `meta.json`: one with every codebook takes about 16 KB.
const MAX_META_BYTES: u64 = 1 << 20;
/// Most bytes an image file may take per pixel it may have, plus a fixed allowance
/// for its headers and metadata chunks. A lossless WebP stores a pixel in at most
/// 4 prefix codes of up to 15 bits (RFC 9649), 7.5 bytes; real files take 0.5 to 4.
const MAX_IMAGE_FILE_BYTES_PER_PIXEL: u64 = 8;
const IMAGE_FILE_ALLOWANCE: u64 = 1 << 20;

fn invalid(path: &Path, reason: impl Into<String>) -> LoadError {
    LoadError::invalid(path, FORMAT, reason)
}

fn limit_error(path: &Path) -> impl Fn(LimitError) -> LoadError + '_ {
    move |e| LoadError::limit(path, FORMAT, e)
}

/// Most bytes the file of an image with at most `max_pixels` pixels may take.
fn max_image_file_bytes(max_pixels: u64) -> u64 {
    max_pixels
        .saturating_mul(MAX_IMAGE_FILE_BYTES_PER_PIXEL)
        .saturating_add(IMAGE_FILE_ALLOWANCE)
}

/// Opens an unbundled SOG from its `meta.json` (content `bytes`), reading the images
/// named there from the directory that holds `path`. Each image file is read only up
/// to the most bytes its scene can need.
pub fn open_meta(
    path: &Path,
    bytes: &[u8],
    budget: &MemoryBudget,
) -> Result<SogDecoder, LoadError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    open_with(path, bytes, bytes.len(), budget, |name, max_bytes| {
        check_plain_name(path, name)?;
        let file = dir.join(name);
        let f = std::fs::File::open(&file).map_err(|source| LoadError::Io {
            path: file.clone(),
            source,
        })?;
        limits::read_to_limit(f, max_bytes, &format!("`{name}`")).map_err(limit_error(path))
    })
}

/// Splits a byte string framed as `name length (u8), name, data length (u32 LE),
/// data`, repeated, into `(name, bytes)` files for `open_in_memory`: the input
/// format of the `sog` fuzz target and its seeds. A truncated last record ends the
/// list (its data is cut to what is there).
pub fn unframe_files(mut data: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    while let Some((&n, rest)) = data.split_first() {
        let Some((name, rest)) = rest.split_at_checked(usize::from(n)) else {
            break;
        };
        let Some((len, rest)) = rest.split_first_chunk::<4>() else {
            break;
        };
        let len = (u32::from_le_bytes(*len) as usize).min(rest.len());
        let (body, rest) = rest.split_at(len);
        out.push((String::from_utf8_lossy(name).into_owned(), body.to_vec()));
        data = rest;
    }
    out
}

/// Opens a SOG whose files are all in memory: `files` holds `meta.json` and the images
/// it names (as `(name, bytes)`). Used by the fuzz targets.
pub fn open_in_memory(
    path: &Path,
    files: &[(String, Vec<u8>)],
    budget: &MemoryBudget,
) -> Result<SogDecoder, LoadError> {
    let find = |name: &str, max_bytes: u64| {
        let data = files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, data)| data)
            .ok_or_else(|| invalid(path, format!("`{name}` is missing")))?;
        limits::read_to_limit(data.as_slice(), max_bytes, &format!("`{name}`"))
            .map_err(limit_error(path))
    };
    let meta = find("meta.json", MAX_META_BYTES)?;
    let file_bytes = files.iter().map(|(_, data)| data.len()).sum();
    open_with(path, &meta, file_bytes, budget, find)
}

/// Parses `meta.json`, checks the load against `budget`, and decodes the images `read`
/// returns for the names it lists. `read(name, max_bytes)` must fail rather than
/// return more than `max_bytes`. `file_bytes`: what the caller holds in memory (the
/// bundle, or `meta.json`).
fn open_with(
    path: &Path,
    meta_bytes: &[u8],
    file_bytes: usize,
    budget: &MemoryBudget,
    mut read: impl FnMut(&str, u64) -> Result<Vec<u8>, LoadError>,
) -> Result<SogDecoder, LoadError> {
    if meta_bytes.len() as u64 > MAX_META_BYTES {
        return Err(limit_error(path)(LimitError::TooLong {
            what: "`meta.json`".into(),
            limit: MAX_META_BYTES,
        }));
    }
    let meta = meta::parse(path, meta_bytes)?;
    // Held while decoding: the file, the image files and their pixels (each file is
    // counted as large as its RGBA pixels: they are smaller in practice).
    let textures = meta.expected_pixels().saturating_mul(4);
    let held = (file_bytes as u64).saturating_add(textures.saturating_mul(2));
    let needed = load_peak_bytes(held, meta.count, meta.sh_degree());
    budget.check(needed).map_err(limit_error(path))?;
    let images = meta
        .images()
        .into_iter()
        .map(|(name, max_pixels)| {
            let data = read(&name, max_image_file_bytes(max_pixels))?;
            Ok((name, data, max_pixels))
        })
        .collect::<Result<Vec<_>, LoadError>>()?;
    SogDecoder::new(path, meta, images)
}

/// An image named in `meta.json` must be a plain file name beside it.
fn check_plain_name(path: &Path, name: &str) -> Result<(), LoadError> {
    let mut parts = Path::new(name).components();
    match (parts.next(), parts.next()) {
        (Some(Component::Normal(_)), None) => Ok(()),
        _ => Err(invalid(
            path,
            format!("image name `{name}` is not a plain file name"),
        )),
    }
}

/// Opens a bundled SOG: a zip holding `meta.json` and the images. Each entry is
/// inflated only up to the most bytes its scene can need (`meta.json` first, then each
/// image by the splat count `meta.json` gives), whatever sizes the zip declares.
pub fn open_bundle(
    path: &Path,
    bytes: &[u8],
    budget: &MemoryBudget,
) -> Result<SogDecoder, LoadError> {
    let bad_zip = |e: zip::result::ZipError| invalid(path, format!("bad zip archive: {e}"));
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(bad_zip)?;
    let meta_name = archive
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .filter(|n| n == "meta.json" || n.ends_with("/meta.json"))
        .min_by_key(String::len)
        .ok_or_else(|| invalid(path, "the archive holds no meta.json"))?;
    let prefix = meta_name.trim_end_matches("meta.json").to_owned();
    let mut read_entry = |name: &str, max_bytes: u64| -> Result<Vec<u8>, LoadError> {
        let entry = archive
            .by_name(name)
            .map_err(|e| invalid(path, format!("`{name}`: {e}")))?;
        limits::read_to_limit(entry, max_bytes, &format!("`{name}`")).map_err(limit_error(path))
    };
    let meta_bytes = read_entry(&meta_name, MAX_META_BYTES)?;
    open_with(path, &meta_bytes, bytes.len(), budget, |name, max_bytes| {
        read_entry(&format!("{prefix}{name}"), max_bytes)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names_must_be_plain() {
        let p = Path::new("meta.json");
        assert!(check_plain_name(p, "means_l.webp").is_ok());
        for bad in ["../x.webp", "/etc/passwd", "a/b.webp", "", "."] {
            assert!(check_plain_name(p, bad).is_err(), "{bad}");
        }
    }
}
