//! The `cameras.json` file the INRIA 3DGS trainer writes next to its PLY output.
//!
//! A JSON list of
//! `{id, img_name, width, height, position: [x, y, z], rotation: [[..], [..], [..]], fx, fy}`.
//! `rotation` is the 3x3 camera-to-world rotation written row by row (`rotation[row][col]`),
//! camera axes as in OpenCV (x right, y down, z forward); `position` is the camera centre
//! in world space; `fx`, `fy` are focal lengths in pixels and the principal point is the
//! image centre. (3DGS `utils/camera_utils.py::camera_to_JSON`.)

use std::path::Path;

use glam::{Mat3, Vec3};
use serde::Deserialize;

use super::LoadError;
use crate::scene::PinholeCamera;
use crate::scene::camera::world_from_camera_axes;

/// One training view from `cameras.json`.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainingCamera {
    pub id: i64,
    /// The training image's name (`img_name`).
    pub name: String,
    pub camera: PinholeCamera,
}

/// One entry as stored in the file; unknown fields are ignored.
#[derive(Deserialize)]
struct RawCamera {
    id: i64,
    img_name: String,
    width: u32,
    height: u32,
    position: [f32; 3],
    rotation: [[f32; 3]; 3],
    fx: f32,
    fy: f32,
}

/// Reads and parses a `cameras.json` file.
pub fn load_cameras_json(path: &Path) -> Result<Vec<TrainingCamera>, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
        path: path.to_owned(),
        source,
    })?;
    parse_cameras_json(path, &text)
}

/// Parses the text of a `cameras.json` file; `path` is only used in error messages.
pub fn parse_cameras_json(path: &Path, text: &str) -> Result<Vec<TrainingCamera>, LoadError> {
    let malformed = |reason: String| LoadError::Malformed {
        path: path.to_owned(),
        reason,
    };
    let raw: Vec<RawCamera> = serde_json::from_str(text)
        .map_err(|e| malformed(format!("not a valid cameras.json camera list: {e}")))?;
    raw.into_iter()
        .enumerate()
        .map(|(index, c)| {
            c.check()
                .map_err(|what| malformed(format!("camera {index} (`{}`): {what}", c.img_name)))?;
            Ok(c.into_training_camera())
        })
        .collect()
}

impl RawCamera {
    /// Rejects values no real camera has; the error says what is wrong.
    fn check(&self) -> Result<(), String> {
        let pose = self.position.iter().chain(self.rotation.iter().flatten());
        if !pose.copied().all(f32::is_finite) {
            return Err("position or rotation is not finite".into());
        }
        let positive = |v: f32| v.is_finite() && v > 0.0;
        if self.width == 0 || self.height == 0 || !positive(self.fx) || !positive(self.fy) {
            return Err(format!(
                "expected a positive image size and focal lengths, found {}x{} with fx {} fy {}",
                self.width, self.height, self.fx, self.fy
            ));
        }
        Ok(())
    }

