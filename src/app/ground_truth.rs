//! A dataset open in the window (the UI side, no wgpu types): its views become
//! the training cameras (stepped with N / Shift+N, drawn as frusta), each with
//! its photo, which B can show ("ground-truth photo"); an evaluation of every
//! view (`eval::evaluate` on a worker, `app::eval_worker`) fills in PSNR, SSIM
//! and FLIP per view, and the list can be sorted worst first.

use std::path::PathBuf;

use super::state::AppState;
use crate::dataset::{Dataset, DatasetLayout, Split};
use crate::io::cameras_json::TrainingCamera;
use crate::metrics::ImageMetrics;

/// One view of the dataset.
#[derive(Clone, Debug, PartialEq)]
pub struct GroundTruthView {
    pub name: String,
    pub photo: Option<PathBuf>,
    /// In the 3DGS test split (every `test_every`-th by name, from 0).
    pub test: bool,
    /// Measured by the last evaluation.
    pub metrics: Option<ImageMetrics>,
    /// Why the last evaluation left this view out.
    pub skipped: Option<String>,
    /// The photo's size when the last evaluation rescaled it to the camera's.
    pub rescaled_from: Option<(u32, u32)>,
    /// Why the photo could not be shown as B (it is not loaded again).
    pub photo_error: Option<String>,
}

/// An evaluation running on the worker.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalProgress {
    pub done: usize,
    pub total: usize,
}

/// The dataset as the UI shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct GroundTruth {
    pub root: PathBuf,
    pub layout: &'static str,
    pub images_dir: PathBuf,
    /// In the dataset's (name) order, the order of the training cameras.
    pub views: Vec<GroundTruthView>,
    pub test_every: usize,
    /// The split the next evaluation covers.
    pub eval_split: Split,
    pub running: Option<EvalProgress>,
    /// Summary of the last evaluation ("12 views, mean PSNR 27.31 dB ...").
    pub summary: Option<String>,
    /// List the views worst PSNR first (evaluated views only).
    pub sort_by_psnr: bool,
    /// The background the dataset's renders are scored over: a 3DGS training
    /// output's (`white_background` in its `cfg_args`), as `splatview eval`
    /// uses; `None`: the window's.
    pub background: Option<[f32; 3]>,
}

impl GroundTruth {
    pub fn new(dataset: &Dataset) -> Self {
        let test_every = Split::DEFAULT_TEST_EVERY;
        let test = Split::Test { every: test_every };
        Self {
            root: dataset.root.clone(),
            layout: match dataset.layout {
                DatasetLayout::Colmap => "COLMAP",
                DatasetLayout::CamerasJson => "3DGS cameras.json",
                DatasetLayout::TrainingOutput => "3DGS training output",
            },
            images_dir: dataset.images_dir.clone(),
            views: dataset
                .views
                .iter()
                .enumerate()
                .map(|(i, v)| GroundTruthView {
                    name: v.name.clone(),
                    photo: v.photo.clone(),
                    test: test.contains(i),
                    metrics: None,
                    skipped: None,
                    rescaled_from: None,
                    photo_error: None,
                })
                .collect(),
            test_every,
            eval_split: test,
            running: None,
            summary: None,
            sort_by_psnr: false,
            background: None,
        }
    }

    /// View indices in display order: dataset order, or evaluated views by PSNR
    /// (worst first, identical ones last) followed by the others.
    pub fn display_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.views.len()).collect();
        if self.sort_by_psnr {
            let key = |i: &usize| {
                let metrics = self.views[*i].metrics;
                (metrics.is_none(), metrics.map_or(f64::INFINITY, |m| m.psnr))
            };
            order.sort_by(|a, b| {
                let (a, b) = (key(a), key(b));
                a.0.cmp(&b.0).then(a.1.total_cmp(&b.1))
            });
        }
        order
    }

    /// The background evaluation and the photo view use: the dataset's, or
    /// `window`'s.
    pub fn background_or(&self, window: [f32; 3]) -> [f32; 3] {
        self.background.unwrap_or(window)
    }

    /// Takes in an evaluation's results: metrics per view, skipped views and
    /// their reasons, rescaled photos; views the evaluation did not cover
    /// keep nothing from an earlier one.
    pub fn take_report(&mut self, report: &crate::eval::EvalReport) {
        for view in &mut self.views {
            let result = report.results.iter().find(|r| r.name == view.name);
            view.metrics = result.map(|r| r.metrics);
            view.rescaled_from = result.and_then(|r| r.rescaled_from);
            view.skipped = report
                .skipped
                .iter()
                .find(|s| s.name == view.name)
                .map(|s| s.reason.clone());
        }
    }

    /// The evaluated view with the lowest PSNR.
    pub fn worst(&self) -> Option<usize> {
        (0..self.views.len())
            .filter(|&i| self.views[i].metrics.is_some())
            .min_by(|&a, &b| {
                let psnr = |i: usize| self.views[i].metrics.map_or(f64::INFINITY, |m| m.psnr);
                psnr(a).total_cmp(&psnr(b))
            })
    }
}

