//! Frame order: prepare -> project -> sort -> draw (into an accumulation texture)
//! -> compose (into the output).
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
pub use params::{DepthInput, DrawList, LodSupport, Raster, RenderLod, ViewParams};
pub use scene::SplatScene;
pub use view::{SplatView, ViewReport};

use crate::gpu::profiler::{FramePass, PassTimings};
use crate::gpu::shader::ShaderError;
use crate::gpu::{GpuContext, GpuError};
use compose::{ComposeRenderer, ComposeUniforms};
use sort::passes_for_key_bits;
use splat::SplatRenderer;
use splat::gpu_data::{FrameState, FrameUniforms, SceneShape};
use tile::{FALLBACK_DRAW_OFFSET, TileRasterizer};

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
}

/// The pipelines of every pass; nothing per scene or per view.
pub struct Renderer {
    pub splats: SplatRenderer,
    pub tiles: TileRasterizer,
    pub compose: ComposeRenderer,
    pub meshes: mesh::MeshRenderer,
}

/// What `encode_view` resolved for one frame, shared by its stages.
struct Frame {
    size: (u32, u32),
    /// The render camera (the output camera at the render size).
    camera: crate::scene::PinholeCamera,
    /// Whether the view's own mesh depth is the depth the splats are tested
    /// against.
    meshes: bool,
    raster: Raster,
    depth_passes: u32,
    splat_count: u32,
    with_budget: bool,
    /// The frame's anti-aliasing mode is the analytic one (its own pipelines).
    analytic: bool,
    compose: ComposeUniforms,
    /// The quads blend straight into the output, cleared to the background, and
    /// no compose pass runs (`SplatView::set_compose_folding`).
    fold_compose: bool,
    background: wgpu::Color,
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
        let frame = self.prepare(gpu, scene, geometry, view, params)?;
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
                view.timed_raster = Some(frame.raster);
            }
        }
        view.profiler = profiler;
        Ok(())
    }

    /// Stage *prepare*: checks sizes, makes or resizes the view's buffers and
    /// targets, resolves the rasterizer and anti-aliasing mode, writes the view's
    /// uniforms and resets its GPU-computed frame state.
    fn prepare(
        &self,
        gpu: &GpuContext,
        scene: &SplatScene,
        with_meshes: bool,
        view: &mut SplatView,
        params: &ViewParams<'_>,
    ) -> Result<Frame, RenderError> {
        let device = &gpu.device;
        gpu.check_alive()?;
        gpu.check_image_size(params.camera.width, params.camera.height)?;
        let max_side = device.limits().max_texture_dimension_2d;
        let camera = params.render_camera(max_side);
        let size = (camera.width, camera.height);
        if let Some(depth) = params.depth.filter(|_| !with_meshes)
            && depth.size != size
        {
            return Err(RenderError::DepthSize {
                depth: depth.size,
                render: size,
            });
        }
        view.ensure_targets(
            device,
            &self.compose,
            &self.tiles,
            with_meshes.then_some(&self.meshes),
            size,
        )?;
        let list_len = params.draw_list.map(|l| l.entries.len() as u32);
        view.ensure_working(device, &self.splats, scene, list_len.unwrap_or(0))?;
        if let Some(list) = params.draw_list {
            view.upload_draw_list(&gpu.queue, list);
        }

        // The rasterizer: Auto measures both on the first frames (or takes the
        // quads at once on CPU adapters).
        if params.raster == Raster::Auto && !view.auto_measures && view.chooser.decision().is_none()
        {
            view.chooser.decide(Raster::Hardware);
        }
        let raster = view.chooser.mode(params.raster);
        let measuring = params.raster == Raster::Auto && view.chooser.decision().is_none();
        if raster == Raster::Hardware && !measuring {
            // Quads for good (chosen, or Auto decided): free the pair buffers.
            view.tiles = None;
        }
        view.last_choice = Some(params.raster);
        view.last_raster = Some(raster);

        let key_bits = params.sort_key_bits.clamp(8, 32);
        let aa = params.aa.resolve(scene.aa_mode());
        let drawn = list_len.unwrap_or(scene.splat_count());
        let shape = SceneShape {
            splat_count: drawn,
            sh_degree: scene.sh_degree(),
            sh_words_per_splat: scene.sh_words_per_splat(),
        };
        let mut uniforms = FrameUniforms::new(
            &camera,
            shape,
            key_bits,
            &params.lod,
            aa,
            with_meshes || params.depth.is_some(),
        );
        uniforms.draw_list = match params.draw_list {
            None => splat::gpu_data::DRAW_LIST_NONE,
            Some(list) if list.color_by_level => splat::gpu_data::DRAW_LIST_COLOR_BY_LEVEL,
            Some(_) => splat::gpu_data::DRAW_LIST,
        };
        if let Some(working) = &view.working {
            working.uniforms.write(&gpu.queue, &uniforms);
            gpu.queue.write_buffer(
                &working.frame_state,
                0,
                bytemuck::bytes_of(&FrameState::RESET),
            );
        }
        if raster == Raster::Compute
            && let Some(working) = &view.working
        {
            let (tiles_x, tiles_y) = tile::tile_grid(size);
            self.tiles.ensure_buffers(
                device,
                &self.splats.sorter,
                working,
                &mut view.tiles,
                tiles_x * tiles_y,
            )?;
        }
        // The compose pass only puts the accumulation over the background when
        // nothing else is under the splats; the quads can then blend over the
        // background in the output itself. Not for the tiles (they write the
        // accumulation as storage), meshes or a depth input (composed over their
        // colour), or a render size other than the output's.
        let fold_compose = view.compose_folding()
            && view.working.is_some()
            && raster == Raster::Hardware
            && !with_meshes
            && params.depth.is_none()
            && size == (params.camera.width, params.camera.height);
        view.last_folded = fold_compose;
        let [r, g, b] = params.background.map(|c| f64::from(c.clamp(0.0, 1.0)));
        Ok(Frame {
            size,
            camera,
            meshes: with_meshes,
            raster,
            depth_passes: passes_for_key_bits(key_bits),
            splat_count: drawn,
            with_budget: params.lod.splat_budget.is_some_and(|b| b > 0),
            analytic: aa == crate::scene::AaMode::Analytic,
            compose: ComposeUniforms::new(
                params.background,
                (params.camera.width, params.camera.height),
                with_meshes,
            ),
            fold_compose,
            background: wgpu::Color { r, g, b, a: 1.0 },
        })
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
    /// in a folded frame the quads over the background into `output`.
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
        let tiles = view
            .tiles
            .as_mut()
            .filter(|_| frame.raster == Raster::Compute);
        if let Some(tiles) = tiles
            && frame.splat_count > 0
        {
            let depth_output;
            let output = match depth {
                Some(depth) => {
                    depth_output = self.tiles.output_bind_group(
                        &gpu.device,
                        &targets.accumulation_view,
                        Some(depth),
                    );
                    &depth_output
                }
                None => &targets.tile_output,
            };
            self.tiles.encode(
                &gpu.queue,
                encoder,
                &self.splats.sorter,
                tiles,
                frame.splat_count,
                frame.depth_passes,
                frame.size,
                output,
                frame.analytic,
                profiler,
            );
            self.splats.encode_draw(
                encoder,
                working,
                (&tiles.state, FALLBACK_DRAW_OFFSET),
                frame.depth_passes,
                &targets.accumulation_view,
                wgpu::LoadOp::Load,
                depth,
                self.splats.draw_pipeline(frame.analytic, depth.is_some()),
                None,
            );
            return;
        }
        let batches = (&working.draw_args, splat::gpu_data::QUAD_BATCHES_OFFSET);
        if frame.fold_compose {
            let pipeline =
                self.splats
                    .direct_pipeline(&gpu.device, view.output_format(), frame.analytic);
            self.splats.encode_draw(
                encoder,
                working,
                batches,
                frame.depth_passes,
                output,
                wgpu::LoadOp::Clear(frame.background),
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
            view.compose_pipeline(),
            &targets.compose,
            &frame.compose,
            output,
            profiler.map(|p| p.render_writes(FramePass::Compose)),
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
        let frame = self.prepare(gpu, scene, false, view, params)?;
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
