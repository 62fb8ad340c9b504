//! The compute (tile) rasterizer on scenes that stress its pair buffers; its
//! agreement with the CPU reference on real scenes is in render_reference.rs.

mod common;

use glam::Vec3;
use splatview::controls::OrbitCamera;
use splatview::gpu::GpuContext;
use splatview::gpu::readback::{read_buffer, read_texture_rgba8};
use splatview::metrics::psnr;
use splatview::reference::{render_reference, to_rgb8};
use splatview::render::offscreen::rgba_to_rgb;
use splatview::render::splat::gpu_data::QUAD_BATCH_SPLATS;
use splatview::render::tile::{
    DEFAULT_CHUNK_PAIRS, UNSPLIT_CHUNK_PAIRS, default_chunk_pairs, stopped_bytes_per_chunk,
};
use splatview::render::{ComposeFolding, Raster, SplatScene, TileSize, ViewParams};
use splatview::scene::camera::PinholeCamera;
use splatview::scene::{AaMode, SceneBounds, SplatCloud};

use common::{TestView, upload};

const WIDTH: u32 = 320;
const HEIGHT: u32 = 180;

/// `n` large, faint splats around the origin: each covers most of the view, so
/// the frame needs far more (tile, splat) pairs than the first buffers hold.
pub fn huge_splats(n: usize) -> SplatCloud {
    faint_splats(n, 1.0)
}

/// The default view of the cube of side 3 around the origin the test splats
/// fill, `width` x `height` pixels.
fn framing_camera(width: u32, height: u32) -> PinholeCamera {
    let bounds = SceneBounds {
        min: Vec3::splat(-1.5),
        max: Vec3::splat(1.5),
    };
    OrbitCamera::framing(Some(bounds), width as f32 / height as f32).camera(width, height)
}

/// `n` faint splats around the origin with axes `size` × (1.2, 0.6, 1.0).
fn faint_splats(n: usize, size: f32) -> SplatCloud {
    let mut cloud = SplatCloud::new(0);
    let mut next = common::unit_noise(0x2545_F491_4F6C_DD1Du64);
    for _ in 0..n {
        cloud
            .positions
            .push([next() - 0.5, next() - 0.5, next() - 0.5]);
        cloud
            .log_scales
            .push([(1.2 * size).ln(), (0.6 * size).ln(), size.ln()]);
        cloud
            .rotations
            .push(splatview::scene::splats::normalize_quat([
                next(),
                next() - 0.5,
                next() - 0.5,
                next() - 0.5,
            ]));
        cloud.opacity_logits.push(-3.5);
        cloud
            .sh_dc
            .push([next() * 2.0 - 1.0, next() * 2.0 - 1.0, next() * 2.0 - 1.0]);
    }
    cloud
}

#[test]
fn pair_overflow_grows_the_buffers_and_renders_everything() {
    let Some(ctx) = common::gpu() else { return };
    let cloud = huge_splats(3000);
    let camera = framing_camera(WIDTH, HEIGHT);
    let scene = upload(ctx, &cloud);
    let mut test = TestView::new(ctx);
    let background = [0.2, 0.1, 0.0];
    let params = ViewParams {
        raster: Raster::Compute,
        background,
        ..ViewParams::new(camera)
    };
    let gpu = test.render(ctx, &scene, &params);
    let tiles = test
        .view
        .view
        .tile_buffers()
        .expect("compute rasterizer ran");
    // 3,000 splats over many of the 40 x 23 tiles: over the first 65,536 pairs
    // (4 per splat slot, at least 65,536), so the buffers must have grown.
    assert!(
        tiles.capacity() > 100_000,
        "pair buffers did not grow: capacity {}",
        tiles.capacity()
    );
    let cpu = to_rgb8(
        &render_reference(&cloud, &camera, background, AaMode::Classic),
        WIDTH,
        HEIGHT,
    );
    let db = psnr(&gpu, &cpu).expect("same size");
    eprintln!("3,000 huge splats, compute rasterizer vs CPU reference: {db:.2} dB");
    assert!(db >= 40.0, "PSNR {db:.2} dB");
}

