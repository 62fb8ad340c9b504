//! Frame order: prepare (`frame.rs`) -> project -> sort -> draw (into an
//! accumulation texture) -> compose (into the output); where nothing else is
//! under the splats, the tiles' draw writes the output and compose is folded
//! into it (`ComposeFolding`).
//!
//! Three kinds of data, kept apart: the long-lived `Renderer` holds pipelines only;
//! a `SplatScene` holds one scene's resident buffers; a `SplatView` holds one
//! camera's working buffers, targets and read-backs. `Renderer::encode_view`
//! records one view of one scene from a `ViewParams` into any output texture view:
//! the window, screenshots, the headless `render` command, `bench` and the tests
//! all go through it.

pub mod compose;
pub mod diff;
pub mod formats;
mod frame;
pub mod lines;
pub mod lod;
pub mod mesh;
pub mod offscreen;
pub mod params;
pub mod scene;
pub mod sort;
pub mod splat;
pub mod tile;
pub mod view;

pub use mesh::{MeshParams, MeshScene};
pub use params::{
    ComposeFolding, DepthInput, DrawList, LodSupport, Raster, RenderLod, TileSize, ViewParams,
};
pub use scene::SplatScene;
pub use view::{SplatView, ViewReport};

use crate::gpu::profiler::{FramePass, PassTimings};
use crate::gpu::shader::ShaderError;
use crate::gpu::{GpuContext, GpuError};
use compose::{ComposeDraw, ComposeRenderer};
use frame::Frame;
use splat::SplatRenderer;
use tile::{FALLBACK_COMPOSE_OFFSET, FALLBACK_DRAW_OFFSET, TileRasterizer};

