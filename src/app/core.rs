//! `ViewerCore`: the viewer without its window. It owns the app state, the GPU
//! device, the scene view, egui and the background work (loads, screenshots),
//! and draws a whole frame, overlay included, into any texture view. The window
//! shell (`viewer.rs`) hands it the surface's texture; tests hand it an
//! offscreen one, so they exercise the code that presents.
//!
//! A frame: read what finished GPU work and workers reported, run the overlay
//! over `AppState` (input -> camera goals, commands), advance animations, carry
//! out effects, bring the GPU objects in line with the scene panel, render the
//! scene (or A, B and their difference when comparing) if the view changed,
//! record any screenshot, then draw the images and the overlay into the target.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::compare_frame::PhotoLoad;
use super::compare_view::{BSceneGpu, CompareGpu};
use super::dialogs::{NativeDialogCheck, native_dialogs_available};
use super::eval_worker::EvalJob;
use super::loading::{LoadJob, LoadPurpose, LoadRequest};
use super::metrics_worker::MetricsWorker;
use super::object_sync::ObjectStore;
use super::scene_view::SceneView;
use super::screenshot::{Finished, Screenshots};
use super::state::AppState;
use super::video_export::VideoExport;
use super::{UserEvent, Waker};
use crate::gpu::GpuContext;
use crate::settings::Settings;

/// Nominal frame time used for the first frame after idling (the real gap since
/// the previous frame would make the first movement jump).
const FIRST_FRAME_DT: f32 = 1.0 / 60.0;
/// How often the progress bar refreshes while a file loads, and how often a
/// pending screenshot is polled.
const BACKGROUND_REFRESH: Duration = Duration::from_millis(100);

/// What a frame asks of the shell.
pub struct FrameOutput {
    pub platform_output: egui::PlatformOutput,
    /// Draw again at once (something moves).
    pub redraw_now: bool,
    /// Draw again at this time (egui tooltips, loading progress, screenshots).
    pub redraw_at: Option<Instant>,
    /// The user asked to quit.
    pub quit: bool,
}

pub struct ViewerCore {
    pub state: AppState,
    /// Where the settings are saved (none: not saved).
    pub settings_path: Option<std::path::PathBuf>,
    pub gpu: GpuContext,
    pub scene_view: SceneView,
    pub egui_ctx: egui::Context,
    pub(super) egui_renderer: egui_wgpu::Renderer,
    /// Format of the texture views frames are drawn into (non-sRGB).
    view_format: wgpu::TextureFormat,
    pub(super) load: Option<LoadJob>,
    /// Loads waiting for the running one.
    pub(super) load_queue: VecDeque<LoadRequest>,
    /// CPU copies of splat objects and what the GPU splat scene holds.
    pub(super) store: ObjectStore,
    /// The compare view's GPU side, while comparing.
    pub compare_gpu: Option<CompareGpu>,
    /// B's scene, when B is a scene file.
    pub b_scene: Option<BSceneGpu>,
    /// Bumped whenever B's scene changes (its images are then rendered again).
    pub(super) b_generation: u64,
    pub(super) metrics: MetricsWorker,
    /// The pair whose metrics are being read back or measured.
    pub(super) metrics_pending: Option<u64>,
    /// FLIP's error map of the pair measured last, for the difference layout.
    pub(super) flip_texture: Option<(u64, egui::TextureHandle)>,
    pub(super) eval: Option<EvalJob>,
    /// A cancelled evaluation, until its worker stops.
    pub(super) eval_cancelled: Option<EvalJob>,
    /// The dataset open for ground truth.
    pub dataset: Option<crate::dataset::Dataset>,
    /// B's photo, loading.
    pub(super) photo: Option<PhotoLoad>,
    /// A screenshot while comparing: the folder its images go to, once the
    /// pair on screen is read back.
    pub(super) compare_shot: Option<std::path::PathBuf>,
    /// When a throttled rebuild of the splat objects is due.
    rebuild_due: Option<Instant>,
    pub(super) screenshots: Screenshots,
    pub(super) waker: Waker,
    /// Scene generation (bumped per change of the resident scene).
    pub(super) generation: u64,
    last_frame: Instant,
    /// Frames submitted whose completion has not been seen yet (the window
    /// polls the device while any are, so their callbacks and read-backs land
    /// without waiting for input).
    frames_in_flight: Arc<AtomicUsize>,
    /// Whether the previous frame left something moving.
    pub(super) animating: bool,
    /// The last render error shown (so a failing frame does not repeat it).
    last_render_error: Option<String>,
    /// The screenshot in flight overflowed its tile buffers: render it again.
    pub(super) shot_retry: bool,
    /// Whether native file dialogs can open (tests inject one that says no).
    pub native_dialogs: NativeDialogCheck,
    /// A native dialog failed to open: use the in-app browser from now on.
    pub native_dialogs_missing: bool,
    /// The video export in progress.
    pub(super) video: Option<VideoExport>,
    /// Hierarchical level of detail: its build and page pool.
    pub(super) lod: super::lod::WindowLod,
}

