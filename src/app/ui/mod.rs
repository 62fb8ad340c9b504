//! The egui overlay: menu bar, side panel, help, messages and progress, drawn over
//! the 3D view; and the 3D view itself, which routes pointer and keyboard input to
//! the camera rig.
//!
//! This follows egui's custom3d split: `AppState` is the UI state, the rendered
//! scene comes in as a per-frame `SceneImage` (a texture the shell owns and
//! registers with egui), and the GPU resources stay in the shell (`app::viewer`).
//! Everything here is plain egui over `AppState`, so `egui_kittest` can test it.

pub mod compare_panel;
pub mod compare_view;
mod file_browser;
pub mod frusta;
pub mod help;
mod lod_panel;
mod menu;
mod objects_panel;
mod panels;
mod path_panel;
mod viewport;

use egui::{Color32, Frame, Margin};

use crate::app::command::Command;
use crate::app::state::AppState;

/// The rendered scene for this frame: a texture registered with egui, drawn under
/// the overlay across the whole view; while comparing, the images of A and B
/// (and their difference maps), which `compare_view` lays out.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SceneImage {
    pub texture: egui::TextureId,
    pub compare: Option<CompareImages>,
}

/// A texture and its size in pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ImageRef {
    pub texture: egui::TextureId,
    pub size: (u32, u32),
}

/// The compare view's images (B, the |A - B| map and the FLIP map once they
/// exist for the images on screen).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CompareImages {
    pub a: ImageRef,
    pub b: Option<ImageRef>,
    pub diff: Option<ImageRef>,
    pub flip: Option<ImageRef>,
}

/// Draws the overlay for one frame and carries out the commands it produced
/// (from shortcuts, menus or buttons).
pub fn show(ui: &mut egui::Ui, state: &mut AppState, scene: Option<SceneImage>) {
    // The file dialog takes the keyboard: no viewer shortcut acts behind it.
    let mut commands = if state.file_browser.is_some() {
        Vec::new()
    } else {
        let (commands, typed) = shortcut_commands(ui.ctx());
        // Kept until the frame's effects are handled (a second egui pass of
        // the frame, with no events, must not clear it).
        if !typed.is_empty() {
            state.typed_ahead = typed;
        }
        commands
    };
    // The root ui's rect (inside its margin), before the panels take their part.
    let root = ui.max_rect();
    let compare_images = scene.and_then(|s| s.compare).filter(|_| state.comparing());
    match scene {
        // The compare layouts are painted below, in the area the panels leave.
        Some(_) if state.comparing() => {}
        Some(image) => {
            let rect = ui.ctx().content_rect();
            ui.ctx().layer_painter(egui::LayerId::background()).image(
                image.texture,
                rect,
                egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
                Color32::WHITE,
            );
        }
        None => {}
    }
    if state.settings.show_overlay {
        egui::Panel::top("menu bar")
            .frame(overlay_frame())
            .show(ui, |ui| menu::menu_bar(ui, state, &mut commands));
        egui::Panel::right("inspector")
            .frame(overlay_frame())
            .resizable(true)
            .default_size(330.0)
            .show(ui, |ui| panels::inspector(ui, state, &mut commands));
        help::help_window(ui.ctx(), state, &mut commands);
        panels::messages(ui.ctx(), state, &mut commands);
    }
    file_browser::show(ui.ctx(), state);
    panels::progress(ui.ctx(), state, &mut commands);
    path_panel::export_progress(ui.ctx(), state, &mut commands);
    lod_panel::build_progress(ui.ctx(), state, &mut commands);
    egui::CentralPanel::default()
        .frame(Frame::NONE)
        .show(ui, |ui| {
            if state.comparing() {
                // The compare layouts use the window less the panels (so B is not
                // hidden under the side panel); the images are rendered at its size.
                let area = compare_area(ui.max_rect(), root, ui.ctx().content_rect());
                let ppp = ui.ctx().pixels_per_point();
                let size = area.size() * ppp;
                state.compare.area_px = Some((size.x.round() as u32, size.y.round() as u32));
                if let Some(images) = &compare_images {
                    compare_view::paint(ui.ctx(), state, images, area);
                }
                if state.settings.show_overlay {
                    compare_view::overlay(ui.ctx(), state, compare_images, area);
                }
            }
            viewport::viewport(ui, state)
        });
    for command in commands {
        state.execute(command);
    }
}