/// An overflowed frame of more splats than one quad batch holds
/// (`QUAD_BATCH_SPLATS`): the fallback quad draws, one per batch, draw every
/// splat, exactly as the quad rasterizer does, and as the CPU reference.
#[test]
fn an_overflowed_frame_of_several_quad_batches_draws_every_splat() {
    let Some(ctx) = common::gpu() else { return };
    let n = 2 * QUAD_BATCH_SPLATS as usize + 5_000;
    // Footprints about 24 px across here: 4-16 tiles each, more pairs than the
    // first buffers (4 per splat slot) hold.
    let cloud = faint_splats(n, 0.1);
    let camera = framing_camera(WIDTH, HEIGHT);
    let scene = upload(ctx, &cloud);
    let background = [0.0, 0.1, 0.2];
    let render = |raster, compose_folding| {
        let mut test = TestView::new(ctx);
        let params = ViewParams {
            raster,
            background,
            compose_folding,
            ..ViewParams::new(camera)
        };
        // The first frame as the window shows it (`render` would render an
        // overflowed frame again with grown buffers).
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        test.view
            .encode(ctx, &test.renderer, &mut encoder, &scene, &params)
            .expect("encode");
        ctx.queue.submit([encoder.finish()]);
        let texture = test.view.output_texture().expect("output");
        let rgba = read_texture_rgba8(&ctx.device, &ctx.queue, texture).expect("read");
        let image = rgba_to_rgb(WIDTH, HEIGHT, &rgba).expect("size");
        common::assert_no_gpu_errors(ctx);
        // Pairs the frame wanted (state word 0) against those the buffers held.
        let overflowed = test.view.view.tile_buffers().map(|tiles| {
            let state = read_buffer(&ctx.device, &ctx.queue, &tiles.state, 0, 4).expect("read");
            let wanted = u32::from_le_bytes(state[..4].try_into().expect("4 bytes"));
            tiles.overflows(wanted)
        });
        (image, overflowed, test.view.view.last_compose_folded())
    };
    // Either way the fallback quads blend into the accumulation and are
    // composed, as the quad rasterizer's frames are: with the tiles composing
    // (Off), and with the tiles writing the output themselves (Exact, the
    // default), where the compose pass runs only because the pairs overflowed.
    let mut composed = None;
    for folding in [ComposeFolding::Off, ComposeFolding::Exact] {
        let (tiles, overflowed, folded) = render(Raster::Compute, folding);
        assert_eq!(overflowed, Some(true), "the frame did not overflow");
        assert_eq!(folded, folding == ComposeFolding::Exact);
        let (quads, _, _) = render(Raster::Hardware, folding);
        assert!(
            tiles.as_raw() == quads.as_raw(),
            "{folding:?}: the fallback quads differ from the quad rasterizer"
        );
        composed.get_or_insert(quads);
    }
    let quads = composed.expect("rendered");
    let cpu = to_rgb8(
        &render_reference(&cloud, &camera, background, AaMode::Classic),
        WIDTH,
        HEIGHT,
    );
    let db = psnr(&quads, &cpu).expect("same size");
    eprintln!("{n} splats in 3 quad batches vs CPU reference: {db:.2} dB");
    assert!(db >= 40.0, "PSNR {db:.2} dB");
}

