//! The Compare and Ground truth sections of the side panel: what B is, the
//! layout and its controls (divider, flicker rate, difference map and scale),
//! the cameras' lock and "align B to A", B's render settings, the live
//! metrics; the open dataset's views with their split, photo and measured
//! PSNR, the evaluation and the worst-first order.

use egui::RichText;

use crate::app::command::Command;
use crate::app::compare::BSource;
use crate::app::state::AppState;
use crate::dataset::Split;
use crate::render::Raster;
use crate::scene::AaChoice;
use crate::settings::{CompareLayout, CompareSettings, DiffMap, LodSettings};

use super::{command_button, command_button_labelled};

pub fn compare_section(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    ui.horizontal_wrapped(|ui| {
        ui.label("B:");
        let current = state.compare.b.as_ref().map(BSource::label);
        ui.label(RichText::new(current.unwrap_or_else(|| "off".into())).strong());
    });
    ui.horizontal_wrapped(|ui| {
        command_button_labelled(ui, Command::OpenSceneB, "Scene file…", commands);
        command_button_labelled(ui, Command::CompareWithSettings, "Settings", commands);
        command_button_labelled(ui, Command::CompareWithPhoto, "Photo", commands);
        command_button_labelled(ui, Command::StopComparing, "Off", commands);
    });
    if let Some(scene) = &state.compare.b_scene {
        ui.weak(format!("B: {} ({})", scene.name, scene.summary));
    }
    if !state.comparing() {
        ui.weak("Drop a file with Ctrl held to compare against it.");
    }
    ui.horizontal_wrapped(|ui| {
        for (layout, command) in [
            (CompareLayout::Single, Command::LayoutSingle),
            (CompareLayout::SideBySide, Command::LayoutSideBySide),
            (CompareLayout::Split, Command::LayoutSplit),
            (CompareLayout::Flicker, Command::LayoutFlicker),
            (CompareLayout::Difference, Command::LayoutDifference),
        ] {
            let tip = command
                .shortcut()
                .map(|s| super::help::key_text(ui.ctx(), &s))
                .unwrap_or_default();
            if ui
                .selectable_label(state.settings.compare.layout == layout, layout.label())
                .on_hover_text(tip)
                .clicked()
            {
                commands.push(command);
            }
        }
    });
    let settings = &mut state.settings.compare;
    match settings.layout {
        CompareLayout::Split => {
            ui.horizontal(|ui| {
                ui.add(
                    egui::Slider::new(&mut settings.split_position, 0.0..=1.0)
                        .fixed_decimals(2)
                        .text("Divider"),
                );
                command_button_labelled(
                    ui,
                    Command::ToggleSplitDirection,
                    if settings.split_vertical {
                        "Vertical"
                    } else {
                        "Horizontal"
                    },
                    commands,
                );
            });
        }
        CompareLayout::Flicker | CompareLayout::Single => {
            if settings.layout == CompareLayout::Flicker {
                ui.add(
                    egui::Slider::new(
                        &mut settings.flicker_hz,
                        CompareSettings::MIN_FLICKER_HZ..=CompareSettings::MAX_FLICKER_HZ,
                    )
                    .logarithmic(true)
                    .text("Switches per second"),
                );
            }
            command_button(ui, Command::ShowOther, commands);
        }
        CompareLayout::Difference => {
            ui.horizontal(|ui| {
                for map in [DiffMap::AbsDifference, DiffMap::Flip] {
                    if ui
                        .selectable_label(settings.diff_map == map, map.label())
                        .clicked()
                        && settings.diff_map != map
                    {
                        commands.push(Command::ToggleDiffMap);
                    }
                }
            });
            ui.add_enabled(
                settings.diff_map == DiffMap::AbsDifference,
                egui::Slider::new(
                    &mut settings.diff_scale,
                    CompareSettings::MIN_DIFF_SCALE..=CompareSettings::MAX_DIFF_SCALE,
                )
                .logarithmic(true)
                .fixed_decimals(3)
                .text("Scale"),
            )
            .on_hover_text("the |A - B| error (mean over RGB) at the top of the colour bar");
        }
        CompareLayout::SideBySide => {}
    }
    ui.horizontal(|ui| {
        let mut locked = settings.lock_cameras;
        if ui.checkbox(&mut locked, "Lock cameras").changed() {
            commands.push(Command::ToggleLockCameras);
        }
        command_button_labelled(ui, Command::AlignBToA, "Align B to A", commands);
    });
    if !settings.lock_cameras {
        ui.checkbox(&mut state.compare.move_b, "Keys and drags move B")
            .on_hover_text("in the single, flicker and difference layouts; in split and side by side, B's side moves B");
    }
    let mut live = state.settings.compare.live_metrics;
    if ui
        .checkbox(&mut live, "Live metrics (PSNR, SSIM, FLIP)")
        .changed()
    {
        commands.push(Command::ToggleLiveMetrics);
    }
    if state.compare.b == Some(BSource::Settings) {
        egui::CollapsingHeader::new("B's render settings")
            .default_open(true)
            .show(ui, |ui| b_settings(ui, &mut state.settings.compare.b_lod));
    }
}

