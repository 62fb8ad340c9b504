use super::*;
use crate::metrics::test_images::{REFERENCE_SIZE, reference_pairs, textured};

#[test]
fn window_is_the_normalised_gaussian() {
    let w = gaussian_window();
    assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-15);
    assert_eq!(w[0], w[10]);
    // exp(-25 / 4.5) relative to the centre tap.
    assert!((w[0] / w[5] - (-25.0f64 / 4.5).exp()).abs() < 1e-15);
}

#[test]
fn matches_the_3dgs_definition_and_scikit_image() {
    let (w, h) = REFERENCE_SIZE;
    let a = textured(w, h);
    for (name, b, reference) in reference_pairs() {
        let map = ssim_map(&a, &b).expect("same size");
        let full = map.mean();
        assert!(
            (full - reference.ssim_full).abs() < 1e-12,
            "{name}: full map {full} vs 3DGS transcription {}",
            reference.ssim_full
        );
        let interior = map.mean_inside(5);
        assert!(
            (interior - reference.ssim_interior).abs() < 1e-12,
            "{name}: interior {interior} vs scikit-image {}",
            reference.ssim_interior
        );
        // The padding matters: the full mean is not the interior one.
        assert!((full - interior).abs() > 1e-3, "{name}");
    }
}

#[test]
fn symmetric_and_one_for_identical_images() {
    let (w, h) = REFERENCE_SIZE;
    let a = textured(w, h);
    for (name, b, _) in reference_pairs() {
        let ab = ssim(&a, &b).expect("same size");
        let ba = ssim(&b, &a).expect("same size");
        assert_eq!(ab, ba, "{name}");
        assert!(ab < 1.0);
    }
    assert!((ssim(&a, &a).expect("same size") - 1.0).abs() < 1e-12);
    // Flat images: every moment but the means is zero, SSIM is still 1.
    let flat = image::RgbImage::from_pixel(7, 3, image::Rgb([200, 0, 90]));
    assert!((ssim(&flat, &flat).expect("same size") - 1.0).abs() < 1e-12);
}

#[test]
fn images_smaller_than_the_window() {
    // 3x2: every window reaches into the padding; the map still has 6 values.
    let a = image::RgbImage::from_fn(3, 2, |x, y| image::Rgb([x as u8 * 80, y as u8 * 90, 10]));
    let b = image::RgbImage::from_fn(3, 2, |x, _| image::Rgb([x as u8 * 70, 5, 10]));
    let map = ssim_map(&a, &b).expect("same size");
    assert_eq!(map.values.len(), 6);
    assert!(map.values.iter().all(|v| v.is_finite()));
    assert!(map.mean_inside(5).is_nan());
}
