//! Training camera frusta as line segments for the scene view's line pass
//! (`render::lines`): each camera a pyramid `settings.frustum_size` scene radii
//! deep (apex at the camera centre, base at the image corners) with a tick
//! marking image-up; the selected camera thicker and yellow. The line pass
//! draws them after the splats and hides them behind a depth texture when the
//! view has one (meshes); the splat passes write no depth yet.

use glam::Vec3;

use crate::app::state::AppState;
use crate::render::lines::LineSegment;
use crate::scene::PinholeCamera;

const NORMAL: [f32; 4] = [0.31, 0.78, 1.0, 0.85];
const SELECTED: [f32; 4] = [1.0, 0.78, 0.16, 1.0];

/// The frusta to draw in a view of `view` (none when hidden).
pub fn segments(state: &AppState, view: &PinholeCamera) -> Vec<LineSegment> {
    if !state.settings.show_frusta || state.training.cameras.is_empty() {
        return Vec::new();
    }
    let size = state
        .scene
        .as_ref()
        .and_then(|s| s.bounds)
        .map_or(1.0, |b| b.radius())
        * state.settings.frustum_size;
    let eye = view.position();
    let mut out = Vec::with_capacity(9 * state.training.cameras.len());
    for (i, cam) in state.training.cameras.iter().enumerate() {
        if cam.camera.position().distance(eye) < 0.5 * size {
            // Looking through this camera: its frustum would only frame the view.
            continue;
        }
        let (width, color) = if state.training.selected == Some(i) {
            (3.0, SELECTED)
        } else {
            (1.5, NORMAL)
        };
        let (apex, corners) = frustum(&cam.camera, size);
        let mut line = |a: Vec3, b: Vec3| out.push(LineSegment::new(a, b, width, color));
        for k in 0..4 {
            line(apex, corners[k]);
            line(corners[k], corners[(k + 1) % 4]);
        }
        // Image-up tick above the top edge.
        let top_mid = 0.5 * (corners[0] + corners[1]);
        line(top_mid, top_mid + (corners[0] - corners[3]) * 0.3);
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::state::SceneInfo;
    use crate::io::cameras_json::TrainingCamera;
    use crate::scene::SceneBounds;
    use crate::settings::Settings;

    #[test]
    fn frusta_scale_with_the_setting_and_the_scene() {
        let mut state = AppState::new(Settings::default());
        state.scene = Some(SceneInfo {
            path: "s.ply".into(),
            name: "s.ply".into(),
            format: "PLY".into(),
            splat_count: 1,
            sh_degree: 0,
            aa: Default::default(),
            bounds: Some(SceneBounds {
                min: Vec3::splat(-2.0),
                max: Vec3::splat(2.0),
            }),
            gpu_bytes: None,
        });
        let camera = PinholeCamera::look_at(
            Vec3::new(0.0, 0.0, -10.0),
            Vec3::ZERO,
            Vec3::NEG_Y,
            0.8,
            64,
            48,
        );
        state.training.cameras = vec![TrainingCamera {
            id: 0,
            name: "a".into(),
            camera,
        }];
        let view = PinholeCamera::look_at(
            Vec3::new(9.0, -3.0, 0.0),
            Vec3::ZERO,
            Vec3::NEG_Y,
            0.8,
            640,
            480,
        );
        let lines = segments(&state, &view);
        assert_eq!(lines.len(), 9);
        let depth = |lines: &[LineSegment]| {
            // The first segment runs from the apex to a corner at depth `size`.
            let a = Vec3::from_slice(&lines[0].a_width[..3]);
            let b = Vec3::from_slice(&lines[0].b[..3]);
            (b - a).dot(camera.world_from_camera.z_axis.truncate())
        };
        let radius = SceneBounds {
            min: Vec3::splat(-2.0),
            max: Vec3::splat(2.0),
        }
        .radius();
        let expected = radius * crate::settings::DEFAULT_FRUSTUM_SIZE;
        assert!((depth(&lines) - expected).abs() < 1e-4, "{}", depth(&lines));
        state.settings.frustum_size = 0.5;
        assert!((depth(&segments(&state, &view)) - radius * 0.5).abs() < 1e-4);
        state.settings.show_frusta = false;
        assert!(segments(&state, &view).is_empty());
    }
}
