//! Reference renderer: per pixel, front to back, as the INRIA 3DGS rasterizer
//! (`renderCUDA`): alpha = min(0.99, opacity * weight), skipped when alpha < 1/255,
//! and a pixel stops once its transmittance would drop below 1e-4. The weight is
//! exp(power) at the pixel centre (skipped when power > 0), or for
//! `AaMode::Analytic` the Gaussian integrated over the pixel. A splat touches the
//! pixels whose centres lie in its rectangle (`ProjectedSplat::covers`): around
//! its ellipse at k <= 3 standard deviations, oriented along the ellipse's axes.

use glam::{DVec2, DVec3};

use super::project::{MAX_ALPHA, MIN_ALPHA, project_splat};
use crate::scene::{AaMode, PinholeCamera, SplatCloud};

const MIN_TRANSMITTANCE: f64 = 1e-4;

/// Renders `cloud` for `camera` with the anti-aliasing mode `aa` (whatever the
/// cloud's `aa_hint` says); returns linear-in-file (display-encoded) RGB values
/// per pixel, row-major, not clamped.
pub fn render_reference(
    cloud: &SplatCloud,
    camera: &PinholeCamera,
    background: [f32; 3],
    aa: AaMode,
) -> Vec<[f32; 3]> {
    let pixels = camera.width as usize * camera.height as usize;
    render_reference_over(cloud, camera, aa, &vec![background; pixels], None)
}

/// The splats over an image `under` (row-major, `camera`'s size: e.g. the CPU
/// mesh reference's colour), each hidden at a pixel where the view depth of its
/// centre (the depth the sort uses) is greater than `depth[pixel]` (the mesh's
/// view depth, `+inf` where there is none): the renderer's splat/mesh occlusion
/// rule (`render::DepthInput`). Without `depth` nothing is hidden.
pub fn render_reference_over(
    cloud: &SplatCloud,
    camera: &PinholeCamera,
    aa: AaMode,
    under: &[[f32; 3]],
    depth: Option<&[f32]>,
) -> Vec<[f32; 3]> {
    let (width, height) = (camera.width as usize, camera.height as usize);
    let mut splats: Vec<_> = (0..cloud.len())
        .filter_map(|i| project_splat(cloud, i, camera, aa))
        .collect();
    // Front to back; stable, so equal depths keep file order.
    splats.sort_by(|a, b| a.depth.total_cmp(&b.depth));

    let mut color = vec![DVec3::ZERO; width * height];
    let mut transmittance = vec![1.0f64; width * height];
    let mut done = vec![false; width * height];
    for s in &splats {
        let extent = s.bbox_half();
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
                if let Some(limit) = depth.and_then(|d| d.get(idx))
                    && s.depth > f64::from(*limit)
                {
                    continue;
                }
                let d = DVec2::new(x as f64 + 0.5, y as f64 + 0.5) - s.center;
                if !s.covers(d) {
                    continue;
                }
                let alpha = (s.opacity * s.weight(d)).min(MAX_ALPHA);
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
    color
        .iter()
        .zip(&transmittance)
        .enumerate()
        .map(|(idx, (c, &t))| {
            let bg = DVec3::from(under.get(idx).copied().unwrap_or_default().map(f64::from));
            (*c + t * bg).as_vec3().to_array()
        })
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
