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
    let mut next = common::unit_noise(0x9E37_79B9_7F4A_7C15u64);
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

fn settings_blending(
    raster: Raster,
    fast_blend: bool,
    screenshot_dir: &std::path::Path,
) -> Settings {
    Settings {
        lod: LodSettings {
            raster,
            fast_blend,
            ..LodSettings::default()
        },
        screenshot_dir: Some(screenshot_dir.to_owned()),
        ..Settings::default()
    }
}

/// With either rasterizer, and with the quads' fast 8-bit blending, the image
/// on screen is the screenshot's image. With tiles, the first frame needs more
/// pairs than the buffers hold: it is drawn complete (the quads stand in), and
/// the window renders again at once with grown buffers, which gives exactly
/// the screenshot. The tiles and the fast-blending quads draw straight into
/// the view (no compose pass), the other quads compose.
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
    for (raster, fast_blend) in [
        (Raster::Hardware, false),
        (Raster::Compute, false),
        (Raster::Hardware, true),
    ] {
        let mut window =
            WindowHarness::new((320, 180), settings_blending(raster, fast_blend, &dir));
        window.open(&scene);
        let first = window.frame();
        assert_eq!(
            window.core.scene_view.view().last_compose_folded(),
            raster == Raster::Compute || fast_blend,
            "{raster:?}, fast blending {fast_blend}"
        );
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

/// The resolution scale as the window applies it, set in the settings field the
/// UI's "Resolution scale" slider edits (`settings.lod.resolution_scale`): at 0.5
/// and 2 the frame on screen is the frame `render` gives with that scale, and
/// it follows the rule below against the CPU reference.
///
/// The rule (`ViewParams::render_size`/`render_camera`, shaders/compose.wgsl):
/// the splats are rendered at round(W s) x round(H s) with the camera resized
/// (fy and cy times the height ratio, fx keeping fx/fy, cx times the width
/// ratio), and the compose pass samples that bilinearly at each output pixel
/// centre: texel coordinate (i + 0.5) W_s / W - 0.5, clamped at the edges,
/// premultiplied colour over the background. At s = 2 an output pixel is the
/// mean of a 2x2 block; at s = 0.5 a 3:1 blend of the two nearest texels per
/// axis.
#[test]
fn resolution_scale_through_the_window_path() {
    if common::gpu().is_none() {
        return;
    }
    let size = (320, 180);
    let scene = common::testdata("splats/playbot_l6.ply");
    let cloud = splatview::io::load_splat_file(&scene).expect("load");
    let mut window = WindowHarness::new(size, Settings::default());
    window.open(&scene);
    let full = window.frame();
    let camera = window.core.state.rig.camera(size.0, size.1);
    let background = window.core.state.settings.background;
    let gpu = splatview::gpu::GpuContext::new_headless().expect("GPU");
    let mut headless = splatview::headless::HeadlessScene::new(gpu, &cloud).expect("upload");
    // Against the full-size frame, a bound under what was measured on lavapipe
    // (2026-11-30): 29.09 dB at 0.5, 35.72 dB at 2. It cannot be 30 dB at 0.5:
    // a quarter of the pixels, upsampled, loses the detail above their Nyquist
    // limit (playbot's edges are sharp). Correctness is checked against the
    // resampled reference below.
    for (scale, render_size, min_db_vs_full) in [(0.5, (160, 90), 27.0), (2.0, (640, 360), 33.0)] {
        window.core.state.settings.lod.resolution_scale = scale;
        let on_screen = window.frame();
        assert_eq!(window.core.state.stats.render_size, render_size);
        let db = psnr(&full, &on_screen).expect("same size");
        eprintln!("scale {scale} vs 1, through the window: {db:.2} dB");
        assert!(
            on_screen != full && db >= min_db_vs_full,
            "scale {scale}: should be close to the full-size frame but not equal: {db:.2} dB"
        );

        let mut settings = RenderSettings {
            raster: Raster::Auto,
            ..Default::default()
        };
        settings.lod.resolution_scale = scale;
        let rendered =
            splatview::headless::render_image(&mut headless, camera, &settings).expect("render");
        assert!(
            on_screen == rendered,
            "scale {scale}: the window's frame differs from render"
        );

        // The CPU reference at the render size, resampled by the rule above.
        let scaled = camera.resized(render_size.0, render_size.1);
        let reference = splatview::reference::render_reference(
            &cloud,
            &scaled,
            background,
            splatview::scene::AaMode::Classic,
        );
        let expected = resample_like_compose(&reference, render_size, size);
        let db = psnr(&on_screen, &expected).expect("same size");
        eprintln!("scale {scale}: window vs reference resampled by the compose rule: {db:.2} dB");
        // Measured 63.23 dB (0.5) and 65.73 dB (2) on lavapipe; 50 dB leaves room
        // for GPUs (an H100 measured ~3 dB lower than lavapipe on the reference
        // comparisons of render_reference.rs).
        assert!(
            db >= 50.0,
            "scale {scale}: window vs the resampled reference {db:.2} dB < 50 dB"
        );
    }
}

/// `pixels` (`from` pixels, row-major, display values) sampled bilinearly at the
/// centres of a `to` grid as shaders/compose.wgsl samples the accumulation
/// (clamp to edge), then clamped and quantized as the unorm output.
fn resample_like_compose(pixels: &[[f32; 3]], from: (u32, u32), to: (u32, u32)) -> image::RgbImage {
    let axis = |i: u32, src: u32, dst: u32| {
        let s = (f64::from(i) + 0.5) * f64::from(src) / f64::from(dst) - 0.5;
        let base = s.floor();
        let t = s - base;
        let clamp = |v: f64| v.clamp(0.0, f64::from(src - 1)) as usize;
        (clamp(base), clamp(base + 1.0), t)
    };
    image::RgbImage::from_fn(to.0, to.1, |x, y| {
        let (x0, x1, tx) = axis(x, from.0, to.0);
        let (y0, y1, ty) = axis(y, from.1, to.1);
        let at = |x: usize, y: usize, c: usize| f64::from(pixels[y * from.0 as usize + x][c]);
        image::Rgb(std::array::from_fn(|c| {
            let top = at(x0, y0, c) * (1.0 - tx) + at(x1, y0, c) * tx;
            let bottom = at(x0, y1, c) * (1.0 - tx) + at(x1, y1, c) * tx;
            let v = top * (1.0 - ty) + bottom * ty;
            (v.clamp(0.0, 1.0) * 255.0).round() as u8
        }))
    })
}
