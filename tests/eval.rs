//! `eval`, `compare` and `metrics` on a dataset made here: playbot rendered from
//! known cameras, written as a COLMAP text model (so the renders only match again
//! if poses and intrinsics survive the round trip), the photos degraded by known
//! amounts. GPU tests: one device per binary (`common::gpu`); the CLI tests run
//! the `splatview` binary, which opens its own.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use glam::{DMat3, DQuat};
use splatview::controls::OrbitCamera;
use splatview::dataset::{Split, open_dataset};
use splatview::eval::headless_adapter::HeadlessViewRenderer;
use splatview::eval::{EvalOptions, RenderOptions, ViewRenderer, evaluate};
use splatview::metrics::psnr;
use splatview::render::Raster;
use splatview::scene::{PinholeCamera, SceneBounds, SplatCloud};

const WIDTH: u32 = 96;
const HEIGHT: u32 = 64;
const VIEWS: usize = 9;
const SCENE: &str = "splats/playbot_l6.ply";

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("splatview-eval-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn load_scene() -> SplatCloud {
    splatview::io::load_splat_file(&common::testdata(SCENE)).unwrap_or_else(|e| panic!("{e}"))
}

/// Nine views around the scene at different heights and distances.
fn cameras(cloud: &SplatCloud) -> Vec<PinholeCamera> {
    let base = OrbitCamera::framing(SceneBounds::robust(cloud), WIDTH as f32 / HEIGHT as f32);
    (0..VIEWS)
        .map(|i| {
            let mut orbit = base;
            orbit.yaw += 0.7 * i as f32;
            orbit.pitch = 0.3 * ((i % 3) as f32 - 1.0);
            orbit.distance *= 0.8 + 0.05 * i as f32;
            orbit.camera(WIDTH, HEIGHT)
        })
        .collect()
}

/// Deterministic noise in -amplitude..=amplitude.
fn noise(x: u32, y: u32, c: u32, amplitude: i32) -> i32 {
    let h = (x.wrapping_mul(73_856_093) ^ y.wrapping_mul(19_349_663) ^ c.wrapping_mul(83_492_791))
        .wrapping_mul(2_654_435_761);
    (h >> 8) as i32 % (2 * amplitude + 1) - amplitude
}

/// The photo of view `i`: the render degraded by a known amount; `None` = missing.
fn degrade(i: usize, render: &image::RgbImage) -> Option<image::RgbImage> {
    Some(match i {
        1 | 8 => {
            let mut brighter = render.clone();
            brighter
                .pixels_mut()
                .for_each(|p| p.0 = p.0.map(|v| v.saturating_add(8)));
            brighter
        }
        2 => image::imageops::blur(render, 1.0),
        3 => return None,
        4 => image::RgbImage::from_fn(WIDTH, HEIGHT, |x, y| {
            let p = render.get_pixel(x, y).0;
            image::Rgb(
                [0, 1, 2]
                    .map(|c| (i32::from(p[c as usize]) + noise(x, y, c, 12)).clamp(0, 255) as u8),
            )
        }),
        5 => image::imageops::resize(
            render,
            2 * WIDTH,
            2 * HEIGHT,
            image::imageops::FilterType::Nearest,
        ),
        _ => render.clone(),
    })
}

/// A COLMAP text model of `cameras` (one PINHOLE camera, poses world to camera,
/// quaternion w first) with the degraded renders as photos. Returns the renders.
fn write_dataset(
    dir: &Path,
    cameras: &[PinholeCamera],
    renderer: &mut dyn ViewRenderer,
) -> Vec<image::RgbImage> {
    let sparse = dir.join("sparse/0");
    let images = dir.join("images");
    std::fs::create_dir_all(&sparse).expect("sparse");
    std::fs::create_dir_all(&images).expect("images");
    let c = cameras[0];
    std::fs::write(
        sparse.join("cameras.txt"),
        format!(
            "# cameras\n1 PINHOLE {} {} {} {} {} {}\n",
            c.width, c.height, c.fx, c.fy, c.cx, c.cy
        ),
    )
    .expect("cameras.txt");
    let mut images_txt = String::from("# images\n");
    let mut renders = Vec::new();
    // Written in reverse with sparse ids: order and ids must not matter.
    for (i, camera) in cameras.iter().enumerate().rev() {
        let camera_from_world = camera.view_from_world().as_dmat4();
        let rotation = DMat3::from_mat4(camera_from_world);
        let q = DQuat::from_mat3(&rotation);
        let t = camera_from_world.w_axis;
        images_txt += &format!(
            "{} {:?} {:?} {:?} {:?} {:?} {:?} {:?} 1 view_{i}.png\n\n",
            100 + 7 * i,
            q.w,
            q.x,
            q.y,
            q.z,
            t.x,
            t.y,
            t.z
        );
    }
    std::fs::write(sparse.join("images.txt"), images_txt).expect("images.txt");
    for (i, camera) in cameras.iter().enumerate() {
        let render = renderer
            .render_view(camera, &RenderOptions::default())
            .expect("render");
        if let Some(photo) = degrade(i, &render) {
            photo
                .save(images.join(format!("view_{i}.png")))
                .expect("photo");
        }
        renders.push(render);
    }
    renders
}

