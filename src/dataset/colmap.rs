//! COLMAP sparse models: `cameras.{bin,txt}` and `images.{bin,txt}` (the points are
//! not needed for evaluation and are skipped). Formats as COLMAP writes them
//! (`src/colmap/scene/reconstruction_io.cc`; `scripts/python/read_write_model.py`):
//!
//! - `cameras.bin`: u64 count, then per camera u32 id, i32 model id, u64 width,
//!   u64 height and the model's parameters as f64;
//! - `images.bin`: u64 count, then per image u32 id, quaternion `qw qx qy qz` and
//!   translation `tx ty tz` (f64), u32 camera id, the name (NUL-terminated), u64
//!   number of 2D points and 24 bytes per point;
//! - `cameras.txt`: `CAMERA_ID MODEL WIDTH HEIGHT PARAMS...` per line;
//! - `images.txt`: two lines per image, `IMAGE_ID QW QX QY QZ TX TY TZ CAMERA_ID NAME`
//!   and the 2D points (possibly empty); `#` starts a comment.
//!
//! The pose is world to camera: `x_camera = R(q) x_world + t`, with the quaternion
//! stored w first (Hamilton convention), so the camera centre is `-R^T t`. Camera
//! axes are OpenCV's, as splatview's `PinholeCamera`. Images may come in any order
//! and their ids need not be dense.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use glam::{DMat3, DQuat, DVec3, Mat4};

use super::DatasetError;
use crate::scene::camera::world_from_camera_axes;

/// A camera model with its parameters as COLMAP stores them.
#[derive(Clone, Debug, PartialEq)]
pub enum CameraModel {
    /// `f, cx, cy`.
    SimplePinhole { f: f64, cx: f64, cy: f64 },
    /// `fx, fy, cx, cy`.
    Pinhole { fx: f64, fy: f64, cx: f64, cy: f64 },
    /// Any model with lens distortion, by name; its parameters are not kept.
    Distorted { name: &'static str },
}

/// COLMAP's camera models: (id, name, number of parameters), from
/// `src/colmap/sensor/models.h`.
const MODELS: [(i32, &str, usize); 12] = [
    (0, "SIMPLE_PINHOLE", 3),
    (1, "PINHOLE", 4),
    (2, "SIMPLE_RADIAL", 4),
    (3, "RADIAL", 5),
    (4, "OPENCV", 8),
    (5, "OPENCV_FISHEYE", 8),
    (6, "FULL_OPENCV", 12),
    (7, "FOV", 5),
    (8, "SIMPLE_RADIAL_FISHEYE", 4),
    (9, "RADIAL_FISHEYE", 5),
    (10, "THIN_PRISM_FISHEYE", 12),
    (11, "RAD_TAN_THIN_PRISM_FISHEYE", 16),
];

impl CameraModel {
    /// The model's name as in COLMAP.
    pub fn name(&self) -> &'static str {
        match self {
            Self::SimplePinhole { .. } => "SIMPLE_PINHOLE",
            Self::Pinhole { .. } => "PINHOLE",
            Self::Distorted { name } => name,
        }
    }

    /// Builds a model from its COLMAP name and parameters; `None` for an unknown
    /// name or a wrong number of parameters.
    fn from_parts(name: &str, params: &[f64]) -> Option<Self> {
        let &(_, name, count) = MODELS.iter().find(|(_, n, _)| *n == name)?;
        if params.len() != count {
            return None;
        }
        Some(match (name, params) {
            ("SIMPLE_PINHOLE", &[f, cx, cy]) => Self::SimplePinhole { f, cx, cy },
            ("PINHOLE", &[fx, fy, cx, cy]) => Self::Pinhole { fx, fy, cx, cy },
            _ => Self::Distorted { name },
        })
    }
}

/// One COLMAP camera (intrinsics).
#[derive(Clone, Debug, PartialEq)]
pub struct ColmapCamera {
    pub id: u32,
    pub model: CameraModel,
    pub width: u32,
    pub height: u32,
}

/// One registered image: its pose and camera.
#[derive(Clone, Debug, PartialEq)]
pub struct ColmapImage {
    pub id: u32,
    /// World-to-camera rotation, `[w, x, y, z]` as stored.
    pub qvec: [f64; 4],
    /// World-to-camera translation.
    pub tvec: [f64; 3],
    pub camera_id: u32,
    /// File name relative to the images folder (may contain `/`).
    pub name: String,
}

impl ColmapImage {
    /// The camera-to-world transform (OpenCV axes): rotation `R^T`, centre `-R^T t`.
    pub fn world_from_camera(&self) -> Mat4 {
        let [w, x, y, z] = self.qvec;
        let camera_from_world = DMat3::from_quat(DQuat::from_xyzw(x, y, z, w).normalize());
        let world_from_camera = camera_from_world.transpose();
        let centre = -(world_from_camera * DVec3::from_array(self.tvec));
        world_from_camera_axes(world_from_camera.as_mat3(), centre.as_vec3())
    }
}