/// The compare layouts' area: the central panel's rect (the window less the
/// overlay's panels), with each side the panels leave free taken out to the
/// window's edge (the root ui keeps a margin there, which the 3D view fills).
pub fn compare_area(central: egui::Rect, root: egui::Rect, content: egui::Rect) -> egui::Rect {
    let out = |side: f32, root_side: f32, edge: f32| {
        if (side - root_side).abs() < 0.5 {
            edge
        } else {
            side
        }
    };
    egui::Rect::from_min_max(
        egui::pos2(
            out(central.min.x, root.min.x, content.min.x),
            out(central.min.y, root.min.y, content.min.y),
        ),
        egui::pos2(
            out(central.max.x, root.max.x, content.max.x),
            out(central.max.y, root.max.y, content.max.y),
        ),
    )
}

/// Commands whose shortcut was pressed this frame (none while a text field has the
/// keyboard). More specific shortcuts are matched first (Shift+N before N).
/// While a menu or other popup is open, Escape is left to it (it closes).
///
/// A shortcut that opens a file dialog ends the frame's shortcuts: what was
/// typed after it in the same frame (a slow frame, on lavapipe, gathers a few
/// keys) was meant for the dialog. Its text is returned for the dialog's
/// name field, and none of those keys acts on the viewer.
pub fn shortcut_commands(ctx: &egui::Context) -> (Vec<Command>, String) {
    if ctx.egui_wants_keyboard_input() {
        return (Vec::new(), String::new());
    }
    let popup_open = egui::Popup::is_any_open(ctx);
    let after_dialog = ctx.input_mut(|input| {
        let at = input.events.iter().position(opens_a_dialog)?;
        Some(input.events.split_off(at + 1))
    });
    let commands = Command::by_shortcut_specificity()
        .into_iter()
        .filter(|(_, shortcut)| !(popup_open && shortcut.logical_key == egui::Key::Escape))
        .filter(|(_, shortcut)| ctx.input_mut(|i| i.consume_shortcut(shortcut)))
        .map(|(command, _)| command)
        .collect();
    let mut typed = String::new();
    if let Some(events) = after_dialog {
        ctx.input_mut(|input| {
            for event in events {
                match event {
                    egui::Event::Text(text) => typed.push_str(&text),
                    egui::Event::Key { .. } | egui::Event::Paste(_) => {}
                    other => input.events.push(other),
                }
            }
        });
    }
    (commands, typed)
}

/// Whether `event` presses the shortcut of a command that opens a file dialog.
fn opens_a_dialog(event: &egui::Event) -> bool {
    let egui::Event::Key {
        key,
        pressed: true,
        modifiers,
        ..
    } = event
    else {
        return false;
    };
    Command::ALL.iter().any(|command| {
        command.opens_dialog()
            && command
                .shortcut()
                .is_some_and(|s| s.logical_key == *key && modifiers.matches_logically(s.modifiers))
    })
}

/// Translucent dark panels so the scene shows through.
fn overlay_frame() -> Frame {
    Frame::new()
        .fill(Color32::from_black_alpha(190))
        .inner_margin(Margin::same(6))
}

/// A button that runs `command`, labelled with its title and shortcut.
pub(crate) fn command_button(ui: &mut egui::Ui, command: Command, commands: &mut Vec<Command>) {
    command_button_labelled(ui, command, command.title(), commands);
}

pub(crate) fn command_button_labelled(
    ui: &mut egui::Ui,
    command: Command,
    label: &str,
    commands: &mut Vec<Command>,
) {
    let mut button = egui::Button::new(label);
    if let Some(shortcut) = command.shortcut() {
        button = button.shortcut_text(help::key_text(ui.ctx(), &shortcut));
    }
    if ui.add(button).clicked() {
        commands.push(command);
    }
}

/// "1.23 M" style counts.
pub fn format_count(n: u64) -> String {
    match n {
        0..=9_999 => n.to_string(),
        10_000..=999_999 => format!("{:.1} k", n as f64 / 1e3),
        _ => format!("{:.2} M", n as f64 / 1e6),
    }
}

/// "12.3 MiB" style sizes.
pub fn format_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
