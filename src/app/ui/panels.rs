//! The inspector side panel (scene, stats, camera, training cameras, camera path,
//! level of detail, screenshots), the message list and the loading bar.

use egui::{Color32, RichText};

use crate::app::command::Command;
use crate::app::state::AppState;
use crate::controls::{CameraMode, UpAxis};
use crate::render::{Raster, TileSize};
use crate::scene::AaChoice;
use crate::settings::ScreenshotSize;

use super::{command_button, command_button_labelled, format_bytes, format_count};

pub fn inspector(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    // The scroll area takes the panel's whole width and scrolls what is wider,
    // so opening or collapsing a section never resizes the panel (and moves
    // every click target); only dragging its edge does.
    egui::ScrollArea::both()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            section(ui, "Scene", true, |ui| {
                scene_section(ui, state);
                if !state.objects.is_empty() {
                    ui.separator();
                    super::objects_panel::objects_list(ui, state, commands);
                }
            });
            section(ui, "Compare", false, |ui| {
                super::compare_panel::compare_section(ui, state, commands)
            });
            section(ui, "Ground truth", false, |ui| {
                super::compare_panel::ground_truth_section(ui, state, commands)
            });
            section(ui, "Stats", true, |ui| stats_section(ui, state));
            section(ui, "Camera", true, |ui| camera_section(ui, state, commands));
            section(ui, "Training cameras", false, |ui| {
                training_section(ui, state, commands)
            });
            section(ui, "Camera path", false, |ui| {
                super::path_panel::path_section(ui, state, commands)
            });
            section(ui, "Level of detail", false, |ui| {
                super::lod_panel::hierarchy_section(ui, state, commands);
                ui.separator();
                lod_section(ui, state, commands)
            });
            section(ui, "Meshes", false, |ui| {
                super::objects_panel::mesh_section(ui, state, commands)
            });
            section(ui, "Screenshot", false, |ui| {
                screenshot_section(ui, state, commands)
            });
        });
}

fn section(ui: &mut egui::Ui, title: &str, open: bool, add: impl FnOnce(&mut egui::Ui)) {
    egui::CollapsingHeader::new(RichText::new(title).strong())
        .default_open(open)
        .show(ui, add);
}

fn scene_section(ui: &mut egui::Ui, state: &AppState) {
    let Some(scene) = &state.scene else {
        ui.label(
            "No scene loaded. File > Open, or drop a file onto the window (Shift: add it, Ctrl: compare with it).",
        );
        return;
    };
    egui::Grid::new("scene grid").num_columns(2).show(ui, |ui| {
        ui.label("File");
        ui.label(&scene.name)
            .on_hover_text(scene.path.display().to_string());
        ui.end_row();
        ui.label("Format");
        ui.label(&scene.format);
        ui.end_row();
        ui.label("Splats");
        ui.label(scene.splat_count.to_string());
        ui.end_row();
        // Meshes and point clouds alone have no splat settings to show.
        if scene.splat_count > 0 {
            ui.label("SH degree");
            ui.label(scene.sh_degree.to_string());
            ui.end_row();
            ui.label("Anti-aliasing");
            // Wrapped: the reason can be longer than the panel is wide.
            let text = format!("{} ({})", scene.aa.mode.name(), scene.aa.reason);
            ui.add(egui::Label::new(text).wrap())
                .on_hover_text(
                    "The mode the scene's file asks for, and what in the file says so; the Level of detail section can override it",
                );
            ui.end_row();
        }
        if let Some(b) = scene.bounds {
            let c = coordinate;
            ui.label("Bounds");
            ui.label(format!(
                "[{}, {}, {}]\n[{}, {}, {}]",
                c(b.min.x),
                c(b.min.y),
                c(b.min.z),
                c(b.max.x),
                c(b.max.y),
                c(b.max.z)
            ))
            .on_hover_text("robust bounds: 0.5% outliers ignored on each side of each axis");
            ui.end_row();
        }
        if let Some(bytes) = scene.gpu_bytes {
            ui.label("GPU memory");
            ui.label(format_bytes(bytes));
            ui.end_row();
        }
    });
}

/// A coordinate for the panel: two decimals, or scientific notation for the
/// huge values a point cloud's stray points can give (which would not fit).
fn coordinate(v: f32) -> String {
    if v.abs() < 1e5 {
        format!("{v:.2}")
    } else {
        format!("{v:.2e}")
    }
}

