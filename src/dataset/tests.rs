//! Datasets written to a scratch folder in each layout.

use std::path::{Path, PathBuf};

use super::colmap::tests::{cameras_bin, cameras_txt, images_bin, images_txt, sample_model};
use super::training_output::parse_cfg_args;
use super::*;

/// An empty scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("splatview-dataset-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("folder");
    }
    std::fs::write(path, bytes).expect("write");
}

fn write_photo(path: &Path, width: u32, height: u32) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("folder");
    }
    image::RgbImage::from_pixel(width, height, image::Rgb([1, 2, 3]))
        .save_with_format(path, image::ImageFormat::Png)
        .expect("photo");
}

/// The sample model as a COLMAP dataset; `c.jpg` exists only as `c.png` and
/// `b.jpg` is missing.
fn colmap_dir(name: &str, binary: bool) -> PathBuf {
    let dir = scratch(name);
    let model = sample_model();
    if binary {
        write(&dir.join("sparse/0/cameras.bin"), cameras_bin(&model));
        write(&dir.join("sparse/0/images.bin"), images_bin(&model, 4));
    } else {
        write(&dir.join("sparse/0/cameras.txt"), cameras_txt(&model));
        write(&dir.join("sparse/0/images.txt"), images_txt(&model));
    }
    write_photo(&dir.join("images/a.png"), 400, 300);
    write_photo(&dir.join("images/c.png"), 640, 480);
    dir
}

#[test]
fn colmap_layout_binary_and_text() {
    let bin_dir = colmap_dir("colmap-bin", true);
    let txt_dir = colmap_dir("colmap-txt", false);
    let from_bin = open_dataset(&bin_dir, None).expect("binary dataset");
    let from_txt = open_dataset(&txt_dir, None).expect("text dataset");
    assert_eq!(from_bin.layout, DatasetLayout::Colmap);
    let names: Vec<&str> = from_bin.views.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        ["a", "b", "c"],
        "sorted by name, not by id or file order"
    );
    for (b, t) in from_bin.views.iter().zip(&from_txt.views) {
        assert_eq!(b.camera, t.camera);
        assert_eq!(b.file_name, t.file_name);
    }
    let a = &from_bin.views[0];
    // SIMPLE_PINHOLE f = 300.25, principal point moved to the centre.
    assert_eq!(
        (a.camera.fx, a.camera.fy, a.camera.cx, a.camera.cy),
        (300.25, 300.25, 200.0, 150.0)
    );
    assert_eq!((a.camera.width, a.camera.height), (400, 300));
    assert_eq!(
        a.photo.as_deref(),
        Some(bin_dir.join("images/a.png").as_path())
    );
    assert_eq!(from_bin.views[1].photo, None, "b.jpg is missing");
    assert_eq!(
        from_bin.views[2].photo.as_deref(),
        Some(bin_dir.join("images/c.png").as_path()),
        "c.jpg found by its name without extension"
    );
    assert_eq!(from_bin.split_views(Split::Test { every: 2 }).len(), 2);
}

#[test]
fn distorted_cameras_are_refused() {
    let dir = scratch("distorted");
    let mut model = sample_model();
    if let Some(camera) = model.cameras.get_mut(&3) {
        camera.model = CameraModel::Distorted { name: "OPENCV" };
    }
    write(&dir.join("sparse/0/cameras.bin"), cameras_bin(&model));
    write(&dir.join("sparse/0/images.bin"), images_bin(&model, 0));
    std::fs::create_dir_all(dir.join("images")).expect("images");
    let err = open_dataset(&dir, None).expect_err("OPENCV");
    let text = err.to_string();
    assert!(
        text.contains("OPENCV") && text.contains("ndistort"),
        "{text}"
    );
}

#[test]
fn unknown_camera_and_missing_folders_are_errors() {
    let dir = scratch("unknown-camera");
    let mut model = sample_model();
    model.images[0].camera_id = 77;
    write(&dir.join("sparse/0/cameras.bin"), cameras_bin(&model));
    write(&dir.join("sparse/0/images.bin"), images_bin(&model, 0));
    let err = open_dataset(&dir, None).expect_err("camera 77");
    assert!(err.to_string().contains("uses camera 77"), "{err}");

    let dir = colmap_dir("no-images", true);
    let err = open_dataset(&dir, Some("images_4")).expect_err("no images_4");
    assert!(
        err.to_string().contains("images_4") && err.to_string().contains("--images"),
        "{err}"
    );

    let empty = scratch("empty");
    let err = open_dataset(&empty, None).expect_err("nothing there");
    assert!(matches!(err, DatasetError::UnknownLayout { .. }), "{err}");
    let missing = empty.join("not-here");
    let err = open_dataset(&missing, None).expect_err("no folder");
    assert!(err.to_string().ends_with("no such folder"), "{err}");
}