/// Why a view could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Gpu(#[from] GpuError),
    #[error(
        "the depth buffer is {depth:?} pixels but the view renders at {render:?}: they must match"
    )]
    DepthSize {
        depth: (u32, u32),
        render: (u32, u32),
    },
    #[error("waiting for the GPU failed: {0}")]
    Poll(#[from] wgpu::PollError),
    #[error(transparent)]
    Shader(#[from] ShaderError),
}

/// The pipelines of every pass; nothing per scene or per view.
pub struct Renderer {
    pub splats: SplatRenderer,
    pub tiles: TileRasterizer,
    pub compose: ComposeRenderer,
    pub meshes: mesh::MeshRenderer,
}

impl Renderer {
    pub fn new(device: &wgpu::Device) -> Result<Self, ShaderError> {
        Ok(Self {
            splats: SplatRenderer::new(device)?,
            tiles: TileRasterizer::new(device)?,
            compose: ComposeRenderer::new(device)?,
            meshes: mesh::MeshRenderer::new(device)?,
        })
    }

    /// A new view composing into `output_format`.
    pub fn create_view(
        &self,
        device: &wgpu::Device,
        output_format: wgpu::TextureFormat,
    ) -> SplatView {
        SplatView::new(device, &self.compose, output_format)
    }

    /// The level-of-detail controls `ViewParams::lod` honours.
    pub fn lod_support() -> LodSupport {
        LodSupport::ALL
    }

    /// Records one frame of `view` showing `scene` with `params` into `output`, a
    /// view of size `params.camera.width x height` and `view.output_format()`.
    /// Sizes are checked against the adapter's limits before anything is made;
    /// buffers and targets that fail to allocate give an error and the frame is
    /// not recorded.
    pub fn encode_view(
        &self,
        gpu: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        scene: &SplatScene,
        view: &mut SplatView,
        params: &ViewParams<'_>,
        output: &wgpu::TextureView,
    ) -> Result<(), RenderError> {
        self.encode_view_with_meshes(
            gpu,
            encoder,
            scene,
            &[],
            &MeshParams::default(),
            view,
            params,
            output,
        )
    }

    /// [`Self::encode_view`] with `meshes` drawn first (opaque, into the view's
    /// mesh colour and depth): the splats are tested against that depth (it takes
    /// the place of `params.depth`) and composed over that colour.
    #[allow(clippy::too_many_arguments)]
    pub fn encode_view_with_meshes(
        &self,
        gpu: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        scene: &SplatScene,
        meshes: &[&MeshScene],
        mesh_params: &MeshParams,
        view: &mut SplatView,
        params: &ViewParams<'_>,
        output: &wgpu::TextureView,
    ) -> Result<(), RenderError> {
        self.encode_view_with_geometry(
            gpu,
            encoder,
            scene,
            meshes,
            mesh_params,
            None,
            view,
            params,
            output,
        )
    }

    /// [`Self::encode_view_with_meshes`] with lines (training-camera frusta)
    /// drawn as geometry after the meshes: into the mesh targets with their
    /// depth, so the splats are tested against them (`lines::LineRenderer::
    /// encode_as_geometry`).
    #[allow(clippy::too_many_arguments)]
    pub fn encode_view_with_geometry(
        &self,
        gpu: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        scene: &SplatScene,
        meshes: &[&MeshScene],
        mesh_params: &MeshParams,
        lines: Option<(&lines::LineRenderer, &lines::LineBatch)>,
        view: &mut SplatView,
        params: &ViewParams<'_>,
        output: &wgpu::TextureView,
    ) -> Result<(), RenderError> {
        let lines = lines.filter(|(_, batch)| !batch.is_empty());
        let geometry = !meshes.is_empty() || lines.is_some();
        let frame = self.prepare(gpu, scene, geometry, view, params, output)?;
        if let Some(data) = view.meshes.as_ref().filter(|_| frame.meshes) {
            self.meshes.encode(
                &gpu.queue,
                encoder,
                data,
                &frame.camera,
                params.lod.near_plane,
                meshes,
                mesh_params,
            );
            if let Some((renderer, batch)) = lines {
                renderer.encode_as_geometry(
                    &gpu.device,
                    &gpu.queue,
                    encoder,
                    batch,
                    &frame.camera,
                    params.lod.near_plane,
                    data,
                );
            }
        }
        let mut profiler = view.profiler.take();
        self.encode_stages(
            gpu,
            encoder,
            view,
            params,
            &frame,
            output,
            profiler.as_mut(),
        );
        view.record_visible_copy(encoder);
        if frame.raster == Raster::Compute
            && let Some(tiles) = &view.tiles
        {
            view.tile_readback.record_copy(encoder, &tiles.state, 0);
        }
        if let Some(profiler) = &mut profiler {
            profiler.resolve(encoder);
            if profiler.resolved_this_frame() {
                view.timed_raster = view.last_raster;
            }
        }
        view.profiler = profiler;
        Ok(())
    }

    /// Records project, sort, draw and compose.
    #[allow(clippy::too_many_arguments)]
    fn encode_stages(
        &self,
        gpu: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        view: &mut SplatView,
        params: &ViewParams<'_>,
        frame: &Frame,
        output: &wgpu::TextureView,
        mut profiler: Option<&mut crate::gpu::profiler::GpuProfiler>,
    ) {
        self.encode_project(encoder, view, frame, profiler.as_deref_mut());
        self.encode_sort(gpu, encoder, view, frame, profiler.as_deref_mut());
        self.encode_draw(
            gpu,
            encoder,
            view,
            params,
            frame,
            output,
            profiler.as_deref_mut(),
        );
        self.encode_compose(gpu, encoder, view, frame, output, profiler);
    }

    fn encode_project(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        view: &SplatView,
        frame: &Frame,
        profiler: Option<&mut crate::gpu::profiler::GpuProfiler>,
    ) {
        if let Some(working) = &view.working {
            self.splats.encode_project(
                encoder,
                working,
                frame.splat_count,
                frame.with_budget,
                profiler,
            );
        }
    }

    fn encode_sort(
        &self,
        gpu: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        view: &mut SplatView,
        frame: &Frame,
        profiler: Option<&mut crate::gpu::profiler::GpuProfiler>,
    ) {
        if frame.splat_count == 0 {
            return;
        }
        if let Some(working) = &mut view.working {
            self.splats
                .encode_sort(&gpu.queue, encoder, working, frame.depth_passes, profiler);
        }
    }

    /// Stage *draw*: the hardware quads, or the compute rasterizer followed by
    /// the quads that stand in for a frame whose tile pairs overflowed (an
    /// indirect draw of zero splats otherwise), into the accumulation texture;
    /// in a folded frame into `output` over the background (the tiles as its
    /// storage texture, then the stand-in quads over them; or the quads alone).
    #[allow(clippy::too_many_arguments)]
    fn encode_draw(
        &self,
        gpu: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        view: &mut SplatView,
        params: &ViewParams<'_>,
        frame: &Frame,
        output: &wgpu::TextureView,
        profiler: Option<&mut crate::gpu::profiler::GpuProfiler>,
    ) {
        let (Some(working), Some(targets)) = (&view.working, &view.targets) else {
            return;
        };
        let depth = match &view.meshes {
            Some(meshes) if frame.meshes => Some(&meshes.depth),
            _ => params.depth.map(|d| d.view),
        };
        let output_format = view.output_format();
        let tiles = view
            .tiles
            .as_mut()
            .filter(|_| frame.raster == Raster::Compute);
        if let Some(tiles) = tiles
            && frame.splat_count > 0
        {
            let frame_output;
            let (tile_output, folded_background) = match depth {
                _ if frame.fold_compose => {
                    frame_output = self.tiles.folded_output_bind_group(&gpu.device, output);
                    (&frame_output, Some(frame.background))
                }
                Some(depth) => {
                    frame_output = self.tiles.output_bind_group(
                        &gpu.device,
                        &targets.accumulation_view,
                        Some(depth),
                    );
                    (&frame_output, None)
                }
                None => (&targets.tile_output, None),
            };
            self.tiles.encode(
                &gpu.queue,
                encoder,
                &self.splats.sorter,
                tiles,
                frame.splat_count,
                frame.depth_passes,
                frame.size,
                tile_output,
                folded_background,
                frame.analytic,
                profiler,
            );
            // The quads of a frame whose pairs overflowed (none otherwise), into
            // the accumulation over the tiles' transparent pixels. Where the
            // tiles wrote the output instead (all background then), into the
            // cleared accumulation, composed over the output only when they
            // drew: the same image as the quads' own composed frames.
            self.splats.encode_draw(
                encoder,
                working,
                (&tiles.state, FALLBACK_DRAW_OFFSET),
                frame.depth_passes,
                &targets.accumulation_view,
                if frame.fold_compose {
                    wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT)
                } else {
                    wgpu::LoadOp::Load
                },
                depth,
                self.splats.draw_pipeline(frame.analytic, depth.is_some()),
                None,
            );
            if frame.fold_compose {
                ComposeRenderer::encode(
                    &gpu.queue,
                    encoder,
                    &view.compose_pipeline,
                    &targets.compose,
                    &frame.compose,
                    output,
                    ComposeDraw::Indirect(&tiles.state, FALLBACK_COMPOSE_OFFSET),
                );
            }
            return;
        }
        let batches = (&working.draw_args, splat::gpu_data::QUAD_BATCHES_OFFSET);
        if frame.fold_compose {
            // Straight into the output, over the background.
            let pipeline = self
                .splats
                .direct_pipeline(&gpu.device, output_format, frame.analytic);
            self.splats.encode_draw(
                encoder,
                working,
                batches,
                frame.depth_passes,
                output,
                wgpu::LoadOp::Clear(frame.clear_color()),
                None,
                &pipeline,
                profiler,
            );
            return;
        }
        self.splats.encode_draw(
            encoder,
            working,
            batches,
            frame.depth_passes,
            &targets.accumulation_view,
            wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT),
            depth,
            self.splats.draw_pipeline(frame.analytic, depth.is_some()),
            profiler,
        );
    }

    /// Stage *compose*: the accumulation over the background into `output`
    /// (nothing in a folded frame: the draw wrote the output).
    fn encode_compose(
        &self,
        gpu: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        view: &SplatView,
        frame: &Frame,
        output: &wgpu::TextureView,
        profiler: Option<&mut crate::gpu::profiler::GpuProfiler>,
    ) {
        let Some(targets) = view.targets.as_ref().filter(|_| !frame.fold_compose) else {
            return;
        };
        ComposeRenderer::encode(
            &gpu.queue,
            encoder,
            &view.compose_pipeline,
            &targets.compose,
            &frame.compose,
            output,
            ComposeDraw::Always(profiler.map(|p| p.render_writes(FramePass::Compose))),
        );
    }

    /// Renders one frame stage by stage, submitting and waiting after each, and
    /// returns the CPU-measured milliseconds per stage: the timing fallback for
    /// adapters without timestamp queries (bench only; it stalls the GPU).
    pub fn render_view_cpu_timed(
        &self,
        gpu: &GpuContext,
        scene: &SplatScene,
        view: &mut SplatView,
        params: &ViewParams<'_>,
        output: &wgpu::TextureView,
    ) -> Result<PassTimings, RenderError> {
        let frame = self.prepare(gpu, scene, false, view, params, output)?;
        let timed = |record: &mut dyn FnMut(&mut wgpu::CommandEncoder)| {
            let mut encoder = gpu.device.create_command_encoder(&Default::default());
            record(&mut encoder);
            let started = std::time::Instant::now();
            gpu.queue.submit([encoder.finish()]);
            gpu.device.poll(wgpu::PollType::Wait {
                submission_index: None,
                timeout: None,
            })?;
            Ok::<f64, wgpu::PollError>(started.elapsed().as_secs_f64() * 1000.0)
        };
        let project = timed(&mut |e| self.encode_project(e, view, &frame, None))?;
        let sort = timed(&mut |e| self.encode_sort(gpu, e, view, &frame, None))?;
        let draw = timed(&mut |e| self.encode_draw(gpu, e, view, params, &frame, output, None))?;
        let compose = timed(&mut |e| self.encode_compose(gpu, e, view, &frame, output, None))?;
        Ok(PassTimings {
            project,
            sort,
            draw,
            compose: (!frame.fold_compose).then_some(compose),
            tile_stages: None,
        })
    }
}
