//! Headless rendering: a frame into an `Rgba8Unorm` texture, read back as RGB.
//! Used by `splatview render`, screenshots and the render tests.

use crate::gpu::GpuContext;
use crate::gpu::readback::{ReadbackError, read_buffer, read_texture_rgba8};
use crate::render::FrameRenderer;
use crate::render::splat::SplatGpuData;
use crate::render::tile::RasterMode;
use crate::scene::PinholeCamera;

/// Output format of headless renders (non-sRGB: values are written as they are).
pub const OFFSCREEN_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

/// An `OFFSCREEN_FORMAT` render target of `width x height` with `extra_usage`.
pub fn create_output_texture(
    device: &wgpu::Device,
    width: u32,
    height: u32,
    extra_usage: wgpu::TextureUsages,
) -> wgpu::Texture {
    device.create_texture(&wgpu::TextureDescriptor {
        label: Some("offscreen output"),
        size: wgpu::Extent3d {
            width: width.max(1),
            height: height.max(1),
            depth_or_array_layers: 1,
        },
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format: OFFSCREEN_FORMAT,
        usage: wgpu::TextureUsages::RENDER_ATTACHMENT | extra_usage,
        view_formats: &[],
    })
}

/// Renders one frame for `camera` and returns it as an 8-bit RGB image. With the
/// compute rasterizer, a frame whose (tile, splat) pairs overflowed the buffers is
/// rendered again with buffers grown to fit (up to the adapter's limit).
pub fn render_to_image(
    ctx: &GpuContext,
    renderer: &mut FrameRenderer,
    scene: &mut SplatGpuData,
    camera: &PinholeCamera,
    background: [f32; 3],
) -> Result<image::RgbImage, ReadbackError> {
    let image = render_once(ctx, renderer, scene, camera, background)?;
    if renderer.raster != RasterMode::Compute {
        return Ok(image);
    }
    let Some(tiles) = scene.tiles.as_mut() else {
        return Ok(image);
    };
    let words: Vec<u32> =
        bytemuck::pod_collect_to_vec(&read_buffer(&ctx.device, &ctx.queue, &tiles.state, 0, 8)?);
    let wanted = words.first().copied().unwrap_or(0);
    if !tiles.overflows(wanted) {
        return Ok(image);
    }
    tiles.request_pairs(wanted);
    render_once(ctx, renderer, scene, camera, background)
}

fn render_once(
    ctx: &GpuContext,
    renderer: &mut FrameRenderer,
    scene: &mut SplatGpuData,
    camera: &PinholeCamera,
    background: [f32; 3],
) -> Result<image::RgbImage, ReadbackError> {
    let (width, height) = (camera.width.max(1), camera.height.max(1));
    let texture = create_output_texture(&ctx.device, width, height, wgpu::TextureUsages::COPY_SRC);
    let view = texture.create_view(&Default::default());
    let mut encoder = ctx
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("offscreen frame"),
        });
    renderer.encode_frame(
        &ctx.device,
        &ctx.queue,
        &mut encoder,
        scene,
        camera,
        background,
        &view,
    );
    ctx.queue.submit([encoder.finish()]);
    let rgba = read_texture_rgba8(&ctx.device, &ctx.queue, &texture)?;
    let rgb: Vec<u8> = rgba
        .chunks_exact(4)
        .flat_map(|px| [px[0], px[1], px[2]])
        .collect();
    image::RgbImage::from_raw(width, height, rgb).ok_or(ReadbackError::Size)
}