/// The render settings B uses when it is this scene with other settings.
fn b_settings(ui: &mut egui::Ui, lod: &mut LodSettings) {
    ui.add(egui::Slider::new(&mut lod.sh_degree_cap, 0..=3).text("SH degree cap"));
    ui.horizontal(|ui| {
        let mut limited = lod.splat_budget.is_some();
        ui.checkbox(&mut limited, "Splat budget");
        let mut budget = lod.splat_budget.unwrap_or(100_000);
        ui.add_enabled(
            limited,
            egui::DragValue::new(&mut budget)
                .range(1..=100_000_000)
                .speed(1000),
        );
        lod.splat_budget = limited.then_some(budget);
    });
    ui.horizontal(|ui| {
        ui.label("Rasterizer");
        for (mode, label) in [
            (Raster::Auto, "Auto"),
            (Raster::Hardware, "Quads"),
            (Raster::Compute, "Tiles"),
        ] {
            ui.selectable_value(&mut lod.raster, mode, label);
        }
    });
    ui.horizontal(|ui| {
        ui.label("Anti-aliasing");
        egui::ComboBox::from_id_salt("b aa mode")
            .selected_text(lod.aa.name())
            .show_ui(ui, |ui| {
                for choice in AaChoice::ALL {
                    ui.selectable_value(&mut lod.aa, choice, choice.name());
                }
            });
    });
    ui.horizontal(|ui| {
        ui.label("Sort key bits");
        for bits in [16, 24, 32] {
            ui.selectable_value(&mut lod.sort_key_bits, bits, bits.to_string());
        }
    });
    ui.add(egui::Slider::new(&mut lod.resolution_scale, 0.25..=2.0).text("Resolution scale"));
    if ui.button("Same as A's defaults").clicked() {
        *lod = LodSettings::default();
    }
}

pub fn ground_truth_section(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    command_button_labelled(ui, Command::OpenDataset, "Open dataset…", commands);
    let Some(truth) = &mut state.dataset else {
        ui.weak("COLMAP (sparse/0 + images), 3DGS cameras.json + images, or a 3DGS training output folder.");
        return;
    };
    ui.label(format!(
        "{} ({}): {} views",
        truth.root.display(),
        truth.layout,
        truth.views.len()
    ));
    ui.horizontal(|ui| {
        ui.label("Evaluate");
        let every = truth.test_every;
        for split in [Split::Test { every }, Split::Train { every }, Split::All] {
            ui.selectable_value(&mut truth.eval_split, split, split.name());
        }
    });
    match &truth.running {
        Some(progress) => {
            ui.add(
                egui::ProgressBar::new(progress.done as f32 / progress.total.max(1) as f32)
                    .text(format!("{} / {} views", progress.done, progress.total)),
            );
            command_button_labelled(ui, Command::CancelEvaluation, "Cancel", commands);
        }
        None => {
            ui.horizontal(|ui| {
                command_button_labelled(ui, Command::EvaluateDataset, "Evaluate", commands);
                command_button_labelled(ui, Command::WorstView, "Worst view", commands);
            });
        }
    }
    if let Some(background) = truth.background {
        ui.weak(format!(
            "Scored over {} (the training output's background)",
            if background == [1.0; 3] {
                "white"
            } else {
                "black"
            }
        ));
    }
    if let Some(summary) = &truth.summary {
        ui.label(summary);
    }
    ui.checkbox(&mut truth.sort_by_psnr, "Worst PSNR first");
    let mut jump = None;
    let selected = state.training.selected;
    egui::ScrollArea::vertical()
        .id_salt("dataset views")
        .max_height(220.0)
        .show(ui, |ui| {
            egui::Grid::new("dataset grid")
                .striped(true)
                .show(ui, |ui| {
                    for i in truth.display_order() {
                        let view = &truth.views[i];
                        let name = format!(
                            "{}{}",
                            view.name,
                            if view.photo.is_none() {
                                " (no photo)"
                            } else {
                                ""
                            }
                        );
                        if ui.selectable_label(selected == Some(i), name).clicked() {
                            jump = Some(i);
                        }
                        ui.weak(if view.test { "test" } else { "train" });
                        view_result(ui, view);
                        ui.end_row();
                    }
                });
        });
    if let Some(i) = jump {
        state.jump_to_training_camera(i);
        if state.compare.b.is_none() {
            state.set_b(BSource::Photo);
        }
    }
}

/// A view's row in the dataset list: its metrics (with the photo's size when
/// it was rescaled), or why it was left out.
fn view_result(ui: &mut egui::Ui, view: &crate::app::ground_truth::GroundTruthView) {
    let reason = view.photo_error.as_ref().or(view.skipped.as_ref());
    match (view.metrics, reason) {
        (Some(m), _) => {
            let text = format!("{:.2} dB  {:.3}", m.psnr, m.ssim);
            match view.rescaled_from {
                Some((w, h)) => ui
                    .label(format!("{text}  *"))
                    .on_hover_text(format!("photo rescaled from {w}x{h} to the camera's size")),
                None => ui.label(text),
            }
        }
        (None, Some(reason)) => ui.weak("skipped").on_hover_text(reason.as_str()),
        (None, None) => ui.weak("–"),
    };
}
