//! The line pass (`render::lines`, shaders/lines.wgsl): a segment is drawn as a
//! band of its width where it projects, and is hidden where a depth texture in
//! the `DepthInput` convention (near_plane / z_view, reversed, 0 = empty; here
//! at half the output's size) holds something closer. Needs a GPU adapter
//! (lavapipe is enough).

mod common;

use glam::{Mat4, Vec3};
use splatview::gpu::readback::read_texture_rgba8;
use splatview::render::DepthInput;
use splatview::render::formats::DEPTH_FORMAT;
use splatview::render::lines::{LineBatch, LineRenderer, LineSegment};
use splatview::render::offscreen::{OFFSCREEN_FORMAT, create_output_texture};
use splatview::scene::PinholeCamera;

const SIZE: u32 = 64;
const NEAR: f32 = 0.2;

/// Draws one horizontal segment at depth 2 across the view, over black, tested
/// against a depth texture holding `scene_depth` (z_view) when given; returns
/// RGBA rows.
fn draw(scene_depth: Option<f32>) -> Vec<u8> {
    let gpu = common::gpu().expect("GPU");
    let (device, queue) = (&gpu.device, &gpu.queue);
    // Camera at the origin looking along +z (OpenCV axes: y down).
    let camera = PinholeCamera::from_fov_y(1.0, SIZE, SIZE, Mat4::IDENTITY);
    let renderer = LineRenderer::new(device).expect("line pipelines");
    let mut batch = LineBatch::new(device);
    let segment = LineSegment::new(
        Vec3::new(-5.0, 0.0, 2.0),
        Vec3::new(5.0, 0.0, 2.0),
        3.0,
        [1.0, 0.0, 0.0, 1.0],
    );
    batch.set(device, queue, &[segment]);
    let output = create_output_texture(device, SIZE, SIZE, wgpu::TextureUsages::COPY_SRC);
    let output_view = output.create_view(&Default::default());
    // Half the output's size, as with a resolution scale of 0.5.
    let depth_size = SIZE / 2;
    let depth_texture = device.create_texture(&wgpu::TextureDescriptor {
        label: Some("test depth"),
        size: wgpu::Extent3d {
            width: depth_size,
            height: depth_size,
            depth_or_array_layers: 1,
        },
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format: DEPTH_FORMAT,
        usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::RENDER_ATTACHMENT,
        view_formats: &[],
    });
    let depth_view = depth_texture.create_view(&Default::default());
    let mut encoder = device.create_command_encoder(&Default::default());
    if let Some(z) = scene_depth {
        // Something at z_view = z everywhere.
        encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("depth"),
            color_attachments: &[],
            depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
                view: &depth_view,
                depth_ops: Some(wgpu::Operations {
                    load: wgpu::LoadOp::Clear(NEAR / z),
                    store: wgpu::StoreOp::Store,
                }),
                stencil_ops: None,
            }),
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        });
    }
    let depth = scene_depth.map(|_| DepthInput {
        view: &depth_view,
        size: (depth_size, depth_size),
    });
    {
        // Clear to black.
        encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("clear"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: &output_view,
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Clear(wgpu::Color::BLACK),
                    store: wgpu::StoreOp::Store,
                },
            })],
            depth_stencil_attachment: None,
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        });
    }
    renderer.encode(
        device,
        queue,
        &mut encoder,
        &batch,
        &camera,
        NEAR,
        depth,
        &output_view,
        OFFSCREEN_FORMAT,
    );
    queue.submit([encoder.finish()]);
    read_texture_rgba8(device, queue, &output).expect("read back")
}

fn red(rgba: &[u8], x: u32, y: u32) -> bool {
    let i = 4 * (y * SIZE + x) as usize;
    rgba[i] > 200 && rgba[i + 1] < 50
}

