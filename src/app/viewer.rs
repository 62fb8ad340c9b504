//! Window, surface, egui integration and the per-frame redraw.
//!
//! A frame: egui runs the overlay over `AppState` (input -> camera goals, commands),
//! animations advance, the splats are re-rendered into the scene texture only if
//! the view changed (`SceneView`), and egui draws that texture plus the overlay
//! into the surface. Redraws happen only on input, animation, loading or playback;
//! an idle viewer does no GPU work. The surface survives resize, minimize and loss.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use winit::event::WindowEvent;
use winit::event_loop::{ActiveEventLoop, EventLoopProxy};
use winit::window::Window;

use super::UserEvent;
use super::loading::LoadJob;
use super::scene_view::SceneView;
use super::screenshot::ScreenshotWorker;
use super::state::AppState;
use crate::gpu::GpuContext;
use crate::settings::Settings;

/// Nominal frame time used for the first frame after idling (the real gap since
/// the previous frame would make the first movement jump).
const FIRST_FRAME_DT: f32 = 1.0 / 60.0;
/// How often the progress bar refreshes while a file loads.
const LOADING_REFRESH: Duration = Duration::from_millis(100);

pub struct Viewer {
    pub(super) window: Arc<Window>,
    surface: wgpu::Surface<'static>,
    config: wgpu::SurfaceConfiguration,
    /// Format of the views we render into (the surface format without sRGB).
    view_format: wgpu::TextureFormat,
    pub(super) ctx: GpuContext,
    pub(super) scene_view: SceneView,
    egui_ctx: egui::Context,
    egui_state: egui_winit::State,
    egui_renderer: egui_wgpu::Renderer,
    pub(super) state: AppState,
    pub(super) proxy: EventLoopProxy<UserEvent>,
    pub(super) settings_path: Option<std::path::PathBuf>,
    pub(super) load: Option<LoadJob>,
    pub(super) screenshots: ScreenshotWorker,
    /// Scene generation (bumped per upload; screenshots key their upload on it).
    pub(super) generation: u64,
    last_frame: Instant,
    /// Whether the previous frame left something moving.
    animating: bool,
    /// When egui or the loader want the next frame (tooltips, progress).
    pub(super) next_redraw: Option<Instant>,
}

impl Viewer {
    pub fn new(
        event_loop: &ActiveEventLoop,
        settings: Settings,
        settings_path: Option<std::path::PathBuf>,
        proxy: EventLoopProxy<UserEvent>,
    ) -> anyhow::Result<Self> {
        let [w, h] = settings.window_size;
        let window = Arc::new(
            event_loop.create_window(
                Window::default_attributes()
                    .with_title("splatview")
                    .with_inner_size(winit::dpi::PhysicalSize::new(w, h)),
            )?,
        );
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_with_display_handle_from_env(
                Box::new(event_loop.owned_display_handle()),
            ));
        let surface = instance
            .create_surface(window.clone())
            .context("creating the window surface")?;
        let ctx = pollster::block_on(GpuContext::from_instance(instance, Some(&surface)))?;
        log::info!("adapter: {}", ctx.adapter_description());

        let size = window.inner_size();
        let caps = surface.get_capabilities(&ctx.adapter);
        // 3DGS colours are display-encoded: render into a non-sRGB view (egui prefers
        // that too: it then blends in gamma space).
        let format = caps
            .formats
            .iter()
            .copied()
            .find(|f| !f.is_srgb())
            .or_else(|| caps.formats.first().copied())
            .context("the surface offers no formats")?;
        let view_format = format.remove_srgb_suffix();
        let config = wgpu::SurfaceConfiguration {
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
            format,
            color_space: Default::default(),
            width: size.width.max(1),
            height: size.height.max(1),
            present_mode: wgpu::PresentMode::AutoVsync,
            desired_maximum_frame_latency: 2,
            alpha_mode: caps
                .alpha_modes
                .first()
                .copied()
                .unwrap_or(wgpu::CompositeAlphaMode::Auto),
            view_formats: if view_format == format {
                vec![]
            } else {
                vec![view_format]
            },
        };
        if size.width > 0 && size.height > 0 {
            surface.configure(&ctx.device, &config);
        }

