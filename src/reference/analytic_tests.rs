//! Tests of the analytic pixel response against brute-force integration.

use super::*;

/// Standard normal density.
fn normal_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / SQRT_TAU
}

/// Derivative of `approx_cdf`: s (1 - s) (1.6 + 0.21 x²) with s = Φ̃(x).
fn approx_pdf(x: f64) -> f64 {
    let s = approx_cdf(x);
    s * (1.0 - s) * (CDF_LINEAR + 3.0 * CDF_CUBIC * x * x)
}

/// ln of `approx_pdf`, without underflow for large |x|.
fn approx_pdf_ln(x: f64) -> f64 {
    let v = (CDF_LINEAR * x + CDF_CUBIC * x * x * x).abs();
    -v - 2.0 * (-v).exp().ln_1p() + (CDF_LINEAR + 3.0 * CDF_CUBIC * x * x).ln()
}

/// (x, Φ(x)) on a grid of `step` from -`max` to `max`, Φ integrated from Φ(0) =
/// ½ with Simpson's rule on 8 sub-steps per step (error far below 1e-12).
fn normal_cdf_grid(step: f64, max: f64) -> Vec<(f64, f64)> {
    let simpson = |x0: f64, x1: f64| {
        let n = 8;
        let h = (x1 - x0) / f64::from(n);
        let mut sum = normal_pdf(x0) + normal_pdf(x1);
        for k in 1..n {
            let w = if k % 2 == 1 { 4.0 } else { 2.0 };
            sum += w * normal_pdf(x0 + h * f64::from(k));
        }
        sum * h / 3.0
    };
    let steps = (max / step).round() as i64;
    let mut right = vec![(0.0, 0.5)];
    let mut left = vec![];
    let (mut up, mut down) = (0.5, 0.5);
    for k in 0..steps {
        let (x0, x1) = (k as f64 * step, (k + 1) as f64 * step);
        up += simpson(x0, x1);
        down -= simpson(-x1, -x0);
        right.push((x1, up));
        left.push((-x1, down));
    }
    left.reverse();
    left.extend(right);
    left
}

#[test]
fn cdf_approximation_error_constants_hold_and_are_tight() {
    let (mut cdf_err, mut pdf_err, mut ratio_ln) = (0.0f64, 0.0f64, f64::MIN);
    for (x, exact) in normal_cdf_grid(1e-4, 10.0) {
        cdf_err = cdf_err.max((approx_cdf(x) - exact).abs());
        pdf_err = pdf_err.max((approx_pdf(x) - normal_pdf(x)).abs());
    }
    for k in -60_000..=60_000 {
        let x = f64::from(k) * 1e-3;
        let exact_ln = -0.5 * x * x - SQRT_TAU.ln();
        ratio_ln = ratio_ln.max(approx_pdf_ln(x) - exact_ln);
    }
    let ratio = ratio_ln.exp();
    eprintln!(
        "max |cdf error| {cdf_err:.4e}, max |pdf error| {pdf_err:.4e}, max pdf ratio {ratio:.6}"
    );
    assert!(cdf_err <= CDF_MAX_ERROR && cdf_err > 0.999 * CDF_MAX_ERROR);
    assert!(pdf_err <= DENSITY_MAX_ERROR && pdf_err > 0.999 * DENSITY_MAX_ERROR);
    assert!(ratio <= DENSITY_MAX_RATIO && ratio > 1.008);
}

/// A Gaussian of standard deviations `major`, `minor` with its major axis at
/// `angle_deg` from +x, as the covariance (a, b, c).
fn covariance(major: f64, minor: f64, angle_deg: f64) -> DVec3 {
    let (s, c) = angle_deg.to_radians().sin_cos();
    let (l1, l2) = (major * major, minor * minor);
    DVec3::new(
        l1 * c * c + l2 * s * s,
        (l1 - l2) * s * c,
        l1 * s * s + l2 * c * c,
    )
}

/// exp(-½ dᵀ Σ⁻¹ d) straight from the covariance (a, b, c).
fn gaussian(cov: DVec3, d: DVec2) -> f64 {
    let det = cov.x * cov.z - cov.y * cov.y;
    let q = (cov.z * d.x * d.x - 2.0 * cov.y * d.x * d.y + cov.x * d.y * d.y) / det;
    (-0.5 * q).exp()
}

