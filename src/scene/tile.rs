//! Scene scaler for benchmarks: tiles copies of a scene side by side on the
//! horizontal plane until it holds the requested number of splats, so big scenes
//! can be measured without big files.

use glam::Vec3;

use super::{SceneBounds, SplatCloud};

/// Where [`tile_to_count`] puts the copies: a `side` x `side` grid (filled row
/// by row, `copies` of it used) centred on the scene, with rows along `axis_a`
/// and columns along `axis_b`, both perpendicular to `up`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TileGrid {
    /// The scene's robust bounds (one copy, before any offset).
    pub bounds: SceneBounds,
    pub spacing: f32,
    pub axis_a: Vec3,
    pub axis_b: Vec3,
    pub up: Vec3,
    pub copies: usize,
    pub side: usize,
}

impl TileGrid {
    /// The grid of copies of `cloud` that holds `target` splats.
    pub fn new(cloud: &SplatCloud, target: usize, up: Vec3) -> Self {
        let bounds = SceneBounds::robust(cloud).unwrap_or(SceneBounds {
            min: Vec3::ZERO,
            max: Vec3::ONE,
        });
        let spacing = (bounds.max - bounds.min).max_element().max(1e-3) * 1.1;
        let up = up.normalize_or(Vec3::NEG_Y);
        let axis_a = up.any_orthonormal_vector();
        let axis_b = up.cross(axis_a);
        let copies = target.div_ceil(cloud.len().max(1)).max(1);
        let side = (copies as f64).sqrt().ceil() as usize;
        Self {
            bounds,
            spacing,
            axis_a,
            axis_b,
            up,
            copies,
            side,
        }
    }

    /// Offset of copy `copy`.
    pub fn offset(&self, copy: usize) -> Vec3 {
        let (row, col) = (copy / self.side, copy % self.side);
        let middle = (self.side - 1) as f32 * 0.5;
        (self.axis_a * (col as f32 - middle) + self.axis_b * (row as f32 - middle)) * self.spacing
    }

    /// A view from inside the grid, as a visitor of a captured place stands: at
    /// the height of the scene's centre, at the first column of copies, in the
    /// aisle between the two middle rows (moved half a spacing across when a row
    /// of copies runs through the middle), looking along the rows, copies on both
    /// sides and ahead. With one copy, from the scene's centre.
    pub fn inside_view(&self) -> (Vec3, Vec3) {
        let mut eye = self.bounds.center();
        if self.side > 1 {
            eye -= self.axis_a * ((self.side - 1) as f32 * 0.5 * self.spacing);
            if self.side % 2 == 1 {
                eye += self.axis_b * (0.5 * self.spacing);
            }
        }
        (eye, eye + self.axis_a)
    }
}

/// Copies of `cloud` on a square grid in the plane perpendicular to `up`
/// (spaced by 1.1x the scene's robust extent, [`TileGrid`]), truncated to exactly
/// `target` splats.
pub fn tile_to_count(cloud: &SplatCloud, target: usize, up: Vec3) -> SplatCloud {
    if cloud.is_empty() || target == 0 {
        return SplatCloud::new(cloud.sh_degree);
    }
    let grid = TileGrid::new(cloud, target, up);
    let copies = grid.copies;

    let mut out = SplatCloud::new(cloud.sh_degree);
    out.set_aa_hint(cloud.aa_hint.clone());
    out.reserve(target);
    'copies: for copy in 0..copies {
        let offset = grid.offset(copy);
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

    #[test]
    fn the_inside_view_stands_in_an_aisle_at_the_scene_height() {
        let mut cloud = SplatCloud::zeroed(2, 0);
        cloud.positions = vec![[0.0, 0.0, 0.0], [1.0, -2.0, 1.0]];
        for (target, side) in [(2, 1), (8, 2), (18, 3)] {
            let grid = TileGrid::new(&cloud, target, Vec3::NEG_Y);
            assert_eq!(grid.side, side);
            let (eye, target) = grid.inside_view();
            // At the height of the scene's centre, looking level along a row.
            assert!((eye.y - grid.bounds.center().y).abs() < 1e-5);
            assert!((target - eye).dot(Vec3::Y).abs() < 1e-6);
            // Never inside a copy's bounds when there are several copies.
            let copies_around = (0..grid.copies).any(|c| {
                let local = eye - grid.offset(c);
                local.cmpge(grid.bounds.min).all() && local.cmple(grid.bounds.max).all()
            });
            assert_eq!(copies_around, side == 1, "side {side}: eye {eye}");
        }
    }
}
