//! PSNR: `20 log10(1 / sqrt(MSE))` with the mean squared error taken over every RGB
//! value in 0..1, as 3DGS `utils/image_utils.py::psnr` (and `metrics.py`, which
//! averages it over the images). On 8-bit values that is `10 log10(255^2 / MSE_8bit)`.

/// Peak signal-to-noise ratio in dB between two 8-bit RGB images of the same size
/// (`f64::INFINITY` when identical; `None` when the sizes differ). Symmetric in
/// `a` and `b`.
pub fn psnr(a: &image::RgbImage, b: &image::RgbImage) -> Option<f64> {
    if a.dimensions() != b.dimensions() {
        return None;
    }
    let n = a.as_raw().len().max(1) as f64;
    let squared_error: f64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(&x, &y)| {
            let d = f64::from(x) - f64::from(y);
            d * d
        })
        .sum();
    let mse = squared_error / n;
    Some(if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0 * 255.0 / mse).log10()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psnr_values() {
        let a = image::RgbImage::from_pixel(4, 4, image::Rgb([10, 20, 30]));
        let mut b = a.clone();
        assert_eq!(psnr(&a, &b), Some(f64::INFINITY));
        b.put_pixel(0, 0, image::Rgb([11, 20, 30]));
        // mse = 1 / 48
        let expected = 10.0 * (255.0f64 * 255.0 * 48.0).log10();
        assert!((psnr(&a, &b).unwrap_or(0.0) - expected).abs() < 1e-9);
        assert_eq!(psnr(&a, &image::RgbImage::new(2, 2)), None);
    }

    #[test]
    fn matches_scikit_image_and_is_symmetric() {
        use crate::metrics::test_images::{REFERENCE_SIZE, reference_pairs, textured};
        let (w, h) = REFERENCE_SIZE;
        let a = textured(w, h);
        for (name, b, reference) in reference_pairs() {
            let ab = psnr(&a, &b).unwrap_or(0.0);
            assert!(
                (ab - reference.psnr).abs() < 1e-10,
                "{name}: {ab} vs scikit-image {}",
                reference.psnr
            );
            assert_eq!(Some(ab), psnr(&b, &a), "{name}");
        }
    }
}
