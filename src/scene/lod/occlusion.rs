//! How visible a node is: a coarse, soft occlusion estimate for the budget.
//!
//! Under a budget the cut spends splats where expanding a node recovers the most
//! (rule 2 of `cut.rs`). Coverage measures a node's area on screen, but not
//! whether that area is seen: close up, half of an object is its far side, and
//! in a scene seen from inside most of the tree lies behind the nearest walls.
//! Splats spent there change no pixel.
//!
//! **The estimate.** A first, coarse cut (an eighth of the budget) stands for
//! the scene's opacity. Each of its nodes deposits its projected alpha mass,
//! `(2π/3) weight (fx/z)(fy/z)` pixels² (the integral of its Gaussians' alpha,
//! the coverage weight `opacity (s₀s₁ + s₀s₂ + s₁s₂)` standing for the
//! view-averaged projected area; it underestimates a flat splat seen face-on),
//! spread evenly over the grid cells within 1.5 times its sphere's projected
//! radius, as optical depth `-ln(1 - α)` at its depth. Optical depth adds in
//! any order (as the revealage `Π(1 - α)` of McGuire and Bavoil's weighted
//! blended order-independent transparency does), so per cell and depth bucket
//! a prefix sum gives the transmittance in front of every depth. The grid has
//! 32 cells along the image's longer side and 64 depth buckets, log-spaced
//! between the nearest and farthest occluder. The wide deposit fills the holes
//! a coarse cut leaves between its nodes: against half the sphere's radius it
//! scored 0.1-1.1 dB more on every view of the budget's quality test, and a
//! 32-cell grid 0.1-0.6 dB more than a 64-cell one (docs/LOD.md).
//!
//! **The query.** A node is as visible as the most visible cell its sphere may
//! touch, at the depth of the sphere's nearest point. Cells are read from a max
//! pyramid (as a hierarchical Z-buffer is read, Greene et al. 1993) at the
//! level where the sphere's bounding square spans at most 2 × 2 cells, so a
//! query reads four values. Because a parent's sphere holds its
//! children's, it is nearer and touches more cells: a parent is not less
//! visible than its child (but where rounding puts a child's sphere a hair
//! outside its parent's: `tests/lod_occlusion.rs` counts one pair in 203,664),
//! so occlusion does not hide a visible child behind an occluded parent.
//! A node straddling the near plane, or nearer than every occluder, is fully
//! visible.
//!
//! **Its use.** The priority is multiplied by `VISIBILITY_FLOOR + (1 −
//! VISIBILITY_FLOOR) × visibility`: hidden nodes are not dropped, they are
//! expanded last. Only the ranking changes, so without a budget (every candidate
//! expanded) the cut is the same.

use glam::{Vec3, Vec4};

use super::{LodHierarchy, LodNode};
use crate::scene::PinholeCamera;

/// Grid cells along the image's larger side.
const GRID_CELLS: f32 = 32.0;
/// An occluder's alpha is spread over the cells within this many times its
/// sphere's projected radius.
const DEPOSIT_RADIUS: f32 = 1.5;
/// Depth buckets, log-spaced between the nearest and farthest occluder.
pub const DEPTH_BUCKETS: usize = 64;
/// Most alpha one occluder lays on one cell (the renderers' clamp).
const MAX_CELL_ALPHA: f32 = 0.99;
/// The priority factor of a fully hidden node (rule 2 ranks it last, but still by size).
pub const VISIBILITY_FLOOR: f32 = 0.01;

/// One level of the max pyramid: per cell, [`DEPTH_BUCKETS`] transmittances,
/// the light reaching the front of each bucket (the most of any cell below).
struct Level {
    width: usize,
    height: usize,
    front_transmittance: Vec<f32>,
}

/// The transmittance in front of any depth, per screen cell (see the module docs).
pub struct OcclusionMap {
    view_rows: [Vec4; 3],
    fx: f32,
    fy: f32,
    cx: f32,
    cy: f32,
    focal: f32,
    near: f32,
    cell_px: f32,
    log_z_min: f32,
    buckets_per_log_z: f32,
    levels: Vec<Level>,
}

