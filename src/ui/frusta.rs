//! Training camera frusta, drawn as lines over the 3D view with egui's painter
//! (no depth test: they show through the splats, which is what one wants when
//! looking for a camera).

use egui::{Color32, Pos2, Stroke};
use glam::Vec3;

use crate::app::state::AppState;
use crate::scene::PinholeCamera;

/// Draws each training camera as a small pyramid (apex at the camera centre, base
/// at the image corners) and a tick marking image-up.
pub fn paint(painter: &egui::Painter, state: &AppState, pixels_per_point: f32) {
    let (width, height) = state.viewport;
    let view = state.rig.camera(width, height);
    let view_from_world = view.view_from_world();
    let size = state
        .scene
        .as_ref()
        .and_then(|s| s.bounds)
        .map_or(0.1, |b| b.radius() * 0.04);
    let near = 1e-3 * size;
    let to_screen = |p_view: Vec3| -> Pos2 {
        let px = view.fx * p_view.x / p_view.z + view.cx;
        let py = view.fy * p_view.y / p_view.z + view.cy;
        Pos2::new(px / pixels_per_point, py / pixels_per_point)
    };
    let line = |a: Vec3, b: Vec3, stroke: Stroke| {
        let (a, b) = (
            view_from_world.transform_point3(a),
            view_from_world.transform_point3(b),
        );
        if let Some((a, b)) = clip_to_near(a, b, near) {
            painter.line_segment([to_screen(a), to_screen(b)], stroke);
        }
    };
    let eye = view.position();
    for (i, cam) in state.training.cameras.iter().enumerate() {
        if cam.camera.position().distance(eye) < size {
            // Looking through this camera: its frustum would only frame the view.
            continue;
        }
        let selected = state.training.selected == Some(i);
        let stroke = if selected {
            Stroke::new(2.5, Color32::from_rgb(255, 200, 40))
        } else {
            Stroke::new(1.0, Color32::from_rgba_unmultiplied(80, 200, 255, 200))
        };
        let (apex, corners) = frustum(&cam.camera, size);
        for k in 0..4 {
            line(apex, corners[k], stroke);
            line(corners[k], corners[(k + 1) % 4], stroke);
        }
        // Image-up tick above the top edge.
        let top_mid = 0.5 * (corners[0] + corners[1]);
        let up = (corners[0] - corners[3]) * 0.3;
        line(top_mid, top_mid + up, stroke);
    }
}

/// Camera centre and the four image corners at depth `size` (top-left, top-right,
/// bottom-right, bottom-left), in world space.
pub fn frustum(camera: &PinholeCamera, size: f32) -> (Vec3, [Vec3; 4]) {
    let (w, h) = (camera.width as f32, camera.height as f32);
    let corner = |u: f32, v: f32| {
        let p = Vec3::new(
            (u - camera.cx) / camera.fx,
            (v - camera.cy) / camera.fy,
            1.0,
        ) * size;
        camera.world_from_camera.transform_point3(p)
    };
    (
        camera.position(),
        [
            corner(0.0, 0.0),
            corner(w, 0.0),
            corner(w, h),
            corner(0.0, h),
        ],
    )
}

/// The part of segment `a b` (view space) in front of the plane z = `near`.
fn clip_to_near(a: Vec3, b: Vec3, near: f32) -> Option<(Vec3, Vec3)> {
    match (a.z >= near, b.z >= near) {
        (true, true) => Some((a, b)),
        (false, false) => None,
        (a_in, _) => {
            let t = (near - a.z) / (b.z - a.z);
            let cut = a + (b - a) * t;
            Some(if a_in { (a, cut) } else { (cut, b) })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_keeps_the_front_part() {
        let (a, b) = clip_to_near(Vec3::new(0.0, 0.0, -1.0), Vec3::new(0.0, 0.0, 3.0), 1.0)
            .expect("crosses");
        assert_eq!(a.z, 1.0);
        assert_eq!(b.z, 3.0);
        assert!(clip_to_near(Vec3::NEG_Z, Vec3::NEG_Z * 2.0, 0.1).is_none());
    }
}
