//! Frame order: prepare -> project -> sort -> draw (into an accumulation texture)
//! -> compose (into the output). The window and the headless `render` command both
//! call `FrameRenderer::encode_frame` with their own output view.

pub mod compose;
pub mod offscreen;
pub mod sort;
pub mod splat;
pub mod tile;

use crate::gpu::profiler::{FramePass, GpuProfiler, PassTimings};
use crate::gpu::shader::ShaderError;
use crate::scene::PinholeCamera;
use compose::ComposeRenderer;
use splat::{ACCUMULATION_FORMAT, SplatGpuData, SplatRenderer};
use tile::{RasterChoice, RasterChooser, RasterMode, TileRasterizer};

/// Size-dependent intermediate textures of a view.
struct ViewTargets {
    size: (u32, u32),
    accumulation_view: wgpu::TextureView,
    compose_bind_group: wgpu::BindGroup,
    /// The accumulation texture as the compute rasterizer's storage output.
    tile_output_group: wgpu::BindGroup,
}

/// Renders frames of a splat scene into any view of `output_format`.
pub struct FrameRenderer {
    pub splats: SplatRenderer,
    pub tiles: TileRasterizer,
    /// Hardware quads or the compute (tile) rasterizer, unless `auto_raster`.
    pub raster: RasterMode,
    /// Choose the rasterizer by measuring both on the first frames (`set_lod` with
    /// `RasterChoice::Auto`).
    auto_raster: bool,
    /// Whether Auto measures both rasterizers; off on CPU adapters, where the
    /// quads measured 2.4-3x faster (docs/BENCHMARKS.md) and each tile frame
    /// would cost the user a slow frame.
    auto_measures: bool,
    chooser: RasterChooser,
    /// The rasterizer of the frame whose timestamps are being read back.
    timed_raster: Option<RasterMode>,
    pub compose: ComposeRenderer,
    targets: Option<ViewTargets>,
    profiler: Option<GpuProfiler>,
    /// (pairs wanted, pairs stored) of the compute rasterizer's last frames.
    tile_readback: crate::gpu::readback::AsyncReadback,
}

impl FrameRenderer {
    pub fn new(
        device: &wgpu::Device,
        output_format: wgpu::TextureFormat,
    ) -> Result<Self, ShaderError> {
        Ok(Self {
            splats: SplatRenderer::new(device)?,
            tiles: TileRasterizer::new(device)?,
            raster: RasterMode::default(),
            auto_raster: false,
            auto_measures: device.adapter_info().device_type != wgpu::DeviceType::Cpu,
            chooser: RasterChooser::default(),
            timed_raster: None,
            compose: ComposeRenderer::new(device, output_format)?,
            targets: None,
            profiler: None,
            tile_readback: crate::gpu::readback::AsyncReadback::new(
                device,
                "tile pairs readback",
                8,
            ),
        })
    }

    /// Applies the user's level-of-detail settings from the next frame on. The
    /// resolution scale is left to the caller's choice of target size (the window
    /// renders into a scaled texture); `self.splats.lod.resolution_scale` scales
    /// inside the renderer instead.
    pub fn set_lod(&mut self, lod: &crate::controls::LodSettings) {
        let lod = lod.clamped();
        self.splats.lod.sh_degree_cap = lod.sh_degree_cap;
        self.splats.lod.opacity_cutoff = lod.opacity_cutoff;
        self.splats.lod.min_splat_px = lod.min_splat_px;
        self.splats.lod.splat_budget = lod.splat_budget;
        self.splats.lod.near_plane = lod.near_plane;
        self.splats.lod.far_plane = lod.far_plane.unwrap_or(f32::INFINITY);
        self.set_raster_choice(lod.raster);
    }

    /// Quads, tiles, or the faster of the two measured on the first frames.
    pub fn set_raster_choice(&mut self, choice: RasterChoice) {
        self.auto_raster = choice == RasterChoice::Auto;
        match choice {
            RasterChoice::Auto => {}
            RasterChoice::Hardware => self.raster = RasterMode::Hardware,
            RasterChoice::Compute => self.raster = RasterMode::Compute,
        }
    }

    /// The rasterizer the next frame uses.
    pub fn raster_mode(&self) -> RasterMode {
        if self.auto_raster {
            self.chooser.mode(RasterChoice::Auto)
        } else {
            self.raster
        }
    }

    /// Under `RasterChoice::Auto`: the chosen rasterizer and the median draw times
    /// (quads, tiles) it was chosen by, once measured.
    pub fn raster_decision(&self) -> Option<(RasterMode, f64, f64)> {
        self.chooser.decision().filter(|_| self.auto_raster)
    }

