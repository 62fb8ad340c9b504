//! Draws the in-app file browser (`app::file_browser::FileBrowser`, used when
//! no native dialog can open): recent folders on the left, the folder's listing
//! with sizes in the middle, the typed folder path above and the file name
//! below. Keyboard: Up/Down select, Enter opens the selection (a folder is
//! entered), Backspace goes to the parent folder (outside text fields), Escape
//! cancels. A confirmed choice becomes `Effect::DialogChosen`, handled like a
//! native dialog's.

use egui::{Color32, Key, RichText};

use crate::app::file_browser::{
    FileBrowser, Outcome, default_file_name, extensions, is_save, title,
};
use crate::app::state::{AppState, Effect};

use super::format_bytes;

/// What the user did this frame.
enum Action {
    Up,
    Refresh,
    OpenFolder(std::path::PathBuf),
    Select(usize),
    Activate(usize),
    Confirm,
    Cancel,
    /// Text typed while no field had the keyboard: it goes into the file name,
    /// whose field takes the keyboard.
    Type(String),
}

pub fn show(ctx: &egui::Context, state: &mut AppState) {
    let Some(browser) = state.file_browser.as_mut() else {
        return;
    };
    let mut actions = keyboard(ctx, browser);
    let mut open = true;
    egui::Window::new(title(browser.dialog))
        .id(egui::Id::unique("file browser"))
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| contents(ui, browser, &mut actions));
    if !open {
        actions.push(Action::Cancel);
    }
    let mut cancelled = false;
    let mut chosen = None;
    for action in actions {
        match action {
            Action::Up => browser.up(),
            Action::Refresh => browser.refresh(),
            Action::OpenFolder(dir) => browser.open_folder(dir),
            Action::Select(i) => browser.select(i),
            Action::Activate(i) => chosen = chosen_path(browser.activate(i)),
            Action::Confirm => chosen = chosen_path(browser.confirm()),
            Action::Cancel => cancelled = true,
            Action::Type(text) => {
                browser.file_name.push_str(&text);
                browser.focus_file_name = true;
            }
        }
        if cancelled || chosen.is_some() {
            break;
        }
    }
    let dialog = browser.dialog;
    if cancelled {
        state.file_browser = None;
    } else if let Some(path) = chosen {
        state.file_browser = None;
        state.effects.push(Effect::DialogChosen(dialog, path));
    }
}

fn chosen_path(outcome: Outcome) -> Option<std::path::PathBuf> {
    match outcome {
        Outcome::Chosen(path) => Some(path),
        Outcome::Entered | Outcome::Problem(_) => None,
    }
}

/// The file name field's id: it has the keyboard from the start.
fn name_field_id() -> egui::Id {
    egui::Id::unique("file browser name")
}

/// Escape cancels; arrow keys move the selection and Enter opens it (or the
/// name typed) unless the folder field has the keyboard; Backspace goes up and
/// typing starts the file name when no field has it.
fn keyboard(ctx: &egui::Context, browser: &FileBrowser) -> Vec<Action> {
    let name_focused = ctx.memory(|memory| memory.has_focus(name_field_id()));
    let folder_field = ctx.egui_wants_keyboard_input() && !name_focused;
    ctx.input_mut(|input| {
        let mut actions = Vec::new();
        if input.consume_key(egui::Modifiers::NONE, Key::Escape) {
            actions.push(Action::Cancel);
        }
        if folder_field {
            return actions;
        }
        if input.consume_key(egui::Modifiers::NONE, Key::ArrowDown) {
            actions.push(select_step(browser, 1));
        }
        if input.consume_key(egui::Modifiers::NONE, Key::ArrowUp) {
            actions.push(select_step(browser, -1));
        }
        if input.consume_key(egui::Modifiers::NONE, Key::Enter) {
            actions.push(match enter_opens_selection(browser) {
                Some(i) => Action::Activate(i),
                None => Action::Confirm,
            });
        }
        if name_focused {
            return actions;
        }
        if input.consume_key(egui::Modifiers::NONE, Key::Backspace) {
            actions.push(Action::Up);
        }
        // Taken out of the input, so that the field, should it have the
        // keyboard already in this frame, does not add the text again.
        let mut typed = String::new();
        input.events.retain(|event| match event {
            egui::Event::Text(text) => {
                typed.push_str(text);
                false
            }
            _ => true,
        });
        if !typed.is_empty() {
            actions.push(Action::Type(typed));
        }
        actions
    })
}

/// Whether Enter opens the selected entry rather than the name typed: a file
/// whose name the field still holds, or a folder while no other name is typed.
fn enter_opens_selection(browser: &FileBrowser) -> Option<usize> {
    let i = browser.selected?;
    let entry = browser.entries.get(i)?;
    let name = browser.file_name.trim();
    let untyped = name.is_empty() || default_file_name(browser.dialog) == Some(name);
    ((entry.is_dir && untyped) || (!entry.is_dir && entry.name == name)).then_some(i)
}

