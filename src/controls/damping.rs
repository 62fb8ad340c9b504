//! Frame-rate independent exponential smoothing ("damping").
//!
//! A value chases its goal with `value += (goal - value) * (1 - 2^(-dt / half_life))`.
//! Applying that once with `dt = a + b` equals applying it with `a` then with `b`, so
//! the motion is the same at 10 or 240 frames per second. Once the rest is below a
//! small threshold the value snaps to its goal, so animations end (and the viewer
//! goes idle) instead of creeping forever.

use glam::{Quat, Vec3};

/// How quickly smoothed camera motion follows its goal.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Damping {
    /// Seconds for half of the remaining distance to be covered; 0 = no smoothing.
    pub half_life: f32,
}

impl Default for Damping {
    fn default() -> Self {
        Self { half_life: 0.06 }
    }
}

impl Damping {
    /// Fraction of the remaining distance covered in `dt` seconds (0..=1).
    pub fn factor(&self, dt: f32) -> f32 {
        if self.half_life <= 0.0 || !dt.is_finite() {
            return 1.0;
        }
        1.0 - (-dt.max(0.0) / self.half_life).exp2()
    }
}

/// Moves `value` towards `goal`; returns true while it has not arrived.
/// `epsilon` is the distance under which it snaps.
pub fn damp_f32(value: &mut f32, goal: f32, factor: f32, epsilon: f32) -> bool {
    *value += (goal - *value) * factor;
    if (goal - *value).abs() <= epsilon || !value.is_finite() {
        *value = goal;
        false
    } else {
        true
    }
}

pub fn damp_vec3(value: &mut Vec3, goal: Vec3, factor: f32, epsilon: f32) -> bool {
    *value += (goal - *value) * factor;
    if value.distance(goal) <= epsilon || !value.is_finite() {
        *value = goal;
        false
    } else {
        true
    }
}

/// Spherical smoothing of a rotation; `epsilon` in radians.
pub fn damp_quat(value: &mut Quat, goal: Quat, factor: f32, epsilon: f32) -> bool {
    *value = value.slerp(goal, factor).normalize();
    if value.angle_between(goal) <= epsilon || !value.is_finite() {
        *value = goal;
        false
    } else {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitting_a_step_changes_nothing() {
        let d = Damping { half_life: 0.1 };
        let mut one = 0.0;
        damp_f32(&mut one, 1.0, d.factor(0.3), 0.0);
        let mut many = 0.0;
        for _ in 0..30 {
            damp_f32(&mut many, 1.0, d.factor(0.01), 0.0);
        }
        assert!((one - many).abs() < 1e-5, "{one} vs {many}");
        assert!((one - 0.875f32).abs() < 1e-5, "three half-lives: {one}");
    }

    #[test]
    fn snaps_and_stops() {
        let d = Damping::default();
        let mut v = Vec3::ZERO;
        let mut frames = 0;
        while damp_vec3(&mut v, Vec3::ONE, d.factor(1.0 / 60.0), 1e-4) {
            frames += 1;
            assert!(frames < 1000);
        }
        assert_eq!(v, Vec3::ONE);
        assert_eq!(Damping { half_life: 0.0 }.factor(0.001), 1.0);
    }
}
