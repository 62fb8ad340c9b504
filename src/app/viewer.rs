//! The window shell: the winit window, its surface and egui's window input. Each
//! redraw acquires the surface texture, lets `ViewerCore` draw the frame into it
//! and presents it. Redraws happen only on input, animation, loading or
//! playback; an idle viewer does no GPU work. The surface survives resize,
//! minimize, loss and a lost device (`ViewerCore::recover`).

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use winit::event::WindowEvent;
use winit::event_loop::{ActiveEventLoop, EventLoopProxy};
use winit::window::Window;

use super::UserEvent;
use super::core::ViewerCore;
use crate::gpu::GpuContext;
use crate::settings::Settings;

/// How often the window polls the device while a frame is unfinished.
const GPU_POLL_INTERVAL: std::time::Duration = std::time::Duration::from_millis(8);

pub struct Viewer {
    pub(super) window: Arc<Window>,
    surface: wgpu::Surface<'static>,
    config: wgpu::SurfaceConfiguration,
    egui_state: egui_winit::State,
    pub(super) core: ViewerCore,
    /// When egui, the loader or a screenshot want the next frame.
    pub(super) next_redraw: Option<Instant>,
    /// When to poll the device next, while a submitted frame is unfinished:
    /// its completion (frame time, pass times, visible count) then shows
    /// without waiting for input.
    pub(super) next_poll: Option<Instant>,
    /// The redraw in flight was asked for by `frame_done` to show the
    /// numbers of the frame before; its own completion asks for none (else an
    /// idle window would redraw forever).
    refreshing: bool,
    /// The surface was suboptimal: configure it again before the next frame.
    reconfigure: bool,
    title: String,
    /// `SPLATVIEW_TEST_LOSE_DEVICE_AFTER_S`: destroy the device once, this long
    /// after start (to see the recovery in a real window).
    lose_device_at: Option<Instant>,
}

impl Viewer {
    pub fn new(
        event_loop: &ActiveEventLoop,
        settings: Settings,
        settings_path: Option<std::path::PathBuf>,
        proxy: EventLoopProxy<UserEvent>,
    ) -> anyhow::Result<Self> {
        let [w, h] = window_size_for_monitor(event_loop, settings.window_size);
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
        let gpu = pollster::block_on(GpuContext::from_instance(instance, Some(&surface)))?;
        log::info!("adapter: {}", gpu.adapter_description());

        let size = window.inner_size();
        let caps = surface.get_capabilities(&gpu.adapter);
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
        let waker: super::Waker = Arc::new(move |event| {
            let _ = proxy.send_event(event);
        });
        let mut core =
            ViewerCore::new(gpu, view_format, settings, (size.width, size.height), waker)?;
        core.settings_path = settings_path;
        let egui_state = egui_state(event_loop, &window, &core);
        let mut viewer = Self {
            window,
            surface,
            config,
            egui_state,
            core,
            next_redraw: None,
            next_poll: None,
            refreshing: false,
            reconfigure: false,
            title: String::new(),
            lose_device_at: std::env::var("SPLATVIEW_TEST_LOSE_DEVICE_AFTER_S")
                .ok()
                .and_then(|s| s.parse::<f32>().ok())
                .filter(|s| s.is_finite() && *s >= 0.0)
                .map(|s| Instant::now() + std::time::Duration::from_secs_f32(s)),
        };
        if size.width > 0 && size.height > 0 {
            viewer.configure_surface();
        }
        viewer.window.request_redraw();
        Ok(viewer)
    }

    /// The modifier keys held now (as egui saw them last).
    pub fn modifiers(&self) -> egui::Modifiers {
        self.core.egui_ctx.input(|i| i.modifiers)
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
        self.configure_surface();
        self.window.request_redraw();
    }

    /// Configures the surface for the current device, each side clamped to the
    /// largest texture the device allows.
    fn configure_surface(&mut self) {
        let limit = self.core.gpu.device.limits().max_texture_dimension_2d;
        self.config.width = self.config.width.clamp(1, limit);
        self.config.height = self.config.height.clamp(1, limit);
        self.surface.configure(&self.core.gpu.device, &self.config);
        self.reconfigure = false;
    }

    fn recreate_surface(&mut self) {
        match self.core.gpu.instance.create_surface(self.window.clone()) {
            Ok(surface) => {
                self.surface = surface;
                self.configure_surface();
            }
            Err(err) => log::error!("cannot recreate the lost surface: {err}"),
        }
    }

    pub fn window_size(&self) -> (u32, u32) {
        let size = self.window.inner_size();
        (size.width, size.height)
    }

