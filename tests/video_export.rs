//! Camera paths as MP4 video: `splatview render --path p.json --video out.mp4`
//! and the window's export, decoded again with OpenH264 and compared with the
//! PNG frames `headless::render_path_frames` renders for the same times. Needs a
//! GPU adapter (lavapipe is enough); skips without one unless CI is set.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Parser as _;
use glam::Vec3;
use splatview::cli::{Cli, Command};
use splatview::controls::CameraPose;
use splatview::controls::path::{CameraPath, Keyframe};
use splatview::headless::{HeadlessScene, RenderSettings, render_path_frames};
use splatview::metrics::psnr;
use splatview::settings::{LodSettings, Settings};

use common::mp4::{decode_frames, read_mp4};
use common::window::WindowHarness;

/// Frames must match their PNGs at least this well.
const MIN_PSNR_DB: f64 = 35.0;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("splatview-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Three keyframes orbiting playbot, 1 s.
fn orbit_path(scene: &Path) -> CameraPath {
    let cloud = splatview::io::load_splat_file(scene).expect("scene");
    let bounds = splatview::scene::SceneBounds::robust(&cloud).expect("non-empty");
    let (c, r) = (bounds.center(), bounds.radius());
    let keyframes = [
        Vec3::new(0.0, -0.3, -2.5),
        Vec3::new(2.5, -0.5, 0.0),
        Vec3::new(0.0, -0.3, 2.5),
    ]
    .iter()
    .map(|offset| {
        Keyframe::with_target(
            &CameraPose::look_at(c + *offset * r, c, Vec3::NEG_Y),
            0.8,
            c,
        )
    })
    .collect();
    CameraPath {
        duration_s: 1.0,
        keyframes,
        ..Default::default()
    }
}

/// The PNG frames of `path` at `frames` times, as `render --out-dir` makes them.
fn reference_frames(
    scene: &Path,
    path: &CameraPath,
    frames: usize,
    size: (u32, u32),
) -> Vec<image::RgbImage> {
    let gpu = splatview::gpu::GpuContext::new_headless().expect("GPU");
    let cloud = splatview::io::load_splat_file(scene).expect("scene");
    let mut headless = HeadlessScene::new(gpu, &cloud).expect("upload");
    let mut images = Vec::new();
    render_path_frames(
        &mut headless,
        path,
        frames,
        size,
        &RenderSettings::default(),
        |_, image| {
            images.push(image.clone());
            Ok(())
        },
    )
    .expect("render the path");
    images
}

fn compare(video: &[image::RgbImage], pngs: &[image::RgbImage], what: &str) {
    assert_eq!(video.len(), pngs.len(), "{what}: frame count");
    let mut worst = f64::INFINITY;
    for (i, (v, p)) in video.iter().zip(pngs).enumerate() {
        let db = psnr(v, p).expect("same size");
        assert!(db >= MIN_PSNR_DB, "{what}: frame {i} at {db:.2} dB");
        worst = worst.min(db);
    }
    eprintln!(
        "{what}: {} frames, worst {worst:.2} dB against the PNGs",
        video.len()
    );
    // The frames differ from each other: the camera moves.
    assert_ne!(video[0].as_raw(), video[video.len() - 1].as_raw());
}

#[test]
fn render_writes_a_video_whose_frames_equal_the_pngs() {
    if common::gpu().is_none() {
        return;
    }
    let dir = temp_dir("video-cli");
    let scene = common::testdata("splats/playbot_l6.ply");
    let path = orbit_path(&scene);
    let path_file = dir.join("path.json");
    path.save(&path_file).expect("save path");
    let out = dir.join("orbit.mp4");
    let cli = Cli::try_parse_from([
        "splatview".as_ref(),
        "render".as_ref(),
        scene.as_os_str(),
        "--path".as_ref(),
        path_file.as_os_str(),
        "--video".as_ref(),
        out.as_os_str(),
        "--fps".as_ref(),
        "10".as_ref(),
        "--width".as_ref(),
        "160".as_ref(),
        "--height".as_ref(),
        "96".as_ref(),
    ] as [&std::ffi::OsStr; 13])
    .expect("arguments parse");
    let Some(Command::Render(args)) = &cli.command else {
        panic!("not a render command");
    };
    let line = splatview::headless::run_render(&args.job().expect("valid flags"))
        .expect("render the video");
    assert!(line.contains("11 frames"), "{line}");

    let mp4 = read_mp4(&out);
    assert_eq!((mp4.width, mp4.height), (160, 96));
    assert_eq!(mp4.samples.len(), 11);
    let video = decode_frames(&mp4);
    compare(
        &video,
        &reference_frames(&scene, &path, 11, (160, 96)),
        "render --video",
    );

    // Odd sizes are refused before anything is rendered.
    let odd = Cli::try_parse_from([
        "splatview".as_ref(),
        "render".as_ref(),
        scene.as_os_str(),
        "--path".as_ref(),
        path_file.as_os_str(),
        "--video".as_ref(),
        out.as_os_str(),
        "--width".as_ref(),
        "161".as_ref(),
    ] as [&std::ffi::OsStr; 9])
    .expect("arguments parse");
    let Some(Command::Render(args)) = &odd.command else {
        panic!("not a render command");
    };
    let err =
        splatview::headless::run_render(&args.job().expect("valid flags")).expect_err("odd width");
    assert!(
        matches!(err, splatview::headless::HeadlessError::Invalid(_)),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_window_exports_the_same_video() {
    if common::gpu().is_none() {
        return;
    }
    let dir = temp_dir("video-window");
    let scene = common::testdata("splats/playbot_l6.ply");
    let path = orbit_path(&scene);
    let settings = Settings {
        lod: LodSettings {
            raster: splatview::render::Raster::Hardware,
            ..LodSettings::default()
        },
        video_fps: 10,
        ..Settings::default()
    };
    let mut window = WindowHarness::new((160, 96), settings);
    window.open(&scene);
    window.core.state.path.path = path.clone();
    let out = dir.join("window.mp4");
    window.core.start_video_export(out.clone());
    assert!(window.core.exporting(), "{:?}", window.core.state.errors);
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut progress_seen = false;
    while window.core.exporting() {
        assert!(Instant::now() < deadline, "the export did not finish");
        window.frame();
        window.pump_events();
        progress_seen |= window
            .core
            .state
            .export
            .as_ref()
            .is_some_and(|e| e.rendered > 0 && e.rendered < e.total);
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(
        window.core.state.errors.is_empty(),
        "{:?}",
        window.core.state.errors
    );
    assert!(progress_seen, "the progress bar never moved");
    assert_eq!(window.core.state.last_saved.as_deref(), Some(out.as_path()));
    let video = decode_frames(&read_mp4(&out));
    compare(
        &video,
        &reference_frames(&scene, &path, 11, (160, 96)),
        "window export",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A tool, not a check: decodes `$SPLATVIEW_MP4` and writes its frames as PNGs
/// into `$SPLATVIEW_FRAMES_OUT` (to look at an exported video without a
/// player). `cargo test --test video_export -- --ignored decode_to_pngs`
#[test]
#[ignore = "a tool: needs SPLATVIEW_MP4 and SPLATVIEW_FRAMES_OUT"]
fn decode_to_pngs() {
    let (Some(mp4), Some(out)) = (
        std::env::var_os("SPLATVIEW_MP4"),
        std::env::var_os("SPLATVIEW_FRAMES_OUT"),
    ) else {
        return;
    };
    let out = PathBuf::from(out);
    std::fs::create_dir_all(&out).expect("output folder");
    for (i, frame) in decode_frames(&read_mp4(Path::new(&mp4))).iter().enumerate() {
        frame
            .save(out.join(format!("frame_{i:05}.png")))
            .expect("write png");
    }
}
