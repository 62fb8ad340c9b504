//! Reference projection of one splat: the same maths as shaders/splat_project.wgsl,
//! written plainly in f64 after the INRIA 3DGS rasterizer (`preprocessCUDA`,
//! `computeCov2D`, `computeColorFromSH`).

// `!(x > y)` is deliberate throughout: NaN inputs must cull the splat, as in the shader.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use glam::{DMat3, DVec2, DVec3, DVec4};

pub use crate::scene::sh_basis::sh_basis;

use crate::scene::camera::NEAR_PLANE;
use crate::scene::{PinholeCamera, SplatCloud};

pub const LOW_PASS_DILATION: f64 = 0.3;
pub const MIN_ALPHA: f64 = 1.0 / 255.0;
pub const MAX_ALPHA: f64 = 0.99;

/// A splat projected to the image.
#[derive(Clone, Copy, Debug)]
pub struct ProjectedSplat {
    /// Centre in pixel coordinates (pixel centres at i + 0.5).
    pub center: DVec2,
    /// Inverse 2D covariance (a, b, c) of `[[a, b], [b, c]]`.
    pub conic: DVec3,
    /// Diagonal of the dilated 2D covariance, for the 3-sigma box.
    pub variance: DVec2,
    pub opacity: f64,
    pub color: DVec3,
    /// Camera-space depth.
    pub depth: f64,
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

/// Projects splat `i`; `None` when it is culled (behind the near plane, invisible,
/// degenerate, or with no pixel centre of the image in its 3-sigma box).
pub fn project_splat(
    cloud: &SplatCloud,
    i: usize,
    camera: &PinholeCamera,
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
    let a = a_raw + LOW_PASS_DILATION;
    let c = c_raw + LOW_PASS_DILATION;
    let det = a * c - b * b;
    if !(det > 0.0) {
        return None;
    }
    if cloud.antialiased {
        opacity *= ((a_raw * c_raw - b * b) / det).max(0.0).sqrt();
        if !(opacity >= MIN_ALPHA) {
            return None;
        }
    }
    let center = DVec2::new(fx * p.x / tz + cx, fy * p.y / tz + cy);
    let extent = 3.0 * DVec2::new(a.sqrt(), c.sqrt());
    if center.x + extent.x < 0.5
        || center.y + extent.y < 0.5
        || center.x - extent.x > w - 0.5
        || center.y - extent.y > h - 0.5
    {
        return None;
    }
    let dir = (world - camera.position().as_dvec3()).normalize();
    Some(ProjectedSplat {
        center,
        conic: DVec3::new(c / det, -b / det, a / det),
        variance: DVec2::new(a, c),
        opacity,
        color: sh_color(cloud, i, dir),
        depth: tz,
    })
}
