//! Fly camera: the eye moves (W/A/S/D forward/left/back/right, Q/E down/up along the
//! world up axis, Shift faster) and turns in place (mouse look), with no roll.
//!
//! Velocity chases the speed the keys ask for with an exponential half-life and the
//! position integrates that velocity in closed form, so a flight covers the same
//! distance at any frame rate (as long as the keys held do not change mid-frame).

use glam::{Vec2, Vec3};

use super::damping::{Damping, damp_f32, damp_vec3};
use super::orbit::MAX_PITCH;
use super::pose::{CameraPose, forward_from_yaw_pitch, level_rotation, yaw_pitch_of};

/// Speed multiplier while Shift is held.
pub const BOOST: f32 = 4.0;
/// Half-life of velocity changes, seconds.
pub const VELOCITY_HALF_LIFE: f32 = 0.08;
/// Mouse-look sensitivity.
pub const RADIANS_PER_PIXEL: f32 = 0.004;

/// Movement keys held this frame: x right, y up (world), z forward, each -1..=1.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MoveKeys {
    pub axes: Vec3,
    pub boost: bool,
}

/// A pose of the fly camera: eye position and look angles about the world up.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FlyPose {
    pub position: Vec3,
    pub yaw: f32,
    /// Radians above the horizon of the viewing direction.
    pub pitch: f32,
}

impl FlyPose {
    pub fn from_pose(pose: &CameraPose, up: Vec3) -> Self {
        let (yaw, pitch) = yaw_pitch_of(pose.forward(), up);
        Self {
            position: pose.position,
            yaw,
            pitch: pitch.clamp(-MAX_PITCH, MAX_PITCH),
        }
    }

    pub fn pose(&self, up: Vec3) -> CameraPose {
        CameraPose {
            position: self.position,
            rotation: level_rotation(forward_from_yaw_pitch(self.yaw, self.pitch, up), up),
        }
    }
}

/// Goal and smoothed state of the fly camera.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FlyController {
    pub goal: FlyPose,
    pub current: FlyPose,
    pub velocity: Vec3,
    pub keys: MoveKeys,
}

impl FlyController {
    pub fn new(pose: FlyPose) -> Self {
        Self {
            goal: pose,
            current: pose,
            velocity: Vec3::ZERO,
            keys: MoveKeys::default(),
        }
    }

    /// Mouse look by a drag of `delta` pixels (drag right: turn right).
    pub fn look(&mut self, delta: Vec2) {
        self.goal.yaw -= delta.x * RADIANS_PER_PIXEL;
        self.goal.pitch =
            (self.goal.pitch - delta.y * RADIANS_PER_PIXEL).clamp(-MAX_PITCH, MAX_PITCH);
    }

    /// Moves the eye sideways/vertically in the image plane by `offset` world units
    /// (x right, y down).
    pub fn strafe(&mut self, offset: Vec2, up: Vec3) {
        let pose = self.goal.pose(up);
        let shift = pose.right() * offset.x + pose.down() * offset.y;
        self.goal.position += shift;
        self.current.position += shift;
    }

    /// Advances by `dt` seconds at `speed` world units per second; true while moving.
    pub fn update(&mut self, dt: f32, damping: &Damping, speed: f32, up: Vec3) -> bool {
        let factor = damping.factor(dt);
        let mut moving = damp_f32(&mut self.current.yaw, self.goal.yaw, factor, 1e-5);
        moving |= damp_f32(&mut self.current.pitch, self.goal.pitch, factor, 1e-5);
        // Jumps (frame scene, training cameras) glide like the other modes.
        let epsilon = speed.abs().max(1e-6) * 1e-5;
        moving |= damp_vec3(
            &mut self.current.position,
            self.goal.position,
            factor,
            epsilon,
        );

        // Keys move relative to where the camera looks now.
        let pose = self.current.pose(up);
        let boost = if self.keys.boost { BOOST } else { 1.0 };
        let axes = self.keys.axes.clamp(Vec3::NEG_ONE, Vec3::ONE);
        let wanted =
            (pose.right() * axes.x + up * axes.y + pose.forward() * axes.z) * speed * boost;

        let (displacement, velocity) = integrate_damped_velocity(self.velocity, wanted, dt);
        self.current.position += displacement;
        self.goal.position += displacement;
        self.velocity = velocity;
        if wanted == Vec3::ZERO && self.velocity.length() <= speed.abs() * 1e-3 {
            self.velocity = Vec3::ZERO;
        } else {
            moving = true;
        }
        moving
    }
}

