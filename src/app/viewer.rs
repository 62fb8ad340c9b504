//! Window, surface and GPU state of the viewer, and the per-frame redraw.
//!
//! Redraws happen only on request (input, resize, expose). The surface survives
//! resize, resize to zero (minimize) and loss (it is reconfigured or recreated).

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use winit::event::WindowEvent;
use winit::event_loop::{ActiveEventLoop, EventLoopProxy};
use winit::keyboard::{Key, NamedKey};
use winit::window::Window;

use super::UserEvent;
use super::input::{MouseState, scroll_steps};
use crate::controls::OrbitCamera;
use crate::gpu::GpuContext;
use crate::render::FrameRenderer;
use crate::render::splat::SplatGpuData;
use crate::scene::{SceneBounds, SplatCloud};

const BACKGROUND: [f32; 3] = [0.0, 0.0, 0.0];

pub struct Viewer {
    window: Arc<Window>,
    surface: wgpu::Surface<'static>,
    config: wgpu::SurfaceConfiguration,
    /// Format of the views we render into (the surface format without sRGB).
    view_format: wgpu::TextureFormat,
    ctx: GpuContext,
    renderer: FrameRenderer,
    scene: SplatGpuData,
    bounds: Option<SceneBounds>,
    orbit: OrbitCamera,
    mouse: MouseState,
    proxy: EventLoopProxy<UserEvent>,
    scene_label: String,
    status: Option<String>,
    last_frame_ms: Option<f64>,
}

