//! Splats and meshes together (issue 13): a plane cutting through a splat scene
//! at 45 degrees to the view hides the splats whose centres lie behind it, in
//! both rasterizers, as the CPU reference with the same rule draws it
//! (`reference::render_reference_over` over `reference::mesh`'s colour and depth:
//! a splat is hidden at a pixel where its centre's view depth is greater than
//! the mesh's).

mod common;

use glam::Vec3;
use splatview::controls::{OrbitCamera, UpAxis};
use splatview::headless::{HeadlessScene, RenderSettings, render_image};
use splatview::metrics::psnr;
use splatview::reference::mesh::{MeshRenderOptions, render_mesh_reference};
use splatview::reference::{render_reference, render_reference_over, to_rgb8};
use splatview::render::{MeshParams, Raster};
use splatview::scene::AaMode;
use splatview::scene::mesh::shading::MeshShading;

const WIDTH: u32 = 240;
const HEIGHT: u32 = 180;

/// An OBJ square of half-size `half` through `center`, spanned by `u` and `v`.
fn plane_obj(center: Vec3, u: Vec3, v: Vec3, half: f32) -> String {
    let corners = [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)];
    let mut obj = String::from("# a plane through the scene\n");
    for (a, b) in corners {
        let p = center + (u * a + v * b) * half;
        obj.push_str(&format!("v {} {} {}\n", p.x, p.y, p.z));
    }
    obj.push_str("f 1 2 3\nf 1 3 4\n");
    obj
}

#[test]
fn a_plane_through_the_splats_hides_those_behind_it_as_the_reference_does() {
    if common::gpu().is_none() {
        return;
    }
    let scene = common::testdata("splats/playbot_l6.ply");
    let cloud = splatview::io::load_splat_file(&scene).expect("load");
    let bounds = splatview::scene::SceneBounds::robust(&cloud).expect("bounds");
    let orbit = OrbitCamera::initial_view(
        Some(bounds),
        UpAxis::default(),
        WIDTH as f32 / HEIGHT as f32,
    );
    let camera = orbit.camera(WIDTH, HEIGHT);
    // The plane holds the camera's up and the diagonal of its forward and right.
    let forward = camera.forward();
    let up = splatview::controls::orbit::DEFAULT_WORLD_UP;
    let right = forward.cross(up).normalize();
    let across = (forward + right).normalize();
    let half = (bounds.max - bounds.min).max_element();
    let dir = std::env::temp_dir().join(format!("splatview-occlusion-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let plane = dir.join("plane.obj");
    std::fs::write(
        &plane,
        plane_obj(bounds.center(), across, up.normalize(), half),
    )
    .expect("write");

    let objects = splatview::io::load_scene_objects(&[scene, plane]).expect("load both");
    let splats = objects.combined_splats().expect("splats");
    let meshes: Vec<_> = objects.placed_meshes().collect();
    let background = [0.1, 0.15, 0.2];
    let mesh_params = MeshParams {
        shading: MeshShading::Unlit,
        ..Default::default()
    };
    let reference_mesh = render_mesh_reference(
        &meshes.iter().collect::<Vec<_>>(),
        &camera,
        &MeshRenderOptions {
            shading: MeshShading::Unlit,
            background,
            ..Default::default()
        },
    );
    let covered = reference_mesh
        .depth
        .iter()
        .filter(|d| d.is_finite())
        .count();
    let expected = to_rgb8(
        &render_reference_over(
            &splats,
            &camera,
            AaMode::Classic,
            &reference_mesh.color,
            Some(&reference_mesh.depth),
        ),
        WIDTH,
        HEIGHT,
    );
    // Without the depth rule the picture is clearly different: the test can tell.
    let unoccluded = to_rgb8(
        &render_reference_over(
            &splats,
            &camera,
            AaMode::Classic,
            &reference_mesh.color,
            None,
        ),
        WIDTH,
        HEIGHT,
    );
    let splats_alone = to_rgb8(
        &render_reference(&splats, &camera, background, AaMode::Classic),
        WIDTH,
        HEIGHT,
    );
    let gap = psnr(&expected, &unoccluded).expect("same size");
    eprintln!("plane covers {covered} pixels; with vs without occlusion: {gap:.2} dB");
    assert!(
        covered > (WIDTH * HEIGHT / 10) as usize,
        "the plane is out of view"
    );
    assert!(
        gap < 25.0,
        "the plane hides too little to test: {gap:.2} dB"
    );
    assert!(psnr(&expected, &splats_alone).expect("same size") < 25.0);

    let gpu = splatview::gpu::GpuContext::new_headless().expect("GPU");
    let mut headless = HeadlessScene::from_objects(gpu, &objects).expect("upload");
    for raster in [Raster::Hardware, Raster::Compute] {
        let settings = RenderSettings {
            background,
            raster,
            mesh: mesh_params,
            ..Default::default()
        };
        let image = render_image(&mut headless, camera, &settings).expect("render");
        let db = psnr(&image, &expected).expect("same size");
        eprintln!(
            "{}: {db:.2} dB against the reference with occlusion",
            raster.name()
        );
        if db < 35.0 || std::env::var_os("SPLATVIEW_TEST_KEEP").is_some() {
            eprintln!("images in {}", dir.display());
            let _ = image.save(dir.join(format!("gpu-{}.png", raster.name())));
            let _ = expected.save(dir.join("reference.png"));
        }
        assert!(db >= 35.0, "{}: {db:.2} dB", raster.name());
    }
    common::assert_no_gpu_errors(&headless.gpu);
}
