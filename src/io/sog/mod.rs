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

use std::io::{Cursor, Read};
use std::path::{Component, Path};

pub use decode::SogDecoder;

use super::{LoadError, SceneFormat};

const FORMAT: SceneFormat = SceneFormat::Sog;

/// Largest believable deflate ratio: bounds what a zip entry may inflate to.
const MAX_INFLATE_RATIO: u64 = 1032;

fn invalid(path: &Path, reason: impl Into<String>) -> LoadError {
    LoadError::invalid(path, FORMAT, reason)
}

/// Opens an unbundled SOG from its `meta.json` (content `bytes`), reading the images
/// named there from the directory that holds `path`.
pub fn open_meta(path: &Path, bytes: &[u8]) -> Result<SogDecoder, LoadError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    open_with(path, bytes, |name| {
        check_plain_name(path, name)?;
        let file = dir.join(name);
        std::fs::read(&file).map_err(|source| LoadError::Io { path: file, source })
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
pub fn open_in_memory(path: &Path, files: &[(String, Vec<u8>)]) -> Result<SogDecoder, LoadError> {
    let find = |name: &str| {
        files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, data)| data.clone())
            .ok_or_else(|| invalid(path, format!("`{name}` is missing")))
    };
    let meta = find("meta.json")?;
    open_with(path, &meta, find)
}

/// Parses `meta.json` and decodes the images `read` returns for the names it lists.
fn open_with(
    path: &Path,
    meta_bytes: &[u8],
    mut read: impl FnMut(&str) -> Result<Vec<u8>, LoadError>,
) -> Result<SogDecoder, LoadError> {
    let meta = meta::parse(path, meta_bytes)?;
    let files = meta
        .files()
        .into_iter()
        .map(|name| {
            let data = read(&name)?;
            Ok((name, data))
        })
        .collect::<Result<Vec<_>, LoadError>>()?;
    SogDecoder::new(path, meta, files)
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

/// Opens a bundled SOG: a zip holding `meta.json` and the images.
pub fn open_bundle(path: &Path, bytes: &[u8]) -> Result<SogDecoder, LoadError> {
    let bad_zip = |e: zip::result::ZipError| invalid(path, format!("bad zip archive: {e}"));
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(bad_zip)?;
    let limit = (bytes.len() as u64).saturating_mul(MAX_INFLATE_RATIO);
    let meta_name = archive
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .filter(|n| n == "meta.json" || n.ends_with("/meta.json"))
        .min_by_key(String::len)
        .ok_or_else(|| invalid(path, "the archive holds no meta.json"))?;
    let prefix = meta_name.trim_end_matches("meta.json").to_owned();
    let mut read_entry = |name: &str| -> Result<Vec<u8>, LoadError> {
        let entry = archive
            .by_name(name)
            .map_err(|e| invalid(path, format!("`{name}`: {e}")))?;
        let mut data = Vec::with_capacity(entry.size().min(limit).min(1 << 24) as usize);
        entry
            .take(limit)
            .read_to_end(&mut data)
            .map_err(|e| invalid(path, format!("cannot unzip `{name}`: {e}")))?;
        Ok(data)
    };
    let meta_bytes = read_entry(&meta_name)?;
    open_with(path, &meta_bytes, |name| {
        read_entry(&format!("{prefix}{name}"))
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
