//! Path interpolation tests: keyframes are hit, motion is continuous (C0 and C1),
//! rotations never flip, files round-trip.

use std::path::Path;

use glam::{Quat, Vec3};

use super::*;

const UP: Vec3 = Vec3::NEG_Y;

/// A path around a scene that passes straight over the top (looking down) and
/// includes keyframes whose quaternions have opposite signs.
fn path(looping: bool) -> CameraPath {
    let views = [
        (Vec3::new(0.0, -1.0, -5.0), Vec3::ZERO),
        (Vec3::new(4.0, -2.0, 0.0), Vec3::ZERO),
        (Vec3::new(0.0, -6.0, 0.001), Vec3::ZERO), // over the pole, looking down
        (Vec3::new(-4.0, -1.0, 1.0), Vec3::ZERO),
        (Vec3::new(-1.0, 0.5, -3.0), Vec3::new(0.0, 0.0, 1.0)),
    ];
    let keyframes = views
        .iter()
        .enumerate()
        .map(|(i, (eye, target))| {
            let mut k = Keyframe::new(
                &CameraPose::look_at(*eye, *target, UP),
                (40.0 + 5.0 * i as f32).to_radians(),
            );
            if i % 2 == 1 {
                // Same rotation, other sign.
                k.rotation = (-Quat::from_array(k.rotation)).to_array();
            }
            k
        })
        .collect();
    CameraPath {
        duration_s: 8.0,
        looping,
        keyframes,
        ..Default::default()
    }
}

#[test]
fn passes_through_keyframes() {
    for looping in [false, true] {
        let p = path(looping);
        for (i, k) in p.keyframes.iter().enumerate() {
            let s = p.sample(p.keyframe_time(i)).expect("non-empty");
            assert!(
                s.pose.position.distance(Vec3::from_array(k.position)) < 1e-3,
                "{i}"
            );
            assert!(
                s.pose.rotation.angle_between(k.pose().rotation) < 2e-3,
                "{i}"
            );
            assert!((s.fov_y.to_degrees() - k.fov_y_degrees).abs() < 1e-3);
        }
    }
}

#[test]
fn motion_is_continuous_without_flips() {
    for looping in [false, true] {
        let p = path(looping);
        let steps = 4000;
        let dt = p.duration_s / steps as f32;
        let mut previous = p.sample(0.0).expect("non-empty");
        let mut previous_velocity: Option<Vec3> = None;
        for s in 1..=steps {
            let sample = p.sample(s as f32 * dt).expect("non-empty");
            let turn = sample.pose.rotation.angle_between(previous.pose.rotation);
            assert!(
                turn < 0.01,
                "rotation jumps by {turn} rad at step {s} (looping {looping})"
            );
            let velocity = (sample.pose.position - previous.pose.position) / dt;
            if let Some(v) = previous_velocity {
                // C1: velocity changes only a little between samples, at segment joins too.
                assert!(
                    (velocity - v).length() < 0.05 * v.length().max(1.0),
                    "kink at step {s}"
                );
            }
            previous_velocity = Some(velocity);
            previous = sample;
        }
    }
}

#[test]
fn looping_wraps_and_open_paths_clamp() {
    let open = path(false);
    let a = open.sample(-5.0).expect("non-empty");
    assert!(
        a.pose
            .position
            .distance(Vec3::from_array(open.keyframes[0].position))
            < 1e-4
    );
    let closed = path(true);
    let start = closed.sample(0.0).expect("non-empty");
    let lap = closed.sample(closed.duration_s).expect("non-empty");
    assert!(start.pose.position.distance(lap.pose.position) < 1e-3);
    assert_eq!(closed.frame_times(4), vec![0.0, 2.0, 4.0, 6.0]);
    assert_eq!(open.frame_times(3), vec![0.0, 4.0, 8.0]);
    assert!(CameraPath::default().sample(1.0).is_none());
}

