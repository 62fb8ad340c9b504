//! What the window presents, through the code that presents it (`ViewerCore`
//! drawing scene and overlay into a texture), against the screenshot and
//! `render` paths: complete tile frames, the first view of a streamed scene,
//! and the resolution scale.

mod common;

use splatview::headless::{CameraSpec, RenderJob, RenderOutput, RenderSettings};
use splatview::metrics::psnr;
use splatview::render::Raster;
use splatview::scene::SplatCloud;
use splatview::settings::{LodSettings, Settings};

use common::window::WindowHarness;

/// `n` large faint splats: a 320x180 view of them needs far more (tile, splat)
/// pairs than the compute rasterizer's first buffers hold (65,536).
fn huge_splats(n: usize) -> SplatCloud {
    let mut cloud = SplatCloud::new(0);
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 40) as f32 / (1u64 << 24) as f32
    };
    for _ in 0..n {
        cloud
            .positions
            .push([next() - 0.5, next() - 0.5, next() - 0.5]);
        cloud
            .log_scales
            .push([0.25f32.ln(), 0.15f32.ln(), 0.2f32.ln()]);
        cloud
            .rotations
            .push(splatview::scene::splats::normalize_quat([
                next(),
                next() - 0.5,
                next() - 0.5,
                next() - 0.5,
            ]));
        cloud.opacity_logits.push(-2.0);
        cloud
            .sh_dc
            .push([next() * 2.0 - 1.0, next() * 2.0 - 1.0, next() * 2.0 - 1.0]);
    }
    cloud
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("splatview-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn settings_with(raster: Raster, screenshot_dir: &std::path::Path) -> Settings {
    Settings {
        lod: LodSettings {
            raster,
            ..LodSettings::default()
        },
        screenshot_dir: Some(screenshot_dir.to_owned()),
        ..Settings::default()
    }
}