/// A sparse model: cameras by id and the registered images.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ColmapModel {
    pub cameras: BTreeMap<u32, ColmapCamera>,
    pub images: Vec<ColmapImage>,
}

/// Where a model's files are and whether they are binary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelFiles {
    pub cameras: PathBuf,
    pub images: PathBuf,
    pub binary: bool,
}

impl ModelFiles {
    /// The model in `sparse_dir` (e.g. `DIR/sparse/0`): binary files when both
    /// are there (as 3DGS prefers), else text; `None` when neither is complete.
    pub fn find(sparse_dir: &Path) -> Option<Self> {
        [("bin", true), ("txt", false)]
            .into_iter()
            .find_map(|(ext, binary)| {
                let cameras = sparse_dir.join(format!("cameras.{ext}"));
                let images = sparse_dir.join(format!("images.{ext}"));
                (cameras.is_file() && images.is_file()).then_some(Self {
                    cameras,
                    images,
                    binary,
                })
            })
    }
}

/// Reads a model; every image's camera must be in the cameras file.
pub fn read_model(files: &ModelFiles) -> Result<ColmapModel, DatasetError> {
    let read = |path: &Path| {
        std::fs::read(path).map_err(|source| DatasetError::Io {
            path: path.to_owned(),
            source,
        })
    };
    let (camera_bytes, image_bytes) = (read(&files.cameras)?, read(&files.images)?);
    let model = if files.binary {
        ColmapModel {
            cameras: super::colmap_binary::parse_cameras(&files.cameras, &camera_bytes)?,
            images: super::colmap_binary::parse_images(&files.images, &image_bytes)?,
        }
    } else {
        let text = |path: &Path, bytes: Vec<u8>| {
            String::from_utf8(bytes)
                .map_err(|_| DatasetError::colmap(path, "the file is not UTF-8 text"))
        };
        ColmapModel {
            cameras: super::colmap_text::parse_cameras(
                &files.cameras,
                &text(&files.cameras, camera_bytes)?,
            )?,
            images: super::colmap_text::parse_images(
                &files.images,
                &text(&files.images, image_bytes)?,
            )?,
        }
    };
    if let Some(image) = model
        .images
        .iter()
        .find(|image| !model.cameras.contains_key(&image.camera_id))
    {
        return Err(DatasetError::colmap(
            &files.images,
            format!(
                "image {} (`{}`) uses camera {}, which {} does not define ({} cameras)",
                image.id,
                image.name,
                image.camera_id,
                files.cameras.display(),
                model.cameras.len()
            ),
        ));
    }
    Ok(model)
}

/// The name and parameter count of a COLMAP model id; `None` for an unknown id.
pub(super) fn model_from_id(model_id: i32) -> Option<(&'static str, usize)> {
    MODELS
        .iter()
        .find(|(id, _, _)| *id == model_id)
        .map(|&(_, name, count)| (name, count))
}

/// A camera from its parts, checked: known model, positive size and focal lengths.
pub(super) fn make_camera(
    id: u32,
    model_name: &str,
    width: u64,
    height: u64,
    params: &[f64],
) -> Result<ColmapCamera, String> {
    let model = CameraModel::from_parts(model_name, params).ok_or_else(|| {
        format!(
            "camera {id}: unknown model `{model_name}` or wrong number of parameters ({})",
            params.len()
        )
    })?;
    let (Ok(width), Ok(height)) = (u32::try_from(width), u32::try_from(height)) else {
        return Err(format!("camera {id}: implausible size {width}x{height}"));
    };
    if width == 0 || height == 0 || !params.iter().all(|p| p.is_finite()) {
        return Err(format!(
            "camera {id}: expected a positive size and finite parameters, found {width}x{height} {params:?}"
        ));
    }
    let focal_ok = match model {
        CameraModel::SimplePinhole { f, .. } => f > 0.0,
        CameraModel::Pinhole { fx, fy, .. } => fx > 0.0 && fy > 0.0,
        CameraModel::Distorted { .. } => true,
    };
    if !focal_ok {
        return Err(format!(
            "camera {id}: focal length must be positive, found {params:?}"
        ));
    }
    Ok(ColmapCamera {
        id,
        model,
        width,
        height,
    })
}

/// Checks a pose read from a file: finite values and a non-zero quaternion.
pub(super) fn check_pose(qvec: &[f64; 4], tvec: &[f64; 3]) -> Result<(), String> {
    if !qvec.iter().chain(tvec).all(|v| v.is_finite()) {
        return Err("the pose is not finite".into());
    }
    if qvec.iter().map(|v| v * v).sum::<f64>() < 1e-12 {
        return Err("the rotation quaternion is zero".into());
    }
    Ok(())
}

#[cfg(test)]
#[path = "colmap_tests.rs"]
pub(super) mod tests;
