//! The GPU mesh pass against the CPU mesh reference (`reference::mesh`), through
//! the headless path (`HeadlessScene::from_objects` -> `Renderer::
//! encode_view_with_meshes`); point clouds; and a moved splat scene against the
//! original seen from the moved camera.

mod common;

use std::path::PathBuf;

use splatview::controls::{OrbitCamera, UpAxis};
use splatview::headless::{HeadlessScene, RenderSettings, render_image};
use splatview::metrics::psnr;
use splatview::reference::mesh::{MeshRenderOptions, render_mesh_reference};
use splatview::reference::to_rgb8;
use splatview::render::MeshParams;
use splatview::scene::mesh::shading::MeshShading;
use splatview::scene::objects::ObjectContent;
use splatview::scene::{PinholeCamera, SceneBounds};

const WIDTH: u32 = 240;
const HEIGHT: u32 = 160;

fn mesh(name: &str) -> PathBuf {
    common::testdata(&format!("meshes/{name}"))
}

/// Views around `bounds`: the opening view and two orbits.
fn views(bounds: Option<SceneBounds>) -> Vec<PinholeCamera> {
    let base = OrbitCamera::initial_view(bounds, UpAxis::default(), WIDTH as f32 / HEIGHT as f32);
    let mut side = base;
    side.yaw += 2.1;
    side.pitch = 0.5;
    let mut close = base;
    close.yaw -= 1.3;
    close.distance *= 0.7;
    [base, side, close]
        .iter()
        .map(|o| o.camera(WIDTH, HEIGHT))
        .collect()
}

/// Renders `files` on the GPU and their meshes with the CPU reference, from
/// three views, and returns the worst PSNR.
fn compare_meshes(files: &[&str], shading: MeshShading, cull_back_faces: bool) -> f64 {
    let paths: Vec<PathBuf> = files.iter().map(|f| mesh(f)).collect();
    let objects = splatview::io::load_scene_objects(&paths).expect("load");
    let meshes: Vec<_> = objects.placed_meshes().collect();
    let background = [0.1, 0.15, 0.2];
    let settings = RenderSettings {
        background,
        mesh: MeshParams {
            shading,
            cull_back_faces,
            ..Default::default()
        },
        ..Default::default()
    };
    let gpu = splatview::gpu::GpuContext::new_headless().expect("GPU");
    let mut headless = HeadlessScene::from_objects(gpu, &objects).expect("upload");
    let mut worst = f64::INFINITY;
    for (i, camera) in views(objects.bounds()).iter().enumerate() {
        let gpu_image = render_image(&mut headless, *camera, &settings).expect("render");
        let refs: Vec<_> = meshes.iter().collect();
        let reference = render_mesh_reference(
            &refs,
            camera,
            &MeshRenderOptions {
                shading,
                cull_back_faces,
                background,
                ..Default::default()
            },
        );
        let cpu_image = to_rgb8(&reference.color, WIDTH, HEIGHT);
        let covered = reference.depth.iter().filter(|d| d.is_finite()).count();
        let db = psnr(&gpu_image, &cpu_image).expect("same size");
        eprintln!("{files:?} {shading:?} view {i}: {db:.2} dB ({covered} pixels covered)");
        if db < 30.0 {
            let dir = std::env::temp_dir();
            let _ = gpu_image.save(dir.join(format!("mesh-{}-{i}-gpu.png", files[0])));
            let _ = cpu_image.save(dir.join(format!("mesh-{}-{i}-cpu.png", files[0])));
        }
        assert!(
            covered > (WIDTH * HEIGHT / 50) as usize,
            "{files:?} view {i} shows too little ({covered} pixels)"
        );
        worst = worst.min(db);
    }
    common::assert_no_gpu_errors(&headless.gpu);
    worst
}

#[test]
fn unlit_meshes_match_the_reference() {
    if common::gpu().is_none() {
        return;
    }
    for files in [
        &["cube_binary.ply"][..],
        &["airplane.ply"],
        &["Wuson.ply"],
        &["BoxTextured.glb"],
        &["spider.obj"],
        &["2CylinderEngine.glb"],
    ] {
        let db = compare_meshes(files, MeshShading::Unlit, false);
        assert!(db >= 30.0, "{files:?}: {db:.2} dB < 30 dB");
    }
}

#[test]
fn lit_and_culled_meshes_match_the_reference() {
    if common::gpu().is_none() {
        return;
    }
    for (files, cull) in [
        (&["airplane.ply"][..], false),
        (&["BoxTextured.glb"], true),
        (&["2CylinderEngine.glb"], true),
    ] {
        let db = compare_meshes(files, MeshShading::Lit, cull);
        assert!(
            db >= 30.0,
            "{files:?} lit (cull {cull}): {db:.2} dB < 30 dB"
        );
    }
}

