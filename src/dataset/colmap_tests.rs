//! COLMAP reader tests on models built here from known poses, written in both the
//! binary and the text format.

use std::path::Path;

use glam::{DMat3, DQuat, DVec3};

use super::*;
use crate::dataset::{colmap_binary, colmap_text};

/// A camera that sees `target` from `centre`, as COLMAP stores it: the
/// world-to-camera rotation as a quaternion (w first) and `t = -R centre`.
pub(crate) fn posed_image(
    id: u32,
    camera_id: u32,
    name: &str,
    centre: DVec3,
    target: DVec3,
) -> ColmapImage {
    let forward = (target - centre).normalize();
    let right = forward.cross(DVec3::new(0.0, -1.0, 0.0)).normalize();
    let down = forward.cross(right);
    // Rows of camera_from_world are the camera axes in world space.
    let camera_from_world = DMat3::from_cols(right, down, forward).transpose();
    let q = DQuat::from_mat3(&camera_from_world);
    let t = -(camera_from_world * centre);
    ColmapImage {
        id,
        qvec: [q.w, q.x, q.y, q.z],
        tvec: t.to_array(),
        camera_id,
        name: name.into(),
    }
}

/// A model with non-dense ids in no particular order and both pinhole models.
pub(crate) fn sample_model() -> ColmapModel {
    let cameras = [
        ColmapCamera {
            id: 3,
            model: CameraModel::Pinhole {
                fx: 500.0,
                fy: 480.0,
                cx: 320.0,
                cy: 240.0,
            },
            width: 640,
            height: 480,
        },
        ColmapCamera {
            id: 11,
            model: CameraModel::SimplePinhole {
                f: 300.25,
                cx: 200.0,
                cy: 150.0,
            },
            width: 400,
            height: 300,
        },
    ];
    let images = vec![
        posed_image(42, 3, "c.jpg", DVec3::new(4.0, -1.0, 0.5), DVec3::ZERO),
        posed_image(
            7,
            11,
            "a.png",
            DVec3::new(-3.0, -2.0, 2.0),
            DVec3::new(0.1, 0.0, 0.2),
        ),
        posed_image(19, 3, "b.jpg", DVec3::new(0.5, -0.5, -5.0), DVec3::ZERO),
    ];
    ColmapModel {
        cameras: cameras.into_iter().map(|c| (c.id, c)).collect(),
        images,
    }
}

fn model_params(model: &CameraModel) -> (i32, Vec<f64>) {
    match *model {
        CameraModel::SimplePinhole { f, cx, cy } => (0, vec![f, cx, cy]),
        CameraModel::Pinhole { fx, fy, cx, cy } => (1, vec![fx, fy, cx, cy]),
        CameraModel::Distorted { name } => {
            let (id, count) = MODELS
                .iter()
                .find(|(_, n, _)| *n == name)
                .map(|&(id, _, count)| (id, count))
                .unwrap_or((4, 8));
            (id, vec![0.1; count])
        }
    }
}

/// `cameras.bin` as COLMAP writes it.
pub(crate) fn cameras_bin(model: &ColmapModel) -> Vec<u8> {
    let mut out = (model.cameras.len() as u64).to_le_bytes().to_vec();
    for camera in model.cameras.values() {
        let (model_id, params) = model_params(&camera.model);
        out.extend(camera.id.to_le_bytes());
        out.extend(model_id.to_le_bytes());
        out.extend(u64::from(camera.width).to_le_bytes());
        out.extend(u64::from(camera.height).to_le_bytes());
        params.iter().for_each(|p| out.extend(p.to_le_bytes()));
    }
    out
}