fn stats_section(ui: &mut egui::Ui, state: &AppState) {
    let stats = &state.stats;
    egui::Grid::new("stats grid").num_columns(2).show(ui, |ui| {
        ui.label("Frame");
        match stats.frame_ms {
            Some(ms) => ui.label(format!("{ms:.1} ms ({:.1} FPS)", 1000.0 / ms.max(1e-3))),
            None => ui.label("-"),
        };
        ui.end_row();
        ui.label("Visible");
        let total = state.scene.as_ref().map_or(0, |s| s.splat_count as u64);
        // Under LOD the count is of the cut's splats (a parent and its children
        // both draw in the transition band, so it may exceed the scene's).
        let cut = state
            .hierarchy
            .stats
            .filter(|_| state.hierarchy.active)
            .map(|c| c.cut_splats as u64);
        let of = match cut {
            Some(cut) => format!("{} in the LOD cut", format_count(cut)),
            None => format_count(total),
        };
        let a = match stats.visible_splats {
            Some(v) => format!("{} / {of}", format_count(u64::from(v))),
            None => format!("- / {of}"),
        };
        match stats.visible_splats_b {
            // Comparing: A's count of its scene, then B's.
            Some(b) => ui.label(format!("A {a}, B {}", format_count(u64::from(b)))),
            None => ui.label(a),
        };
        ui.end_row();
        ui.label("Render size");
        ui.label(format!("{} x {}", stats.render_size.0, stats.render_size.1));
        ui.end_row();
        for pass in &stats.gpu_passes {
            ui.label(pass.label());
            ui.label(format!("{:.2} ms", pass.ms));
            ui.end_row();
        }
    });
    if stats.gpu_passes.is_empty() {
        ui.weak("Per-pass GPU times: not measured by this renderer yet.");
    }
}

fn camera_section(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        for (mode, command) in [
            (CameraMode::Orbit, Command::OrbitMode),
            (CameraMode::Fly, Command::FlyMode),
            (CameraMode::Trackball, Command::TrackballMode),
        ] {
            let selected = state.rig.mode() == mode;
            let tip = command
                .shortcut()
                .map(|s| super::help::key_text(ui.ctx(), &s))
                .unwrap_or_default();
            if ui
                .selectable_label(selected, mode.label())
                .on_hover_text(tip)
                .clicked()
                && !selected
            {
                commands.push(command);
            }
        }
    });
    ui.horizontal(|ui| {
        let mut up = state.rig.up();
        egui::ComboBox::from_label("Up")
            .selected_text(up.label())
            .width(50.0)
            .show_ui(ui, |ui| {
                for axis in UpAxis::ALL {
                    ui.selectable_value(&mut up, axis, axis.label());
                }
            });
        if up != state.rig.up() {
            state.rig.set_up(up);
            state.settings.up_axis = up;
        }
        command_button_labelled(ui, Command::FlipUp, "Flip", commands);
    });
    ui.horizontal(|ui| {
        command_button_labelled(ui, Command::FrameScene, "Frame scene", commands);
        command_button_labelled(ui, Command::ResetCamera, "Reset", commands);
    });
    let mut fov = state.rig.fov_y.to_degrees();
    if ui
        .add(egui::Slider::new(&mut fov, 10.0..=120.0).text("FOV (°)"))
        .changed()
    {
        state.rig.fov_y = fov.to_radians();
        state.settings.fov_y_degrees = fov;
    }
    let mut speed = state.rig.fly_speed;
    let speed_slider = egui::Slider::new(&mut speed, 0.01..=20.0)
        .logarithmic(true)
        .text("Fly speed");
    if ui
        .add(speed_slider)
        .on_hover_text("scene radii per second; the wheel changes it while flying")
        .changed()
    {
        state.set_fly_speed(speed);
    }
    let mut smoothing = state.rig.damping.half_life;
    if ui
        .add(egui::Slider::new(&mut smoothing, 0.0..=0.5).text("Smoothing (s)"))
        .changed()
    {
        state.rig.damping.half_life = smoothing;
        state.settings.smoothing_s = smoothing;
    }
    ui.horizontal(|ui| {
        let lod = &mut state.settings.lod;
        ui.add(
            egui::DragValue::new(&mut lod.near_plane)
                .speed(0.01)
                .range(1e-4..=1e4)
                .prefix("near "),
        )
        .on_hover_text("near clipping plane (3DGS uses 0.2)");
        let mut limited = lod.far_plane.is_some();
        if ui.checkbox(&mut limited, "far").changed() {
            lod.far_plane = limited.then_some(100.0);
        }
        if let Some(far) = &mut lod.far_plane {
            ui.add(egui::DragValue::new(far).speed(0.5).range(1e-3..=1e7));
        }
    });
    let eye = state.rig.pose().position;
    ui.weak(format!("eye [{:.2}, {:.2}, {:.2}]", eye.x, eye.y, eye.z));
}