#[test]
fn eval_on_a_rendered_colmap_dataset() {
    let Some(ctx) = common::gpu() else { return };
    let cloud = load_scene();
    let cameras = cameras(&cloud);
    let mut renderer = HeadlessViewRenderer::new(ctx, &cloud, Raster::Hardware).expect("renderer");
    let dir = scratch("colmap");
    let renders = write_dataset(&dir, &cameras, &mut renderer);
    let dataset = open_dataset(&dir, None).expect("dataset");
    let options = |split| EvalOptions {
        split,
        render: RenderOptions::default(),
        out_dir: None,
        diff_scale: 0.2,
    };
    let progress = indicatif::ProgressBar::hidden();

    let test = evaluate(
        &dataset,
        &mut renderer,
        &options(Split::Test { every: 8 }),
        &progress,
    )
    .expect("eval");
    let names: Vec<&str> = test.results.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["view_0", "view_8"]);
    // The pose went through f32 -> COLMAP quaternion (f64) -> f32: a few pixels
    // may round the other way, hence "at least 60 dB" rather than identical.
    let exact = test.results[0].metrics;
    assert!(
        exact.psnr > 60.0 && exact.ssim > 0.9999 && exact.flip < 1e-3,
        "the pose survived COLMAP: {exact:?}"
    );
    let brighter = degrade(8, &renders[8]).expect("photo");
    let expected = psnr(&renders[8], &brighter).expect("same size");
    assert!(
        (test.results[1].metrics.psnr - expected).abs() < 0.05,
        "{:?} vs {expected}",
        test.results[1]
    );
    assert!(expected.is_finite() && expected > 20.0, "{expected}");

    let all = evaluate(&dataset, &mut renderer, &options(Split::All), &progress).expect("eval");
    assert_eq!(all.results.len(), VIEWS - 1);
    assert_eq!(all.skipped.len(), 1);
    assert_eq!(all.skipped[0].name, "view_3");
    let by_name = |name: &str| {
        all.results
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("{name} evaluated"))
    };
    for i in [0, 6, 7] {
        let m = by_name(&format!("view_{i}")).metrics;
        assert!(m.psnr > 60.0, "view_{i}: {m:?}");
    }
    for i in [1, 2, 4] {
        let photo = degrade(i, &renders[i]).expect("photo");
        let m = by_name(&format!("view_{i}")).metrics;
        let expected = psnr(&renders[i], &photo).expect("same size");
        assert!(
            (m.psnr - expected).abs() < 0.05,
            "view_{i}: {} vs {expected}",
            m.psnr
        );
        assert!(m.ssim < 1.0 && m.flip > 0.0, "view_{i}: {m:?}");
    }
    eprint!("{}", splatview::eval::report::to_table(&all));
    let rescaled = by_name("view_5");
    assert_eq!(rescaled.rescaled_from, Some((2 * WIDTH, 2 * HEIGHT)));
    // The photo was rendered at twice the size and scaled down to the camera's:
    // 44.27 dB on lavapipe (2026-11-30).
    assert!(rescaled.metrics.psnr > 40.0, "{:?}", rescaled.metrics);
}