#[test]
fn json_round_trip_and_errors() {
    let p = path(true);
    let text = p.to_json();
    let back = CameraPath::from_json(Path::new("p.json"), &text).expect("parses");
    assert_eq!(back, p);
    for bad in [
        "{}",
        r#"{"version": 2, "duration_s": 1, "looping": false, "keyframes": []}"#,
        r#"{"version": 1, "duration_s": 0, "looping": false, "keyframes": []}"#,
        r#"{"version": 1, "duration_s": 1, "looping": false, "keyframes": [
            {"position": [0, 0, 0], "rotation": [0, 0, 0, 0], "fov_y_degrees": 50}]}"#,
    ] {
        let err = CameraPath::from_json(Path::new("dir/p.json"), bad).expect_err(bad);
        assert!(err.to_string().contains("dir/p.json"), "{err}");
    }
    // A bad keyframe says which field is wrong.
    for (keyframe, says) in [
        (
            r#"{"position": [0, 0, 0], "rotation": [0, 0, 0, 0], "fov_y_degrees": 50}"#,
            "keyframe 0: its rotation is a zero quaternion",
        ),
        (
            r#"{"position": [0, 0, 0], "rotation": [0, 0, 0, 1], "fov_y_degrees": 180}"#,
            "keyframe 0: its fov_y_degrees is outside 0..179",
        ),
    ] {
        let text = format!(
            r#"{{"version": 1, "duration_s": 1, "looping": false, "keyframes": [{keyframe}]}}"#
        );
        let err = CameraPath::from_json(Path::new("p.json"), &text).expect_err(keyframe);
        assert!(err.to_string().contains(says), "{err}");
    }
    let dir = std::env::temp_dir().join(format!("splatview-path-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("path.json");
    p.save(&file).expect("save");
    assert_eq!(CameraPath::load(&file).expect("load"), p);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `n` keyframes on a circle of `radius` about `centre` (up -y), each looking at
/// the centre and remembering it as its target.
fn circle(n: usize, radius: f32, centre: Vec3) -> CameraPath {
    let keyframes = (0..n)
        .map(|i| {
            let angle = std::f32::consts::TAU * i as f32 / n as f32;
            let eye = centre + Vec3::new(angle.cos(), -0.2, angle.sin()) * radius;
            Keyframe::with_target(&CameraPose::look_at(eye, centre, UP), 0.8, centre)
        })
        .collect();
    CameraPath {
        duration_s: 8.0,
        looping: true,
        keyframes,
        ..Default::default()
    }
}

/// Distances from the centre along the whole path (min, max).
fn distance_range(path: &CameraPath, centre: Vec3) -> (f32, f32) {
    (0..=800)
        .map(|s| {
            let sample = path
                .sample(path.duration_s * s as f32 / 800.0)
                .expect("non-empty");
            sample.pose.position.distance(centre)
        })
        .fold((f32::MAX, f32::MIN), |(lo, hi), d| (lo.min(d), hi.max(d)))
}

#[test]
fn orbit_keeps_the_subject_at_its_distance() {
    let centre = Vec3::new(1.0, 2.0, 3.0);
    let radius = 4.0 * 1.0198; // |(cos, -0.2, sin)| = 1.0198
    let orbit = circle(4, 4.0, centre);
    assert!(orbit.shares_target());
    assert_eq!(orbit.resolved_interpolation(), Interpolation::Orbit);
    let (lo, hi) = distance_range(&orbit, centre);
    assert!(
        (lo - radius).abs() < 1e-3 * radius && (hi - radius).abs() < 1e-3 * radius,
        "orbit: {lo}..{hi}, expected {radius}"
    );
    // The camera keeps looking at the target.
    for s in 0..100 {
        let sample = orbit.sample(0.08 * s as f32).expect("non-empty");
        let to_centre = (centre - sample.pose.position).normalize();
        assert!(sample.pose.forward().angle_between(to_centre) < 2e-3, "{s}");
    }
    // Catmull-Rom through the same eyes cuts inside the circle: the subject
    // grows between keyframes (the bug orbit interpolation fixes).
    let spline = CameraPath {
        interpolation: Interpolation::CatmullRom,
        ..orbit.clone()
    };
    let (lo, _) = distance_range(&spline, centre);
    assert!(lo < 0.95 * radius, "Catmull-Rom stays at {lo} of {radius}");
}

#[test]
fn orbit_interpolates_distance_apart_and_is_continuous() {
    let centre = Vec3::ZERO;
    let mut path = circle(5, 3.0, centre);
    path.looping = false;
    // Different distances: the eye moves along each keyframe's view ray.
    for (i, k) in path.keyframes.iter_mut().enumerate() {
        let scale = 1.0 + 0.5 * i as f32;
        k.position = (Vec3::from_array(k.position) * scale).to_array();
    }
    assert_eq!(path.resolved_interpolation(), Interpolation::Orbit);
    for (i, k) in path.keyframes.iter().enumerate() {
        let s = path.sample(path.keyframe_time(i)).expect("non-empty");
        assert!(
            s.pose.position.distance(Vec3::from_array(k.position)) < 1e-3,
            "{i}"
        );
    }
    let steps = 2000;
    let dt = path.duration_s / steps as f32;
    let mut previous = path.sample(0.0).expect("non-empty");
    for s in 1..=steps {
        let sample = path.sample(s as f32 * dt).expect("non-empty");
        assert!(
            sample.pose.position.distance(previous.pose.position) < 0.05,
            "{s}"
        );
        assert!(
            sample.pose.rotation.angle_between(previous.pose.rotation) < 0.02,
            "{s}"
        );
        previous = sample;
    }
    // Targets that differ: Auto falls back to Catmull-Rom, explicit orbit
    // interpolates the target too.
    path.keyframes[2].target = Some([0.5, 0.0, 0.0]);
    assert!(!path.shares_target());
    assert_eq!(path.resolved_interpolation(), Interpolation::CatmullRom);
    path.interpolation = Interpolation::Orbit;
    assert_eq!(path.resolved_interpolation(), Interpolation::Orbit);
}

#[test]
fn keyframe_times_are_honoured_and_filled_in() {
    let mut p = path(false);
    p.duration_s = 10.0;
    assert_eq!(p.keyframe_times(), vec![0.0, 2.5, 5.0, 7.5, 10.0]);
    p.keyframes[2].time_s = Some(8.0);
    assert_eq!(p.keyframe_times(), vec![0.0, 4.0, 8.0, 9.0, 10.0]);
    for (i, k) in p.keyframes.iter().enumerate() {
        let s = p.sample(p.keyframe_time(i)).expect("non-empty");
        assert!(
            s.pose.position.distance(Vec3::from_array(k.position)) < 1e-3,
            "{i}"
        );
    }
    // Between 0 and 8 s the path covers keyframes 0..2; at 4 s it is at 1.
    let at_4 = p.sample(4.0).expect("non-empty");
    assert!(
        at_4.pose
            .position
            .distance(Vec3::from_array(p.keyframes[1].position))
            < 1e-3
    );
    let mut closed = path(true);
    closed.keyframes[1].time_s = Some(1.0);
    let times = closed.keyframe_times();
    assert_eq!(times.len(), 6);
    assert_eq!((times[0], times[1], times[5]), (0.0, 1.0, 8.0));
    assert!((times[2] - (1.0 + 7.0 / 4.0)).abs() < 1e-5, "{times:?}");
}

#[test]
fn uneven_times_keep_speed_continuous() {
    let mut p = path(false);
    for (k, t) in p.keyframes.iter_mut().zip([0.0, 0.5, 4.0, 5.0, 8.0]) {
        k.time_s = Some(t);
    }
    // Velocity just before and just after each inner keyframe. A curve that
    // ignored the durations would change speed there by the ratio of the
    // segments' lengths (7x at 0.5 s); the difference left here is the
    // acceleration over 2 * EPS.
    const EPS: f32 = 5e-4;
    let at = |t: f32| p.sample(t).expect("non-empty").pose.position;
    for (i, time) in p.keyframe_times().into_iter().enumerate().skip(1).take(3) {
        let before = (at(time) - at(time - EPS)) / EPS;
        let after = (at(time + EPS) - at(time)) / EPS;
        assert!(
            (after - before).length() < 0.1 * before.length().max(0.1),
            "keyframe {i} at {time} s: speed {before} -> {after}"
        );
    }
    // Evenly spaced times behave as before.
    let even = path(false);
    let mut timed = even.clone();
    for (i, k) in timed.keyframes.iter_mut().enumerate() {
        k.time_s = Some(even.keyframe_time(i));
    }
    for s in 0..=80 {
        let t = 0.1 * s as f32;
        let (a, b) = (even.sample(t), timed.sample(t));
        let (a, b) = (a.expect("non-empty"), b.expect("non-empty"));
        assert!(a.pose.position.distance(b.pose.position) < 1e-4, "{t}");
    }
}

#[test]
fn bad_times_and_targets_are_rejected() {
    let base = path(false);
    let check = |edit: &dyn Fn(&mut CameraPath)| {
        let mut p = base.clone();
        edit(&mut p);
        CameraPath::from_json(Path::new("p.json"), &p.to_json())
    };
    assert!(check(&|p| p.keyframes[1].time_s = Some(3.0)).is_ok());
    assert!(check(&|p| p.keyframes[1].time_s = Some(-1.0)).is_err());
    assert!(check(&|p| p.keyframes[1].time_s = Some(9.0)).is_err());
    assert!(
        check(&|p| {
            p.keyframes[1].time_s = Some(3.0);
            p.keyframes[2].time_s = Some(2.0);
        })
        .is_err()
    );
    assert!(
        check(&|p| {
            p.looping = true;
            p.keyframes[0].time_s = Some(1.0);
        })
        .is_err()
    );
    let err = check(&|p| p.interpolation = Interpolation::Orbit).expect_err("no targets");
    assert!(err.to_string().contains("no target"), "{err}");
}

#[test]
fn old_files_keep_catmull_rom() {
    let text = r#"{"version": 1, "duration_s": 4, "looping": false, "keyframes": [
        {"position": [0, 0, -5], "rotation": [0, 0, 0, 1], "fov_y_degrees": 50},
        {"position": [5, 0, 0], "rotation": [0, 0.7071068, 0, 0.7071068], "fov_y_degrees": 50}]}"#;
    let p = CameraPath::from_json(Path::new("old.json"), text).expect("old file");
    assert_eq!(p.interpolation, Interpolation::Auto);
    assert!(
        p.keyframes
            .iter()
            .all(|k| k.target.is_none() && k.time_s.is_none())
    );
    assert_eq!(p.resolved_interpolation(), Interpolation::CatmullRom);
    // New fields round-trip, and stay out of files that do not use them.
    let orbit = circle(3, 2.0, Vec3::ONE);
    let back = CameraPath::from_json(Path::new("o.json"), &orbit.to_json()).expect("parses");
    assert_eq!(back, orbit);
    assert!(!p.to_json().contains("time_s") && !p.to_json().contains("target"));
    assert_eq!(circle(3, 2.0, Vec3::ONE).video_frame_count(30.0), 240);
    assert_eq!(p.video_frame_count(30.0), 121);
}
