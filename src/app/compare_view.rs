//! The GPU side of the compare view: A and B each render into their own
//! `SplatView` and texture (same device, one submission), the difference pass
//! (`render::diff`) draws |A - B| into a third, and the overlay
//! (`ui::compare_view`) composes them with egui images and clip rects: split,
//! side by side, flicker, difference.
//!
//! Each image is rendered again only when what it shows changed (camera, size,
//! settings, scene), like the window's single view. A and B count their
//! renders; the pair of counts identifies the images on screen, which is what
//! the live metrics are tagged with. A settled pair is read back without
//! blocking (`AsyncTextureReadback`) for the metrics worker.

use super::objects::placed_box;
use crate::app::ui::{CompareImages, ImageRef};
use crate::gpu::readback::AsyncTextureReadback;
use crate::gpu::{GpuContext, GpuError};
use crate::render::diff::{DIFF_FORMAT, DiffRenderer};
use crate::render::offscreen::rgba_to_rgb;
use crate::render::{
    DrawList, MeshParams, MeshScene, RenderError, Renderer, SplatScene, SplatView, ViewReport,
};
use crate::scene::{PinholeCamera, SceneBounds, Similarity, SplatCloud};
use crate::settings::LodSettings;

/// A texture egui draws.
pub struct CompareTarget {
    texture: wgpu::Texture,
    view: wgpu::TextureView,
    id: egui::TextureId,
}

impl CompareTarget {
    fn size(&self) -> (u32, u32) {
        (self.texture.width(), self.texture.height())
    }

    fn image_ref(&self) -> ImageRef {
        ImageRef {
            texture: self.id,
            size: self.size(),
        }
    }

    /// `slot` at `size` (made again when the size changes), registered with
    /// egui.
    fn ensure<'a>(
        slot: &'a mut Option<Self>,
        gpu: &GpuContext,
        egui_renderer: &mut egui_wgpu::Renderer,
        size: (u32, u32),
        label: &'static str,
    ) -> Result<&'a Self, RenderError> {
        gpu.check_image_size(size.0, size.1)?;
        if slot.as_ref().is_none_or(|t| t.size() != size) {
            let device = &gpu.device;
            let texture = crate::gpu::health::scoped(device, label, || {
                crate::gpu::texture::texture_2d(
                    device,
                    label,
                    size,
                    DIFF_FORMAT,
                    wgpu::TextureUsages::RENDER_ATTACHMENT
                        | wgpu::TextureUsages::TEXTURE_BINDING
                        | wgpu::TextureUsages::STORAGE_BINDING
                        | wgpu::TextureUsages::COPY_SRC
                        | wgpu::TextureUsages::COPY_DST,
                )
            })?;
            let view = texture.create_view(&Default::default());
            let id = match slot.take() {
                Some(old) => {
                    egui_renderer.update_egui_texture_from_wgpu_texture(
                        device,
                        &view,
                        wgpu::FilterMode::Linear,
                        old.id,
                    );
                    old.id
                }
                None => {
                    egui_renderer.register_native_texture(device, &view, wgpu::FilterMode::Linear)
                }
            };
            *slot = Some(Self { texture, view, id });
        }
        slot.as_ref()
            .ok_or(RenderError::Gpu(GpuError::OutOfMemory { what: label }))
    }
}

/// B's scene, when B is a scene file.
pub struct BSceneGpu {
    pub path: std::path::PathBuf,
    /// Its splats as loaded (kept to place them again when B is aligned).
    pub cloud: Option<SplatCloud>,
    pub splats: SplatScene,
    pub mesh: Option<MeshScene>,
    /// The placement `splats` and `mesh` were made with.
    pub placement: Similarity,
    pub bounds: Option<SceneBounds>,
}

impl BSceneGpu {
    /// Places B's content with `placement` (splats uploaded again, a mesh's
    /// transform rewritten).
    pub fn place(&mut self, gpu: &GpuContext, placement: Similarity) -> Result<(), GpuError> {
        if let Some(cloud) = &self.cloud {
            let mut placed = cloud.clone();
            if placement != Similarity::IDENTITY {
                placement.apply_to_splats(&mut placed);
            }
            self.splats = SplatScene::new(&gpu.device, &placed)?;
        }
        if let Some(mesh) = &mut self.mesh {
            mesh.set_transform(&gpu.queue, placement.to_mat4());
        }
        self.placement = placement;
        Ok(())
    }

    /// World bounds under its placement.
    pub fn placed_bounds(&self) -> Option<SceneBounds> {
        self.bounds.map(|b| placed_box(&b, &self.placement))
    }
}

