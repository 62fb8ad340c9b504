//! SSIM exactly as the 3DGS repository's `utils/loss_utils.py::ssim`, which the
//! papers' `metrics.py` reports:
//!
//! - window: 11 taps of a Gaussian with sigma 1.5, normalised to sum 1
//!   (`gaussian(11, 1.5)`); the 2D window is its outer product, so it is applied as
//!   a horizontal then a vertical pass;
//! - each RGB channel on its own (`groups=channel`), values in 0..1;
//! - zero padding of 5 pixels, so the map has the image's size
//!   (`F.conv2d(..., padding=window_size // 2)`);
//! - `mu = w * x`, `sigma_x^2 = w * x^2 - mu_x^2`, `sigma_xy = w * (x y) - mu_x mu_y`,
//!   `ssim = (2 mu_x mu_y + C1)(2 sigma_xy + C2) / ((mu_x^2 + mu_y^2 + C1)(sigma_x^2 + sigma_y^2 + C2))`
//!   with `C1 = 0.01^2`, `C2 = 0.03^2` (data range 1);
//! - the score is the mean of the map over pixels and channels.
//!
//! Wang, Bovik, Sheikh, Simoncelli, "Image quality assessment: from error visibility
//! to structural similarity", IEEE TIP 2004. Arithmetic here is f64 (PyTorch uses
//! f32; they agree to about 1e-6).
//!
//! Near the border the zero padding pulls the means towards 0, so the map differs
//! there from implementations that pad by reflection (scikit-image); away from the
//! 5-pixel border they agree ([`SsimMap::mean_inside`]).

use super::{MetricsError, check_comparable};

/// Taps of the Gaussian window.
pub const WINDOW_SIZE: usize = 11;
/// Standard deviation of the Gaussian window, in pixels.
pub const WINDOW_SIGMA: f64 = 1.5;
/// Stabilising constants for a data range of 1: `(0.01)^2` and `(0.03)^2`.
pub const C1: f64 = 0.01 * 0.01;
pub const C2: f64 = 0.03 * 0.03;

const RADIUS: usize = WINDOW_SIZE / 2;

/// The per-pixel SSIM map, averaged over the three channels.
#[derive(Clone, Debug, PartialEq)]
pub struct SsimMap {
    pub width: u32,
    pub height: u32,
    /// Row-major, `width * height` values; 1 where the images agree.
    pub values: Vec<f64>,
}

impl SsimMap {
    /// Mean over the whole map: the SSIM score as 3DGS reports it.
    pub fn mean(&self) -> f64 {
        self.values.iter().sum::<f64>() / self.values.len().max(1) as f64
    }

    /// Mean over the pixels at least `border` pixels away from every edge (NaN when
    /// none are). With `border = 5`, the window never reaches the padding there.
    pub fn mean_inside(&self, border: u32) -> f64 {
        let (w, h) = (self.width as usize, self.height as usize);
        let b = border as usize;
        if w <= 2 * b || h <= 2 * b {
            return f64::NAN;
        }
        let sum: f64 = self
            .values
            .chunks_exact(w)
            .skip(b)
            .take(h - 2 * b)
            .map(|row| row[b..w - b].iter().sum::<f64>())
            .sum();
        sum / ((w - 2 * b) * (h - 2 * b)) as f64
    }
}

/// SSIM of two same-sized 8-bit RGB images (3DGS definition; symmetric).
pub fn ssim(a: &image::RgbImage, b: &image::RgbImage) -> Result<f64, MetricsError> {
    Ok(ssim_map(a, b)?.mean())
}