#[test]
fn lines_are_drawn_and_hidden_behind_closer_depth() {
    if common::gpu().is_none() {
        return;
    }
    let centre = SIZE / 2;
    let plain = draw(None);
    // A 3-pixel band through the centre row, nothing far from it.
    for x in [2, 20, 44, 60] {
        assert!(red(&plain, x, centre), "no line at x {x}");
        assert!(red(&plain, x, centre - 1) || red(&plain, x, centre + 1));
        assert!(!red(&plain, x, centre - 6) && !red(&plain, x, centre + 6));
    }
    // Something at z = 1 (closer than the line at z = 2) hides it.
    let hidden = draw(Some(1.0));
    assert!(
        hidden.chunks(4).all(|p| p[0] == 0),
        "the line shows through"
    );
    // Something behind the line (z = 4) hides nothing.
    let behind = draw(Some(4.0));
    assert_eq!(behind, plain);
}

/// A wall of opaque grey splats at z = 2 filling the view, and one red line at
/// `line_z`, drawn as geometry (`Renderer::encode_view_with_geometry`, the
/// window's path) with `raster`; returns RGBA rows.
fn draw_with_splats(line_z: f32, raster: splatview::render::Raster) -> Vec<u8> {
    use splatview::render::{MeshParams, Renderer, SplatScene, ViewParams};
    let gpu = common::gpu().expect("GPU");
    let (device, queue) = (&gpu.device, &gpu.queue);
    let camera = PinholeCamera::from_fov_y(1.0, SIZE, SIZE, Mat4::IDENTITY);
    // 24 x 24 round splats, sigma 0.1, 0.1 apart, nearly opaque: a wall.
    let side = 24;
    let mut cloud = splatview::scene::SplatCloud::zeroed(side * side, 0);
    for i in 0..side * side {
        let (x, y) = ((i % side) as f32 - 11.5, (i / side) as f32 - 11.5);
        cloud.positions[i] = [x * 0.1, y * 0.1, 2.0];
        cloud.log_scales[i] = [0.1f32.ln(); 3];
        cloud.rotations[i] = [1.0, 0.0, 0.0, 0.0];
        cloud.opacity_logits[i] = 8.0;
    }
    let renderer = Renderer::new(device).expect("renderer");
    let scene = SplatScene::new(device, &cloud).expect("upload");
    let mut view = renderer.create_view(device, OFFSCREEN_FORMAT);
    let lines = LineRenderer::new(device).expect("line pipelines");
    let mut batch = LineBatch::new(device);
    batch.set(
        device,
        queue,
        &[LineSegment::new(
            Vec3::new(-5.0, 0.0, line_z),
            Vec3::new(5.0, 0.0, line_z),
            3.0,
            [1.0, 0.0, 0.0, 1.0],
        )],
    );
    let output = create_output_texture(device, SIZE, SIZE, wgpu::TextureUsages::COPY_SRC);
    let output_view = output.create_view(&Default::default());
    let params = ViewParams {
        raster,
        ..ViewParams::new(camera)
    };
    let mut encoder = device.create_command_encoder(&Default::default());
    renderer
        .encode_view_with_geometry(
            gpu,
            &mut encoder,
            &scene,
            &[],
            &MeshParams::default(),
            Some((&lines, &batch)),
            &mut view,
            &params,
            &output_view,
        )
        .expect("encode");
    queue.submit([encoder.finish()]);
    read_texture_rgba8(device, queue, &output).expect("read back")
}

#[test]
fn lines_drawn_as_geometry_hide_behind_splats_and_show_in_front() {
    if common::gpu().is_none() {
        return;
    }
    let centre = SIZE / 2;
    for raster in [
        splatview::render::Raster::Hardware,
        splatview::render::Raster::Compute,
    ] {
        // In front of the wall (z = 1): the line shows where it projects.
        let front = draw_with_splats(1.0, raster);
        for x in [2, 20, 44, 60] {
            assert!(red(&front, x, centre), "{raster:?}: no line at x {x}");
        }
        assert!(
            !red(&front, 20, centre - 6),
            "{raster:?}: red away from the line"
        );
        // Behind the wall (z = 3): the splats cover it.
        let behind = draw_with_splats(3.0, raster);
        let reddish = behind
            .chunks(4)
            .filter(|p| p[0] > p[1].saturating_add(30))
            .count();
        assert_eq!(reddish, 0, "{raster:?}: the line shows through the splats");
        // And the wall is there (grey, not background).
        let i = 4 * (centre * SIZE + 20) as usize;
        assert!(
            behind[i] > 60,
            "{raster:?}: no wall: {:?}",
            &behind[i..i + 4]
        );
    }
}