impl Viewer {
    pub fn new(
        event_loop: &ActiveEventLoop,
        cloud: &SplatCloud,
        scene_name: String,
        status: Option<String>,
        proxy: EventLoopProxy<UserEvent>,
    ) -> anyhow::Result<Self> {
        let window = Arc::new(
            event_loop.create_window(
                Window::default_attributes()
                    .with_title("splatview")
                    .with_inner_size(winit::dpi::LogicalSize::new(1280.0, 720.0)),
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
        // 3DGS colours are display-encoded: render into a non-sRGB view.
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

        let renderer = FrameRenderer::new(&ctx.device, view_format)?;
        let (scene, status) = match SplatGpuData::new(&ctx.device, &renderer.splats, cloud) {
            Ok(scene) => (scene, status),
            Err(err) => {
                log::error!("{err}");
                let empty = SplatGpuData::new(&ctx.device, &renderer.splats, &SplatCloud::new(0))?;
                (empty, Some(err.to_string()))
            }
        };
        let bounds = SceneBounds::robust(cloud);
        let orbit =
            OrbitCamera::framing(bounds, size.width.max(1) as f32 / size.height.max(1) as f32);
        let scene_label = format!("{scene_name} - {} splats", scene.splat_count);
        let viewer = Self {
            window,
            surface,
            config,
            view_format,
            ctx,
            renderer,
            scene,
            bounds,
            orbit,
            mouse: MouseState::default(),
            proxy,
            scene_label,
            status,
            last_frame_ms: None,
        };
        viewer.update_title();
        viewer.window.request_redraw();
        Ok(viewer)
    }

    fn update_title(&self) {
        let mut title = format!("splatview - {}", self.scene_label);
        if let Some(ms) = self.last_frame_ms {
            title.push_str(&format!(" - {ms:.1} ms ({:.0} FPS)", 1000.0 / ms.max(1e-3)));
        }
        if let Some(status) = &self.status {
            title.push_str(&format!(" - {status}"));
        }
        self.window.set_title(&title);
    }

    pub fn frame_done(&mut self, frame_ms: f64) {
        self.last_frame_ms = Some(frame_ms);
        self.update_title();
    }

    pub fn resize(&mut self, width: u32, height: u32) {
        if width == 0 || height == 0 {
            // Minimized: keep the old configuration, draw nothing until restored.
            return;
        }
        self.config.width = width;
        self.config.height = height;
        self.surface.configure(&self.ctx.device, &self.config);
        self.window.request_redraw();
    }

    fn is_minimized(&self) -> bool {
        let size = self.window.inner_size();
        size.width == 0 || size.height == 0
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

    pub fn redraw(&mut self) {
        if self.is_minimized() {
            return;
        }
        let started = Instant::now();
        let frame = match self.surface.get_current_texture() {
            wgpu::CurrentSurfaceTexture::Success(frame) => frame,
            wgpu::CurrentSurfaceTexture::Suboptimal(frame) => {
                // Draw this one; reconfigure for the next.
                self.window.request_redraw();
                frame
            }
            wgpu::CurrentSurfaceTexture::Timeout | wgpu::CurrentSurfaceTexture::Occluded => return,
            wgpu::CurrentSurfaceTexture::Outdated => {
                self.surface.configure(&self.ctx.device, &self.config);
                self.window.request_redraw();
                return;
            }
            wgpu::CurrentSurfaceTexture::Lost => {
                self.recreate_surface();
                self.window.request_redraw();
                return;
            }
            wgpu::CurrentSurfaceTexture::Validation => {
                log::error!("surface validation error; skipping frame");
                return;
            }
        };
        let (width, height) = (frame.texture.width(), frame.texture.height());
        let view = frame.texture.create_view(&wgpu::TextureViewDescriptor {
            format: Some(self.view_format),
            ..Default::default()
        });
        let camera = self.orbit.camera(width, height);
        let mut encoder = self
            .ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("viewer frame"),
            });
        self.renderer.encode_frame(
            &self.ctx.device,
            &self.ctx.queue,
            &mut encoder,
            &mut self.scene,
            &camera,
            BACKGROUND,
            &view,
        );
        self.ctx.queue.submit([encoder.finish()]);
        let proxy = self.proxy.clone();
        self.ctx.queue.on_submitted_work_done(move || {
            let frame_ms = started.elapsed().as_secs_f64() * 1000.0;
            let _ = proxy.send_event(UserEvent::FrameDone { frame_ms });
        });
        self.window.pre_present_notify();
        self.ctx.queue.present(frame);
        // Let wgpu notice finished work (fires the callback above) without blocking.
        let _ = self.ctx.device.poll(wgpu::PollType::Poll);
    }

    /// Routes mouse and keyboard input to the camera controller.
    pub fn handle_input(&mut self, event: &WindowEvent, event_loop: &ActiveEventLoop) {
        let changed = match event {
            WindowEvent::MouseInput { state, button, .. } => {
                self.mouse.button(*button, *state);
                false
            }
            WindowEvent::CursorMoved { position, .. } => {
                let (dx, dy) = self.mouse.moved(position.x, position.y);
                if self.mouse.rotating {
                    self.orbit.orbit(dx, dy);
                    true
                } else if self.mouse.panning {
                    self.orbit.pan(dx, dy, self.config.height as f32);
                    true
                } else {
                    false
                }
            }
            WindowEvent::CursorLeft { .. } => {
                self.mouse.last_position = None;
                false
            }
            WindowEvent::MouseWheel { delta, .. } => {
                self.orbit.zoom(scroll_steps(delta));
                true
            }
            WindowEvent::KeyboardInput { event, .. } if event.state.is_pressed() => {
                match &event.logical_key {
                    Key::Named(NamedKey::Escape) => {
                        event_loop.exit();
                        false
                    }
                    Key::Character(c)
                        if c.eq_ignore_ascii_case("f") || c.eq_ignore_ascii_case("r") =>
                    {
                        let size = self.window.inner_size();
                        self.orbit = OrbitCamera::framing(
                            self.bounds,
                            size.width.max(1) as f32 / size.height.max(1) as f32,
                        );
                        true
                    }
                    _ => false,
                }
            }
            WindowEvent::Occluded(false) | WindowEvent::Focused(true) => true,
            _ => false,
        };
        if changed {
            self.window.request_redraw();
        }
    }
}
