//! Analytic-Splatting's pixel response: the projected Gaussian integrated over
//! the pixel's area instead of sampled at its centre (Liang et al. 2024,
//! "Analytic-Splatting: Anti-Aliased 3D Gaussian Splatting via Analytic
//! Integration", ECCV 2024, arXiv:2403.11056; rasterizer `renderCUDA` in
//! lzhnb/Analytic-Splatting `submodules/diff-gaussian-rasterization/cuda_rasterizer/
//! forward.cu`, CDF in `auxiliary.h` `approxCdf`).
//!
//! How it works. The 2D covariance Σ (no dilation) is diagonalised, Σ = V Λ Vᵀ,
//! with standard deviations σ1 ≥ σ2 along the unit eigenvectors v1 ⟂ v2. The
//! pixel's window, a unit square around its centre, is taken **aligned with v1
//! and v2** (the paper's approximation of the pixel square: the Gaussian then
//! factorises over the window). With d the offset of the pixel centre from the
//! splat centre and (u, v) = (d·v1, d·v2),
//!
//!   response = g(u, σ1) · g(v, σ2),
//!   g(u, σ) = ∫_{u-½}^{u+½} exp(-t² / 2σ²) dt = σ √(2π) (Φ((u+½)/σ) − Φ((u−½)/σ)),
//!
//! the integral of the unnormalised Gaussian exp(-½ dᵀ Σ⁻¹ d) over the window
//! (at most 1; 2π σ1 σ2, its whole mass, for a Gaussian far below a pixel).
//! The pixel's alpha is min(0.99, opacity · response), with the usual 1/255 cut.
//! Φ is the paper's logistic approximation of the normal CDF,
//!
//!   Φ̃(x) = sigmoid(1.6 x + 0.07 x³) = ½ + ½ tanh(0.8 x + 0.035 x³),
//!
//! whose error is bounded by the constants below (measured here, checked by the
//! tests). The error of the aligned window against the true pixel square is not
//! bounded this way: it vanishes for axis-aligned Gaussians and grows with
//! elongation at 45° (docs/ANTIALIASING.md gives the numbers).

// `!(x >= y)` is deliberate: NaN inputs must cull the splat.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use std::f64::consts::TAU;

use glam::{DVec2, DVec3};

use super::project::MIN_ALPHA;

/// Coefficients of the paper's CDF approximation, sigmoid(1.6 x + 0.07 x³).
pub const CDF_LINEAR: f64 = 1.6;
pub const CDF_CUBIC: f64 = 0.07;
/// Largest |Φ̃(x) − Φ(x)| over all x: 3.9200e-4, at |x| ≈ 0.595.
pub const CDF_MAX_ERROR: f64 = 3.921e-4;
/// Largest |Φ̃'(x) − φ(x)| (density error) over all x: 1.0577e-3, at x = 0.
pub const DENSITY_MAX_ERROR: f64 = 1.058e-3;
/// Largest Φ̃'(x) / φ(x) over all x: 1.00822, at |x| ≈ 2.34. Bounds the
/// approximate window integral by the exact one: g̃ ≤ this × g.
pub const DENSITY_MAX_RATIO: f64 = 1.0083;

/// √(2π).
const SQRT_TAU: f64 = 2.506_628_274_631_000_7;

/// The paper's approximation of the standard normal CDF, Φ̃(x) =
/// sigmoid(1.6 x + 0.07 x³), written with tanh as their rasterizer does (no
/// overflow for any x).
pub fn approx_cdf(x: f64) -> f64 {
    0.5 + 0.5 * (0.5 * (CDF_LINEAR * x + CDF_CUBIC * x * x * x)).tanh()
}

/// ∫_{u-½}^{u+½} exp(-t² / 2σ²) dt with Φ̃ in place of Φ: the Gaussian of
/// standard deviation `sigma` integrated over a unit interval centred `u` away.
pub fn window_integral(u: f64, sigma: f64) -> f64 {
    SQRT_TAU * sigma * (approx_cdf((u + 0.5) / sigma) - approx_cdf((u - 0.5) / sigma))
}

/// A 2D covariance in its eigenbasis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EigenFootprint {
    /// Unit eigenvector of the larger eigenvalue; the minor axis is its
    /// perpendicular (`minor_axis`).
    pub major_axis: DVec2,
    /// Standard deviations along the major and minor axes (σ1 ≥ σ2 > 0).
    pub sigma: DVec2,
}