fn select_step(browser: &FileBrowser, step: isize) -> Action {
    let last = browser.entries.len().saturating_sub(1) as isize;
    let next = browser
        .selected
        .map_or(if step > 0 { 0 } else { last }, |i| {
            (i as isize + step).clamp(0, last)
        });
    Action::Select(next.max(0) as usize)
}

/// Height of the listing, points (the window fits 1280x720 with room to spare).
const LIST_HEIGHT: f32 = 320.0;

fn contents(ui: &mut egui::Ui, browser: &mut FileBrowser, actions: &mut Vec<Action>) {
    ui.set_width(720.0);
    ui.horizontal(|ui| {
        if ui
            .button("Up")
            .on_hover_text("parent folder (Backspace)")
            .clicked()
        {
            actions.push(Action::Up);
        }
        if ui.button("Refresh").clicked() {
            actions.push(Action::Refresh);
        }
        if ui.checkbox(&mut browser.show_hidden, "Hidden").changed() {
            actions.push(Action::Refresh);
        }
        let field = ui.add(
            egui::TextEdit::singleline(&mut browser.folder_text)
                .desired_width(f32::INFINITY)
                .hint_text("folder"),
        );
        if field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
            actions.push(Action::OpenFolder(browser.folder_text.trim().into()));
        }
    });
    ui.separator();
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            ui.set_width(170.0);
            ui.strong("Recent folders");
            let mut places = browser.recent_folders.clone();
            places.extend(dirs::home_dir());
            places.dedup();
            for place in places.iter().filter(|p| p.is_dir()) {
                let name = place.file_name().map_or_else(
                    || place.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                if ui
                    .button(name)
                    .on_hover_text(place.display().to_string())
                    .clicked()
                {
                    actions.push(Action::OpenFolder(place.clone()));
                }
            }
        });
        // Space, not a separator: in a horizontal layout a separator takes all
        // the height there is and pushes the file name row out of the window.
        ui.add_space(12.0);
        ui.vertical(|ui| listing(ui, browser, LIST_HEIGHT, actions));
    });
    if let Some(problem) = &browser.problem {
        ui.colored_label(Color32::from_rgb(255, 120, 110), problem);
    }
    ui.horizontal(|ui| {
        ui.label("File");
        let verb = if is_save(browser.dialog) {
            "Save"
        } else {
            "Open"
        };
        let filter = format!("*.{}", extensions(browser.dialog).join(" *."));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button("Cancel").clicked() {
                actions.push(Action::Cancel);
            }
            if ui.button(verb).clicked() {
                actions.push(Action::Confirm);
            }
            ui.weak(filter);
            // Until it has the keyboard (from the next frame on), what is typed
            // is added here and the cursor kept at the end.
            let name_id = name_field_id();
            if browser.focus_file_name {
                ui.memory_mut(|memory| memory.request_focus(name_id));
                let end = egui::text::CCursor::new(browser.file_name.chars().count());
                // A save dialog's suggested name is selected: typing replaces it.
                let range = if default_file_name(browser.dialog) == Some(&browser.file_name) {
                    egui::text::CCursorRange::two(egui::text::CCursor::new(0), end)
                } else {
                    egui::text::CCursorRange::one(end)
                };
                let mut edit = egui::TextEdit::load_state(ui.ctx(), name_id).unwrap_or_default();
                edit.cursor.set_char_range(Some(range));
                edit.store(ui.ctx(), name_id);
            }
            let field = ui.add(
                egui::TextEdit::singleline(&mut browser.file_name)
                    .id(name_id)
                    .desired_width(f32::INFINITY)
                    .hint_text("file name or path"),
            );
            if field.has_focus() {
                browser.focus_file_name = false;
            }
            if field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
                actions.push(Action::Confirm);
            }
        });
    });
}

fn listing(ui: &mut egui::Ui, browser: &FileBrowser, height: f32, actions: &mut Vec<Action>) {
    if browser.entries.is_empty() {
        ui.weak("(no folders or matching files here)");
    }
    egui::ScrollArea::vertical()
        .max_height(height)
        .auto_shrink([false, false])
        .show(ui, |ui| {
            egui::Grid::new("file browser listing")
                .num_columns(2)
                .striped(true)
                .show(ui, |ui| {
                    for (i, entry) in browser.entries.iter().enumerate() {
                        let text = if entry.is_dir {
                            RichText::new(format!("{}/", entry.name)).strong()
                        } else {
                            RichText::new(&entry.name)
                        };
                        let selected = browser.selected == Some(i);
                        let row = ui.selectable_label(selected, text);
                        if selected {
                            row.scroll_to_me(None);
                        }
                        if row.double_clicked() {
                            actions.push(Action::Activate(i));
                        } else if row.clicked() {
                            actions.push(Action::Select(i));
                        }
                        ui.label(entry.size.map(format_bytes).unwrap_or_default());
                        ui.end_row();
                    }
                });
        });
}
