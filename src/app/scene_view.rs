//! GPU side of the 3D view: the renderer, the resident scene (one `SplatScene`
//! holding every visible splat object, one `MeshScene` per mesh object), the
//! window's `SplatView`, and the texture the scene is rendered into, which egui
//! then draws under the overlay. Meshes are drawn first and the splats are
//! depth-tested against them (`Renderer::encode_view_with_meshes`).
//!
//! The splat scene is shared (`Arc`) so that a dataset evaluation on a worker
//! thread can draw it while the window goes on.
//!
//! The texture is re-rendered only when what it shows changes (camera, size, LOD,
//! background, scene) or when the renderer says the last image was a stand-in (a
//! compute-rasterizer frame whose pair buffers overflowed was drawn with quads;
//! the buffers grow and the view renders again at once). Frames that only change
//! the overlay reuse it, so hovering a button does not re-sort a million splats.
//! Training-camera frusta are drawn into the same texture after the splats
//! (`render::lines`), tested against the view's depth texture when it has one.

use std::sync::Arc;

use super::objects::ObjectId;
use crate::app::ui::SceneImage;
use crate::gpu::{GpuContext, GpuError};
use crate::render::lines::{LineBatch, LineRenderer, LineSegment};
use crate::render::offscreen::{OffscreenView, SceneRefs};
use crate::render::scene::AppendError;
use crate::render::{
    DrawList, MeshParams, MeshScene, RenderError, Renderer, SplatScene, SplatView, ViewReport,
};
use crate::scene::{AaMode, PinholeCamera, Similarity, SplatCloud};
use crate::settings::LodSettings;

/// Everything a rendered image depends on.
#[derive(Clone, Copy, Debug, PartialEq)]
struct RenderKey {
    camera: PinholeCamera,
    lod: LodSettings,
    background: [f32; 3],
    mesh: MeshParams,
    generation: u64,
    /// The LOD draw list drawn (generation, colour by level), if any.
    hierarchy: Option<(u64, bool)>,
}

/// One mesh object on the GPU.
pub struct GpuMesh {
    pub id: ObjectId,
    pub scene: MeshScene,
    pub visible: bool,
    /// The placement its transforms were last written with.
    pub placement: Similarity,
}

/// What a streamed load moved aside until it completes.
struct Previous {
    splats: Arc<SplatScene>,
    hidden: bool,
    /// `None` when the load keeps the meshes (a reload).
    meshes: Option<Vec<GpuMesh>>,
}

struct Target {
    size: (u32, u32),
    view: wgpu::TextureView,
    id: egui::TextureId,
}

pub struct SceneView {
    pub renderer: Renderer,
    scene: Arc<SplatScene>,
    /// Drawn instead of `scene` while the only splat object is hidden.
    empty: Arc<SplatScene>,
    splats_hidden: bool,
    meshes: Vec<GpuMesh>,
    /// The window's view of the scene.
    view: SplatView,
    /// The view of screenshots and exports (made on first use), on the same
    /// device and scene.
    shot_view: Option<OffscreenView>,
    generation: u64,
    format: wgpu::TextureFormat,
    target: Option<Target>,
    last: Option<RenderKey>,
    /// The scene shown before a streamed load started, until it completes.
    previous: Option<Previous>,
    lines: LineRenderer,
    line_batch: LineBatch,
    /// The lines of the last render.
    last_lines: Vec<LineSegment>,
}

