//! The help overlay (F1): every command that has a shortcut, grouped as in the
//! menus, and the mouse and fly controls. Three columns in a translucent window
//! that fits a 1280x720 view without scrolling and leaves the scene visible
//! around and through it.

use egui::{Color32, RichText};

use crate::app::command::{Category, Command};
use crate::app::state::AppState;

/// Pointer and movement controls that are not commands: (keys, what they do).
pub const MOUSE_AND_MOVEMENT: [(&str, &str); 9] = [
    (
        "Left drag",
        "orbit (Orbit), look around (Fly), rotate (Trackball)",
    ),
    ("Right or middle drag", "pan"),
    ("Wheel or trackpad", "zoom (Orbit, Trackball), speed (Fly)"),
    ("W A S D", "fly forward, left, back, right (Fly)"),
    ("Q / E", "fly down / up along the up axis (Fly)"),
    ("Shift (held)", "fly faster (Fly)"),
    (
        "Click a list entry",
        "go to that training camera or keyframe",
    ),
    ("Drop a file", "open a scene, cameras.json or camera path"),
    (
        "Shift / Ctrl + drop",
        "add to the scene / compare against (B)",
    ),
];

/// Which categories each column shows.
const COLUMNS: [&[Category]; 3] = [
    &[Category::File, Category::View],
    &[Category::Camera, Category::Path],
    &[Category::Compare],
];

pub fn help_window(ctx: &egui::Context, state: &mut AppState, commands: &mut Vec<Command>) {
    let mut open = state.show_help;
    // Barely translucent: the scene shows through, panel text under it does
    // not compete with the help's.
    let frame = egui::Frame::window(&ctx.global_style()).fill(Color32::from_black_alpha(235));
    egui::Window::new("Keyboard and mouse")
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .frame(frame)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            // The list is about 1,080 x 680 points: in a smaller window it
            // scrolls rather than running off the edges.
            let screen = ui.ctx().content_rect();
            if screen.height() < 720.0 || screen.width() < 1100.0 {
                let size = egui::vec2(
                    (screen.width() - 40.0).clamp(120.0, 1100.0),
                    (screen.height() - 110.0).clamp(80.0, 700.0),
                );
                egui::ScrollArea::both()
                    .auto_shrink(false)
                    .max_width(size.x)
                    .max_height(size.y)
                    .show(ui, |ui| {
                        ui.set_min_size(egui::vec2(0.0, 0.0));
                        help_contents(ui);
                    });
            } else {
                help_contents(ui);
            }
            ui.horizontal(|ui| {
                if ui.button("Close").clicked() {
                    commands.push(Command::ToggleHelp);
                }
                ui.weak("Every command is also in the menu bar.");
            });
        });
    if !open {
        state.show_help = false;
    }
}

fn help_contents(ui: &mut egui::Ui) {
    ui.spacing_mut().item_spacing.y = 1.0;
    ui.horizontal_top(|ui| {
        for (i, categories) in COLUMNS.into_iter().enumerate() {
            ui.vertical(|ui| {
                for &category in categories {
                    ui.label(RichText::new(category.title()).strong());
                    shortcut_grid(ui, category);
                    ui.add_space(6.0);
                }
                if i == COLUMNS.len() - 1 {
                    ui.label(RichText::new("Mouse and movement").strong());
                    key_grid(ui, "help mouse", MOUSE_AND_MOVEMENT.iter().copied());
                }
            });
            if i + 1 < COLUMNS.len() {
                // Not a separator: in a horizontal layout it takes the whole
                // available height and pushes the Close button out of view.
                ui.add_space(18.0);
            }
        }
    });
}

/// The commands of `category` that have a shortcut (the others live in the menus).
fn shortcut_grid(ui: &mut egui::Ui, category: Category) {
    let ctx = ui.ctx().clone();
    let rows: Vec<(String, &str)> = Command::ALL
        .into_iter()
        .filter(|c| c.category() == category)
        .filter_map(|c| c.shortcut().map(|s| (key_text(&ctx, &s), c.title())))
        .collect();
    key_grid(
        ui,
        category.title(),
        rows.iter().map(|(keys, title)| (keys.as_str(), *title)),
    );
}

/// A shortcut as the help shows it: egui's text with key names that are
/// punctuation shown as the character ("OpenBracket" -> "[").
pub fn key_text(ctx: &egui::Context, shortcut: &egui::KeyboardShortcut) -> String {
    let text = ctx.format_shortcut(shortcut);
    [
        ("OpenBracket", "["),
        ("CloseBracket", "]"),
        ("Equals", "="),
        ("Minus", "-"),
        ("Plus", "+"),
    ]
    .iter()
    .fold(text, |text, (name, symbol)| match text.strip_suffix(name) {
        Some(modifiers) => format!("{modifiers}{symbol}"),
        None => text,
    })
}

fn key_grid<'a>(ui: &mut egui::Ui, id: &str, rows: impl Iterator<Item = (&'a str, &'a str)>) {
    egui::Grid::new(("help", id))
        .striped(true)
        .spacing([12.0, 1.0])
        .show(ui, |ui| {
            for (keys, what) in rows {
                ui.label(
                    RichText::new(keys)
                        .monospace()
                        .color(Color32::from_rgb(255, 220, 120)),
                );
                ui.label(what);
                ui.end_row();
            }
        });
}
