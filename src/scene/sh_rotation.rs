//! Rotating spherical-harmonic colour coefficients (bands 1-3) with a 3D rotation.
//!
//! A splat's colour along a viewing direction `d` is `f(d) = sum_k c_k Y_k(d)`. When
//! the scene is rotated by `R`, the rotated splat must show along `R d` the colour the
//! original showed along `d`: `f'(d) = f(R^-1 d)`. Each band `l` spans a space that
//! rotations map into itself, so there is a `(2l+1) x (2l+1)` matrix `M_l` with
//! `Y_l(R^-1 d) = M_l^T Y_l(d)` for every direction, and the new coefficients are
//! `c'_l = M_l c_l`.
//!
//! `M_l` is found by projection, as in P.-P. Sloan, "Stupid Spherical Harmonics (SH)
//! Tricks" (GDC 2008, section "Rotation"): evaluate the band's basis at a fixed set of
//! directions `d_i` (matrix `A`, one row per direction) and at `R^-1 d_i` (matrix `B`),
//! and solve `A M_l = B` in the least-squares sense, `M_l = (A^T A)^-1 A^T B`; with more
//! directions than basis functions in general position the solution is exact up to
//! rounding. The basis is the one the renderers evaluate ([`sh_basis`], 3DGS
//! `sh_utils.py`: its constants and signs), so the matrices are right for that
//! convention whatever it is. Ivanic and Ruedenberg's recurrences (J. Phys. Chem. 1996,
//! 100, 6342) give the same matrices in closed form; the projection is shorter and its
//! cost (a few 7x7 solves per rotation, not per splat) does not matter.

use glam::{DQuat, DVec3, Quat};

use super::sh_basis::sh_basis;

/// Sample directions per band: twice the band's basis functions.
const SAMPLES_PER_FUNCTION: usize = 2;

/// The rotation matrices of bands 1, 2 and 3 for one rotation.
#[derive(Clone, Debug, PartialEq)]
pub struct ShRotation {
    /// `bands[l - 1]` is `M_l`, row-major, `(2l+1)^2` entries.
    bands: [Vec<f64>; 3],
}

/// First coefficient index (counting DC as 0) and size of band `l`.
fn band_range(l: usize) -> (usize, usize) {
    (l * l, 2 * l + 1)
}

/// `n` directions spread over the sphere (a Fibonacci lattice): in general position
/// for every band up to 3.
fn sample_directions(n: usize) -> Vec<DVec3> {
    let golden = std::f64::consts::PI * (3.0 - 5f64.sqrt());
    (0..n)
        .map(|i| {
            let z = 1.0 - (2.0 * i as f64 + 1.0) / n as f64;
            let r = (1.0 - z * z).max(0.0).sqrt();
            let phi = golden * i as f64;
            DVec3::new(r * phi.cos(), r * phi.sin(), z)
        })
        .collect()
}

/// Solves `m x = b` for a small dense system (Gaussian elimination with partial
/// pivoting); `m` is `n x n` row-major, `b` holds `k` right-hand sides as `n x k`.
fn solve(mut m: Vec<f64>, mut b: Vec<f64>, n: usize, k: usize) -> Vec<f64> {
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&a, &c| m[a * n + col].abs().total_cmp(&m[c * n + col].abs()))
            .unwrap_or(col);
        for j in 0..n {
            m.swap(col * n + j, pivot * n + j);
        }
        for j in 0..k {
            b.swap(col * k + j, pivot * k + j);
        }
        let diag = m[col * n + col];
        if diag.abs() < 1e-300 {
            continue;
        }
        for row in 0..n {
            if row == col {
                continue;
            }
            let f = m[row * n + col] / diag;
            if f == 0.0 {
                continue;
            }
            for j in col..n {
                m[row * n + j] -= f * m[col * n + j];
            }
            for j in 0..k {
                b[row * k + j] -= f * b[col * k + j];
            }
        }
    }
    for row in 0..n {
        let diag = m[row * n + row];
        for j in 0..k {
            b[row * k + j] = if diag.abs() < 1e-300 {
                0.0
            } else {
                b[row * k + j] / diag
            };
        }
    }
    b
}

impl ShRotation {
    /// The matrices for `rotation` (normalized first).
    pub fn new(rotation: Quat) -> Self {
        let r = rotation.as_dquat().normalize();
        Self {
            bands: [1, 2, 3].map(|l| band_matrix(l, r)),
        }
    }

    /// Rotates one colour channel's coefficients beyond DC in place: `rest[k]` is
    /// coefficient `k + 1` (3, 8 or 15 values for degree 1-3; anything shorter stops at
    /// the last whole band).
    pub fn rotate_channel(&self, rest: &mut [f64]) {
        for l in 1..=3 {
            let (first, size) = band_range(l);
            let Some(band) = rest.get_mut(first - 1..first - 1 + size) else {
                return;
            };
            let m = &self.bands[l - 1];
            let old: Vec<f64> = band.to_vec();
            for (row, out) in band.iter_mut().enumerate() {
                *out = (0..size).map(|j| m[row * size + j] * old[j]).sum();
            }
        }
    }

