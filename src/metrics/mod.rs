//! Image comparison metrics, defined as in the papers' evaluation code so that the
//! numbers are comparable with published ones (see docs/COMPARE.md):
//!
//! - [`psnr`]: PSNR over RGB in 0..1, as 3DGS `utils/image_utils.py::psnr`;
//! - [`ssim`]: SSIM as 3DGS `utils/loss_utils.py::ssim` (11-tap Gaussian, sigma 1.5,
//!   zero padding, mean of the map);
//! - [`flip`]: NVIDIA FLIP for LDR images, through the `nv-flip` crate (NVIDIA's C++
//!   implementation);
//! - [`heatmap`]: per-pixel error maps as images, with a colour legend.
//!
//! All of them take 8-bit sRGB-encoded RGB images, the form renders and photos are
//! measured in (3DGS rounds renders to 8 bits before measuring).

pub mod flip;
pub mod heatmap;
mod legend;
pub mod psnr;
pub mod ssim;
#[cfg(test)]
mod test_images;

pub use heatmap::ErrorMap;
pub use psnr::psnr;
pub use ssim::{SsimMap, ssim};

/// Why two images cannot be compared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetricsError {
    #[error(
        "the images differ in size: {}x{} against {}x{}; metrics compare images of the same size",
        .first.0, .first.1, .second.0, .second.1
    )]
    SizeMismatch {
        first: (u32, u32),
        second: (u32, u32),
    },
    #[error("the images are empty (0 pixels); metrics need at least one pixel")]
    Empty,
}

/// Checks that `a` and `b` can be compared: same size, not empty.
pub fn check_comparable(a: &image::RgbImage, b: &image::RgbImage) -> Result<(), MetricsError> {
    if a.dimensions() != b.dimensions() {
        return Err(MetricsError::SizeMismatch {
            first: a.dimensions(),
            second: b.dimensions(),
        });
    }
    if a.width() == 0 || a.height() == 0 {
        return Err(MetricsError::Empty);
    }
    Ok(())
}

/// PSNR (dB), SSIM and mean FLIP of one image pair.
///
/// Serialized with serde_json, an infinite PSNR (identical images) becomes `null`:
/// serde_json writes non-finite floats as `null`.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct ImageMetrics {
    pub psnr: f64,
    pub ssim: f64,
    pub flip: f64,
}

/// The metrics of one pair with FLIP's error map, which callers often draw.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub metrics: ImageMetrics,
    pub flip_map: ErrorMap,
}

/// All three metrics of `test` against `reference` (the photo, or image A). Each
/// metric is symmetric in its two images; the order only matters for FLIP's
/// definition, which names them reference and test.
pub fn measure(
    reference: &image::RgbImage,
    test: &image::RgbImage,
) -> Result<ImageMetrics, MetricsError> {
    Ok(compare(reference, test)?.metrics)
}

/// [`measure`], keeping FLIP's per-pixel error map.
pub fn compare(
    reference: &image::RgbImage,
    test: &image::RgbImage,
) -> Result<Comparison, MetricsError> {
    check_comparable(reference, test)?;
    let psnr = psnr(reference, test).ok_or(MetricsError::SizeMismatch {
        first: reference.dimensions(),
        second: test.dimensions(),
    })?;
    let ssim = ssim::ssim_map(reference, test)?.mean();
    let flip_map = flip::flip_error_map(reference, test)?;
    Ok(Comparison {
        metrics: ImageMetrics {
            psnr,
            ssim,
            flip: flip_map.mean(),
        },
        flip_map,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_images_json_has_null_psnr() {
        let a =
            image::RgbImage::from_fn(16, 12, |x, y| image::Rgb([x as u8 * 9, y as u8 * 13, 77]));
        let m = measure(&a, &a).expect("same size");
        assert_eq!(m.psnr, f64::INFINITY);
        assert!((m.ssim - 1.0).abs() < 1e-12, "{}", m.ssim);
        assert_eq!(m.flip, 0.0);
        let json = serde_json::to_value(m).expect("serializes");
        assert_eq!(json["psnr"], serde_json::Value::Null);
        assert_eq!(json["flip"], serde_json::json!(0.0));
    }

    #[test]
    fn size_mismatch_and_empty_are_errors() {
        let a = image::RgbImage::new(4, 3);
        let b = image::RgbImage::new(3, 4);
        let err = measure(&a, &b).expect_err("sizes differ");
        assert_eq!(
            err,
            MetricsError::SizeMismatch {
                first: (4, 3),
                second: (3, 4)
            }
        );
        assert!(err.to_string().contains("4x3 against 3x4"), "{err}");
        let empty = image::RgbImage::new(0, 5);
        assert_eq!(measure(&empty, &empty), Err(MetricsError::Empty));
    }

    /// CPU cost of each metric at 1280x720 (docs/COMPARE.md). Run with
    /// `cargo test --lib metrics_cost -- --ignored --nocapture`.
    #[test]
    #[ignore = "a measurement, not a check"]
    fn metrics_cost_1280x720() {
        use std::time::Instant;
        let a = test_images::textured(1280, 720);
        let b = test_images::noisy(1280, 720);
        let time = |name: &str, f: &dyn Fn()| {
            f();
            let started = Instant::now();
            for _ in 0..3 {
                f();
            }
            println!(
                "{name}: {:.1} ms",
                started.elapsed().as_secs_f64() * 1000.0 / 3.0
            );
        };
        time("psnr", &|| {
            std::hint::black_box(psnr(&a, &b));
        });
        time("ssim", &|| {
            std::hint::black_box(ssim(&a, &b).ok());
        });
        time("flip", &|| {
            std::hint::black_box(flip::flip(&a, &b).ok());
        });
        time("abs difference map + image", &|| {
            std::hint::black_box(
                heatmap::abs_difference(&a, &b)
                    .map(|m| m.to_image(0.2))
                    .ok(),
            );
        });
    }
}