fn training_section(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    match &state.training.file {
        Some(file) => ui.label(format!(
            "{} cameras from {}",
            state.training.cameras.len(),
            file.display()
        )),
        None => ui.label("No cameras.json beside the scene."),
    };
    ui.horizontal_wrapped(|ui| {
        command_button_labelled(ui, Command::PreviousTrainingCamera, "< Prev", commands);
        command_button_labelled(ui, Command::NextTrainingCamera, "Next >", commands);
        command_button_labelled(ui, Command::OpenCameras, "Open…", commands);
    });
    ui.horizontal(|ui| {
        let mut show = state.settings.show_frusta;
        if ui.checkbox(&mut show, "Show frusta").changed() {
            commands.push(Command::ToggleFrusta);
        }
        ui.add(
            egui::Slider::new(&mut state.settings.frustum_size, 0.01..=1.0)
                .logarithmic(true)
                .text("size"),
        )
        .on_hover_text("depth of each frustum, as a fraction of the scene's radius");
    });
    let mut jump = None;
    egui::ScrollArea::vertical()
        .id_salt("training list")
        .max_height(180.0)
        .show(ui, |ui| {
            for (i, cam) in state.training.cameras.iter().enumerate() {
                let selected = state.training.selected == Some(i);
                if ui
                    .selectable_label(selected, format!("{i:>4}  {}", cam.name))
                    .clicked()
                {
                    jump = Some(i);
                }
            }
        });
    if let Some(i) = jump {
        state.jump_to_training_camera(i);
    }
}

