//! Deterministic test images, generated with integer arithmetic only so that a
//! Python script reproduces them bit for bit (the reference numbers in the metric
//! tests come from that script; see `metrics/reference_values.rs`).

/// A 32-bit integer hash of a pixel coordinate (the same in Python with masking).
pub fn hash(x: u32, y: u32, c: u32, seed: u32) -> u32 {
    let mut h = x.wrapping_mul(73_856_093)
        ^ y.wrapping_mul(19_349_663)
        ^ c.wrapping_mul(83_492_791)
        ^ seed.wrapping_mul(2_654_435_761);
    h ^= h >> 13;
    h = h.wrapping_mul(1_274_126_177);
    h ^ (h >> 16)
}

/// A gradient with some texture: `(3x + 2y + 50c + hash % 32) % 256`.
pub fn textured(width: u32, height: u32) -> image::RgbImage {
    image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb(
            [0, 1, 2].map(|c| ((3 * x + 2 * y + 50 * c + hash(x, y, c, 1) % 32) % 256) as u8),
        )
    })
}

/// `textured` plus uniform noise in -20..=20, clamped to 0..255.
pub fn noisy(width: u32, height: u32) -> image::RgbImage {
    let base = textured(width, height);
    image::RgbImage::from_fn(width, height, |x, y| {
        let p = base.get_pixel(x, y).0;
        image::Rgb([0, 1, 2].map(|c| {
            let noise = (hash(x, y, c, 2) % 41) as i32 - 20;
            (i32::from(p[c as usize]) + noise).clamp(0, 255) as u8
        }))
    })
}

/// `textured` brightened by 30 (clamped) in the left half, unchanged in the right.
pub fn brightened_left(width: u32, height: u32) -> image::RgbImage {
    let base = textured(width, height);
    image::RgbImage::from_fn(width, height, |x, y| {
        let p = base.get_pixel(x, y).0;
        image::Rgb(p.map(|v| {
            if x < width / 2 {
                v.saturating_add(30)
            } else {
                v
            }
        }))
    })
}

/// Size of the reference image pairs.
pub const REFERENCE_SIZE: (u32, u32) = (48, 40);

/// Numbers from independent implementations for `textured` against the other
/// images at [`REFERENCE_SIZE`], printed by `scripts/metrics_reference.py`
/// (numpy 2.4.6, scipy 1.17.1, scikit-image 0.26.0, flip-evaluator 1.7):
/// - `psnr`: `skimage.metrics.peak_signal_noise_ratio(a, b, data_range=1)`;
/// - `ssim_full`: a NumPy/SciPy transcription of 3DGS `ssim` (`convolve2d` with
///   zero fill, mean of the full map);
/// - `ssim_interior`: `skimage.metrics.structural_similarity(a, b,
///   gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1,
///   channel_axis=2)`, which pads by reflection and averages the map without its
///   5-pixel border;
/// - `flip`: `flip_evaluator.evaluate(a, b, "LDR")` mean error (NVIDIA's Python
///   FLIP; the same number with the images swapped).
pub struct ReferenceValues {
    pub psnr: f64,
    pub ssim_full: f64,
    pub ssim_interior: f64,
    pub flip: f64,
}

/// `textured` against `noisy`.
pub const NOISY: ReferenceValues = ReferenceValues {
    psnr: 26.71243696851919,
    ssim_full: 0.7856830721322868,
    ssim_interior: 0.7142150503814874,
    flip: 0.11981844902038574,
};

/// `textured` against `brightened_left`.
pub const BRIGHTENED_LEFT: ReferenceValues = ReferenceValues {
    psnr: 21.700688173187245,
    ssim_full: 0.9485756512146557,
    ssim_interior: 0.9386569763245554,
    flip: 0.226136714220047,
};

/// The reference pairs: (name, test image, reference numbers).
pub fn reference_pairs() -> [(&'static str, image::RgbImage, ReferenceValues); 2] {
    let (w, h) = REFERENCE_SIZE;
    [
        ("noisy", noisy(w, h), NOISY),
        ("brightened_left", brightened_left(w, h), BRIGHTENED_LEFT),
    ]
}