/// A point-cloud PLY (vertices, colours, no faces) written in the test: a
/// coloured grid on a sphere.
fn point_cloud_ply() -> PathBuf {
    let mut text = String::from(
        "ply\nformat ascii 1.0\nelement vertex 2000\nproperty float x\nproperty float y\n\
         property float z\nproperty uchar red\nproperty uchar green\nproperty uchar blue\n\
         end_header\n",
    );
    for i in 0..2000 {
        let t = i as f32 / 2000.0;
        let (theta, phi) = (t * std::f32::consts::TAU * 37.0, (t * 2.0 - 1.0).acos());
        let (x, y, z) = (phi.sin() * theta.cos(), phi.sin() * theta.sin(), phi.cos());
        text.push_str(&format!(
            "{x} {y} {z} {} 200 {}\n",
            (t * 255.0) as u8,
            255 - (t * 255.0) as u8
        ));
    }
    let path = std::env::temp_dir().join(format!("splatview-points-{}.ply", std::process::id()));
    std::fs::write(&path, text).expect("write");
    path
}

#[test]
fn point_clouds_draw_dots_of_the_chosen_size() {
    if common::gpu().is_none() {
        return;
    }
    let path = point_cloud_ply();
    let objects = splatview::io::load_scene_objects(std::slice::from_ref(&path)).expect("load");
    let Some(ObjectContent::Mesh(points)) = objects.objects.first().map(|o| &o.content) else {
        panic!("not a point cloud");
    };
    assert_eq!(points.point_count(), 2000);
    let camera = views(objects.bounds())[0];
    let gpu = splatview::gpu::GpuContext::new_headless().expect("GPU");
    let mut headless = HeadlessScene::from_objects(gpu, &objects).expect("upload");
    let mut lit_pixels = |size: f32| {
        let settings = RenderSettings {
            mesh: MeshParams {
                point_size_px: size,
                ..Default::default()
            },
            ..Default::default()
        };
        let image = render_image(&mut headless, camera, &settings).expect("render");
        image.pixels().filter(|p| p.0 != [0, 0, 0]).count()
    };
    let (small, large) = (lit_pixels(1.0), lit_pixels(4.0));
    eprintln!("2,000 points: {small} pixels with 1 px points, {large} with 4 px");
    assert!(small > 1000, "the points are drawn ({small} pixels)");
    assert!(
        large > small * 3,
        "bigger points cover more ({small} -> {large})"
    );
    common::assert_no_gpu_errors(&headless.gpu);
    let _ = std::fs::remove_file(&path);
}

/// A splat scene moved and rotated (SH rotated with it), seen from the camera
/// moved the same way, renders like the original from the original camera.
#[test]
fn placed_splat_scenes_render_like_the_original() {
    if common::gpu().is_none() {
        return;
    }
    let path = common::testdata("splats/playbot_l6.ply");
    let mut objects = splatview::io::load_scene_objects(std::slice::from_ref(&path)).expect("load");
    let original = objects.clone();
    let placement = splatview::scene::Similarity {
        translation: glam::Vec3::new(3.0, -1.0, 2.0),
        rotation: glam::Quat::from_euler(glam::EulerRot::YXZ, 0.9, -0.4, 0.3),
        scale: 1.7,
    };
    objects.objects[0].placement = placement;
    let gpu = splatview::gpu::GpuContext::new_headless().expect("GPU");
    let mut moved = HeadlessScene::from_objects(gpu, &objects).expect("upload");
    let gpu = splatview::gpu::GpuContext::new_headless().expect("GPU");
    let mut still = HeadlessScene::from_objects(gpu, &original).expect("upload");
    let settings = RenderSettings::default();
    for (i, camera) in views(original.bounds()).iter().enumerate() {
        let world_from_camera = placement.to_mat4() * camera.world_from_camera;
        // The camera moved with the scene: its scale grows the world, not the
        // camera (a similarity keeps angles, so the view is the same).
        let moved_camera = PinholeCamera {
            world_from_camera: normalize_scale(world_from_camera),
            ..*camera
        };
        let a = render_image(&mut still, *camera, &settings).expect("render");
        let b = render_image(&mut moved, moved_camera, &settings).expect("render");
        let db = psnr(&a, &b).expect("same size");
        eprintln!("placed playbot view {i}: {db:.2} dB");
        assert!(db >= 45.0, "view {i}: {db:.2} dB < 45 dB");
    }
}

/// `world_from_camera` with the scale taken out of its rotation columns.
fn normalize_scale(m: glam::Mat4) -> glam::Mat4 {
    glam::Mat4::from_cols(
        m.x_axis.truncate().normalize().extend(0.0),
        m.y_axis.truncate().normalize().extend(0.0),
        m.z_axis.truncate().normalize().extend(0.0),
        m.w_axis,
    )
}
