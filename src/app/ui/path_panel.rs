//! The camera path section: keyframe list and editing, playback, save and load.

use crate::app::command::Command;
use crate::app::state::AppState;
use crate::controls::path::Interpolation;

use super::command_button_labelled;

pub fn path_section(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let editor = &mut state.path;
    if let Some(file) = &editor.file {
        ui.weak(file.display().to_string());
    }
    ui.horizontal(|ui| {
        command_button_labelled(ui, Command::AddKeyframe, "+ Keyframe", commands);
        let play = if editor.playing { "Pause" } else { "Play" };
        command_button_labelled(ui, Command::PlayPause, play, commands);
        let mut looping = editor.path.looping;
        if ui.checkbox(&mut looping, "Loop").changed() {
            commands.push(Command::ToggleLoop);
        }
    });
    ui.add(
        egui::Slider::new(&mut editor.path.duration_s, 0.5..=600.0)
            .logarithmic(true)
            .text("Duration (s)"),
    );
    ui.horizontal(|ui| {
        let path = &mut editor.path;
        egui::ComboBox::from_label("Interpolation")
            .selected_text(path.interpolation.label())
            .show_ui(ui, |ui| {
                for mode in Interpolation::ALL {
                    ui.selectable_value(&mut path.interpolation, mode, mode.label());
                }
            })
            .response
            .on_hover_text(
                "Auto: around the orbit target when all keyframes share it (the distance to the subject stays as keyed), else Catmull-Rom through the eye positions",
            );
        if path.len() >= 2 {
            ui.weak(format!("({})", path.resolved_interpolation().label()));
        }
    });
    let duration = editor.path.duration_s;
    if editor.path.len() >= 2 {
        let scrub = ui.add(egui::Slider::new(&mut editor.time, 0.0..=duration).text("Time (s)"));
        if scrub.changed() {
            // Scrubbing shows the path at that time.
            if let Some(sample) = editor.path.sample(editor.time) {
                state.rig.fov_y = sample.fov_y;
                let distance = state.rig.pose().position.distance(state.rig.pivot());
                state.rig.set_pose(&sample.pose, distance, true);
            }
        }
    }

    let mut action: Option<(usize, Action)> = None;
    egui::ScrollArea::vertical()
        .id_salt("keyframes")
        .max_height(200.0)
        .show(ui, |ui| {
            for i in 0..state.path.path.len() {
                ui.horizontal(|ui| {
                    let selected = state.path.selected == Some(i);
                    let time = state.path.path.keyframe_time(i);
                    if ui
                        .selectable_label(selected, format!("#{i}  {time:.1} s"))
                        .clicked()
                    {
                        action = Some((i, Action::Select));
                    }
                    if ui
                        .small_button("Up")
                        .on_hover_text("move earlier")
                        .clicked()
                    {
                        action = Some((i, Action::Move(-1)));
                    }
                    if ui
                        .small_button("Down")
                        .on_hover_text("move later")
                        .clicked()
                    {
                        action = Some((i, Action::Move(1)));
                    }
                    if ui
                        .small_button("Set")
                        .on_hover_text("set to the current view")
                        .clicked()
                    {
                        action = Some((i, Action::Update));
                    }
                    if ui.small_button("Del").on_hover_text("delete").clicked() {
                        action = Some((i, Action::Delete));
                    }
                });
            }
        });
    match action {
        Some((i, Action::Select)) => {
            state.path.selected = Some(i);
            state.path.playing = false;
            state.path.time = state.path.path.keyframe_time(i);
            if let Some(k) = state.path.path.keyframes.get(i) {
                state.rig.fov_y = k.fov_y_degrees.to_radians();
                let distance = state.rig.pose().position.distance(state.rig.pivot());
                state.rig.set_pose(&k.pose(), distance, false);
            }
        }
        Some((i, Action::Move(step))) => state.move_keyframe(i, step),
        Some((i, Action::Update)) => state.update_keyframe(i),
        Some((i, Action::Delete)) => {
            state.path.selected = Some(i);
            commands.push(Command::DeleteKeyframe);
        }
        None => {}
    }
    // Wrapped: with their shortcuts the three are wider than the panel.
    ui.horizontal_wrapped(|ui| {
        command_button_labelled(ui, Command::SavePath, "Save…", commands);
        command_button_labelled(ui, Command::LoadPath, "Load…", commands);
        command_button_labelled(ui, Command::ClearPath, "Clear", commands);
    });
    ui.horizontal(|ui| {
        command_button_labelled(ui, Command::ExportVideo, "Export video…", commands);
        ui.add(
            egui::DragValue::new(&mut state.settings.video_fps)
                .range(1..=240)
                .suffix(" fps"),
        )
        .on_hover_text("frame rate of exported videos; the size is the screenshot size");
    });
}

#[derive(Clone, Copy)]
enum Action {
    Select,
    Move(isize),
    Update,
    Delete,
}

/// Video export progress, above the loading bar.
pub fn export_progress(ctx: &egui::Context, state: &AppState, commands: &mut Vec<Command>) {
    let Some(export) = &state.export else {
        return;
    };
    egui::Area::new(egui::Id::unique("video export"))
        .anchor(egui::Align2::CENTER_BOTTOM, egui::vec2(0.0, -130.0))
        .order(egui::Order::Foreground)
        .show(ctx, |ui| {
            super::overlay_frame().show(ui, |ui| {
                ui.set_width(420.0);
                let name = export.out.file_name().map_or_else(
                    || export.out.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                ui.label(format!(
                    "Exporting {name}: {} / {} frames rendered, {} encoded",
                    export.rendered, export.total, export.encoded
                ));
                let fraction = export.encoded as f32 / export.total.max(1) as f32;
                ui.add(egui::ProgressBar::new(fraction).show_percentage());
                command_button_labelled(ui, Command::CancelExport, "Cancel", commands);
            });
        });
}