    /// Measure the rasterizers again (call when the scene changes).
    pub fn reset_raster_choice(&mut self) {
        self.chooser.reset();
    }

    /// Whether Auto measures both rasterizers (default: not on CPU adapters, where
    /// it takes the quads at once).
    pub fn set_auto_measures(&mut self, measure: bool) {
        self.auto_measures = measure;
    }

    /// The `LodSettings` fields `set_lod` (and the caller's target size) honour.
    pub fn lod_support() -> crate::controls::lod::LodSupport {
        crate::controls::lod::LodSupport {
            sh_degree_cap: true,
            splat_budget: true,
            min_splat_px: true,
            opacity_cutoff: true,
            resolution_scale: true,
        }
    }

    /// Turns on GPU timestamps per pass; false when the device has no
    /// `TIMESTAMP_QUERY`.
    pub fn enable_profiling(&mut self, device: &wgpu::Device, queue: &wgpu::Queue) -> bool {
        if self.profiler.is_none() {
            self.profiler = GpuProfiler::new(device, queue);
        }
        self.profiler.is_some()
    }

    /// Call after submitting a frame's encoder: starts reading its timestamps (and
    /// the compute rasterizer's pair count).
    pub fn after_submit(&mut self) {
        if let Some(profiler) = &mut self.profiler {
            profiler.after_submit();
        }
        self.tile_readback.after_submit();
    }

    /// Per-pass GPU times of the latest frame whose timestamps have arrived
    /// (needs a `Device::poll` in between; never blocks).
    pub fn poll_pass_timings(&mut self) -> Option<PassTimings> {
        let timings = self.profiler.as_mut()?.poll_results()?;
        if let Some(mode) = self.timed_raster.take()
            && self.auto_raster
        {
            self.chooser.record(mode, timings.draw);
        }
        Some(timings)
    }

    pub fn output_format(&self) -> wgpu::TextureFormat {
        self.compose.output_format
    }

    /// Records one frame for `camera` into `output`, a view of size
    /// `camera.width x camera.height` and format `output_format()`.
    #[allow(clippy::too_many_arguments)]
    pub fn encode_frame(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        encoder: &mut wgpu::CommandEncoder,
        scene: &mut SplatGpuData,
        camera: &PinholeCamera,
        background: [f32; 3],
        output: &wgpu::TextureView,
    ) {
        let output_size = (camera.width.max(1), camera.height.max(1));
        let splat_camera = self.splat_camera(camera);
        let size = (splat_camera.width, splat_camera.height);
        if self.targets.as_ref().is_none_or(|t| t.size != size) {
            self.targets = Some(self.create_targets(device, size));
        }
        let Some(targets) = &self.targets else {
            return;
        };
        // Grow the compute rasterizer's pair buffers if an earlier frame overflowed.
        if let (Some(words), Some(tiles)) = (self.tile_readback.poll(), scene.tiles.as_mut())
            && let Some(&wanted) = words.first()
        {
            tiles.request_pairs(wanted);
        }
        if self.auto_raster && !self.auto_measures && self.chooser.decision().is_none() {
            self.chooser.decide(RasterMode::Hardware);
        }
        let raster = self.raster_mode();
        // Quads for good (chosen, or Auto decided): free the tile pair buffers.
        let measuring = self.auto_raster && self.chooser.decision().is_none();
        if raster == RasterMode::Hardware && !measuring {
            scene.tiles = None;
        }
        let splats = &self.splats;
        splats.prepare(queue, scene, &splat_camera);
        splats.encode_project(encoder, scene, self.profiler.as_mut());
        splats.encode_sort(queue, encoder, scene, self.profiler.as_mut());
        Self::encode_raster(
            raster,
            splats,
            &self.tiles,
            device,
            queue,
            encoder,
            scene,
            targets,
            self.profiler.as_mut(),
        );
        if raster == RasterMode::Compute
            && let Some(tiles) = &scene.tiles
        {
            self.tile_readback.record_copy(encoder, &tiles.state, 0);
        }
        self.compose.encode(
            queue,
            encoder,
            &targets.compose_bind_group,
            &compose::ComposeUniforms::new(background, output_size),
            output,
            self.profiler
                .as_mut()
                .map(|p| p.render_writes(FramePass::Compose)),
        );
        if let Some(profiler) = &mut self.profiler {
            profiler.resolve(encoder);
            if profiler.resolved_this_frame() {
                self.timed_raster = Some(raster);
            }
        }
    }