impl AppState {
    /// Shows `dataset`: its views become the training cameras.
    pub fn set_dataset(&mut self, dataset: &Dataset) {
        self.training = super::state::TrainingCameras {
            file: Some(dataset.root.clone()),
            cameras: dataset
                .views
                .iter()
                .enumerate()
                .map(|(i, v)| TrainingCamera {
                    id: i as i64,
                    name: v.name.clone(),
                    camera: v.camera,
                })
                .collect(),
            selected: None,
        };
        self.dataset = Some(GroundTruth::new(dataset));
    }

    /// Jumps to the evaluated view with the lowest PSNR and shows its photo as B.
    pub fn go_to_worst_view(&mut self) {
        let Some(worst) = self.dataset.as_ref().and_then(GroundTruth::worst) else {
            self.notice("evaluate the dataset first (Compare > Evaluate dataset views)");
            return;
        };
        self.jump_to_training_camera(worst);
        if self.compare.b != Some(super::compare::BSource::Photo) {
            self.set_b(super::compare::BSource::Photo);
        }
    }
}

/// The window's one-line summary of an evaluation: the mean metrics, how many
/// views were left out and how many photos were rescaled (the list says which
/// and why).
pub fn eval_summary(report: &crate::eval::EvalReport) -> String {
    let Some(mean) = report.mean() else {
        return match report.skipped.len() {
            0 => format!("the {} split holds no view", report.split.name()),
            n => format!("no view could be evaluated ({n} skipped: no usable photo)"),
        };
    };
    let mut summary = format!(
        "{}: mean PSNR {:.2} dB, SSIM {:.4}, FLIP {:.4}",
        report.split.views(report.results.len()),
        mean.psnr,
        mean.ssim,
        mean.flip
    );
    if !report.skipped.is_empty() {
        summary += &format!("; {} skipped (no usable photo)", report.skipped.len());
    }
    let rescaled = report
        .results
        .iter()
        .filter(|r| r.rescaled_from.is_some())
        .count();
    if rescaled > 0 {
        summary += &format!(
            "; {rescaled} photo{} rescaled to the camera's size",
            if rescaled == 1 { "" } else { "s" }
        );
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorting_puts_the_worst_evaluated_view_first() {
        let view = |name: &str, psnr: Option<f64>| GroundTruthView {
            name: name.into(),
            photo: None,
            test: false,
            metrics: psnr.map(|psnr| ImageMetrics {
                psnr,
                ssim: 0.9,
                flip: 0.1,
            }),
            skipped: None,
            rescaled_from: None,
            photo_error: None,
        };
        let mut truth = GroundTruth {
            root: "/d".into(),
            layout: "COLMAP",
            images_dir: "/d/images".into(),
            views: vec![
                view("a", Some(30.0)),
                view("b", None),
                view("c", Some(21.5)),
                view("d", Some(f64::INFINITY)),
            ],
            test_every: 8,
            eval_split: Split::All,
            running: None,
            summary: None,
            sort_by_psnr: false,
            background: None,
        };
        assert_eq!(truth.display_order(), [0, 1, 2, 3]);
        truth.sort_by_psnr = true;
        // Identical (infinite PSNR) views before the ones not evaluated.
        assert_eq!(truth.display_order(), [2, 0, 3, 1]);
        assert_eq!(truth.worst(), Some(2));
    }
}
