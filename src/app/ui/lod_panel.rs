//! The hierarchy part of the Level of detail section (docs/LOD.md, "In the
//! window"): LOD on/off, splat budget (and whether it ranks by visibility),
//! pixel threshold, memory budget, freeze cut, colour by level, the build and
//! the cut's stats; and the build's progress bar in the overlay.

use egui::RichText;

use crate::app::command::Command;
use crate::app::state::AppState;
use crate::settings::HierarchySettings;

use super::{command_button_labelled, format_bytes, format_count};

/// Splat budget the checkbox starts from: a quarter of the scene, or 1M.
fn default_budget(state: &AppState) -> u32 {
    state
        .scene
        .as_ref()
        .map(|s| (s.splat_count / 4).max(1) as u32)
        .filter(|&b| b > 1)
        .unwrap_or(1_000_000)
}

pub fn hierarchy_section(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let budget_default = default_budget(state);
    let flat_budget = state.settings.lod.splat_budget;
    let h = &mut state.settings.hierarchy;
    ui.checkbox(&mut h.enabled, "Hierarchy (LOD) on")
        .on_hover_text("Draw a cut of the scene's hierarchy of merged splats (P)");
    if let Some(flat) = flat_budget.filter(|_| h.enabled) {
        ui.add(
            egui::Label::new(
                RichText::new(format!(
                    "The splat budget (Level of detail) applies too: at most the {} most important splats of the cut are drawn",
                    format_count(u64::from(flat))
                ))
                .weak(),
            )
            .wrap(),
        );
    }
    ui.add_enabled_ui(h.enabled, |ui| {
        ui.horizontal(|ui| {
            let mut limited = h.budget.is_some();
            ui.checkbox(&mut limited, "Cut budget")
                .on_hover_text("Most splats in the cut (off: no limit)");
            let mut budget = h.budget.unwrap_or(budget_default);
            ui.add_enabled(
                limited,
                egui::DragValue::new(&mut budget)
                    .range(1..=1_000_000_000)
                    .speed(10_000),
            );
            h.budget = limited.then_some(budget);
        });
        ui.add_enabled(
            h.budget.is_some(),
            egui::Checkbox::new(&mut h.occlusion, "Budget to what is seen"),
        )
        .on_hover_text(
            "Rank the budget's splats by how visible they are too: hidden parts are refined last",
        );
        ui.add(
            egui::Slider::new(
                &mut h.threshold_px,
                0.0..=HierarchySettings::MAX_THRESHOLD_PX,
            )
            .logarithmic(true)
            .text("Threshold (px)"),
        )
        .on_hover_text("A node is opened while its projected size exceeds this (0: all leaves). Raising it can first add splats: a node within the transition band draws beside its children while it fades out");
        ui.horizontal(|ui| {
            let mut custom = h.memory_budget_mib.is_some();
            ui.checkbox(&mut custom, "Memory budget (MiB)")
                .on_hover_text("GPU memory for splat pages, at least 16 MiB (off: the adapter's default: 1 GiB on CPU adapters, 4 GiB on GPUs); one storage binding may hold less");
            let mut mib = h.memory_budget_mib.unwrap_or(1024);
            ui.add_enabled(
                custom,
                egui::DragValue::new(&mut mib)
                    .range(HierarchySettings::MIN_MEMORY_MIB..=65_536)
                    .speed(16),
            );
            h.memory_budget_mib = custom.then_some(mib);
        });
        ui.horizontal(|ui| {
            ui.checkbox(&mut h.freeze, "Freeze cut")
                .on_hover_text("Keep the cut while the camera moves (Shift+P)");
            ui.checkbox(&mut h.color_by_level, "Colour by level")
                .on_hover_text("A hue per hierarchy level (Alt+P)");
        });
    });
    let status = &state.hierarchy;
    if state.settings.hierarchy.color_by_level
        && let Some(build) = &status.build
    {
        level_legend(ui, build.depth);
    }
    if let Some(reason) = &status.unavailable {
        ui.label(RichText::new(format!("LOD: {reason}")).small().weak());
    }
    if let Some(preview) = &status.preview {
        let text = RichText::new(preview).small();
        let text = if status.active {
            text.weak()
        } else {
            text.color(ui.visuals().warn_fg_color)
        };
        // Wrapped at the visible width (the inspector scrolls what is wider).
        let visible = (ui.clip_rect().right() - ui.cursor().left()).max(120.0);
        ui.scope(|ui| {
            ui.set_max_width(visible);
            ui.add(egui::Label::new(text).wrap());
        });
    }
    if let Some(building) = &status.building {
        ui.horizontal_wrapped(|ui| {
            ui.label(format!(
                "Preparing the hierarchy of {} (from the cache, or built)",
                building.name
            ));
            command_button_labelled(ui, Command::CancelLodBuild, "Cancel", commands);
        });
    }
    egui::Grid::new("lod stats grid")
        .num_columns(2)
        .show(ui, |ui| {
            if let Some(build) = &status.build {
                ui.label("Hierarchy");
                // Wrapped, as the pages below: "read from the cache in 1.6 s"
                // of a 10.67 M-node hierarchy runs past a 320-point inspector.
                ui.add(
                    egui::Label::new(format!(
                        "{} nodes, {} levels; {} in {}",
                        format_count(build.nodes as u64),
                        build.depth,
                        match (build.beside_scene, build.from_cache) {
                            (true, _) => "read from the file beside the scene",
                            (false, true) => "read from the cache",
                            (false, false) => "built",
                        },
                        duration_text(build.hierarchy_ms)
                    ))
                    .wrap(),
                );
                ui.end_row();
            }
            let Some(stats) = status.stats.filter(|_| status.active) else {
                return;
            };
            ui.label("Cut");
            // Held to what one view can draw (its working buffers are one
            // binding each), below the budget asked for.
            let limit = match stats.view_limit {
                Some(_) => " (one view's limit)",
                None => "",
            };
            // Wrapped: with the limit's note it runs past a 320-point
            // inspector, and an unwrapped row widens the grid's column.
            ui.add(
                egui::Label::new(format!(
                    "{} splats{limit}, levels {}; {:.2} ms",
                    format_count(stats.cut_splats as u64),
                    stats
                        .levels
                        .map_or_else(|| "-".to_owned(), |(a, b)| format!("{a}-{b}")),
                    stats.cut_ms
                ))
                .wrap(),
            );
            ui.end_row();
            ui.label("Pages");
            // Wanted pages either stream in (uploaded this update) or wait for
            // a slot: the pool holds pages the cut uses, so the budget's cut
            // needs more memory than the pool has.
            let wanted = match (stats.pages_wanted, stats.pages_uploaded) {
                (0, _) => "none wanted".to_owned(),
                (n, 0) => format!("{n} wanted, pool full"),
                (n, _) => format!("{n} streaming"),
            };
            // A pool larger than one storage binding spans several.
            let bindings = match stats.pool_segments {
                0 | 1 => String::new(),
                n => format!(" in {n} buffers"),
            };
            let cap = match (stats.pool_capped_by_binding, stats.pool_segments) {
                (false, _) => String::new(),
                (true, 0 | 1) => {
                    " (all one GPU buffer binding holds, below the memory budget)".to_owned()
                }
                (true, n) => {
                    format!(" (all {n} GPU buffer bindings hold, below the memory budget)")
                }
            };
            ui.add(
                egui::Label::new(format!(
                    "{} / {} resident, {wanted}; {}{bindings}{cap}",
                    stats.pages_resident,
                    stats.pages_total,
                    format_bytes(stats.pool_bytes)
                ))
                .wrap(),
            );
            ui.end_row();
        });
}