fn splatview(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_splatview"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("runs splatview")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn eval_cli_on_a_training_output_folder() {
    let Some(ctx) = common::gpu() else { return };
    let cloud = load_scene();
    let cameras = cameras(&cloud);
    let mut renderer = HeadlessViewRenderer::new(ctx, &cloud, Raster::Hardware).expect("renderer");
    let source = scratch("cli-source");
    let renders = write_dataset(&source, &cameras, &mut renderer);
    let output = scratch("cli-output");
    let ply_dir = output.join("point_cloud/iteration_30000");
    std::fs::create_dir_all(&ply_dir).expect("ply folder");
    let mut ply = std::io::BufWriter::new(
        std::fs::File::create(ply_dir.join("point_cloud.ply")).expect("ply"),
    );
    splatview::io::ply::write_gaussian_ply(&cloud, &mut ply).expect("write ply");
    std::io::Write::flush(&mut ply).expect("flush");
    std::fs::write(
        output.join("cfg_args"),
        format!("Namespace(sh_degree=2, source_path='{}', images='images', white_background=False, eval=True)", source.display()),
    )
    .expect("cfg_args");
    let out = output.to_str().expect("utf-8 path");

    let run = splatview(&["eval", out, "--json"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let json: serde_json::Value = serde_json::from_slice(&run.stdout).expect("JSON on stdout");
    assert_eq!(json["split"], "test");
    assert_eq!(json["count"], 2);
    assert_eq!(json["images"][0]["name"], "view_0");
    // Identical (PSNR null) unless a pixel rounded the other way (see above).
    let first = &json["images"][0];
    assert!(
        first["psnr"].is_null() || first["psnr"].as_f64().is_some_and(|p| p > 60.0),
        "{first}"
    );
    assert!(
        first["ssim"].as_f64().is_some_and(|s| s > 0.9999),
        "{first}"
    );
    let expected = psnr(&renders[8], &degrade(8, &renders[8]).expect("photo")).expect("same size");
    let got = json["images"][1]["psnr"].as_f64().expect("a number");
    assert!((got - expected).abs() < 0.05, "{got} vs {expected}");
    let mean_psnr = &json["mean"]["psnr"];
    assert!(mean_psnr.is_null() || mean_psnr.as_f64().is_some_and(|p| p > 30.0));
    assert!(json["mean"]["ssim"].as_f64().is_some_and(|s| s < 1.0));

    let csv_dir = scratch("cli-csv-out");
    let csv_out = csv_dir.to_str().expect("utf-8 path");
    let run = splatview(&["eval", out, "--split", "all", "--csv", "--out-dir", csv_out]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let csv = text(&run.stdout);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "name,psnr,ssim,flip");
    assert_eq!(lines.len(), 1 + (VIEWS - 1) + 1, "{csv}");
    assert!(lines[1].starts_with("view_0,"), "{csv}");
    assert!(lines[VIEWS].starts_with("mean,"), "{csv}");
    let stderr = text(&run.stderr);
    assert!(
        stderr.contains("1 skipped") && stderr.contains("view_3"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 photo rescaled") && stderr.contains("view_5 from 192x128"),
        "{stderr}"
    );
    assert!(csv_dir.join("results.json").is_file());
    assert!(csv_dir.join("diff/view_4.png").is_file());

    // A scene file without --dataset, and a bad split, are errors (1 and 2).
    let ply_path = ply_dir.join("point_cloud.ply");
    let run = splatview(&["eval", ply_path.to_str().expect("utf-8")]);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        text(&run.stderr).contains("--dataset"),
        "{}",
        text(&run.stderr)
    );
    let run = splatview(&["eval", out, "--split", "validation"]);
    assert_eq!(run.status.code(), Some(2));
    // An empty split says why, before anything is rendered.
    let run = splatview(&["eval", out, "--split", "train", "--test-every", "1"]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = text(&run.stderr);
    assert!(
        stderr.contains("the train split holds no view")
            && stderr.contains("--test-every 1 makes every view a test view"),
        "{stderr}"
    );
    let run = splatview(&["eval", out, "--test-every", "0"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run.stderr).contains("must be at least 1"));
    let run = splatview(&["eval", out, "--diff-scale", "0"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run.stderr).contains("--diff-scale must be a positive number"));
}

#[test]
fn metrics_and_compare_cli() {
    if common::gpu().is_none() {
        return;
    }
    let dir = scratch("compare");
    let scene = common::testdata(SCENE);
    let scene = scene.to_str().expect("utf-8 path");
    let out = dir.join("sh0");
    let run = splatview(&[
        "compare",
        scene,
        scene,
        "--b-sh",
        "0",
        "--out-dir",
        out.to_str().expect("utf-8"),
        "--width",
        "96",
        "--height",
        "64",
        "--json",
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let metrics: serde_json::Value = serde_json::from_slice(&run.stdout).expect("JSON");
    let psnr_sh0 = metrics["psnr"]
        .as_f64()
        .expect("finite: SH 0 differs from SH 2");
    eprintln!("compare, SH 2 against SH 0: {psnr_sh0:.2} dB");
    // The two sides differ (degree 2 against the DC colour alone; finite PSNR),
    // but show the same scene from the same camera: 35.06 dB on lavapipe
    // (2026-11-30).
    assert!(psnr_sh0 > 30.0, "{metrics}");
    for name in ["a.png", "b.png", "diff.png", "flip.png"] {
        assert!(out.join(name).is_file(), "{name}");
    }
    let a = image::open(out.join("a.png")).expect("a").into_rgb8();
    assert_eq!(a.dimensions(), (96, 64));

    // metrics on the two renders gives the same numbers, either way round.
    let (a_png, b_png) = (out.join("a.png"), out.join("b.png"));
    let (a_png, b_png) = (
        a_png.to_str().expect("utf-8"),
        b_png.to_str().expect("utf-8"),
    );
    let run = splatview(&["metrics", a_png, b_png, "--json"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let ab: serde_json::Value = serde_json::from_slice(&run.stdout).expect("JSON");
    assert_eq!(ab, metrics);
    let run = splatview(&["metrics", b_png, a_png, "--json"]);
    let ba: serde_json::Value = serde_json::from_slice(&run.stdout).expect("JSON");
    assert_eq!(ab["psnr"], ba["psnr"]);
    assert_eq!(ab["ssim"], ba["ssim"]);

    let run = splatview(&["metrics", a_png, a_png, "--json"]);
    let same: serde_json::Value = serde_json::from_slice(&run.stdout).expect("JSON");
    assert!(
        same["psnr"].is_null() && same["ssim"] == 1.0 && same["flip"] == 0.0,
        "{same}"
    );

    let diff = out.join("diff.png");
    let run = splatview(&["metrics", a_png, diff.to_str().expect("utf-8")]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = text(&run.stderr);
    assert!(
        stderr.contains("96x64") && stderr.contains("same size"),
        "{stderr}"
    );
}
