//! The compare view's overlay through egui's test harness (no window, no GPU):
//! dragging the split divider moves the split, the flicker alternates A and B
//! at the set rate, the "Lock cameras" box and its shortcut lock and unlock
//! B's camera.

use egui::{Event, PointerButton, Pos2, pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use splatview::app::compare::BSource;
use splatview::app::state::AppState;
use splatview::app::ui::{CompareImages, ImageRef, SceneImage};
use splatview::settings::{CompareLayout, Settings};

const SIZE: (u32, u32) = (1280, 720);

/// Stand-in textures: the layout only needs their ids and sizes.
fn images() -> SceneImage {
    let image = |id| ImageRef {
        texture: egui::TextureId::User(id),
        size: SIZE,
    };
    SceneImage {
        texture: egui::TextureId::User(1),
        compare: Some(CompareImages {
            a: image(1),
            b: Some(image(2)),
            diff: None,
            flip: None,
        }),
    }
}

/// Comparing the scene with B's settings in `layout`, overlay shown.
fn harness(layout: CompareLayout) -> Harness<'static, AppState> {
    let mut state = AppState::new(Settings::default());
    state.viewport = SIZE;
    state.set_b(BSource::Settings);
    state.set_layout(layout);
    Harness::builder()
        .with_size(egui::vec2(SIZE.0 as f32, SIZE.1 as f32))
        .build_ui_state(
            |ui, state: &mut AppState| splatview::app::ui::show(ui, state, Some(images())),
            state,
        )
}

fn drag(harness: &mut Harness<'static, AppState>, from: Pos2, to: Pos2) {
    let button = |pos, pressed| Event::PointerButton {
        pos,
        button: PointerButton::Primary,
        pressed,
        modifiers: Default::default(),
    };
    harness.event(Event::PointerMoved(from));
    harness.run_steps(2);
    harness.event(button(from, true));
    harness.run_steps(2);
    for step in 1..=8 {
        let t = step as f32 / 8.0;
        harness.event(Event::PointerMoved(from + (to - from) * t));
        harness.run_steps(1);
    }
    harness.event(button(to, false));
    harness.run_steps(2);
}

/// The layouts' area: the window less the menu bar (above) and the side
/// panel (right), in points (pixels_per_point is 1 here).
fn area(harness: &Harness<'static, AppState>) -> egui::Rect {
    let (w, h) = harness
        .state()
        .compare
        .area_px
        .expect("area set by the overlay");
    assert!(w < SIZE.0 && h < SIZE.1, "the panels are left out: {w}x{h}");
    egui::Rect::from_min_size(
        pos2(0.0, (SIZE.1 - h) as f32),
        egui::vec2(w as f32, h as f32),
    )
}

#[test]
fn dragging_the_divider_moves_the_split() {
    let mut harness = harness(CompareLayout::Split);
    harness.run_steps(3);
    assert_eq!(harness.state().settings.compare.split_position, 0.5);
    // The divider sits in the middle of the image; drag it to a quarter.
    // The images (1280x720 stand-ins) are fitted into the area.
    let view = splatview::app::ui::compare_view::fit(area(&harness), SIZE, 1.0);
    let y = view.center().y;
    drag(
        &mut harness,
        pos2(view.center().x, y),
        pos2(view.min.x + 0.25 * view.width(), y),
    );
    let position = harness.state().settings.compare.split_position;
    assert!(
        (position - 0.25).abs() < 0.01,
        "split at {position}, expected 0.25"
    );
    // Horizontal: the divider runs across the image at a quarter of its height.
    harness.state_mut().settings.compare.split_vertical = false;
    harness.run_steps(3);
    let x = view.min.x + 200.0;
    drag(
        &mut harness,
        pos2(x, view.min.y + 0.25 * view.height()),
        pos2(x, view.min.y + 0.75 * view.height()),
    );
    let position = harness.state().settings.compare.split_position;
    assert!(
        (position - 0.75).abs() < 0.01,
        "split at {position}, expected 0.75"
    );
}

#[test]
fn flicker_alternates_at_the_set_rate() {
    let mut state = AppState::new(Settings::default());
    state.set_b(BSource::Settings);
    state.settings.compare.flicker_hz = 4.0;
    // Not flickering: nothing to wait for.
    state.set_layout(CompareLayout::Split);
    assert_eq!(state.advance_flicker(1.0), None);
    assert!(!state.compare.showing_b);
    state.set_layout(CompareLayout::Flicker);
    let wait = state.advance_flicker(0.1).expect("flickering");
    assert!((wait - 0.15).abs() < 1e-4, "next switch in {wait}");
    assert!(!state.compare.showing_b, "A for the first quarter second");
    state.advance_flicker(0.2);
    assert!(state.compare.showing_b, "then B");
    state.advance_flicker(0.25);
    assert!(!state.compare.showing_b, "then A again");
    // X shows the other one at once.
    let mut harness = Harness::builder()
        .with_size(egui::vec2(SIZE.0 as f32, SIZE.1 as f32))
        .build_ui_state(
            |ui, state: &mut AppState| splatview::app::ui::show(ui, state, Some(images())),
            state,
        );
    harness.run_steps(2);
    harness.key_press(egui::Key::X);
    harness.run_steps(1);
    assert!(harness.state().compare.showing_b);
}

#[test]
fn lock_cameras_box_and_shortcut() {
    let mut harness = harness(CompareLayout::SideBySide);
    harness.run_steps(3);
    assert!(
        harness.state().settings.compare.lock_cameras,
        "locked by default"
    );
    // The side panel's Compare section (the menu bar has a Compare menu too).
    let sections: Vec<_> = harness.query_all_by_label("Compare").collect();
    sections.last().expect("Compare section").click();
    harness.run_steps(3);
    harness.get_by_label("Lock cameras").click();
    harness.run_steps(2);
    assert!(!harness.state().settings.compare.lock_cameras);
    harness.key_press_modifiers(egui::Modifiers::ALT, egui::Key::L);
    harness.run_steps(1);
    assert!(harness.state().settings.compare.lock_cameras);
}
