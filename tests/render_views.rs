//! Many views on one device: views of several scenes encoded into one
//! submission, screenshots from the window's device, and recovery from a lost
//! device.

mod common;

use splatview::controls::OrbitCamera;
use splatview::gpu::readback::read_texture_rgba8;
use splatview::render::offscreen::{OffscreenView, rgba_to_rgb};
use splatview::render::{Raster, Renderer, ViewParams};
use splatview::scene::{SceneBounds, SplatCloud};
use splatview::settings::Settings;

use common::window::WindowHarness;
use common::{TestView, upload};

/// The tests of this file count devices and uploads: they run one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn load(name: &str) -> SplatCloud {
    splatview::io::load_splat_file(&common::testdata(&format!("splats/{name}")))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn framing(cloud: &SplatCloud, yaw: f32, size: (u32, u32)) -> splatview::scene::PinholeCamera {
    let mut orbit = OrbitCamera::framing(SceneBounds::robust(cloud), size.0 as f32 / size.1 as f32);
    orbit.yaw += yaw;
    orbit.camera(size.0, size.1)
}

/// Two scenes and three views of different sizes and rasterizers, recorded
/// into one encoder and submitted once: each image equals that view rendered
/// alone, so no view's uniforms or buffers leak into another's.
#[test]
fn views_in_one_submission_equal_views_rendered_alone() {
    let _serial = serial();
    let Some(ctx) = common::gpu() else { return };
    let (playbot, guitar) = (load("playbot_l6.ply"), load("guitar.decoded.ply"));
    let scenes = [upload(ctx, &playbot), upload(ctx, &guitar)];
    let params = [
        // (scene, params)
        (
            0,
            ViewParams {
                background: [0.1, 0.2, 0.3],
                ..ViewParams::new(framing(&playbot, 0.0, (200, 120)))
            },
        ),
        (
            1,
            ViewParams {
                raster: Raster::Compute,
                ..ViewParams::new(framing(&guitar, 1.0, (96, 160)))
            },
        ),
        (
            0,
            ViewParams {
                sort_key_bits: 32,
                ..ViewParams::new(framing(&playbot, 2.5, (128, 128)))
            },
        ),
    ];
    let renderer = Renderer::new(&ctx.device).expect("renderer");
    // Each view alone, each in its own submission (first frames also size the
    // tile buffers, so the shared submission below does not overflow them).
    let mut views: Vec<OffscreenView> = params
        .iter()
        .map(|_| OffscreenView::new(&ctx.device, &renderer))
        .collect();
    let alone: Vec<image::RgbImage> = params
        .iter()
        .zip(&mut views)
        .map(|((scene, p), view)| {
            view.render(ctx, &renderer, &scenes[*scene], p)
                .expect("render alone")
        })
        .collect();
    // All views in one encoder, one submission.
    let mut encoder = ctx.device.create_command_encoder(&Default::default());
    for ((scene, p), view) in params.iter().zip(&mut views) {
        view.encode(ctx, &renderer, &mut encoder, &scenes[*scene], p)
            .expect("encode");
    }
    ctx.queue.submit([encoder.finish()]);
    for (i, view) in views.iter().enumerate() {
        let texture = view.output_texture().expect("output");
        let rgba = read_texture_rgba8(&ctx.device, &ctx.queue, texture).expect("read");
        let together = rgba_to_rgb(texture.width(), texture.height(), &rgba).expect("size");
        assert_eq!(together.dimensions(), alone[i].dimensions());
        assert!(
            together == alone[i],
            "view {i} differs when encoded with the others"
        );
        assert!(
            together
                .pixels()
                .any(|p| p.0 != [0, 0, 0] && p.0 != [26, 51, 77]),
            "view {i} shows nothing"
        );
    }
    common::assert_no_gpu_errors(ctx);
    // And a view reused for another scene (rebinding) matches a fresh one.
    let mut reused = TestView::new(ctx);
    reused.render(ctx, &scenes[1], &params[1].1);
    assert!(reused.render(ctx, &scenes[0], &params[0].1) == alone[0]);
}

