//! Robust scene bounds, used to frame the initial view.
//!
//! Captured scenes carry far-away "floater" splats; plain min/max bounds would frame
//! those. We take per-axis percentiles of the splat centres instead.

use glam::Vec3;

use super::SplatCloud;

/// Axis-aligned bounds of the bulk of a scene.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SceneBounds {
    pub min: Vec3,
    pub max: Vec3,
}

impl SceneBounds {
    /// Fraction of splats ignored at each end of each axis.
    pub const OUTLIER_FRACTION: f32 = 0.005;

    /// Bounds of the central `1 - 2 * OUTLIER_FRACTION` of the splat centres per axis.
    /// Non-finite positions are ignored. `None` for an empty cloud.
    pub fn robust(cloud: &SplatCloud) -> Option<Self> {
        Self::robust_from_points(cloud.position_iter())
    }

    pub fn robust_from_points(points: impl Iterator<Item = Vec3>) -> Option<Self> {
        // Subsample large scenes: percentiles of 200k points are plenty.
        let points: Vec<Vec3> = points.filter(|p| p.is_finite()).collect();
        if points.is_empty() {
            return None;
        }
        let step = (points.len() / 200_000).max(1);
        let mut axes: [Vec<f32>; 3] = Default::default();
        for p in points.iter().step_by(step) {
            for (axis, values) in axes.iter_mut().enumerate() {
                values.push(p[axis]);
            }
        }
        let mut min = Vec3::ZERO;
        let mut max = Vec3::ZERO;
        for (axis, values) in axes.iter_mut().enumerate() {
            values.sort_unstable_by(f32::total_cmp);
            let last = values.len() - 1;
            let cut = (last as f32 * Self::OUTLIER_FRACTION).round() as usize;
            min[axis] = values[cut];
            max[axis] = values[last - cut];
        }
        Some(Self { min, max })
    }

    /// The smallest box holding both (to frame several objects).
    pub fn union(&self, other: &SceneBounds) -> SceneBounds {
        SceneBounds {
            min: self.min.min(other.min),
            max: self.max.max(other.max),
        }
    }

    pub fn center(&self) -> Vec3 {
        0.5 * (self.min + self.max)
    }

    /// Radius of the bounding sphere of the box (at least a small positive value).
    pub fn radius(&self) -> f32 {
        (0.5 * (self.max - self.min).length()).max(1e-3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outliers_are_ignored() {
        let mut points: Vec<Vec3> = (0..1000)
            .map(|i| Vec3::splat((i % 100) as f32 / 100.0))
            .collect();
        points.push(Vec3::splat(1e6));
        let b = SceneBounds::robust_from_points(points.into_iter()).expect("non-empty");
        assert!(b.max.x < 1.0 && b.min.x >= 0.0, "{b:?}");
        assert!(SceneBounds::robust_from_points(std::iter::empty()).is_none());
    }
}
