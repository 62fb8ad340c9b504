//! The 3D view: the area not covered by panels. Pointer drags, the wheel and the
//! movement keys go to the camera rig, or to B's while comparing with unlocked
//! cameras (training camera frusta are drawn by the scene view's line pass,
//! `frusta::segments`).

use egui::{Key, PointerButton, Sense};
use glam::{Vec2, Vec3};

use crate::app::state::AppState;
use crate::controls::PointerInput;
use crate::controls::fly::MoveKeys;
use crate::controls::wheel::{ScrollUnit, notches};

pub fn viewport(ui: &mut egui::Ui, state: &mut AppState) {
    let rect = ui.max_rect();
    let response = ui.allocate_rect(rect, Sense::click_and_drag());
    let ctx = ui.ctx().clone();
    let pixels_per_point = ctx.pixels_per_point();
    let to_pixels = |v: egui::Vec2| Vec2::new(v.x, v.y) * pixels_per_point;

    let mut pointer = PointerInput {
        viewport_height: state.viewport.1 as f32,
        ..Default::default()
    };
    if response.dragged_by(PointerButton::Primary) {
        pointer.rotate = to_pixels(response.drag_delta());
    }
    if response.dragged_by(PointerButton::Secondary) || response.dragged_by(PointerButton::Middle) {
        pointer.pan = to_pixels(response.drag_delta());
    }
    if response.hovered() {
        pointer.scroll = ctx.input(|i| wheel_steps(&i.events));
    }
    let keys = if ctx.egui_wants_keyboard_input() || state.file_browser.is_some() {
        MoveKeys::default()
    } else {
        move_keys(&ctx)
    };
    // Unlocked compare cameras: input on B's side (or with "move B") moves B.
    let at = response
        .interact_pointer_pos()
        .or_else(|| response.hover_pos());
    let to_b = super::compare_view::pointer_moves_b(state, rect, at, pixels_per_point);
    state.camera_input_for(&pointer, keys, to_b);
}

/// Wheel movement in notches (positive: away from the user, i.e. zoom in),
/// summed over this frame's events (`controls::wheel`).
fn wheel_steps(events: &[egui::Event]) -> f32 {
    events
        .iter()
        .map(|event| match event {
            egui::Event::MouseWheel { unit, delta, .. } => {
                let unit = match unit {
                    egui::MouseWheelUnit::Line => ScrollUnit::Line,
                    egui::MouseWheelUnit::Page => ScrollUnit::Page,
                    egui::MouseWheelUnit::Point => ScrollUnit::Point,
                };
                notches(unit, delta.y)
            }
            _ => 0.0,
        })
        .sum()
}

/// W/A/S/D/Q/E and Shift, unless a command modifier is held (Ctrl+S is "save").
fn move_keys(ctx: &egui::Context) -> MoveKeys {
    ctx.input(|i| {
        if i.modifiers.command || i.modifiers.ctrl || i.modifiers.alt {
            return MoveKeys::default();
        }
        let axis = |plus: Key, minus: Key| {
            f32::from(u8::from(i.key_down(plus))) - f32::from(u8::from(i.key_down(minus)))
        };
        MoveKeys {
            axes: Vec3::new(
                axis(Key::D, Key::A),
                axis(Key::E, Key::Q),
                axis(Key::W, Key::S),
            ),
            boost: i.modifiers.shift,
        }
    })
}
