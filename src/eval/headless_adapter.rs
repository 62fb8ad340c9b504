//! The one adapter from [`ViewRenderer`] to the renderer: a scene uploaded once
//! and one offscreen view, rendered per camera through `Renderer::encode_view`
//! (the code path of the window and of `splatview render`).

use crate::gpu::GpuContext;
use crate::render::offscreen::OffscreenView;
use crate::render::{Raster, Renderer, SplatScene, ViewParams};
use crate::scene::{PinholeCamera, SplatCloud};

use super::{RenderOptions, ViewRenderer};

/// A scene on the GPU, ready to render any view.
pub struct HeadlessViewRenderer<'a> {
    ctx: &'a GpuContext,
    renderer: Renderer,
    scene: SplatScene,
    view: OffscreenView,
    raster: Raster,
}

impl<'a> HeadlessViewRenderer<'a> {
    /// Uploads `cloud`; views are drawn with `raster`.
    pub fn new(ctx: &'a GpuContext, cloud: &SplatCloud, raster: Raster) -> anyhow::Result<Self> {
        let renderer = Renderer::new(&ctx.device)?;
        let scene = SplatScene::new(&ctx.device, cloud)?;
        let view = OffscreenView::new(&ctx.device, &renderer);
        Ok(Self {
            ctx,
            renderer,
            scene,
            view,
            raster,
        })
    }
}

impl ViewRenderer for HeadlessViewRenderer<'_> {
    fn render_view(
        &mut self,
        camera: &PinholeCamera,
        options: &RenderOptions,
    ) -> anyhow::Result<image::RgbImage> {
        let mut params = ViewParams {
            background: options.background,
            raster: self.raster,
            aa: options.aa,
            ..ViewParams::new(*camera)
        };
        if let Some(cap) = options.max_sh_degree {
            params.lod.sh_degree_cap = cap;
        }
        let image = self
            .view
            .render(self.ctx, &self.renderer, &self.scene, &params)?;
        self.ctx.check_errors("frame")?;
        Ok(image)
    }
}
