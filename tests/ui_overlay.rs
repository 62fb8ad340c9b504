//! The overlay through egui's test harness (no window, no GPU): a real scene file
//! loaded into `AppState` shows its splat count; panels and menus drive the state.

mod common;

use std::path::PathBuf;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use splatview::app::state::{AppState, SceneInfo};
use splatview::controls::CameraMode;
use splatview::scene::SceneBounds;
use splatview::settings::Settings;

fn state_with(scene: &str) -> AppState {
    let path: PathBuf = common::testdata(scene);
    let cloud = splatview::io::load_splat_file(&path).expect("test scene loads");
    let mut state = AppState::new(Settings::default());
    state.viewport = (1280, 720);
    let info = SceneInfo {
        name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        path,
        format: "3DGS PLY".into(),
        splat_count: cloud.len(),
        sh_degree: cloud.sh_degree,
        aa_mode: splatview::scene::AaMode::Classic,
        bounds: SceneBounds::robust(&cloud),
        gpu_bytes: Some(1 << 20),
    };
    state.set_scene(info);
    state
}

fn harness(state: AppState) -> Harness<'static, AppState> {
    Harness::builder()
        .with_size(egui::vec2(1280.0, 720.0))
        .build_ui_state(
            |ui, state: &mut AppState| splatview::ui::show(ui, state, None),
            state,
        )
}

#[test]
fn overlay_shows_the_scene() {
    let state = state_with("splats/playbot_l6.ply");
    let count = state
        .scene
        .as_ref()
        .map(|s| s.splat_count)
        .unwrap_or_default();
    assert!(count > 1000, "unexpected test scene size {count}");
    let mut harness = harness(state);
    harness.run_steps(3);
    // In the menu bar and in the scene panel.
    assert_eq!(harness.query_all_by_label("playbot_l6.ply").count(), 2);
    harness.get_by_label(&count.to_string());
    harness.get_by_label("3DGS PLY");
    harness.get_by_label("1.0 MiB");
}

#[test]
fn camera_panel_switches_modes_and_flips_up() {
    let mut harness = harness(state_with("splats/playbot_l6.ply"));
    harness.run_steps(2);
    harness.get_by_label("Fly").click();
    harness.run_steps(2);
    assert_eq!(harness.state().rig.mode(), CameraMode::Fly);
    assert_eq!(harness.state().settings.camera_mode, CameraMode::Fly);
    let up = harness.state().rig.up();
    harness.get_by_label_contains("Flip").click();
    harness.run_steps(2);
    assert_eq!(harness.state().rig.up(), up.flipped());
}

#[test]
fn errors_show_and_can_be_dismissed() {
    let mut state = state_with("splats/playbot_l6.ply");
    state.error("broken.ply: file is truncated");
    let mut harness = harness(state);
    harness.run_steps(2);
    harness.get_by_label("broken.ply: file is truncated");
    harness.get_by_label_contains("Dismiss all").click();
    harness.run_steps(2);
    assert!(harness.state().errors.is_empty());
    assert!(
        harness
            .query_by_label("broken.ply: file is truncated")
            .is_none()
    );
}

#[test]
fn hiding_the_overlay_keeps_the_view() {
    let mut state = state_with("splats/playbot_l6.ply");
    state.settings.show_overlay = false;
    let mut harness = harness(state);
    harness.run_steps(2);
    assert!(harness.query_by_label("File").is_none());
    harness.key_press(egui::Key::H);
    harness.run_steps(2);
    assert!(harness.state().settings.show_overlay);
    assert!(harness.query_all_by_label("File").count() >= 1);
}
