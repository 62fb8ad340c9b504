//! The compute rasterizer with 16x16 tiles against its 8x8 tiles and the CPU
//! reference on real scenes: the tile size changes which pairs are binned and
//! sorted, never which splats a pixel blends or in which order, so the images
//! agree; and there are fewer pairs.

mod common;

use splatview::controls::OrbitCamera;
use splatview::gpu::readback::read_buffer;
use splatview::metrics::psnr;
use splatview::reference::{render_reference, to_rgb8};
use splatview::render::tile::{TILE_SIZES, raster_workgroup_bytes, tile_grid, tile_size_supported};
use splatview::render::{Raster, TileSize, ViewParams};
use splatview::scene::{AaMode, SceneBounds};

use common::{TestView, upload};

const WIDTH: u32 = 320;
const HEIGHT: u32 = 180;

#[test]
fn sixteen_pixel_tiles_match_eight_and_the_reference() {
    let Some(ctx) = common::gpu() else { return };
    for name in ["biker.ply", "guitar.decoded.ply", "playbot_l6.ply"] {
        let cloud = splatview::io::load_splat_file(&common::testdata(&format!("splats/{name}")))
            .unwrap_or_else(|e| panic!("{e}"));
        let base = OrbitCamera::framing(SceneBounds::robust(&cloud), WIDTH as f32 / HEIGHT as f32);
        let mut close = base;
        close.yaw -= 2.2;
        close.distance *= 0.6;
        let scene = upload(ctx, &cloud);
        for (v, orbit) in [base, close].iter().enumerate() {
            let camera = orbit.camera(WIDTH, HEIGHT);
            let background = [0.1, 0.2, 0.3];
            let cpu = to_rgb8(
                &render_reference(&cloud, &camera, background, AaMode::Classic),
                WIDTH,
                HEIGHT,
            );
            let mut images = Vec::new();
            let mut pairs = Vec::new();
            for tile_size in [TileSize::Eight, TileSize::Sixteen] {
                let mut test = TestView::new(ctx);
                let params = ViewParams {
                    raster: Raster::Compute,
                    tile_size,
                    background,
                    ..ViewParams::new(camera)
                };
                let gpu = test.render(ctx, &scene, &params);
                let view = &test.view.view;
                assert_eq!(view.last_raster(), Some(Raster::Compute));
                assert_eq!(view.last_tile_size(), tile_size.fixed());
                let tiles = view.tile_buffers().expect("compute rasterizer ran");
                let state: Vec<u32> = bytemuck::pod_collect_to_vec(
                    &read_buffer(&ctx.device, &ctx.queue, &tiles.state, 0, 64).expect("read"),
                );
                assert!(state[0] <= tiles.capacity(), "the frame overflowed");
                pairs.push(state[0]);
                let db = psnr(&gpu, &cpu).expect("same size");
                eprintln!(
                    "{name} view {v}, {} px tiles: {} pairs, {db:.2} dB against the CPU",
                    tile_size.name(),
                    state[0]
                );
                assert!(db >= 50.0, "{name} view {v}: {db:.2} dB");
                images.push(gpu);
            }
            let same = psnr(&images[1], &images[0]).expect("same size");
            eprintln!("  16x16 against 8x8: {same:.2} dB");
            assert!(
                same >= 70.0 || images[0].as_raw() == images[1].as_raw(),
                "{name} view {v}: 16x16 tiles {same:.2} dB from 8x8"
            );
            assert!(
                pairs[1] < pairs[0],
                "{name} view {v}: {} pairs with 16x16 tiles, {} with 8x8",
                pairs[1],
                pairs[0]
            );
        }
    }
}

#[test]
fn tile_grids_cover_the_view() {
    for side in TILE_SIZES {
        for size in [(1, 1), (8, 8), (17, 9), (1280, 720), (1921, 1081)] {
            let (x, y) = tile_grid(size, side);
            assert!(
                x * side >= size.0 && (x - 1) * side < size.0.max(1),
                "{size:?}"
            );
            assert!(
                y * side >= size.1 && (y - 1) * side < size.1.max(1),
                "{size:?}"
            );
        }
    }
    assert_eq!(tile_grid((0, 0), 16), (1, 1));
}

/// 16x16 tiles need just over WebGPU's default 16 KiB of workgroup memory:
/// an adapter offering only that draws 8x8 tiles when the size is left open.
#[test]
fn sixteen_pixel_tiles_need_more_than_the_default_workgroup_memory() {
    assert_eq!(raster_workgroup_bytes(8), 64 * 64 + 8 + 8);
    assert_eq!(raster_workgroup_bytes(16), 256 * 64 + 8 + 32);
    let webgpu = wgpu::Limits::default();
    assert!(tile_size_supported(&webgpu, 8));
    assert!(!tile_size_supported(&webgpu, 16));
    let more = wgpu::Limits {
        max_compute_workgroup_storage_size: 32 * 1024,
        ..webgpu.clone()
    };
    assert!(tile_size_supported(&more, 16));
    let Some(ctx) = common::gpu() else { return };
    // lavapipe offers 32 KiB: the 16x16 kernels run there (the test above).
    if ctx.adapter.get_info().device_type == wgpu::DeviceType::Cpu {
        assert!(tile_size_supported(&ctx.device.limits(), 16));
    }
}
