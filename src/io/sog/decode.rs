//! SOG images to splats: WebP decoding (in parallel, sizes checked before anything is
//! allocated) and the per-splat texel lookups.

use std::io::Cursor;
use std::ops::Range;
use std::path::{Path, PathBuf};

use image::ImageDecoder;

use super::meta::{MAX_WEBP_SIDE, Meta, Quant};
use super::{FORMAT, invalid, limit_error};
use crate::io::convert::{check_range, cloud_with_capacity, logit};
use crate::io::limits;
use crate::io::{LoadError, SplatDecoder};
use crate::scene::{AaHint, SplatCloud};

/// Palette entries per row of the SH centroid image.
const PALETTE_ROW: usize = 64;

/// An RGBA8 image.
struct Texture {
    width: usize,
    height: usize,
    rgba: Vec<u8>,
}

impl Texture {
    fn pixels(&self) -> usize {
        self.width * self.height
    }

    #[inline]
    fn texel(&self, i: usize) -> [u8; 4] {
        self.rgba
            .get(4 * i..4 * i + 4)
            .and_then(|s| s.try_into().ok())
            .unwrap_or([0; 4])
    }
}

/// Decodes the WebP image `name` (`data`), which may have at most `max_pixels` pixels.
/// The dimensions its header declares are checked first (a clear message), and the
/// decode itself runs within `image::Limits` of the same bound, so nothing is
/// allocated for pixels the scene cannot need.
fn decode_webp(
    path: &Path,
    name: &str,
    data: &[u8],
    max_pixels: u64,
) -> Result<Texture, LoadError> {
    let bad = |e: image::ImageError| invalid(path, format!("`{name}`: {e}"));
    let (w, h) = image::codecs::webp::WebPDecoder::new(Cursor::new(data))
        .map_err(bad)?
        .dimensions();
    let pixels = u64::from(w) * u64::from(h);
    if pixels > max_pixels {
        return Err(invalid(
            path,
            format!(
                "`{name}` claims {w}x{h} pixels; this scene's images need at most {max_pixels}"
            ),
        ));
    }
    let side = max_pixels.min(MAX_WEBP_SIDE) as u32;
    let image_limits = limits::image_limits(side, side, max_pixels.saturating_mul(4));
    let image = limits::decode_image(
        &format!("`{name}`"),
        data,
        Some(image::ImageFormat::WebP),
        image_limits,
    )
    .map_err(limit_error(path))?;
    Ok(Texture {
        width: image.width() as usize,
        height: image.height() as usize,
        rgba: image.into_rgba8().into_raw(),
    })
}

/// Decoder for a SOG scene (images decoded when opened).
pub struct SogDecoder {
    path: PathBuf,
    meta: Meta,
    count: usize,
    sh_degree: u32,
    means_lo: Texture,
    means_hi: Texture,
    scales: Texture,
    quats: Texture,
    sh0: Texture,
    /// Centroids, labels and the number of palette entries.
    sh_n: Option<(Texture, Texture, usize)>,
    tables: Tables,
}

/// The value of every code, computed once, so decoding a splat is table lookups.
struct Tables {
    /// Per axis, the position of each 16-bit code; only for scenes with more splats
    /// than codes (smaller ones compute positions directly).
    position: Option<Vec<[f32; 3]>>,
    scale: [[f32; 256]; 3],
    color: [[f32; 256]; 3],
    opacity: [f32; 256],
    sh: [f32; 256],
}

impl Tables {
    fn new(m: &Meta, count: u64) -> Self {
        let table = |f: &dyn Fn(u8) -> f32| std::array::from_fn::<f32, 256, _>(|b| f(b as u8));
        let per_channel =
            |q: &Quant| std::array::from_fn::<[f32; 256], 3, _>(|k| table(&|b| q.value(k, b)));
        let position = (count > 1 << 16).then(|| {
            (0..=u16::MAX)
                .map(|code| [0, 1, 2].map(|k| position(m, k, code)))
                .collect()
        });
        Self {
            position,
            scale: per_channel(&m.scales),
            color: per_channel(&m.sh0),
            opacity: table(&|b| match &m.sh0 {
                // Version 1 stores the logit itself.
                Quant::Lerp { .. } => m.sh0.value(3, b),
                Quant::Codebook(_) => logit(f32::from(b) / 255.0),
            }),
            sh: table(&|b| m.sh_n.as_ref().map_or(0.0, |sh| sh.quant.value(0, b))),
        }
    }
}

