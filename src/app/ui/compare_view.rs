//! The compare view's layouts, drawn with egui images and clip rects over the
//! images the GPU rendered (`app::compare_view`): single (A or B), side by
//! side, split with a draggable divider (vertical or horizontal), flicker
//! (A and B alternating) and difference (the |A - B| or FLIP heatmap with its
//! colour legend). The overlay adds the source names, the divider handle, the
//! legend and the live metrics (PSNR, SSIM, FLIP; "–" while the images on
//! screen have not been measured yet).
//!
//! An image whose size equals its area is drawn texel for texel (the split
//! falls on a whole pixel), so what the window shows is exactly A's and B's
//! renders. Images of another size (a training camera's photo) are fitted into
//! the area keeping their aspect.

use egui::{Align2, Color32, FontId, Pos2, Rect, RichText, Sense, Stroke, pos2, vec2};

use crate::app::compare::BSource;
use crate::app::state::AppState;
use crate::settings::{CompareLayout, DiffMap};

use super::{CompareImages, ImageRef};

const FULL_UV: Rect = Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0));

/// Where an image of `size` pixels is drawn in `area` (points): the area itself
/// when the sizes match, else the largest centred rect of the image's aspect.
pub fn fit(area: Rect, size: (u32, u32), pixels_per_point: f32) -> Rect {
    let (w, h) = (size.0.max(1) as f32, size.1.max(1) as f32);
    let area_px = area.size() * pixels_per_point;
    if (area_px.x - w).abs() < 0.5 && (area_px.y - h).abs() < 0.5 {
        return area;
    }
    let scale = (area.width() / w).min(area.height() / h);
    Rect::from_center_size(area.center(), vec2(w * scale, h * scale))
}

/// The two halves of the side-by-side layout: each `floor(width / 2)` pixels
/// wide, as A and B are rendered.
pub fn halves(view: Rect, pixels_per_point: f32) -> (Rect, Rect) {
    let width_px = (view.width() * pixels_per_point).round();
    let half = (width_px / 2.0).floor() / pixels_per_point;
    let left = Rect::from_min_size(view.min, vec2(half, view.height()));
    let right = Rect::from_min_size(
        pos2(view.min.x + half, view.min.y),
        vec2(half, view.height()),
    );
    (left, right)
}

/// The split layout's cut in `rect`: its position along the cut axis in
/// points, on a whole pixel, and the fraction of the image before it.
pub fn split_at(state: &AppState, rect: Rect, pixels_per_point: f32) -> (f32, f32) {
    let settings = state.settings.compare.clamped();
    let (start, length) = if settings.split_vertical {
        (rect.min.x, rect.width())
    } else {
        (rect.min.y, rect.height())
    };
    let length_px = (length * pixels_per_point).round().max(1.0);
    let cut_px = (settings.split_position * length_px).round();
    (start + cut_px / pixels_per_point, cut_px / length_px)
}

/// Which image the single and flicker layouts show.
fn shown(state: &AppState, images: &CompareImages) -> Option<ImageRef> {
    if state.compare.showing_b {
        images.b
    } else {
        Some(images.a)
    }
}