    /// Stage *draw*: the hardware draw pass or the compute rasterizer into the
    /// accumulation texture. If the compute rasterizer cannot run for this view
    /// (buffers over the adapter's limits), it logs why and draws with quads.
    #[allow(clippy::too_many_arguments)]
    fn encode_raster(
        raster: RasterMode,
        splats: &SplatRenderer,
        tiles: &TileRasterizer,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        encoder: &mut wgpu::CommandEncoder,
        scene: &mut SplatGpuData,
        targets: &ViewTargets,
        mut profiler: Option<&mut GpuProfiler>,
    ) {
        if raster == RasterMode::Compute && scene.splat_count > 0 {
            match tiles.encode(
                device,
                queue,
                encoder,
                &splats.sorter,
                scene,
                splats.depth_sort_passes(),
                targets.size,
                &targets.tile_output_group,
                profiler.as_deref_mut(),
            ) {
                Ok(()) => return,
                Err(err) => log::error!("compute rasterizer unavailable, drawing quads: {err}"),
            }
        }
        splats.encode_draw(encoder, scene, &targets.accumulation_view, profiler);
    }

    /// The camera the splats are rendered with: the output camera at the
    /// level-of-detail resolution scale.
    fn splat_camera(&self, camera: &PinholeCamera) -> PinholeCamera {
        let scale = self.splats.lod.resolution_scale;
        if (scale - 1.0).abs() < 1e-6 || !scale.is_finite() {
            return *camera;
        }
        let scale = scale.clamp(0.05, 4.0);
        let width = ((camera.width as f32 * scale).round() as u32).max(1);
        let height = ((camera.height as f32 * scale).round() as u32).max(1);
        camera.resized(width, height)
    }

    /// Renders one frame stage by stage, submitting and waiting after each, and
    /// returns the CPU-measured milliseconds per stage: the timing fallback for
    /// adapters without timestamp queries (bench only; it stalls the GPU).
    pub fn render_frame_cpu_timed(
        &mut self,
        ctx: &crate::gpu::GpuContext,
        scene: &mut SplatGpuData,
        camera: &PinholeCamera,
        background: [f32; 3],
        output: &wgpu::TextureView,
    ) -> Result<PassTimings, wgpu::PollError> {
        let output_size = (camera.width.max(1), camera.height.max(1));
        let camera = &self.splat_camera(camera);
        let size = (camera.width, camera.height);
        if self.targets.as_ref().is_none_or(|t| t.size != size) {
            self.targets = Some(self.create_targets(&ctx.device, size));
        }
        let Some(targets) = &self.targets else {
            return Ok(PassTimings::default());
        };
        let timed = |record: &mut dyn FnMut(&mut wgpu::CommandEncoder)| {
            let mut encoder = ctx.device.create_command_encoder(&Default::default());
            record(&mut encoder);
            let started = std::time::Instant::now();
            ctx.queue.submit([encoder.finish()]);
            ctx.device.poll(wgpu::PollType::Wait {
                submission_index: None,
                timeout: None,
            })?;
            Ok::<f64, wgpu::PollError>(started.elapsed().as_secs_f64() * 1000.0)
        };
        let splats = &self.splats;
        splats.prepare(&ctx.queue, scene, camera);
        let project = timed(&mut |e| splats.encode_project(e, scene, None))?;
        let sort = timed(&mut |e| splats.encode_sort(&ctx.queue, e, scene, None))?;
        let (raster, tiles) = (self.raster_mode(), &self.tiles);
        let draw = timed(&mut |e| {
            Self::encode_raster(
                raster,
                splats,
                tiles,
                &ctx.device,
                &ctx.queue,
                e,
                scene,
                targets,
                None,
            )
        })?;
        let compose = timed(&mut |e| {
            self.compose.encode(
                &ctx.queue,
                e,
                &targets.compose_bind_group,
                &compose::ComposeUniforms::new(background, output_size),
                output,
                None,
            )
        })?;
        Ok(PassTimings {
            project,
            sort,
            draw,
            compose,
            tile_stages: None,
        })
    }

    fn create_targets(&self, device: &wgpu::Device, size: (u32, u32)) -> ViewTargets {
        let texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("splat accumulation"),
            size: wgpu::Extent3d {
                width: size.0,
                height: size.1,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: ACCUMULATION_FORMAT,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT
                | wgpu::TextureUsages::TEXTURE_BINDING
                | wgpu::TextureUsages::STORAGE_BINDING,
            view_formats: &[],
        });
        let accumulation_view = texture.create_view(&Default::default());
        let compose_bind_group = self.compose.bind_group(device, &accumulation_view);
        let tile_output_group = self.tiles.output_bind_group(device, &accumulation_view);
        ViewTargets {
            size,
            accumulation_view,
            compose_bind_group,
            tile_output_group,
        }
    }
}
