//! `SplatCloud`: the CPU data model of a 3D Gaussian Splatting scene.
//!
//! Struct of arrays, in the parameterisation the INRIA 3DGS trainer writes:
//! log scales, opacity logits, unit quaternions (w, x, y, z) and spherical-harmonic
//! coefficients. Activations (exp, sigmoid) are applied by the renderers, so every
//! loader only has to convert its own encoding into this one.

use glam::Vec3;

use super::antialias::AaHint;

/// Largest spherical-harmonics degree splatview understands (as in 3DGS).
pub const MAX_SH_DEGREE: u32 = 3;

/// Number of SH coefficients per colour channel for a degree, including the DC term.
pub const fn sh_coeffs_for_degree(degree: u32) -> usize {
    ((degree + 1) * (degree + 1)) as usize
}

/// A Gaussian splat scene, struct of arrays. All vectors have `len()` entries,
/// except `sh_rest`, which has `len() * rest_coeffs_per_splat()` entries.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SplatCloud {
    /// Centres in world space.
    pub positions: Vec<[f32; 3]>,
    /// Natural log of the per-axis standard deviations (3DGS `scale_*`).
    pub log_scales: Vec<[f32; 3]>,
    /// Unit quaternions, (w, x, y, z) as 3DGS `rot_0..rot_3`.
    pub rotations: Vec<[f32; 4]>,
    /// Opacity before the sigmoid (3DGS `opacity`).
    pub opacity_logits: Vec<f32>,
    /// Degree-0 SH coefficient per channel (3DGS `f_dc_0..2`).
    pub sh_dc: Vec<[f32; 3]>,
    /// Higher-order SH coefficients, coefficient-major then channel:
    /// `sh_rest[(i * rest + k) * 3 + c]` for splat `i`, coefficient `k` (0-based after DC)
    /// and channel `c`. Note that 3DGS PLY files store them channel-major; loaders transpose.
    pub sh_rest: Vec<f32>,
    /// SH degree, 0..=3.
    pub sh_degree: u32,
    /// The anti-aliasing mode the file asks for, and why (set by the loaders; see
    /// docs/ANTIALIASING.md). Change it with [`Self::set_aa_hint`].
    pub aa_hint: AaHint,
}

impl SplatCloud {
    /// An empty cloud with the given SH degree.
    pub fn new(sh_degree: u32) -> Self {
        Self {
            sh_degree,
            ..Default::default()
        }
    }

    /// `n` splats with every value zero (not valid splats: to be overwritten through
    /// [`Self::slices_mut`]). The memory comes zeroed from the allocator, so untouched
    /// pages cost nothing until written.
    pub fn zeroed(n: usize, sh_degree: u32) -> Self {
        let rest = (sh_coeffs_for_degree(sh_degree) - 1) * 3;
        Self {
            positions: vec![[0.0; 3]; n],
            log_scales: vec![[0.0; 3]; n],
            rotations: vec![[0.0; 4]; n],
            opacity_logits: vec![0.0; n],
            sh_dc: vec![[0.0; 3]; n],
            sh_rest: vec![0.0; n * rest],
            sh_degree,
            aa_hint: AaHint::default(),
        }
    }

    /// Sets the anti-aliasing hint.
    pub fn set_aa_hint(&mut self, hint: AaHint) {
        self.aa_hint = hint;
    }

