//! SOG `meta.json`, versions 1 and 2, parsed and checked into [`Meta`].

use std::path::Path;

use serde::Deserialize;

use super::invalid;
use crate::io::LoadError;

/// How the bytes of an image map to values.
#[derive(Clone, Debug)]
pub(super) enum Quant {
    /// Version 2: the byte indexes a codebook.
    Codebook(Vec<f32>),
    /// Version 1: per channel, `min + (max - min) * byte / 255`.
    Lerp { mins: Vec<f32>, maxs: Vec<f32> },
}

impl Quant {
    /// The value of `byte` in channel `channel`.
    #[inline]
    pub(super) fn value(&self, channel: usize, byte: u8) -> f32 {
        match self {
            Quant::Codebook(book) => book.get(usize::from(byte)).copied().unwrap_or(0.0),
            Quant::Lerp { mins, maxs } => {
                let lo = mins.get(channel).copied().unwrap_or(0.0);
                let hi = maxs.get(channel).copied().unwrap_or(0.0);
                lo + (hi - lo) * (f32::from(byte) / 255.0)
            }
        }
    }
}

/// Higher-order SH: a label image indexes a palette of centroids (one texel per
/// coefficient, 64 palette entries per image row).
#[derive(Clone, Debug)]
pub(super) struct ShN {
    /// Palette entries (version 2: `count`; version 1: all the image holds).
    pub palette: Option<usize>,
    /// SH degree (version 2: `bands`; version 1: from the centroid image width).
    pub bands: Option<u32>,
    /// One channel for all values (version 1 `mins`/`maxs` are scalars).
    pub quant: Quant,
    pub centroids: String,
    pub labels: String,
}

/// A checked `meta.json`.
#[derive(Clone, Debug)]
pub(super) struct Meta {
    pub count: u64,
    /// Bounds of the log-transformed positions (`sign(x) * ln(|x| + 1)`).
    pub means_min: [f64; 3],
    pub means_max: [f64; 3],
    pub means_lo: String,
    pub means_hi: String,
    pub scales: Quant,
    pub scales_file: String,
    pub quats_file: String,
    /// Colour (channels 0-2) and, in version 1, opacity logit (channel 3).
    pub sh0: Quant,
    pub sh0_file: String,
    pub sh_n: Option<ShN>,
}

/// Longest side of a WebP image (14-bit dimensions, RFC 9649).
pub(super) const MAX_WEBP_SIDE: u64 = 16384;
/// Fewest pixels a per-splat image may always have: writers may use a fixed size, and
/// 1024 x 1024 RGBA is 4 MiB.
const MIN_PER_SPLAT_PIXEL_LIMIT: u64 = 1 << 20;
/// Most pixels of the SH centroid image: 64 palette entries per row, at most 15
/// coefficients each, at most 65,536 entries (16-bit labels), so 1024 rows.
const CENTROID_PIXEL_LIMIT: u64 = 64 * 15 * 1024;

/// Most pixels a per-splat image of a scene of `count` splats may have. The spec only
/// asks for `count <= width * height`; splat-transform lays `count` out as a
/// near-square of multiples of 4 (a few rows over). Twice the count, or 1024 x 1024,
/// allows any sensible layout and bounds what a small scene can make us decode.
pub(super) fn per_splat_pixel_limit(count: u64) -> u64 {
    count.saturating_mul(2).max(MIN_PER_SPLAT_PIXEL_LIMIT)
}

impl Meta {
    /// Every image the scene needs, with the most pixels it may legitimately have.
    pub(super) fn images(&self) -> Vec<(String, u64)> {
        let per_splat = per_splat_pixel_limit(self.count);
        let mut images: Vec<(String, u64)> = [
            &self.means_lo,
            &self.means_hi,
            &self.scales_file,
            &self.quats_file,
            &self.sh0_file,
        ]
        .into_iter()
        .map(|name| (name.clone(), per_splat))
        .collect();
        if let Some(sh) = &self.sh_n {
            images.push((sh.centroids.clone(), CENTROID_PIXEL_LIMIT));
            images.push((sh.labels.clone(), per_splat));
        }
        images
    }

    /// The SH degree the scene decodes to (version 1 gives it only through the centroid
    /// image: assume the largest).
    pub(super) fn sh_degree(&self) -> u32 {
        self.sh_n.as_ref().map_or(0, |sh| sh.bands.unwrap_or(3))
    }

    /// Pixels the images of this scene are expected to have: `count` per per-splat
    /// image and the centroids the palette needs (for the memory estimate).
    pub(super) fn expected_pixels(&self) -> u64 {
        let per_splat_images = if self.sh_n.is_some() { 6 } else { 5 };
        let centroids = self.sh_n.as_ref().map_or(0, |sh| {
            let coeffs = sh.bands.map_or(15, |b| (b + 1) * (b + 1) - 1);
            let rows = sh.palette.unwrap_or(1 << 16).div_ceil(64).min(1024) as u64;
            64 * u64::from(coeffs) * rows
        });
        self.count
            .saturating_mul(per_splat_images)
            .saturating_add(centroids)
    }
}

