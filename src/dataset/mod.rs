//! Datasets to evaluate a scene against: cameras and the photos taken from them.
//!
//! Three layouts are read ([`open_dataset`]):
//! - **COLMAP**: `DIR/sparse/0/{cameras,images}.{bin,txt}` (or `DIR/sparse/`) plus
//!   `DIR/images/` (or another folder given by `--images`); PINHOLE and
//!   SIMPLE_PINHOLE cameras only, as 3DGS (undistort the photos first);
//! - **3DGS cameras.json**: `DIR/cameras.json` plus `DIR/images/`, each photo found
//!   by its `img_name` with any extension;
//! - **3DGS training output**: `DIR/point_cloud/iteration_*/point_cloud.ply` (the
//!   highest iteration is the scene), `DIR/cameras.json` and `DIR/cfg_args`, whose
//!   `source_path` holds the photos (`images` folder from `cfg_args`).
//!
//! A photo folder named `images_N` (N >= 2) holds the photos downscaled N times,
//! as in the Mip-NeRF 360 and 3DGS datasets: the cameras are scaled by `1/N`.
//!
//! Views are sorted by name, as 3DGS `dataset_readers.py` does before it splits
//! them ([`Split`]). A view's name is its file name without the folder and
//! without everything from the first `.` on (3DGS: `basename(path).split(".")[0]`).
//! Cameras keep the focal lengths and put the principal point at the image centre,
//! as 3DGS does (it reads only the field of view from COLMAP), so renders line up
//! with what the model was trained on.

mod colmap;
mod colmap_binary;
mod colmap_text;
mod inria;
mod photos;
mod split;
mod training_output;

use std::path::{Path, PathBuf};

pub use colmap::{CameraModel, ColmapCamera, ColmapImage, ColmapModel, ModelFiles, read_model};
pub use photos::{PhotoIndex, load_photo, resize_photo};
pub use split::Split;
pub use training_output::{TrainingOutput, find_training_output};

use crate::scene::PinholeCamera;

/// Why a dataset could not be read. Every variant names the file or folder.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: invalid COLMAP model file: {reason}")]
    Colmap { path: PathBuf, reason: String },
    #[error(
        "{path}: camera {camera_id} uses the distorted model {model}; only PINHOLE and SIMPLE_PINHOLE cameras are supported. Undistort the photos first (`colmap image_undistorter`, or 3DGS `convert.py`)"
    )]
    DistortedCamera {
        path: PathBuf,
        camera_id: u32,
        model: &'static str,
    },
    #[error(transparent)]
    Cameras(#[from] crate::io::LoadError),
    #[error("{path}: invalid 3DGS training output: {reason}")]
    TrainingOutput { path: PathBuf, reason: String },
    #[error(
        "{path}: not a dataset: expected sparse/0/cameras.bin or .txt (COLMAP), cameras.json with an images folder (3DGS), or point_cloud/iteration_*/ with cfg_args (3DGS training output)"
    )]
    UnknownLayout { path: PathBuf },
    #[error("{path}: no such folder")]
    NoFolder { path: PathBuf },
    #[error("{path}: the photo folder does not exist{hint}")]
    MissingImageFolder { path: PathBuf, hint: String },
    #[error("{path}: the dataset has no cameras")]
    NoViews { path: PathBuf },
    #[error("{path}: two views are named `{name}` (names must be unique without extension)")]
    DuplicateName { path: PathBuf, name: String },
    #[error("{path}: cannot decode the photo: {reason}")]
    BadPhoto { path: PathBuf, reason: String },
}

impl DatasetError {
    pub(crate) fn colmap(path: &Path, reason: impl Into<String>) -> Self {
        Self::Colmap {
            path: path.to_owned(),
            reason: reason.into(),
        }
    }
}

/// Which layout a dataset was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatasetLayout {
    Colmap,
    CamerasJson,
    TrainingOutput,
}

/// One camera with the photo taken from it.
#[derive(Clone, Debug, PartialEq)]
pub struct DatasetView {
    /// The image name without extension, as 3DGS names it.
    pub name: String,
    /// The image's file name as the dataset gives it (COLMAP: with extension;
    /// cameras.json: `img_name`).
    pub file_name: String,
    pub camera: PinholeCamera,
    /// The photo on disk; `None` when it is missing (evaluation skips the view).
    pub photo: Option<PathBuf>,
}

