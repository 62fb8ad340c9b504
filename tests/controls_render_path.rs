//! `splatview render --path`: a saved camera path becomes a PNG sequence, through
//! the same renderer as the window. Needs a GPU adapter (lavapipe is enough); skips
//! without one unless CI is set.

mod common;

use clap::Parser as _;
use glam::Vec3;
use splatview::cli::{Cli, Command};
use splatview::controls::CameraPose;
use splatview::controls::path::{CameraPath, Keyframe};

#[test]
fn path_renders_to_a_png_sequence() {
    if common::gpu().is_none() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("splatview-render-path-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let scene = common::testdata("splats/playbot_l6.ply");
    let cloud = splatview::io::load_splat_file(&scene).expect("scene");
    let bounds = splatview::scene::SceneBounds::robust(&cloud).expect("non-empty");
    let (c, r) = (bounds.center(), bounds.radius());
    let keyframes = [
        Vec3::new(0.0, -0.3, -3.0),
        Vec3::new(3.0, -0.5, 0.0),
        Vec3::new(0.0, -0.3, 3.0),
    ]
    .iter()
    .map(|offset| Keyframe::new(&CameraPose::look_at(c + *offset * r, c, Vec3::NEG_Y), 0.8))
    .collect();
    let path = CameraPath {
        duration_s: 2.0,
        keyframes,
        ..Default::default()
    };
    let path_file = dir.join("path.json");
    path.save(&path_file).expect("save path");
    let out_dir = dir.join("frames");

    let cli = Cli::try_parse_from([
        "splatview".as_ref(),
        "render".as_ref(),
        scene.as_os_str(),
        "--path".as_ref(),
        path_file.as_os_str(),
        "--frames".as_ref(),
        "3".as_ref(),
        "--out-dir".as_ref(),
        out_dir.as_os_str(),
        "--width".as_ref(),
        "96".as_ref(),
        "--height".as_ref(),
        "64".as_ref(),
    ] as [&std::ffi::OsStr; 13])
    .expect("arguments parse");
    let Some(Command::Render(args)) = &cli.command else {
        panic!("not a render command");
    };
    splatview::headless::run_render(&args.job().expect("valid flags")).expect("render path");

    let frames: Vec<image::RgbImage> = (0..3)
        .map(|i| {
            image::open(out_dir.join(format!("frame_{i:05}.png")))
                .expect("frame written")
                .to_rgb8()
        })
        .collect();
    for (i, f) in frames.iter().enumerate() {
        assert_eq!(f.dimensions(), (96, 64));
        assert!(f.pixels().any(|p| p.0 != [0, 0, 0]), "frame {i} is empty");
    }
    // Front, side and back views differ.
    assert_ne!(frames[0].as_raw(), frames[2].as_raw());

    // --fps instead of --frames: one frame every 1/fps s of the 2 s path, both
    // ends (was ignored: 120 frames). With both, or with --fov-y, it says why.
    let render = |extra: &[&str]| {
        let mut args: Vec<std::ffi::OsString> = vec![
            "splatview".into(),
            "render".into(),
            scene.clone().into(),
            "--path".into(),
            path_file.clone().into(),
            "--width".into(),
            "16".into(),
            "--height".into(),
            "16".into(),
        ];
        args.extend(extra.iter().map(Into::into));
        let cli = Cli::try_parse_from(args).expect("arguments parse");
        let Some(Command::Render(args)) = &cli.command else {
            panic!("not a render command");
        };
        args.job()
            .map_err(|e| e.to_string())
            .and_then(|job| splatview::headless::run_render(&job).map_err(|e| e.to_string()))
    };
    let fps_dir = dir.join("fps");
    let fps_out = fps_dir.to_str().expect("utf-8");
    let line = render(&["--out-dir", fps_out, "--fps", "4"]).expect("renders");
    assert!(line.starts_with("rendered 9 frames of"), "{line}");
    assert_eq!(std::fs::read_dir(&fps_dir).expect("frames").count(), 9);
    let err = render(&["--out-dir", fps_out, "--fps", "4", "--frames", "3"]).expect_err("refused");
    assert!(err.contains("not both"), "{err}");
    let err =
        render(&["--out-dir", fps_out, "--frames", "3", "--fov-y", "30"]).expect_err("refused");
    assert!(err.contains("--fov-y"), "{err}");
    let err = render(&["--out-dir", fps_out, "--fps", "0.5"]).expect_err("refused");
    assert!(err.contains("--fps must be from 1 to 240"), "{err}");
    let line = render(&["--out-dir", fps_out, "--frames", "1"]).expect("renders");
    assert!(line.starts_with("rendered 1 frame of"), "{line}");
    let _ = std::fs::remove_dir_all(&dir);
}
