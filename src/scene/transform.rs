//! Similarity transforms (uniform scale, rotation, translation) of scene objects, and
//! baking one into a splat cloud.
//!
//! A point `p` goes to `s R p + t`. For a Gaussian with rotation `q` and scales `σ`,
//! the covariance `R_q S² R_qᵀ` becomes `s² (R R_q) S² (R R_q)ᵀ`: the new rotation is
//! `R q` (quaternion product) and every log scale grows by `ln s`. View-dependent
//! colour must turn with the scene: the SH coefficients of bands 1-3 are rotated by
//! [`ShRotation`] so that the moved splat shows along `R d` what it showed along `d`.
//! Opacity and the DC colour do not change. A reflection (negative scale) is not a
//! similarity here: it would mirror the SH too.

use glam::{Mat4, Quat, Vec3};

use super::SplatCloud;
use super::sh_rotation::ShRotation;
use super::splats::normalize_quat;

/// `world_from_object = translate(translation) * rotate(rotation) * scale(scale)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Similarity {
    pub translation: Vec3,
    pub rotation: Quat,
    /// Uniform scale, > 0.
    pub scale: f32,
}

impl Default for Similarity {
    fn default() -> Self {
        Self::IDENTITY
    }
}

impl Similarity {
    pub const IDENTITY: Self = Self {
        translation: Vec3::ZERO,
        rotation: Quat::IDENTITY,
        scale: 1.0,
    };

    pub fn to_mat4(&self) -> Mat4 {
        Mat4::from_scale_rotation_translation(
            Vec3::splat(self.scale),
            self.rotation,
            self.translation,
        )
    }

    /// The similarity a matrix holds, if it is one: no shear, no projection, equal
    /// positive scales (within a relative `1e-4`).
    pub fn from_mat4(m: Mat4) -> Option<Self> {
        if !m.is_finite() || m.row(3) != glam::Vec4::W {
            return None;
        }
        let (scale, rotation, translation) = m.to_scale_rotation_translation();
        let s = scale.x;
        let uniform = (scale - Vec3::splat(s)).abs().max_element() <= 1e-4 * s.abs();
        let candidate = Self {
            translation,
            rotation: rotation.normalize(),
            scale: s,
        };
        // The decomposition assumes no shear; check by rebuilding.
        let rebuilt = candidate.to_mat4();
        let tolerance = 1e-4
            * (1.0
                + m.abs()
                    .to_cols_array()
                    .iter()
                    .fold(0.0f32, |a, &b| a.max(b)));
        let same = rebuilt.abs_diff_eq(m, tolerance);
        (s > 0.0 && uniform && same).then_some(candidate)
    }

    pub fn transform_point(&self, p: Vec3) -> Vec3 {
        self.scale * (self.rotation * p) + self.translation
    }

    /// Applies `self` to every splat of `cloud` in place: positions, rotations, log
    /// scales and SH bands 1-3. Runs on all cores for large clouds.
    pub fn apply_to_splats(&self, cloud: &mut SplatCloud) {
        let sh = ShRotation::new(self.rotation);
        let log_scale = self.scale.ln();
        let rest = cloud.rest_coeffs_per_splat() * 3;
        let threads = std::thread::available_parallelism()
            .map_or(1, |t| t.get())
            .min(cloud.len() / 16_384)
            .max(1);
        let per_thread = cloud.len().div_ceil(threads).max(1);
        let slices = cloud.slices_mut();
        let parts = slices
            .positions
            .chunks_mut(per_thread)
            .zip(slices.rotations.chunks_mut(per_thread))
            .zip(slices.log_scales.chunks_mut(per_thread))
            .zip(
                slices
                    .sh_rest
                    .chunks_mut((per_thread * rest).max(1))
                    .chain(std::iter::repeat_with(|| &mut [][..])),
            );
        std::thread::scope(|scope| {
            for (((positions, rotations), log_scales), sh_rest) in parts {
                let sh = &sh;
                scope.spawn(move || {
                    for p in positions.iter_mut() {
                        *p = self.transform_point(Vec3::from_array(*p)).to_array();
                    }
                    for q in rotations.iter_mut() {
                        let [w, x, y, z] = *q;
                        let turned = self.rotation * Quat::from_xyzw(x, y, z, w);
                        *q = normalize_quat([turned.w, turned.x, turned.y, turned.z]);
                    }
                    for s in log_scales.iter_mut() {
                        *s = s.map(|v| v + log_scale);
                    }
                    if rest > 0 {
                        for coeffs in sh_rest.chunks_exact_mut(rest) {
                            sh.rotate_splat(coeffs);
                        }
                    }
                });
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrices_round_trip_and_non_similarities_are_refused() {
        let s = Similarity {
            translation: Vec3::new(1.0, -2.0, 3.0),
            rotation: Quat::from_euler(glam::EulerRot::XYZ, 0.3, 1.0, -0.5),
            scale: 2.5,
        };
        let back = Similarity::from_mat4(s.to_mat4()).expect("similarity");
        assert!(back.translation.abs_diff_eq(s.translation, 1e-5));
        assert!(
            back.rotation.abs_diff_eq(s.rotation, 1e-5)
                || back.rotation.abs_diff_eq(-s.rotation, 1e-5)
        );
        assert!((back.scale - 2.5).abs() < 1e-5);
        assert!(Similarity::from_mat4(Mat4::from_scale(Vec3::new(1.0, 2.0, 1.0))).is_none());
        assert!(Similarity::from_mat4(Mat4::from_scale(Vec3::splat(-1.0))).is_none());
        let shear = Mat4::from_cols_array(&[
            1.0, 0.5, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0,
        ]);
        assert!(Similarity::from_mat4(shear).is_none());
    }

    #[test]
    fn splat_attributes_follow_the_transform() {
        let mut cloud = SplatCloud::new(1);
        cloud.positions = vec![[1.0, 0.0, 0.0]];
        cloud.log_scales = vec![[0.0, -1.0, 2.0]];
        cloud.rotations = vec![[1.0, 0.0, 0.0, 0.0]];
        cloud.opacity_logits = vec![0.3];
        cloud.sh_dc = vec![[0.1, 0.2, 0.3]];
        cloud.sh_rest = vec![0.5; 9];
        let t = Similarity {
            translation: Vec3::new(0.0, 0.0, 1.0),
            rotation: Quat::from_rotation_z(std::f32::consts::FRAC_PI_2),
            scale: 2.0,
        };
        let mut moved = cloud.clone();
        t.apply_to_splats(&mut moved);
        assert!(Vec3::from_array(moved.positions[0]).abs_diff_eq(Vec3::new(0.0, 2.0, 1.0), 1e-6));
        let ln2 = 2f32.ln();
        assert_eq!(moved.log_scales[0], [ln2, -1.0 + ln2, 2.0 + ln2]);
        let q = moved.rotations[0];
        let expected = t.rotation;
        assert!(
            (q[0] - expected.w).abs() < 1e-6 && (q[3] - expected.z).abs() < 1e-6,
            "{q:?}"
        );
        assert_eq!(
            (moved.opacity_logits.clone(), moved.sh_dc.clone()),
            (cloud.opacity_logits, cloud.sh_dc)
        );
        assert_ne!(moved.sh_rest, cloud.sh_rest);
    }
}
