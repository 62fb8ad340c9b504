//! Interpolation for camera paths: centripetal Catmull-Rom for points and SQUAD
//! (spherical quadrangle) for rotations.
//!
//! - Centripetal Catmull-Rom (Yuksel, Schaefer, Keyser 2011, "Parameterization and
//!   applications of Catmull-Rom curves") passes through every keyframe and does
//!   not form cusps or loops where keyframes bunch up; we use its tangents in a
//!   Hermite form that is C1 in time.
//! - SQUAD (Shoemake 1987, "Animating rotation with quaternion curves") is the
//!   rotation counterpart: C1 through the keyframes. Each quaternion is first put in
//!   the hemisphere of its predecessor, so every segment turns the short way and
//!   the camera never flips, at the poles or elsewhere.

use glam::{Quat, Vec3};

/// Point on the segment from `p1` to `p2` at `t` in 0..=1 (`p0`, `p3`: neighbours).
///
/// A cubic Hermite segment whose tangents have the directions of the centripetal
/// Catmull-Rom spline. Their lengths are averaged over the two segments that meet
/// at a keyframe, so the curve is C1 in *time* (keyframes are evenly spaced in
/// time) rather than only in the knot parameter: no speed jumps at keyframes.
pub fn catmull_rom(p0: Vec3, p1: Vec3, p2: Vec3, p3: Vec3, t: f32) -> Vec3 {
    catmull_rom_timed(p0, p1, p2, p3, [1.0; 3], t)
}

/// [`catmull_rom`] for keyframes that are not evenly spaced in time: `durations`
/// are the lengths (seconds) of the segments before, of and after this one. The
/// velocity at a keyframe is the centripetal tangent over the mean duration of
/// the two segments meeting there, and each segment scales it by its own
/// duration, so speed stays continuous across keyframes (C1 in time). Equal
/// durations give exactly [`catmull_rom`].
pub fn catmull_rom_timed(
    p0: Vec3,
    p1: Vec3,
    p2: Vec3,
    p3: Vec3,
    durations: [f32; 3],
    t: f32,
) -> Vec3 {
    let [h0, h1, h2] = durations.map(|h| h.max(1e-6));
    let m1 = centripetal_tangent(p0, p1, p2) * (2.0 * h1 / (h0 + h1));
    let m2 = centripetal_tangent(p1, p2, p3) * (2.0 * h1 / (h1 + h2));
    let t = t.clamp(0.0, 1.0);
    let (t2, t3) = (t * t, t * t * t);
    p1 * (2.0 * t3 - 3.0 * t2 + 1.0)
        + m1 * (t3 - 2.0 * t2 + t)
        + p2 * (-2.0 * t3 + 3.0 * t2)
        + m2 * (t3 - t2)
}

/// Catmull-Rom of scalars (field of view, log distance) between `v1` and `v2`
/// with segment `durations` as in [`catmull_rom_timed`]: the tangent at a
/// keyframe is the finite difference of its neighbours over the time between
/// them. Equal durations give uniform Catmull-Rom ([`catmull_rom_scalar`]).
pub fn catmull_rom_scalar_timed([v0, v1, v2, v3]: [f32; 4], durations: [f32; 3], t: f32) -> f32 {
    let [h0, h1, h2] = durations.map(|h| h.max(1e-6));
    let m1 = (v2 - v0) * h1 / (h0 + h1);
    let m2 = (v3 - v1) * h1 / (h1 + h2);
    let t = t.clamp(0.0, 1.0);
    let (t2, t3) = (t * t, t * t * t);
    v1 * (2.0 * t3 - 3.0 * t2 + 1.0)
        + m1 * (t3 - 2.0 * t2 + t)
        + v2 * (-2.0 * t3 + 3.0 * t2)
        + m2 * (t3 - t2)
}

/// Tangent at `p1` (per unit of time, one segment = 1) of the centripetal
/// Catmull-Rom spline through `p0, p1, p2`: knot spacing is the square root of the
/// chord length, which avoids cusps and loops where keyframes bunch up.
fn centripetal_tangent(p0: Vec3, p1: Vec3, p2: Vec3) -> Vec3 {
    let d01 = p0.distance(p1).sqrt();
    let d12 = p1.distance(p2).sqrt();
    if d01 < 1e-6 || d12 < 1e-6 {
        // A repeated keyframe: uniform Catmull-Rom there.
        return 0.5 * (p2 - p0);
    }
    let derivative = (p1 - p0) / d01 - (p2 - p0) / (d01 + d12) + (p2 - p1) / d12;
    derivative * (0.5 * (d01 + d12))
}

/// Uniform Catmull-Rom of scalars (field of view), `t` in 0..=1 between `v1` and `v2`.
pub fn catmull_rom_scalar(v0: f32, v1: f32, v2: f32, v3: f32, t: f32) -> f32 {
    let t2 = t * t;
    let t3 = t2 * t;
    0.5 * ((2.0 * v1)
        + (-v0 + v2) * t
        + (2.0 * v0 - 5.0 * v1 + 4.0 * v2 - v3) * t2
        + (-v0 + 3.0 * v1 - 3.0 * v2 + v3) * t3)
}