impl ViewerCore {
    /// A viewer drawing into views of `view_format` on `gpu`; `waker` is called
    /// from other threads when background work has news.
    pub fn new(
        gpu: GpuContext,
        view_format: wgpu::TextureFormat,
        settings: Settings,
        viewport: (u32, u32),
        waker: Waker,
    ) -> anyhow::Result<Self> {
        let scene_view = SceneView::new(&gpu)?;
        let egui_renderer = egui_wgpu::Renderer::new(
            &gpu.device,
            view_format,
            egui_wgpu::RendererOptions::default(),
        );
        let mut state = AppState::new(settings);
        state.viewport = (viewport.0.max(1), viewport.1.max(1));
        Ok(Self {
            state,
            settings_path: None,
            gpu,
            scene_view,
            egui_ctx: egui::Context::default(),
            egui_renderer,
            view_format,
            load: None,
            load_queue: VecDeque::new(),
            store: ObjectStore::default(),
            compare_gpu: None,
            b_scene: None,
            b_generation: 0,
            metrics: MetricsWorker::new(waker.clone()),
            metrics_pending: None,
            flip_texture: None,
            eval: None,
            eval_cancelled: None,
            dataset: None,
            photo: None,
            compare_shot: None,
            rebuild_due: None,
            screenshots: Screenshots::new(waker.clone()),
            waker,
            generation: 0,
            last_frame: Instant::now(),
            frames_in_flight: Arc::default(),
            animating: false,
            last_render_error: None,
            shot_retry: false,
            native_dialogs: Arc::new(native_dialogs_available),
            native_dialogs_missing: false,
            video: None,
            lod: Default::default(),
        })
    }

    /// Why the GPU device was lost, once it has been.
    pub fn device_lost(&self) -> Option<String> {
        self.gpu.health.lost()
    }