    pub fn redraw(&mut self, event_loop: &ActiveEventLoop) {
        if let Some(at) = self.lose_device_at
            && Instant::now() >= at
        {
            self.lose_device_at = None;
            log::warn!("SPLATVIEW_TEST_LOSE_DEVICE_AFTER_S: destroying the GPU device");
            self.core.gpu.device.destroy();
            let _ = self.core.gpu.device.poll(wgpu::PollType::Poll);
        }
        if self.core.device_lost().is_some() {
            match self.core.recover(Some(&self.surface)) {
                Ok(()) => {
                    self.configure_surface();
                    self.egui_state = egui_state(event_loop, &self.window, &self.core);
                }
                Err(err) => {
                    log::error!("cannot recreate the GPU device: {err:#}");
                    self.core.save_settings();
                    event_loop.exit();
                    return;
                }
            }
        }
        let (width, height) = self.window_size();
        if width == 0 || height == 0 {
            return;
        }
        if self.reconfigure {
            self.configure_surface();
        }
        self.next_redraw = None;
        let Some(frame) = self.acquire() else {
            return;
        };
        let raw_input = self.egui_state.take_egui_input(&self.window);
        let size = (frame.texture.width(), frame.texture.height());
        let view = frame.texture.create_view(&wgpu::TextureViewDescriptor {
            format: Some(self.config.format.remove_srgb_suffix()),
            ..Default::default()
        });
        let pixels_per_point = egui_winit::pixels_per_point(&self.core.egui_ctx, &self.window);
        let output = self.core.frame(raw_input, &view, size, pixels_per_point);
        self.window.pre_present_notify();
        self.core.gpu.queue.present(frame);
        self.egui_state
            .handle_platform_output(&self.window, output.platform_output);
        self.update_title();
        if output.quit {
            self.core.save_settings();
            event_loop.exit();
            return;
        }
        if output.redraw_now {
            self.window.request_redraw();
        }
        self.next_redraw = output.redraw_at;
        self.schedule_poll();
        if let Some(at) = self.lose_device_at {
            self.next_redraw = Some(self.next_redraw.map_or(at, |t| t.min(at)));
        }
    }

    fn update_title(&mut self) {
        let title = match &self.core.state.scene {
            Some(scene) => format!("splatview - {}", scene.name),
            None => "splatview".to_owned(),
        };
        if title != self.title {
            self.window.set_title(&title);
            self.title = title;
        }
    }

    fn acquire(&mut self) -> Option<wgpu::SurfaceTexture> {
        match self.surface.get_current_texture() {
            wgpu::CurrentSurfaceTexture::Success(frame) => Some(frame),
            wgpu::CurrentSurfaceTexture::Suboptimal(frame) => {
                // Draw this one; configure again before the next.
                self.reconfigure = true;
                self.window.request_redraw();
                Some(frame)
            }
            wgpu::CurrentSurfaceTexture::Timeout | wgpu::CurrentSurfaceTexture::Occluded => None,
            wgpu::CurrentSurfaceTexture::Outdated => {
                self.configure_surface();
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
        self.core.state.stats.frame_ms = Some(frame_ms);
        // Show the new numbers (and read the visible count) without waiting
        // for input: one redraw, not one per redraw.
        self.core.poll_gpu();
        if std::mem::take(&mut self.refreshing) {
            return;
        }
        self.refreshing = true;
        self.window.request_redraw();
    }

    /// Polls the device again soon while a frame is unfinished.
    fn schedule_poll(&mut self) {
        self.next_poll = self
            .core
            .gpu_in_flight()
            .then(|| Instant::now() + GPU_POLL_INTERVAL);
    }

    /// The wake-up time came: poll the device if that was due, redraw if a
    /// frame was.
    pub(super) fn wake_up(&mut self) {
        let now = Instant::now();
        if self.next_poll.is_some_and(|at| at <= now) {
            self.core.poll_gpu();
            self.schedule_poll();
        }
        if self.next_redraw.is_some_and(|at| at <= now) {
            self.window.request_redraw();
        }
    }

    /// The next time the event loop should wake by itself.
    pub(super) fn next_wake(&self) -> Option<Instant> {
        match (self.next_redraw, self.next_poll) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// egui's window input for `core`'s egui context.
fn egui_state(
    event_loop: &ActiveEventLoop,
    window: &Window,
    core: &ViewerCore,
) -> egui_winit::State {
    let max_texture = core.gpu.device.limits().max_texture_dimension_2d as usize;
    egui_winit::State::new(
        core.egui_ctx.clone(),
        egui::ViewportId::ROOT,
        event_loop,
        Some(window.scale_factor() as f32),
        window.theme(),
        Some(max_texture),
    )
}

/// The persisted window size, clamped to the monitor the window opens on (a
/// size saved on a larger monitor would open the window past the screen).
fn window_size_for_monitor(event_loop: &ActiveEventLoop, [w, h]: [u32; 2]) -> [u32; 2] {
    let monitor = event_loop
        .primary_monitor()
        .or_else(|| event_loop.available_monitors().next());
    match monitor.map(|m| m.size()) {
        Some(size) if size.width > 0 && size.height > 0 => [
            w.clamp(320, size.width.max(320)),
            h.clamp(240, size.height.max(240)),
        ],
        _ => [w.max(320), h.max(240)],
    }
}
