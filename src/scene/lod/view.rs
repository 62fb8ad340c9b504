//! What the cut needs to know about a node for one camera: is its sphere in the
//! view frustum, how large does it look, how much does it cover.
//!
//! All three are functions of the node's bounding sphere (and coverage weight)
//! alone, so a GPU pass can evaluate them per node without looking at any other.
//!
//! **Size.** `extent_px = focal * 2r / d` with `d = max(|c - eye| - r, near)`: the
//! sphere's diameter in pixels at its nearest point (H3DGS's `computeSizeGPU`
//! divides the box's largest side by the distance to the box; PlayCanvas measures
//! to the box's nearest point too). Distance rather than depth keeps the size
//! unchanged when the camera turns, so turning never changes the cut. A parent's
//! sphere holds its children's, so a parent is never smaller than a child.
//!
//! **Frustum test.** Conservative against the splat renderers: a node is culled
//! only if no splat below it can touch a pixel. The renderers clamp the EWA
//! Jacobian at 1.3 times the half field of view (3DGS `computeCov2D`) and grow the
//! 2D covariance by 0.3 px², so a 3-sigma footprint can reach past the projection
//! of the splat's 3-sigma sphere by a factor of at most 1.3 plus `3 sqrt 0.3 = 1.65`
//! px. The test therefore inflates the sphere by [`CULL_RADIUS_FACTOR`] and widens
//! the image by `margin_px` (default 2) on each side; planes through the eye
//! bound the widened image. `tests/lod_cut.rs` checks on real scenes that every
//! splat the CPU reference projects survives a cut at threshold 0.

use glam::{Vec3, Vec4};

use super::LodNode;
use crate::scene::PinholeCamera;

/// Spheres are inflated by this factor before the frustum test (see the module docs).
pub const CULL_RADIUS_FACTOR: f32 = 1.3;

/// The rows of `camera`'s view transform (camera = R world + t), for
/// [`camera_space`].
pub(super) fn view_rows(camera: &PinholeCamera) -> [Vec4; 3] {
    let rows = camera.view_from_world().transpose();
    [rows.x_axis, rows.y_axis, rows.z_axis]
}

/// The centre of `node` in camera space, given [`view_rows`].
pub(super) fn camera_space(view_rows: &[Vec4; 3], node: &LodNode) -> Vec3 {
    let c = Vec3::from(node.center).extend(1.0);
    Vec3::new(
        view_rows[0].dot(c),
        view_rows[1].dot(c),
        view_rows[2].dot(c),
    )
}

/// Per-camera constants of the node measures.
#[derive(Clone, Copy, Debug)]
pub struct NodeView {
    eye: Vec3,
    /// Rows of the camera-space rotation and translation (camera = R world + t).
    view_rows: [Vec4; 3],
    focal: f32,
    /// Side planes through the eye in camera space, (a, b, c) with
    /// `a x + b y + c z >= 0` inside, normalized.
    sides: [Vec3; 4],
    near: f32,
    far: f32,
}

impl NodeView {
    /// The measures for `camera`, with the image widened by `margin_px` for culling
    /// and depths kept to `near..=far` (camera-space z).
    pub fn new(camera: &PinholeCamera, margin_px: f32, near: f32, far: f32) -> Self {
        let (fx, fy) = (camera.fx, camera.fy);
        let (w, h) = (camera.width as f32, camera.height as f32);
        let left = (-margin_px - camera.cx) / fx;
        let right = (w + margin_px - camera.cx) / fx;
        let top = (-margin_px - camera.cy) / fy;
        let bottom = (h + margin_px - camera.cy) / fy;
        Self {
            eye: camera.position(),
            view_rows: view_rows(camera),
            focal: fx.max(fy),
            sides: [
                Vec3::new(1.0, 0.0, -left).normalize(),
                Vec3::new(-1.0, 0.0, right).normalize(),
                Vec3::new(0.0, 1.0, -top).normalize(),
                Vec3::new(0.0, -1.0, bottom).normalize(),
            ],
            near,
            far,
        }
    }

    /// Whether the node's sphere may touch the view (conservative; a node with a
    /// non-finite sphere is always visible).
    pub fn is_visible(&self, node: &LodNode) -> bool {
        let p = camera_space(&self.view_rows, node);
        let r = CULL_RADIUS_FACTOR * node.radius;
        // Written as "outside" tests so that NaN never culls.
        let outside = p.z + r < self.near
            || p.z - r > self.far
            || self.sides.iter().any(|plane| plane.dot(p) < -r);
        !outside
    }

    /// Distance from the eye to the sphere, at least the near plane.
    pub fn distance(&self, node: &LodNode) -> f32 {
        let d = (Vec3::from(node.center) - self.eye).length() - node.radius;
        d.max(self.near)
    }

    /// Projected diameter of the node's sphere in pixels; +inf when unknown (NaN).
    pub fn extent_px(&self, node: &LodNode) -> f32 {
        let extent = self.focal * 2.0 * node.radius / self.distance(node);
        if extent.is_nan() {
            f32::INFINITY
        } else {
            extent
        }
    }

    /// Opaque area the node's splats cover on screen, in pixels² (up to the
    /// constant of the surface proxy): `weight * (focal / distance)²`.
    pub fn coverage_px(&self, node: &LodNode, weight: f32) -> f32 {
        let scale = self.focal / self.distance(node);
        weight * scale * scale
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(center: [f32; 3], radius: f32) -> LodNode {
        LodNode {
            center,
            radius,
            ..LodNode::default()
        }
    }

    #[test]
    fn culling_and_size() {
        // Camera at the origin looking along +z (OpenCV axes), 90 degree FOV.
        let camera = PinholeCamera {
            fx: 50.0,
            fy: 50.0,
            cx: 50.0,
            cy: 50.0,
            width: 100,
            height: 100,
            world_from_camera: glam::Mat4::IDENTITY,
        };
        let view = NodeView::new(&camera, 2.0, 0.2, f32::INFINITY);
        assert!(view.is_visible(&node([0.0, 0.0, 5.0], 0.1)));
        assert!(!view.is_visible(&node([0.0, 0.0, -5.0], 1.0)), "behind");
        assert!(
            !view.is_visible(&node([20.0, 0.0, 5.0], 1.0)),
            "right of the view"
        );
        assert!(
            view.is_visible(&node([6.0, 0.0, 5.0], 1.0)),
            "touching the right edge"
        );
        assert!(
            !view.is_visible(&node([0.0, -20.0, 5.0], 1.0)),
            "above the view"
        );
        assert!(
            view.is_visible(&node([f32::NAN, 0.0, 5.0], 1.0)),
            "NaN never culls"
        );
        let far = NodeView::new(&camera, 2.0, 0.2, 10.0);
        assert!(!far.is_visible(&node([0.0, 0.0, 20.0], 1.0)));
        // Diameter 2 at distance 9 (10 - 1): 50 * 2 / 9 px.
        assert!((view.extent_px(&node([0.0, 0.0, 10.0], 1.0)) - 100.0 / 9.0).abs() < 1e-4);
        // Inside the sphere: the near plane stands in for the distance.
        assert_eq!(
            view.extent_px(&node([0.0, 0.0, 0.0], 1.0)),
            50.0 * 2.0 / 0.2
        );
        assert_eq!(
            view.extent_px(&node([0.0, 0.0, 1.0], f32::NAN)),
            f32::INFINITY
        );
    }
}