/// The ground-truth photo B shows.
pub struct PhotoGpu {
    pub path: std::path::PathBuf,
    /// The training camera fitted to the photo (as `splatview eval` fits them).
    pub camera: PinholeCamera,
    pub image: image::RgbImage,
    target: Option<CompareTarget>,
}

impl PhotoGpu {
    pub fn new(path: std::path::PathBuf, camera: PinholeCamera, image: image::RgbImage) -> Self {
        Self {
            path,
            camera,
            image,
            target: None,
        }
    }
}

/// What one render of A or B depends on.
#[derive(Clone, Copy, Debug, PartialEq)]
struct ImageKey {
    camera: PinholeCamera,
    lod: LodSettings,
    background: [f32; 3],
    mesh: MeshParams,
    /// The scene's generation (A's objects, or B's scene).
    generation: u64,
    /// A's level-of-detail draw list (generation, colour by level), if any.
    list: Option<(u64, bool)>,
}

/// What B draws this frame.
pub enum BDraw<'a> {
    /// A scene (this one with other settings, or B's file).
    Scene {
        camera: PinholeCamera,
        lod: LodSettings,
        splats: &'a SplatScene,
        meshes: Vec<&'a MeshScene>,
        generation: u64,
    },
    /// The photo (A is drawn from its camera).
    Photo,
    /// Nothing yet (B still loading, no photo).
    Nothing,
}

/// One frame of the compare view.
pub struct CompareFrame<'a> {
    pub a_camera: PinholeCamera,
    pub a_lod: LodSettings,
    pub a_splats: &'a SplatScene,
    pub a_meshes: Vec<&'a MeshScene>,
    pub a_generation: u64,
    /// A's level-of-detail cut (then `a_splats` is its page pool).
    pub a_draw_list: Option<DrawList<'a>>,
    pub b: BDraw<'a>,
    pub background: [f32; 3],
    pub mesh: MeshParams,
    /// The |A - B| map's scale, when the difference layout shows it.
    pub diff_scale: Option<f32>,
}

/// Read-backs of a settled pair, for the metrics worker.
struct PendingReadback {
    key: u64,
    a: AsyncTextureReadback,
    b: Option<AsyncTextureReadback>,
    a_texels: Option<Vec<u8>>,
    b_texels: Option<Vec<u8>>,
    submitted: bool,
}

/// GPU resources of the compare view.
pub struct CompareGpu {
    a_view: SplatView,
    a: Option<CompareTarget>,
    a_key: Option<ImageKey>,
    a_renders: u64,
    b_view: SplatView,
    b: Option<CompareTarget>,
    b_key: Option<ImageKey>,
    b_renders: u64,
    diff: DiffRenderer,
    diff_target: Option<CompareTarget>,
    diff_key: Option<(u64, f32)>,
    pub photo: Option<PhotoGpu>,
    photo_uploaded: bool,
    readback: Option<PendingReadback>,
}

impl CompareGpu {
    pub fn new(
        gpu: &GpuContext,
        renderer: &Renderer,
    ) -> Result<Self, crate::gpu::shader::ShaderError> {
        let device = &gpu.device;
        let mut a_view = renderer.create_view(device, DIFF_FORMAT);
        let mut b_view = renderer.create_view(device, DIFF_FORMAT);
        a_view.enable_profiling(device, &gpu.queue);
        b_view.enable_profiling(device, &gpu.queue);
        Ok(Self {
            a_view,
            a: None,
            a_key: None,
            a_renders: 0,
            b_view,
            b: None,
            b_key: None,
            b_renders: 0,
            diff: DiffRenderer::new(device, &gpu.queue)?,
            diff_target: None,
            diff_key: None,
            photo: None,
            photo_uploaded: false,
            readback: None,
        })
    }

    /// Sets the photo B shows.
    pub fn set_photo(&mut self, photo: Option<PhotoGpu>) {
        self.photo = photo;
        self.photo_uploaded = false;
        self.b_renders += 1;
    }

    /// Identifies the pair of images on screen (changes whenever A or B is
    /// rendered again or the photo changes).
    pub fn pair_key(&self) -> u64 {
        (self.a_renders << 32) ^ self.b_renders
    }