/// Axis `k` of the position with 16-bit code `code`: a lerp between the bounds of the
/// log-transformed positions (a zero span counts as 1), transformed back.
fn position(m: &Meta, k: usize, code: u16) -> f32 {
    let span = match m.means_max[k] - m.means_min[k] {
        0.0 => 1.0,
        s => s,
    };
    inv_log_transform(m.means_min[k] + span * f64::from(code) / 65535.0) as f32
}

impl SogDecoder {
    /// Decodes the images (`images` holds each image of `meta.images()` with its bytes
    /// and the most pixels it may have).
    pub(super) fn new(
        path: &Path,
        meta: Meta,
        images: Vec<(String, Vec<u8>, u64)>,
    ) -> Result<Self, LoadError> {
        let decoded: Vec<Result<Texture, LoadError>> = std::thread::scope(|s| {
            let handles: Vec<_> = images
                .iter()
                .map(|(name, data, max_pixels)| {
                    s.spawn(move || decode_webp(path, name, data, *max_pixels))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(invalid(path, "an image decoder thread panicked")))
                })
                .collect()
        });
        let mut textures = decoded.into_iter();
        let mut next = || {
            textures
                .next()
                .unwrap_or_else(|| Err(invalid(path, "an image is missing")))
        };
        let means_lo = next()?;
        let means_hi = next()?;
        let scales = next()?;
        let quats = next()?;
        let sh0 = next()?;
        let count = meta.count;
        for (t, name) in [
            (&means_lo, &meta.means_lo),
            (&means_hi, &meta.means_hi),
            (&scales, &meta.scales_file),
            (&quats, &meta.quats_file),
            (&sh0, &meta.sh0_file),
        ] {
            if (t.pixels() as u64) < count {
                return Err(invalid(
                    path,
                    format!("`{name}` has {} pixels for {count} splats", t.pixels()),
                ));
            }
        }
        let (sh_n, sh_degree) = match &meta.sh_n {
            None => (None, 0),
            Some(sh) => {
                let centroids = next()?;
                let labels = next()?;
                if (labels.pixels() as u64) < count {
                    return Err(invalid(
                        path,
                        format!(
                            "`{}` has {} pixels for {count} splats",
                            sh.labels,
                            labels.pixels()
                        ),
                    ));
                }
                // Version 1 gives no band count: the centroid row width tells it.
                let bands = match sh.bands {
                    Some(b) => b,
                    None => match centroids.width {
                        192 => 1,
                        512 => 2,
                        960 => 3,
                        w => return Err(invalid(path, format!("SH centroid image width {w}"))),
                    },
                };
                let coeffs = ((bands + 1) * (bands + 1) - 1) as usize;
                if bands > 0 && centroids.width != PALETTE_ROW * coeffs {
                    return Err(invalid(
                        path,
                        format!(
                            "SH centroid image width {}; {bands} bands need {}",
                            centroids.width,
                            PALETTE_ROW * coeffs
                        ),
                    ));
                }
                let palette = sh
                    .palette
                    .unwrap_or(usize::MAX)
                    .min(PALETTE_ROW * centroids.height);
                (Some((centroids, labels, palette)), bands)
            }
        };
        Ok(Self {
            path: path.to_owned(),
            tables: Tables::new(&meta, count),
            count: count as usize,
            sh_degree,
            meta,
            means_lo,
            means_hi,
            scales,
            quats,
            sh0,
            sh_n: if sh_degree > 0 { sh_n } else { None },
        })
    }
}

/// Inverse of the position transform `sign(x) * ln(|x| + 1)`.
#[inline]
fn inv_log_transform(v: f64) -> f64 {
    v.signum() * (v.abs().exp() - 1.0)
}