/// Cameras and photos, views sorted by name.
#[derive(Clone, Debug)]
pub struct Dataset {
    pub root: PathBuf,
    pub layout: DatasetLayout,
    /// The folder the photos were looked up in.
    pub images_dir: PathBuf,
    pub views: Vec<DatasetView>,
}

impl Dataset {
    /// The views of `split` in name order.
    pub fn split_views(&self, split: Split) -> Vec<&DatasetView> {
        self.views
            .iter()
            .enumerate()
            .filter(|(index, _)| split.contains(*index))
            .map(|(_, view)| view)
            .collect()
    }
}

/// Reads the dataset in `dir`: a COLMAP model, a 3DGS `cameras.json` layout or a
/// 3DGS training output (see the module docs). `images` names the photo folder
/// relative to the dataset (default `images`; a training output's `cfg_args` may
/// name another).
pub fn open_dataset(dir: &Path, images: Option<&str>) -> Result<Dataset, DatasetError> {
    if !dir.exists() {
        return Err(DatasetError::NoFolder {
            path: dir.to_owned(),
        });
    }
    if let Some(output) = find_training_output(dir)? {
        return output.dataset(images);
    }
    if let Some(files) = colmap_files(dir) {
        return colmap_dataset(dir, &files, images.unwrap_or("images"));
    }
    let cameras_json = dir.join("cameras.json");
    if cameras_json.is_file() {
        return inria::cameras_json_dataset(dir, &cameras_json, images.unwrap_or("images"));
    }
    Err(DatasetError::UnknownLayout {
        path: dir.to_owned(),
    })
}

/// The COLMAP model of a dataset folder: `sparse/0/` or `sparse/`.
fn colmap_files(dir: &Path) -> Option<ModelFiles> {
    ModelFiles::find(&dir.join("sparse/0")).or_else(|| ModelFiles::find(&dir.join("sparse")))
}

/// A COLMAP dataset: cameras from the model, photos from `dir/images`.
fn colmap_dataset(dir: &Path, files: &ModelFiles, images: &str) -> Result<Dataset, DatasetError> {
    let model = read_model(files)?;
    let images_dir = dir.join(images);
    let index = PhotoIndex::new(&images_dir)?;
    let mut views = Vec::with_capacity(model.images.len());
    for image in &model.images {
        let Some(camera) = model.cameras.get(&image.camera_id) else {
            continue; // read_model has checked every id
        };
        let (fx, fy) = match camera.model {
            CameraModel::SimplePinhole { f, .. } => (f, f),
            CameraModel::Pinhole { fx, fy, .. } => (fx, fy),
            CameraModel::Distorted { name } => {
                return Err(DatasetError::DistortedCamera {
                    path: files.cameras.clone(),
                    camera_id: camera.id,
                    model: name,
                });
            }
        };
        let (width, height) = (camera.width, camera.height);
        views.push(DatasetView {
            name: view_name(&image.name),
            file_name: image.name.clone(),
            camera: PinholeCamera {
                fx: fx as f32,
                fy: fy as f32,
                cx: 0.5 * width as f32,
                cy: 0.5 * height as f32,
                width,
                height,
                world_from_camera: image.world_from_camera(),
            },
            photo: index.find(&image.name),
        });
    }
    finish(dir, DatasetLayout::Colmap, images_dir, views)
}

/// Sorts the views by name and checks that there are some, with unique names.
fn finish(
    dir: &Path,
    layout: DatasetLayout,
    images_dir: PathBuf,
    mut views: Vec<DatasetView>,
) -> Result<Dataset, DatasetError> {
    if views.is_empty() {
        return Err(DatasetError::NoViews {
            path: dir.to_owned(),
        });
    }
    if let Some(factor) = images_dir
        .file_name()
        .and_then(|name| name.to_str())
        .and_then(photos::downscale_factor)
    {
        for view in &mut views {
            let (w, h) = (view.camera.width, view.camera.height);
            let scaled = |v: u32| (v as f32 / factor as f32).round().max(1.0) as u32;
            view.camera = view.camera.resized(scaled(w), scaled(h));
        }
    }
    views.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some(pair) = views.windows(2).find(|pair| pair[0].name == pair[1].name) {
        return Err(DatasetError::DuplicateName {
            path: dir.to_owned(),
            name: pair[0].name.clone(),
        });
    }
    Ok(Dataset {
        root: dir.to_owned(),
        layout,
        images_dir,
        views,
    })
}

/// 3DGS's image name: the file name without folders, cut at its first `.`.
pub fn view_name(file_name: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    base.split('.').next().unwrap_or(base).to_owned()
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
