//! The scene panel's object list: each loaded file with its visibility, what it
//! holds, its memory (CPU copy and GPU buffers), a remove button and its
//! placement (translate, rotate as X/Y/Z degrees, uniform scale: numeric fields
//! and a reset). Edits change `AppState::objects`; the GPU side follows on the
//! next frame (`app::object_sync`). And the mesh drawing settings.

use egui::RichText;

use crate::app::command::Command;
use crate::app::objects::ObjectId;
use crate::app::state::AppState;
use crate::settings::{MeshSettings, ShadingSetting};

use super::{command_button_labelled, format_bytes};

pub fn objects_list(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        ui.label(RichText::new(format!("Objects ({})", state.objects.len())).strong());
        command_button_labelled(ui, Command::AddScene, "Add…", commands);
    });
    let mut remove: Option<ObjectId> = None;
    for entry in &mut state.objects {
        let id = entry.id;
        ui.push_id(("object", id), |ui| {
            ui.horizontal(|ui| {
                ui.checkbox(&mut entry.visible, "")
                    .on_hover_text("show or hide this object");
                ui.label(&entry.name)
                    .on_hover_text(entry.path.display().to_string());
                if ui
                    .small_button("x")
                    .on_hover_text("remove from the scene")
                    .clicked()
                {
                    remove = Some(id);
                }
            });
            ui.weak(format!(
                "{}; CPU {}, GPU {}",
                entry.kind.summary(),
                format_bytes(entry.cpu_bytes),
                format_bytes(entry.gpu_bytes)
            ));
            egui::CollapsingHeader::new("Placement")
                .id_salt(("placement", id))
                .default_open(false)
                .show(ui, |ui| placement_editor(ui, entry));
        });
    }
    if let Some(id) = remove {
        state.remove_object(id);
    }
}

/// Move, rotate (X, Y, Z degrees) and scale fields, and a reset.
fn placement_editor(ui: &mut egui::Ui, entry: &mut crate::app::objects::ObjectEntry) {
    let mut degrees = entry.rotation_degrees;
    let mut turned = false;
    egui::Grid::new(("placement grid", entry.id)).show(ui, |ui| {
        ui.label("Move");
        for (axis, value) in ["x ", "y ", "z "]
            .into_iter()
            .zip(entry.placement.translation.as_mut())
        {
            ui.add(egui::DragValue::new(value).speed(0.01).prefix(axis));
        }
        ui.end_row();
        ui.label("Rotate (°)");
        for (axis, value) in ["x ", "y ", "z "].into_iter().zip(&mut degrees) {
            turned |= ui
                .add(
                    egui::DragValue::new(value)
                        .speed(0.5)
                        .range(-360.0..=360.0)
                        .prefix(axis),
                )
                .changed();
        }
        ui.end_row();
        ui.label("Scale");
        ui.add(
            egui::DragValue::new(&mut entry.placement.scale)
                .speed(0.01)
                .range(1e-4..=1e4),
        );
        ui.end_row();
    });
    if turned {
        entry.set_rotation_degrees(degrees);
    }
    if ui.button("Reset placement").clicked() {
        entry.reset_placement();
    }
}

/// Mesh shading, culling, wireframe and point size.
pub fn mesh_section(ui: &mut egui::Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let mesh: &mut MeshSettings = &mut state.settings.mesh;
    ui.horizontal(|ui| {
        ui.label("Shading");
        ui.selectable_value(&mut mesh.shading, ShadingSetting::Lit, "Lit")
            .on_hover_text("a headlight at the camera with simple diffuse");
        ui.selectable_value(&mut mesh.shading, ShadingSetting::Unlit, "Unlit")
            .on_hover_text("the material colour as it is");
    });
    let mut cull = mesh.cull_back_faces;
    if ui.checkbox(&mut cull, "Cull back faces").changed() {
        commands.push(Command::ToggleBackFaceCulling);
    }
    let mut wire = mesh.wireframe;
    if ui.checkbox(&mut wire, "Wireframe").changed() {
        commands.push(Command::ToggleWireframe);
    }
    ui.add(
        egui::Slider::new(
            &mut state.settings.mesh.point_size_px,
            MeshSettings::MIN_POINT_SIZE..=MeshSettings::MAX_POINT_SIZE,
        )
        .text("Point size (px)"),
    );
}
