//! The merge rule of Hierarchical 3DGS: one Gaussian standing for several.
//!
//! Kerbl et al., "A Hierarchical 3D Gaussian Representation for Real-Time Rendering
//! of Very Large Datasets" (SIGGRAPH 2024), section 4.1, and their code
//! (`graphdeco-inria/gaussian-hierarchy`, `ClusterMerger.cpp`):
//!
//! - each child `i` weighs `wᵢ = oᵢ (s₀s₁ + s₀s₂ + s₁s₂)`: its opacity (after the
//!   sigmoid) times the surface of its ellipsoid (up to a constant), a stand-in for
//!   how much of the screen it covers seen from a random direction;
//! - the mean and the SH coefficients are `wᵢ`-weighted averages;
//! - the covariance is moment-matched, `Σ = Σᵢ wᵢ (Σᵢ + dᵢdᵢᵀ) / Σᵢ wᵢ` with
//!   `dᵢ = μᵢ - μ`, and eigen-decomposed into scale (square roots of the
//!   eigenvalues) and rotation (the eigenvectors);
//! - the opacity makes the parent's weight equal the children's:
//!   `o = Σᵢ wᵢ / (s₀s₁ + s₀s₂ + s₁s₂)` of the parent, so its projected coverage
//!   matches theirs on average over view directions.
//!
//! **Where splatview differs.** H3DGS keeps that opacity unclamped (it can exceed 1;
//! their rasterizer reads activated opacities and clamps alpha per pixel at 0.99).
//! splatview stores opacity logits, which cannot exceed 1, so an opacity above
//! [`MAX_MERGED_OPACITY`] is capped there and the missing coverage is put into the
//! size instead: every axis grows by `sqrt(o / MAX_MERGED_OPACITY)`, which scales
//! the ellipsoid surface, and with it the weight, by exactly that ratio. The
//! parent's weight (`Σᵢ wᵢ`, kept unclamped in [`Moments::weight`]) is what its own
//! parent sees, as in H3DGS. Computation is in f64.
//!
//! Degenerate children (non-finite mean, covariance or weight) take no part. When
//! no child has a positive weight (all transparent or infinitely thin), the
//! surviving children are averaged with equal weights and the parent is fully
//! transparent.

use glam::{DMat3, DQuat, DVec3};

use super::eigen::symmetric_eigen;

/// Largest opacity a merged Gaussian is given (see the module docs).
pub const MAX_MERGED_OPACITY: f64 = 0.99;

/// Smallest eigenvalue kept, relative to the largest: a flat cluster gets a thin
/// but not zero-width axis, so its log scale stays finite.
const MIN_RELATIVE_EIGENVALUE: f64 = 1e-12;

/// Smallest standard deviation a merged Gaussian is given (the smallest log scale
/// the loaders produce is ln(f32::MIN_POSITIVE), about -87.3).
const MIN_SCALE: f64 = 1e-37;

/// A Gaussian as the merge sees it: mean, covariance (xx, xy, xz, yy, yz, zz) and
/// weight `opacity x (s₀s₁ + s₀s₂ + s₁s₂)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Moments {
    pub mean: DVec3,
    pub covariance: [f64; 6],
    pub weight: f64,
}

impl Moments {
    /// The moments of a splat stored as 3DGS stores it: natural-log scales, a unit
    /// (w, x, y, z) quaternion and an opacity logit.
    pub fn of_splat(
        position: [f32; 3],
        log_scale: [f32; 3],
        rotation: [f32; 4],
        logit: f32,
    ) -> Self {
        let scale = DVec3::from(log_scale.map(|v| f64::from(v).exp()));
        let [w, x, y, z] = rotation.map(f64::from);
        let r = DMat3::from_quat(DQuat::from_xyzw(x, y, z, w).normalize());
        let m = r * DMat3::from_diagonal(scale);
        let cov = m * m.transpose();
        let opacity = 1.0 / (1.0 + (-f64::from(logit)).exp());
        Self {
            mean: DVec3::from(position.map(f64::from)),
            covariance: [
                cov.x_axis.x,
                cov.y_axis.x,
                cov.z_axis.x,
                cov.y_axis.y,
                cov.z_axis.y,
                cov.z_axis.z,
            ],
            weight: opacity * ellipsoid_surface(scale),
        }
    }