/// Paints the layout into the background layer, across `view` (the window
/// less the overlay's panels).
pub fn paint(ctx: &egui::Context, state: &AppState, images: &CompareImages, view: Rect) {
    let ppp = ctx.pixels_per_point();
    let painter = ctx.layer_painter(egui::LayerId::background());
    let draw = |image: ImageRef, rect: Rect, uv: Rect| {
        painter.image(image.texture, rect, uv, Color32::WHITE);
    };
    match state.settings.compare.layout {
        CompareLayout::Single | CompareLayout::Flicker => {
            if let Some(image) = shown(state, images) {
                draw(image, fit(view, image.size, ppp), FULL_UV);
            }
        }
        CompareLayout::SideBySide => {
            let (left, right) = halves(view, ppp);
            draw(images.a, fit(left, images.a.size, ppp), FULL_UV);
            if let Some(b) = images.b {
                draw(b, fit(right, b.size, ppp), FULL_UV);
            }
        }
        CompareLayout::Split => {
            let rect = fit(view, images.a.size, ppp);
            let (cut, fraction) = split_at(state, rect, ppp);
            let vertical = state.settings.compare.split_vertical;
            let (a_rect, b_rect, a_uv, b_uv) = if vertical {
                (
                    Rect::from_min_max(rect.min, pos2(cut, rect.max.y)),
                    Rect::from_min_max(pos2(cut, rect.min.y), rect.max),
                    Rect::from_min_max(pos2(0.0, 0.0), pos2(fraction, 1.0)),
                    Rect::from_min_max(pos2(fraction, 0.0), pos2(1.0, 1.0)),
                )
            } else {
                (
                    Rect::from_min_max(rect.min, pos2(rect.max.x, cut)),
                    Rect::from_min_max(pos2(rect.min.x, cut), rect.max),
                    Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, fraction)),
                    Rect::from_min_max(pos2(0.0, fraction), pos2(1.0, 1.0)),
                )
            };
            draw(images.a, a_rect, a_uv);
            if let Some(b) = images.b.filter(|b| b.size == images.a.size) {
                draw(b, b_rect, b_uv);
            }
        }
        CompareLayout::Difference => {
            let map = match state.settings.compare.diff_map {
                DiffMap::AbsDifference => images.diff,
                DiffMap::Flip => images.flip,
            };
            if let Some(map) = map {
                draw(map, fit(view, map.size, ppp), FULL_UV);
            }
        }
    }
}

/// The overlay of the compare view: names, divider handle, legend, metrics.
pub fn overlay(
    ctx: &egui::Context,
    state: &mut AppState,
    images: Option<CompareImages>,
    view: Rect,
) {
    let ppp = ctx.pixels_per_point();
    let painter = ctx.layer_painter(egui::LayerId::new(
        egui::Order::Background,
        egui::Id::unique("compare overlay"),
    ));
    let a_name = state
        .scene
        .as_ref()
        .map_or_else(|| "A".to_owned(), |s| format!("A: {}", s.name));
    let b_name = match &state.compare.b {
        Some(source) => format!("B: {}", source.label()),
        None => "B".to_owned(),
    };
    let label = |pos: Pos2, align: Align2, text: &str| {
        let galley =
            painter.layout_no_wrap(text.to_owned(), FontId::proportional(14.0), Color32::WHITE);
        let rect = align.anchor_size(pos, galley.size());
        painter.rect_filled(rect.expand(3.0), 3.0, Color32::from_black_alpha(150));
        painter.galley(rect.min, galley, Color32::WHITE);
    };
    let top = view.min.y + 36.0;
    let a_size = images.map_or(state.viewport, |i| i.a.size);
    match state.settings.compare.layout {
        CompareLayout::Single | CompareLayout::Flicker => {
            let text = if state.compare.showing_b {
                &b_name
            } else {
                &a_name
            };
            label(pos2(view.min.x + 10.0, top), Align2::LEFT_TOP, text);
        }
        CompareLayout::SideBySide => {
            let (left, right) = halves(view, ppp);
            label(pos2(left.min.x + 10.0, top), Align2::LEFT_TOP, &a_name);
            label(pos2(right.min.x + 10.0, top), Align2::LEFT_TOP, &b_name);
        }
        CompareLayout::Split => {
            let rect = fit(view, a_size, ppp);
            divider(ctx, state, rect, ppp);
            if state.settings.compare.split_vertical {
                let (cut, _) = split_at(state, rect, ppp);
                label(pos2(cut - 10.0, top), Align2::RIGHT_TOP, &a_name);
                label(pos2(cut + 10.0, top), Align2::LEFT_TOP, &b_name);
            } else {
                let (cut, _) = split_at(state, rect, ppp);
                label(
                    pos2(view.min.x + 10.0, cut - 24.0),
                    Align2::LEFT_TOP,
                    &a_name,
                );
                label(
                    pos2(view.min.x + 10.0, cut + 6.0),
                    Align2::LEFT_TOP,
                    &b_name,
                );
            }
        }
        CompareLayout::Difference => {
            legend(ctx, state, images, view);
        }
    }
    if state.compare.b == Some(BSource::Photo) && images.and_then(|i| i.b).is_none() {
        label(view.center(), Align2::CENTER_CENTER, &photo_hint(state));
    }
    metrics_box(ctx, state, view, images);
}

