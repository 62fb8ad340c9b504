//! Views with their own output texture, read back as 8-bit RGB images: what
//! `splatview render`, camera-path exports, screenshots and the render tests use.
//! The frame goes through `Renderer::encode_view`, as the window's does.

use crate::gpu::GpuContext;
use crate::gpu::readback::{ReadbackError, read_buffer, read_texture_rgba8};
use crate::render::params::{Raster, ViewParams};
use crate::render::scene::SplatScene;
use crate::render::view::SplatView;
use crate::render::{MeshParams, MeshScene, RenderError, Renderer};

/// What an offscreen view draws: splats, and meshes drawn first.
#[derive(Clone, Copy)]
pub struct SceneRefs<'a> {
    pub splats: &'a SplatScene,
    pub meshes: &'a [&'a MeshScene],
    pub mesh_params: MeshParams,
}

impl<'a> SceneRefs<'a> {
    /// Splats alone.
    pub fn splats(splats: &'a SplatScene) -> Self {
        Self {
            splats,
            meshes: &[],
            mesh_params: MeshParams::default(),
        }
    }
}

/// Output format of offscreen renders (non-sRGB: values are written as they are).
pub const OFFSCREEN_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

/// Why an offscreen image could not be made.
#[derive(Debug, thiserror::Error)]
pub enum OffscreenError {
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Readback(#[from] ReadbackError),
}

/// An `OFFSCREEN_FORMAT` render target of `width x height` with `extra_usage`,
/// also a storage texture (the tiles write it themselves when the compose pass
/// is folded into them).
pub fn create_output_texture(
    device: &wgpu::Device,
    width: u32,
    height: u32,
    extra_usage: wgpu::TextureUsages,
) -> wgpu::Texture {
    crate::gpu::texture::texture_2d(
        device,
        "offscreen output",
        (width.max(1), height.max(1)),
        OFFSCREEN_FORMAT,
        wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::STORAGE_BINDING | extra_usage,
    )
}

/// A view and its output texture (made again when the size changes).
pub struct OffscreenView {
    pub view: SplatView,
    output: Option<wgpu::Texture>,
}

impl OffscreenView {
    pub fn new(device: &wgpu::Device, renderer: &Renderer) -> Self {
        Self {
            view: renderer.create_view(device, OFFSCREEN_FORMAT),
            output: None,
        }
    }

    /// The texture the last frame was composed into.
    pub fn output_texture(&self) -> Option<&wgpu::Texture> {
        self.output.as_ref()
    }

    /// Records one frame of splats into the output texture (readable with
    /// `COPY_SRC`).
    pub fn encode(
        &mut self,
        gpu: &GpuContext,
        renderer: &Renderer,
        encoder: &mut wgpu::CommandEncoder,
        scene: &SplatScene,
        params: &ViewParams<'_>,
    ) -> Result<(), RenderError> {
        self.encode_scene(gpu, renderer, encoder, SceneRefs::splats(scene), params)
    }

    /// Records one frame of `scene` (meshes first, then splats) into the output
    /// texture.
    pub fn encode_scene(
        &mut self,
        gpu: &GpuContext,
        renderer: &Renderer,
        encoder: &mut wgpu::CommandEncoder,
        scene: SceneRefs<'_>,
        params: &ViewParams<'_>,
    ) -> Result<(), RenderError> {
        let (width, height) = (params.camera.width, params.camera.height);
        gpu.check_image_size(width, height)?;
        if self
            .output
            .as_ref()
            .is_none_or(|t| (t.width(), t.height()) != (width, height))
        {
            self.output = None;
            self.output = Some(crate::gpu::health::scoped(
                &gpu.device,
                "output image",
                || create_output_texture(&gpu.device, width, height, wgpu::TextureUsages::COPY_SRC),
            )?);
        }
        let Some(texture) = &self.output else {
            return Ok(());
        };
        let output = texture.create_view(&Default::default());
        renderer.encode_view_with_meshes(
            gpu,
            encoder,
            scene.splats,
            scene.meshes,
            &scene.mesh_params,
            &mut self.view,
            params,
            &output,
        )
    }

    /// Renders one frame and returns it as an 8-bit RGB image (blocking). With the
    /// compute rasterizer, a frame whose (tile, splat) pairs overflowed the buffers
    /// is rendered again with buffers grown to fit (up to the adapter's limit), so
    /// the image is always the tile rasterizer's.
    pub fn render(
        &mut self,
        gpu: &GpuContext,
        renderer: &Renderer,
        scene: &SplatScene,
        params: &ViewParams<'_>,
    ) -> Result<image::RgbImage, OffscreenError> {
        self.render_scene(gpu, renderer, SceneRefs::splats(scene), params)
    }

    /// [`Self::render`] of splats and meshes.
    pub fn render_scene(
        &mut self,
        gpu: &GpuContext,
        renderer: &Renderer,
        scene: SceneRefs<'_>,
        params: &ViewParams<'_>,
    ) -> Result<image::RgbImage, OffscreenError> {
        let image = self.render_once(gpu, renderer, scene, params)?;
        if self.view.last_raster() != Some(Raster::Compute) {
            return Ok(image);
        }
        let Some(tiles) = self.view.tiles.as_mut() else {
            return Ok(image);
        };
        let words: Vec<u32> = bytemuck::pod_collect_to_vec(&read_buffer(
            &gpu.device,
            &gpu.queue,
            &tiles.state,
            0,
            8,
        )?);
        let wanted = words.first().copied().unwrap_or(0);
        if !tiles.overflows(wanted) {
            return Ok(image);
        }
        tiles.request_pairs(wanted);
        self.render_once(gpu, renderer, scene, params)
    }

    fn render_once(
        &mut self,
        gpu: &GpuContext,
        renderer: &Renderer,
        scene: SceneRefs<'_>,
        params: &ViewParams<'_>,
    ) -> Result<image::RgbImage, OffscreenError> {
        let mut encoder = gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("offscreen frame"),
            });
        self.encode_scene(gpu, renderer, &mut encoder, scene, params)?;
        gpu.queue.submit([encoder.finish()]);
        self.view.after_submit();
        let Some(texture) = &self.output else {
            return Err(ReadbackError::Size.into());
        };
        let rgba = read_texture_rgba8(&gpu.device, &gpu.queue, texture)?;
        // Let the view take what its frame reported (timestamps, visible count).
        self.view.poll();
        rgba_to_rgb(texture.width(), texture.height(), &rgba).ok_or(ReadbackError::Size.into())
    }
}

/// Drops the alpha channel of tightly packed RGBA8 rows.
pub fn rgba_to_rgb(width: u32, height: u32, rgba: &[u8]) -> Option<image::RgbImage> {
    let rgb: Vec<u8> = rgba
        .chunks_exact(4)
        .flat_map(|px| [px[0], px[1], px[2]])
        .collect();
    image::RgbImage::from_raw(width, height, rgb)
}
