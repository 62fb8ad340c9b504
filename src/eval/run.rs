//! The evaluation loop: for each view of a split, load its photo (fitted to the
//! camera), render the view, round to 8 bits and measure PSNR, SSIM and FLIP.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::{RenderOptions, ViewRenderer};
use crate::dataset::{Dataset, DatasetView, Split, load_photo, resize_photo};
use crate::metrics::{ImageMetrics, heatmap};

/// How to evaluate.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalOptions {
    pub split: Split,
    pub render: RenderOptions,
    /// Where to write `renders/`, `gt/`, `diff/` and `flip/` images, one PNG per
    /// view named after it; nothing is written without it.
    pub out_dir: Option<PathBuf>,
    /// The error that maps to the top of the `diff/` heatmaps' colour scale.
    pub diff_scale: f32,
}

/// The metrics of one view.
#[derive(Clone, Debug, PartialEq)]
pub struct ImageResult {
    /// The view's name (no extension).
    pub name: String,
    pub metrics: ImageMetrics,
    /// The photo's size when it was rescaled to the camera's.
    pub rescaled_from: Option<(u32, u32)>,
}

/// A view left out, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct SkippedView {
    pub name: String,
    pub reason: String,
}

/// The outcome of an evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalReport {
    pub split: Split,
    pub results: Vec<ImageResult>,
    pub skipped: Vec<SkippedView>,
}

impl EvalReport {
    /// The mean of each metric over the evaluated views (3DGS `metrics.py` averages
    /// per-image values; one identical pair makes the mean PSNR infinite).
    pub fn mean(&self) -> Option<ImageMetrics> {
        let n = self.results.len();
        (n > 0).then(|| {
            let sum = |f: fn(&ImageMetrics) -> f64| {
                self.results.iter().map(|r| f(&r.metrics)).sum::<f64>() / n as f64
            };
            ImageMetrics {
                psnr: sum(|m| m.psnr),
                ssim: sum(|m| m.ssim),
                flip: sum(|m| m.flip),
            }
        })
    }
}

/// Evaluates `renderer` on the views of `options.split`. A view without a
/// readable photo is skipped with a warning; a render that fails stops the
/// evaluation. `progress` advances once per view.
pub fn evaluate(
    dataset: &Dataset,
    renderer: &mut dyn ViewRenderer,
    options: &EvalOptions,
    progress: &indicatif::ProgressBar,
) -> anyhow::Result<EvalReport> {
    let views = dataset.split_views(options.split);
    progress.set_length(views.len() as u64);
    if let Some(dir) = &options.out_dir {
        for sub in ["renders", "gt", "diff", "flip"] {
            let path = dir.join(sub);
            std::fs::create_dir_all(&path)
                .with_context(|| format!("creating {}", path.display()))?;
        }
    }
    let mut report = EvalReport {
        split: options.split,
        results: Vec::with_capacity(views.len()),
        skipped: Vec::new(),
    };
    for view in views {
        progress.set_message(view.name.clone());
        match evaluate_view(dataset, view, renderer, options)? {
            Ok(result) => report.results.push(result),
            Err(reason) => {
                progress.suspend(|| log::warn!("skipping {}: {reason}", view.name));
                report.skipped.push(SkippedView {
                    name: view.name.clone(),
                    reason,
                });
            }
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    Ok(report)
}

/// One view: `Ok(Err(reason))` when it is skipped, `Err` when evaluation must stop.
fn evaluate_view(
    dataset: &Dataset,
    view: &DatasetView,
    renderer: &mut dyn ViewRenderer,
    options: &EvalOptions,
) -> anyhow::Result<Result<ImageResult, String>> {
    let Some(photo_path) = &view.photo else {
        return Ok(Err(format!(
            "no photo named `{}` in {}",
            view.file_name,
            dataset.images_dir.display()
        )));
    };
    let photo = match load_photo(photo_path, options.render.background) {
        Ok(photo) => photo,
        Err(err) => return Ok(Err(err.to_string())),
    };
    let (camera, photo, rescaled_from) = fit_photo(view, photo);
    let render = renderer
        .render_view(&camera, &options.render)
        .with_context(|| format!("rendering view {}", view.name))?;
    anyhow::ensure!(
        render.dimensions() == (camera.width, camera.height),
        "view {}: the renderer returned {}x{} for a {}x{} camera",
        view.name,
        render.width(),
        render.height(),
        camera.width,
        camera.height
    );
    let comparison = crate::metrics::compare(&photo, &render)
        .with_context(|| format!("measuring view {}", view.name))?;
    if let Some(dir) = &options.out_dir {
        let diff = heatmap::abs_difference(&photo, &render)?
            .to_image_with_legend(options.diff_scale, "|render - photo|");
        let flip = comparison.flip_map.to_image_with_legend(1.0, "FLIP");
        for (sub, image) in [
            ("renders", &render),
            ("gt", &photo),
            ("diff", &diff),
            ("flip", &flip),
        ] {
            save_png(image, &dir.join(sub).join(format!("{}.png", view.name)))?;
        }
    }
    Ok(Ok(ImageResult {
        name: view.name.clone(),
        metrics: comparison.metrics,
        rescaled_from,
    }))
}

/// The camera and photo to compare: a photo within one pixel of the camera's size
/// (rounding of a downscaled folder) keeps its size and the camera follows it;
/// any other size is rescaled to the camera's, as 3DGS resizes its photos.
/// (The window's ground-truth view fits its photos the same way.)
pub fn fit_photo(
    view: &DatasetView,
    photo: image::RgbImage,
) -> (
    crate::scene::PinholeCamera,
    image::RgbImage,
    Option<(u32, u32)>,
) {
    let camera = view.camera;
    let (pw, ph) = photo.dimensions();
    if (pw, ph) == (camera.width, camera.height) {
        return (camera, photo, None);
    }
    if pw.abs_diff(camera.width) <= 1 && ph.abs_diff(camera.height) <= 1 {
        return (camera.resized(pw, ph), photo, None);
    }
    let rescaled = resize_photo(&photo, camera.width, camera.height);
    (camera, rescaled, Some((pw, ph)))
}

fn save_png(image: &image::RgbImage, path: &Path) -> anyhow::Result<()> {
    image
        .save_with_format(path, image::ImageFormat::Png)
        .with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
#[path = "run_tests.rs"]
mod tests;