/// Velocity `v0` relaxing towards `wanted` with `VELOCITY_HALF_LIFE`, over `dt`
/// seconds, in closed form: `v(t) = w + (v0 - w) e^(-kt)`. Returns the displacement
/// (the integral of `v`) and the final velocity.
pub fn integrate_damped_velocity(v0: Vec3, wanted: Vec3, dt: f32) -> (Vec3, Vec3) {
    let dt = if dt.is_finite() { dt.max(0.0) } else { 0.0 };
    let k = std::f32::consts::LN_2 / VELOCITY_HALF_LIFE;
    let decay = (-k * dt).exp();
    let displacement = wanted * dt + (v0 - wanted) * (1.0 - decay) / k;
    (displacement, wanted + (v0 - wanted) * decay)
}

#[cfg(test)]
mod tests {
    use super::*;

    const UP: Vec3 = Vec3::NEG_Y;

    fn fly(frames: usize, dt: f32) -> FlyController {
        let mut fly = FlyController::new(FlyPose {
            position: Vec3::ZERO,
            yaw: 0.0,
            pitch: 0.0,
        });
        fly.keys.axes = Vec3::Z;
        fly.look(Vec2::new(50.0, -20.0));
        for _ in 0..frames {
            fly.update(dt, &Damping::default(), 2.0, UP);
        }
        fly
    }

    #[test]
    fn frame_rate_independent_travel() {
        // One second of "W" at 2 units/s, turning at the same time.
        let slow = fly(12, 1.0 / 12.0);
        let fast = fly(240, 1.0 / 240.0);
        assert!((slow.current.yaw - fast.current.yaw).abs() < 1e-3);
        // Straight flight is exact; the turn makes the direction lag differently.
        let straight = |frames, dt| {
            let mut f = FlyController::new(FlyPose {
                position: Vec3::ZERO,
                yaw: 0.3,
                pitch: 0.2,
            });
            f.keys.axes = Vec3::new(1.0, 0.0, 1.0);
            for _ in 0..frames {
                f.update(dt, &Damping::default(), 2.0, UP);
            }
            f.current.position
        };
        let a = straight(10, 0.1);
        let b = straight(1000, 0.001);
        assert!(a.distance(b) < 1e-4, "{a} vs {b}");
        // Less than 2 units: it had to speed up first.
        assert!(a.length() > 1.5 * 2f32.sqrt() && a.length() < 2.0 * 2f32.sqrt());
        assert!(slow.current.position.distance(fast.current.position) < 0.05);
    }

    #[test]
    fn stops_when_keys_are_released() {
        let mut f = fly(30, 1.0 / 30.0);
        f.keys = MoveKeys::default();
        let mut frames = 0;
        while f.update(1.0 / 60.0, &Damping::default(), 2.0, UP) {
            frames += 1;
            assert!(frames < 600, "never settles");
        }
        assert_eq!(f.velocity, Vec3::ZERO);
    }

    #[test]
    fn look_is_clamped_below_the_poles() {
        let mut f = fly(0, 0.0);
        f.look(Vec2::new(0.0, -1e6));
        f.update(10.0, &Damping::default(), 1.0, UP);
        assert!(f.current.pitch <= MAX_PITCH);
        let pose = f.current.pose(UP);
        assert!(pose.is_finite());
        // Still no roll: image right stays horizontal.
        assert!(pose.right().dot(UP).abs() < 1e-4);
    }
}