/// The split divider: a line with a handle to drag.
fn divider(ctx: &egui::Context, state: &mut AppState, rect: Rect, ppp: f32) {
    let vertical = state.settings.compare.split_vertical;
    let (cut, _) = split_at(state, rect, ppp);
    let handle = if vertical {
        Rect::from_center_size(pos2(cut, rect.center().y), vec2(12.0, rect.height()))
    } else {
        Rect::from_center_size(pos2(rect.center().x, cut), vec2(rect.width(), 12.0))
    };
    egui::Area::new(egui::Id::unique("split divider"))
        .fixed_pos(handle.min)
        .order(egui::Order::Middle)
        .show(ctx, |ui| {
            let (response, painter) = ui.allocate_painter(handle.size(), Sense::drag());
            let stroke = Stroke::new(
                if response.hovered() || response.dragged() {
                    3.0
                } else {
                    1.5
                },
                Color32::from_white_alpha(220),
            );
            let centre = response.rect.center();
            if vertical {
                painter.vline(centre.x, response.rect.y_range(), stroke);
            } else {
                painter.hline(response.rect.x_range(), centre.y, stroke);
            }
            painter.circle_filled(centre, 6.0, Color32::from_white_alpha(220));
            if response.hovered() || response.dragged() {
                ui.ctx().set_cursor_icon(if vertical {
                    egui::CursorIcon::ResizeHorizontal
                } else {
                    egui::CursorIcon::ResizeVertical
                });
            }
            if response.dragged()
                && let Some(pointer) = response.interact_pointer_pos()
            {
                let fraction = if vertical {
                    (pointer.x - rect.min.x) / rect.width().max(1.0)
                } else {
                    (pointer.y - rect.min.y) / rect.height().max(1.0)
                };
                state.settings.compare.split_position = fraction.clamp(0.0, 1.0);
            }
        });
}

/// The difference layout's colour bar: magma from 0 to the scale (FLIP: 0
/// to 1), with its title, top right of the view (messages are bottom left,
/// the metrics bottom centre: in a narrow view the bottom has no room).
fn legend(ctx: &egui::Context, state: &AppState, images: Option<CompareImages>, view: Rect) {
    let settings = state.settings.compare.clamped();
    let (title, scale, available) = match settings.diff_map {
        DiffMap::AbsDifference => (
            "|A - B| (mean over RGB)",
            settings.diff_scale,
            images.and_then(|i| i.diff).is_some(),
        ),
        DiffMap::Flip => ("FLIP error", 1.0, images.and_then(|i| i.flip).is_some()),
    };
    egui::Area::new(egui::Id::unique("difference legend"))
        .pivot(Align2::RIGHT_TOP)
        .fixed_pos(pos2(view.max.x - 10.0, view.min.y + 10.0))
        .interactable(false)
        .show(ctx, |ui| {
            super::overlay_frame().show(ui, |ui| {
                ui.label(RichText::new(title).strong());
                let (rect, _) = ui.allocate_exact_size(vec2(256.0, 14.0), Sense::hover());
                let lut = nv_flip::magma_lut().to_vec();
                let painter = ui.painter();
                for (i, c) in lut.chunks_exact(3).enumerate() {
                    let x = rect.min.x + i as f32;
                    painter.rect_filled(
                        Rect::from_min_size(pos2(x, rect.min.y), vec2(1.0, rect.height())),
                        0.0,
                        Color32::from_rgb(c[0], c[1], c[2]),
                    );
                }
                ui.horizontal(|ui| {
                    ui.set_width(256.0);
                    ui.label("0");
                    ui.add_space(90.0);
                    ui.label(format!("{:.3}", scale / 2.0));
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        ui.label(format!("{scale:.3}"));
                    });
                });
                if !available {
                    ui.weak(match settings.diff_map {
                        DiffMap::Flip => "FLIP map: measuring …",
                        DiffMap::AbsDifference => "waiting for A and B …",
                    });
                }
            });
        });
}

