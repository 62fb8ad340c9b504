//! Trackball camera: turns freely about a target, with no preferred up direction
//! (drag across the top of a sphere and the view rolls over it, without any pole).

use glam::{Quat, Vec2, Vec3};

use super::damping::{Damping, damp_f32, damp_quat, damp_vec3};
use super::pose::CameraPose;

const RADIANS_PER_PIXEL: f32 = 0.005;

/// A trackball state: the target, the distance to it, and the camera rotation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrackballPose {
    pub target: Vec3,
    pub distance: f32,
    /// World-from-camera rotation (OpenCV axes).
    pub rotation: Quat,
}

impl TrackballPose {
    pub fn from_pose(pose: &CameraPose, distance: f32) -> Self {
        Self {
            target: pose.position + pose.forward() * distance,
            distance,
            rotation: pose.rotation,
        }
    }

    pub fn pose(&self) -> CameraPose {
        CameraPose {
            position: self.target - self.rotation * Vec3::Z * self.distance,
            rotation: self.rotation,
        }
    }

    /// Turns the camera about the target by a drag of `delta` pixels: the rotation
    /// axis lies in the image plane, perpendicular to the drag.
    pub fn rotate(&mut self, delta: Vec2) {
        let angle = delta.length() * RADIANS_PER_PIXEL;
        if angle <= 0.0 || !angle.is_finite() {
            return;
        }
        // Same directions as the orbit camera: drag right turns about image up,
        // drag down lifts the eye.
        let axis_camera = Vec3::new(-delta.y, delta.x, 0.0) / delta.length();
        let turn = Quat::from_axis_angle(self.rotation * axis_camera, angle);
        self.rotation = (turn * self.rotation).normalize();
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrackballController {
    pub goal: TrackballPose,
    pub current: TrackballPose,
}

impl TrackballController {
    pub fn new(pose: TrackballPose) -> Self {
        Self {
            goal: pose,
            current: pose,
        }
    }

    pub fn update(&mut self, dt: f32, damping: &Damping) -> bool {
        let f = damping.factor(dt);
        let scale = self.goal.distance.max(1e-3);
        let mut moving = damp_vec3(&mut self.current.target, self.goal.target, f, scale * 1e-5);
        // Distance in log space: zooming feels the same near and far.
        let mut log_d = self.current.distance.max(1e-6).ln();
        moving |= damp_f32(&mut log_d, self.goal.distance.max(1e-6).ln(), f, 1e-5);
        self.current.distance = if moving {
            log_d.exp()
        } else {
            self.goal.distance
        };
        moving |= damp_quat(&mut self.current.rotation, self.goal.rotation, f, 1e-5);
        moving
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolling_over_the_top_has_no_jump() {
        let start = CameraPose::look_at(Vec3::new(0.0, 0.0, -3.0), Vec3::ZERO, Vec3::NEG_Y);
        let mut ball = TrackballPose::from_pose(&start, 3.0);
        let mut previous = ball.pose();
        // Drag down far enough to pass over the pole and beyond, in small steps.
        for _ in 0..800 {
            ball.rotate(Vec2::new(0.0, 2.0));
            let pose = ball.pose();
            assert!(pose.rotation.angle_between(previous.rotation) < 0.011);
            assert!((pose.position.length() - 3.0).abs() < 1e-3);
            previous = pose;
        }
    }
}
