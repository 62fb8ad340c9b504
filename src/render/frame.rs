//! Stage *prepare* of a frame: what `Renderer::encode_view` resolves before
//! recording (sizes, targets and buffers, the rasterizer, the anti-aliasing
//! mode, whether the compose pass is folded into the draw) as a `Frame`
//! shared by the stages, and the view's uniforms written.

use super::compose::ComposeUniforms;
use super::sort::passes_for_key_bits;
use super::splat::gpu_data::{FrameState, FrameUniforms, SceneShape};
use super::{
    ComposeFolding, Raster, RenderError, Renderer, SplatScene, SplatView, ViewParams, splat, tile,
};
use crate::gpu::GpuContext;
use crate::render::tile::RasterChooser;
use crate::render::tile::choice::RasterMode;

/// What `encode_view` resolved for one frame, shared by its stages.
pub(super) struct Frame {
    pub(super) size: (u32, u32),
    /// The render camera (the output camera at the render size).
    pub(super) camera: crate::scene::PinholeCamera,
    /// Whether the view's own mesh depth is the depth the splats are tested
    /// against.
    pub(super) meshes: bool,
    pub(super) raster: Raster,
    pub(super) depth_passes: u32,
    pub(super) splat_count: u32,
    pub(super) with_budget: bool,
    /// The frame's anti-aliasing mode is the analytic one (its own pipelines).
    pub(super) analytic: bool,
    pub(super) compose: ComposeUniforms,
    /// The splats are drawn straight into the output over the background and
    /// no compose pass runs (`ComposeFolding`): the tiles write it as
    /// storage, the quads (when folded too) blend into it cleared to the
    /// background.
    pub(super) fold_compose: bool,
    /// The background, clamped to 0..1.
    pub(super) background: [f32; 3],
}

impl Frame {
    /// The background as the clear colour of a folded quad draw.
    pub(super) fn clear_color(&self) -> wgpu::Color {
        let [r, g, b] = self.background.map(f64::from);
        wgpu::Color { r, g, b, a: 1.0 }
    }
}

impl Renderer {
    /// Stage *prepare*: checks sizes, makes or resizes the view's buffers and
    /// targets, resolves the rasterizer and anti-aliasing mode, writes the view's
    /// uniforms and resets its GPU-computed frame state.
    pub(super) fn prepare(
        &self,
        gpu: &GpuContext,
        scene: &SplatScene,
        with_meshes: bool,
        view: &mut SplatView,
        params: &ViewParams<'_>,
        output: &wgpu::TextureView,
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

        // The rasterizer: Auto measures the candidates on the first frames (or,
        // on CPU adapters, takes the quads at once for all but large scenes,
        // and 8x8 tiles where the size is left open).
        let drawn = list_len.unwrap_or_else(|| scene.splat_count());
        let (choice, tile_size) = (params.raster, view.tile_size_for(params.tile_size));
        if RasterChooser::measures(choice, tile_size)
            && !view.auto_measures_for(drawn)
            && view.chooser.decision(choice, tile_size).is_none()
        {
            let unmeasured = match choice {
                Raster::Compute => RasterMode::tiles(tile_size.fixed().unwrap_or(tile::TILE_SIZE)),
                _ => RasterMode::QUADS,
            };
            view.chooser.decide(unmeasured, choice, tile_size);
        }
        let mode = view.chooser.mode(choice, tile_size);
        let raster = mode.raster;
        let measuring = RasterChooser::measures(choice, tile_size)
            && view.chooser.decision(choice, tile_size).is_none();
        if raster == Raster::Hardware && !measuring {
            // Quads for good (chosen, or Auto decided): free the pair buffers.
            view.tiles = None;
        }
        view.last_choice = Some((choice, tile_size));
        view.last_raster = Some(mode);

        let key_bits = params.sort_key_bits.clamp(8, 32);
        let aa = params.aa.resolve(scene.aa_mode());
        let drawn = list_len.unwrap_or(scene.splat_count());
        let shape = SceneShape {
            splat_count: drawn,
            sh_degree: scene.sh_degree(),
            sh_words_per_splat: scene.sh_words_per_splat(),
            segment_splats: scene.segment_splats(),
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
            self.tiles.ensure_kernels(device, mode.tile_size)?;
            self.tiles.ensure_buffers(
                device,
                &self.splats.sorter,
                working,
                &mut view.tiles,
                size,
                mode.tile_size,
            )?;
        }
        // The compose pass only puts the accumulation over the background when
        // nothing else is under the splats; the splats can then go over the
        // background in the output itself (`ComposeFolding`). Not with meshes
        // or a depth input (composed over their colour), or a render size
        // other than the output's.
        let nothing_under = view.working.is_some()
            && !with_meshes
            && params.depth.is_none()
            && size == (params.camera.width, params.camera.height);
        let tiles_can = raster == Raster::Compute && tile::output::can_write_output(output);
        let fold_compose = nothing_under
            && match params.compose_folding {
                ComposeFolding::Off => false,
                ComposeFolding::Exact => tiles_can,
                ComposeFolding::All => tiles_can || raster == Raster::Hardware,
            };
        view.last_folded = fold_compose;
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
            background: params.background.map(|c| c.clamp(0.0, 1.0)),
        })
    }
}