        let scene_view = SceneView::new(&ctx, view_format)?;
        let egui_ctx = egui::Context::default();
        let max_texture = ctx.device.limits().max_texture_dimension_2d as usize;
        let egui_state = egui_winit::State::new(
            egui_ctx.clone(),
            egui::ViewportId::ROOT,
            event_loop,
            Some(window.scale_factor() as f32),
            window.theme(),
            Some(max_texture),
        );
        let egui_renderer = egui_wgpu::Renderer::new(
            &ctx.device,
            view_format,
            egui_wgpu::RendererOptions::default(),
        );
        let mut state = AppState::new(settings);
        state.viewport = (size.width.max(1), size.height.max(1));
        let viewer = Self {
            screenshots: ScreenshotWorker::spawn(proxy.clone()),
            window,
            surface,
            config,
            view_format,
            ctx,
            scene_view,
            egui_ctx,
            egui_state,
            egui_renderer,
            state,
            proxy,
            settings_path,
            load: None,
            generation: 0,
            last_frame: Instant::now(),
            animating: false,
            next_redraw: None,
        };
        viewer.window.request_redraw();
        Ok(viewer)
    }

    /// Hands a window event to egui; redraws if egui wants to.
    pub fn on_window_event(&mut self, event: &WindowEvent) {
        let response = self.egui_state.on_window_event(&self.window, event);
        if response.repaint {
            self.window.request_redraw();
        }
    }

    pub fn resize(&mut self, width: u32, height: u32) {
        if width == 0 || height == 0 {
            // Minimized: keep the old configuration, draw nothing until restored.
            return;
        }
        self.config.width = width;
        self.config.height = height;
        self.surface.configure(&self.ctx.device, &self.config);
        self.state.viewport = (width, height);
        self.window.request_redraw();
    }

    fn recreate_surface(&mut self) {
        match self.ctx.instance.create_surface(self.window.clone()) {
            Ok(surface) => {
                self.surface = surface;
                self.surface.configure(&self.ctx.device, &self.config);
            }
            Err(err) => log::error!("cannot recreate the lost surface: {err}"),
        }
    }

    pub fn window_size(&self) -> (u32, u32) {
        let size = self.window.inner_size();
        (size.width, size.height)
    }

    pub fn redraw(&mut self, event_loop: &ActiveEventLoop) {
        let (width, height) = self.window_size();
        if width == 0 || height == 0 {
            return;
        }
        let now = Instant::now();
        let dt = if self.animating {
            now.duration_since(self.last_frame).as_secs_f32()
        } else {
            FIRST_FRAME_DT
        };
        self.last_frame = now;
        self.next_redraw = None;
        if let Some(load) = &self.load
            && let Some(status) = &mut self.state.loading
        {
            status.elapsed = load.started.elapsed();
        }
        if let Some(visible) = self.scene_view.poll_visible() {
            self.state.stats.visible_splats = Some(visible);
        }
        if let Some(passes) = self.scene_view.poll_pass_timings() {
            self.state.stats.gpu_passes = passes;
            self.state.stats.raster_decision = self.scene_view.raster_decision();
            // Buffers can grow after loading (the compute rasterizer's pairs).
            if self.state.loading.is_none()
                && let Some(scene) = &mut self.state.scene
            {
                scene.gpu_bytes = Some(self.scene_view.gpu_bytes());
            }
        }

        // UI: input -> camera goals and commands.
        let raw_input = self.egui_state.take_egui_input(&self.window);
        let scene_image = self.scene_view_image();
        let state = &mut self.state;
        let full_output = self
            .egui_ctx
            .run_ui(raw_input, |ui| crate::ui::show(ui, state, scene_image));
        self.animating = self.state.advance(dt);
        self.handle_effects(event_loop);
        self.egui_state
            .handle_platform_output(&self.window, full_output.platform_output);

        self.draw(
            full_output.shapes,
            full_output.textures_delta,
            full_output.pixels_per_point,
        );

        let repaint_delay = full_output
            .viewport_output
            .get(&egui::ViewportId::ROOT)
            .map_or(Duration::MAX, |v| v.repaint_delay);
        if self.animating || repaint_delay.is_zero() {
            self.window.request_redraw();
        } else if repaint_delay < Duration::from_secs(60) {
            self.next_redraw = Some(now + repaint_delay);
        }
        if self.state.loading.is_some() {
            let refresh = now + LOADING_REFRESH;
            self.next_redraw = Some(self.next_redraw.map_or(refresh, |t| t.min(refresh)));
        }
    }

    fn scene_view_image(&self) -> Option<crate::ui::SceneImage> {
        self.scene_view.image()
    }

    fn draw(
        &mut self,
        shapes: Vec<egui::epaint::ClippedShape>,
        mut textures: egui::TexturesDelta,
        pixels_per_point: f32,
    ) {
        // egui's texture changes are applied whether or not a frame can be drawn.
        for (id, deltas) in &textures.set {
            for delta in deltas {
                self.egui_renderer
                    .update_texture(&self.ctx.device, &self.ctx.queue, *id, delta);
            }
        }
        let frame = self.acquire();
        let Some(frame) = frame else {
            for id in &textures.free {
                self.egui_renderer.free_texture(id);
            }
            textures.clear();
            return;
        };
        let (width, height) = (frame.texture.width(), frame.texture.height());
        let view = frame.texture.create_view(&wgpu::TextureViewDescriptor {
            format: Some(self.view_format),
            ..Default::default()
        });
        let device = &self.ctx.device;
        let queue = &self.ctx.queue;
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("viewer frame"),
        });

        // Splats into the scene texture, if the view changed.
        let lod = self.state.settings.lod.clamped();
        let (rw, rh) = lod.render_size(width, height);
        let camera = self.state.rig.camera(rw, rh);
        let background = self.state.settings.background;
        let started = Instant::now();
        let rendered = self
            .scene_view
            .prepare(
                &self.ctx,
                &mut encoder,
                &mut self.egui_renderer,
                &camera,
                &lod,
                background,
            )
            .is_some_and(|(_, rendered)| rendered);
        self.state.stats.render_size = (rw, rh);

        // The overlay (and the scene texture under it) into the surface.
        let paint_jobs = self.egui_ctx.tessellate(shapes, pixels_per_point);
        let screen = egui_wgpu::ScreenDescriptor {
            size_in_pixels: [width, height],
            pixels_per_point,
        };
        let callbacks =
            self.egui_renderer
                .update_buffers(device, queue, &mut encoder, &paint_jobs, &screen);
        {
            let [r, g, b] = background.map(f64::from);
            let mut pass = encoder
                .begin_render_pass(&wgpu::RenderPassDescriptor {
                    label: Some("egui overlay"),
                    color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                        view: &view,
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
        queue.submit(callbacks.into_iter().chain([encoder.finish()]));
        self.scene_view.after_submit();
        if rendered {
            let proxy = self.proxy.clone();
            queue.on_submitted_work_done(move || {
                let frame_ms = started.elapsed().as_secs_f64() * 1000.0;
                let _ = proxy.send_event(UserEvent::FrameDone { frame_ms });
            });
        }
        self.window.pre_present_notify();
        queue.present(frame);
        // Let wgpu notice finished work (fires the callbacks above) without blocking.
        let _ = device.poll(wgpu::PollType::Poll);
    }

    fn acquire(&mut self) -> Option<wgpu::SurfaceTexture> {
        match self.surface.get_current_texture() {
            wgpu::CurrentSurfaceTexture::Success(frame) => Some(frame),
            wgpu::CurrentSurfaceTexture::Suboptimal(frame) => {
                // Draw this one; reconfigure for the next.
                self.window.request_redraw();
                Some(frame)
            }
            wgpu::CurrentSurfaceTexture::Timeout | wgpu::CurrentSurfaceTexture::Occluded => None,
            wgpu::CurrentSurfaceTexture::Outdated => {
                self.surface.configure(&self.ctx.device, &self.config);
                self.window.request_redraw();
                None
            }
            wgpu::CurrentSurfaceTexture::Lost => {
                self.recreate_surface();
                self.window.request_redraw();
                None
            }
            wgpu::CurrentSurfaceTexture::Validation => {
                log::error!("surface validation error; skipping frame");
                None
            }
        }
    }

    /// A frame finished on the GPU.
    pub fn frame_done(&mut self, frame_ms: f64) {
        self.state.stats.frame_ms = Some(frame_ms);
        // Show the new numbers (and read the visible count) without waiting for input.
        if !self.animating {
            let _ = self.ctx.device.poll(wgpu::PollType::Poll);
            self.window.request_redraw();
        }
    }
}
