//! NVIDIA FLIP for LDR images (Andersson et al., "FLIP: A Difference Evaluator for
//! Alternating Images", HPG 2020; https://github.com/NVlabs/flip), through the
//! `nv-flip` crate, which builds NVIDIA's C++ implementation. Images are sRGB in
//! 0..1; the viewing condition is FLIP's default of 67 pixels per degree (a 0.7 m
//! wide 4K monitor seen from 0.7 m). The score is the mean of the per-pixel error
//! map, which lies in 0..1. The tests check it against NVIDIA's Python FLIP
//! (`flip-evaluator` 1.7): the C++ sources vendored in `nv-flip-sys` 0.1.1 agree
//! with it to 2.2e-5 on the test pairs.

use super::{ErrorMap, MetricsError, check_comparable};

/// FLIP's per-pixel error map of `test` against `reference` (same size, not empty).
pub fn flip_error_map(
    reference: &image::RgbImage,
    test: &image::RgbImage,
) -> Result<ErrorMap, MetricsError> {
    check_comparable(reference, test)?;
    let (width, height) = reference.dimensions();
    let to_flip =
        |image: &image::RgbImage| nv_flip::FlipImageRgb8::with_data(width, height, image.as_raw());
    let map = nv_flip::flip(
        to_flip(reference),
        to_flip(test),
        nv_flip::DEFAULT_PIXELS_PER_DEGREE,
    );
    Ok(ErrorMap {
        width,
        height,
        values: map.to_vec(),
    })
}

/// Mean FLIP error of `test` against `reference`.
pub fn flip(reference: &image::RgbImage, test: &image::RgbImage) -> Result<f64, MetricsError> {
    Ok(flip_error_map(reference, test)?.mean())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::test_images::{REFERENCE_SIZE, reference_pairs, textured};

    #[test]
    fn matches_nvidia_python_flip_and_is_symmetric() {
        let (w, h) = REFERENCE_SIZE;
        let a = textured(w, h);
        for (name, b, reference) in reference_pairs() {
            let ab = flip(&a, &b).expect("same size");
            let ba = flip(&b, &a).expect("same size");
            eprintln!("{name}: {ab} vs NVIDIA's Python FLIP {}", reference.flip);
            assert!(
                (ab - reference.flip).abs() < 1e-4,
                "{name}: {ab} vs NVIDIA's {}",
                reference.flip
            );
            assert!((ab - ba).abs() < 1e-6, "{name}: {ab} vs swapped {ba}");
        }
        let map = flip_error_map(&a, &a).expect("same size");
        assert_eq!(
            (map.width, map.height, map.values.len()),
            (w, h, (w * h) as usize)
        );
        assert_eq!(map.mean(), 0.0);
    }

    #[test]
    fn size_mismatch_is_an_error_not_a_panic() {
        let a = image::RgbImage::new(8, 8);
        let b = image::RgbImage::new(8, 9);
        assert!(matches!(
            flip(&a, &b),
            Err(MetricsError::SizeMismatch { .. })
        ));
    }
}
