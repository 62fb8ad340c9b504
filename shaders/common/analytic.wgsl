// Analytic-Splatting on the GPU (Liang et al. 2024, "Analytic-Splatting:
// Anti-Aliased 3D Gaussian Splatting via Analytic Integration", arXiv:2403.11056;
// the CPU reference is src/reference/analytic.rs, docs/ANTIALIASING.md).
//
// How it works. The projected covariance Σ (no dilation) has standard deviations
// σ1 >= σ2 along the unit eigenvectors v1, v2 = perp(v1). A pixel's weight is the
// Gaussian integrated over the unit window around its centre, aligned with v1 and
// v2: with (u, v) the offset of the pixel centre in that basis,
//   weight = g(u, σ1) g(v, σ2),  g(u, σ) = σ √(2π) (Φ̃((u + ½)/σ) − Φ̃((u − ½)/σ)),
//   Φ̃(x) = sigmoid(1.6 x + 0.07 x³),
// and alpha = min(0.99, opacity · weight). Here the product is evaluated as
//   2π σ1 σ2 · ΔΦ̃1 · ΔΦ̃2,  ΔΦ̃ = (E− − E+) / ((1 + E+)(1 + E−)),  E± = exp(-p(x±)),
// p(x) = 1.6 x + 0.07 x³ (the same function as the reference's tanh form, with one
// division for both axes). |u| is used (the window integral is even in u), so E+
// <= 1, and p is clamped to ±20 (Φ̃ changes by < 2.1e-9 there) so that no exp
// overflows and the denominator stays below 5.6e34.
//
// Packing (`ProjectedSplat` in frame.wgsl, same 32 bytes as the point-sampled
// modes): center_conic_ab.zw holds σ1 v1 and packed.x the f32 bits of σ2;
// packed.w holds the half-extents (h1, h2) of the splat's rectangle along v1 and
// v2 instead of the axis-aligned box (`EigenFootprint::half_extents`).

#include "common/frame.wgsl"

// Bounds Φ̃'/φ (`DENSITY_MAX_RATIO` in src/reference/analytic.rs).
const ANALYTIC_DENSITY_MAX_RATIO: f32 = 1.0083;
const SQRT_TAU: f32 = 2.5066282746;
const TAU: f32 = 6.2831853072;
// |p| beyond which the logistic is 0 or 1 to within 2.1e-9 (p(x) = 20 at x ≈ 5.5).
const ANALYTIC_MAX_LOGIT: f32 = 20.0;

// What the rasterizers need of an analytic splat.
struct AnalyticSplat {
    center: vec2<f32>,
    // Unit major axis v1 (the minor axis is (-v1.y, v1.x)).
    major_axis: vec2<f32>,
    sigma: vec2<f32>,
    // Half-extents of the covered rectangle along v1 and v2, in pixels.
    half_extents: vec2<f32>,
}

fn analytic_splat(splat: ProjectedSplat) -> AnalyticSplat {
    let scaled_axis = splat.center_conic_ab.zw;
    let sigma1 = length(scaled_axis);
    var axis = vec2<f32>(1.0, 0.0);
    if sigma1 > 0.0 {
        axis = scaled_axis / sigma1;
    }
    return AnalyticSplat(
        splat.center_conic_ab.xy,
        axis,
        vec2<f32>(sigma1, bitcast<f32>(splat.packed.x)),
        unpack2x16float(splat.packed.w),
    );
}

fn analytic_minor_axis(major_axis: vec2<f32>) -> vec2<f32> {
    return vec2<f32>(-major_axis.y, major_axis.x);
}

// Half-size of the axis-aligned box around the splat's rectangle.
fn analytic_bbox_half(s: AnalyticSplat) -> vec2<f32> {
    return abs(s.major_axis) * s.half_extents.x + abs(analytic_minor_axis(s.major_axis)) * s.half_extents.y;
}

// Edge normals (v1 / h1, v2 / h2) of the splat's rectangle: a pixel at offset d
// is covered when |d . n1| <= 1 and |d . n2| <= 1 (as `splat_rect_normals`).
fn analytic_rect_normals(s: AnalyticSplat) -> vec4<f32> {
    let n1 = s.major_axis / max(s.half_extents.x, 1e-30);
    let n2 = analytic_minor_axis(s.major_axis) / max(s.half_extents.y, 1e-30);
    return vec4<f32>(n1, n2);
}

// opacity · 2π σ1 σ2: the alpha of a pixel is min(0.99, this · analytic_window(..)).
fn analytic_peak(opacity: f32, sigma: vec2<f32>) -> f32 {
    return opacity * TAU * sigma.x * sigma.y;
}

// ΔΦ̃1 · ΔΦ̃2 for a pixel whose centre lies `x` = (|u| / σ1, |v| / σ2) standard
// deviations from the splat's centre along its axes, with `half_pixel` = (0.5 / σ1,
// 0.5 / σ2).
fn analytic_window(x: vec2<f32>, half_pixel: vec2<f32>) -> f32 {
    // |x| <= 10 keeps the cube finite; p(10) = 86 is clamped to 20 anyway.
    let ends = clamp(vec4<f32>(x - half_pixel, x + half_pixel), vec4<f32>(-10.0), vec4<f32>(10.0));
    let p = clamp(ends * (1.6 + 0.07 * ends * ends), vec4<f32>(-ANALYTIC_MAX_LOGIT), vec4<f32>(ANALYTIC_MAX_LOGIT));
    let e = exp(-p);
    // Per axis: sigmoid(p+) − sigmoid(p−) = (e− − e+) / ((1 + e+)(1 + e−)).
    let num = e.xy - e.zw;
    let den = (1.0 + e.xy) * (1.0 + e.zw);
    return (num.x * num.y) / (den.x * den.y);
}