    /// Mutable views of every attribute array, to fill disjoint ranges in parallel.
    pub fn slices_mut(&mut self) -> SplatSlicesMut<'_> {
        SplatSlicesMut {
            rest_values: self.rest_coeffs_per_splat() * 3,
            positions: &mut self.positions,
            log_scales: &mut self.log_scales,
            rotations: &mut self.rotations,
            opacity_logits: &mut self.opacity_logits,
            sh_dc: &mut self.sh_dc,
            sh_rest: &mut self.sh_rest,
        }
    }

    pub fn len(&self) -> usize {
        self.positions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }

    /// Bytes of CPU memory held by the attribute arrays (for the scene panel).
    pub fn memory_bytes(&self) -> usize {
        self.len() * (12 + 12 + 16 + 4 + 12) + self.sh_rest.len() * 4
    }

    /// SH coefficients per channel beyond the DC term (0, 3, 8 or 15).
    pub fn rest_coeffs_per_splat(&self) -> usize {
        sh_coeffs_for_degree(self.sh_degree) - 1
    }

    /// Reserve room for `additional` more splats in every array.
    pub fn reserve(&mut self, additional: usize) {
        self.positions.reserve(additional);
        self.log_scales.reserve(additional);
        self.rotations.reserve(additional);
        self.opacity_logits.reserve(additional);
        self.sh_dc.reserve(additional);
        self.sh_rest
            .reserve(additional * self.rest_coeffs_per_splat() * 3);
    }

    /// Append all splats of `other` (same SH degree required; returns false otherwise).
    pub fn append(&mut self, other: &SplatCloud) -> bool {
        if other.sh_degree != self.sh_degree {
            return false;
        }
        self.positions.extend_from_slice(&other.positions);
        self.log_scales.extend_from_slice(&other.log_scales);
        self.rotations.extend_from_slice(&other.rotations);
        self.opacity_logits.extend_from_slice(&other.opacity_logits);
        self.sh_dc.extend_from_slice(&other.sh_dc);
        self.sh_rest.extend_from_slice(&other.sh_rest);
        true
    }

    /// The SH coefficients of splat `i` beyond DC, as `[coeff][channel]`.
    pub fn sh_rest_of(&self, i: usize) -> &[f32] {
        let n = self.rest_coeffs_per_splat() * 3;
        &self.sh_rest[i * n..(i + 1) * n]
    }

    /// Checks the array lengths agree; loaders call this before handing a cloud out.
    pub fn is_consistent(&self) -> bool {
        let n = self.len();
        self.sh_degree <= MAX_SH_DEGREE
            && self.log_scales.len() == n
            && self.rotations.len() == n
            && self.opacity_logits.len() == n
            && self.sh_dc.len() == n
            && self.sh_rest.len() == n * self.rest_coeffs_per_splat() * 3
    }

    /// A new cloud holding the splats at `indices`, in that order.
    pub fn select(&self, indices: &[usize]) -> SplatCloud {
        let mut out = SplatCloud::new(self.sh_degree);
        out.set_aa_hint(self.aa_hint.clone());
        out.reserve(indices.len());
        for &i in indices {
            out.push_from(self, i, [0.0; 3]);
        }
        out
    }

    /// Appends splat `i` of `other` (same SH degree), moved by `offset`.
    pub fn push_from(&mut self, other: &SplatCloud, i: usize, offset: [f32; 3]) {
        let rest = other.rest_coeffs_per_splat() * 3;
        let p = other.positions[i];
        self.positions
            .push([p[0] + offset[0], p[1] + offset[1], p[2] + offset[2]]);
        self.log_scales.push(other.log_scales[i]);
        self.rotations.push(other.rotations[i]);
        self.opacity_logits.push(other.opacity_logits[i]);
        self.sh_dc.push(other.sh_dc[i]);
        self.sh_rest
            .extend_from_slice(&other.sh_rest[i * rest..(i + 1) * rest]);
    }

    /// The same splats at SH degree `degree` (0..=3): higher bands are dropped, new
    /// bands are zero (the colour is unchanged). For benchmark files of a given degree.
    pub fn with_sh_degree(&self, degree: u32) -> SplatCloud {
        let degree = degree.min(3);
        let mut out = self.clone();
        out.sh_degree = degree;
        let (old, new) = (
            self.rest_coeffs_per_splat() * 3,
            out.rest_coeffs_per_splat() * 3,
        );
        out.sh_rest = vec![0.0; self.len() * new];
        let keep = old.min(new);
        if keep > 0 {
            for (dst, src) in out
                .sh_rest
                .chunks_exact_mut(new)
                .zip(self.sh_rest.chunks_exact(old))
            {
                dst[..keep].copy_from_slice(&src[..keep]);
            }
        }
        out
    }

    /// Iterator over positions as `Vec3`.
    pub fn position_iter(&self) -> impl Iterator<Item = Vec3> + '_ {
        self.positions.iter().map(|p| Vec3::from_array(*p))
    }
}