impl SceneView {
    /// The window's 3D view on `gpu`. Its target is an `OFFSCREEN_FORMAT`
    /// texture whatever the surface's format (egui samples it), so that the
    /// tiles can write it as storage when the compose pass is folded in.
    pub fn new(gpu: &GpuContext) -> anyhow::Result<Self> {
        let format = crate::render::offscreen::OFFSCREEN_FORMAT;
        let device = &gpu.device;
        let renderer = Renderer::new(device)?;
        let mut view = renderer.create_view(device, format);
        if !view.enable_profiling(device, &gpu.queue) {
            log::info!("no timestamp queries on this adapter: no per-pass GPU times");
        }
        let empty = Arc::new(SplatScene::new(device, &SplatCloud::new(0))?);
        Ok(Self {
            renderer,
            scene: empty.clone(),
            empty,
            splats_hidden: false,
            meshes: Vec::new(),
            view,
            shot_view: None,
            generation: 0,
            format,
            target: None,
            last: None,
            previous: None,
            lines: LineRenderer::new(device)?,
            line_batch: LineBatch::new(device),
            last_lines: Vec::new(),
        })
    }

    /// Starts showing a streamed scene of `total` splats: allocates its buffers
    /// and keeps the current splats (and, with `replace_meshes`, the meshes)
    /// aside until `finish_stream` or `abort_stream`.
    pub fn begin_stream(
        &mut self,
        device: &wgpu::Device,
        total: usize,
        sh_degree: u32,
        aa_mode: AaMode,
        replace_meshes: bool,
    ) -> Result<(), GpuError> {
        let scene = Arc::new(SplatScene::with_capacity(
            device, total, sh_degree, aa_mode,
        )?);
        let old = std::mem::replace(&mut self.scene, scene);
        let hidden = std::mem::take(&mut self.splats_hidden);
        // Keep the scene from before the first streamed load, not an aborted one.
        if self.previous.is_none() {
            self.previous = Some(Previous {
                splats: old,
                hidden,
                meshes: replace_meshes.then(|| std::mem::take(&mut self.meshes)),
            });
        }
        self.last = None;
        Ok(())
    }

    /// Uploads the next chunk of the streamed scene.
    pub fn append_chunk(
        &mut self,
        queue: &wgpu::Queue,
        chunk: &SplatCloud,
    ) -> Result<(), AppendError> {
        // The streamed scene is new (`begin_stream`), so nothing else holds it.
        if let Some(scene) = Arc::get_mut(&mut self.scene) {
            scene.append(queue, chunk)?;
        } else {
            log::error!("the streamed scene is shared: chunk not uploaded");
        }
        self.last = None;
        Ok(())
    }

    /// The streamed scene is complete: drop what was kept aside, measure the
    /// rasterizers again on the whole scene.
    pub fn finish_stream(&mut self) {
        self.previous = None;
        self.view.reset_raster_choice();
        self.last = None;
    }

    /// The streamed load failed: show the scene from before it again.
    pub fn abort_stream(&mut self) {
        if let Some(previous) = self.previous.take() {
            self.scene = previous.splats;
            self.splats_hidden = previous.hidden;
            if let Some(meshes) = previous.meshes {
                self.meshes = meshes;
            }
        }
        self.last = None;
    }

    /// Replaces the splat scene (one built from the objects' CPU copies).
    pub fn set_splats(&mut self, scene: SplatScene) {
        self.scene = Arc::new(scene);
        self.view.reset_raster_choice();
        self.last = None;
    }

    /// Draws no splats (the only splat object is hidden) or the scene again.
    pub fn set_splats_hidden(&mut self, hidden: bool) {
        if self.splats_hidden != hidden {
            self.splats_hidden = hidden;
            self.last = None;
        }
    }

    /// Drops every splat and mesh (the scene is replaced by a mesh).
    pub fn clear(&mut self) {
        self.scene = self.empty.clone();
        self.splats_hidden = false;
        self.meshes.clear();
        self.last = None;
    }

    /// The mesh objects on the GPU; call `set_generation` after changing them.
    pub fn meshes_mut(&mut self) -> &mut Vec<GpuMesh> {
        &mut self.meshes
    }

    pub fn meshes(&self) -> &[GpuMesh] {
        &self.meshes
    }

    /// The splats drawn now (empty while hidden).
    pub fn drawn_splats(&self) -> &Arc<SplatScene> {
        if self.splats_hidden {
            &self.empty
        } else {
            &self.scene
        }
    }