    /// After a device loss: a new device (able to present to `surface`, if
    /// given), the renderer, egui's context and textures made again, and every
    /// object reloaded from its file with its placement and visibility, without
    /// moving the camera (B too). The shell then configures its surface for the
    /// new device and takes the new egui context.
    pub fn recover(&mut self, surface: Option<&wgpu::Surface<'_>>) -> anyhow::Result<()> {
        let reason = self
            .device_lost()
            .unwrap_or_else(|| "unknown reason".into());
        let gpu = pollster::block_on(self.gpu.recreate(surface))?;
        self.scene_view = SceneView::new(&gpu)?;
        self.egui_renderer = egui_wgpu::Renderer::new(
            &gpu.device,
            self.view_format,
            egui_wgpu::RendererOptions::default(),
        );
        // A new egui context: its first frame uploads the whole font atlas to
        // the new renderer (the old context would only send partial updates of
        // textures the new renderer never had). The shell rebinds its input.
        self.egui_ctx = egui::Context::default();
        self.gpu = gpu;
        self.screenshots = Screenshots::new(self.waker.clone());
        self.cancel_export();
        self.cancel_evaluation();
        self.last_render_error = None;
        if let Some(old) = self.load.take() {
            old.cancel();
        }
        self.load_queue.clear();
        self.state.loading = None;
        // Everything on the old device is gone: every object comes back from its
        // file (splats through the next `sync_objects`, meshes here), B too.
        self.store = ObjectStore::default();
        // The hierarchy stays on the host: `sync_lod` makes its page pool on the
        // new device once the scene is back.
        self.lod.drop_gpu();
        self.compare_gpu = None;
        self.b_scene = None;
        self.flip_texture = None;
        self.metrics_pending = None;
        self.photo = None;
        self.generation += 1;
        self.scene_view.set_generation(self.generation);
        for entry in &self.state.objects {
            if !entry.kind.is_splats() {
                self.load_queue.push_back(LoadRequest {
                    path: entry.path.clone(),
                    purpose: LoadPurpose::Reload {
                        id: entry.id,
                        to_gpu: true,
                    },
                });
            }
        }
        if let Some(super::compare::BSource::Scene(path)) = &self.state.compare.b {
            self.state.compare.b_scene = None;
            self.load_queue.push_back(LoadRequest {
                path: path.clone(),
                purpose: LoadPurpose::CompareB,
            });
        }
        match self.state.objects.len() {
            0 => self
                .state
                .error(format!("{reason}: the GPU device was recreated")),
            n => self.state.error(format!(
                "{reason}: the GPU device was recreated; reloading {n} object{} from {}",
                if n == 1 { "" } else { "s" },
                if n == 1 { "its file" } else { "their files" }
            )),
        }
        self.sync_objects();
        self.start_next_load();
        Ok(())
    }

    /// Draws one frame into `target` (a view of `size` pixels in the core's view
    /// format) and submits it.
    pub fn frame(
        &mut self,
        raw_input: egui::RawInput,
        target: &wgpu::TextureView,
        size: (u32, u32),
        pixels_per_point: f32,
    ) -> FrameOutput {
        let now = Instant::now();
        let real_dt = now.duration_since(self.last_frame).as_secs_f32();
        let dt = if self.animating {
            real_dt
        } else {
            FIRST_FRAME_DT
        };
        self.last_frame = now;
        let flicker = self.state.advance_flicker(real_dt);
        self.state.viewport = (size.0.max(1), size.1.max(1));
        if let Some(load) = &self.load
            && let Some(status) = &mut self.state.loading
        {
            status.elapsed = load.started.elapsed();
        }
        self.take_reports();
        self.sync_export_status();
        for error in self.gpu.health.take_errors() {
            self.state.error(format!("GPU error: {error}"));
        }

        // UI: input -> camera goals and commands, over this frame's scene texture.
        if let Err(err) = self
            .scene_view
            .ensure_target(&self.gpu, &mut self.egui_renderer, size)
        {
            log::warn!("scene texture: {err}");
        }
        let scene_image = if self.state.comparing() {
            self.compare_image()
        } else {
            self.scene_view.image()
        };
        let state = &mut self.state;
        let full_output = self
            .egui_ctx
            .run_ui(raw_input, |ui| crate::app::ui::show(ui, state, scene_image));
        self.animating = self.state.advance(dt);
        let quit = self.handle_effects();
        self.rebuild_due = self.sync_objects();
        if self.load.is_none() && !self.load_queue.is_empty() {
            self.start_next_load();
        }
        let lod_shown = (
            self.state.hierarchy.active,
            self.state.hierarchy.building.is_some(),
        );
        self.sync_lod();
        // The overlay above was laid out before the LOD build ended or its
        // pool appeared: show the change at once.
        let lod_changed = lod_shown
            != (
                self.state.hierarchy.active,
                self.state.hierarchy.building.is_some(),
            );

        let started = Instant::now();
        let rendered = self.draw(
            target,
            size,
            full_output.shapes,
            full_output.textures_delta,
            pixels_per_point,
        );
        if rendered {
            let waker = self.waker.clone();
            let in_flight = Arc::clone(&self.frames_in_flight);
            in_flight.fetch_add(1, Ordering::Relaxed);
            self.gpu.queue.on_submitted_work_done(move || {
                in_flight.fetch_sub(1, Ordering::Relaxed);
                let frame_ms = started.elapsed().as_secs_f64() * 1000.0;
                waker(UserEvent::FrameDone { frame_ms });
            });
        }
        // Let wgpu notice finished work (fires the callbacks above) without blocking.
        let _ = self.gpu.device.poll(wgpu::PollType::Poll);

        let repaint_delay = full_output
            .viewport_output
            .get(&egui::ViewportId::ROOT)
            .map_or(Duration::MAX, |v| v.repaint_delay);
        let mut redraw_at = (repaint_delay < Duration::from_secs(60)).then(|| now + repaint_delay);
        let mut wake = |at: Instant| redraw_at = Some(redraw_at.map_or(at, |t| t.min(at)));
        if let Some(at) = self.state.expire_notices(now) {
            wake(at);
        }
        if self.state.loading.is_some()
            || self.screenshots.busy()
            || self.video.is_some()
            || self.eval.is_some()
            || self.metrics_pending.is_some()
            || self.photo.is_some()
            || self.state.hierarchy.building.is_some()
        {
            wake(now + BACKGROUND_REFRESH);
        }
        if let Some(due) = self.rebuild_due {
            wake(due);
        }
        if let Some(seconds) = flicker {
            wake(now + Duration::from_secs_f32(seconds));
        }
        FrameOutput {
            platform_output: full_output.platform_output,
            // An export renders one frame per redraw, back to back.
            redraw_now: self.animating
                || lod_changed
                || repaint_delay.is_zero()
                || self.lod.streaming
                || self.main_view_measuring()
                || self.screenshots.queued_video_frames() > 0,
            redraw_at,
            quit,
        }
    }

