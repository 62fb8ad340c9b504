//! `SplatView`: everything one camera's rendering owns: the working buffers for
//! the scene it draws (uniforms, projected splats, sort and tile buffers), its
//! accumulation target and compose binding, its read-backs (visible count, tile
//! pairs) and timestamp slots, and the measurement behind `Raster::Auto`.
//!
//! Any number of views can draw one scene (or several scenes) into one
//! submission; a view never writes another view's buffers. Views live as long as
//! their user wants (the window's view, a screenshot's view); renderers hold only
//! pipelines.

use crate::gpu::GpuError;
use crate::gpu::profiler::{GpuProfiler, PassTimings};
use crate::gpu::readback::AsyncReadback;
use crate::render::compose::{ComposeBinding, ComposeRenderer};
use crate::render::formats::ACCUMULATION_FORMAT;
use crate::render::mesh::{MeshRenderer, MeshViewData};
use crate::render::params::{Raster, TileSize};
use crate::render::scene::SplatScene;
use crate::render::splat::gpu_data::VISIBLE_COUNT_OFFSET;
use crate::render::splat::{SplatRenderer, SplatWorking};
use crate::render::tile::choice::{CPU_MEASURE_MIN_SPLATS, RasterDecision, RasterMode};
use crate::render::tile::{RasterChooser, TileBuffers, TileRasterizer};

/// Size-dependent targets of a view.
pub(crate) struct ViewTargets {
    pub size: (u32, u32),
    /// Whether the compose binding reads the mesh colour (`SplatView::meshes`).
    pub with_meshes: bool,
    pub accumulation_view: wgpu::TextureView,
    pub compose: ComposeBinding,
    /// The accumulation texture as the compute rasterizer's storage output, with
    /// no depth buffer (with one, the group is made per frame).
    pub tile_output: wgpu::BindGroup,
    bytes: u64,
}

/// What a view learned from frames that finished on the GPU.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ViewReport {
    /// Splats drawn in the latest finished frame.
    pub visible_splats: Option<u32>,
    /// Per-pass GPU times of the latest finished frame whose timestamps arrived.
    pub timings: Option<PassTimings>,
    /// A finished frame needed more tile pairs than the view held: it was drawn
    /// with quads instead (complete, but not the tile image). The next frame grows
    /// the buffers; a view that shows a still image should render again.
    pub tile_overflow: bool,
}

/// One camera's GPU state. See the module documentation.
pub struct SplatView {
    output_format: wgpu::TextureFormat,
    pub(crate) compose_pipeline: wgpu::RenderPipeline,
    pub(crate) working: Option<SplatWorking>,
    pub(crate) tiles: Option<TileBuffers>,
    pub(crate) targets: Option<ViewTargets>,
    /// Mesh uniforms and colour/depth targets, once the view draws meshes.
    pub(crate) meshes: Option<MeshViewData>,
    pub(crate) profiler: Option<GpuProfiler>,
    /// (pairs wanted, pairs stored) of the compute rasterizer's frames.
    pub(crate) tile_readback: AsyncReadback,
    visible_readback: AsyncReadback,
    pub(crate) chooser: RasterChooser,
    /// Whether `Raster::Auto` measures every candidate whatever the scene; off
    /// on CPU adapters, where the quads measured 2-3x faster on scenes under
    /// `CPU_MEASURE_MIN_SPLATS` (docs/BENCHMARKS.md) and each tile frame would
    /// cost the user a slow frame, and where the 16x16 tiles are not measured
    /// (lavapipe: 30-48% slower than 8x8 on biker, a tie on the synthetic 1M
    /// scene).
    pub(crate) auto_measures: bool,
    /// Whether the device can run the 16x16 tile kernels
    /// (`tile::tile_size_supported`).
    large_tiles: bool,
    /// The rasterizer (and tile size) of the frame whose timestamps are being
    /// read back.
    pub(crate) timed_raster: Option<RasterMode>,
    /// The rasterizer (and tile size) the latest frame was drawn with.
    pub(crate) last_raster: Option<RasterMode>,
    /// The user's choice in the latest frame (a measuring choice keeps its
    /// measurements).
    pub(crate) last_choice: Option<(Raster, TileSize)>,
    /// The generation of the draw list in the working buffers.
    draw_list_generation: Option<u64>,
    /// Whether the latest frame was folded.
    pub(crate) last_folded: bool,
}

