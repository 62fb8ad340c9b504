//! Frame order: prepare -> project -> sort -> draw (into an accumulation texture)
//! -> compose (into the output). The window and the headless `render` command both
//! call `FrameRenderer::encode_frame` with their own output view.

pub mod compose;
pub mod offscreen;
pub mod sort;
pub mod splat;

use crate::gpu::shader::ShaderError;
use crate::scene::PinholeCamera;
use compose::ComposeRenderer;
use splat::{ACCUMULATION_FORMAT, SplatGpuData, SplatRenderer};

/// Size-dependent intermediate textures of a view.
struct ViewTargets {
    size: (u32, u32),
    accumulation_view: wgpu::TextureView,
    compose_bind_group: wgpu::BindGroup,
}

/// Renders frames of a splat scene into any view of `output_format`.
pub struct FrameRenderer {
    pub splats: SplatRenderer,
    pub compose: ComposeRenderer,
    targets: Option<ViewTargets>,
}

impl FrameRenderer {
    pub fn new(
        device: &wgpu::Device,
        output_format: wgpu::TextureFormat,
    ) -> Result<Self, ShaderError> {
        Ok(Self {
            splats: SplatRenderer::new(device)?,
            compose: ComposeRenderer::new(device, output_format)?,
            targets: None,
        })
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
        let size = (camera.width.max(1), camera.height.max(1));
        if self.targets.as_ref().is_none_or(|t| t.size != size) {
            self.targets = Some(self.create_targets(device, size));
        }
        let Some(targets) = &self.targets else {
            return;
        };
        self.splats
            .encode(queue, encoder, scene, camera, &targets.accumulation_view);
        self.compose.encode(
            queue,
            encoder,
            &targets.compose_bind_group,
            background,
            output,
        );
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
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::TEXTURE_BINDING,
            view_formats: &[],
        });
        let accumulation_view = texture.create_view(&Default::default());
        let compose_bind_group = self.compose.bind_group(device, &accumulation_view);
        ViewTargets {
            size,
            accumulation_view,
            compose_bind_group,
        }
    }
}
