//! The overlay through egui's test harness (no window, no GPU): a real scene file
//! loaded into `AppState` shows its splat count; panels and menus drive the state.

mod common;

use std::path::PathBuf;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use splatview::app::state::{AppState, Dialog, Effect, SceneInfo};
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
        aa: Default::default(),
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
            |ui, state: &mut AppState| splatview::app::ui::show(ui, state, None),
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
fn scene_panel_says_which_anti_aliasing_mode_the_file_asks_for_and_why() {
    let mut state = state_with("splats/playbot_l6.ply");
    if let Some(scene) = &mut state.scene {
        scene.aa = splatview::scene::AaHint::new(
            splatview::scene::AaMode::Mip,
            "PLY comment SplatRenderMode: mip",
        );
    }
    let mut harness = harness(state);
    harness.run_steps(3);
    harness.get_by_label("mip (PLY comment SplatRenderMode: mip)");
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

/// F1 help at 1280x720: every row on screen without scrolling, the mouse and
/// fly controls listed, no "menu" in place of a key.
#[test]
fn help_fits_720p_and_lists_the_mouse_and_fly_controls() {
    let mut state = AppState::new(Settings::default());
    state.show_help = true;
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 720.0))
        .build_ui_state(
            |ui, state: &mut AppState| {
                let mut commands = Vec::new();
                splatview::app::ui::help::help_window(ui.ctx(), state, &mut commands);
            },
            state,
        );
    harness.run_steps(3);
    for keys in [
        "Left drag",
        "Right or middle drag",
        "Wheel or trackpad",
        "W A S D",
        "Q / E",
        "Shift (held)",
    ] {
        harness.get_by_label(keys);
    }
    harness.get_by_label_contains("orbit (Orbit)");
    harness.get_by_label("pan");
    harness.get_by_label_contains("zoom");
    harness.get_by_label("Keyboard shortcuts");
    // The Close button is inside the window too (a vertical separator once
    // pushed it out of view).
    let close = harness.get_by_label("Close").rect();
    let last_row = harness.get_by_label("Drop a file").rect();
    assert!(
        close.top() - last_row.bottom() < 60.0,
        "Close at {close:?}, far below the last row at {last_row:?}"
    );
    harness.get_by_label("[");
    let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1280.0, 720.0));
    let labels: Vec<_> = harness
        .query_all_by_role(egui::accesskit::Role::Label)
        .collect();
    assert!(labels.len() > 60, "only {} labels", labels.len());
    for node in &labels {
        let text = node.value().unwrap_or_default();
        assert!(
            !text.trim().eq_ignore_ascii_case("menu"),
            "a key reads {text:?}"
        );
        assert!(
            screen.contains_rect(node.rect()),
            "{text:?} at {:?} is off screen",
            node.rect()
        );
    }
    // Every command with a shortcut is listed with it.
    for command in splatview::app::command::Command::ALL {
        if let Some(shortcut) = command.shortcut() {
            let keys = splatview::app::ui::help::key_text(&harness.ctx, &shortcut);
            assert!(
                labels
                    .iter()
                    .any(|n| n.value().as_deref() == Some(keys.as_str())),
                "{command:?} ({keys}) missing"
            );
        }
    }
}

/// Collapsing sections does not move the side panel's edge.
#[test]
fn side_panel_keeps_its_width_when_sections_collapse() {
    let mut harness = harness(state_with("splats/playbot_l6.ply"));
    harness.run_steps(3);
    let left = |h: &Harness<'_, AppState>| h.get_by_label("Training cameras").rect().left();
    let before = left(&harness);
    for section in ["Scene", "Stats"] {
        harness.get_by_label(section).click();
        harness.run_steps(3);
    }
    let collapsed = left(&harness);
    assert!(
        (collapsed - before).abs() < 0.5,
        "the panel edge moved from {before} to {collapsed}"
    );
    harness.get_by_label("Level of detail").click();
    harness.run_steps(3);
    assert!((left(&harness) - before).abs() < 0.5);
}

/// A long error wraps inside a small window instead of running off it.
#[test]
fn long_errors_wrap_inside_the_window() {
    let mut state = state_with("splats/playbot_l6.ply");
    let message = format!(
        "/data/{}Wuson.ply: not a supported scene file: it is a mesh (11,184 vertices, 3,732 faces), not Gaussian splats; splatview expects Gaussian splats: a 3DGS PLY whose `vertex` element has x, y, z, scale_0..2, rot_0..3, opacity and f_dc_0..2",
        "very/deep/folder/".repeat(8)
    );
    state.error(message.clone());
    let mut harness = Harness::builder()
        .with_size(egui::vec2(640.0, 480.0))
        .build_ui_state(
            |ui, state: &mut AppState| splatview::app::ui::show(ui, state, None),
            state,
        );
    harness.run_steps(3);
    let rect = harness.get_by_label(&message).rect();
    assert!(
        rect.left() >= 0.0 && rect.right() <= 640.0 && rect.bottom() <= 480.0,
        "{rect:?}"
    );
    assert!(rect.height() > 40.0, "not wrapped: {rect:?}");
}