/// The compact pass writes one indexed draw per quad batch: full batches, then
/// the rest, then empty ones, at consecutive base vertices.
#[test]
fn quad_batches_cover_the_visible_splats() {
    let Some(ctx) = common::gpu() else { return };
    let n = 2 * QUAD_BATCH_SPLATS as usize + 5_000;
    let cloud = faint_splats(n, 0.01);
    let camera = framing_camera(WIDTH, HEIGHT);
    let scene = upload(ctx, &cloud);
    let mut test = TestView::new(ctx);
    test.render(ctx, &scene, &ViewParams::new(camera));
    let working = test.view.view.working().expect("splats drawn");
    let words: Vec<u32> = bytemuck::cast_slice(
        &read_buffer(
            &ctx.device,
            &ctx.queue,
            &working.draw_args,
            0,
            working.draw_args.size(),
        )
        .expect("read back"),
    )
    .to_vec();
    let visible = words[1];
    assert_eq!(visible as usize, n, "every splat is in view");
    let batch = QUAD_BATCH_SPLATS;
    let records: Vec<&[u32]> = words[4..].chunks(5).collect();
    assert_eq!(records.len(), 3);
    for (b, record) in records.iter().enumerate() {
        let b = b as u32;
        let quads = visible.saturating_sub(b * batch).min(batch);
        assert_eq!(*record, [6 * quads, 1, 0, 4 * batch * b, 0], "batch {b}");
    }
}

/// A tile with more pairs than one workgroup blends is split into chunks blended
/// side by side and then merged. Whatever the chunk size, the image stays the
/// reference's (the merge differs only by the f16 partial results and by what
/// lies behind a pixel's early stop, under 1e-4), and the chunks behind a
/// pixel's stop may skip it without changing the image; with 8x8 tiles (two
/// mask words per chunk) and 16x16 (eight).
#[test]
fn long_tiles_split_into_chunks_match_the_reference() {
    let Some(ctx) = common::gpu() else { return };
    let cloud = splatview::io::load_splat_file(&common::testdata("splats/biker.ply"))
        .expect("biker.ply loads");
    let camera = OrbitCamera::framing(SceneBounds::robust(&cloud), WIDTH as f32 / HEIGHT as f32)
        .camera(WIDTH, HEIGHT);
    let background = [0.1, 0.2, 0.3];
    let cpu = to_rgb8(
        &render_reference(&cloud, &camera, background, AaMode::Classic),
        WIDTH,
        HEIGHT,
    );
    for tile_size in [TileSize::Eight, TileSize::Sixteen] {
        chunked_frames_match(ctx, &cloud, camera, background, &cpu, tile_size);
    }
}

fn chunked_frames_match(
    ctx: &GpuContext,
    cloud: &SplatCloud,
    camera: PinholeCamera,
    background: [f32; 3],
    cpu: &image::RgbImage,
    tile_size: TileSize,
) {
    let side = tile_size.fixed().expect("a fixed size");
    let tile_count = u64::from(WIDTH.div_ceil(side) * HEIGHT.div_ceil(side));
    let mut unsplit = None;
    // Unsplit (CPU adapters' default), the GPUs' default, many chunks per tile.
    for chunk_pairs in [UNSPLIT_CHUNK_PAIRS, DEFAULT_CHUNK_PAIRS, 97, 16] {
        let mut test = TestView::new(ctx);
        test.renderer.tiles.chunk_pairs = chunk_pairs;
        let scene = upload(ctx, cloud);
        let params = ViewParams {
            raster: Raster::Compute,
            tile_size,
            background,
            ..ViewParams::new(camera)
        };
        let gpu = test.render(ctx, &scene, &params);
        let tiles = test
            .view
            .view
            .tile_buffers()
            .expect("compute rasterizer ran");
        assert_eq!(tiles.chunk_pairs(), chunk_pairs);
        assert_eq!(tiles.tile_side(), side);
        let state: Vec<u32> = bytemuck::pod_collect_to_vec(
            &read_buffer(&ctx.device, &ctx.queue, &tiles.state, 0, 64).expect("read back"),
        );
        let chunks = u64::from(state[8]);
        // Pixels stopped in a chunk, or skipped because a chunk in front
        // stopped them (tile_raster's `chunk_stopped`; which chunk learns of
        // which stop depends on the order the workgroups run in, the image
        // does not).
        let mask_bytes = chunks * stopped_bytes_per_chunk(side);
        let stopped_bits: u32 = bytemuck::pod_collect_to_vec::<u8, u32>(
            &read_buffer(&ctx.device, &ctx.queue, &tiles.chunk_stopped, 0, mask_bytes)
                .expect("read back"),
        )
        .iter()
        .map(|w| w.count_ones())
        .sum();
        eprintln!("  stopped or skipped pixel bits: {stopped_bits}");
        if chunks > tile_count {
            assert!(stopped_bits > 0, "no chunk marked a stopped pixel");
        }
        let db = psnr(&gpu, cpu).expect("same size");
        eprintln!(
            "{side}x{side} tiles, chunks of {chunk_pairs} pairs: {chunks} chunks, {db:.2} dB against the CPU"
        );
        assert!(
            db >= 45.0,
            "{side}: chunks of {chunk_pairs}: PSNR {db:.2} dB"
        );
        match &unsplit {
            None => {
                assert_eq!(chunks, tile_count, "one chunk per tile");
                unsplit = Some(gpu);
            }
            Some(unsplit) => {
                if chunk_pairs < 100 {
                    assert!(chunks > 4 * tile_count, "tiles were split: {chunks} chunks");
                }
                let same = psnr(&gpu, unsplit).expect("same size");
                eprintln!("  against the unsplit image: {same:.2} dB");
                assert!(
                    same >= 50.0,
                    "{side}: chunks of {chunk_pairs}: {same:.2} dB from unsplit"
                );
            }
        }
    }
}

