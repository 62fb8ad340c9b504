//! Conversions every loader shares: from linear colour, opacity and scale to the 3DGS
//! parameterisation of `SplatCloud`, little-endian field access, and range checks.

use std::ops::Range;
use std::path::Path;

use super::{LoadError, SceneFormat};
use crate::scene::{AaHint, SplatCloud};

/// Degree-0 SH basis constant (3DGS `sh_utils.py`: `C0`).
pub(crate) const SH_C0: f32 = 0.282_094_8;

/// The DC coefficient whose colour is `c` (0..1, may stray a little outside).
#[inline]
pub(crate) fn dc_from_color(c: f32) -> f32 {
    (c - 0.5) / SH_C0
}

/// Inverse sigmoid of an opacity in 0..=1, without clamping: 1 gives +inf and 0 gives
/// -inf, which is what such a file says (the renderer's sigmoid maps them back to 1 and
/// 0).
#[inline]
pub(crate) fn logit(a: f32) -> f32 {
    (a / (1.0 - a)).ln()
}

/// Natural log of a linear scale. Zero or negative scales (an f16 that underflowed)
/// become the log of the smallest normal f32, so every log scale stays finite; NaN stays
/// NaN.
#[inline]
pub(crate) fn log_scale(s: f32) -> f32 {
    if s > 0.0 {
        s.ln()
    } else if s.is_nan() {
        s
    } else {
        f32::MIN_POSITIVE.ln()
    }
}

/// An IEEE half float, as stored by `.ksplat` and SPZ v1.
#[inline]
pub(crate) fn f16_to_f32(bits: u16) -> f32 {
    half::f16::from_bits(bits).to_f32()
}

/// `N` bytes at `at`, or `None` past the end.
#[inline]
fn bytes_at<const N: usize>(b: &[u8], at: usize) -> Option<[u8; N]> {
    b.get(at..at.checked_add(N)?)?.try_into().ok()
}

/// Little-endian readers that return 0 past the end of `b` (callers check sizes first;
/// this keeps them panic-free anyway).
#[inline]
pub(crate) fn u16_at(b: &[u8], at: usize) -> u16 {
    bytes_at(b, at).map_or(0, u16::from_le_bytes)
}

#[inline]
pub(crate) fn u32_at(b: &[u8], at: usize) -> u32 {
    bytes_at(b, at).map_or(0, u32::from_le_bytes)
}

#[inline]
pub(crate) fn u64_at(b: &[u8], at: usize) -> u64 {
    bytes_at(b, at).map_or(0, u64::from_le_bytes)
}

#[inline]
pub(crate) fn f32_at(b: &[u8], at: usize) -> f32 {
    f32::from_bits(u32_at(b, at))
}

/// An empty cloud with room for `n` splats.
pub(crate) fn cloud_with_capacity(n: usize, sh_degree: u32, hint: &AaHint) -> SplatCloud {
    let mut cloud = SplatCloud::new(sh_degree);
    cloud.set_aa_hint(hint.clone());
    cloud.reserve(n);
    cloud
}

/// Bakes Mip-Splatting's 3D filter of size `filter` (a world-space standard
/// deviation, the PLY property `filter_3D`) into one splat's log scales and
/// opacity logit, as Mip-Splatting's `get_scaling_with_3D_filter` and
/// `get_opacity_with_3D_filter` do at render time (autonomousvision/mip-splatting
/// `scene/gaussian_model.py`): each scale becomes s' = sqrt(s² + f²), and the
/// opacity is multiplied by sqrt(∏ s² / ∏ (s² + f²)), so the smoothed Gaussian
/// keeps its integral. Computed in f64 with exactly those formulas. Non-finite
/// inputs pass through the arithmetic unchanged in kind (NaN stays NaN, and the
/// renderer culls it).
pub(crate) fn bake_filter_3d(
    log_scales: [f32; 3],
    opacity_logit: f32,
    filter: f32,
) -> ([f32; 3], f32) {
    let f = f64::from(filter);
    let squared = log_scales.map(|l| {
        let s = f64::from(l).exp();
        s * s
    });
    let widened = squared.map(|s2| s2 + f * f);
    let coef = (squared.iter().product::<f64>() / widened.iter().product::<f64>()).sqrt();
    let opacity = 1.0 / (1.0 + (-f64::from(opacity_logit)).exp()) * coef;
    let logit = (opacity / (1.0 - opacity)).ln();
    (widened.map(|w| w.sqrt().ln() as f32), logit as f32)
}