/// With either rasterizer, the image on screen is the screenshot's image. With
/// tiles, the first frame needs more pairs than the buffers hold: it is drawn
/// complete (the quads stand in), and the window renders again at once with
/// grown buffers, which gives exactly the screenshot.
#[test]
fn frames_on_screen_equal_screenshots_with_both_rasterizers() {
    if common::gpu().is_none() {
        return;
    }
    let dir = temp_dir("window-vs-shot");
    let scene = dir.join("huge.ply");
    let mut file = std::fs::File::create(&scene).expect("create");
    splatview::io::ply::write_gaussian_ply(&huge_splats(4000), &mut file).expect("write");
    drop(file);
    for raster in [Raster::Hardware, Raster::Compute] {
        let mut window = WindowHarness::new((320, 180), settings_with(raster, &dir));
        window.open(&scene);
        let first = window.frame();
        // The frames the window draws on its own (it redraws while something
        // is pending, e.g. a stale tile frame).
        let mut on_screen = first.clone();
        for _ in 0..3 {
            on_screen = window.frame();
        }
        window
            .core
            .state
            .execute(splatview::app::command::Command::Screenshot);
        let shot_path = window.wait_screenshot();
        let shot = image::open(&shot_path).expect("png").to_rgb8();
        let first_db = psnr(&first, &shot).expect("same size");
        eprintln!("{raster:?}: first frame vs screenshot {first_db:.2} dB");
        assert!(
            on_screen == shot,
            "{raster:?}: the window shows another image than its screenshot"
        );
        if raster == Raster::Compute {
            let capacity = window
                .core
                .scene_view
                .view()
                .tile_buffers()
                .expect("tiles drew")
                .capacity();
            assert!(
                capacity > 65_536,
                "the pair buffers never overflowed ({capacity})"
            );
            // The first frame overflowed: complete, drawn by the stand-in quads.
            assert!(
                first_db >= 40.0,
                "the first tile frame is incomplete: {first_db:.2} dB"
            );
        } else {
            assert!(first == shot);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A file that streams in several chunks (.ksplat here) is framed as a whole
/// once it has loaded, as the same scene from a float PLY is.
#[test]
fn streamed_scene_is_framed_when_complete() {
    if common::gpu().is_none() {
        return;
    }
    let size = (320, 180);
    let first_view = |name: &str| {
        let mut window = WindowHarness::new(size, Settings::default());
        window.open(&common::testdata(&format!("splats/{name}")));
        window.core.state.rig.update(f32::INFINITY);
        (window.core.state.rig.camera(size.0, size.1), window.frame())
    };
    let (ksplat_camera, ksplat_image) = first_view("guitar.c1.ksplat");
    let (ply_camera, ply_image) = first_view("guitar.decoded.ply");
    let (a, b) = (ksplat_camera.position(), ply_camera.position());
    let radius = 1.0; // the guitar is about 1 unit across
    eprintln!("first views: ksplat at {a}, PLY at {b}");
    assert!(
        a.distance(b) < 0.02 * radius,
        "the ksplat opens at {a}, the PLY at {b}"
    );
    let db = psnr(&ksplat_image, &ply_image).expect("same size");
    eprintln!("first frames, ksplat vs PLY: {db:.2} dB");
    assert!(db >= 30.0, "first frames differ: {db:.2} dB");
}

/// `splatview render` without camera flags shows what the window opens with.
#[test]
fn render_without_camera_flags_equals_the_first_view() {
    if common::gpu().is_none() {
        return;
    }
    let size = (400, 260);
    let scene = common::testdata("splats/biker.ply");
    let mut window = WindowHarness::new(size, Settings::default());
    window.open(&scene);
    let on_screen = window.frame();
    let dir = temp_dir("first-view");
    let out = dir.join("render.png");
    let job = RenderJob {
        scenes: vec![scene],
        camera: CameraSpec::Framing,
        width: Some(size.0),
        height: Some(size.1),
        settings: RenderSettings {
            raster: Raster::Auto,
            ..Default::default()
        },
        output: RenderOutput::Image(out.clone()),
    };
    splatview::headless::run_render(&job).expect("render");
    let rendered = image::open(&out).expect("png").to_rgb8();
    let db = psnr(&on_screen, &rendered).expect("same size");
    eprintln!("window first view vs render: {db:.2} dB");
    assert!(
        on_screen == rendered,
        "render differs from the window ({db:.2} dB)"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The LOD resolution scale as the window applies it: the frame on screen is
/// rendered at half size and scaled up, close to but not the full-size frame,
/// and the same as `render` with that scale.
#[test]
fn resolution_scale_through_the_window_path() {
    if common::gpu().is_none() {
        return;
    }
    let size = (320, 180);
    let scene = common::testdata("splats/playbot_l6.ply");
    let mut window = WindowHarness::new(size, Settings::default());
    window.open(&scene);
    let full = window.frame();
    window.core.state.settings.lod.resolution_scale = 0.5;
    let half = window.frame();
    assert_eq!(window.core.state.stats.render_size, (160, 90));
    let db = psnr(&full, &half).expect("same size");
    eprintln!("half resolution vs full, through the window: {db:.2} dB");
    assert!(
        db > 20.0 && db < 60.0,
        "half resolution should be close but not equal: {db:.1} dB"
    );
    let camera = window.core.state.rig.camera(size.0, size.1);
    let cloud = splatview::io::load_splat_file(&scene).expect("load");
    let gpu = splatview::gpu::GpuContext::new_headless().expect("GPU");
    let mut headless = splatview::headless::HeadlessScene::new(gpu, &cloud).expect("upload");
    let mut settings = RenderSettings {
        raster: Raster::Auto,
        ..Default::default()
    };
    settings.lod.resolution_scale = 0.5;
    let rendered =
        splatview::headless::render_image(&mut headless, camera, &settings).expect("render");
    assert!(
        half == rendered,
        "the window's half-resolution frame differs from render"
    );
}