/// `images.bin` as COLMAP writes it, with `points` 2D points per image.
pub(crate) fn images_bin(model: &ColmapModel, points: u64) -> Vec<u8> {
    let mut out = (model.images.len() as u64).to_le_bytes().to_vec();
    for image in &model.images {
        out.extend(image.id.to_le_bytes());
        image
            .qvec
            .iter()
            .chain(&image.tvec)
            .for_each(|v| out.extend(v.to_le_bytes()));
        out.extend(image.camera_id.to_le_bytes());
        out.extend(image.name.as_bytes());
        out.push(0);
        out.extend(points.to_le_bytes());
        for p in 0..points {
            out.extend((p as f64).to_le_bytes());
            out.extend((p as f64 * 0.5).to_le_bytes());
            out.extend((-1i64).to_le_bytes());
        }
    }
    out
}

/// `cameras.txt` as COLMAP writes it (`{:?}` prints f64 so that it reads back exactly).
pub(crate) fn cameras_txt(model: &ColmapModel) -> String {
    let mut out = "# Camera list with one line of data per camera:\n#   CAMERA_ID, MODEL, WIDTH, HEIGHT, PARAMS[]\n".to_string();
    for camera in model.cameras.values() {
        let (_, params) = model_params(&camera.model);
        let params: Vec<String> = params.iter().map(|p| format!("{p:?}")).collect();
        out += &format!(
            "{} {} {} {} {}\n",
            camera.id,
            camera.model.name(),
            camera.width,
            camera.height,
            params.join(" ")
        );
    }
    out
}

/// `images.txt` as COLMAP writes it; every other image has an empty points line.
pub(crate) fn images_txt(model: &ColmapModel) -> String {
    let mut out = "# Image list with two lines of data per image:\n".to_string();
    for (i, image) in model.images.iter().enumerate() {
        let pose: Vec<String> = image
            .qvec
            .iter()
            .chain(&image.tvec)
            .map(|v| format!("{v:?}"))
            .collect();
        out += &format!(
            "{} {} {} {}\n",
            image.id,
            pose.join(" "),
            image.camera_id,
            image.name
        );
        out += if i % 2 == 0 {
            "\n"
        } else {
            "10.5 20.5 -1 11.0 3.0 17\n"
        };
    }
    out
}

const CAMERAS: &str = "sparse/0/cameras.bin";
const IMAGES: &str = "sparse/0/images.bin";

#[test]
fn binary_and_text_give_the_same_model() {
    let model = sample_model();
    let from_bin = ColmapModel {
        cameras: colmap_binary::parse_cameras(Path::new(CAMERAS), &cameras_bin(&model))
            .expect("cameras.bin"),
        images: colmap_binary::parse_images(Path::new(IMAGES), &images_bin(&model, 3))
            .expect("images.bin"),
    };
    let from_text = ColmapModel {
        cameras: colmap_text::parse_cameras(Path::new("cameras.txt"), &cameras_txt(&model))
            .expect("cameras.txt"),
        images: colmap_text::parse_images(Path::new("images.txt"), &images_txt(&model))
            .expect("images.txt"),
    };
    assert_eq!(from_bin, model);
    assert_eq!(from_text, model);
}

#[test]
fn poses_follow_the_colmap_convention() {
    // x_camera = R(q) x_world + t with q = (w, x, y, z): the camera centre is
    // -R^T t, and the target straight ahead lands on the optical axis.
    let centre = DVec3::new(4.0, -1.0, 0.5);
    let image = posed_image(1, 1, "x.png", centre, DVec3::ZERO);
    let pose = image.world_from_camera();
    let position = pose.w_axis.truncate();
    assert!((position - centre.as_vec3()).length() < 1e-5, "{position}");
    let forward = pose.z_axis.truncate();
    assert!((forward - (-centre).normalize().as_vec3()).length() < 1e-5);
    // A world point maps to camera space as R p + t.
    let [w, x, y, z] = image.qvec;
    let rotation = DMat3::from_quat(DQuat::from_xyzw(x, y, z, w));
    let world = DVec3::new(0.3, -0.7, 1.1);
    let expected = rotation * world + DVec3::from_array(image.tvec);
    let camera_space = pose.inverse().transform_point3(world.as_vec3());
    assert!(
        (camera_space - expected.as_vec3()).length() < 1e-5,
        "{camera_space} vs {expected}"
    );
    // The quaternion's sign does not matter; its order does.
    let mut negated = image.clone();
    negated.qvec = image.qvec.map(|v| -v);
    assert!((negated.world_from_camera().z_axis.truncate() - forward).length() < 1e-6);
    let mut xyzw = image.clone();
    xyzw.qvec = [image.qvec[1], image.qvec[2], image.qvec[3], image.qvec[0]];
    assert!((xyzw.world_from_camera().z_axis.truncate() - forward).length() > 1e-2);
}