impl SplatView {
    /// A view writing `output_format` (any non-sRGB 8-bit unorm format).
    pub fn new(
        device: &wgpu::Device,
        compose: &ComposeRenderer,
        output_format: wgpu::TextureFormat,
    ) -> Self {
        Self {
            output_format,
            compose_pipeline: compose.pipeline(device, output_format),
            working: None,
            tiles: None,
            targets: None,
            meshes: None,
            profiler: None,
            tile_readback: AsyncReadback::new(device, "tile pairs readback", 8),
            visible_readback: AsyncReadback::new(device, "visible count readback", 4),
            chooser: RasterChooser::default(),
            auto_measures: device.adapter_info().device_type != wgpu::DeviceType::Cpu,
            large_tiles: crate::render::tile::tile_size_supported(
                &device.limits(),
                crate::render::tile::LARGE_TILE_SIZE,
            ),
            timed_raster: None,
            last_raster: None,
            last_choice: None,
            draw_list_generation: None,
            last_folded: false,
        }
    }

    /// Whether the latest frame drew its splats straight into the output (no
    /// compose pass).
    pub fn last_compose_folded(&self) -> bool {
        self.last_folded
    }

    /// The format this view composes into.
    pub fn output_format(&self) -> wgpu::TextureFormat {
        self.output_format
    }

    /// Turns on GPU timestamps per pass; false when the device has no
    /// `TIMESTAMP_QUERY`.
    pub fn enable_profiling(&mut self, device: &wgpu::Device, queue: &wgpu::Queue) -> bool {
        if self.profiler.is_none() {
            self.profiler = GpuProfiler::new(device, queue);
        }
        self.profiler.is_some()
    }

    /// Whether `Raster::Auto` measures every candidate (quads, 8x8 and 16x16
    /// tiles) whatever the scene (default: on GPUs; CPU adapters measure only
    /// scenes of at least `CPU_MEASURE_MIN_SPLATS` splats, the quads against
    /// the 8x8 tiles, and take the quads at once below).
    pub fn set_auto_measures(&mut self, measure: bool) {
        self.auto_measures = measure;
    }

    /// Whether `Raster::Auto` measures both rasterizers for a frame of
    /// `splats` splats (see [`Self::set_auto_measures`]).
    pub fn auto_measures_for(&self, splats: u32) -> bool {
        self.auto_measures || splats >= CPU_MEASURE_MIN_SPLATS
    }

    /// The tile size this view measures or draws for `asked`: `asked`, except
    /// that a size left open is 8 where not every candidate is measured (CPU
    /// adapters, see [`Self::set_auto_measures`]) or where the device cannot
    /// run 16x16 tiles (a size asked for then fails with a clear error).
    pub fn tile_size_for(&self, asked: TileSize) -> TileSize {
        match asked {
            TileSize::Auto if !self.auto_measures || !self.large_tiles => TileSize::Eight,
            asked => asked,
        }
    }

    /// Call after submitting an encoder holding this view's frame: starts its
    /// read-backs (visible count, tile pairs, timestamps).
    pub fn after_submit(&mut self) {
        if let Some(profiler) = &mut self.profiler {
            profiler.after_submit();
        }
        self.tile_readback.after_submit();
        self.visible_readback.after_submit();
    }

