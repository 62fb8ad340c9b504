//! GPU side of the 3D view: the splat renderer, the scene's buffers, and the
//! texture the splats are rendered into, which egui then draws under the overlay
//! (scaled to the window when the LOD render-resolution scale is not 1).
//!
//! The texture is re-rendered only when what it shows changes (camera, size, LOD,
//! background, scene); frames that only change the overlay reuse it, so hovering a
//! button does not re-sort a million splats.

use crate::controls::LodSettings;
use crate::gpu::readback::AsyncReadback;
use crate::gpu::{GpuContext, GpuError};
use crate::render::FrameRenderer;
use crate::render::splat::SplatGpuData;
use crate::scene::{PinholeCamera, SplatCloud};
use crate::ui::SceneImage;

/// Everything a rendered image depends on.
#[derive(Clone, Copy, Debug, PartialEq)]
struct RenderKey {
    camera: PinholeCamera,
    lod: LodSettings,
    background: [f32; 3],
    generation: u64,
}

struct Target {
    size: (u32, u32),
    view: wgpu::TextureView,
    id: egui::TextureId,
}

pub struct SceneView {
    renderer: FrameRenderer,
    scene: SplatGpuData,
    generation: u64,
    format: wgpu::TextureFormat,
    target: Option<Target>,
    last: Option<RenderKey>,
    visible: AsyncReadback,
    /// The scene shown before a streamed load started, until it completes.
    previous: Option<SplatGpuData>,
}

impl SceneView {
    pub fn new(gpu: &GpuContext, format: wgpu::TextureFormat) -> anyhow::Result<Self> {
        let device = &gpu.device;
        let mut renderer = FrameRenderer::new(device, format)?;
        if !renderer.enable_profiling(device, &gpu.queue) {
            log::info!("no timestamp queries on this adapter: no per-pass GPU times");
        }
        let scene = SplatGpuData::new(device, &renderer.splats, &SplatCloud::new(0))?;
        Ok(Self {
            renderer,
            scene,
            generation: 0,
            format,
            target: None,
            last: None,
            visible: AsyncReadback::new(device, "visible count readback", 4),
            previous: None,
        })
    }

    /// Starts showing a streamed scene of `total` splats: allocates its buffers
    /// and keeps the current scene aside until `finish_stream` or `abort_stream`.
    pub fn begin_stream(
        &mut self,
        device: &wgpu::Device,
        total: usize,
        sh_degree: u32,
        antialiased: bool,
    ) -> Result<(), GpuError> {
        let scene = SplatGpuData::with_capacity(
            device,
            &self.renderer.splats,
            total,
            sh_degree,
            antialiased,
        )?;
        let old = std::mem::replace(&mut self.scene, scene);
        self.renderer.reset_raster_choice();
        // Keep the scene from before the first streamed load, not an aborted one.
        if self.previous.is_none() {
            self.previous = Some(old);
        }
        self.last = None;
        Ok(())
    }

    /// Uploads the next chunk of the streamed scene.
    pub fn append_chunk(
        &mut self,
        queue: &wgpu::Queue,
        chunk: &SplatCloud,
    ) -> Result<(), crate::render::splat::gpu_data::AppendError> {
        self.scene.append(queue, chunk)?;
        self.last = None;
        Ok(())
    }

    /// The streamed scene is complete: drop the one kept aside.
    pub fn finish_stream(&mut self) {
        self.previous = None;
    }

    /// The streamed load failed: show the scene from before it again.
    pub fn abort_stream(&mut self) {
        if let Some(previous) = self.previous.take() {
            self.scene = previous;
            self.renderer.reset_raster_choice();
        }
        self.last = None;
    }

    /// Marks the image stale under a new scene generation.
    pub fn set_generation(&mut self, generation: u64) {
        self.generation = generation;
        self.last = None;
    }

    /// GPU bytes of the current scene.
    pub fn gpu_bytes(&self) -> u64 {
        self.scene.size_bytes()
    }

    /// The texture of the last render, for egui.
    pub fn image(&self) -> Option<SceneImage> {
        self.target.as_ref().map(|t| SceneImage { texture: t.id })
    }

    /// Renders the splats for `camera` into the view texture if anything changed,
    /// and returns the texture for egui. `camera` has the render size.
    pub fn prepare(
        &mut self,
        gpu: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        egui_renderer: &mut egui_wgpu::Renderer,
        camera: &PinholeCamera,
        lod: &LodSettings,
        background: [f32; 3],
    ) -> Option<(SceneImage, bool)> {
        let (device, queue) = (&gpu.device, &gpu.queue);
        let size = (camera.width.max(1), camera.height.max(1));
        if self.target.as_ref().is_none_or(|t| t.size != size) {
            self.resize_target(device, egui_renderer, size);
        }
        let key = RenderKey {
            camera: *camera,
            lod: *lod,
            background,
            generation: self.generation,
        };
        let target = self.target.as_ref()?;
        let image = SceneImage { texture: target.id };
        if self.last == Some(key) {
            return Some((image, false));
        }
        self.renderer.set_lod(lod);
        self.renderer.encode_frame(
            device,
            queue,
            encoder,
            &mut self.scene,
            camera,
            background,
            &target.view,
        );
        self.visible.record_copy(
            encoder,
            &self.scene.draw_args,
            crate::render::splat::gpu_data::INSTANCE_COUNT_OFFSET,
        );
        self.last = Some(key);
        Some((image, true))
    }

    /// Call after the frame's encoder was submitted.
    pub fn after_submit(&mut self) {
        self.visible.after_submit();
        self.renderer.after_submit();
    }

    /// Per-pass GPU milliseconds of a finished frame, when they have arrived.
    pub fn poll_pass_timings(&mut self) -> Option<Vec<(String, f64)>> {
        let timings = self.renderer.poll_pass_timings()?;
        Some(
            timings
                .named()
                .iter()
                .map(|(name, ms)| ((*name).to_owned(), *ms))
                .collect(),
        )
    }

    /// Under the automatic rasterizer choice: the choice and the median draw times
    /// (quads, tiles) it was made by, once measured.
    pub fn raster_decision(&self) -> Option<(crate::render::tile::RasterMode, f64, f64)> {
        self.renderer.raster_decision()
    }

    /// The visible splat count of a finished frame, when one has arrived.
    pub fn poll_visible(&mut self) -> Option<u32> {
        self.visible.poll().and_then(|words| words.first().copied())
    }

    fn resize_target(
        &mut self,
        device: &wgpu::Device,
        egui_renderer: &mut egui_wgpu::Renderer,
        size: (u32, u32),
    ) {
        let texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("scene view"),
            size: wgpu::Extent3d {
                width: size.0,
                height: size.1,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: self.format,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::TEXTURE_BINDING,
            view_formats: &[],
        });
        let view = texture.create_view(&Default::default());
        let id = match &self.target {
            Some(old) => {
                egui_renderer.update_egui_texture_from_wgpu_texture(
                    device,
                    &view,
                    wgpu::FilterMode::Linear,
                    old.id,
                );
                old.id
            }
            None => egui_renderer.register_native_texture(device, &view, wgpu::FilterMode::Linear),
        };
        self.target = Some(Target { size, view, id });
        self.last = None;
    }
}