    /// Rotates the coefficients beyond DC of one splat, stored as in
    /// `SplatCloud::sh_rest` (coefficient-major, then channel: `rest[k * 3 + c]`).
    pub fn rotate_splat(&self, rest: &mut [f32]) {
        let coeffs = rest.len() / 3;
        let mut channel = [0f64; 15];
        for c in 0..3 {
            for k in 0..coeffs.min(15) {
                channel[k] = f64::from(rest[k * 3 + c]);
            }
            self.rotate_channel(&mut channel[..coeffs.min(15)]);
            for k in 0..coeffs.min(15) {
                rest[k * 3 + c] = channel[k] as f32;
            }
        }
    }
}

/// `M_l` for a rotation: see the module documentation.
fn band_matrix(l: usize, rotation: DQuat) -> Vec<f64> {
    let (first, size) = band_range(l);
    let directions = sample_directions(SAMPLES_PER_FUNCTION * size);
    let inverse = rotation.inverse();
    let band = |d: DVec3| -> Vec<f64> { sh_basis(d)[first..first + size].to_vec() };
    let a: Vec<Vec<f64>> = directions.iter().map(|&d| band(d)).collect();
    let b: Vec<Vec<f64>> = directions.iter().map(|&d| band(inverse * d)).collect();
    // Normal equations: (A^T A) X = A^T B, X = M_l^T (columns per coefficient).
    let mut ata = vec![0.0; size * size];
    let mut atb = vec![0.0; size * size];
    for (row_a, row_b) in a.iter().zip(&b) {
        for i in 0..size {
            for j in 0..size {
                ata[i * size + j] += row_a[i] * row_a[j];
                atb[i * size + j] += row_a[i] * row_b[j];
            }
        }
    }
    // Y(R^-1 d) = X^T Y(d) row by row: Y_j(R^-1 d) = sum_i X[i][j] Y_i(d). The new
    // coefficients c'_i = sum_j X[i][j] c_j, so M_l = X.
    solve(ata, atb, size, size)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `f(d) = sum_k c_k Y_k(d)` over bands 1-3 (no DC).
    fn evaluate(rest: &[f64], d: DVec3) -> f64 {
        let basis = sh_basis(d.normalize());
        rest.iter().zip(&basis[1..]).map(|(c, y)| c * y).sum()
    }

    fn pseudo_random(seed: u64, n: usize) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
            })
            .collect()
    }

    #[test]
    fn rotated_coefficients_show_the_original_colour_along_the_rotated_direction() {
        let rotation = Quat::from_euler(glam::EulerRot::YXZ, 0.7, -1.1, 2.3);
        let sh = ShRotation::new(rotation);
        let r = rotation.as_dquat();
        for (seed, degree) in [(1u64, 1usize), (2, 2), (3, 3)] {
            let n = (degree + 1) * (degree + 1) - 1;
            let original = pseudo_random(seed, n);
            let mut rotated = original.clone();
            sh.rotate_channel(&mut rotated);
            for d in sample_directions(50) {
                let expected = evaluate(&original, d);
                let got = evaluate(&rotated, r * d);
                assert!(
                    (expected - got).abs() < 1e-9,
                    "degree {degree}: {expected} vs {got}"
                );
            }
        }
    }

    #[test]
    fn identity_changes_nothing_and_rotations_compose() {
        let id = ShRotation::new(Quat::IDENTITY);
        let mut c = pseudo_random(7, 15);
        let before = c.clone();
        id.rotate_channel(&mut c);
        for (a, b) in c.iter().zip(&before) {
            assert!((a - b).abs() < 1e-12);
        }
        let (q1, q2) = (Quat::from_rotation_x(0.4), Quat::from_rotation_z(-1.3));
        let mut twice = before.clone();
        ShRotation::new(q1).rotate_channel(&mut twice);
        ShRotation::new(q2).rotate_channel(&mut twice);
        let mut once = before;
        ShRotation::new(q2 * q1).rotate_channel(&mut once);
        // The quaternion product is taken in f32.
        for (a, b) in twice.iter().zip(&once) {
            assert!((a - b).abs() < 1e-6, "{a} vs {b}");
        }
    }

    #[test]
    fn splat_layout_is_coefficient_major() {
        // Channel 1 only, band 1: a rotation of 90 degrees about z maps the basis
        // function -C1 y onto +C1 x's place (3DGS order: -y, z, -x).
        let mut rest = vec![0f32; 9];
        rest[3 + 1] = 1.0; // coefficient 1 (z), channel 1 (green): unchanged by a z turn.
        rest[1] = 1.0; // coefficient 0 (-y), channel 1.
        ShRotation::new(Quat::from_rotation_z(std::f32::consts::FRAC_PI_2)).rotate_splat(&mut rest);
        assert!((rest[4] - 1.0).abs() < 1e-6, "{rest:?}");
        assert!(rest[0].abs() < 1e-6 && rest[2].abs() < 1e-6 && rest[5].abs() < 1e-6);
        // -y rotated by +90 degrees about z points along +x: coefficient 2 is -x, so -1.
        assert!((rest[2 * 3 + 1] + 1.0).abs() < 1e-6, "{rest:?}");
        assert!(rest[1].abs() < 1e-6, "{rest:?}");
    }
}
