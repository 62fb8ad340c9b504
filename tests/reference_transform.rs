//! A splat scene moved, turned and scaled (`Similarity::apply_to_splats`) renders, seen
//! from the camera moved with it, like the original scene from the original camera:
//! positions, rotations, scales and the view-dependent colour (SH bands 1-3, rotated by
//! `ShRotation`) must all follow. Both images come from the CPU reference renderer.
//! Perspective images do not change when the scene and the camera are scaled together,
//! so the uniform scale is tested too.

use std::path::Path;

use glam::{EulerRot, Mat3, Quat, Vec3};
use splatview::io::load_splat_file;
use splatview::metrics::psnr;
use splatview::reference::{render_reference, to_rgb8};
use splatview::scene::camera::world_from_camera_axes;
use splatview::scene::{AaMode, PinholeCamera, SceneBounds, Similarity, SplatCloud};

const WIDTH: u32 = 160;
const HEIGHT: u32 = 120;
const BACKGROUND: [f32; 3] = [0.1, 0.2, 0.3];

fn transform() -> Similarity {
    Similarity {
        translation: Vec3::new(0.3, -0.2, 1.5),
        rotation: Quat::from_euler(EulerRot::YXZ, 0.5, -0.8, 1.2),
        scale: 1.7,
    }
}

/// A camera looking at the scene's centre from `direction`, 2.2 radii away.
fn camera_for(cloud: &SplatCloud, direction: Vec3) -> PinholeCamera {
    let bounds = SceneBounds::robust(cloud).expect("bounds");
    let eye = bounds.center() + direction.normalize() * 2.2 * bounds.radius();
    PinholeCamera::look_at(eye, bounds.center(), Vec3::NEG_Y, 0.8, WIDTH, HEIGHT)
}

/// The camera carried along with the scene: same intrinsics, pose turned and moved by
/// `t` (the scale moves its centre, which keeps the image the same).
fn moved_camera(camera: &PinholeCamera, t: &Similarity) -> PinholeCamera {
    let rotation = Mat3::from_quat(t.rotation) * Mat3::from_mat4(camera.world_from_camera);
    PinholeCamera {
        world_from_camera: world_from_camera_axes(rotation, t.transform_point(camera.position())),
        ..*camera
    }
}

fn image(cloud: &SplatCloud, camera: &PinholeCamera) -> image::RgbImage {
    to_rgb8(
        &render_reference(cloud, camera, BACKGROUND, AaMode::Classic),
        WIDTH,
        HEIGHT,
    )
}

/// PSNR of the moved scene against the original, and of the moved scene whose SH
/// coefficients were left unrotated (to show the test sees the SH rotation).
fn compare(cloud: &SplatCloud, directions: &[Vec3]) -> Vec<(f64, f64)> {
    let t = transform();
    let mut moved = cloud.clone();
    t.apply_to_splats(&mut moved);
    let mut unrotated_sh = moved.clone();
    unrotated_sh.sh_rest = cloud.sh_rest.clone();
    directions
        .iter()
        .map(|&d| {
            let camera = camera_for(cloud, d);
            let moved_cam = moved_camera(&camera, &t);
            let original = image(cloud, &camera);
            let good = psnr(&image(&moved, &moved_cam), &original).expect("sizes");
            let bad = psnr(&image(&unrotated_sh, &moved_cam), &original).expect("sizes");
            (good, bad)
        })
        .collect()
}

#[test]
fn playbot_moved_with_its_sh_renders_like_the_original() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata/splats/playbot_l6.ply");
    let cloud = load_splat_file(&path).expect("should succeed");
    assert_eq!(cloud.sh_degree, 2);
    let results = compare(
        &cloud,
        &[Vec3::new(0.3, -0.4, -1.0), Vec3::new(-1.0, -0.2, 0.4)],
    );
    for (good, bad) in results {
        println!("playbot: {good:.2} dB (without SH rotation: {bad:.2} dB)");
        assert!(good >= 45.0, "{good} dB");
        assert!(
            bad < good - 3.0,
            "SH rotation does not show: {bad} vs {good} dB"
        );
    }
}

/// A 7 x 7 x 3 grid of small, opaque splats with degree-3 SH of magnitude up to 0.35.
fn synthetic_degree_3() -> SplatCloud {
    let mut cloud = SplatCloud::new(3);
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut random = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f32 / (1u64 << 53) as f32 * 2.0 - 1.0
    };
    for x in 0..7 {
        for y in 0..7 {
            for z in 0..3 {
                cloud
                    .positions
                    .push([x as f32 * 0.3, y as f32 * 0.3, z as f32 * 0.3]);
                cloud
                    .log_scales
                    .push([(0.06f32).ln(), (0.1f32).ln(), (0.04f32).ln()]);
                let q = Quat::from_euler(
                    EulerRot::XYZ,
                    random() * 3.0,
                    random() * 3.0,
                    random() * 3.0,
                );
                cloud.rotations.push([q.w, q.x, q.y, q.z]);
                cloud.opacity_logits.push(2.0);
                cloud
                    .sh_dc
                    .push([random() * 0.5, random() * 0.5, random() * 0.5]);
                cloud.sh_rest.extend((0..45).map(|_| random() * 0.35));
            }
        }
    }
    assert!(cloud.is_consistent());
    cloud
}

#[test]
fn degree_3_synthetic_cloud_moved_with_its_sh_renders_like_the_original() {
    let cloud = synthetic_degree_3();
    let results = compare(
        &cloud,
        &[Vec3::new(0.2, -0.5, -1.0), Vec3::new(1.0, 0.3, 0.2)],
    );
    for (good, bad) in results {
        println!("synthetic SH3: {good:.2} dB (without SH rotation: {bad:.2} dB)");
        assert!(good >= 45.0, "{good} dB");
        assert!(
            bad < good - 3.0,
            "SH rotation does not show: {bad} vs {good} dB"
        );
    }
}