/// Smallest-three quaternion texel: `r g b` are the three smaller components scaled by
/// sqrt(2) into 0..255, `a` is 252 + the index (w, x, y, z order) of the largest one.
/// Returns (w, x, y, z); an invalid tag gives the identity.
fn unpack_quat(t: [u8; 4]) -> [f32; 4] {
    let Some(largest) = t[3].checked_sub(252).map(usize::from).filter(|&m| m < 4) else {
        return [1.0, 0.0, 0.0, 0.0];
    };
    let mut q = [0.0f32; 4];
    let mut sum = 0.0;
    let mut k = 0;
    for (i, v) in q.iter_mut().enumerate() {
        if i != largest {
            *v = (f32::from(t[k]) / 255.0 * 2.0 - 1.0) * std::f32::consts::FRAC_1_SQRT_2;
            sum += *v * *v;
            k += 1;
        }
    }
    q[largest] = (1.0 - sum).max(0.0).sqrt();
    q
}

impl SplatDecoder for SogDecoder {
    fn format(&self) -> crate::io::SceneFormat {
        FORMAT
    }
    fn len(&self) -> usize {
        self.count
    }
    fn sh_degree(&self) -> u32 {
        self.sh_degree
    }
    fn held_bytes(&self) -> u64 {
        let mut textures = vec![
            &self.means_lo,
            &self.means_hi,
            &self.scales,
            &self.quats,
            &self.sh0,
        ];
        if let Some((centroids, labels, _)) = &self.sh_n {
            textures.extend([centroids, labels]);
        }
        textures.iter().map(|t| t.rgba.len() as u64).sum()
    }
    fn decode(&self, range: Range<usize>) -> Result<SplatCloud, LoadError> {
        check_range(&self.path, FORMAT, &range, self.count)?;
        let (m, t) = (&self.meta, &self.tables);
        let mut cloud = cloud_with_capacity(range.len(), self.sh_degree, &AaHint::default());
        let coeffs = cloud.rest_coeffs_per_splat();
        for i in range {
            let lo = self.means_lo.texel(i);
            let hi = self.means_hi.texel(i);
            let code = |k: usize| u16::from(lo[k]) | (u16::from(hi[k]) << 8);
            cloud.positions.push(match &t.position {
                Some(table) => [0, 1, 2].map(|k| table[usize::from(code(k))][k]),
                None => [0, 1, 2].map(|k| position(m, k, code(k))),
            });
            let s = self.scales.texel(i);
            cloud
                .log_scales
                .push([0, 1, 2].map(|k| t.scale[k][usize::from(s[k])]));
            cloud.rotations.push(unpack_quat(self.quats.texel(i)));
            let c = self.sh0.texel(i);
            cloud
                .sh_dc
                .push([0, 1, 2].map(|k| t.color[k][usize::from(c[k])]));
            cloud.opacity_logits.push(t.opacity[usize::from(c[3])]);
            if let Some((centroids, labels, palette)) = &self.sh_n {
                let l = labels.texel(i);
                let label = usize::from(l[0]) | (usize::from(l[1]) << 8);
                let row = label / PALETTE_ROW;
                let col = (label % PALETTE_ROW) * coeffs;
                for j in 0..coeffs {
                    if label < *palette && row < centroids.height {
                        let texel = centroids.texel(row * centroids.width + col + j);
                        cloud
                            .sh_rest
                            .extend([0, 1, 2].map(|ch| t.sh[usize::from(texel[ch])]));
                    } else {
                        cloud.sh_rest.extend([0.0; 3]);
                    }
                }
            }
        }
        Ok(cloud)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quaternion_tags() {
        assert_eq!(unpack_quat([0, 0, 0, 17]), [1.0, 0.0, 0.0, 0.0]);
        let q = unpack_quat([128, 128, 128, 252]);
        assert!((q[0] - 1.0).abs() < 1e-3, "{q:?}");
        let q = unpack_quat([255, 128, 128, 255]);
        // w = first packed value (+1/sqrt2), z largest.
        assert!(
            (q[0] - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-3,
            "{q:?}"
        );
        assert!(q[3] > 0.6, "{q:?}");
    }

    #[test]
    fn log_transform_inverts() {
        for x in [-3.0f64, -0.5, 0.0, 0.25, 7.0] {
            let t = x.signum() * (x.abs() + 1.0).ln();
            assert!((inv_log_transform(t) - x).abs() < 1e-12);
        }
    }
}