/// The SSIM map of two same-sized 8-bit RGB images. The three channels are
/// filtered on scoped threads.
pub fn ssim_map(a: &image::RgbImage, b: &image::RgbImage) -> Result<SsimMap, MetricsError> {
    check_comparable(a, b)?;
    let (width, height) = (a.width() as usize, a.height() as usize);
    let window = gaussian_window();
    let per_channel: Vec<Vec<f64>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..3)
            .map(|channel| {
                let window = &window;
                scope.spawn(move || {
                    let x = channel_values(a, channel);
                    let y = channel_values(b, channel);
                    channel_ssim_map(&x, &y, width, height, window)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let values = (0..width * height)
        .map(|i| per_channel.iter().map(|map| map[i]).sum::<f64>() / 3.0)
        .collect();
    Ok(SsimMap {
        width: a.width(),
        height: a.height(),
        values,
    })
}

/// The normalised 1D Gaussian window (3DGS `gaussian(window_size, sigma)`).
fn gaussian_window() -> [f64; WINDOW_SIZE] {
    let mut window = [0.0; WINDOW_SIZE];
    for (i, w) in window.iter_mut().enumerate() {
        let d = i as f64 - RADIUS as f64;
        *w = (-d * d / (2.0 * WINDOW_SIGMA * WINDOW_SIGMA)).exp();
    }
    let sum: f64 = window.iter().sum();
    window.map(|w| w / sum)
}

/// One channel of an RGB image as values in 0..1.
fn channel_values(image: &image::RgbImage, channel: usize) -> Vec<f64> {
    image
        .as_raw()
        .iter()
        .skip(channel)
        .step_by(3)
        .map(|&v| f64::from(v) / 255.0)
        .collect()
}

/// The SSIM map of one channel: the five local moments by a separable
/// zero-padded convolution (rows first, then columns one output row at a time).
fn channel_ssim_map(
    x: &[f64],
    y: &[f64],
    width: usize,
    height: usize,
    window: &[f64; WINDOW_SIZE],
) -> Vec<f64> {
    let products =
        |f: fn(f64, f64) -> f64| -> Vec<f64> { x.iter().zip(y).map(|(&a, &b)| f(a, b)).collect() };
    let signals = [
        filter_rows(x, width, window),
        filter_rows(y, width, window),
        filter_rows(&products(|a, _| a * a), width, window),
        filter_rows(&products(|_, b| b * b), width, window),
        filter_rows(&products(|a, b| a * b), width, window),
    ];
    let mut map = Vec::with_capacity(width * height);
    let mut moments = [(); 5].map(|()| vec![0.0; width]);
    for row in 0..height {
        for (moment, signal) in moments.iter_mut().zip(&signals) {
            moment.fill(0.0);
            for (tap, &w) in window.iter().enumerate() {
                // Source row `row + tap - RADIUS`; rows outside the image are zero.
                let Some(source) = (row + tap).checked_sub(RADIUS).filter(|&r| r < height) else {
                    continue;
                };
                let source = &signal[source * width..(source + 1) * width];
                for (m, &s) in moment.iter_mut().zip(source) {
                    *m += w * s;
                }
            }
        }
        let [mu_x, mu_y, xx, yy, xy] = &moments;
        map.extend((0..width).map(|i| {
            let (mx, my) = (mu_x[i], mu_y[i]);
            let var_x = xx[i] - mx * mx;
            let var_y = yy[i] - my * my;
            let cov = xy[i] - mx * my;
            ((2.0 * mx * my + C1) * (2.0 * cov + C2))
                / ((mx * mx + my * my + C1) * (var_x + var_y + C2))
        }));
    }
    map
}

/// Convolves every row with `window`, zero outside the row.
fn filter_rows(signal: &[f64], width: usize, window: &[f64; WINDOW_SIZE]) -> Vec<f64> {
    let mut out = vec![0.0; signal.len()];
    for (out_row, row) in out.chunks_exact_mut(width).zip(signal.chunks_exact(width)) {
        for (tap, &w) in window.iter().enumerate() {
            // out[i] += w * row[i + tap - RADIUS] where that index is inside the row.
            let first = RADIUS.saturating_sub(tap);
            let last = (width + RADIUS).saturating_sub(tap).min(width);
            if first >= last {
                continue;
            }
            let source_first = first + tap - RADIUS;
            for (o, &s) in out_row[first..last]
                .iter_mut()
                .zip(&row[source_first..source_first + (last - first)])
            {
                *o += w * s;
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "ssim_tests.rs"]
mod tests;
