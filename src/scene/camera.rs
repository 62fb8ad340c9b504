//! Pinhole camera with OpenCV axes.
//!
//! Conventions (the same as the INRIA 3DGS code and COLMAP):
//! - camera space: x right, y down, z forward (right-handed);
//! - image space: pixel `(i, j)` covers `[i, i+1) x [j, j+1)`, its centre is at `(i + 0.5, j + 0.5)`;
//!   a camera-space point `p` lands at `(fx * p.x / p.z + cx, fy * p.y / p.z + cy)`.
//! - matrices are column-major glam matrices named `target_from_source`.

use glam::{Mat3, Mat4, Vec3};

/// Smallest camera-space depth a splat may have to be drawn (as in 3DGS `in_frustum`).
pub const NEAR_PLANE: f32 = 0.2;

/// A pinhole camera: intrinsics in pixels plus a rigid pose.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PinholeCamera {
    pub fx: f32,
    pub fy: f32,
    pub cx: f32,
    pub cy: f32,
    pub width: u32,
    pub height: u32,
    /// Rigid transform taking camera-space points to world space.
    pub world_from_camera: Mat4,
}

impl PinholeCamera {
    /// A camera with a vertical field of view (radians), square pixels and a centred
    /// principal point.
    pub fn from_fov_y(fov_y: f32, width: u32, height: u32, world_from_camera: Mat4) -> Self {
        let fy = 0.5 * height as f32 / (0.5 * fov_y).tan();
        Self {
            fx: fy,
            fy,
            cx: 0.5 * width as f32,
            cy: 0.5 * height as f32,
            width,
            height,
            world_from_camera,
        }
    }

    /// A camera at `eye` looking at `target`; `up` is the world direction that appears
    /// upwards in the image.
    pub fn look_at(eye: Vec3, target: Vec3, up: Vec3, fov_y: f32, width: u32, height: u32) -> Self {
        Self::from_fov_y(
            fov_y,
            width,
            height,
            world_from_camera_look_at(eye, target, up),
        )
    }

    pub fn view_from_world(&self) -> Mat4 {
        self.world_from_camera.inverse()
    }

    /// Camera centre in world space.
    pub fn position(&self) -> Vec3 {
        self.world_from_camera.w_axis.truncate()
    }

    /// Viewing direction (camera +z) in world space.
    pub fn forward(&self) -> Vec3 {
        self.world_from_camera.z_axis.truncate()
    }

    /// Vertical field of view in radians.
    pub fn fov_y(&self) -> f32 {
        2.0 * (0.5 * self.height as f32 / self.fy).atan()
    }

    /// The same camera with a new image size, keeping the vertical field of view and
    /// the principal point at the same relative position.
    pub fn resized(&self, width: u32, height: u32) -> Self {
        let sx = width as f32 / self.width.max(1) as f32;
        let sy = height as f32 / self.height.max(1) as f32;
        // Keep the vertical FOV; horizontal follows from square-ish pixels.
        let aspect = self.fx / self.fy;
        let fy = self.fy * sy;
        Self {
            fx: fy * aspect,
            fy,
            cx: self.cx * sx,
            cy: self.cy * sy,
            width,
            height,
            world_from_camera: self.world_from_camera,
        }
    }

    /// Projects a world point to pixel coordinates; `None` behind the camera.
    pub fn project(&self, world: Vec3) -> Option<glam::Vec2> {
        let p = self.view_from_world().transform_point3(world);
        (p.z > 1e-6)
            .then(|| glam::Vec2::new(self.fx * p.x / p.z + self.cx, self.fy * p.y / p.z + self.cy))
    }
}

/// Pose with OpenCV axes for a camera at `eye` looking at `target`.
pub fn world_from_camera_look_at(eye: Vec3, target: Vec3, up: Vec3) -> Mat4 {
    let forward = (target - eye).try_normalize().unwrap_or(Vec3::Z);
    let mut right = forward.cross(up);
    if right.length_squared() < 1e-12 {
        // `up` parallel to the view direction: pick any perpendicular.
        right = forward.any_orthonormal_vector();
    }
    let right = right.normalize();
    let down = forward.cross(right);
    world_from_camera_axes(Mat3::from_cols(right, down, forward), eye)
}

/// Builds a rigid transform from a camera-to-world rotation (columns: camera x, y, z
/// in world space) and the camera centre.
pub fn world_from_camera_axes(rotation: Mat3, position: Vec3) -> Mat4 {
    Mat4::from_cols(
        rotation.x_axis.extend(0.0),
        rotation.y_axis.extend(0.0),
        rotation.z_axis.extend(0.0),
        position.extend(1.0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_at_centres_target() {
        let cam = PinholeCamera::look_at(
            Vec3::new(1.0, -2.0, -5.0),
            Vec3::new(0.5, 0.0, 1.0),
            Vec3::new(0.0, -1.0, 0.0),
            1.0,
            640,
            480,
        );
        let px = cam.project(Vec3::new(0.5, 0.0, 1.0)).unwrap_or_default();
        assert!((px - glam::Vec2::new(320.0, 240.0)).length() < 1e-3, "{px}");
        // A point above the target (world -y is up here) appears higher in the image.
        let above = cam.project(Vec3::new(0.5, -1.0, 1.0)).unwrap_or_default();
        assert!(above.y < 240.0);
    }

    #[test]
    fn fov_round_trip() {
        let cam = PinholeCamera::from_fov_y(0.9, 800, 600, Mat4::IDENTITY);
        assert!((cam.fov_y() - 0.9).abs() < 1e-6);
        let small = cam.resized(400, 300);
        assert!((small.fov_y() - 0.9).abs() < 1e-6);
    }
}