#[test]
fn corrupt_images_bin_is_a_clear_error() {
    let model = sample_model();
    let good = images_bin(&model, 2);
    let check = |bytes: &[u8], expected: &str| {
        let err = colmap_binary::parse_images(Path::new(IMAGES), bytes).expect_err(expected);
        let text = err.to_string();
        assert!(text.contains(IMAGES), "{text}");
        assert!(text.contains(expected), "{text} should say {expected}");
    };
    // Cut anywhere: truncated, never a panic.
    for cut in [0, 5, 8, 20, 70, good.len() / 2, good.len() - 1] {
        let err = colmap_binary::parse_images(Path::new(IMAGES), &good[..cut]).expect_err("cut");
        assert!(err.to_string().contains(IMAGES), "{err}");
    }
    check(&good[..good.len() - 1], "truncated");
    let mut count = good.clone();
    count[..8].copy_from_slice(&u64::MAX.to_le_bytes());
    check(&count, "declares 18446744073709551615 images");
    let mut fewer = good.clone();
    fewer[..8].copy_from_slice(&2u64.to_le_bytes());
    check(&fewer, "the count does not match");
    let mut points = images_bin(&sample_model(), 0);
    let first_points = 8 + 4 + 56 + 4 + "c.jpg".len() + 1;
    points[first_points..first_points + 8].copy_from_slice(&(u64::MAX / 2).to_le_bytes());
    check(&points, "2D points");
    let mut zero = sample_model();
    zero.images[1].qvec = [0.0; 4];
    check(&images_bin(&zero, 0), "quaternion is zero");
    let mut nan = sample_model();
    nan.images[2].tvec[1] = f64::NAN;
    check(&images_bin(&nan, 0), "not finite");
}

#[test]
fn corrupt_cameras_and_text_are_clear_errors() {
    let model = sample_model();
    let mut bad_model = cameras_bin(&model);
    bad_model[12..16].copy_from_slice(&99i32.to_le_bytes());
    let err = colmap_binary::parse_cameras(Path::new(CAMERAS), &bad_model).expect_err("model id");
    assert!(
        err.to_string().contains("unknown camera model id 99"),
        "{err}"
    );
    let err =
        colmap_text::parse_cameras(Path::new("cameras.txt"), "1 PINHOLE 640 480 500 500 320\n")
            .expect_err("3 params");
    assert!(
        err.to_string().contains("cameras.txt") && err.to_string().contains("line 1"),
        "{err}"
    );
    let err = colmap_text::parse_cameras(
        Path::new("cameras.txt"),
        "1 PINHOLE 640 480 0 500 320 240\n",
    )
    .expect_err("zero focal");
    assert!(err.to_string().contains("focal length"), "{err}");
    let err = colmap_text::parse_images(Path::new("images.txt"), "# c\n1 1 0 0 0 0 0 0 1\n")
        .expect_err("short");
    assert!(err.to_string().contains("line 2"), "{err}");
    let err = colmap_text::parse_images(Path::new("images.txt"), "1 1 0 0 x 0 0 0 1 a.png\n\n")
        .expect_err("x");
    assert!(err.to_string().contains("quaternion `x`"), "{err}");
    // Distorted models are read, so that using them can be refused with their name.
    let cams = colmap_text::parse_cameras(
        Path::new("cameras.txt"),
        "5 OPENCV 640 480 500 500 320 240 0.1 0.01 0 0\n",
    )
    .expect("OPENCV parses");
    assert_eq!(cams[&5].model, CameraModel::Distorted { name: "OPENCV" });
}