/// Fails unless `range` lies within `0..len`.
pub(crate) fn check_range(
    path: &Path,
    format: SceneFormat,
    range: &Range<usize>,
    len: usize,
) -> Result<(), LoadError> {
    if range.start > range.end || range.end > len {
        return Err(LoadError::invalid(
            path,
            format,
            format!(
                "splat range {}..{} requested from a scene of {len} splats",
                range.start, range.end
            ),
        ));
    }
    Ok(())
}

/// The splats `range` of `cloud`, as a new cloud (range already checked).
pub(crate) fn slice_cloud(cloud: &SplatCloud, range: Range<usize>) -> SplatCloud {
    let rest = cloud.rest_coeffs_per_splat() * 3;
    SplatCloud {
        positions: cloud.positions[range.clone()].to_vec(),
        log_scales: cloud.log_scales[range.clone()].to_vec(),
        rotations: cloud.rotations[range.clone()].to_vec(),
        opacity_logits: cloud.opacity_logits[range.clone()].to_vec(),
        sh_dc: cloud.sh_dc[range.clone()].to_vec(),
        sh_rest: cloud.sh_rest[range.start * rest..range.end * rest].to_vec(),
        sh_degree: cloud.sh_degree,
        aa_hint: cloud.aa_hint.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activations_invert() {
        assert_eq!(logit(1.0), f32::INFINITY);
        assert_eq!(logit(0.0), f32::NEG_INFINITY);
        assert!(logit(0.5).abs() < 1e-7);
        assert!((dc_from_color(0.5 + SH_C0) - 1.0).abs() < 1e-6);
        assert!(log_scale(0.0).is_finite());
        assert!(log_scale(-1.0).is_finite());
        assert!((log_scale(1.0)).abs() < 1e-7);
        assert!(log_scale(f32::NAN).is_nan());
    }

    #[test]
    fn filter_3d_widens_and_keeps_the_integral() {
        let sigmoid = |x: f32| 1.0 / (1.0 + (-f64::from(x)).exp());
        // A zero filter changes nothing.
        let (ls, logit) = bake_filter_3d([-1.0, 0.5, -3.0], 0.7, 0.0);
        assert!(
            ls.iter()
                .zip([-1.0f32, 0.5, -3.0])
                .all(|(a, b)| (a - b).abs() < 1e-6)
        );
        assert!((logit - 0.7).abs() < 1e-6);
        // s = e^-2 = 0.1353 on every axis, f = 0.1: s' = sqrt(s² + f²) = 0.1682,
        // opacity x (s / s')³ = 0.5 x 0.5203.
        let s = (-2.0f64).exp();
        let (ls, logit) = bake_filter_3d([-2.0; 3], 0.0, 0.1);
        let widened = (s * s + 0.01f64).sqrt();
        for l in ls {
            assert!((f64::from(l) - widened.ln()).abs() < 1e-6, "{l}");
        }
        let expected = 0.5 * (s / widened).powi(3);
        assert!(
            (sigmoid(logit) - expected).abs() < 1e-6,
            "{}",
            sigmoid(logit)
        );
        // Integral of opacity x Gaussian, ∝ opacity x s0 s1 s2, is unchanged.
        let before = 0.5 * s.powi(3);
        let after = sigmoid(logit) * widened.powi(3);
        assert!((before - after).abs() < 1e-9);
        // Fully opaque splats stay finite once filtered.
        let (_, logit) = bake_filter_3d([-2.0; 3], f32::INFINITY, 0.1);
        assert!(logit.is_finite());
    }

    #[test]
    fn readers_never_panic_past_the_end() {
        let b = [1u8, 2, 3];
        assert_eq!(u16_at(&b, 0), 0x0201);
        assert_eq!(u16_at(&b, 2), 0);
        assert_eq!(u32_at(&b, 0), 0);
        assert_eq!(u64_at(&b, usize::MAX - 3), 0);
        assert_eq!(f16_to_f32(0x3c00), 1.0);
    }
}
