//! `CameraPose`: a camera's position and orientation, the common currency of the
//! controllers, the camera paths and the training cameras.

use glam::{Mat3, Mat4, Quat, Vec3};

use crate::scene::PinholeCamera;
use crate::scene::camera::{world_from_camera_axes, world_from_camera_look_at};

/// Rigid camera pose. `rotation` is the world-from-camera rotation with OpenCV
/// camera axes (x right, y down, z forward), as everywhere in splatview.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CameraPose {
    pub position: Vec3,
    pub rotation: Quat,
}

impl CameraPose {
    pub fn look_at(eye: Vec3, target: Vec3, up: Vec3) -> Self {
        Self::from_world_from_camera(&world_from_camera_look_at(eye, target, up))
    }

    /// The rotation and translation of a rigid `world_from_camera` matrix.
    pub fn from_world_from_camera(world_from_camera: &Mat4) -> Self {
        let rotation = Mat3::from_mat4(*world_from_camera);
        Self {
            position: world_from_camera.w_axis.truncate(),
            rotation: Quat::from_mat3(&rotation).normalize(),
        }
    }

    pub fn world_from_camera(&self) -> Mat4 {
        world_from_camera_axes(Mat3::from_quat(self.rotation), self.position)
    }

    /// Viewing direction (camera +z) in world space.
    pub fn forward(&self) -> Vec3 {
        self.rotation * Vec3::Z
    }

    /// Image right (camera +x) in world space.
    pub fn right(&self) -> Vec3 {
        self.rotation * Vec3::X
    }

    /// Image down (camera +y) in world space.
    pub fn down(&self) -> Vec3 {
        self.rotation * Vec3::Y
    }

    /// A pinhole camera with this pose, a vertical field of view (radians) and a size.
    pub fn camera(&self, fov_y: f32, width: u32, height: u32) -> PinholeCamera {
        PinholeCamera::from_fov_y(fov_y, width, height, self.world_from_camera())
    }

    pub fn is_finite(&self) -> bool {
        self.position.is_finite() && self.rotation.is_finite()
    }
}

/// Yaw and pitch of a viewing direction about `up`, in the frame the orbit and fly
/// controllers share: yaw 0 looks along the horizontal part of world +z
/// (or any horizontal direction if `up` is along z); pitch is above the horizon.
pub fn yaw_pitch_of(forward: Vec3, up: Vec3) -> (f32, f32) {
    let (back, side) = horizontal_frame(up);
    let f = forward.normalize_or(Vec3::Z);
    let pitch = f.dot(up).clamp(-1.0, 1.0).asin();
    // forward = -(back cos yaw + side sin yaw) cos pitch + up sin pitch
    let yaw = (-f.dot(side)).atan2(-f.dot(back));
    (yaw, pitch)
}

/// The direction with `yaw` and `pitch` (see `yaw_pitch_of`).
pub fn forward_from_yaw_pitch(yaw: f32, pitch: f32, up: Vec3) -> Vec3 {
    let (back, side) = horizontal_frame(up);
    let horizontal = back * yaw.cos() + side * yaw.sin();
    -(horizontal * pitch.cos()) + up * pitch.sin()
}

/// Two horizontal unit vectors for `up`: `back` (where an orbit eye sits at yaw 0,
/// -z projected) and `side = up x back`.
pub fn horizontal_frame(up: Vec3) -> (Vec3, Vec3) {
    let back = (Vec3::NEG_Z - up * up.dot(Vec3::NEG_Z))
        .try_normalize()
        .unwrap_or_else(|| up.any_orthonormal_vector());
    (back, up.cross(back))
}

/// A pose looking along `forward` with no roll about `up`.
pub fn level_rotation(forward: Vec3, up: Vec3) -> Quat {
    CameraPose::look_at(Vec3::ZERO, forward, up).rotation
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaw_pitch_round_trip() {
        for up in [Vec3::NEG_Y, Vec3::Y, Vec3::Z, Vec3::NEG_X] {
            for (yaw, pitch) in [(0.0, 0.0), (1.0, 0.3), (-2.5, -1.2), (3.0, 1.5)] {
                let f = forward_from_yaw_pitch(yaw, pitch, up);
                let (y2, p2) = yaw_pitch_of(f, up);
                assert!((p2 - pitch).abs() < 1e-4, "{up} {pitch} {p2}");
                assert!((forward_from_yaw_pitch(y2, p2, up) - f).length() < 1e-4);
            }
        }
    }

    #[test]
    fn matrix_round_trip() {
        let pose = CameraPose::look_at(Vec3::new(1.0, 2.0, 3.0), Vec3::ZERO, Vec3::NEG_Y);
        let back = CameraPose::from_world_from_camera(&pose.world_from_camera());
        assert!((back.position - pose.position).length() < 1e-5);
        assert!(back.rotation.angle_between(pose.rotation) < 1e-3);
        assert!((pose.forward() - (-pose.position).normalize()).length() < 1e-5);
    }
}