/// After a screenshot the notice offers to open its folder.
#[test]
fn screenshot_notice_offers_its_folder() {
    let mut state = state_with("splats/playbot_l6.ply");
    let shot = PathBuf::from("/tmp/pictures/splatview/playbot_l6-001.png");
    state.notice(format!("screenshot saved to {}", shot.display()));
    state.last_saved = Some(shot);
    let mut harness = harness(state);
    harness.run_steps(2);
    harness.get_by_label_contains("Open folder").click();
    harness.run_steps(2);
    assert!(
        harness
            .state()
            .effects
            .contains(&Effect::OpenFolder("/tmp/pictures/splatview".into()))
    );
}

/// The in-app file browser lists the scene files of a folder and hands the
/// chosen one back as the dialog's result.
#[test]
fn file_browser_lists_scenes_and_returns_the_choice() {
    let folder = common::testdata("splats");
    let mut state = AppState::new(Settings::default());
    state.open_file_browser(Dialog::OpenScene, Some(folder.clone()));
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 720.0))
        .build_ui_state(
            |ui, state: &mut AppState| splatview::app::ui::show(ui, state, None),
            state,
        );
    // Windows fade in; they take clicks once shown.
    harness.run_steps(30);
    harness.get_by_label_contains("Open a scene");
    // Folders first, then the scene files with their sizes.
    harness.get_by_label("fixtures-synthetic/");
    harness.get_by_label("8.2 MiB");
    harness.get_by_label("biker.ply").click();
    harness.run_steps(2);
    // The whole window fits: its buttons are close under the listing.
    let open_button = harness.get_by_label("Open").rect();
    assert!(open_button.bottom() < 720.0, "{open_button:?}");
    assert!(
        open_button.top() - harness.get_by_label("biker.ply").rect().bottom() < 420.0,
        "{open_button:?}"
    );
    let browser = harness.state().file_browser.clone().expect("open");
    assert_eq!(browser.file_name, "biker.ply", "{browser:?}");
    harness.get_by_label("Open").click();
    harness.run_steps(2);
    assert!(
        harness.state().file_browser.is_none(),
        "{:?}",
        harness.state().file_browser
    );
    assert_eq!(
        harness.state().effects.last(),
        Some(&Effect::DialogChosen(
            Dialog::OpenScene,
            folder.join("biker.ply")
        ))
    );
}

/// The file browser takes the keyboard: a viewer shortcut ("H" hides the
/// overlay) does nothing behind it, the file name field has the keyboard from
/// the start, typing after a click elsewhere still goes to the name (in
/// order), Backspace then edits it rather than leaving the folder, and Enter
/// opens it, even with a folder selected in the list.
#[test]
fn the_file_browser_takes_the_keyboard() {
    let folder = common::testdata("splats");
    let mut state = AppState::new(Settings::default());
    state.open_file_browser(Dialog::OpenScene, Some(folder.clone()));
    let mut harness = harness(state);
    harness.run_steps(30);
    harness.key_press(egui::Key::H);
    harness.run_steps(2);
    assert!(
        harness.state().settings.show_overlay,
        "H acted behind the dialog"
    );
    for text in ["b", "iker", ".ply"] {
        harness.event(egui::Event::Text(text.into()));
        harness.run_steps(2);
    }
    let browser = harness.state().file_browser.clone().expect("still open");
    assert_eq!(browser.file_name, "biker.ply", "{browser:?}");
    // A click on a button takes the keyboard from the field.
    harness.get_by_label("Refresh").click();
    harness.run_steps(2);
    for text in [".", "x", "y"] {
        harness.event(egui::Event::Text(text.into()));
        harness.step();
    }
    harness.run_steps(2);
    let browser = harness.state().file_browser.clone().expect("still open");
    assert_eq!(browser.file_name, "biker.ply.xy", "{browser:?}");
    for _ in 0..3 {
        harness.key_press(egui::Key::Backspace);
        harness.run_steps(2);
    }
    let browser = harness.state().file_browser.clone().expect("still open");
    assert_eq!(browser.file_name, "biker.ply", "{browser:?}");
    assert_eq!(browser.folder, folder, "Backspace left the folder");
    // The first row, a folder, selected: Enter still opens the name typed.
    harness.key_press(egui::Key::ArrowDown);
    harness.run_steps(2);
    assert_eq!(
        harness
            .state()
            .file_browser
            .as_ref()
            .and_then(|b| b.selected),
        Some(0)
    );
    harness.key_press(egui::Key::Enter);
    harness.run_steps(2);
    assert_eq!(
        harness.state().effects.last(),
        Some(&Effect::DialogChosen(
            Dialog::OpenScene,
            folder.join("biker.ply")
        ))
    );
}