/// Logarithm of a unit quaternion as a rotation vector (axis * half angle).
fn quat_log(q: Quat) -> Vec3 {
    let v = Vec3::new(q.x, q.y, q.z);
    let sin_half = v.length();
    if sin_half < 1e-7 {
        return v;
    }
    let half = sin_half.atan2(q.w);
    v * (half / sin_half)
}

/// Inverse of `quat_log`.
fn quat_exp(v: Vec3) -> Quat {
    let half = v.length();
    if half < 1e-7 {
        return Quat::from_xyzw(v.x, v.y, v.z, 1.0).normalize();
    }
    let s = half.sin() / half;
    Quat::from_xyzw(v.x * s, v.y * s, v.z * s, half.cos())
}

/// `b` or `-b`, whichever is closer to `a` (the same rotation either way).
pub fn same_hemisphere(a: Quat, b: Quat) -> Quat {
    if a.dot(b) < 0.0 { -b } else { b }
}

/// SQUAD's inner control point for `q1` between neighbours `q0` and `q2` (all in
/// one hemisphere).
fn squad_control(q0: Quat, q1: Quat, q2: Quat) -> Quat {
    let inv = q1.inverse();
    let sum = quat_log(inv * q2) + quat_log(inv * q0);
    (q1 * quat_exp(-0.25 * sum)).normalize()
}

/// Plain slerp without glam's "shortest path" sign flip (the inputs are already
/// aligned; flipping here would break SQUAD's continuity).
fn slerp_raw(a: Quat, b: Quat, t: f32) -> Quat {
    let dot = a.dot(b).clamp(-1.0, 1.0);
    if dot > 0.9995 {
        return a.lerp(b, t).normalize();
    }
    let theta = dot.acos();
    let s = theta.sin();
    (a * (((1.0 - t) * theta).sin() / s) + b * ((t * theta).sin() / s)).normalize()
}

/// Rotation on the SQUAD segment from `q1` to `q2` at `t` in 0..=1, with `q0` and
/// `q3` the neighbouring keyframes.
pub fn squad(q0: Quat, q1: Quat, q2: Quat, q3: Quat, t: f32) -> Quat {
    let q1 = q1.normalize();
    let q0 = same_hemisphere(q1, q0.normalize());
    let q2 = same_hemisphere(q1, q2.normalize());
    let q3 = same_hemisphere(q2, q3.normalize());
    let s1 = squad_control(q0, q1, q2);
    let s2 = squad_control(q1, q2, q3);
    let t = t.clamp(0.0, 1.0);
    slerp_raw(
        slerp_raw(q1, q2, t),
        slerp_raw(s1, s2, t),
        2.0 * t * (1.0 - t),
    )
    .normalize()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_exp_round_trip() {
        let q = Quat::from_axis_angle(Vec3::new(1.0, 2.0, -0.5).normalize(), 2.5);
        assert!(quat_exp(quat_log(q)).angle_between(q) < 1e-5);
    }

    #[test]
    fn endpoints_are_interpolated() {
        let p = [
            Vec3::ZERO,
            Vec3::X,
            Vec3::new(2.0, 1.0, 0.0),
            Vec3::new(2.0, 3.0, 1.0),
        ];
        assert!(catmull_rom(p[0], p[1], p[2], p[3], 0.0).distance(p[1]) < 1e-5);
        assert!(catmull_rom(p[0], p[1], p[2], p[3], 1.0).distance(p[2]) < 1e-5);
        let q: Vec<Quat> = (0..4)
            .map(|i| Quat::from_rotation_y(i as f32 * 0.7))
            .collect();
        assert!(squad(q[0], q[1], q[2], q[3], 0.0).angle_between(q[1]) < 1e-4);
        assert!(squad(q[0], q[1], q[2], q[3], 1.0).angle_between(q[2]) < 1e-4);
        assert_eq!(catmull_rom_scalar(1.0, 2.0, 3.0, 4.0, 0.5), 2.5);
    }

    #[test]
    fn timed_curves_reduce_to_uniform_ones() {
        let v = [0.3, 1.7, -0.4, 2.2];
        for t in [0.0, 0.25, 0.5, 0.9, 1.0] {
            let uniform = catmull_rom_scalar(v[0], v[1], v[2], v[3], t);
            let timed = catmull_rom_scalar_timed(v, [2.5; 3], t);
            assert!((uniform - timed).abs() < 1e-5, "{t}: {uniform} {timed}");
        }
        // Unequal durations change the shape but not the ends.
        let p = [Vec3::ZERO, Vec3::X, Vec3::new(2.0, 1.0, 0.0), Vec3::Y * 3.0];
        let timed = |t| catmull_rom_timed(p[0], p[1], p[2], p[3], [1.0, 3.0, 0.5], t);
        assert!(timed(0.0).distance(p[1]) < 1e-6 && timed(1.0).distance(p[2]) < 1e-5);
        assert!(timed(0.5).distance(catmull_rom(p[0], p[1], p[2], p[3], 0.5)) > 1e-3);
    }

    #[test]
    fn opposite_signs_are_the_same_rotation() {
        let a = Quat::from_rotation_x(0.2);
        let b = Quat::from_rotation_x(0.4);
        let mid = squad(a, a, -b, b, 0.5);
        assert!(
            mid.angle_between(Quat::from_rotation_x(0.3)) < 0.02,
            "{mid}"
        );
    }
}
