//! The one adapter from [`ViewRenderer`] to the renderer: a scene uploaded once,
//! rendered headless per view through `render_to_image` (the code path of
//! `splatview render`). Point this file at the new renderer API when it changes.

use crate::gpu::GpuContext;
use crate::render::FrameRenderer;
use crate::render::offscreen::{OFFSCREEN_FORMAT, render_to_image};
use crate::render::splat::SplatGpuData;
use crate::render::tile::RasterMode;
use crate::scene::{PinholeCamera, SplatCloud};

use super::{RenderOptions, ViewRenderer};

/// A scene on the GPU, ready to render any view.
pub struct HeadlessViewRenderer<'a> {
    ctx: &'a GpuContext,
    cloud: &'a SplatCloud,
    renderer: FrameRenderer,
    scene: SplatGpuData,
    /// SH degree of the uploaded splats.
    uploaded_sh_degree: u32,
}

impl<'a> HeadlessViewRenderer<'a> {
    /// Uploads `cloud` and builds the pipelines for `raster`.
    pub fn new(
        ctx: &'a GpuContext,
        cloud: &'a SplatCloud,
        raster: RasterMode,
    ) -> anyhow::Result<Self> {
        let mut renderer = FrameRenderer::new(&ctx.device, OFFSCREEN_FORMAT)?;
        renderer.raster = raster;
        let scene = SplatGpuData::new(&ctx.device, &renderer.splats, cloud)?;
        Ok(Self {
            ctx,
            cloud,
            renderer,
            scene,
            uploaded_sh_degree: cloud.sh_degree,
        })
    }
}

impl ViewRenderer for HeadlessViewRenderer<'_> {
    fn render_view(
        &mut self,
        camera: &PinholeCamera,
        options: &RenderOptions,
    ) -> anyhow::Result<image::RgbImage> {
        let sh_degree = options
            .max_sh_degree
            .map_or(self.cloud.sh_degree, |cap| cap.min(self.cloud.sh_degree));
        if sh_degree != self.uploaded_sh_degree {
            // SH cap: re-uploads the splats without the higher bands. The lead
            // replaces this line with the renderer's own SH cap.
            let capped = self.cloud.with_sh_degree(sh_degree);
            self.scene = SplatGpuData::new(&self.ctx.device, &self.renderer.splats, &capped)?;
            self.uploaded_sh_degree = sh_degree;
        }
        Ok(render_to_image(
            self.ctx,
            &mut self.renderer,
            &mut self.scene,
            camera,
            options.background,
        )?)
    }
}
