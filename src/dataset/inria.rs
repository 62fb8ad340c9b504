//! The 3DGS `cameras.json` layout: the camera list the trainer writes
//! (`crate::io::cameras_json`) next to a folder of photos named by `img_name`.

use std::path::Path;

use super::{Dataset, DatasetError, DatasetLayout, DatasetView, PhotoIndex, finish, view_name};

/// The dataset of `cameras_json` with photos in `dir/images`.
pub fn cameras_json_dataset(
    dir: &Path,
    cameras_json: &Path,
    images: &str,
) -> Result<Dataset, DatasetError> {
    let images_dir = dir.join(images);
    cameras_json_with_photos(dir, cameras_json, &images_dir)
}

/// The dataset of `cameras_json` with photos in `images_dir`; `dir` names it.
pub fn cameras_json_with_photos(
    dir: &Path,
    cameras_json: &Path,
    images_dir: &Path,
) -> Result<Dataset, DatasetError> {
    let cameras = crate::io::cameras_json::load_cameras_json(cameras_json)?;
    let index = PhotoIndex::new(images_dir)?;
    let views = cameras
        .into_iter()
        .map(|c| DatasetView {
            name: view_name(&c.name),
            photo: index.find(&c.name),
            file_name: c.name,
            camera: c.camera,
        })
        .collect();
    finish(
        dir,
        DatasetLayout::CamerasJson,
        images_dir.to_owned(),
        views,
    )
}
