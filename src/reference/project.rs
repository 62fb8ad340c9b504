//! Reference projection of one splat: the same maths as shaders/splat_project.wgsl,
//! written plainly in f64 after the INRIA 3DGS rasterizer (`preprocessCUDA`,
//! `computeCov2D`, `computeColorFromSH`), with the 2D filter of each anti-aliasing
//! mode (`AaMode`, docs/ANTIALIASING.md):
//! - classic, antialiased, mip: Σ' = Σ + dilation · I (0.3, 0.3, 0.1 px²), opacity
//!   times sqrt(max(0, det Σ / det Σ')) for antialiased and mip; the pixel's weight
//!   is exp(-½ dᵀ Σ'⁻¹ d) at its centre;
//! - analytic: Σ as projected, the pixel's weight the Gaussian integrated over the
//!   pixel (`super::analytic`).
//!
//! Which pixels a splat touches: for the point-sampled modes the rectangle around
//! its ellipse at k = min(3, sqrt(2 ln(255 opacity))) standard deviations, oriented
//! along its axes (beyond k, alpha < 1/255; the GPU quads use the same k); for
//! analytic the rectangle in Σ's eigenbasis beyond which opacity × response <
//! 1/255 (`EigenFootprint::half_extents`).

// `!(x > y)` is deliberate throughout: NaN inputs must cull the splat, as in the shader.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use glam::{DMat3, DVec2, DVec3, DVec4};

pub use crate::scene::sh_basis::sh_basis;

use super::analytic::EigenFootprint;
use crate::scene::camera::NEAR_PLANE;
use crate::scene::{AaMode, PinholeCamera, SplatCloud};

pub const MIN_ALPHA: f64 = 1.0 / 255.0;
pub const MAX_ALPHA: f64 = 0.99;

/// A splat projected to the image.
#[derive(Clone, Copy, Debug)]
pub struct ProjectedSplat {
    /// Centre in pixel coordinates (pixel centres at i + 0.5).
    pub center: DVec2,
    /// Inverse (a, b, c) of `[[a, b], [b, c]]` of the 2D covariance the pixel
    /// weight uses: dilated for the point-sampled modes, as projected for analytic.
    pub conic: DVec3,
    /// Opacity after the mode's compensation.
    pub opacity: f64,
    pub color: DVec3,
    /// Camera-space depth.
    pub depth: f64,
    /// How the splat weighs the pixels, and which ones it may touch.
    pub footprint: Footprint,
}

/// How a projected splat weighs a pixel, and which pixels it may touch.
#[derive(Clone, Copy, Debug)]
pub enum Footprint {
    /// exp(-½ dᵀ Σ'⁻¹ d) at the pixel centre (classic, antialiased, mip).
    PointSampled {
        /// Long and short half-axes, one standard deviation long (`splat_axes`).
        axes: [DVec2; 2],
        /// Standard deviations the touched rectangle reaches along each axis.
        k: f64,
        /// Half-size of the axis-aligned box of the ellipse at `k` (k sqrt(Σ'ii)).
        bbox_half: DVec2,
    },
    /// The Gaussian integrated over the pixel (analytic).
    Analytic {
        eigen: EigenFootprint,
        /// Half-extents along the major and minor axes.
        half_extents: DVec2,
        /// Half-size of the axis-aligned box of that rectangle.
        bbox_half: DVec2,
    },
}

impl ProjectedSplat {
    /// Half-size of the axis-aligned box holding every pixel centre the splat may
    /// touch.
    pub fn bbox_half(&self) -> DVec2 {
        match self.footprint {
            Footprint::PointSampled { bbox_half, .. } | Footprint::Analytic { bbox_half, .. } => {
                bbox_half
            }
        }
    }

    /// Whether a pixel centre at offset `d` from the centre is in the splat's
    /// oriented rectangle.
    pub fn covers(&self, d: DVec2) -> bool {
        match self.footprint {
            Footprint::PointSampled { axes, k, .. } => axes
                .iter()
                .all(|axis| d.dot(*axis).abs() <= k * axis.length_squared()),
            Footprint::Analytic {
                eigen,
                half_extents,
                ..
            } => {
                let uv = eigen.to_eigen(d).abs();
                uv.x <= half_extents.x && uv.y <= half_extents.y
            }
        }
    }

    /// The weight of the pixel at offset `d` (pixel centre minus splat centre),
    /// before opacity: the pixel's alpha is min(0.99, opacity × weight).
    pub fn weight(&self, d: DVec2) -> f64 {
        match self.footprint {
            Footprint::PointSampled { .. } => {
                let c = self.conic;
                let power = -0.5 * (c.x * d.x * d.x + c.z * d.y * d.y) - c.y * d.x * d.y;
                // As the reference rasterizer: a positive power (rounding) is skipped.
                if power > 0.0 { 0.0 } else { power.exp() }
            }
            Footprint::Analytic { eigen, .. } => eigen.response(d),
        }
    }
}

