//! Per-pixel error maps and their pictures: `|A - B|` (the mean over RGB of the
//! absolute difference, in 0..1) and FLIP's error map ([`super::flip`]), both drawn
//! with the magma colour map that FLIP uses (`nv_flip::magma_lut`, 256 entries),
//! optionally with a legend strip under the image.

use super::{MetricsError, check_comparable, legend};

/// A per-pixel error, row-major, `width * height` values (0 where the images agree).
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorMap {
    pub width: u32,
    pub height: u32,
    pub values: Vec<f32>,
}

impl ErrorMap {
    /// Mean error over all pixels (summed in f64).
    pub fn mean(&self) -> f64 {
        self.values.iter().map(|&v| f64::from(v)).sum::<f64>() / self.values.len().max(1) as f64
    }

    /// The largest error (0 for an empty map).
    pub fn max(&self) -> f32 {
        self.values.iter().copied().fold(0.0, f32::max)
    }

    /// The map drawn with magma: error 0 is black, `scale` and above the brightest
    /// colour. A non-positive or non-finite `scale` is taken as 1.
    pub fn to_image(&self, scale: f32) -> image::RgbImage {
        let scale = if scale.is_finite() && scale > 0.0 {
            scale
        } else {
            1.0
        };
        let lut = magma();
        let mut image = image::RgbImage::new(self.width, self.height);
        for (pixel, &value) in image.pixels_mut().zip(&self.values) {
            *pixel = lut_colour(&lut, value / scale);
        }
        image
    }

    /// [`Self::to_image`] with a legend strip below it: the colour bar from 0 to
    /// `scale` with its values, and `title` (e.g. "|A-B|" or "FLIP").
    pub fn to_image_with_legend(&self, scale: f32, title: &str) -> image::RgbImage {
        let scale = if scale.is_finite() && scale > 0.0 {
            scale
        } else {
            1.0
        };
        let map = self.to_image(scale);
        let lut = magma();
        legend::append_colour_bar(&map, title, scale, |t| lut_colour(&lut, t))
    }
}

/// The mean over RGB of `|a - b|` per pixel, in 0..1. Symmetric in `a` and `b`.
pub fn abs_difference(a: &image::RgbImage, b: &image::RgbImage) -> Result<ErrorMap, MetricsError> {
    check_comparable(a, b)?;
    let values = a
        .pixels()
        .zip(b.pixels())
        .map(|(pa, pb)| {
            let sum: u32 =
                pa.0.iter()
                    .zip(pb.0)
                    .map(|(&x, y)| u32::from(x.abs_diff(y)))
                    .sum();
            sum as f32 / (3.0 * 255.0)
        })
        .collect();
    Ok(ErrorMap {
        width: a.width(),
        height: a.height(),
        values,
    })
}

/// The magma colour map as 256 RGB triples.
fn magma() -> Vec<u8> {
    nv_flip::magma_lut().to_vec()
}

/// The colour of `t` in 0..1 (clamped; NaN counts as 0): the nearest of the 256 entries.
fn lut_colour(lut: &[u8], t: f32) -> image::Rgb<u8> {
    let entries = lut.len() / 3;
    if entries == 0 {
        return image::Rgb([0, 0, 0]);
    }
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let i = ((t * (entries - 1) as f32).round() as usize).min(entries - 1);
    image::Rgb([lut[3 * i], lut[3 * i + 1], lut[3 * i + 2]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abs_difference_values_and_symmetry() {
        let a = image::RgbImage::from_pixel(2, 1, image::Rgb([10, 20, 30]));
        let mut b = a.clone();
        b.put_pixel(1, 0, image::Rgb([40, 20, 0]));
        let ab = abs_difference(&a, &b).expect("same size");
        assert_eq!(ab.values, vec![0.0, 60.0 / 765.0]);
        assert_eq!(ab, abs_difference(&b, &a).expect("same size"));
        assert!((ab.mean() - 30.0 / 765.0).abs() < 1e-7);
        assert_eq!(ab.max(), 60.0 / 765.0);
        assert!(abs_difference(&a, &image::RgbImage::new(1, 1)).is_err());
    }

    #[test]
    fn colours_run_from_black_to_the_top_of_magma() {
        let lut = magma();
        assert_eq!(lut.len(), 256 * 3);
        let map = ErrorMap {
            width: 4,
            height: 1,
            values: vec![0.0, 0.05, 0.1, 5.0],
        };
        let image = map.to_image(0.1);
        let brightness = |x: u32| {
            image
                .get_pixel(x, 0)
                .0
                .iter()
                .map(|&v| u32::from(v))
                .sum::<u32>()
        };
        assert!(brightness(0) < 10, "error 0 is (nearly) black");
        assert!(brightness(0) < brightness(1) && brightness(1) < brightness(2));
        assert_eq!(
            image.get_pixel(2, 0),
            image.get_pixel(3, 0),
            "clamped at the scale"
        );
        assert_eq!(image.get_pixel(2, 0).0, [lut[765], lut[766], lut[767]]);
    }

    #[test]
    fn legend_adds_a_strip_below() {
        let map = ErrorMap {
            width: 200,
            height: 30,
            values: (0..6000).map(|i| (i % 200) as f32 / 200.0).collect(),
        };
        let plain = map.to_image(1.0);
        let with = map.to_image_with_legend(1.0, "|A-B|");
        assert_eq!(with.width(), 200);
        assert_eq!(with.height(), 30 + legend::LEGEND_HEIGHT);
        for (x, y, p) in plain.enumerate_pixels() {
            assert_eq!(with.get_pixel(x, y), p);
        }
    }
}
