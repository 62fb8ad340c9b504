//! The evaluation loop on a dataset written here, with a closure as renderer:
//! each view's "render" is a known pattern, and its photo the pattern degraded by
//! a known amount.

use std::path::{Path, PathBuf};

use super::*;
use crate::dataset::{DatasetLayout, open_dataset};
use crate::scene::PinholeCamera;

const W: u32 = 64;
const H: u32 = 48;

/// The "render" of view `index` at `width x height`: values stay below 200.
fn pattern(index: u32, width: u32, height: u32) -> image::RgbImage {
    image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([0, 1, 2].map(|c| ((3 * x + 2 * y + 50 * c + 7 * index) % 200) as u8))
    })
}

/// The renderer: view `i` sits at x = i.
fn render(camera: &PinholeCamera, _: &RenderOptions) -> anyhow::Result<image::RgbImage> {
    let index = camera.position().x.round() as u32;
    Ok(pattern(index, camera.width, camera.height))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("splatview-eval-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("images")).expect("scratch folder");
    dir
}

fn save(image: &image::RgbImage, path: &Path) {
    image
        .save_with_format(path, image::ImageFormat::Png)
        .expect("photo");
}

/// Ten views v00..v09 (cameras.json listed in reverse); photos:
/// v00 identical, v01 at twice the size, v02 one pixel wider, v03 corrupt,
/// v04 brighter by 10, v08 missing, the others identical.
fn dataset_dir(name: &str) -> PathBuf {
    let dir = scratch(name);
    let cameras: Vec<serde_json::Value> = (0..10)
        .rev()
        .map(|i| {
            serde_json::json!({"id": i, "img_name": format!("v{i:02}"), "width": W, "height": H,
                "position": [i as f32, 0.0, 0.0], "rotation": [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
                "fx": 50.0, "fy": 50.0})
        })
        .collect();
    std::fs::write(
        dir.join("cameras.json"),
        serde_json::Value::Array(cameras).to_string(),
    )
    .expect("cameras");
    let images = dir.join("images");
    for i in [0, 5, 6, 7, 9] {
        save(&pattern(i, W, H), &images.join(format!("v{i:02}.png")));
    }
    let doubled = image::imageops::resize(
        &pattern(1, W, H),
        2 * W,
        2 * H,
        image::imageops::FilterType::Nearest,
    );
    save(&doubled, &images.join("v01.png"));
    save(&pattern(2, W + 1, H), &images.join("v02.png"));
    std::fs::write(images.join("v03.png"), b"\x89PNG but not really").expect("corrupt");
    let mut brighter = pattern(4, W, H);
    brighter
        .pixels_mut()
        .for_each(|p| p.0 = p.0.map(|v| v + 10));
    save(&brighter, &images.join("v04.jpg.png"));
    dir
}

fn options(split: Split, out_dir: Option<PathBuf>) -> EvalOptions {
    EvalOptions {
        split,
        render: RenderOptions::default(),
        out_dir,
        diff_scale: 0.2,
    }
}

#[test]
fn test_split_metrics_and_skips() {
    let dir = dataset_dir("test-split");
    let dataset = open_dataset(&dir, None).expect("dataset");
    assert_eq!(dataset.layout, DatasetLayout::CamerasJson);
    let out = dir.join("out");
    let report = evaluate(
        &dataset,
        &mut render,
        &options(Split::Test { every: 4 }, Some(out.clone())),
        &indicatif::ProgressBar::hidden(),
    )
    .expect("evaluates");
    let names: Vec<&str> = report.results.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        ["v00", "v04"],
        "every 4th by name from v00; v08 has no photo"
    );
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].name, "v08");
    assert!(
        report.skipped[0].reason.contains("v08"),
        "{}",
        report.skipped[0].reason
    );
    let identical = report.results[0].metrics;
    assert_eq!(
        (identical.psnr, identical.ssim, identical.flip),
        (f64::INFINITY, 1.0, 0.0)
    );
    // A constant offset of 10/255 on every value: PSNR = 20 log10(255 / 10).
    let offset = report.results[1].metrics;
    assert!(
        (offset.psnr - 20.0 * 25.5f64.log10()).abs() < 1e-9,
        "{}",
        offset.psnr
    );
    assert!(offset.ssim < 1.0 && offset.ssim > 0.9, "{}", offset.ssim);
    assert!(offset.flip > 0.0 && offset.flip < 0.5, "{}", offset.flip);
    for sub in ["renders", "gt", "diff", "flip"] {
        assert!(out.join(sub).join("v04.png").is_file(), "{sub}/v04.png");
    }
    let gt = image::open(out.join("gt/v04.png")).expect("gt").into_rgb8();
    assert_eq!(gt.get_pixel(0, 0).0, [38, 88, 138]);
}

#[test]
fn all_views_rescale_snap_and_skip() {
    let dir = dataset_dir("all");
    let dataset = open_dataset(&dir, None).expect("dataset");
    let report = evaluate(
        &dataset,
        &mut render,
        &options(Split::All, None),
        &indicatif::ProgressBar::hidden(),
    )
    .expect("evaluates");
    assert_eq!(report.results.len(), 8);
    let skipped: Vec<&str> = report.skipped.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(skipped, ["v03", "v08"]);
    assert!(
        report.skipped[0].reason.contains("v03.png"),
        "{}",
        report.skipped[0].reason
    );
    let v01 = &report.results[1];
    assert_eq!(v01.rescaled_from, Some((2 * W, 2 * H)));
    assert!(
        v01.metrics.psnr > 30.0 && v01.metrics.psnr.is_finite(),
        "{}",
        v01.metrics.psnr
    );
    // One pixel wider: the camera follows the photo, nothing is resampled.
    let v02 = &report.results[2];
    assert_eq!((v02.rescaled_from, v02.metrics.psnr), (None, f64::INFINITY));
    let train = evaluate(
        &dataset,
        &mut render,
        &options(Split::Train { every: 4 }, None),
        &indicatif::ProgressBar::hidden(),
    )
    .expect("evaluates");
    assert_eq!(train.results.len() + train.skipped.len(), 7);
    let mean = report.mean().expect("results");
    assert_eq!(
        mean.psnr,
        f64::INFINITY,
        "identical views make the mean infinite"
    );
}

#[test]
fn render_errors_stop_the_evaluation() {
    let dir = dataset_dir("render-error");
    let dataset = open_dataset(&dir, None).expect("dataset");
    let mut failing = |_: &PinholeCamera, _: &RenderOptions| -> anyhow::Result<image::RgbImage> {
        anyhow::bail!("device lost")
    };
    let err = evaluate(
        &dataset,
        &mut failing,
        &options(Split::All, None),
        &indicatif::ProgressBar::hidden(),
    )
    .expect_err("fails");
    assert!(format!("{err:#}").contains("device lost"), "{err:#}");
    let mut wrong_size = |_: &PinholeCamera,
                          _: &RenderOptions|
     -> anyhow::Result<image::RgbImage> { Ok(image::RgbImage::new(3, 3)) };
    let err = evaluate(
        &dataset,
        &mut wrong_size,
        &options(Split::All, None),
        &indicatif::ProgressBar::hidden(),
    )
    .expect_err("fails");
    assert!(err.to_string().contains("3x3"), "{err}");
}