    /// What finished frames reported: visible count, pass times, the raster
    /// choice, GPU memory; and screenshots that arrived.
    fn take_reports(&mut self) {
        let report = self.scene_view.poll();
        if let Some(visible) = report.visible_splats {
            self.state.stats.visible_splats = Some(visible);
        }
        if let Some(timings) = report.timings {
            self.state.stats.set_passes(None, &timings);
            self.state.stats.raster_decision = self.scene_view.raster_decision();
            // Buffers can grow after loading (the compute rasterizer's pairs).
            if self.state.loading.is_none()
                && let Some(scene) = &mut self.state.scene
            {
                scene.gpu_bytes = Some(self.scene_view.gpu_bytes());
            }
        }
        self.poll_compare();
        if !self.screenshots.in_flight() {
            return;
        }
        match self.scene_view.poll_shot_overflow() {
            // Rendered again in this frame (`draw`) with grown buffers.
            Some(true) if self.screenshots.retry().is_some() => self.shot_retry = true,
            None => {}
            Some(_) => {
                if let Some(texels) = self.screenshots.poll_texels() {
                    match self.screenshots.finish(texels) {
                        Ok(Finished::Png(_)) => {}
                        Ok(Finished::VideoFrame(image)) => self.video_frame(image),
                        Err(err) => self.state.error(err),
                    }
                }
            }
        }
    }