    fn is_usable(&self) -> bool {
        self.mean.is_finite()
            && self.covariance.iter().all(|c| c.is_finite())
            && self.weight.is_finite()
    }
}

/// `s₀s₁ + s₀s₂ + s₁s₂`: the surface of the ellipsoid with semi-axes `s`, up to a
/// constant factor (exact for spheres; the weight H3DGS uses).
pub fn ellipsoid_surface(s: DVec3) -> f64 {
    s.x * s.y + s.x * s.z + s.y * s.z
}

/// A merged Gaussian in the stored parameterisation, plus its unclamped moments.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MergedGaussian {
    pub position: [f32; 3],
    pub log_scale: [f32; 3],
    /// Unit quaternion (w, x, y, z).
    pub rotation: [f32; 4],
    pub opacity_logit: f32,
    /// The moment-matched mean and covariance and the summed child weight: what
    /// this Gaussian contributes when it is merged again.
    pub moments: Moments,
}

/// Merges `children` and writes each child's normalized weight into `weights`
/// (same length; used to average the SH coefficients).
pub fn merge(children: &[Moments], weights: &mut [f64]) -> MergedGaussian {
    let usable = |m: &Moments| m.is_usable() && m.weight >= 0.0;
    let weight_sum: f64 = children
        .iter()
        .filter(|m| usable(m))
        .map(|m| m.weight)
        .sum();
    let count = children.iter().filter(|m| usable(m)).count();
    let equal_weights = !(weight_sum > 0.0 && weight_sum.is_finite());
    for (w, m) in weights.iter_mut().zip(children) {
        *w = match (usable(m), equal_weights) {
            (false, _) => 0.0,
            (true, false) => m.weight / weight_sum,
            (true, true) => 1.0 / count as f64,
        };
    }
    if count == 0 {
        // Nothing to stand for: a transparent point at the first child's place.
        let mean = children.first().map_or(DVec3::ZERO, |m| m.mean);
        return MergedGaussian {
            position: mean.as_vec3().to_array(),
            log_scale: [MIN_SCALE.ln() as f32; 3],
            rotation: [1.0, 0.0, 0.0, 0.0],
            opacity_logit: f32::NEG_INFINITY,
            moments: Moments {
                mean,
                covariance: [0.0; 6],
                weight: 0.0,
            },
        };
    }

    let mean: DVec3 = children
        .iter()
        .zip(weights.iter())
        .filter(|(_, w)| **w > 0.0)
        .map(|(m, w)| m.mean * *w)
        .sum();
    let mut cov = [0.0f64; 6];
    for (m, &w) in children.iter().zip(weights.iter()) {
        if w <= 0.0 {
            continue;
        }
        let d = m.mean - mean;
        let outer = [
            d.x * d.x,
            d.x * d.y,
            d.x * d.z,
            d.y * d.y,
            d.y * d.z,
            d.z * d.z,
        ];
        for k in 0..6 {
            cov[k] += w * (m.covariance[k] + outer[k]);
        }
    }
    let total_weight = if equal_weights { 0.0 } else { weight_sum };
    decompose(mean, cov, total_weight)
}

