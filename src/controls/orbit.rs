//! Orbit camera: yaw and pitch around a target point, at a distance, about a world
//! up axis. Also the default framing of a scene, shared by the window and the
//! headless `render` command so that both open on the same view.

use glam::{Mat4, Vec3};

use super::pose::{CameraPose, forward_from_yaw_pitch, yaw_pitch_of};
use crate::scene::camera::world_from_camera_look_at;
use crate::scene::{PinholeCamera, SceneBounds};

/// Default vertical field of view, degrees.
pub const DEFAULT_FOV_Y_DEGREES: f32 = 50.0;

/// World up of 3DGS scenes as trained from COLMAP: OpenCV axes, so -y is up.
pub const DEFAULT_WORLD_UP: Vec3 = Vec3::NEG_Y;

/// Largest |pitch|: just short of the poles, where yaw would be undefined.
pub const MAX_PITCH: f32 = 1.55;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OrbitCamera {
    pub target: Vec3,
    pub distance: f32,
    /// Radians about `world_up`; 0 looks along the world's +z (the direction a
    /// COLMAP reconstruction's first camera usually faces).
    pub yaw: f32,
    /// Radians above the horizontal plane.
    pub pitch: f32,
    pub world_up: Vec3,
    pub fov_y: f32,
}

impl OrbitCamera {
    /// Frames `bounds` (or the unit cube around the origin) in a view of `aspect`
    /// (width / height).
    pub fn framing(bounds: Option<SceneBounds>, aspect: f32) -> Self {
        Self::framing_with_fov(bounds, aspect, DEFAULT_FOV_Y_DEGREES.to_radians())
    }

    /// The view a scene opens with, in the window and in `splatview render`
    /// without camera flags: the default framing of `bounds` about `up`.
    pub fn initial_view(bounds: Option<SceneBounds>, up: super::UpAxis, aspect: f32) -> Self {
        let mut orbit = Self::framing(bounds, aspect);
        orbit.world_up = up.vector();
        orbit
    }

    /// Frames `bounds` with a vertical field of view of `fov_y` radians.
    pub fn framing_with_fov(bounds: Option<SceneBounds>, aspect: f32, fov_y: f32) -> Self {
        let (center, radius) = bounds.map_or((Vec3::ZERO, 1.0), |b| (b.center(), b.radius()));
        let half_fov = 0.5 * fov_y.min(2.0 * ((0.5 * fov_y).tan() * aspect.max(1e-3)).atan());
        // Fit the bounding sphere of the robust bounds.
        let distance = radius / half_fov.sin().max(1e-3);
        Self {
            target: center,
            distance,
            yaw: 0.0,
            pitch: 0.15,
            world_up: DEFAULT_WORLD_UP,
            fov_y,
        }
    }

    /// The orbit whose eye and viewing direction are those of `pose`, turning about
    /// a target `distance` ahead. Roll about the view axis is dropped.
    pub fn from_pose(pose: &CameraPose, distance: f32, world_up: Vec3, fov_y: f32) -> Self {
        let (yaw, look_pitch) = yaw_pitch_of(pose.forward(), world_up);
        let distance = distance.max(1e-4);
        Self {
            target: pose.position + pose.forward() * distance,
            distance,
            yaw,
            pitch: (-look_pitch).clamp(-MAX_PITCH, MAX_PITCH),
            world_up,
            fov_y,
        }
    }

    /// Unit vector from the target towards the eye.
    fn eye_direction(&self) -> Vec3 {
        let up = self.world_up.normalize_or(Vec3::NEG_Y);
        // The eye looks back at the target: its viewing direction has pitch -pitch.
        -forward_from_yaw_pitch(self.yaw, -self.pitch, up)
    }

    pub fn pose(&self) -> CameraPose {
        CameraPose::from_world_from_camera(&self.world_from_camera())
    }

    pub fn eye(&self) -> Vec3 {
        self.target + self.eye_direction() * self.distance
    }

    pub fn world_from_camera(&self) -> Mat4 {
        world_from_camera_look_at(self.eye(), self.target, self.world_up)
    }

    /// The pinhole camera for a view of `width x height` pixels.
    pub fn camera(&self, width: u32, height: u32) -> PinholeCamera {
        PinholeCamera::from_fov_y(self.fov_y, width, height, self.world_from_camera())
    }

    /// Rotates by a mouse drag of `(dx, dy)` pixels.
    pub fn orbit(&mut self, dx: f32, dy: f32) {
        const RADIANS_PER_PIXEL: f32 = 0.005;
        self.yaw -= dx * RADIANS_PER_PIXEL;
        self.pitch = (self.pitch + dy * RADIANS_PER_PIXEL).clamp(-MAX_PITCH, MAX_PITCH);
    }

    /// Moves the target so the scene follows a drag of `(dx, dy)` pixels in a view
    /// `viewport_height` pixels tall.
    pub fn pan(&mut self, dx: f32, dy: f32, viewport_height: f32) {
        let world_per_pixel =
            2.0 * self.distance * (0.5 * self.fov_y).tan() / viewport_height.max(1.0);
        let pose = self.world_from_camera();
        let right = pose.x_axis.truncate();
        let down = pose.y_axis.truncate();
        self.target -= (right * dx + down * dy) * world_per_pixel;
    }

    /// Zooms by wheel `notches` (positive = closer; see `wheel`).
    pub fn zoom(&mut self, notches: f32) {
        self.distance = (self.distance * super::wheel::zoom_factor(notches)).clamp(1e-4, 1e7);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds() -> SceneBounds {
        SceneBounds {
            min: Vec3::new(-1.0, -2.0, -1.0),
            max: Vec3::new(1.0, 0.0, 1.0),
        }
    }

    #[test]
    fn framing_looks_at_the_centre() {
        let orbit = OrbitCamera::framing(Some(bounds()), 16.0 / 9.0);
        let cam = orbit.camera(160, 90);
        let px = cam.project(bounds().center()).unwrap_or_default();
        assert!((px - glam::Vec2::new(80.0, 45.0)).length() < 1e-2, "{px}");
    }

    #[test]
    fn orbit_keeps_distance_and_clamps_pitch() {
        let mut orbit = OrbitCamera::framing(Some(bounds()), 1.0);
        let d = orbit.distance;
        orbit.orbit(300.0, 10_000.0);
        assert!((orbit.eye().distance(orbit.target) - d).abs() < 1e-3);
        assert!(orbit.pitch <= MAX_PITCH);
        // Still a valid pose near the pole.
        assert!(orbit.world_from_camera().is_finite());
    }

    #[test]
    fn pan_moves_target_in_the_image_plane() {
        let mut orbit = OrbitCamera::framing(Some(bounds()), 1.0);
        let before = orbit.camera(100, 100);
        let target = orbit.target;
        orbit.pan(10.0, 0.0, 100.0);
        // The old target now appears 10 px to the right.
        let px = before.project(target).unwrap_or_default();
        let moved = orbit.camera(100, 100).project(target).unwrap_or_default();
        assert!((moved.x - px.x - 10.0).abs() < 0.05, "{px} {moved}");
    }
}