    /// The visible meshes, in object order.
    pub fn visible_meshes(&self) -> Vec<&MeshScene> {
        self.meshes
            .iter()
            .filter(|m| m.visible)
            .map(|m| &m.scene)
            .collect()
    }

    /// Marks the image stale under a new scene generation.
    pub fn set_generation(&mut self, generation: u64) {
        self.generation = generation;
        self.last = None;
    }

    /// The resident splat scene (also while hidden).
    pub fn scene(&self) -> &SplatScene {
        &self.scene
    }

    /// The window's view of the scene.
    pub fn view(&self) -> &SplatView {
        &self.view
    }

    /// GPU bytes of the current splat scene and the window's view.
    pub fn gpu_bytes(&self) -> u64 {
        self.scene.resident_bytes() + self.view.gpu_bytes()
    }

    /// The texture of the last render, for egui.
    pub fn image(&self) -> Option<SceneImage> {
        self.target.as_ref().map(|t| SceneImage {
            texture: t.id,
            compare: None,
        })
    }

    /// Renders the scene for `camera` (of the window's size) and then `lines`
    /// into the view texture if anything changed. Returns whether it rendered.
    /// `hierarchy`: a level-of-detail page pool and its cut's draw list, drawn
    /// instead of the splat scene.
    #[allow(clippy::too_many_arguments)]
    pub fn prepare(
        &mut self,
        gpu: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        egui_renderer: &mut egui_wgpu::Renderer,
        camera: &PinholeCamera,
        lod: &LodSettings,
        background: [f32; 3],
        mesh: &MeshParams,
        lines: &[LineSegment],
        hierarchy: Option<(&SplatScene, DrawList<'_>)>,
    ) -> Result<bool, RenderError> {
        let size = (camera.width.max(1), camera.height.max(1));
        self.ensure_target(gpu, egui_renderer, size)?;
        let key = RenderKey {
            camera: *camera,
            lod: *lod,
            background,
            mesh: *mesh,
            generation: self.generation,
            hierarchy: hierarchy.map(|(_, list)| (list.generation, list.color_by_level)),
        };
        let Some(target) = self.target.as_ref() else {
            return Ok(false);
        };
        // An unchanged view is not drawn again, unless Auto still measures.
        if self.last == Some(key) && self.last_lines == lines && !self.view.raster_measuring() {
            return Ok(false);
        }
        let mut params = lod.view_params(*camera, background);
        let splats = match hierarchy {
            Some((pool, list)) => {
                params.draw_list = Some(list);
                pool
            }
            None if self.splats_hidden => &self.empty,
            None => &self.scene,
        };
        let meshes: Vec<&MeshScene> = self
            .meshes
            .iter()
            .filter(|m| m.visible)
            .map(|m| &m.scene)
            .collect();
        // Frusta are drawn as geometry: after the meshes, into their colour and
        // depth, so splats in front cover them and splats behind are hidden.
        self.line_batch.set(&gpu.device, &gpu.queue, lines);
        self.renderer.encode_view_with_geometry(
            gpu,
            encoder,
            splats,
            &meshes,
            mesh,
            Some((&self.lines, &self.line_batch)),
            &mut self.view,
            &params,
            &target.view,
        )?;
        self.last = Some(key);
        self.last_lines = lines.to_vec();
        Ok(true)
    }

    /// Records a frame of the screenshot view (`camera` of any size) into its own
    /// texture, meshes included (`hierarchy` as in [`Self::prepare`]); read it
    /// with [`Self::shot_texture`] after submitting.
    #[allow(clippy::too_many_arguments)]
    pub fn encode_shot(
        &mut self,
        gpu: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        camera: &PinholeCamera,
        lod: &LodSettings,
        background: [f32; 3],
        mesh: &MeshParams,
        hierarchy: Option<(&SplatScene, DrawList<'_>)>,
    ) -> Result<(), RenderError> {
        let renderer = &self.renderer;
        let shot = self
            .shot_view
            .get_or_insert_with(|| OffscreenView::new(&gpu.device, renderer));
        let mut params = lod.view_params(*camera, background);
        let meshes: Vec<&MeshScene> = self
            .meshes
            .iter()
            .filter(|m| m.visible)
            .map(|m| &m.scene)
            .collect();
        let splats = match hierarchy {
            Some((pool, list)) => {
                params.draw_list = Some(list);
                pool
            }
            None if self.splats_hidden => &self.empty,
            None => &self.scene,
        };
        let refs = SceneRefs {
            splats,
            meshes: &meshes,
            mesh_params: *mesh,
        };
        shot.encode_scene(gpu, &self.renderer, encoder, refs, &params)
    }

    /// The screenshot view's output texture, once a shot was encoded.
    pub fn shot_texture(&self) -> Option<&wgpu::Texture> {
        self.shot_view
            .as_ref()
            .and_then(OffscreenView::output_texture)
    }

    /// Call after the frame's encoder was submitted.
    pub fn after_submit(&mut self, shot_encoded: bool) {
        self.view.after_submit();
        if shot_encoded && let Some(shot) = &mut self.shot_view {
            shot.view.after_submit();
        }
    }

    /// What the window's finished frames reported; an overflowed tile frame
    /// marks the image stale so the next redraw renders it with grown buffers.
    pub fn poll(&mut self) -> ViewReport {
        let report = self.view.poll();
        if report.tile_overflow {
            self.last = None;
        }
        report
    }

    /// Whether the screenshot view's last frame overflowed its tile buffers (it
    /// then drew quads: render the shot again); `None` while that is not known
    /// yet.
    pub fn poll_shot_overflow(&mut self) -> Option<bool> {
        let Some(shot) = &mut self.shot_view else {
            return Some(false);
        };
        let overflow = shot.view.poll().tile_overflow;
        if overflow {
            return Some(true);
        }
        (!shot.view.tile_report_pending()).then_some(false)
    }

    /// Under the automatic rasterizer choice: the choice and the median draw times
    /// (quads, tiles) it was made by, once measured.
    pub fn raster_decision(&self) -> Option<crate::render::tile::choice::RasterDecision> {
        self.view.raster_decision()
    }

    /// Whether Auto still measures the rasterizers (frames keep coming until
    /// it decides, whether or not the view changes).
    pub fn raster_measuring(&self) -> bool {
        self.view.raster_measuring()
    }

    /// Whether Auto measures both rasterizers whatever the scene
    /// (`SplatView::set_auto_measures`; default: on GPUs).
    pub fn set_auto_measures(&mut self, measure: bool) {
        self.view.set_auto_measures(measure);
    }

    /// The view texture at `size`, registered with egui (call before the UI runs,
    /// so the overlay draws this frame's texture).
    pub fn ensure_target(
        &mut self,
        gpu: &GpuContext,
        egui_renderer: &mut egui_wgpu::Renderer,
        size: (u32, u32),
    ) -> Result<(), RenderError> {
        let size = (size.0.max(1), size.1.max(1));
        gpu.check_image_size(size.0, size.1)?;
        if self.target.as_ref().is_none_or(|t| t.size != size) {
            self.resize_target(&gpu.device, egui_renderer, size)?;
        }
        Ok(())
    }

    fn resize_target(
        &mut self,
        device: &wgpu::Device,
        egui_renderer: &mut egui_wgpu::Renderer,
        size: (u32, u32),
    ) -> Result<(), GpuError> {
        let texture = crate::gpu::health::scoped(device, "window view texture", || {
            crate::gpu::texture::texture_2d(
                device,
                "scene view",
                size,
                self.format,
                wgpu::TextureUsages::RENDER_ATTACHMENT
                    | wgpu::TextureUsages::TEXTURE_BINDING
                    | wgpu::TextureUsages::STORAGE_BINDING
                    | wgpu::TextureUsages::COPY_SRC,
            )
        })?;
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
        Ok(())
    }
}
