//! Overdraw of a view, from the CPU reference projection: how many fragments the
//! quads shade per pixel, and how many (tile, splat) pairs the compute
//! rasterizer bins per visible splat. These say how deep a view is (a capture
//! seen from inside has several times the overlap of one seen from outside),
//! which the frame time alone does not.

use glam::DVec2;

use crate::reference::project::{Footprint, project_splat};
use crate::render::tile::TILE_SIZE;
use crate::scene::lod::LodHierarchy;
use crate::scene::lod::cut::CutParams;
use crate::scene::{AaMode, PinholeCamera, SplatCloud};

/// Overdraw figures of one camera.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct Overdraw {
    /// Splats the reference keeps (in front, visible, touching a pixel centre).
    pub visible_splats: usize,
    /// Pixels inside the splats' quads (the oriented rectangles at their
    /// opacity-aware extent, clipped to the image: the fragments the quads
    /// shade), per image pixel.
    pub fragments_per_pixel: f64,
    /// Tiles of `TILE_SIZE` pixels the splats' boxes overlap (the pairs the
    /// compute rasterizer bins), per visible splat.
    pub pairs_per_visible_splat: f64,
}

/// The overdraw of `cloud` seen by `camera` in anti-aliasing mode `aa`, on all
/// cores.
pub fn measure_overdraw(cloud: &SplatCloud, camera: &PinholeCamera, aa: AaMode) -> Overdraw {
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
    let chunk = cloud.len().div_ceil(threads).max(1);
    let size = DVec2::new(f64::from(camera.width), f64::from(camera.height));
    let parts: Vec<(usize, f64, u64)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..cloud.len())
            .step_by(chunk)
            .map(|start| {
                scope.spawn(move || {
                    let (mut visible, mut fragments, mut pairs) = (0usize, 0.0f64, 0u64);
                    for i in start..(start + chunk).min(cloud.len()) {
                        let Some(splat) = project_splat(cloud, i, camera, aa) else {
                            continue;
                        };
                        visible += 1;
                        let half = splat.bbox_half();
                        let (low, high) = (splat.center - half, splat.center + half);
                        let clipped = (high.min(size) - low.max(DVec2::ZERO)).max(DVec2::ZERO);
                        let inside = (clipped.x * clipped.y) / (4.0 * half.x * half.y).max(1e-12);
                        fragments += rectangle_area(&splat.footprint) * inside.min(1.0);
                        let tile = f64::from(TILE_SIZE);
                        let first = (low.max(DVec2::ZERO) / tile).floor();
                        let last = ((high.min(size) - 1e-9).max(DVec2::ZERO) / tile).floor();
                        let tiles = (last - first + 1.0).max(DVec2::ZERO);
                        pairs += (tiles.x * tiles.y) as u64;
                    }
                    (visible, fragments, pairs)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or((0, 0.0, 0)))
            .collect()
    });
    let visible: usize = parts.iter().map(|p| p.0).sum();
    let fragments: f64 = parts.iter().map(|p| p.1).sum();
    let pairs: u64 = parts.iter().map(|p| p.2).sum();
    Overdraw {
        visible_splats: visible,
        fragments_per_pixel: fragments / (size.x * size.y).max(1.0),
        pairs_per_visible_splat: pairs as f64 / visible.max(1) as f64,
    }
}

/// [`measure_overdraw`] of what a view draws: with level of detail, the cut
/// of `hierarchy` for `camera` (as if every page were resident) with its
/// opacity factors; otherwise every splat of `cloud`.
pub fn measure_drawn_overdraw(
    cloud: &SplatCloud,
    lod: Option<(&LodHierarchy, &CutParams)>,
    camera: &PinholeCamera,
    aa: AaMode,
) -> Overdraw {
    let cut_cloud = lod.and_then(|(hierarchy, params)| {
        crate::scene::lod::cut::cut(hierarchy, camera, params).to_cloud(cloud, hierarchy)
    });
    measure_overdraw(cut_cloud.as_ref().unwrap_or(cloud), camera, aa)
}

/// Area in pixels of the oriented rectangle a splat's quad covers.
fn rectangle_area(footprint: &Footprint) -> f64 {
    match *footprint {
        Footprint::PointSampled { axes, k, .. } => {
            4.0 * k * k * axes[0].length() * axes[1].length()
        }
        Footprint::Analytic { half_extents, .. } => 4.0 * half_extents.x * half_extents.y,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_opaque_splat_in_view_covers_its_rectangle_once() {
        // A round opaque splat 2 units ahead, sigma 0.05: 10 px at fx = 400.
        let mut cloud = SplatCloud::zeroed(1, 0);
        cloud.positions[0] = [0.0, 0.0, 2.0];
        cloud.log_scales[0] = [0.05f32.ln(); 3];
        cloud.rotations[0] = [1.0, 0.0, 0.0, 0.0];
        cloud.opacity_logits[0] = 10.0;
        let camera = PinholeCamera::look_at(
            glam::Vec3::ZERO,
            glam::Vec3::Z,
            glam::Vec3::NEG_Y,
            2.0 * (200.0f32 / 400.0).atan(),
            400,
            400,
        );
        let overdraw = measure_overdraw(&cloud, &camera, AaMode::Classic);
        assert_eq!(overdraw.visible_splats, 1);
        // sigma 10 px dilated by 0.3 px^2, 3 sigma: a square of side 6 x 10.015 px.
        let side = 6.0 * (100.0f64 + 0.3).sqrt();
        let expected = side * side / (400.0 * 400.0);
        assert!(
            (overdraw.fragments_per_pixel - expected).abs() < 1e-3 * expected,
            "{} vs {expected}",
            overdraw.fragments_per_pixel
        );
        // The box spans x and y 169.95..230.05: 8-pixel tiles 21..28, 8 x 8.
        assert_eq!(TILE_SIZE, 8);
        assert_eq!(overdraw.pairs_per_visible_splat, 64.0);
        // Seen from behind, nothing.
        let back = PinholeCamera::look_at(
            glam::Vec3::ZERO,
            glam::Vec3::NEG_Z,
            glam::Vec3::NEG_Y,
            1.0,
            400,
            400,
        );
        assert_eq!(
            measure_overdraw(&cloud, &back, AaMode::Classic).visible_splats,
            0
        );
    }
}