impl EigenFootprint {
    /// Diagonalises the covariance `[[a, b], [b, c]]` given as (a, b, c);
    /// `None` unless it is positive definite and finite.
    pub fn from_covariance(cov: DVec3) -> Option<Self> {
        let (a, b, c) = (cov.x, cov.y, cov.z);
        let det = a * c - b * b;
        let mid = 0.5 * (a + c);
        let radius = (0.25 * (a - c) * (a - c) + b * b).sqrt();
        let large = mid + radius;
        // The small eigenvalue as det / large: no cancellation for thin splats.
        let small = det / large;
        if !(det > 0.0 && large.is_finite() && small > 0.0) {
            return None;
        }
        // An eigenvector of `large` from the row without cancellation:
        // (large - c, b) when a >= c, else (b, large - a).
        let v = if a >= c {
            DVec2::new(large - c, b)
        } else {
            DVec2::new(b, large - a)
        };
        let major_axis = v.try_normalize().unwrap_or(DVec2::X);
        Some(Self {
            major_axis,
            sigma: DVec2::new(large.sqrt(), small.sqrt()),
        })
    }

    pub fn minor_axis(&self) -> DVec2 {
        self.major_axis.perp()
    }

    /// The offset `d` (pixel centre minus splat centre) in the eigenbasis.
    pub fn to_eigen(&self, d: DVec2) -> DVec2 {
        DVec2::new(d.dot(self.major_axis), d.dot(self.minor_axis()))
    }

    /// The Gaussian integrated over the eigen-aligned unit window at offset `d`,
    /// with the approximated CDF (module docs).
    pub fn response(&self, d: DVec2) -> f64 {
        let uv = self.to_eigen(d);
        window_integral(uv.x, self.sigma.x) * window_integral(uv.y, self.sigma.y)
    }

    /// Largest |response − exact integral over the same window| the CDF
    /// approximation allows at any offset. Per axis the window integral's error
    /// is σ√(2π) |e(U2) − e(U1)| with e = Φ̃ − Φ and U2 − U1 = 1/σ, so at most
    /// √(2π) min(2σ CDF_MAX_ERROR, DENSITY_MAX_ERROR); the exact factor is at
    /// most 1 and the approximate one at most DENSITY_MAX_RATIO, hence
    /// Δ1 + DENSITY_MAX_RATIO Δ2 for the product. For a Gaussian of a pixel or
    /// more this is 5.3e-3 (1.35/255), and it shrinks with σ below ~1.35 px.
    pub fn response_error_bound(&self) -> f64 {
        let per_axis = |sigma: f64| SQRT_TAU * (2.0 * sigma * CDF_MAX_ERROR).min(DENSITY_MAX_ERROR);
        per_axis(self.sigma.x) + DENSITY_MAX_RATIO * per_axis(self.sigma.y)
    }

    /// Half-extents along the major and minor axes of the window offsets whose
    /// alpha, `opacity · response`, can reach 1/255; `None` when no offset can.
    ///
    /// A window integral is at most G = R min(1, σ√(2π)) (R =
    /// DENSITY_MAX_RATIO), and beyond |u| = ½ at most R exp(-(|u| − ½)² / 2σ²).
    /// So opacity · response ≥ 1/255 needs |u| ≤ ½ + σ1 √(2 ln(255 opacity R
    /// G2)), and likewise for v. Nothing is cut at 3σ as the point-sampled modes
    /// do: with opacity 1 this reaches ½ + 3.33σ.
    pub fn half_extents(&self, opacity: f64) -> Option<DVec2> {
        let peak = self
            .sigma
            .map(|s| DENSITY_MAX_RATIO * (s * SQRT_TAU).min(1.0));
        let threshold = MIN_ALPHA / opacity;
        if !(peak.x * peak.y >= threshold) {
            return None;
        }
        let reach = |sigma: f64, other_peak: f64| {
            let ratio = DENSITY_MAX_RATIO * other_peak / threshold;
            0.5 + sigma * (2.0 * ratio.ln()).max(0.0).sqrt()
        };
        Some(DVec2::new(
            reach(self.sigma.x, peak.y),
            reach(self.sigma.y, peak.x),
        ))
    }

    /// Whole mass of the unnormalised Gaussian, 2π σ1 σ2: the response of a
    /// splat far below a pixel whose window holds all of it.
    pub fn mass(&self) -> f64 {
        TAU * self.sigma.x * self.sigma.y
    }
}

#[cfg(test)]
#[path = "analytic_tests.rs"]
mod tests;