fn cameras_json_text() -> String {
    let camera = |id: u32, name: &str, x: f32| {
        serde_json::json!({"id": id, "img_name": name, "width": 64, "height": 48,
            "position": [x, 0.0, -4.0], "rotation": [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
            "fx": 60.0, "fy": 60.0})
    };
    serde_json::Value::Array(vec![camera(0, "frame_2", 0.5), camera(1, "frame_1", -0.5)])
        .to_string()
}

#[test]
fn cameras_json_layout() {
    let dir = scratch("cameras-json");
    write(&dir.join("cameras.json"), cameras_json_text());
    write_photo(&dir.join("images/frame_1.jpg"), 64, 48);
    write_photo(&dir.join("images/frame_2.webp.png"), 64, 48);
    let dataset = open_dataset(&dir, None).expect("dataset");
    assert_eq!(dataset.layout, DatasetLayout::CamerasJson);
    let names: Vec<&str> = dataset.views.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["frame_1", "frame_2"]);
    assert_eq!(dataset.views[0].camera.position().x, -0.5);
    assert!(dataset.views.iter().all(|v| v.photo.is_some()));
}

#[test]
fn training_output_layout() {
    let source = colmap_dir("output-source", true);
    let out = scratch("output");
    write(
        &out.join("point_cloud/iteration_7000/point_cloud.ply"),
        "ply",
    );
    write(
        &out.join("point_cloud/iteration_30000/point_cloud.ply"),
        "ply",
    );
    write(
        &out.join("point_cloud/iteration_notanumber/point_cloud.ply"),
        "ply",
    );
    write(
        &out.join("cfg_args"),
        format!(
            "Namespace(sh_degree=3, source_path='{}', model_path='./output/x', images='images', resolution=-1, white_background=True, data_device='cuda', eval=True)",
            source.display()
        ),
    );
    let found = find_training_output(&out)
        .expect("readable")
        .expect("an output folder");
    assert_eq!(found.iteration, 30000);
    assert!(found.scene.ends_with("iteration_30000/point_cloud.ply"));
    assert_eq!(found.background(), [1.0; 3]);
    // Without cameras.json the source's COLMAP model gives the cameras.
    let dataset = open_dataset(&out, None).expect("dataset");
    assert_eq!(dataset.layout, DatasetLayout::TrainingOutput);
    assert_eq!(dataset.views.len(), 3);
    // With it, cameras.json does, and the photos still come from the source.
    write(&out.join("cameras.json"), cameras_json_text());
    write_photo(&source.join("images/frame_1.png"), 64, 48);
    let dataset = open_dataset(&out, None).expect("dataset");
    assert_eq!(dataset.views.len(), 2);
    assert_eq!(
        dataset.views[0].photo.as_deref(),
        Some(source.join("images/frame_1.png").as_path())
    );
    assert_eq!(dataset.views[1].photo, None);

    write(
        &out.join("cfg_args"),
        "Namespace(source_path='/nowhere/at/all', eval=False)",
    );
    let err = open_dataset(&out, None).expect_err("source missing");
    assert!(
        err.to_string().contains("/nowhere/at/all") && err.to_string().contains("--dataset"),
        "{err}"
    );
    assert!(
        find_training_output(&scratch("not-output"))
            .expect("readable")
            .is_none()
    );
}

#[test]
fn cfg_args_parsing() {
    let args =
        parse_cfg_args("Namespace(a=1, b='x, y', c=\"it's\", d=True, e='back\\\\slash', f=None)\n")
            .expect("parses");
    assert_eq!(args["a"], "1");
    assert_eq!(args["b"], "x, y");
    assert_eq!(args["c"], "it's");
    assert_eq!(args["d"], "True");
    assert_eq!(args["e"], "back\\slash");
    assert_eq!(args["f"], "None");
    assert!(parse_cfg_args("Namespace()").expect("empty").is_empty());
    assert!(parse_cfg_args("{'a': 1}").is_err());
    assert!(parse_cfg_args("Namespace(a='open)").is_err());
}

#[test]
fn view_names_cut_at_the_first_dot() {
    assert_eq!(view_name("DSC_0001.JPG"), "DSC_0001");
    assert_eq!(view_name("cam0/frame.0001.png"), "frame");
    assert_eq!(view_name("plain"), "plain");
}