/// PSNR, SSIM and FLIP of the images on screen, bottom centre (the source
/// names sit at the top), with the size they were measured at (side by side
/// renders half the width, so the values differ from split's).
fn metrics_box(ctx: &egui::Context, state: &AppState, view: Rect, images: Option<CompareImages>) {
    if !state.settings.compare.live_metrics {
        return;
    }
    let metrics = &state.compare.metrics;
    let text = match metrics.fresh() {
        Some(m) => format!(
            "PSNR {}   SSIM {:.4}   FLIP {:.4}",
            if m.psnr.is_finite() {
                format!("{:.2} dB", m.psnr)
            } else {
                "inf (identical)".to_owned()
            },
            m.ssim,
            m.flip
        ),
        None => "PSNR –   SSIM –   FLIP –".to_owned(),
    };
    egui::Area::new(egui::Id::unique("live metrics"))
        .pivot(Align2::CENTER_BOTTOM)
        .fixed_pos(pos2(view.center().x, view.max.y - 12.0))
        .interactable(false)
        .show(ctx, |ui| {
            super::overlay_frame().show(ui, |ui| {
                ui.add(
                    egui::Label::new(RichText::new(text).monospace().color(Color32::WHITE))
                        .extend(),
                );
                if let Some(error) = &metrics.error {
                    ui.colored_label(Color32::from_rgb(255, 120, 110), error);
                } else if metrics.fresh().is_none() && metrics.current.is_some() {
                    ui.weak("measuring a still frame …");
                }
                let size = images.map(|i| i.a.size);
                match (metrics.worker_ms, size) {
                    (Some(ms), Some((w, h))) => ui.weak(format!(
                        "at {w}x{h} px; measured in {ms:.0} ms (worker thread)"
                    )),
                    (Some(ms), None) => ui.weak(format!("measured in {ms:.0} ms (worker thread)")),
                    (None, Some((w, h))) => ui.weak(format!("at {w}x{h} px")),
                    (None, None) => return,
                };
            });
        });
}

/// Whether pointer input at `pos` in `view` goes to B's camera: on B's side of
/// the split or side-by-side layouts, else when "move B" is on (unlocked
/// cameras only).
pub fn pointer_moves_b(
    state: &AppState,
    view: Rect,
    pos: Option<Pos2>,
    pixels_per_point: f32,
) -> bool {
    if !state.comparing() || state.settings.compare.lock_cameras {
        return false;
    }
    let Some(pos) = pos else {
        return state.compare.move_b;
    };
    match state.settings.compare.layout {
        CompareLayout::SideBySide => pos.x >= halves(view, pixels_per_point).1.min.x,
        CompareLayout::Split => {
            let (cut, _) = split_at(state, view, pixels_per_point);
            if state.settings.compare.split_vertical {
                pos.x >= cut
            } else {
                pos.y >= cut
            }
        }
        _ => state.compare.move_b,
    }
}

/// What the photo side says while it shows no photo: what is missing, or
/// why the selected view's photo cannot be shown.
fn photo_hint(state: &AppState) -> String {
    let Some(truth) = &state.dataset else {
        return "B is a training camera's photo: open a dataset (File > Open dataset)".into();
    };
    let Some(view) = state.training.selected.and_then(|i| truth.views.get(i)) else {
        return "B is the selected training camera's photo: pick a camera (N, Shift+N)".into();
    };
    match (&view.photo, &view.photo_error) {
        (None, _) => format!(
            "{} has no photo in {}",
            view.name,
            truth.images_dir.display()
        ),
        (Some(_), Some(error)) => format!("no usable photo for {}: {error}", view.name),
        (Some(_), None) => "loading the photo …".into(),
    }
}
