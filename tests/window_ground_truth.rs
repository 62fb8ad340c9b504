//! Ground truth in the window (issue 11): a COLMAP dataset made here (playbot
//! rendered from known cameras, the photos degraded by known amounts) opened
//! in the window, evaluated on the window's worker, gives the numbers
//! `eval::evaluate` gives; the worst view by PSNR is listed first, "worst view"
//! jumps to it with its photo as B, and the live metrics of that view equal
//! the evaluation's.

mod common;

use std::path::{Path, PathBuf};

use glam::{DMat3, DQuat};
use splatview::controls::OrbitCamera;
use splatview::dataset::{Split, open_dataset};
use splatview::eval::headless_adapter::HeadlessViewRenderer;
use splatview::eval::{EvalOptions, RenderOptions, ViewRenderer, evaluate};
use splatview::render::Raster;
use splatview::scene::{PinholeCamera, SceneBounds};
use splatview::settings::{CompareLayout, Settings};

use common::window::WindowHarness;

const WIDTH: u32 = 120;
const HEIGHT: u32 = 80;
const SCENE: &str = "splats/playbot_l6.ply";

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("splatview-gt-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// The photo of view `i`: the render itself, brighter, blurred, or noisier.
fn degrade(i: usize, render: &image::RgbImage) -> image::RgbImage {
    match i {
        1 => {
            let mut brighter = render.clone();
            brighter
                .pixels_mut()
                .for_each(|p| p.0 = p.0.map(|v| v.saturating_add(6)));
            brighter
        }
        2 => image::imageops::blur(render, 1.5),
        3 => image::RgbImage::from_fn(WIDTH, HEIGHT, |x, y| {
            let p = render.get_pixel(x, y).0;
            let flip = if (x * 7 + y * 13) % 5 == 0 { 40 } else { 0 };
            image::Rgb(p.map(|v| v.saturating_add(flip)))
        }),
        _ => render.clone(),
    }
}

/// A COLMAP text model of `cameras` with the degraded renders as photos.
fn write_dataset(dir: &Path, cameras: &[PinholeCamera], renderer: &mut dyn ViewRenderer) {
    write_colmap(dir, cameras, |i, camera, photo| {
        let render = renderer
            .render_view(camera, &RenderOptions::default())
            .expect("render");
        degrade(i, &render).save(photo).expect("photo");
    });
}

/// A COLMAP text model of `cameras` in `dir`, `write_photo(i, camera, path)`
/// writing each view's photo.
fn write_colmap(
    dir: &Path,
    cameras: &[PinholeCamera],
    mut write_photo: impl FnMut(usize, &PinholeCamera, &Path),
) {
    let sparse = dir.join("sparse/0");
    let images = dir.join("images");
    std::fs::create_dir_all(&sparse).expect("sparse");
    std::fs::create_dir_all(&images).expect("images");
    let c = cameras[0];
    let cameras_txt = format!(
        "1 PINHOLE {} {} {} {} {} {}\n",
        c.width, c.height, c.fx, c.fy, c.cx, c.cy
    );
    std::fs::write(sparse.join("cameras.txt"), cameras_txt).expect("cameras.txt");
    let mut images_txt = String::new();
    for (i, camera) in cameras.iter().enumerate() {
        let camera_from_world = camera.view_from_world().as_dmat4();
        let q = DQuat::from_mat3(&DMat3::from_mat4(camera_from_world));
        let t = camera_from_world.w_axis;
        images_txt += &format!(
            "{} {:?} {:?} {:?} {:?} {:?} {:?} {:?} 1 view_{i}.png\n\n",
            i + 1,
            q.w,
            q.x,
            q.y,
            q.z,
            t.x,
            t.y,
            t.z
        );
        write_photo(i, camera, &images.join(format!("view_{i}.png")));
    }
    std::fs::write(sparse.join("images.txt"), images_txt).expect("images.txt");
}

/// `count` cameras around the scene's framing view, 0.8 rad apart.
fn cameras_around(cloud: &splatview::scene::SplatCloud, count: usize) -> Vec<PinholeCamera> {
    let base = OrbitCamera::framing(SceneBounds::robust(cloud), WIDTH as f32 / HEIGHT as f32);
    (0..count)
        .map(|i| {
            let mut orbit = base;
            orbit.yaw += 0.8 * i as f32;
            orbit.camera(WIDTH, HEIGHT)
        })
        .collect()
}

#[test]
fn window_evaluation_matches_eval_and_finds_the_worst_view() {
    let Some(ctx) = common::gpu() else { return };
    let cloud = splatview::io::load_splat_file(&common::testdata(SCENE)).expect("scene");
    let cameras = cameras_around(&cloud, 4);
    let mut renderer = HeadlessViewRenderer::new(ctx, &cloud, Raster::Auto).expect("renderer");
    let dir = scratch("colmap");
    write_dataset(&dir, &cameras, &mut renderer);
    let dataset = open_dataset(&dir, None).expect("dataset");
    let options = EvalOptions {
        split: Split::All,
        render: RenderOptions::default(),
        out_dir: None,
        diff_scale: 0.2,
    };
    let cli = evaluate(
        &dataset,
        &mut renderer,
        &options,
        &indicatif::ProgressBar::hidden(),
    )
    .expect("eval");
    assert_eq!(cli.results.len(), 4);

    let mut window = WindowHarness::new((320, 200), Settings::default());
    window.open(&common::testdata(SCENE));
    window.core.open_dataset(&dir);
    let truth = window.core.state.dataset.as_mut().expect("dataset open");
    assert_eq!(truth.views.len(), 4);
    truth.eval_split = Split::All;
    window.core.start_evaluation();
    window.settle();

    let truth = window.core.state.dataset.as_ref().expect("dataset open");
    for result in &cli.results {
        let view = truth
            .views
            .iter()
            .find(|v| v.name == result.name)
            .expect("view listed");
        let shown = view.metrics.expect("evaluated");
        eprintln!(
            "{}: window {shown:?}, eval {:?}",
            result.name, result.metrics
        );
        assert_eq!(shown, result.metrics, "{}", result.name);
    }
    let worst_cli = cli
        .results
        .iter()
        .min_by(|a, b| a.metrics.psnr.total_cmp(&b.metrics.psnr))
        .expect("results");
    let order = truth.display_order();
    assert!(truth.sort_by_psnr, "sorted worst first after an evaluation");
    assert_eq!(truth.views[order[0]].name, worst_cli.name);
    assert_eq!(
        truth.views[order[3]].name, "view_0",
        "the exact photo is last"
    );

    // Worst view: its camera, its photo as B, and the live metrics of the pair.
    window
        .core
        .state
        .execute(splatview::app::command::Command::WorstView);
    window.core.state.set_layout(CompareLayout::Split);
    window.settle();
    let live = window.core.state.compare.metrics.fresh();
    assert_eq!(live, Some(worst_cli.metrics), "{}", worst_cli.name);
    // SPLATVIEW_KEEP_DATASET=1 keeps the dataset (to look at it in the window).
    if std::env::var_os("SPLATVIEW_KEEP_DATASET").is_some() {
        eprintln!("dataset kept in {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// A 3DGS training output trained on white whose dataset has a photo that is
/// not an image: the window scores over white as `eval` does (the exact
/// photos are identical), lists the unreadable photo as skipped with its
/// reason, and showing that view's photo as B says so once, not every frame.
#[test]
fn window_scores_over_the_outputs_background_and_says_a_bad_photo_once() {
    let Some(ctx) = common::gpu() else { return };
    let cloud = splatview::io::load_splat_file(&common::testdata(SCENE)).expect("scene");
    let cameras = cameras_around(&cloud, 3);
    let mut renderer = HeadlessViewRenderer::new(ctx, &cloud, Raster::Auto).expect("renderer");
    let source = scratch("white-source");
    let white = RenderOptions {
        background: [1.0; 3],
        ..RenderOptions::default()
    };
    write_colmap(&source, &cameras, |i, camera, photo| {
        if i == 1 {
            std::fs::write(photo, b"not a PNG at all").expect("bad photo");
        } else {
            let render = renderer.render_view(camera, &white).expect("render");
            render.save(photo).expect("photo");
        }
    });
    let output = scratch("white-output");
    let ply_dir = output.join("point_cloud/iteration_7000");
    std::fs::create_dir_all(&ply_dir).expect("ply folder");
    let mut ply = std::io::BufWriter::new(
        std::fs::File::create(ply_dir.join("point_cloud.ply")).expect("ply"),
    );
    splatview::io::ply::write_gaussian_ply(&cloud, &mut ply).expect("write ply");
    std::io::Write::flush(&mut ply).expect("flush");
    drop(ply);
    std::fs::write(
        output.join("cfg_args"),
        format!(
            "Namespace(sh_degree=2, source_path='{}', images='images', white_background=True, eval=True)",
            source.display()
        ),
    )
    .expect("cfg_args");

    let mut window = WindowHarness::new((320, 200), Settings::default());
    window.core.open_dataset(&output);
    window.settle();
    let truth = window.core.state.dataset.as_mut().expect("dataset open");
    assert_eq!(truth.background, Some([1.0; 3]), "cfg_args says white");
    truth.eval_split = Split::All;
    window.core.start_evaluation();
    window.settle();
    let truth = window.core.state.dataset.as_ref().expect("dataset open");
    for name in ["view_0", "view_2"] {
        let view = truth.views.iter().find(|v| v.name == name).expect("listed");
        let psnr = view.metrics.expect("evaluated").psnr;
        assert!(psnr > 60.0, "{name} scored {psnr} dB: not over white?");
    }
    let bad = truth
        .views
        .iter()
        .find(|v| v.name == "view_1")
        .expect("listed");
    assert!(bad.metrics.is_none());
    assert!(bad.skipped.is_some(), "the reason is kept for the list");
    let summary = truth.summary.clone().expect("summary");
    assert!(
        summary.starts_with("2 views: ") && summary.contains("1 skipped"),
        "{summary}"
    );

    // The unreadable photo as B: one error, however many frames follow.
    window.core.state.errors.clear();
    window.core.state.jump_to_training_camera(1);
    window
        .core
        .state
        .set_b(splatview::app::compare::BSource::Photo);
    window.settle();
    for _ in 0..5 {
        window.frame();
    }
    window.settle();
    let errors = &window.core.state.errors;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("view_1.png"), "{errors:?}");
    let view = &window.core.state.dataset.as_ref().expect("open").views[1];
    assert!(view.photo_error.is_some());
    let _ = std::fs::remove_dir_all(&source);
    let _ = std::fs::remove_dir_all(&output);
}
