//! Several objects in the window (issue 13), through the code that presents
//! (`ViewerCore` into an offscreen target): a mesh added beside a splat scene
//! shows both, exactly as `splatview render a.ply b.glb` draws them; hiding
//! and moving objects; "Frame scene" over the visible objects; a bad mesh file
//! changes nothing; a lost device brings every object back with its placement
//! and visibility; screenshots include the meshes.

mod common;

use std::path::{Path, PathBuf};

use glam::{Quat, Vec3};
use splatview::app::command::Command;
use splatview::headless::{
    CameraSpec, HeadlessScene, RenderJob, RenderOutput, RenderSettings, render_image,
};
use splatview::metrics::psnr;
use splatview::render::Raster;
use splatview::scene::objects::SceneObjects;
use splatview::scene::{PinholeCamera, Similarity};
use splatview::settings::Settings;

use common::window::WindowHarness;

const SIZE: (u32, u32) = (320, 200);

fn splats() -> PathBuf {
    common::testdata("splats/playbot_l6.ply")
}

fn mesh() -> PathBuf {
    common::testdata("meshes/BoxTextured.glb")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("splatview-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Headless render of `objects` (as loaded by `render`) from `camera`.
fn render_objects(objects: &SceneObjects, camera: PinholeCamera) -> image::RgbImage {
    let gpu = splatview::gpu::GpuContext::new_headless().expect("GPU");
    let mut headless = HeadlessScene::from_objects(gpu, objects).expect("upload");
    let settings = RenderSettings {
        raster: Raster::Auto,
        ..Default::default()
    };
    render_image(&mut headless, camera, &settings).expect("render")
}

fn load(paths: &[PathBuf]) -> SceneObjects {
    splatview::io::load_scene_objects(paths).expect("load")
}

fn save_pair(name: &str, a: &image::RgbImage, b: &image::RgbImage) {
    let dir = std::env::temp_dir();
    let _ = a.save(dir.join(format!("{name}-window.png")));
    let _ = b.save(dir.join(format!("{name}-render.png")));
}

fn assert_same(name: &str, window: &image::RgbImage, render: &image::RgbImage) {
    let db = psnr(window, render).expect("same size");
    if window != render {
        save_pair(name, window, render);
    }
    assert!(
        window == render,
        "{name}: window and render differ ({db:.2} dB)"
    );
}

fn window_with_both() -> WindowHarness {
    let mut window = WindowHarness::new(SIZE, Settings::default());
    window.open(&splats());
    window.add(&mesh());
    window
}

fn camera(window: &WindowHarness) -> PinholeCamera {
    window.core.state.rig.camera(SIZE.0, SIZE.1)
}

/// File > Add of a mesh beside a splat scene: both show, framed together, and
/// the frame is `splatview render playbot_l6.ply BoxTextured.glb` with no
/// camera flags, pixel for pixel.
#[test]
fn added_mesh_shows_beside_the_splats_as_render_draws_them() {
    if common::gpu().is_none() {
        return;
    }
    let mut window = window_with_both();
    let on_screen = window.settle();
    assert_eq!(window.core.state.objects.len(), 2);
    let dir = temp_dir("objects-render");
    let out = dir.join("render.png");
    let job = RenderJob {
        scenes: vec![splats(), mesh()],
        camera: CameraSpec::Framing,
        width: Some(SIZE.0),
        height: Some(SIZE.1),
        settings: RenderSettings {
            raster: Raster::Auto,
            ..Default::default()
        },
        output: RenderOutput::Image(out.clone()),
    };
    splatview::headless::run_render(&job).expect("render");
    let rendered = image::open(&out).expect("png").to_rgb8();
    assert_same("mesh-beside-splats", &on_screen, &rendered);
    // Both are there: the splats alone and the mesh alone differ from it.
    let objects = load(&[splats(), mesh()]);
    for hidden in 0..2 {
        let mut one = objects.clone();
        one.objects[hidden].visible = false;
        let db = psnr(&on_screen, &render_objects(&one, camera(&window))).expect("size");
        eprintln!("without object {hidden}: {db:.2} dB");
        assert!(db < 40.0, "object {hidden} is not drawn ({db:.2} dB)");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Hiding an object leaves it out; showing it again brings the frame back.
#[test]
fn visibility_toggles() {
    if common::gpu().is_none() {
        return;
    }
    let mut window = window_with_both();
    let both = window.settle();
    let camera = camera(&window);
    let objects = load(&[splats(), mesh()]);
    for hidden in 0..2 {
        window.core.state.objects[hidden].visible = false;
        let shown = window.settle();
        let mut expected = objects.clone();
        expected.objects[hidden].visible = false;
        assert_same(
            &format!("hidden-{hidden}"),
            &shown,
            &render_objects(&expected, camera),
        );
        window.core.state.objects[hidden].visible = true;
        assert!(window.settle() == both, "showing object {hidden} again");
    }
    // Hiding the only splat object keeps no CPU copy (it is drawn as loaded).
    assert_eq!(window.core.state.objects[0].cpu_bytes, 0);
}

/// Moving objects: the splats are rebuilt from a copy reloaded from their file
/// (positions, rotations, scales and SH turned with them) and the mesh's
/// transform is rewritten; the frame equals the headless render of the same
/// placed objects.
#[test]
fn placement_moves_the_objects() {
    if common::gpu().is_none() {
        return;
    }
    let mut window = window_with_both();
    let before = window.settle();
    let camera = camera(&window);
    let splat_placement = Similarity {
        translation: Vec3::new(0.3, -0.2, 0.1),
        rotation: Quat::from_euler(glam::EulerRot::XYZ, 0.2, 0.5, -0.1),
        scale: 0.8,
    };
    let mesh_placement = Similarity {
        translation: Vec3::new(-0.5, 0.0, 0.4),
        rotation: Quat::from_rotation_y(0.7),
        scale: 1.3,
    };
    window.core.state.objects[0].placement = splat_placement;
    window.core.state.objects[1].placement = mesh_placement;
    let moved = window.settle();
    assert!(moved != before, "nothing moved");
    // The splat object now keeps a CPU copy (a placement needs one).
    assert!(window.core.state.objects[0].cpu_bytes > 0);
    let mut objects = load(&[splats(), mesh()]);
    objects.objects[0].placement = splat_placement;
    objects.objects[1].placement = mesh_placement;
    assert_same("placed", &moved, &render_objects(&objects, camera));
    // Reset: back to the frame before (the splats as loaded again).
    for entry in &mut window.core.state.objects {
        entry.reset_placement();
    }
    let reset = window.settle();
    assert!(
        reset == before,
        "reset placement differs from the loaded scene"
    );
    assert_eq!(window.core.state.objects[0].cpu_bytes, 0, "copy dropped");
}

/// "Frame scene" frames every visible object: the bounds are
/// `SceneObjects::bounds` of the same placed objects.
#[test]
fn frame_scene_covers_the_visible_objects() {
    if common::gpu().is_none() {
        return;
    }
    let mut window = window_with_both();
    window.settle();
    let far = Similarity {
        translation: Vec3::new(6.0, 0.0, 2.0),
        scale: 2.0,
        ..Similarity::IDENTITY
    };
    window.core.state.objects[1].placement = far;
    let mut objects = load(&[splats(), mesh()]);
    objects.objects[1].placement = far;
    let expected = objects.bounds().expect("bounds");
    let shown = window.core.state.scene_bounds().expect("bounds");
    assert!(
        shown.min.abs_diff_eq(expected.min, 1e-4) && shown.max.abs_diff_eq(expected.max, 1e-4),
        "{shown:?} vs {expected:?}"
    );
    window.core.state.execute(Command::FrameScene);
    window.core.state.rig.update(f32::INFINITY);
    let mut reference = window.core.state.rig.clone();
    reference.frame(Some(expected), SIZE.0 as f32 / SIZE.1 as f32);
    reference.update(f32::INFINITY);
    assert_eq!(camera(&window), reference.camera(SIZE.0, SIZE.1));
    // Hidden objects are left out.
    window.core.state.objects[1].visible = false;
    objects.objects[1].visible = false;
    assert_eq!(window.core.state.scene_bounds(), objects.bounds());
}

/// A damaged mesh file (added, or opened in place of the scene) gives one
/// error and the scene stays as it was.
#[test]
fn bad_mesh_file_keeps_the_previous_scene() {
    if common::gpu().is_none() {
        return;
    }
    let dir = temp_dir("bad-mesh");
    let bytes = std::fs::read(mesh()).expect("read");
    let truncated = dir.join("truncated.glb");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("write");
    let nan = dir.join("nan.obj");
    std::fs::write(&nan, "v nan 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n").expect("write");
    let mut window = WindowHarness::new(SIZE, Settings::default());
    window.open(&splats());
    let before = window.settle();
    for (bad, open) in [(&truncated, false), (&truncated, true), (&nan, false)] {
        window.core.state.errors.clear();
        if open {
            window.core.open_scene(bad.clone());
        } else {
            window.core.add_scene(bad.clone());
        }
        let after = window.settle();
        eprintln!("{}: {:?}", bad.display(), window.core.state.errors);
        assert_eq!(window.core.state.errors.len(), 1, "{bad:?}");
        assert!(
            window.core.state.errors[0]
                .contains(bad.file_name().and_then(|n| n.to_str()).unwrap_or("?")),
            "the error names the file: {:?}",
            window.core.state.errors
        );
        assert_eq!(window.core.state.objects.len(), 1);
        assert!(after == before, "{}: the scene changed", bad.display());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// After a lost device every object comes back from its file with its
/// placement and visibility, and the frame is the one before.
#[test]
fn lost_device_reloads_every_object() {
    if common::gpu().is_none() {
        return;
    }
    let mut window = window_with_both();
    window.add(&common::testdata("meshes/box.obj"));
    window.core.state.objects[1].placement.translation = Vec3::new(0.2, 0.1, 0.0);
    window.core.state.objects[2].visible = false;
    let before = window.settle();
    window.core.gpu.device.destroy();
    let _ = window.core.gpu.device.poll(wgpu::PollType::Poll);
    assert!(window.core.device_lost().is_some());
    window.recover_if_lost();
    let after = window.settle();
    assert_eq!(window.core.state.objects.len(), 3);
    assert!(!window.core.state.objects[2].visible);
    if after != before {
        save_pair("lost-objects", &after, &before);
    }
    assert!(after == before, "the recovered viewer shows another image");
}

/// Screenshots go through the screenshot view with the meshes: the PNG is the
/// frame on screen.
#[test]
fn screenshots_include_the_meshes() {
    if common::gpu().is_none() {
        return;
    }
    let dir = temp_dir("objects-shot");
    let mut window = WindowHarness::new(
        SIZE,
        Settings {
            screenshot_dir: Some(dir.clone()),
            ..Settings::default()
        },
    );
    window.open(&splats());
    window.add(&mesh());
    let on_screen = window.settle();
    window.core.state.execute(Command::Screenshot);
    let shot = image::open(window.wait_screenshot())
        .expect("png")
        .to_rgb8();
    assert_same("shot-with-mesh", &on_screen, &shot);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `splatview a.ply b.glb`: the first file is the scene, the others are added.
#[test]
fn several_files_open_together() {
    if common::gpu().is_none() {
        return;
    }
    let mut window = WindowHarness::new(SIZE, Settings::default());
    window.core.open_scenes(vec![
        splats(),
        mesh(),
        common::testdata("meshes/pond.0.ply"),
    ]);
    window.settle();
    let names: Vec<&str> = window
        .core
        .state
        .objects
        .iter()
        .map(|o| o.name.as_str())
        .collect();
    assert_eq!(names, ["playbot_l6.ply", "BoxTextured.glb", "pond.0.ply"]);
    assert!(
        window
            .core
            .state
            .scene
            .as_ref()
            .is_some_and(|s| s.name.contains("+ 2 more")),
        "{:?}",
        window.core.state.scene
    );
    let _: &Path = &splats();
}

/// A scene of meshes alone, opened under the default -Y up, says how to flip
/// it (most meshes are +Y up); a mesh added to splats shares their axes and
/// says nothing, nor does a view already +Y up.
#[test]
fn opening_a_mesh_alone_says_how_to_flip_up() {
    if common::gpu().is_none() {
        return;
    }
    let hints = |window: &WindowHarness| {
        let notices = &window.core.state.notices;
        notices.iter().filter(|n| n.contains("press U")).count()
    };
    let mut window = window_with_both();
    assert_eq!(hints(&window), 0, "{:?}", window.core.state.notices);
    window.open(&mesh());
    assert_eq!(hints(&window), 1, "{:?}", window.core.state.notices);
    let settings = Settings {
        up_axis: splatview::controls::UpAxis::PosY,
        ..Settings::default()
    };
    let mut window = WindowHarness::new(SIZE, settings);
    window.open(&mesh());
    assert_eq!(hints(&window), 0, "{:?}", window.core.state.notices);
}

/// An added splat file is listed with its own SH degree and anti-aliasing
/// hint (an SH 2 scene added beside an SH 0 one read "SH 0", and the scene
/// too).
#[test]
fn an_added_splat_file_keeps_its_sh_degree() {
    if common::gpu().is_none() {
        return;
    }
    let mut window = WindowHarness::new(SIZE, Settings::default());
    window.open(&common::testdata("splats/guitar.splat"));
    window.add(&splats());
    let degrees: Vec<u32> = window
        .core
        .state
        .objects
        .iter()
        .filter_map(|o| match o.kind {
            splatview::app::objects::ObjectKind::Splats { sh_degree, .. } => Some(sh_degree),
            _ => None,
        })
        .collect();
    assert_eq!(degrees, [0, 2], "guitar is SH 0, playbot SH 2");
    let scene = window.core.state.scene.as_ref().expect("scene");
    assert_eq!(scene.sh_degree, 2, "the scene's highest");
}