/// An occluder projected: screen centre, depth, deposit radius (px), alpha mass (px²).
struct Projected {
    u: f32,
    v: f32,
    z: f32,
    radius: f32,
    mass: f32,
}

impl OcclusionMap {
    /// The map of `occluders` (node, opacity factor) seen from `camera`, with
    /// nothing nearer than `near` counted; `None` when no occluder is in front
    /// of the camera.
    pub fn build(
        hierarchy: &LodHierarchy,
        camera: &PinholeCamera,
        near: f32,
        occluders: impl IntoIterator<Item = (u32, f32)>,
    ) -> Option<Self> {
        let (width, height) = (camera.width.max(1) as f32, camera.height.max(1) as f32);
        let cell_px = (width.max(height) / GRID_CELLS).max(1.0);
        let mut map = Self {
            view_rows: super::view::view_rows(camera),
            fx: camera.fx,
            fy: camera.fy,
            cx: camera.cx,
            cy: camera.cy,
            focal: camera.fx.max(camera.fy),
            near,
            cell_px,
            log_z_min: 0.0,
            buckets_per_log_z: 0.0,
            levels: Vec::new(),
        };
        let (nodes, weights) = (hierarchy.nodes(), hierarchy.weights());
        let projected: Vec<Projected> = occluders
            .into_iter()
            .filter_map(|(node, factor)| {
                let (n, &weight) = nodes.get(node as usize).zip(weights.get(node as usize))?;
                let p = map.camera_space(n);
                if !p.is_finite() || p.z <= near {
                    return None;
                }
                let scale = map.focal / p.z;
                let mass =
                    std::f32::consts::TAU / 3.0 * weight * factor * (map.fx / p.z) * (map.fy / p.z);
                (mass.is_finite() && mass > 0.0).then(|| Projected {
                    u: map.fx * p.x / p.z + map.cx,
                    v: map.fy * p.y / p.z + map.cy,
                    z: p.z,
                    radius: DEPOSIT_RADIUS * n.radius * scale,
                    mass,
                })
            })
            .collect();
        let z_min = projected.iter().map(|p| p.z).fold(f32::INFINITY, f32::min);
        let z_max = projected.iter().map(|p| p.z).fold(0.0, f32::max);
        if !z_min.is_finite() {
            return None;
        }
        map.log_z_min = z_min.ln();
        let log_range = (z_max.ln() - map.log_z_min).max(1e-4);
        map.buckets_per_log_z = DEPTH_BUCKETS as f32 / log_range;

        let grid_w = (width / cell_px).ceil() as usize;
        let grid_h = (height / cell_px).ceil() as usize;
        let mut optical_depth = vec![0.0f32; grid_w * grid_h * DEPTH_BUCKETS];
        let mut cells = Vec::new();
        for p in &projected {
            map.cells_under(p, grid_w, grid_h, &mut cells);
            if cells.is_empty() {
                continue;
            }
            let alpha = (p.mass / (cells.len() as f32 * cell_px * cell_px)).min(MAX_CELL_ALPHA);
            let tau = -(1.0 - alpha).ln();
            let bucket = map.bucket(p.z);
            for &cell in &cells {
                optical_depth[cell * DEPTH_BUCKETS + bucket] += tau;
            }
        }
        // Level 0: the transmittance in front of each bucket.
        let mut front = optical_depth;
        for cell in front.chunks_exact_mut(DEPTH_BUCKETS) {
            let mut in_front = 0.0f32;
            for value in cell {
                let tau = *value;
                *value = (-in_front).exp();
                in_front += tau;
            }
        }
        map.levels.push(Level {
            width: grid_w,
            height: grid_h,
            front_transmittance: front,
        });
        while let Some(below) = map.levels.last().filter(|l| l.width > 1 || l.height > 1) {
            let level = below.coarser();
            map.levels.push(level);
        }
        Some(map)
    }

    fn camera_space(&self, node: &LodNode) -> Vec3 {
        super::view::camera_space(&self.view_rows, node)
    }