/// A 4K screenshot taken from the window (window 320x180) is rendered on the
/// window's device from the resident scene (no new device, no new upload) and
/// has the pixels `splatview render` gives for the same camera.
#[test]
fn screenshot_from_the_window_equals_render() {
    let _serial = serial();
    if common::gpu().is_none() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("splatview-shot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let settings = Settings {
        screenshot_dir: Some(dir.clone()),
        ..Settings::default()
    };
    let mut window = WindowHarness::new((320, 180), settings);
    let scene_path = common::testdata("splats/playbot_l6.ply");
    window.open(&scene_path);
    window.frame();
    let info = window.core.state.scene.clone().expect("scene info");
    assert_eq!((info.splat_count, info.sh_degree), (1873, 2), "{info:?}");
    let (devices, scenes) = (
        splatview::gpu::devices_created(),
        splatview::render::scene::scenes_created(),
    );
    window
        .core
        .state
        .execute(splatview::app::command::Command::Screenshot4k);
    let shot_path = window.wait_screenshot();
    assert_eq!(
        splatview::gpu::devices_created(),
        devices,
        "the screenshot made a GPU device"
    );
    assert_eq!(
        splatview::render::scene::scenes_created(),
        scenes,
        "the screenshot uploaded the scene again"
    );
    let shot = image::open(&shot_path).expect("screenshot PNG").to_rgb8();
    assert_eq!(shot.dimensions(), (3840, 2160));

    // `splatview render` with the window's camera at 4K.
    let camera = window.core.state.rig.camera(3840, 2160);
    let cloud = splatview::io::load_splat_file(&scene_path).expect("load");
    let gpu = splatview::gpu::GpuContext::new_headless().expect("GPU");
    let mut headless = splatview::headless::HeadlessScene::new(gpu, &cloud).expect("upload");
    let settings = splatview::headless::RenderSettings {
        raster: Raster::Auto,
        ..Default::default()
    };
    let rendered =
        splatview::headless::render_image(&mut headless, camera, &settings).expect("render");
    assert!(shot == rendered, "the 4K screenshot differs from render");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The device is destroyed under the viewer: it notices, makes a new device,
/// reloads the scene from its file and shows the same image again.
#[test]
fn viewer_recovers_from_a_lost_device() {
    let _serial = serial();
    if common::gpu().is_none() {
        return;
    }
    let mut window = WindowHarness::new((240, 160), Settings::default());
    window.open(&common::testdata("splats/playbot_l6.ply"));
    let before = window.frame();
    assert!(before.pixels().any(|p| p.0 != [0, 0, 0]), "nothing drawn");

    window.core.gpu.device.destroy();
    let _ = window.core.gpu.device.poll(wgpu::PollType::Poll);
    let reason = window.core.device_lost().expect("the loss was reported");
    eprintln!("device lost: {reason}");
    window.recover_if_lost();
    assert!(window.core.device_lost().is_none(), "a new device");
    // The scene reloads from its file; the camera stays where it was.
    window.finish_load_allowing_errors();
    let after = window.frame();
    if after != before {
        let dir = std::env::temp_dir();
        let _ = before.save(dir.join("lost-before.png"));
        let _ = after.save(dir.join("lost-after.png"));
    }
    assert!(after == before, "the recovered viewer shows another image");
}

/// Work the GPU rejects outside any error scope is recorded (no panic), and
/// `check_errors`, which `render`, `eval` and `bench` call before they write
/// an image or report a timing, fails with it once and then passes again.
#[test]
fn rejected_gpu_work_fails_the_error_check() {
    let _serial = serial();
    if common::gpu().is_none() {
        return;
    }
    let gpu = splatview::gpu::GpuContext::new_headless().expect("a second device");
    gpu.check_errors("frame")
        .expect("a fresh device has no errors");
    // Mapped for reading and writing at once: invalid without a native-only feature.
    let _rejected = gpu.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("rejected on purpose"),
        size: 16,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::MAP_WRITE,
        mapped_at_creation: false,
    });
    let _ = gpu.device.poll(wgpu::PollType::Poll);
    let error = gpu
        .check_errors("frame")
        .expect_err("the rejection is reported");
    let message = error.to_string();
    assert!(
        message.starts_with("the GPU rejected the frame: "),
        "{message}"
    );
    gpu.check_errors("frame")
        .expect("each error is reported once");
}
