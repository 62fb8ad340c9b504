//! Eigen-decomposition of a symmetric 3x3 matrix by the cyclic Jacobi method.
//!
//! Each Jacobi rotation zeroes one off-diagonal pair (p, q) of `A` by `A <- Jᵀ A J`
//! and accumulates `V <- V J`; sweeping the three pairs repeatedly makes the
//! off-diagonal mass fall quadratically, so a handful of sweeps reach f64 rounding.
//! The rotation angle follows Golub & Van Loan, *Matrix Computations* (4th ed.),
//! section 8.5.2 ("the symmetric Schur decomposition"), with the numerically
//! stable choice of the smaller root for `tan θ` (also Numerical Recipes, §11.1).
//! Jacobi is slower than a closed-form cubic solution but stays accurate for
//! (nearly) repeated eigenvalues, which merged Gaussians often have.

// `!(x > y)` is deliberate: NaN input must stop the iteration.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use glam::{DMat3, DVec3};

/// Eigenvalues in ascending order and the matching unit eigenvectors as the
/// columns of a proper rotation (determinant +1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SymmetricEigen3 {
    pub values: DVec3,
    pub vectors: DMat3,
}

/// Sweeps after which the iteration stops even if not converged (it converges in
/// fewer than 10 for any finite input; the bound only guards against NaN).
const MAX_SWEEPS: usize = 32;

/// Decomposes the symmetric matrix `m` (only its upper triangle matters since it
/// is read symmetrically: entries `m.col(j)[i]` for `i <= j`) into
/// `m = V diag(values) Vᵀ`. Non-finite input gives non-finite output, never a panic.
pub fn symmetric_eigen(m: DMat3) -> SymmetricEigen3 {
    let mut a = [
        [m.x_axis.x, m.y_axis.x, m.z_axis.x],
        [m.y_axis.x, m.y_axis.y, m.z_axis.y],
        [m.z_axis.x, m.z_axis.y, m.z_axis.z],
    ];
    let mut v = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    for _ in 0..MAX_SWEEPS {
        let off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2];
        let diag = a[0][0] * a[0][0] + a[1][1] * a[1][1] + a[2][2] * a[2][2];
        // Off-diagonal below 1e-12 of the diagonal (squared: 1e-24) is far below
        // the f32 the results are stored in. `!(off > ..)` also stops on NaN.
        if !(off > 1e-24 * diag) {
            break;
        }
        for (p, q) in [(0, 1), (0, 2), (1, 2)] {
            rotate(&mut a, &mut v, p, q);
        }
    }
    let mut order = [0usize, 1, 2];
    order.sort_by(|&i, &j| a[i][i].total_cmp(&a[j][j]));
    let column = |k: usize| DVec3::new(v[0][k], v[1][k], v[2][k]);
    let (x, y, mut z) = (column(order[0]), column(order[1]), column(order[2]));
    if x.cross(y).dot(z) < 0.0 {
        z = -z;
    }
    SymmetricEigen3 {
        values: DVec3::new(
            a[order[0]][order[0]],
            a[order[1]][order[1]],
            a[order[2]][order[2]],
        ),
        vectors: DMat3::from_cols(x, y, z),
    }
}

/// One Jacobi rotation in the plane (p, q): zeroes `a[p][q]` (row-major arrays).
fn rotate(a: &mut [[f64; 3]; 3], v: &mut [[f64; 3]; 3], p: usize, q: usize) {
    let apq = a[p][q];
    if apq == 0.0 {
        return;
    }
    let theta = (a[q][q] - a[p][p]) / (2.0 * apq);
    // The smaller root of t² + 2θt - 1 = 0, so |rotation| <= 45 degrees.
    let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
    let c = 1.0 / (t * t + 1.0).sqrt();
    let s = t * c;
    // A <- Jᵀ A J, where J is the identity except J[p][p] = J[q][q] = c,
    // J[p][q] = s, J[q][p] = -s.
    for row in a.iter_mut() {
        let (akp, akq) = (row[p], row[q]);
        row[p] = c * akp - s * akq;
        row[q] = s * akp + c * akq;
    }
    let (row_p, row_q) = (a[p], a[q]);
    for (k, (apk, aqk)) in row_p.iter().zip(row_q).enumerate() {
        a[p][k] = c * apk - s * aqk;
        a[q][k] = s * apk + c * aqk;
    }
    a[p][q] = 0.0;
    a[q][p] = 0.0;
    for row in v.iter_mut() {
        let (vp, vq) = (row[p], row[q]);
        row[p] = c * vp - s * vq;
        row[q] = s * vp + c * vq;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reconstruct(e: &SymmetricEigen3) -> DMat3 {
        e.vectors * DMat3::from_diagonal(e.values) * e.vectors.transpose()
    }

    fn assert_close(a: DMat3, b: DMat3, tol: f64) {
        let diff = (a - b).to_cols_array();
        let max = diff.iter().fold(0.0f64, |m, d| m.max(d.abs()));
        assert!(max <= tol, "matrices differ by {max}:\n{a}\n{b}");
    }

    #[test]
    fn diagonal_matrix_sorted_ascending() {
        let e = symmetric_eigen(DMat3::from_diagonal(DVec3::new(3.0, 1.0, 2.0)));
        assert_eq!(e.values, DVec3::new(1.0, 2.0, 3.0));
        assert!((e.vectors.determinant() - 1.0).abs() < 1e-12);
        assert_close(
            reconstruct(&e),
            DMat3::from_diagonal(DVec3::new(3.0, 1.0, 2.0)),
            1e-12,
        );
    }

    #[test]
    fn rotated_matrices_are_recovered() {
        // R diag(d) Rᵀ for a few rotations and spectra, repeated eigenvalues included.
        let spectra = [
            DVec3::new(1e-6, 0.5, 4.0),
            DVec3::new(2.0, 2.0, 7.0),
            DVec3::new(1.0, 1.0, 1.0),
            DVec3::new(0.0, 0.0, 3.0),
        ];
        for (i, d) in spectra.iter().enumerate() {
            let r = DMat3::from_quat(glam::DQuat::from_axis_angle(
                DVec3::new(1.0, 2.0 + i as f64, -0.5).normalize(),
                0.3 + i as f64,
            ));
            let m = r * DMat3::from_diagonal(*d) * r.transpose();
            let e = symmetric_eigen(m);
            assert_close(reconstruct(&e), m, 1e-12);
            let mut sorted = d.to_array();
            sorted.sort_by(f64::total_cmp);
            assert!((e.values - DVec3::from_array(sorted)).abs().max_element() < 1e-12);
            assert!((e.vectors.determinant() - 1.0).abs() < 1e-12);
            // Orthonormal columns.
            assert_close(e.vectors.transpose() * e.vectors, DMat3::IDENTITY, 1e-12);
        }
    }

    #[test]
    fn nan_input_does_not_hang_or_panic() {
        let e = symmetric_eigen(DMat3::from_diagonal(DVec3::new(f64::NAN, 1.0, 2.0)));
        assert!(e.values.is_nan() || e.vectors.is_nan() || e.values.is_finite());
    }
}