#[derive(Deserialize)]
struct RawMeta {
    version: Option<u32>,
    count: Option<u64>,
    means: RawMeans,
    scales: RawAttr,
    quats: RawAttr,
    sh0: RawAttr,
    #[serde(rename = "shN")]
    sh_n: Option<RawShN>,
}

#[derive(Deserialize)]
struct RawMeans {
    shape: Option<Vec<u64>>,
    mins: Vec<f64>,
    maxs: Vec<f64>,
    files: Vec<String>,
}

#[derive(Deserialize)]
struct RawAttr {
    codebook: Option<Vec<f32>>,
    mins: Option<Vec<f32>>,
    maxs: Option<Vec<f32>>,
    files: Vec<String>,
}

#[derive(Deserialize)]
struct RawShN {
    count: Option<u64>,
    bands: Option<u32>,
    codebook: Option<Vec<f32>>,
    mins: Option<f32>,
    maxs: Option<f32>,
    files: Vec<String>,
}

fn file(path: &Path, files: &[String], i: usize, what: &str) -> Result<String, LoadError> {
    files
        .get(i)
        .cloned()
        .ok_or_else(|| invalid(path, format!("`{what}.files` lists {} images", files.len())))
}

fn quant(
    path: &Path,
    a: &RawAttr,
    version: u32,
    channels: usize,
    what: &str,
) -> Result<Quant, LoadError> {
    if version >= 2 {
        let book = a
            .codebook
            .clone()
            .ok_or_else(|| invalid(path, format!("`{what}` has no codebook")))?;
        if book.is_empty() || book.len() > 256 {
            return Err(invalid(
                path,
                format!("`{what}.codebook` has {} entries", book.len()),
            ));
        }
        Ok(Quant::Codebook(book))
    } else {
        match (&a.mins, &a.maxs) {
            (Some(mins), Some(maxs)) if mins.len() >= channels && maxs.len() >= channels => {
                Ok(Quant::Lerp {
                    mins: mins.clone(),
                    maxs: maxs.clone(),
                })
            }
            _ => Err(invalid(
                path,
                format!("`{what}` needs {channels} `mins` and `maxs`"),
            )),
        }
    }
}

fn three(path: &Path, v: &[f64], what: &str) -> Result<[f64; 3], LoadError> {
    match v {
        [a, b, c, ..] => Ok([*a, *b, *c]),
        _ => Err(invalid(path, format!("`{what}` needs 3 values"))),
    }
}

/// Parses and checks `meta.json`.
pub(super) fn parse(path: &Path, bytes: &[u8]) -> Result<Meta, LoadError> {
    let raw: RawMeta =
        serde_json::from_slice(bytes).map_err(|e| invalid(path, format!("meta.json: {e}")))?;
    let version = raw.version.unwrap_or(1);
    if version > 2 {
        return Err(LoadError::unsupported(
            path,
            super::FORMAT,
            format!("meta.json version {version}"),
        ));
    }
    let count = if version >= 2 {
        raw.count
    } else {
        raw.means.shape.as_ref().and_then(|s| s.first().copied())
    }
    .ok_or_else(|| invalid(path, "meta.json gives no splat count"))?;
    if count > MAX_WEBP_SIDE * MAX_WEBP_SIDE {
        return Err(invalid(
            path,
            format!(
                "meta.json declares {count} splats; a WebP image holds at most {} pixels",
                MAX_WEBP_SIDE * MAX_WEBP_SIDE
            ),
        ));
    }

    let sh_n = match &raw.sh_n {
        None => None,
        Some(s) => Some(ShN {
            palette: s.count.map(|c| c.min(usize::MAX as u64) as usize),
            bands: s.bands,
            quant: if version >= 2 {
                quant(
                    path,
                    &RawAttr {
                        codebook: s.codebook.clone(),
                        mins: None,
                        maxs: None,
                        files: Vec::new(),
                    },
                    version,
                    1,
                    "shN",
                )?
            } else {
                match (s.mins, s.maxs) {
                    (Some(lo), Some(hi)) => Quant::Lerp {
                        mins: vec![lo],
                        maxs: vec![hi],
                    },
                    _ => return Err(invalid(path, "`shN` needs `mins` and `maxs`")),
                }
            },
            centroids: file(path, &s.files, 0, "shN")?,
            labels: file(path, &s.files, 1, "shN")?,
        }),
    };
    if sh_n.as_ref().and_then(|s| s.bands).is_some_and(|b| b > 3) {
        return Err(invalid(path, "`shN.bands` above 3"));
    }

    Ok(Meta {
        count,
        means_min: three(path, &raw.means.mins, "means.mins")?,
        means_max: three(path, &raw.means.maxs, "means.maxs")?,
        means_lo: file(path, &raw.means.files, 0, "means")?,
        means_hi: file(path, &raw.means.files, 1, "means")?,
        scales: quant(path, &raw.scales, version, 3, "scales")?,
        scales_file: file(path, &raw.scales.files, 0, "scales")?,
        quats_file: file(path, &raw.quats.files, 0, "quats")?,
        sh0: quant(path, &raw.sh0, version, 4, "sh0")?,
        sh0_file: file(path, &raw.sh0.files, 0, "sh0")?,
        sh_n,
    })
}