    /// Renders what changed of A, B and the difference map. Returns whether
    /// anything was rendered.
    pub fn prepare(
        &mut self,
        gpu: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        egui_renderer: &mut egui_wgpu::Renderer,
        renderer: &Renderer,
        frame: &CompareFrame<'_>,
    ) -> Result<bool, RenderError> {
        let mut rendered = false;
        let a_key = ImageKey {
            camera: frame.a_camera,
            lod: frame.a_lod,
            background: frame.background,
            mesh: frame.mesh,
            generation: frame.a_generation,
            list: frame.a_draw_list.map(|l| (l.generation, l.color_by_level)),
        };
        let size = (frame.a_camera.width, frame.a_camera.height);
        let target = CompareTarget::ensure(&mut self.a, gpu, egui_renderer, size, "compare A")?;
        if self.a_key != Some(a_key) {
            let mut params = frame.a_lod.view_params(frame.a_camera, frame.background);
            params.draw_list = frame.a_draw_list;
            renderer.encode_view_with_meshes(
                gpu,
                encoder,
                frame.a_splats,
                &frame.a_meshes,
                &frame.mesh,
                &mut self.a_view,
                &params,
                &target.view,
            )?;
            self.a_key = Some(a_key);
            self.a_renders += 1;
            rendered = true;
        }
        match &frame.b {
            BDraw::Scene {
                camera,
                lod,
                splats,
                meshes,
                generation,
            } => {
                let key = ImageKey {
                    camera: *camera,
                    lod: *lod,
                    background: frame.background,
                    mesh: frame.mesh,
                    generation: *generation,
                    list: None,
                };
                let size = (camera.width, camera.height);
                let target =
                    CompareTarget::ensure(&mut self.b, gpu, egui_renderer, size, "compare B")?;
                if self.b_key != Some(key) {
                    let params = lod.view_params(*camera, frame.background);
                    renderer.encode_view_with_meshes(
                        gpu,
                        encoder,
                        splats,
                        meshes,
                        &frame.mesh,
                        &mut self.b_view,
                        &params,
                        &target.view,
                    )?;
                    self.b_key = Some(key);
                    self.b_renders += 1;
                    rendered = true;
                }
            }
            BDraw::Photo => {
                if let Some(photo) = &mut self.photo {
                    let size = photo.image.dimensions();
                    let target = CompareTarget::ensure(
                        &mut photo.target,
                        gpu,
                        egui_renderer,
                        size,
                        "ground-truth photo",
                    )?;
                    if !self.photo_uploaded {
                        let rgba: Vec<u8> = photo
                            .image
                            .pixels()
                            .flat_map(|p| [p.0[0], p.0[1], p.0[2], 255])
                            .collect();
                        gpu.queue.write_texture(
                            target.texture.as_image_copy(),
                            &rgba,
                            wgpu::TexelCopyBufferLayout {
                                offset: 0,
                                bytes_per_row: Some(4 * size.0),
                                rows_per_image: Some(size.1),
                            },
                            target.texture.size(),
                        );
                        self.photo_uploaded = true;
                        rendered = true;
                    }
                }
                self.b_key = None;
            }
            BDraw::Nothing => self.b_key = None,
        }
        if let Some(scale) = frame.diff_scale {
            rendered |= self.prepare_diff(gpu, encoder, egui_renderer, scale)?;
        }
        Ok(rendered)
    }

    /// The |A - B| map, when both images are there and match in size.
    fn prepare_diff(
        &mut self,
        gpu: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        egui_renderer: &mut egui_wgpu::Renderer,
        scale: f32,
    ) -> Result<bool, RenderError> {
        let key = (self.pair_key(), scale);
        let Some(a) = &self.a else {
            return Ok(false);
        };
        let b = match (&self.b_key, &self.photo) {
            (Some(_), _) => self.b.as_ref(),
            (None, Some(photo)) if self.photo_uploaded => photo.target.as_ref(),
            _ => None,
        };
        let Some(b) = b.filter(|b| b.size() == a.size()) else {
            return Ok(false);
        };
        if self.diff_key == Some(key) {
            return Ok(false);
        }
        let target = CompareTarget::ensure(
            &mut self.diff_target,
            gpu,
            egui_renderer,
            a.size(),
            "difference",
        )?;
        self.diff
            .encode(&gpu.device, encoder, &a.view, &b.view, scale, &target.view);
        self.diff_key = Some(key);
        Ok(true)
    }