    fn into_training_camera(self) -> TrainingCamera {
        let r = self.rotation;
        // Column j of the rotation is camera axis j in world space.
        let rotation = Mat3::from_cols(
            Vec3::new(r[0][0], r[1][0], r[2][0]),
            Vec3::new(r[0][1], r[1][1], r[2][1]),
            Vec3::new(r[0][2], r[1][2], r[2][2]),
        );
        TrainingCamera {
            id: self.id,
            name: self.img_name,
            camera: PinholeCamera {
                fx: self.fx,
                fy: self.fy,
                cx: 0.5 * self.width as f32,
                cy: 0.5 * self.height as f32,
                width: self.width,
                height: self.height,
                world_from_camera: world_from_camera_axes(
                    rotation,
                    Vec3::from_array(self.position),
                ),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use glam::{Mat4, Vec2};

    use super::*;

    const PATH: &str = "scene/cameras.json";

    fn parse(text: &str) -> Result<Vec<TrainingCamera>, LoadError> {
        parse_cameras_json(Path::new(PATH), text)
    }

    #[test]
    fn identity_rotation() {
        let text = r#"[{"id": 0, "img_name": "00001", "width": 800, "height": 600,
            "position": [0.0, 0.0, 0.0],
            "rotation": [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
            "fy": 500.0, "fx": 400.0, "extra": "ignored"}]"#;
        let cams = parse(text).expect("parse");
        assert_eq!(cams.len(), 1);
        let c = &cams[0];
        assert_eq!((c.id, c.name.as_str()), (0, "00001"));
        assert_eq!(c.camera.world_from_camera, Mat4::IDENTITY);
        assert_eq!((c.camera.fx, c.camera.fy), (400.0, 500.0));
        assert_eq!((c.camera.cx, c.camera.cy), (400.0, 300.0));
        assert_eq!((c.camera.width, c.camera.height), (800, 600));
        let px = c
            .camera
            .project(Vec3::new(0.0, 0.0, 2.0))
            .expect("in front");
        assert_eq!(px, Vec2::new(400.0, 300.0));
        assert!(parse("[]").expect("empty list").is_empty());
    }

    #[test]
    fn rotation_rows_and_position_are_applied() {
        // Camera axes in world space: x (right) = +Y, y (down) = +Z, z (forward) = +X.
        // Written row by row, that rotation's rows are (0 0 1), (1 0 0), (0 1 0).
        let text = r#"[{"id": 7, "img_name": "a.png", "width": 640, "height": 480,
            "position": [1.0, 2.0, 3.0],
            "rotation": [[0, 0, 1], [1, 0, 0], [0, 1, 0]],
            "fx": 100, "fy": 200}]"#;
        let cams = parse(text).expect("parse");
        let cam = &cams[0].camera;
        assert_eq!(cam.position(), Vec3::new(1.0, 2.0, 3.0));
        assert_eq!(cam.forward(), Vec3::X);
        // 5 forward, 1 right, 2 down of the camera centre: camera-space (1, 2, 5).
        let world = Vec3::new(1.0, 2.0, 3.0) + 5.0 * Vec3::X + Vec3::Y + 2.0 * Vec3::Z;
        let px = cam.project(world).expect("in front");
        let expected = Vec2::new(100.0 * 1.0 / 5.0 + 320.0, 200.0 * 2.0 / 5.0 + 240.0);
        assert!((px - expected).length() < 1e-4, "{px} vs {expected}");
        assert!(cam.project(Vec3::new(-5.0, 2.0, 3.0)).is_none());
    }

    #[test]
    fn malformed_files_name_the_path() {
        for text in [
            "",
            "{",
            "{}",
            r#"[{"id": 0}]"#,
            r#"[{"id": 0, "img_name": "x", "width": 1, "height": 1, "position": [0, 0],
                "rotation": [[1,0,0],[0,1,0],[0,0,1]], "fx": 1, "fy": 1}]"#,
            r#"[{"id": 0, "img_name": "x", "width": 0, "height": 1, "position": [0, 0, 0],
                "rotation": [[1,0,0],[0,1,0],[0,0,1]], "fx": 1, "fy": 1}]"#,
            r#"[{"id": 0, "img_name": "x", "width": 4, "height": 1, "position": [0, 0, 0],
                "rotation": [[1,0,0],[0,1,0],[0,0,1]], "fx": -1, "fy": 1}]"#,
        ] {
            let err = parse(text).expect_err(text);
            assert!(matches!(err, LoadError::Malformed { .. }), "{err}");
            assert!(err.to_string().contains(PATH), "{err}");
        }
        let err = load_cameras_json(Path::new("/nonexistent/cameras.json")).expect_err("missing");
        assert!(
            err.to_string().contains("/nonexistent/cameras.json"),
            "{err}"
        );
    }
}
