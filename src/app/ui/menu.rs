//! The menu bar: one entry per `Command`, grouped by category.

use crate::app::command::{Category, Command};
use crate::app::state::AppState;

use super::command_button;

pub fn menu_bar(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    egui::MenuBar::new().ui(ui, |ui| {
        for category in Category::ALL {
            ui.menu_button(category.title(), |ui| {
                for command in Command::ALL {
                    if command.category() != category || matches!(command, Command::OpenRecent(_)) {
                        continue;
                    }
                    if command == Command::ClearRecent {
                        recent_menu(ui, state, commands);
                    }
                    command_button(ui, command, commands);
                }
            });
        }
        ui.menu_button("Help", |ui| {
            command_button(ui, Command::ToggleHelp, commands)
        });
        if let Some(scene) = &state.scene {
            ui.separator();
            ui.label(&scene.name);
        }
    });
}

fn recent_menu(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    ui.menu_button("Open recent", |ui| {
        if state.settings.recent_files.is_empty() {
            ui.label("(none)");
        }
        for (i, path) in state.settings.recent_files.iter().enumerate() {
            let mut button = egui::Button::new(path.display().to_string());
            if let Some(shortcut) = Command::OpenRecent(i).shortcut() {
                button = button.shortcut_text(super::help::key_text(ui.ctx(), &shortcut));
            }
            if ui.add(button).clicked() {
                commands.push(Command::OpenRecent(i));
            }
        }
    });
}