#[test]
fn chunk_size_by_adapter_type() {
    assert_eq!(
        default_chunk_pairs(wgpu::DeviceType::Cpu),
        UNSPLIT_CHUNK_PAIRS
    );
    assert_eq!(
        default_chunk_pairs(wgpu::DeviceType::DiscreteGpu),
        DEFAULT_CHUNK_PAIRS
    );
}

/// Records one frame, submits it and starts its read-backs, as the window does.
fn submit_frame(
    ctx: &GpuContext,
    test: &mut TestView,
    scene: &SplatScene,
    params: &ViewParams<'_>,
) {
    let mut encoder = ctx.device.create_command_encoder(&Default::default());
    test.view
        .encode(ctx, &test.renderer, &mut encoder, scene, params)
        .expect("encode");
    ctx.queue.submit([encoder.finish()]);
    test.view.view.after_submit();
}

#[test]
fn auto_rasterizer_measures_both_and_decides() {
    let Some(ctx) = common::gpu() else { return };
    let cloud = huge_splats(500);
    let camera = framing_camera(160, 90);
    let mut test = TestView::new(ctx);
    if !test.view.view.enable_profiling(&ctx.device, &ctx.queue) {
        assert!(!common::in_ci(), "lavapipe has timestamp queries");
        return;
    }
    // Measuring is off by default on CPU adapters such as lavapipe: this test
    // drives the measurement itself.
    test.view.view.set_auto_measures(true);
    let params = ViewParams {
        raster: Raster::Auto,
        ..ViewParams::new(camera)
    };
    let scene = upload(ctx, &cloud);
    let mut used = Vec::new();
    for _ in 0..40 {
        if test.view.view.raster_decision().is_some() {
            break;
        }
        submit_frame(ctx, &mut test, &scene, &params);
        used.extend(
            test.view
                .view
                .last_raster()
                .map(|r| (r, test.view.view.last_tile_size())),
        );
        ctx.device
            .poll(wgpu::PollType::Wait {
                submission_index: None,
                timeout: None,
            })
            .expect("poll");
        let _ = test.view.view.poll();
    }
    let decision = test
        .view
        .view
        .raster_decision()
        .expect("a decision within 40 frames");
    eprintln!("auto rasterizer: {decision:?}");
    // Every candidate drew: the quads and both tile sizes.
    for candidate in [
        (Raster::Hardware, None),
        (Raster::Compute, Some(8)),
        (Raster::Compute, Some(16)),
    ] {
        assert!(used.contains(&candidate), "{candidate:?} not in {used:?}");
    }
    let times = [
        decision.quads_ms,
        decision.tiles_ms,
        decision.large_tiles_ms,
    ];
    assert!(times.iter().all(|&ms| ms > 0.0), "{times:?}");
    // The fastest, a later candidate winning only by 10%.
    let mut best = 0;
    for c in 1..3 {
        if times[c] < times[best] * 0.9 {
            best = c;
        }
    }
    let expected = [
        (Raster::Hardware, 8),
        (Raster::Compute, 8),
        (Raster::Compute, 16),
    ][best];
    assert_eq!((decision.mode.raster, decision.mode.tile_size), expected);
    let mode = decision.mode.raster;

    // One more frame: the decision sticks, and with the quads chosen the tile
    // buffers are given back.
    submit_frame(ctx, &mut test, &scene, &params);
    assert_eq!(
        test.view.view.last_raster(),
        Some(mode),
        "the decision sticks"
    );
    assert_eq!(
        test.view.view.tile_buffers().is_some(),
        mode == Raster::Compute,
        "tile buffers are kept only for the compute rasterizer"
    );
}