/// Escape closes an open menu and keeps the messages (it dismissed them and
/// left the menu open over the help window); with no menu open it dismisses.
#[test]
fn escape_closes_a_menu_before_it_dismisses_messages() {
    let mut state = state_with("splats/playbot_l6.ply");
    state.error("broken.ply: file is truncated");
    let mut harness = harness(state);
    harness.run_steps(2);
    // The menu bar's, first (a panel section has the same title).
    harness
        .query_all_by_label("File")
        .next()
        .expect("File menu")
        .click();
    harness.run_steps(2);
    assert!(
        harness.query_by_label_contains("Open dataset").is_some(),
        "menu open"
    );
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    assert!(
        harness.query_by_label_contains("Open dataset").is_none(),
        "Escape left the menu open"
    );
    assert_eq!(harness.state().errors.len(), 1, "dismissed with the menu");
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    assert!(harness.state().errors.is_empty());
}

/// Shortcuts read as the keys (the View menu showed "OpenBracket" for `[`).
#[test]
fn menus_name_punctuation_keys_by_their_character() {
    let mut harness = harness(state_with("splats/playbot_l6.ply"));
    harness.run_steps(2);
    harness
        .query_all_by_label("View")
        .next()
        .expect("View menu")
        .click();
    harness.run_steps(2);
    assert!(
        harness
            .query_all_by_label_contains("Lower SH degree cap")
            .next()
            .is_some(),
        "the menu is open"
    );
    for raw in ["OpenBracket", "CloseBracket"] {
        assert!(
            harness.query_by_label_contains(raw).is_none(),
            "a label shows {raw}"
        );
    }
}

/// In a 960x600 window the help scrolls: it stays between the top and the
/// bottom with its Close button on screen (its rows ran off the top and
/// bottom, and the wheel did nothing). Its three columns are still wider
/// than 960 points.
#[test]
fn help_scrolls_in_a_low_window() {
    let mut state = state_with("splats/playbot_l6.ply");
    state.show_help = true;
    let mut harness = Harness::builder()
        .with_size(egui::vec2(960.0, 600.0))
        .build_ui_state(
            |ui, state: &mut AppState| splatview::app::ui::show(ui, state, None),
            state,
        );
    harness.run_steps(3);
    let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(960.0, 600.0));
    let window = harness.get_by_label("Keyboard and mouse").rect();
    assert!(
        window.top() >= 0.0 && window.bottom() <= 600.0,
        "the help runs off the top or bottom: {window:?}"
    );
    let close = harness.get_by_label("Close").rect();
    assert!(
        screen.contains_rect(close),
        "Close at {close:?} is off screen"
    );
}

/// Keys typed in the frame that opens a dialog (a slow frame gathers them)
/// go to the dialog's name field, not to the viewer's shortcuts: Ctrl+O
/// then "hb" hid the overlay (H) and started comparing (B).
#[test]
fn keys_typed_with_the_open_shortcut_go_to_the_dialog() {
    let mut harness = harness(state_with("splats/playbot_l6.ply"));
    harness.run_steps(2);
    // All in one frame (kittest's key_press would give each its own).
    let key = |key, pressed, modifiers| egui::Event::Key {
        key,
        physical_key: None,
        pressed,
        repeat: false,
        modifiers,
    };
    let (command, none) = (egui::Modifiers::COMMAND, egui::Modifiers::NONE);
    harness.input_mut().events.extend([
        key(egui::Key::O, true, command),
        key(egui::Key::O, false, command),
        key(egui::Key::H, true, none),
        egui::Event::Text("h".into()),
        key(egui::Key::H, false, none),
        key(egui::Key::B, true, none),
        egui::Event::Text("b".into()),
        key(egui::Key::B, false, none),
    ]);
    harness.step();
    let state = harness.state_mut();
    assert!(state.settings.show_overlay, "H acted behind the dialog");
    assert_eq!(state.compare.b, None, "B acted behind the dialog");
    assert!(
        state.effects.contains(&Effect::Dialog(Dialog::OpenScene)),
        "{:?}",
        state.effects
    );
    assert_eq!(state.typed_ahead, "hb");
    state.open_file_browser(Dialog::OpenScene, None);
    let browser = state.file_browser.as_ref().expect("browser");
    assert_eq!(browser.file_name, "hb");
    assert!(state.typed_ahead.is_empty());
}