    /// What finished frames reported since the last call (needs a `Device::poll`
    /// in between; never blocks). Grows the tile buffers for the next frame when
    /// one overflowed.
    pub fn poll(&mut self) -> ViewReport {
        let mut report = ViewReport {
            visible_splats: self
                .visible_readback
                .poll()
                .and_then(|words| words.first().copied()),
            ..Default::default()
        };
        if let Some(timings) = self.profiler.as_mut().and_then(GpuProfiler::poll_results) {
            if let Some(mode) = self.timed_raster.take()
                && let Some((raster, tile_size)) = self.last_choice
                && RasterChooser::measures(raster, tile_size)
            {
                // The rasterizer's whole cost to the output: the quads may fold
                // the compose pass into their draw, the tiles never do.
                let ms = timings.draw + timings.compose.unwrap_or(0.0);
                if self.chooser.decision(raster, tile_size).is_none() {
                    self.chooser.record(mode, ms);
                }
            }
            report.timings = Some(timings);
        }
        if let Some(words) = self.tile_readback.poll()
            && let (Some(&wanted), Some(tiles)) = (words.first(), self.tiles.as_mut())
            && tiles.overflows(wanted)
        {
            tiles.request_pairs(wanted);
            report.tile_overflow = true;
        }
        report
    }

    /// Whether a frame's tile-pair count is still on its way back (`poll` will
    /// report it).
    pub fn tile_report_pending(&self) -> bool {
        self.tile_readback.is_pending()
    }

    /// Whether the view is still measuring the rasterizers (`Raster::Auto`,
    /// or `Compute` with the tile size left open: the last frame asked for
    /// it, nothing is decided yet and timestamps can decide it): the caller
    /// should keep drawing frames, even of an unchanged view, until it is done.
    pub fn raster_measuring(&self) -> bool {
        self.measuring_choice().is_some()
            && self.raster_decision().is_none()
            && self.profiler.is_some()
    }

    /// The latest frame's choice, when it leaves more than one candidate.
    fn measuring_choice(&self) -> Option<(Raster, TileSize)> {
        self.last_choice
            .filter(|&(raster, tile_size)| RasterChooser::measures(raster, tile_size))
    }

    /// Under a measuring choice: the chosen rasterizer and the median draw
    /// times it was chosen by, once measured.
    pub fn raster_decision(&self) -> Option<RasterDecision> {
        let (raster, tile_size) = self.measuring_choice()?;
        self.chooser.decision(raster, tile_size)
    }

    /// The rasterizer the latest frame was drawn with.
    pub fn last_raster(&self) -> Option<Raster> {
        self.last_raster.map(|mode| mode.raster)
    }

    /// The tile side of the latest frame, when the tiles drew it.
    pub fn last_tile_size(&self) -> Option<u32> {
        self.last_raster
            .filter(|mode| mode.raster == Raster::Compute)
            .map(|mode| mode.tile_size)
    }

    /// Measure the rasterizers again (the scene changed in a way the view cannot
    /// see, e.g. it finished streaming in).
    pub fn reset_raster_choice(&mut self) {
        self.chooser.reset();
        // Measuring again starts with the next frame drawn under Auto.
        self.last_choice = None;
    }

    /// Bytes of the per-splat working buffers (splat passes and tile pairs).
    pub fn working_bytes(&self) -> u64 {
        self.working.as_ref().map_or(0, SplatWorking::size_bytes)
            + self.tiles.as_ref().map_or(0, TileBuffers::size_bytes)
    }

    /// Bytes of GPU memory this view holds (working buffers, tile buffers,
    /// accumulation target).
    pub fn gpu_bytes(&self) -> u64 {
        self.working.as_ref().map_or(0, SplatWorking::size_bytes)
            + self.tiles.as_ref().map_or(0, TileBuffers::size_bytes)
            + self.targets.as_ref().map_or(0, |t| t.bytes)
    }

    /// The compute rasterizer's pair buffers, once made.
    pub fn tile_buffers(&self) -> Option<&TileBuffers> {
        self.tiles.as_ref()
    }

