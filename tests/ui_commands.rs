//! Command dispatch: every command has the same effect whether it comes from its
//! keyboard shortcut or from its menu entry, and that effect is not nothing.

mod common;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use glam::Mat4;
use splatview::app::command::{Category, Command};
use splatview::app::compare::BSource;
use splatview::app::state::{AppState, SceneInfo};
use splatview::controls::path::Keyframe;
use splatview::controls::{CameraMode, CameraPose};
use splatview::io::cameras_json::TrainingCamera;
use splatview::scene::{PinholeCamera, SceneBounds};
use splatview::settings::{CompareLayout, Settings};

/// A state in which every command has something to act on: a scene (so also a
/// recent file), training cameras, keyframes, an error, SH cap below the maximum.
/// The camera starts in fly mode, except for the "fly mode" command, so that every
/// mode command has a mode to leave.
fn state(command: Command) -> AppState {
    let mode = if command == Command::FlyMode {
        CameraMode::Orbit
    } else {
        CameraMode::Fly
    };
    let mut state = AppState::new(Settings {
        camera_mode: mode,
        ..Settings::default()
    });
    state.viewport = (1280, 720);
    let bounds = SceneBounds {
        min: glam::Vec3::splat(-1.0),
        max: glam::Vec3::splat(1.0),
    };
    let info = SceneInfo {
        path: "/data/scene.ply".into(),
        name: "scene.ply".into(),
        format: "3DGS PLY".into(),
        splat_count: 10,
        sh_degree: 3,
        aa: Default::default(),
        bounds: Some(bounds),
        gpu_bytes: None,
    };
    state.set_scene(info);
    let cameras = (0..3)
        .map(|i| {
            let eye = glam::Vec3::new(i as f32, -1.0, -4.0);
            let pose = CameraPose::look_at(eye, glam::Vec3::ZERO, glam::Vec3::NEG_Y);
            TrainingCamera {
                id: i,
                name: format!("img{i}.png"),
                camera: PinholeCamera::from_fov_y(0.8, 64, 48, pose.world_from_camera()),
            }
        })
        .collect();
    state.set_training_cameras("/data/cameras.json".into(), cameras);
    for x in [-3.0, 3.0] {
        let pose = CameraPose::from_world_from_camera(&Mat4::from_translation(glam::Vec3::new(
            x, 0.0, -5.0,
        )));
        state.path.path.keyframes.push(Keyframe::new(&pose, 0.8));
    }
    // Move away from the framed view, so "frame" and "reset" have work to do.
    state.rig.pointer(&splatview::controls::PointerInput {
        rotate: glam::Vec2::new(120.0, 40.0),
        pan: glam::Vec2::new(200.0, 50.0),
        scroll: 1.0,
        viewport_height: 720.0,
    });
    state.rig.update(f32::INFINITY);
    state.settings.lod.sh_degree_cap = 1;
    state.error("an error to dismiss");
    // Comparing against a scene file, in a layout every layout command leaves.
    state.set_b(BSource::Scene("/data/b.ply".into()));
    state.settings.compare.layout = if command == Command::LayoutSingle {
        CompareLayout::Split
    } else {
        CompareLayout::Single
    };
    state
}

fn harness(command: Command) -> Harness<'static, AppState> {
    Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(
            |ui, state: &mut AppState| splatview::app::ui::show(ui, state, None),
            state(command),
        )
}

fn via_shortcut(command: Command) -> AppState {
    let shortcut = command.shortcut().expect("has a shortcut");
    let mut h = harness(command);
    h.run_steps(2);
    h.key_press_modifiers(shortcut.modifiers, shortcut.logical_key);
    h.run_steps(2);
    h.into_state()
}

fn via_menu(command: Command) -> AppState {
    let mut h = harness(command);
    h.run_steps(2);
    let category = command.category().title();
    // The menu bar comes first in the tree (panel labels may repeat the title).
    h.query_all_by_label(category)
        .next()
        .unwrap_or_else(|| panic!("no {category} menu"))
        .click();
    h.run_steps(2);
    h.query_all_by_label_contains(command.title())
        .next()
        .unwrap_or_else(|| panic!("no menu entry {:?} in {category}", command.title()))
        .click();
    h.run_steps(2);
    h.into_state()
}

#[test]
fn shortcut_and_menu_do_the_same() {
    for command in Command::ALL {
        let untouched = state(command);
        let menu = (!matches!(command, Command::OpenRecent(_))).then(|| via_menu(command));
        let key = command.shortcut().map(|_| via_shortcut(command));
        if let (Some(menu), Some(key)) = (&menu, &key) {
            assert!(
                menu == key,
                "{command:?}: shortcut and menu differ:\n{key:#?}\nvs\n{menu:#?}"
            );
        }
        let after = menu
            .or(key)
            .unwrap_or_else(|| panic!("{command:?} is unreachable"));
        assert!(after != untouched, "{command:?} changed nothing");
    }
}

#[test]
fn every_category_has_a_menu() {
    let mut h = harness(Command::ToggleHelp);
    h.run_steps(2);
    for category in Category::ALL {
        assert!(
            h.query_all_by_label(category.title()).next().is_some(),
            "{category:?}"
        );
    }
}