/// Mutable views of the attribute arrays of a range of splats (see
/// [`SplatCloud::slices_mut`]).
pub struct SplatSlicesMut<'a> {
    /// `f_rest` values per splat (3 x coefficients beyond DC).
    pub rest_values: usize,
    pub positions: &'a mut [[f32; 3]],
    pub log_scales: &'a mut [[f32; 3]],
    pub rotations: &'a mut [[f32; 4]],
    pub opacity_logits: &'a mut [f32],
    pub sh_dc: &'a mut [[f32; 3]],
    pub sh_rest: &'a mut [f32],
}

impl<'a> SplatSlicesMut<'a> {
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }

    /// Splits into splats `..mid` and `mid..` (`mid` clamped to the length).
    pub fn split_at(self, mid: usize) -> (Self, Self) {
        let mid = mid.min(self.len());
        let rest = self.rest_values;
        let (positions, positions_b) = self.positions.split_at_mut(mid);
        let (log_scales, log_scales_b) = self.log_scales.split_at_mut(mid);
        let (rotations, rotations_b) = self.rotations.split_at_mut(mid);
        let (opacity_logits, opacity_logits_b) = self.opacity_logits.split_at_mut(mid);
        let (sh_dc, sh_dc_b) = self.sh_dc.split_at_mut(mid);
        let (sh_rest, sh_rest_b) = self.sh_rest.split_at_mut(mid * rest);
        (
            Self {
                rest_values: rest,
                positions,
                log_scales,
                rotations,
                opacity_logits,
                sh_dc,
                sh_rest,
            },
            Self {
                rest_values: rest,
                positions: positions_b,
                log_scales: log_scales_b,
                rotations: rotations_b,
                opacity_logits: opacity_logits_b,
                sh_dc: sh_dc_b,
                sh_rest: sh_rest_b,
            },
        )
    }
}

/// Normalizes a (w, x, y, z) quaternion; a zero or non-finite one becomes identity.
pub fn normalize_quat(q: [f32; 4]) -> [f32; 4] {
    let len2 = q.iter().map(|v| v * v).sum::<f32>();
    if len2.is_finite() && len2 > 1e-30 {
        let inv = len2.sqrt().recip();
        [q[0] * inv, q[1] * inv, q[2] * inv, q[3] * inv]
    } else {
        [1.0, 0.0, 0.0, 0.0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quaternion_normalization() {
        let q = normalize_quat([2.0, 0.0, 0.0, 0.0]);
        assert_eq!(q, [1.0, 0.0, 0.0, 0.0]);
        assert_eq!(normalize_quat([0.0; 4]), [1.0, 0.0, 0.0, 0.0]);
        let q = normalize_quat([1.0, 1.0, 1.0, 1.0]);
        assert!((q.iter().map(|v| v * v).sum::<f32>() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn coefficient_counts() {
        assert_eq!(sh_coeffs_for_degree(0), 1);
        assert_eq!(sh_coeffs_for_degree(3), 16);
        assert_eq!(SplatCloud::new(2).rest_coeffs_per_splat(), 8);
        assert_eq!(SplatCloud::zeroed(10, 3).memory_bytes(), 10 * (56 + 45 * 4));
    }

    #[test]
    fn changing_the_sh_degree_keeps_the_lower_bands() {
        let mut cloud = SplatCloud::new(1);
        cloud.positions = vec![[1.0, 2.0, 3.0]; 2];
        cloud.log_scales = vec![[0.0; 3]; 2];
        cloud.rotations = vec![[1.0, 0.0, 0.0, 0.0]; 2];
        cloud.opacity_logits = vec![0.5; 2];
        cloud.sh_dc = vec![[0.1, 0.2, 0.3]; 2];
        cloud.sh_rest = (0..18).map(|v| v as f32).collect();
        let up = cloud.with_sh_degree(3);
        assert!(up.is_consistent());
        assert_eq!(up.sh_rest[..9], cloud.sh_rest[..9]);
        assert!(up.sh_rest[9..45].iter().all(|v| *v == 0.0));
        assert_eq!(up.sh_rest[45..54], cloud.sh_rest[9..18]);
        let down = up.with_sh_degree(1);
        assert_eq!(down.sh_rest, cloud.sh_rest);
        assert_eq!(up.with_sh_degree(0).sh_rest.len(), 0);
    }
}