/// Midpoint rule with n × n samples over the unit square centred at `d` with
/// sides along `axis` and its perpendicular.
fn brute_force(cov: DVec3, d: DVec2, axis: DVec2, n: u32) -> f64 {
    let mut sum = 0.0;
    for i in 0..n {
        for j in 0..n {
            let s = (f64::from(i) + 0.5) / f64::from(n) - 0.5;
            let t = (f64::from(j) + 0.5) / f64::from(n) - 0.5;
            sum += gaussian(cov, d + s * axis + t * axis.perp());
        }
    }
    sum / f64::from(n * n)
}

/// Small, pixel-sized, large, elongated and needle-thin Gaussians at several
/// angles: (major σ, minor σ, angle in degrees).
const SHAPES: [(f64, f64, f64); 9] = [
    (0.05, 0.05, 0.0),
    (0.2, 0.1, 30.0),
    (0.7, 0.5, 10.0),
    (1.0, 1.0, 0.0),
    (6.0, 4.0, 45.0),
    (8.0, 0.08, 30.0),
    (3.0, 0.3, 0.0),
    (3.0, 0.3, 90.0),
    (0.3, 0.02, 75.0),
];

/// Pixel-centre offsets from the splat centre to test: the 7 x 7 pixels around
/// a centre that sits (0.3, -0.2) px off a pixel centre, and points out along
/// the major axis.
fn offsets(fp: &EigenFootprint) -> Vec<DVec2> {
    let sub = DVec2::new(0.3, -0.2);
    let mut out: Vec<DVec2> = (-3..=3)
        .flat_map(|i| (-3..=3).map(move |j| DVec2::new(f64::from(i), f64::from(j)) - sub))
        .collect();
    for k in [1.0, 2.0, 3.0] {
        out.push((k * fp.sigma.x * fp.major_axis).round() - sub);
    }
    out
}

#[test]
fn response_matches_brute_force_over_the_eigen_aligned_window() {
    let mut worst = 0.0f64;
    for (major, minor, angle) in SHAPES {
        let cov = covariance(major, minor, angle);
        let fp = EigenFootprint::from_covariance(cov).expect("positive definite");
        let bound = fp.response_error_bound();
        for d in offsets(&fp) {
            let exact = brute_force(cov, d, fp.major_axis, 256);
            let err = (fp.response(d) - exact).abs();
            worst = worst.max(err / bound);
            assert!(
                err <= bound + 2e-5,
                "σ ({major}, {minor}) at {angle}°, offset {d}: analytic {} vs brute force \
                 {exact} (error {err:.3e} > bound {bound:.3e})",
                fp.response(d)
            );
        }
    }
    eprintln!("largest error / bound over the eigen-aligned window: {worst:.3}");
}

#[test]
fn response_matches_the_true_pixel_for_axis_aligned_splats() {
    // The eigen-aligned window is the pixel itself when Σ is diagonal.
    let mut worst = 0.0f64;
    for (major, minor, angle) in SHAPES.into_iter().filter(|s| s.2 % 90.0 == 0.0) {
        let cov = covariance(major, minor, angle);
        let fp = EigenFootprint::from_covariance(cov).expect("positive definite");
        for d in offsets(&fp) {
            let err = (fp.response(d) - brute_force(cov, d, DVec2::X, 256)).abs();
            worst = worst.max(err);
            assert!(
                err <= fp.response_error_bound() + 2e-5,
                "{major} {minor} {angle}: {err}"
            );
        }
    }
    eprintln!("axis-aligned splats: largest error against the true pixel {worst:.3e}");
    // Rotated ones differ from the true pixel by the window's rotation: report it.
    for (major, minor, angle) in [(8.0, 0.08, 45.0), (1.0, 0.2, 45.0), (0.3, 0.02, 45.0)] {
        let cov = covariance(major, minor, angle);
        let fp = EigenFootprint::from_covariance(cov).expect("positive definite");
        let worst = offsets(&fp)
            .into_iter()
            .map(|d| (fp.response(d) - brute_force(cov, d, DVec2::X, 256)).abs())
            .fold(0.0, f64::max);
        eprintln!(
            "σ ({major}, {minor}) at {angle}°: largest difference to the true pixel {worst:.4}"
        );
    }
}