/// The build's progress bar, at the bottom of the window while it runs.
pub fn build_progress(ctx: &egui::Context, state: &AppState, commands: &mut Vec<Command>) {
    let Some(building) = &state.hierarchy.building else {
        return;
    };
    egui::Area::new(egui::Id::unique("lod build progress"))
        .anchor(egui::Align2::CENTER_BOTTOM, egui::vec2(0.0, -72.0))
        .show(ctx, |ui| {
            super::overlay_frame().show(ui, |ui| {
                ui.set_width(420.0);
                ui.label(format!(
                    "Level of detail: building the hierarchy of {} ({:.1} s); the flat scene shows meanwhile",
                    building.name,
                    building.elapsed.as_secs_f64()
                ));
                ui.horizontal(|ui| {
                    ui.add(
                        egui::ProgressBar::new(building.fraction)
                            .show_percentage()
                            .desired_width(340.0),
                    );
                    command_button_labelled(ui, Command::CancelLodBuild, "Cancel", commands);
                });
            });
        });
}

/// The colour-by-level view's colours, level 0 (the root) to the leaves.
fn level_legend(ui: &mut egui::Ui, depth: usize) {
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 2.0;
        ui.label(RichText::new("Levels: root").small());
        for level in 0..depth.min(32) as u32 {
            let [r, g, b] = crate::render::lod::level_color(level);
            let color = egui::Color32::from_rgb(
                (r * 255.0).round() as u8,
                (g * 255.0).round() as u8,
                (b * 255.0).round() as u8,
            );
            let (rect, response) =
                ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
            ui.painter().rect_filled(rect, 2.0, color);
            response.on_hover_text(format!("level {level}"));
        }
        ui.label(RichText::new("leaves").small());
    });
}

/// "71 ms", "21.9 s": a build or cache read time short enough for the stats.
fn duration_text(ms: f64) -> String {
    if ms < 999.5 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.1} s", ms / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::duration_text;

    #[test]
    fn durations_read_in_milliseconds_below_a_second_then_in_seconds() {
        assert_eq!(duration_text(71.4), "71 ms");
        assert_eq!(duration_text(999.4), "999 ms");
        assert_eq!(duration_text(999.6), "1.0 s");
        assert_eq!(duration_text(21_877.0), "21.9 s");
    }
}
