//! Reference renderer: per pixel, front to back, as the INRIA 3DGS rasterizer
//! (`renderCUDA`): alpha = min(0.99, opacity * exp(power)), skipped when
//! power > 0 or alpha < 1/255, and a pixel stops once its transmittance would drop
//! below 1e-4. A splat touches the pixels whose centres lie in the rectangle around
//! its 3-sigma ellipse, oriented along the ellipse's axes.

use glam::DVec3;

use super::project::{MAX_ALPHA, MIN_ALPHA, project_splat, splat_axes};
use crate::scene::{PinholeCamera, SplatCloud};

const MIN_TRANSMITTANCE: f64 = 1e-4;

/// Renders `cloud` for `camera`; returns linear-in-file (display-encoded) RGB
/// values per pixel, row-major, not clamped.
pub fn render_reference(
    cloud: &SplatCloud,
    camera: &PinholeCamera,
    background: [f32; 3],
) -> Vec<[f32; 3]> {
    let (width, height) = (camera.width as usize, camera.height as usize);
    let mut splats: Vec<_> = (0..cloud.len())
        .filter_map(|i| project_splat(cloud, i, camera))
        .collect();
    // Front to back; stable, so equal depths keep file order.
    splats.sort_by(|a, b| a.depth.total_cmp(&b.depth));

    let mut color = vec![DVec3::ZERO; width * height];
    let mut transmittance = vec![1.0f64; width * height];
    let mut done = vec![false; width * height];
    for s in &splats {
        let extent = 3.0 * s.variance.map(f64::sqrt);
        let [long_axis, short_axis] = splat_axes(s.conic);
        // Pixels whose centre (i + 0.5) is inside [center - extent, center + extent].
        let x0 = (s.center.x - extent.x - 0.5).ceil().max(0.0) as usize;
        let y0 = (s.center.y - extent.y - 0.5).ceil().max(0.0) as usize;
        let x1 = ((s.center.x + extent.x - 0.5).floor() as i64).min(width as i64 - 1);
        let y1 = ((s.center.y + extent.y - 0.5).floor() as i64).min(height as i64 - 1);
        if x1 < x0 as i64 || y1 < y0 as i64 {
            continue;
        }
        for y in y0..=y1 as usize {
            for x in x0..=x1 as usize {
                let idx = y * width + x;
                if done[idx] {
                    continue;
                }
                let dx = x as f64 + 0.5 - s.center.x;
                let dy = y as f64 + 0.5 - s.center.y;
                // Inside the oriented 3-sigma rectangle?
                let d = glam::DVec2::new(dx, dy);
                if d.dot(long_axis).abs() > 3.0 * long_axis.length_squared()
                    || d.dot(short_axis).abs() > 3.0 * short_axis.length_squared()
                {
                    continue;
                }
                let power =
                    -0.5 * (s.conic.x * dx * dx + s.conic.z * dy * dy) - s.conic.y * dx * dy;
                if power > 0.0 {
                    continue;
                }
                let alpha = (s.opacity * power.exp()).min(MAX_ALPHA);
                if alpha < MIN_ALPHA {
                    continue;
                }
                let t = transmittance[idx];
                let next_t = t * (1.0 - alpha);
                if next_t < MIN_TRANSMITTANCE {
                    done[idx] = true;
                    continue;
                }
                color[idx] += s.color * alpha * t;
                transmittance[idx] = next_t;
            }
        }
    }
    let bg = DVec3::from(background.map(f64::from));
    color
        .iter()
        .zip(&transmittance)
        .map(|(c, &t)| (*c + t * bg).as_vec3().to_array())
        .collect()
}

/// Clamps to 0..1 and quantizes to 8 bits as the GPU's unorm output does.
pub fn to_rgb8(pixels: &[[f32; 3]], width: u32, height: u32) -> image::RgbImage {
    let bytes: Vec<u8> = pixels
        .iter()
        .flat_map(|px| px.map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8))
        .collect();
    image::RgbImage::from_raw(width, height, bytes).unwrap_or_default()
}