    fn bucket(&self, z: f32) -> usize {
        let b = (z.ln() - self.log_z_min) * self.buckets_per_log_z;
        // Negative and NaN go to 0.
        (b.max(0.0) as usize).min(DEPTH_BUCKETS - 1)
    }

    /// The level-0 cells whose centres lie within the occluder's deposit disc,
    /// or the cell under its centre when none does (an occluder smaller than a
    /// cell); none when it is off the grid.
    fn cells_under(&self, p: &Projected, grid_w: usize, grid_h: usize, cells: &mut Vec<usize>) {
        cells.clear();
        let cs = self.cell_px;
        let range = |centre: f32, cells: usize| {
            let lo = ((centre - p.radius) / cs - 0.5).ceil().max(0.0);
            let hi = ((centre + p.radius) / cs - 0.5)
                .floor()
                .min(cells as f32 - 1.0);
            (lo as usize, hi as usize, lo <= hi)
        };
        let ((x0, x1, xs), (y0, y1, ys)) = (range(p.u, grid_w), range(p.v, grid_h));
        if xs && ys {
            let r2 = p.radius * p.radius;
            for y in y0..=y1 {
                let dy = (y as f32 + 0.5) * cs - p.v;
                for x in x0..=x1 {
                    let dx = (x as f32 + 0.5) * cs - p.u;
                    if dx * dx + dy * dy <= r2 {
                        cells.push(y * grid_w + x);
                    }
                }
            }
        }
        if cells.is_empty() {
            let (x, y) = (p.u / cs, p.v / cs);
            if x >= 0.0 && y >= 0.0 && (x as usize) < grid_w && (y as usize) < grid_h {
                cells.push(y as usize * grid_w + x as usize);
            }
        }
    }

    /// How visible `node` may be, in [0, 1]: the most light any cell its sphere
    /// may touch lets through to the sphere's nearest depth (see the module docs).
    pub fn visibility(&self, node: &LodNode) -> f32 {
        let p = self.camera_space(node);
        let z_front = p.z - node.radius;
        if !p.is_finite() || !node.radius.is_finite() || z_front <= self.near {
            return 1.0;
        }
        if z_front.ln() <= self.log_z_min {
            return 1.0;
        }
        let bucket = self.bucket(z_front);
        let radius = self.focal * node.radius / z_front;
        let (u, v) = (self.fx * p.x / p.z + self.cx, self.fy * p.y / p.z + self.cy);
        let mut level = 0;
        let mut cs = self.cell_px;
        while cs < 2.0 * radius && level + 1 < self.levels.len() {
            level += 1;
            cs *= 2.0;
        }
        let l = &self.levels[level];
        let span = |centre: f32, cells: usize| {
            let last = cells as f32 - 1.0;
            let lo = ((centre - radius) / cs).floor().clamp(0.0, last) as usize;
            let hi = ((centre + radius) / cs).floor().clamp(0.0, last) as usize;
            (lo, hi)
        };
        let ((x0, x1), (y0, y1)) = (span(u, l.width), span(v, l.height));
        let mut most = 0.0f32;
        for y in y0..=y1 {
            for x in x0..=x1 {
                let cell = (y * l.width + x) * DEPTH_BUCKETS;
                most = most.max(l.front_transmittance[cell + bucket]);
            }
        }
        most
    }
}

impl Level {
    /// The next pyramid level: each cell the most of the (up to) 2 × 2 below.
    fn coarser(&self) -> Self {
        let (width, height) = (self.width.div_ceil(2), self.height.div_ceil(2));
        let mut front_transmittance = vec![0.0f32; width * height * DEPTH_BUCKETS];
        for y in 0..self.height {
            for x in 0..self.width {
                let src = (y * self.width + x) * DEPTH_BUCKETS;
                let dst = ((y / 2) * width + x / 2) * DEPTH_BUCKETS;
                for b in 0..DEPTH_BUCKETS {
                    let value = self.front_transmittance[src + b];
                    let out = &mut front_transmittance[dst + b];
                    *out = out.max(value);
                }
            }
        }
        Self {
            width,
            height,
            front_transmittance,
        }
    }
}