/// Standard deviations a point-sampled splat reaches: beyond k, opacity ×
/// exp(-k²/2) < 1/255, capped at the reference rasterizer's 3 (opacity >= 1/255).
pub fn extent_sigmas(opacity: f64) -> f64 {
    (2.0 * (255.0 * opacity).ln()).max(0.0).sqrt().min(3.0)
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Colour of splat `i` seen along `dir`: SH + 0.5, clamped at 0.
pub fn sh_color(cloud: &SplatCloud, i: usize, dir: DVec3) -> DVec3 {
    let basis = sh_basis(dir);
    let dc = cloud.sh_dc[i];
    let mut rgb = DVec3::new(dc[0].into(), dc[1].into(), dc[2].into()) * basis[0];
    for (k, coeff) in cloud.sh_rest_of(i).chunks_exact(3).enumerate() {
        rgb += DVec3::new(coeff[0].into(), coeff[1].into(), coeff[2].into()) * basis[k + 1];
    }
    (rgb + DVec3::splat(0.5)).max(DVec3::ZERO)
}

/// Half axes (one standard deviation) of the Gaussian with inverse covariance
/// `conic` = (a, b, c): the long axis first. Same as `splat_axes` in
/// shaders/splat_draw.wgsl.
pub fn splat_axes(conic: DVec3) -> [DVec2; 2] {
    let (a, b, c) = (conic.x, conic.y, conic.z);
    let mid = 0.5 * (a + c);
    let radius = (0.25 * (a - c) * (a - c) + b * b).max(0.0).sqrt();
    let small = (mid - radius).max(1e-20);
    let large = (mid + radius).max(1e-20);
    let long_dir = if b != 0.0 {
        DVec2::new(b, small - a).normalize()
    } else if a > c {
        DVec2::Y
    } else {
        DVec2::X
    };
    let short_dir = DVec2::new(-long_dir.y, long_dir.x);
    [long_dir / small.sqrt(), short_dir / large.sqrt()]
}

/// Projects splat `i` with the 2D filter of `aa`; `None` when it is culled (behind
/// the near plane, invisible, degenerate, or with no pixel centre of the image in
/// the box of pixels it may touch).
pub fn project_splat(
    cloud: &SplatCloud,
    i: usize,
    camera: &PinholeCamera,
    aa: AaMode,
) -> Option<ProjectedSplat> {
    let view_from_world = camera.view_from_world().as_dmat4();
    let world = DVec3::from(cloud.positions[i].map(f64::from));
    let p = view_from_world.transform_point3(world);
    if !(p.z > f64::from(NEAR_PLANE)) {
        return None;
    }
    let mut opacity = sigmoid(cloud.opacity_logits[i].into());
    if !(opacity >= MIN_ALPHA) {
        return None;
    }

    let q = DVec4::from(cloud.rotations[i].map(f64::from));
    let rotation = DMat3::from_quat(glam::DQuat::from_xyzw(q.y, q.z, q.w, q.x).normalize());
    let scale = DVec3::from(cloud.log_scales[i].map(f64::from)).exp();
    let m = rotation * DMat3::from_diagonal(scale);
    let cov3d = m * m.transpose();

    let (fx, fy) = (f64::from(camera.fx), f64::from(camera.fy));
    let (cx, cy) = (f64::from(camera.cx), f64::from(camera.cy));
    let (w, h) = (f64::from(camera.width), f64::from(camera.height));
    let tx = (p.x / p.z).clamp(-1.3 * cx / fx, 1.3 * (w - cx) / fx) * p.z;
    let ty = (p.y / p.z).clamp(-1.3 * cy / fy, 1.3 * (h - cy) / fy) * p.z;
    let tz = p.z;
    let jacobian = DMat3::from_cols(
        DVec3::new(fx / tz, 0.0, 0.0),
        DVec3::new(0.0, fy / tz, 0.0),
        DVec3::new(-fx * tx / (tz * tz), -fy * ty / (tz * tz), 0.0),
    );
    let view_rotation = DMat3::from_mat4(view_from_world);
    let t = jacobian * view_rotation;
    let cov2d = t * cov3d * t.transpose();
    let (a_raw, b, c_raw) = (cov2d.x_axis.x, cov2d.x_axis.y, cov2d.y_axis.y);
    // The mode's 2D filter: dilation, then opacity compensation.
    let a = a_raw + aa.dilation();
    let c = c_raw + aa.dilation();
    let det = a * c - b * b;
    if !(det > 0.0) {
        return None;
    }
    if aa.compensates_opacity() {
        opacity *= ((a_raw * c_raw - b * b) / det).max(0.0).sqrt();
        if !(opacity >= MIN_ALPHA) {
            return None;
        }
    }
    let conic = DVec3::new(c / det, -b / det, a / det);
    let footprint = if aa == AaMode::Analytic {
        let eigen = EigenFootprint::from_covariance(DVec3::new(a, b, c))?;
        let half_extents = eigen.half_extents(opacity)?;
        let (v1, v2) = (eigen.major_axis.abs(), eigen.minor_axis().abs());
        Footprint::Analytic {
            eigen,
            half_extents,
            bbox_half: v1 * half_extents.x + v2 * half_extents.y,
        }
    } else {
        let k = extent_sigmas(opacity);
        Footprint::PointSampled {
            axes: splat_axes(conic),
            k,
            bbox_half: k * DVec2::new(a.sqrt(), c.sqrt()),
        }
    };
    let dir = (world - camera.position().as_dvec3()).normalize();
    let splat = ProjectedSplat {
        center: DVec2::new(fx * p.x / tz + cx, fy * p.y / tz + cy),
        conic,
        opacity,
        color: sh_color(cloud, i, dir),
        depth: tz,
        footprint,
    };
    let (center, extent) = (splat.center, splat.bbox_half());
    if center.x + extent.x < 0.5
        || center.y + extent.y < 0.5
        || center.x - extent.x > w - 0.5
        || center.y - extent.y > h - 0.5
    {
        return None;
    }
    Some(splat)
}
