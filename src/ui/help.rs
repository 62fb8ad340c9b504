//! The help overlay: every command with its shortcut, and the mouse controls.

use crate::app::command::{Category, Command};
use crate::app::state::AppState;

pub fn help_window(ctx: &egui::Context, state: &mut AppState, commands: &mut Vec<Command>) {
    let mut open = state.show_help;
    egui::Window::new("Keyboard shortcuts")
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            let max_height = (ctx.content_rect().height() - 80.0).max(200.0);
            egui::ScrollArea::vertical()
                .max_height(max_height)
                .show(ui, help_contents);
            if ui.button("Close").clicked() {
                commands.push(Command::ToggleHelp);
            }
        });
    if !open {
        state.show_help = false;
    }
}

fn help_contents(ui: &mut egui::Ui) {
    ui.columns(2, |columns| {
        for (i, category) in Category::ALL.into_iter().enumerate() {
            let ui = &mut columns[i / 2];
            ui.heading(category.title());
            egui::Grid::new(("help", category.title()))
                .striped(true)
                .show(ui, |ui| {
                    for command in Command::ALL
                        .into_iter()
                        .filter(|c| c.category() == category)
                    {
                        let keys = command
                            .shortcut()
                            .map_or_else(|| "menu".to_owned(), |s| ui.ctx().format_shortcut(&s));
                        ui.monospace(keys);
                        ui.label(command.title());
                        ui.end_row();
                    }
                });
            ui.add_space(8.0);
        }
    });
    ui.separator();
    ui.heading("Mouse and movement");
    egui::Grid::new("help mouse").striped(true).show(ui, |ui| {
        for (keys, what) in [
            ("Left drag", "orbit / look around (fly) / trackball"),
            ("Right or middle drag", "pan"),
            ("Wheel", "zoom (orbit, trackball); speed (fly)"),
            ("W A S D", "fly forward, left, back, right"),
            ("Q / E", "fly down / up (along the up axis)"),
            ("Shift", "fly faster"),
            ("Drop a file", "open a scene, cameras.json or camera path"),
        ] {
            ui.monospace(keys);
            ui.label(what);
            ui.end_row();
        }
    });
}
