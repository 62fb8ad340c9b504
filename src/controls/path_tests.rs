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
    let dir = std::env::temp_dir().join(format!("splatview-path-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("path.json");
    p.save(&file).expect("save");
    assert_eq!(CameraPath::load(&file).expect("load"), p);
    let _ = std::fs::remove_dir_all(&dir);
}
