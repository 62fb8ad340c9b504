//! Tests of `CameraRig`: mode switches, damping at any frame rate, up flips, framing.

use glam::{Vec2, Vec3};

use super::*;

fn bounds() -> SceneBounds {
    SceneBounds {
        min: Vec3::new(-1.0, -1.0, -1.0),
        max: Vec3::new(3.0, 1.0, 1.0),
    }
}

fn rig(mode: CameraMode) -> CameraRig {
    CameraRig::new(mode, UpAxis::NegY, Some(bounds()), 1.5)
}

fn drag(rotate: Vec2) -> PointerInput {
    PointerInput {
        rotate,
        viewport_height: 600.0,
        ..Default::default()
    }
}

fn same_pose(a: &CameraPose, b: &CameraPose, tolerance: f32) -> bool {
    a.position.distance(b.position) < tolerance && a.rotation.angle_between(b.rotation) < tolerance
}

#[test]
fn switching_modes_keeps_the_view() {
    let mut rig = rig(CameraMode::Orbit);
    rig.pointer(&drag(Vec2::new(40.0, 25.0)));
    rig.update(10.0);
    for mode in [
        CameraMode::Fly,
        CameraMode::Trackball,
        CameraMode::Orbit,
        CameraMode::Fly,
    ] {
        let before = rig.pose();
        rig.set_mode(mode);
        assert_eq!(rig.mode(), mode);
        assert!(same_pose(&before, &rig.pose(), 1e-4), "{mode:?}");
        assert!(
            !rig.update(1.0 / 60.0),
            "{mode:?}: a mode switch must not animate"
        );
    }
}

#[test]
fn damping_is_frame_rate_independent() {
    for mode in CameraMode::ALL {
        let run = |frames: usize, duration: f32| {
            let mut rig = rig(mode);
            rig.pointer(&drag(Vec2::new(120.0, -60.0)));
            rig.pointer(&PointerInput {
                scroll: 2.0,
                viewport_height: 600.0,
                ..Default::default()
            });
            for _ in 0..frames {
                rig.update(duration / frames as f32);
            }
            rig.pose()
        };
        // 0.1 s is mid-animation (damping half-life 0.06 s).
        let slow = run(3, 0.1);
        let fast = run(50, 0.1);
        assert!(
            same_pose(&slow, &fast, 1e-4),
            "{mode:?}: {slow:?} vs {fast:?}"
        );
        let settled = run(1, 5.0);
        assert!(
            !same_pose(&slow, &settled, 1e-3),
            "{mode:?} did not animate"
        );
    }
}

#[test]
fn animation_ends() {
    let mut rig = rig(CameraMode::Orbit);
    rig.pointer(&drag(Vec2::new(300.0, 80.0)));
    let mut frames = 0;
    while rig.update(1.0 / 60.0) {
        frames += 1;
        assert!(frames < 300, "never settles");
    }
    assert!(same_pose(&rig.pose(), &rig.goal_pose(), 1e-6));
}

#[test]
fn flipping_up_turns_the_image_upside_down() {
    for mode in CameraMode::ALL {
        let mut rig = rig(mode);
        rig.pointer(&drag(Vec2::new(30.0, 10.0)));
        rig.update(10.0);
        let before = rig.pose();
        rig.set_up(rig.up().flipped());
        let after = rig.pose();
        assert!(after.position.distance(before.position) < 1e-4, "{mode:?}");
        assert!(
            after.forward().distance(before.forward()) < 1e-4,
            "{mode:?}"
        );
        if mode != CameraMode::Trackball {
            assert!(after.right().distance(-before.right()) < 1e-4, "{mode:?}");
        }
    }
}

#[test]
fn drags_turn_the_same_way_in_orbit_and_trackball() {
    for delta in [
        Vec2::new(10.0, 0.0),
        Vec2::new(0.0, 10.0),
        Vec2::new(-7.0, 4.0),
    ] {
        let mut orbit = rig(CameraMode::Orbit);
        let mut ball = rig(CameraMode::Trackball);
        // Start level for both so that they agree to first order.
        orbit.pointer(&drag(delta));
        ball.pointer(&drag(delta));
        orbit.update(10.0);
        ball.update(10.0);
        let (o, b) = (orbit.pose(), ball.pose());
        assert!(o.forward().distance(b.forward()) < 2e-3, "{delta}");
        assert!(o.position.distance(b.position) < 1e-2, "{delta}");
    }
}

#[test]
fn orbit_never_flips_at_the_poles() {
    let mut rig = rig(CameraMode::Orbit);
    let mut previous = rig.pose();
    for step in 0..400 {
        let dy = if step < 200 { 5.0 } else { -5.0 };
        rig.pointer(&drag(Vec2::new(3.0, dy)));
        rig.update(1.0 / 60.0);
        let pose = rig.pose();
        assert!(pose.is_finite());
        assert!(
            pose.rotation.angle_between(previous.rotation) < 0.1,
            "jump at step {step}"
        );
        // No roll: image right stays horizontal.
        assert!(pose.right().dot(Vec3::NEG_Y).abs() < 1e-3);
        previous = pose;
    }
}

#[test]
fn frame_fits_the_scene_from_the_current_direction() {
    for mode in CameraMode::ALL {
        let mut rig = rig(mode);
        rig.pointer(&drag(Vec2::new(200.0, 40.0)));
        rig.pointer(&PointerInput {
            pan: Vec2::new(300.0, 100.0),
            viewport_height: 600.0,
            ..Default::default()
        });
        rig.update(10.0);
        let forward = rig.pose().forward();
        rig.frame(Some(bounds()), 1.5);
        rig.update(10.0);
        let cam = rig.camera(150, 100);
        let centre = cam.project(bounds().center()).unwrap_or_default();
        assert!(
            (centre - Vec2::new(75.0, 50.0)).length() < 0.5,
            "{mode:?}: {centre}"
        );
        assert!(rig.pose().forward().distance(forward) < 1e-3, "{mode:?}");
        // The bounding sphere fits: its centre is `radius / sin(half fov)` away.
        let d = rig.pose().position.distance(bounds().center());
        let expected = bounds().radius() / (0.5 * rig.fov_y).sin();
        assert!(
            (d - expected).abs() < 1e-3 * expected,
            "{mode:?}: {d} vs {expected}"
        );
    }
}

#[test]
fn set_pose_reaches_training_views() {
    let pose = CameraPose::look_at(Vec3::new(4.0, -2.0, -5.0), Vec3::ZERO, Vec3::NEG_Y);
    for mode in CameraMode::ALL {
        let mut rig = rig(mode);
        rig.set_pose(&pose, 3.0, false);
        rig.update(10.0);
        assert!(same_pose(&rig.pose(), &pose, 1e-3), "{mode:?}");
    }
}

#[test]
fn fly_wheel_changes_speed() {
    let mut rig = rig(CameraMode::Fly);
    let before = rig.fly_speed;
    rig.pointer(&PointerInput {
        scroll: 1.0,
        viewport_height: 600.0,
        ..Default::default()
    });
    assert!(rig.fly_speed > before);
    let eye = rig.pose().position;
    rig.set_move_keys(MoveKeys {
        axes: Vec3::Z,
        boost: false,
    });
    assert!(rig.update(0.5));
    let moved = rig.pose().position - eye;
    assert!(moved.dot(rig.pose().forward()) > 0.0);
}