fn lod_section(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let support = state.lod_support;
    let lod = &mut state.settings.lod;
    let pending = "needs renderer support (not wired yet)";
    ui.horizontal(|ui| {
        ui.add_enabled(
            support.sh_degree_cap,
            egui::Slider::new(&mut lod.sh_degree_cap, 0..=3).text("SH degree cap"),
        );
    });
    ui.horizontal(|ui| {
        command_button_labelled(ui, Command::ShDegreeDown, "SH -", commands);
        command_button_labelled(ui, Command::ShDegreeUp, "SH +", commands);
    });
    ui.add_enabled_ui(support.splat_budget, |ui| {
        ui.horizontal(|ui| {
            let mut limited = lod.splat_budget.is_some();
            ui.checkbox(&mut limited, "Splat budget");
            let mut budget = lod.splat_budget.unwrap_or(1_000_000);
            ui.add_enabled(
                limited,
                egui::DragValue::new(&mut budget)
                    .range(1..=100_000_000)
                    .speed(10_000),
            );
            lod.splat_budget = limited.then_some(budget);
        });
    })
    .response
    .on_disabled_hover_text(pending);
    ui.add_enabled(
        support.min_splat_px,
        egui::Slider::new(&mut lod.min_splat_px, 0.0..=8.0).text("Min size (px)"),
    )
    .on_disabled_hover_text(pending);
    ui.add_enabled(
        support.opacity_cutoff,
        egui::Slider::new(&mut lod.opacity_cutoff, 0.0..=0.5)
            .logarithmic(true)
            .text("Opacity cutoff"),
    )
    .on_disabled_hover_text(pending);
    ui.add_enabled(
        support.resolution_scale,
        egui::Slider::new(&mut lod.resolution_scale, 0.25..=2.0).text("Resolution scale"),
    )
    .on_disabled_hover_text(pending);
    ui.horizontal(|ui| {
        ui.label("Rasterizer");
        for (mode, label, hint) in [
            (
                Raster::Auto,
                "Auto",
                "Measure both on the first frames of a scene and keep the faster",
            ),
            (
                Raster::Hardware,
                "Quads",
                "One quad per splat through the GPU's rasterizer (the faster on CPU adapters such as lavapipe, below about a million splats)",
            ),
            (
                Raster::Compute,
                "Tiles",
                "Tile binning and blending in compute shaders, with early termination like the reference rasterizer (the faster on GPUs: 5-16x the quads' speed on an H100; on lavapipe from about a million splats)",
            ),
        ] {
            ui.selectable_value(&mut lod.raster, mode, label).on_hover_text(hint);
        }
    });
    if lod.raster != Raster::Hardware {
        ui.horizontal(|ui| {
            ui.label("Tile size");
            for (size, label) in [
                (TileSize::Auto, "Auto"),
                (TileSize::Eight, "8x8"),
                (TileSize::Sixteen, "16x16"),
            ] {
                ui.selectable_value(&mut lod.tile_size, size, label);
            }
        })
        .response
        .on_hover_text("Auto measures both on GPUs and draws 8x8 tiles on CPU adapters");
        let text = match &state.stats.raster_decision {
            Some(decision) => raster_decision_text(decision),
            // Tiles of one size (CPU adapters), or still measuring both.
            None if lod.raster == Raster::Compute => String::new(),
            None if state.stats.gpu_passes.is_empty() => {
                "Auto: no GPU timestamps here, drawing quads".to_owned()
            }
            None => "Auto: measuring quads and tiles on the first frames".to_owned(),
        };
        if !text.is_empty() {
            ui.label(RichText::new(text).small().weak());
        }
    }
    ui.horizontal(|ui| {
        ui.label("Sort key bits");
        for bits in [16, 24, 32] {
            ui.selectable_value(&mut lod.sort_key_bits, bits, bits.to_string())
                .on_hover_text("depth sort precision: 24 (default) gives the same images as 32 on the test scenes; 16 sorts faster");
        }
    });
    ui.checkbox(&mut lod.fast_blend, "Fast 8-bit blending").on_hover_text(
        "The quads blend straight into the 8-bit view instead of in half floats: 13-24% faster frames on lavapipe, but each blend step is rounded (about 49-51 dB against the reference rasterizer instead of 52-53; 42 dB under thousands of faint layers). The tiles are exact either way.",
    );
    ui.horizontal(|ui| {
        ui.label("Anti-aliasing");
        egui::ComboBox::from_id_salt("aa mode")
            .selected_text(lod.aa.name())
            .show_ui(ui, |ui| {
                for choice in AaChoice::ALL {
                    ui.selectable_value(&mut lod.aa, choice, choice.name());
                }
            })
            .response
            .on_hover_text(
                "auto: the mode the scene's file asks for; classic: 0.3 px dilation (3DGS); antialiased: 0.3 px with opacity compensation (gsplat); mip: 0.1 px with compensation (Mip-Splatting); analytic: the Gaussian integrated over each pixel (Analytic-Splatting); docs/ANTIALIASING.md",
            );
    });
    if ui.button("Defaults").clicked() {
        *lod = Default::default();
    }
}

fn screenshot_section(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let size = &mut state.settings.screenshot_size;
    let label = |s: ScreenshotSize| match s {
        ScreenshotSize::Window => "Window size".to_owned(),
        ScreenshotSize::Uhd4k => "4K (3840 x 2160)".to_owned(),
        ScreenshotSize::Custom { width, height } => format!("{width} x {height}"),
    };
    egui::ComboBox::from_label("Size")
        .selected_text(label(*size))
        .show_ui(ui, |ui| {
            ui.selectable_value(size, ScreenshotSize::Window, label(ScreenshotSize::Window));
            ui.selectable_value(size, ScreenshotSize::Uhd4k, label(ScreenshotSize::Uhd4k));
            let custom = ScreenshotSize::Custom {
                width: 1920,
                height: 1080,
            };
            if ui
                .selectable_label(matches!(size, ScreenshotSize::Custom { .. }), "Custom")
                .clicked()
                && !matches!(size, ScreenshotSize::Custom { .. })
            {
                *size = custom;
            }
        });
    if let ScreenshotSize::Custom { width, height } = size {
        ui.horizontal(|ui| {
            ui.add(egui::DragValue::new(width).range(1..=16384));
            ui.label("x");
            ui.add(egui::DragValue::new(height).range(1..=16384));
        });
    }
    let folder = state.screenshot_dir();
    ui.label(RichText::new(format!("Saved to {}", folder.display())).small())
        .on_hover_text(
            "Settings: screenshot_dir; by default the pictures folder's splatview subfolder",
        );
    ui.horizontal(|ui| {
        command_button(ui, Command::Screenshot, commands);
        command_button_labelled(ui, Command::OpenScreenshotFolder, "Open folder", commands);
    });
}