    /// The working buffers, once a frame was encoded.
    pub fn working(&self) -> Option<&SplatWorking> {
        self.working.as_ref()
    }

    /// Working buffers for `scene` (made again for another scene or sort path).
    pub(crate) fn ensure_working(
        &mut self,
        device: &wgpu::Device,
        splats: &SplatRenderer,
        scene: &SplatScene,
        list_len: u32,
    ) -> Result<(), GpuError> {
        let key = (scene.id(), splats.sort_path());
        if self
            .working
            .as_ref()
            .is_some_and(|w| w.key == key && w.list_capacity >= list_len)
        {
            return Ok(());
        }
        // Free the old buffers before making the new ones.
        self.working = None;
        self.tiles = None;
        if self.last_scene_changed(scene.id()) {
            self.chooser.reset();
        }
        self.working = Some(crate::gpu::health::scoped(
            device,
            "view working buffers",
            || SplatWorking::new(device, splats, scene, list_len),
        )?);
        self.draw_list_generation = None;
        Ok(())
    }

    /// Uploads `list` unless the same generation is already on the GPU.
    pub(crate) fn upload_draw_list(
        &mut self,
        queue: &wgpu::Queue,
        list: crate::render::DrawList<'_>,
    ) {
        if self.draw_list_generation == Some(list.generation) {
            return;
        }
        if let Some(working) = &self.working
            && !list.entries.is_empty()
        {
            queue.write_buffer(&working.draw_list, 0, bytemuck::cast_slice(list.entries));
        }
        self.draw_list_generation = Some(list.generation);
    }

    fn last_scene_changed(&self, scene_id: u64) -> bool {
        self.working.as_ref().is_none_or(|w| w.key.0 != scene_id)
    }

    /// Targets of `size` (made again when the size changes), with mesh targets
    /// when `meshes` is given.
    pub(crate) fn ensure_targets(
        &mut self,
        device: &wgpu::Device,
        compose: &ComposeRenderer,
        tiles: &TileRasterizer,
        meshes: Option<&MeshRenderer>,
        size: (u32, u32),
    ) -> Result<(), GpuError> {
        let with_meshes = meshes.is_some();
        if let Some(renderer) = meshes
            && self.meshes.as_ref().is_none_or(|m| m.size != size)
        {
            let existing = self.meshes.take();
            self.meshes = Some(crate::gpu::health::scoped(device, "mesh targets", || {
                renderer.view_data(device, existing, size)
            })?);
        }
        if self
            .targets
            .as_ref()
            .is_some_and(|t| t.size == size && t.with_meshes == with_meshes)
        {
            return Ok(());
        }
        self.targets = None;
        let mesh_color = self
            .meshes
            .as_ref()
            .filter(|_| with_meshes)
            .map(|m| &m.color);
        let targets = crate::gpu::health::scoped(device, "view render target", || {
            let texture = crate::gpu::texture::texture_2d(
                device,
                "splat accumulation",
                size,
                ACCUMULATION_FORMAT,
                wgpu::TextureUsages::RENDER_ATTACHMENT
                    | wgpu::TextureUsages::TEXTURE_BINDING
                    | wgpu::TextureUsages::STORAGE_BINDING,
            );
            let accumulation_view = texture.create_view(&Default::default());
            ViewTargets {
                size,
                with_meshes,
                compose: compose.binding(device, &accumulation_view, mesh_color),
                tile_output: tiles.output_bind_group(device, &accumulation_view, None),
                accumulation_view,
                bytes: u64::from(size.0) * u64::from(size.1) * 8,
            }
        })?;
        self.targets = Some(targets);
        Ok(())
    }

    /// Records the copy of this frame's visible count for `poll`.
    pub(crate) fn record_visible_copy(&mut self, encoder: &mut wgpu::CommandEncoder) {
        if let Some(working) = &self.working {
            self.visible_readback
                .record_copy(encoder, &working.draw_args, VISIBLE_COUNT_OFFSET);
        }
    }
}
