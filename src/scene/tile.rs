//! Scene scaler for benchmarks: tiles copies of a scene side by side on the
//! horizontal plane until it holds the requested number of splats, so big scenes
//! can be measured without big files.

use glam::Vec3;

use super::{SceneBounds, SplatCloud};

/// Copies of `cloud` on a square grid in the plane perpendicular to `up`
/// (spaced by 1.1x the scene's robust extent), truncated to exactly `target` splats.
pub fn tile_to_count(cloud: &SplatCloud, target: usize, up: Vec3) -> SplatCloud {
    if cloud.is_empty() || target == 0 {
        return SplatCloud::new(cloud.sh_degree);
    }
    let bounds = SceneBounds::robust(cloud).unwrap_or(SceneBounds {
        min: Vec3::ZERO,
        max: Vec3::ONE,
    });
    let spacing = (bounds.max - bounds.min).max_element().max(1e-3) * 1.1;
    let up = up.normalize_or(Vec3::NEG_Y);
    let axis_a = up.any_orthonormal_vector();
    let axis_b = up.cross(axis_a);
    let copies = target.div_ceil(cloud.len());
    let side = (copies as f64).sqrt().ceil() as usize;

    let mut out = SplatCloud::new(cloud.sh_degree);
    out.set_aa_hint(cloud.aa_hint.clone());
    out.reserve(target);
    'copies: for copy in 0..copies {
        let (row, col) = (copy / side, copy % side);
        let offset = (axis_a * (col as f32 - (side - 1) as f32 * 0.5)
            + axis_b * (row as f32 - (side - 1) as f32 * 0.5))
            * spacing;
        for i in 0..cloud.len() {
            if out.len() == target {
                break 'copies;
            }
            out.push_from(cloud, i, offset.to_array());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_count_and_offsets() {
        let mut cloud = SplatCloud::new(1);
        for i in 0..10 {
            cloud.positions.push([i as f32 * 0.1, 0.0, 0.0]);
            cloud.log_scales.push([0.0; 3]);
            cloud.rotations.push([1.0, 0.0, 0.0, 0.0]);
            cloud.opacity_logits.push(0.0);
            cloud.sh_dc.push([0.0; 3]);
            cloud.sh_rest.extend_from_slice(&[0.5; 9]);
        }
        let tiled = tile_to_count(&cloud, 35, Vec3::NEG_Y);
        assert_eq!(tiled.len(), 35);
        assert!(tiled.is_consistent());
        // Copies do not overlap: distinct positions.
        let mut xs: Vec<[u32; 3]> = tiled
            .positions
            .iter()
            .map(|p| p.map(f32::to_bits))
            .collect();
        xs.sort_unstable();
        xs.dedup();
        assert_eq!(xs.len(), 35);
    }
}
