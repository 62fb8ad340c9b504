//! Evaluating the open dataset from the window: `eval::evaluate` (the loop of
//! `splatview eval`: photo fitted to the camera, render, 8-bit rounding, PSNR,
//! SSIM, FLIP) runs on a worker thread with a `ViewRenderer` that draws the
//! window's resident splat scene on the window's device (its own `Renderer`
//! and `OffscreenView`; the scene is shared, not uploaded again). The window
//! keeps drawing meanwhile; progress is counted per view and the evaluation can
//! be cancelled between views.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, channel};

use super::{UserEvent, Waker};
use crate::dataset::Dataset;
use crate::eval::{EvalOptions, EvalReport, RenderOptions, ViewRenderer};
use crate::gpu::GpuContext;
use crate::render::offscreen::OffscreenView;
use crate::render::{Renderer, SplatScene};
use crate::scene::PinholeCamera;
use crate::settings::LodSettings;

/// The renderer `evaluate` drives: the window's scene with the window's render
/// settings (`lod`), on the window's device.
struct WindowSceneRenderer {
    gpu: GpuContext,
    renderer: Renderer,
    view: OffscreenView,
    scene: Arc<SplatScene>,
    lod: LodSettings,
    done: Arc<AtomicUsize>,
    cancel: Arc<AtomicBool>,
    waker: Waker,
}

impl ViewRenderer for WindowSceneRenderer {
    fn render_view(
        &mut self,
        camera: &PinholeCamera,
        options: &RenderOptions,
    ) -> anyhow::Result<image::RgbImage> {
        anyhow::ensure!(!self.cancel.load(Ordering::Relaxed), "cancelled");
        let params = self.lod.view_params(*camera, options.background);
        let image = self
            .view
            .render(&self.gpu, &self.renderer, &self.scene, &params)?;
        self.done.fetch_add(1, Ordering::Relaxed);
        (self.waker)(UserEvent::WorkerNews);
        Ok(image)
    }
}

/// An evaluation running on its worker.
pub struct EvalJob {
    pub total: usize,
    done: Arc<AtomicUsize>,
    cancel: Arc<AtomicBool>,
    result: Receiver<Result<EvalReport, String>>,
}

/// A handle on the same device and queue (wgpu's handles are shared).
pub fn share(gpu: &GpuContext) -> GpuContext {
    GpuContext {
        instance: gpu.instance.clone(),
        adapter: gpu.adapter.clone(),
        device: gpu.device.clone(),
        queue: gpu.queue.clone(),
        health: gpu.health.clone(),
    }
}

impl EvalJob {
    /// Starts evaluating `dataset` with `options` against `scene` drawn with
    /// `lod`.
    pub fn spawn(
        gpu: GpuContext,
        scene: Arc<SplatScene>,
        dataset: Dataset,
        options: EvalOptions,
        lod: LodSettings,
        waker: Waker,
    ) -> Result<Self, String> {
        let total = dataset.split_views(options.split).len();
        let done = Arc::new(AtomicUsize::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let (sender, result) = channel();
        let (worker_done, worker_cancel) = (done.clone(), cancel.clone());
        std::thread::Builder::new()
            .name("dataset evaluation".into())
            .spawn(move || {
                let outcome = (|| {
                    let renderer = Renderer::new(&gpu.device)?;
                    let view = OffscreenView::new(&gpu.device, &renderer);
                    let mut adapter = WindowSceneRenderer {
                        gpu,
                        renderer,
                        view,
                        scene,
                        lod,
                        done: worker_done,
                        cancel: worker_cancel,
                        waker: waker.clone(),
                    };
                    crate::eval::evaluate(
                        &dataset,
                        &mut adapter,
                        &options,
                        &indicatif::ProgressBar::hidden(),
                    )
                })();
                let _ = sender.send(outcome.map_err(|e| format!("{e:#}")));
                waker(UserEvent::WorkerNews);
            })
            .map_err(|e| format!("cannot start the evaluation: {e}"))?;
        Ok(Self {
            total,
            done,
            cancel,
            result,
        })
    }

    /// Views rendered so far.
    pub fn done(&self) -> usize {
        self.done.load(Ordering::Relaxed)
    }

    /// Stops after the view being rendered.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// The report, once the worker has finished.
    pub fn poll(&self) -> Option<Result<EvalReport, String>> {
        self.result.try_recv().ok()
    }
}