/// Errors (dismissible) and notices, bottom left. Long messages wrap inside a
/// box that never runs past the window's edge.
pub fn messages(ctx: &egui::Context, state: &mut AppState, commands: &mut Vec<Command>) {
    if state.errors.is_empty() && state.notices.is_empty() {
        return;
    }
    let max_width = message_width(ctx.content_rect().width());
    egui::Area::new(egui::Id::unique("messages"))
        .anchor(egui::Align2::LEFT_BOTTOM, egui::vec2(8.0, -8.0))
        .constrain(true)
        .show(ctx, |ui| {
            super::overlay_frame().show(ui, |ui| {
                ui.set_max_width(max_width);
                let mut dismiss = None;
                for (i, error) in state.errors.iter().enumerate() {
                    ui.horizontal_top(|ui| {
                        if ui.small_button("x").on_hover_text("dismiss").clicked() {
                            dismiss = Some(i);
                        }
                        ui.add(
                            egui::Label::new(
                                RichText::new(error).color(Color32::from_rgb(255, 120, 110)),
                            )
                            .wrap(),
                        );
                    });
                }
                if let Some(i) = dismiss {
                    state.errors.remove(i);
                }
                for notice in &state.notices {
                    ui.add(egui::Label::new(notice).wrap());
                }
                ui.horizontal(|ui| {
                    if state.last_saved.is_some() && !state.notices.is_empty() {
                        command_button_labelled(
                            ui,
                            Command::OpenScreenshotFolder,
                            "Open folder",
                            commands,
                        );
                    }
                    command_button_labelled(ui, Command::DismissMessages, "Dismiss all", commands);
                });
            });
        });
}

/// Width of the message box in a view `view_width` points wide: at most 560,
/// and always inside the view (8 points of margin, the frame's padding).
pub fn message_width(view_width: f32) -> f32 {
    (view_width - 2.0 * 8.0 - 2.0 * 6.0).clamp(80.0, 560.0)
}

/// Loading progress, bottom centre.
pub fn progress(ctx: &egui::Context, state: &AppState, commands: &mut Vec<Command>) {
    let Some(load) = &state.loading else {
        return;
    };
    egui::Area::new(egui::Id::unique("loading"))
        .anchor(egui::Align2::CENTER_BOTTOM, egui::vec2(0.0, -16.0))
        .show(ctx, |ui| {
            super::overlay_frame().show(ui, |ui| {
                ui.set_width(420.0);
                let name = load.path.file_name().map_or_else(
                    || load.path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                ui.label(format!(
                    "Loading {name} … {:.1} s",
                    load.elapsed.as_secs_f32()
                ));
                let bar = match load.fraction {
                    Some(f) => egui::ProgressBar::new(f).show_percentage(),
                    None => egui::ProgressBar::new(0.0).animate(true),
                };
                ui.add(bar);
                if load.file_bytes > 0 {
                    let seconds = load.elapsed.as_secs_f64().max(1e-3);
                    ui.label(format!(
                        "{} / {} read ({}/s)",
                        format_bytes(load.bytes_read),
                        format_bytes(load.file_bytes),
                        format_bytes((load.bytes_read as f64 / seconds) as u64)
                    ));
                }
                ui.horizontal(|ui| {
                    if let Some(total) = load.total_splats {
                        let seconds = load.elapsed.as_secs_f64().max(1e-3);
                        ui.label(format!(
                            "{} / {} splats ({}/s)",
                            format_count(load.splats_loaded),
                            format_count(total),
                            format_count((load.splats_loaded as f64 / seconds) as u64)
                        ));
                    }
                    command_button_labelled(ui, Command::CancelLoad, "Cancel", commands);
                });
            });
        });
}

/// What the measured rasterizer choice says in the panel.
fn raster_decision_text(decision: &crate::render::tile::choice::RasterDecision) -> String {
    let chosen = match decision.mode.raster {
        Raster::Compute => format!("tiles {0}x{0}", decision.mode.tile_size),
        _ => "quads".to_owned(),
    };
    match decision.times_text() {
        None => format!("Chose {chosen} without measuring (CPU adapter, under 500k splats)"),
        Some(times) => format!("Chose {chosen}: draw {times}"),
    }
}