/// Scale, rotation and opacity of the Gaussian with `mean`, covariance `cov` and
/// weight `weight` (see the module docs for the opacity cap).
fn decompose(mean: DVec3, cov: [f64; 6], weight: f64) -> MergedGaussian {
    let matrix = DMat3::from_cols(
        DVec3::new(cov[0], cov[1], cov[2]),
        DVec3::new(cov[1], cov[3], cov[4]),
        DVec3::new(cov[2], cov[4], cov[5]),
    );
    let eigen = symmetric_eigen(matrix);
    let largest = eigen.values.max_element().max(0.0);
    let floor = (largest * MIN_RELATIVE_EIGENVALUE).max(MIN_SCALE * MIN_SCALE);
    let mut scale = eigen.values.max(DVec3::splat(floor)).map(f64::sqrt);
    let mut opacity = weight / ellipsoid_surface(scale);
    if !opacity.is_finite() {
        opacity = 0.0;
    }
    if opacity > MAX_MERGED_OPACITY {
        scale *= (opacity / MAX_MERGED_OPACITY).sqrt();
        opacity = MAX_MERGED_OPACITY;
    }
    let q = DQuat::from_mat3(&eigen.vectors).normalize();
    let logit = (opacity / (1.0 - opacity)).ln();
    MergedGaussian {
        position: mean.as_vec3().to_array(),
        log_scale: scale.map(f64::ln).as_vec3().to_array(),
        rotation: [q.w as f32, q.x as f32, q.y as f32, q.z as f32],
        opacity_logit: logit as f32,
        moments: Moments {
            mean,
            covariance: cov,
            weight,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logit(o: f64) -> f32 {
        (o / (1.0 - o)).ln() as f32
    }

    fn sigmoid(x: f32) -> f64 {
        1.0 / (1.0 + (-f64::from(x)).exp())
    }

    fn merged_covariance(m: &MergedGaussian) -> DMat3 {
        let [w, x, y, z] = m.rotation.map(f64::from);
        let r = DMat3::from_quat(DQuat::from_xyzw(x, y, z, w));
        let s = DVec3::from(m.log_scale.map(|v| f64::from(v).exp()));
        r * DMat3::from_diagonal(s * s) * r.transpose()
    }

    fn assert_matrix(a: DMat3, b: DMat3, tol: f64) {
        let max = (a - b)
            .to_cols_array()
            .iter()
            .fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(max <= tol, "{a} != {b} (max diff {max})");
    }

    #[test]
    fn two_equal_gaussians_keep_shape_and_add_opacity() {
        // Hand computation: equal weights, d = 0, so mean and covariance are the
        // child's; o = 2 o₁ S / S = 2 x 0.3 = 0.6.
        let child = Moments::of_splat(
            [1.0, 2.0, 3.0],
            [0.5f32.ln(), 0.25f32.ln(), 0.1f32.ln()],
            [0.9, 0.1, -0.3, 0.2],
            logit(0.3),
        );
        let mut weights = [0.0; 2];
        let m = merge(&[child, child], &mut weights);
        assert_eq!(weights, [0.5, 0.5]);
        assert_eq!(m.position, [1.0, 2.0, 3.0]);
        assert!((sigmoid(m.opacity_logit) - 0.6).abs() < 1e-6);
        let expected = Moments::of_splat(
            [0.0; 3],
            [0.5f32.ln(), 0.25f32.ln(), 0.1f32.ln()],
            [0.9, 0.1, -0.3, 0.2],
            0.0,
        );
        let c = expected.covariance;
        let expected = DMat3::from_cols(
            DVec3::new(c[0], c[1], c[2]),
            DVec3::new(c[1], c[3], c[4]),
            DVec3::new(c[2], c[4], c[5]),
        );
        assert_matrix(merged_covariance(&m), expected, 1e-6);
        assert!((m.moments.weight - 2.0 * child.weight).abs() < 1e-12);
    }

    #[test]
    fn two_gaussians_along_an_axis() {
        // Isotropic σ = 0.1 at x = ±1, opacity 0.5 each. By hand:
        // μ = 0, Σ = σ²I + diag(1, 0, 0), so the scales are (σ, σ, sqrt(1 + σ²)) in
        // ascending order with the long axis along x; the weights are
        // 0.5 x 3σ² each, so o = 3σ² / (σ² + 2σ sqrt(1 + σ²)).
        let sigma = 0.1f64;
        let left = Moments::of_splat(
            [-1.0, 0.0, 0.0],
            [(sigma as f32).ln(); 3],
            [1.0, 0.0, 0.0, 0.0],
            0.0,
        );
        let right = Moments::of_splat(
            [1.0, 0.0, 0.0],
            [(sigma as f32).ln(); 3],
            [1.0, 0.0, 0.0, 0.0],
            0.0,
        );
        let mut weights = [0.0; 2];
        let m = merge(&[left, right], &mut weights);
        assert!(DVec3::from(m.position.map(f64::from)).length() < 1e-7);
        let long = (1.0 + sigma * sigma).sqrt();
        let scales = m.log_scale.map(|v| f64::from(v).exp());
        assert!((scales[0] - sigma).abs() < 1e-6 && (scales[1] - sigma).abs() < 1e-6);
        assert!((scales[2] - long).abs() < 1e-6, "{scales:?}");
        assert_matrix(
            merged_covariance(&m),
            DMat3::from_diagonal(DVec3::new(
                1.0 + sigma * sigma,
                sigma * sigma,
                sigma * sigma,
            )),
            1e-6,
        );
        let expected_opacity = 3.0 * sigma * sigma / (sigma * sigma + 2.0 * sigma * long);
        assert!((sigmoid(m.opacity_logit) - expected_opacity).abs() < 1e-6);
    }

    #[test]
    fn weights_follow_opacity() {
        // Same shape, opacities 0.8 and 0.2: weights 0.8 and 0.2, so a red and a blue
        // child average to 0.8 red + 0.2 blue (the caller averages SH with them).
        let a = Moments::of_splat([0.0; 3], [0.0; 3], [1.0, 0.0, 0.0, 0.0], logit(0.8));
        let b = Moments::of_splat([0.0; 3], [0.0; 3], [1.0, 0.0, 0.0, 0.0], logit(0.2));
        let mut weights = [0.0; 2];
        merge(&[a, b], &mut weights);
        assert!((weights[0] - 0.8).abs() < 1e-6 && (weights[1] - 0.2).abs() < 1e-6);
    }

    #[test]
    fn opaque_clusters_grow_instead_of_exceeding_full_opacity() {
        // Four opaque unit spheres at one place: H3DGS would give opacity 4 x 0.99.
        // splatview caps the opacity and grows the axes by sqrt(ratio) instead, so
        // the weight (opacity x surface) is unchanged.
        let child = Moments::of_splat([0.0; 3], [0.0; 3], [1.0, 0.0, 0.0, 0.0], logit(0.99));
        let mut weights = [0.0; 4];
        let m = merge(&[child; 4], &mut weights);
        let o = sigmoid(m.opacity_logit);
        assert!((o - MAX_MERGED_OPACITY).abs() < 1e-6);
        let s = DVec3::from(m.log_scale.map(|v| f64::from(v).exp()));
        assert!((o * ellipsoid_surface(s) - 4.0 * child.weight).abs() < 1e-4);
    }

    #[test]
    fn transparent_and_broken_children() {
        let clear = Moments::of_splat([0.0; 3], [0.0; 3], [1.0, 0.0, 0.0, 0.0], f32::NEG_INFINITY);
        let clear2 = Moments::of_splat(
            [2.0, 0.0, 0.0],
            [0.0; 3],
            [1.0, 0.0, 0.0, 0.0],
            f32::NEG_INFINITY,
        );
        let broken = Moments::of_splat([f32::NAN, 0.0, 0.0], [0.0; 3], [1.0, 0.0, 0.0, 0.0], 0.0);
        let mut weights = [0.0; 3];
        let m = merge(&[clear, clear2, broken], &mut weights);
        assert_eq!(weights, [0.5, 0.5, 0.0]);
        assert_eq!(m.position, [1.0, 0.0, 0.0]);
        assert_eq!(sigmoid(m.opacity_logit), 0.0);
        assert!(m.log_scale.iter().all(|v| v.is_finite()));
        let m = merge(&[broken], &mut weights[..1]);
        assert_eq!(m.opacity_logit, f32::NEG_INFINITY);
        assert!(m.log_scale.iter().all(|v| v.is_finite()));
    }
}