#[test]
fn auto_rasterizer_takes_the_quads_at_once_on_cpu_adapters() {
    let Some(ctx) = common::gpu() else { return };
    if ctx.adapter.get_info().device_type != wgpu::DeviceType::Cpu {
        return;
    }
    let cloud = huge_splats(10);
    let camera = OrbitCamera::framing(None, 16.0 / 9.0).camera(64, 36);
    let scene = upload(ctx, &cloud);
    let mut view = TestView::new(ctx);
    let params = ViewParams {
        raster: Raster::Auto,
        ..ViewParams::new(camera)
    };
    view.render(ctx, &scene, &params);
    let decision = view.view.view.raster_decision().expect("decided at once");
    assert_eq!(decision.mode.raster, Raster::Hardware);
    assert!(
        [
            decision.quads_ms,
            decision.tiles_ms,
            decision.large_tiles_ms
        ]
        .iter()
        .all(|ms| ms.is_nan()),
        "nothing measured"
    );
    assert!(
        view.view.view.tile_buffers().is_none(),
        "no tile buffers were made"
    );
    // CPU adapters leave the 16x16 tiles out of the measurement, unless told
    // to measure as GPUs do; a size asked for is kept either way.
    let sizes = |view: &TestView| TileSize::ALL.map(|t| view.view.view.tile_size_for(t));
    let fixed = [TileSize::Eight, TileSize::Eight, TileSize::Sixteen];
    assert_eq!(sizes(&view), fixed);
    view.view.view.set_auto_measures(true);
    assert_eq!(sizes(&view), TileSize::ALL);
    // The tiles asked for with the size left open draw 8x8 at once.
    view.view.view.set_auto_measures(false);
    view.render(
        ctx,
        &scene,
        &ViewParams {
            raster: Raster::Compute,
            ..params
        },
    );
    assert_eq!(view.view.view.last_tile_size(), Some(8));
}

/// From `CPU_MEASURE_MIN_SPLATS` splats on, CPU adapters measure too (at 1M
/// either rasterizer may win there): the first frame is a measurement.
#[test]
fn auto_rasterizer_measures_large_scenes_on_cpu_adapters() {
    let Some(ctx) = common::gpu() else { return };
    if ctx.adapter.get_info().device_type != wgpu::DeviceType::Cpu {
        return;
    }
    let large = splatview::render::tile::choice::CPU_MEASURE_MIN_SPLATS as usize;
    let cloud = faint_splats(large, 0.01);
    let scene = upload(ctx, &cloud);
    let mut test = TestView::new(ctx);
    assert!(test.view.view.enable_profiling(&ctx.device, &ctx.queue));
    let params = ViewParams {
        raster: Raster::Auto,
        ..ViewParams::new(framing_camera(64, 36))
    };
    submit_frame(ctx, &mut test, &scene, &params);
    assert_eq!(test.view.view.raster_decision(), None, "measuring");
    assert_eq!(test.view.view.last_raster(), Some(Raster::Hardware));
    assert!(test.view.view.auto_measures_for(cloud.len() as u32));
    assert!(!test.view.view.auto_measures_for(cloud.len() as u32 - 1));
}
