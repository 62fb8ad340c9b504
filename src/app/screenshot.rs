//! Screenshots through the headless path: a worker thread with its own headless
//! `GpuContext` renders the scene with `render::offscreen::render_to_image` (the
//! code `splatview render` uses) at any size, e.g. 4K, and writes the PNG. The
//! window keeps drawing meanwhile. The worker keeps the uploaded scene between
//! shots of the same scene.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender};

use anyhow::Context as _;
use winit::event_loop::EventLoopProxy;

use super::UserEvent;
use crate::controls::LodSettings;
use crate::gpu::GpuContext;
use crate::render::FrameRenderer;
use crate::render::offscreen::{OFFSCREEN_FORMAT, render_to_image};
use crate::render::splat::SplatGpuData;
use crate::scene::{PinholeCamera, SplatCloud};

pub struct ScreenshotJob {
    pub cloud: Arc<SplatCloud>,
    /// Identifies the scene (a new load gets a new generation).
    pub generation: u64,
    pub camera: PinholeCamera,
    pub background: [f32; 3],
    pub lod: LodSettings,
    pub out: PathBuf,
}

pub struct ScreenshotWorker {
    jobs: Option<Sender<ScreenshotJob>>,
}

impl ScreenshotWorker {
    pub fn spawn(proxy: EventLoopProxy<UserEvent>) -> Self {
        let (sender, receiver) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("screenshots".into())
            .spawn(move || worker(&receiver, &proxy));
        match spawned {
            Ok(_) => Self { jobs: Some(sender) },
            Err(err) => {
                log::error!("cannot start the screenshot thread: {err}");
                Self { jobs: None }
            }
        }
    }

    /// Queues a shot; false if the worker is gone.
    pub fn request(&self, job: ScreenshotJob) -> bool {
        self.jobs.as_ref().is_some_and(|s| s.send(job).is_ok())
    }
}

struct Uploaded {
    generation: u64,
    renderer: FrameRenderer,
    scene: SplatGpuData,
}

fn worker(jobs: &Receiver<ScreenshotJob>, proxy: &EventLoopProxy<UserEvent>) {
    let mut ctx: Option<GpuContext> = None;
    let mut uploaded: Option<Uploaded> = None;
    while let Ok(job) = jobs.recv() {
        let out = job.out.clone();
        let result = shoot(&mut ctx, &mut uploaded, &job)
            .map(|()| out)
            .map_err(|e| format!("screenshot failed: {e:#}"));
        if proxy.send_event(UserEvent::ScreenshotDone(result)).is_err() {
            return;
        }
    }
}

fn shoot(
    ctx: &mut Option<GpuContext>,
    uploaded: &mut Option<Uploaded>,
    job: &ScreenshotJob,
) -> anyhow::Result<()> {
    if ctx.is_none() {
        *ctx = Some(GpuContext::new_headless()?);
    }
    let Some(ctx) = ctx.as_ref() else {
        anyhow::bail!("no GPU");
    };
    if uploaded
        .as_ref()
        .is_none_or(|u| u.generation != job.generation)
    {
        *uploaded = None; // free the old scene first
        let renderer = FrameRenderer::new(&ctx.device, OFFSCREEN_FORMAT)?;
        let scene = SplatGpuData::new(&ctx.device, &renderer.splats, &job.cloud)?;
        *uploaded = Some(Uploaded {
            generation: job.generation,
            renderer,
            scene,
        });
    }
    let Some(u) = uploaded.as_mut() else {
        anyhow::bail!("scene upload failed");
    };
    u.renderer.set_lod(&job.lod);
    let image = render_to_image(
        ctx,
        &mut u.renderer,
        &mut u.scene,
        &job.camera,
        job.background,
    )?;
    image
        .save(&job.out)
        .with_context(|| format!("writing {}", job.out.display()))
}

/// `<dir>/<scene>-NNN.png`, the first that does not exist yet.
pub fn next_path(dir: &Path, scene_name: &str) -> PathBuf {
    let stem = Path::new(scene_name)
        .file_stem()
        .map_or_else(|| "splatview".into(), |s| s.to_string_lossy().into_owned());
    (1..100_000)
        .map(|i| dir.join(format!("{stem}-{i:03}.png")))
        .find(|p| !p.exists())
        .unwrap_or_else(|| dir.join(format!("{stem}.png")))
}