#[test]
fn tiny_splats_give_their_mass_and_large_ones_their_centre_value() {
    let tiny = EigenFootprint::from_covariance(covariance(0.05, 0.03, 20.0)).expect("pd");
    let at_centre = tiny.response(DVec2::ZERO);
    assert!(
        (at_centre - tiny.mass()).abs() < 1e-3 * tiny.mass(),
        "{at_centre}"
    );
    let large = EigenFootprint::from_covariance(covariance(40.0, 30.0, 20.0)).expect("pd");
    let d = DVec2::new(25.0, -10.0);
    let point = gaussian(covariance(40.0, 30.0, 20.0), d);
    let err = (large.response(d) - point).abs();
    assert!(
        err <= large.response_error_bound(),
        "{} vs {point}",
        large.response(d)
    );
}

#[test]
fn eigen_decomposition_reconstructs_the_covariance() {
    let cases = [
        DVec3::new(4.0, 0.0, 1.0),
        DVec3::new(1.0, 0.0, 4.0),
        DVec3::new(2.0, 0.0, 2.0),
        covariance(3.0, 1e-6, 33.0),
        covariance(5.0, 2.0, -70.0),
        DVec3::new(1.0, 1e-12, 1.0 - 1e-9),
    ];
    for cov in cases {
        let fp = EigenFootprint::from_covariance(cov).expect("positive definite");
        assert!(fp.sigma.x >= fp.sigma.y && fp.sigma.y > 0.0, "{cov}");
        let (v1, v2) = (fp.major_axis, fp.minor_axis());
        let (l1, l2) = (fp.sigma.x * fp.sigma.x, fp.sigma.y * fp.sigma.y);
        let back = DVec3::new(
            l1 * v1.x * v1.x + l2 * v2.x * v2.x,
            l1 * v1.x * v1.y + l2 * v2.x * v2.y,
            l1 * v1.y * v1.y + l2 * v2.y * v2.y,
        );
        assert!(
            (back - cov).abs().max_element() < 1e-9 * cov.abs().max_element(),
            "{cov}: {back}"
        );
    }
    for bad in [
        DVec3::new(1.0, 2.0, 1.0),
        DVec3::new(0.0, 0.0, 1.0),
        DVec3::new(f64::NAN, 0.0, 1.0),
        DVec3::new(f64::INFINITY, 0.0, 1.0),
    ] {
        assert!(EigenFootprint::from_covariance(bad).is_none(), "{bad}");
    }
}

#[test]
fn extent_covers_every_offset_whose_alpha_reaches_1_over_255() {
    let mut loosest = 0.0f64;
    for (major, minor, angle) in SHAPES {
        let fp = EigenFootprint::from_covariance(covariance(major, minor, angle)).expect("pd");
        for opacity in [1.0, 0.5, 0.1, 0.02, 2.0 / 255.0] {
            let reach = 0.5 + 4.0 * major + 2.0;
            let steps = (2.0 * reach / 0.25) as i32;
            let mut reached = false;
            let extent = fp.half_extents(opacity);
            for i in 0..=steps {
                for j in 0..=steps {
                    // A quarter-pixel grid: every sub-pixel position of the centre.
                    let d = DVec2::new(f64::from(i), f64::from(j)) * 0.25 - reach;
                    if opacity * fp.response(d) < MIN_ALPHA {
                        continue;
                    }
                    reached = true;
                    let e = extent.expect("an offset reaches 1/255, so there is an extent");
                    let uv = fp.to_eigen(d).abs();
                    assert!(
                        uv.x <= e.x && uv.y <= e.y,
                        "σ ({major}, {minor}) at {angle}°, opacity {opacity}: offset {d} \
                         (eigen {uv}) outside the extent {e}"
                    );
                }
            }
            if let Some(e) = extent {
                // Never much beyond the 3σ of the point-sampled modes.
                let sigmas = (e - 0.5) / fp.sigma;
                assert!(sigmas.max_element() <= 3.34, "{sigmas}");
                loosest = loosest.max(sigmas.max_element());
            } else {
                assert!(!reached);
            }
        }
    }
    eprintln!("largest analytic extent: ½ + {loosest:.3} σ");
    // A faint splat far below a pixel cannot reach 1/255 anywhere.
    let faint = EigenFootprint::from_covariance(covariance(0.05, 0.05, 0.0)).expect("pd");
    assert!(faint.half_extents(0.2).is_none());
    assert!(faint.half_extents(0.3).is_some());
}