    /// The images for the overlay.
    pub fn images(&self, with_diff: bool) -> Option<CompareImages> {
        let a = self.a.as_ref()?.image_ref();
        let b = if self.b_key.is_some() {
            self.b.as_ref().map(CompareTarget::image_ref)
        } else {
            self.photo
                .as_ref()
                .filter(|_| self.photo_uploaded)
                .and_then(|p| p.target.as_ref())
                .map(CompareTarget::image_ref)
        };
        let diff = self
            .diff_target
            .as_ref()
            .filter(|_| with_diff && self.diff_key.is_some_and(|(k, _)| k == self.pair_key()))
            .map(CompareTarget::image_ref);
        Some(CompareImages {
            a,
            b,
            diff,
            flip: None,
        })
    }

    /// Records read-backs of the pair on screen (the photo needs none) unless
    /// one is in flight.
    pub fn request_readback(
        &mut self,
        device: &wgpu::Device,
        encoder: &mut wgpu::CommandEncoder,
    ) -> bool {
        if self.readback.is_some() {
            return false;
        }
        let Some(a) = &self.a else {
            return false;
        };
        let b = match (&self.b_key, &self.b) {
            (Some(_), Some(b)) => Some(AsyncTextureReadback::record_copy(
                device, encoder, &b.texture,
            )),
            (None, _) if self.photo.is_some() && self.photo_uploaded => None,
            _ => return false,
        };
        self.readback = Some(PendingReadback {
            key: self.pair_key(),
            a: AsyncTextureReadback::record_copy(device, encoder, &a.texture),
            b,
            a_texels: None,
            b_texels: None,
            submitted: false,
        });
        true
    }

    /// Call after the frame's encoder was submitted.
    pub fn after_submit(&mut self) {
        self.a_view.after_submit();
        self.b_view.after_submit();
        if let Some(pending) = &mut self.readback
            && !pending.submitted
        {
            pending.a.after_submit();
            if let Some(b) = &mut pending.b {
                b.after_submit();
            }
            pending.submitted = true;
        }
    }

    /// Whether a read-back is in flight.
    pub fn reading_back(&self) -> bool {
        self.readback.is_some()
    }

    /// The pair read back, once both images have arrived: (pair key, A, B).
    pub fn poll_readback(
        &mut self,
    ) -> Option<Result<(u64, image::RgbImage, image::RgbImage), String>> {
        let pending = self.readback.as_mut().filter(|p| p.submitted)?;
        if pending.a_texels.is_none() {
            match pending.a.poll()? {
                Ok(texels) => pending.a_texels = Some(texels),
                Err(err) => {
                    self.readback = None;
                    return Some(Err(err.to_string()));
                }
            }
        }
        if let Some(b) = &mut pending.b
            && pending.b_texels.is_none()
        {
            match b.poll()? {
                Ok(texels) => pending.b_texels = Some(texels),
                Err(err) => {
                    self.readback = None;
                    return Some(Err(err.to_string()));
                }
            }
        }
        let pending = self.readback.take()?;
        let (w, h) = pending.a.size();
        let a = rgba_to_rgb(w, h, &pending.a_texels.unwrap_or_default());
        let b = match (&pending.b, pending.b_texels) {
            (Some(readback), Some(texels)) => {
                let (w, h) = readback.size();
                rgba_to_rgb(w, h, &texels)
            }
            _ => self.photo.as_ref().map(|p| p.image.clone()),
        };
        match (a, b) {
            (Some(a), Some(b)) => Some(Ok((pending.key, a, b))),
            _ => Some(Err("the compare read-back has the wrong size".into())),
        }
    }

    /// What A's and B's finished frames reported (visible counts, pass
    /// times); an overflowed tile frame is rendered again.
    pub fn poll_views(&mut self) -> (ViewReport, ViewReport) {
        let a = self.a_view.poll();
        if a.tile_overflow {
            self.a_key = None;
        }
        let b = self.b_view.poll();
        if b.tile_overflow {
            self.b_key = None;
        }
        (a, b)
    }

    /// GPU bytes of the views and their images.
    pub fn gpu_bytes(&self) -> u64 {
        let image = |t: &Option<CompareTarget>| {
            t.as_ref()
                .map_or(0, |t| u64::from(t.size().0) * u64::from(t.size().1) * 4)
        };
        self.a_view.gpu_bytes()
            + self.b_view.gpu_bytes()
            + image(&self.a)
            + image(&self.b)
            + image(&self.diff_target)
    }

    /// Frees the egui textures (the compare view is closed).
    pub fn free(self, egui_renderer: &mut egui_wgpu::Renderer) {
        for target in [self.a, self.b, self.diff_target]
            .into_iter()
            .flatten()
            .chain(self.photo.and_then(|p| p.target))
        {
            egui_renderer.free_texture(&target.id);
        }
    }
}