    /// Records the scene (if its view changed), a pending screenshot and the
    /// overlay into `target`, and submits. Returns whether the scene was rendered.
    fn draw(
        &mut self,
        target: &wgpu::TextureView,
        size: (u32, u32),
        shapes: Vec<egui::epaint::ClippedShape>,
        mut textures: egui::TexturesDelta,
        pixels_per_point: f32,
    ) -> bool {
        let (device, queue) = (&self.gpu.device, &self.gpu.queue);
        for (id, deltas) in &textures.set {
            for delta in deltas {
                self.egui_renderer.update_texture(device, queue, *id, delta);
            }
        }
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("viewer frame"),
        });

        // Splats into the scene texture, if the view changed.
        let lod = self.state.settings.lod.clamped();
        let camera = self.state.rig.camera(size.0.max(1), size.1.max(1));
        let background = self.state.settings.background;
        let limit = device.limits().max_texture_dimension_2d;
        self.state.stats.render_size = lod.view_params(camera, background).render_size(limit);
        let lines = crate::app::ui::frusta::segments(&self.state, &camera);
        let mesh = self.state.settings.mesh.params();
        let prepared = if self.state.comparing() {
            self.draw_compare(&mut encoder)
        } else {
            self.update_lod(&camera);
            let color_by_level = self.state.settings.hierarchy.color_by_level;
            self.scene_view.prepare(
                &self.gpu,
                &mut encoder,
                &mut self.egui_renderer,
                &camera,
                &lod,
                background,
                &mesh,
                &lines,
                self.lod.draw(color_by_level),
            )
        };
        let rendered = match prepared {
            Ok(rendered) => {
                self.last_render_error = None;
                rendered
            }
            Err(err) => {
                let message = format!("cannot render the scene: {err}");
                if self.last_render_error.as_ref() != Some(&message) {
                    self.state.error(message.clone());
                    self.last_render_error = Some(message);
                }
                false
            }
        };
        let shot_encoded = self.record_screenshot(&mut encoder);

        // The overlay (and the scene texture under it) into the target.
        let paint_jobs = self.egui_ctx.tessellate(shapes, pixels_per_point);
        let screen = egui_wgpu::ScreenDescriptor {
            size_in_pixels: [size.0, size.1],
            pixels_per_point,
        };
        let callbacks = self.egui_renderer.update_buffers(
            &self.gpu.device,
            &self.gpu.queue,
            &mut encoder,
            &paint_jobs,
            &screen,
        );
        {
            let [r, g, b] = background.map(f64::from);
            let mut pass = encoder
                .begin_render_pass(&wgpu::RenderPassDescriptor {
                    label: Some("egui overlay"),
                    color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                        view: target,
                        depth_slice: None,
                        resolve_target: None,
                        ops: wgpu::Operations {
                            load: wgpu::LoadOp::Clear(wgpu::Color { r, g, b, a: 1.0 }),
                            store: wgpu::StoreOp::Store,
                        },
                    })],
                    depth_stencil_attachment: None,
                    timestamp_writes: None,
                    occlusion_query_set: None,
                    multiview_mask: None,
                })
                .forget_lifetime();
            self.egui_renderer.render(&mut pass, &paint_jobs, &screen);
        }
        for id in &textures.free {
            self.egui_renderer.free_texture(id);
        }
        textures.clear();
        self.gpu
            .queue
            .submit(callbacks.into_iter().chain([encoder.finish()]));
        self.scene_view.after_submit(shot_encoded);
        if let Some(compare) = &mut self.compare_gpu {
            compare.after_submit();
        }
        if shot_encoded {
            self.screenshots.after_submit();
        }
        rendered
    }

    /// Whether nothing is left to catch up with: no camera or path animation
    /// running, no load running or queued, no rebuild of the splat objects
    /// waiting, no photo loading, no live metrics or evaluation in flight.
    pub fn settled(&self) -> bool {
        !self.animating
            && self.load.is_none()
            && self.load_queue.is_empty()
            && self.rebuild_due.is_none()
            && self.photo.is_none()
            && self.compare_shot.is_none()
            && self.metrics_pending.is_none()
            && self.eval.is_none()
            && self.state.hierarchy.building.is_none()
            && !self.lod.streaming
            && !self.lod.cutting
            && !self.main_view_measuring()
    }

    /// Whether Auto measures in the main view, which is drawn (not comparing).
    fn main_view_measuring(&self) -> bool {
        !self.state.comparing() && self.scene_view.raster_measuring()
    }

    /// Whether a submitted frame has not finished yet.
    pub fn gpu_in_flight(&self) -> bool {
        self.frames_in_flight.load(Ordering::Relaxed) > 0
    }

    /// Lets wgpu notice finished work without blocking (fires the frame and
    /// read-back callbacks).
    pub fn poll_gpu(&self) {
        let _ = self.gpu.device.poll(wgpu::PollType::Poll);
    }

    /// The waker other threads use to wake this viewer.
    pub fn waker(&self) -> Waker {
        Arc::clone(&self.waker)
    }
}
