//! Binning of large splats by a whole workgroup each (shaders/tile_bin_large.wgsl):
//! the (tile, splat) pairs, and so the image, are exactly those of binning every
//! splat by one invocation, whichever splats are spread.

mod common;

use glam::Vec3;
use splatview::controls::OrbitCamera;
use splatview::gpu::GpuContext;
use splatview::gpu::readback::read_buffer;
use splatview::render::sort::{SortBuffers, passes_for_key_bits};
use splatview::render::tile::{DEFAULT_SPREAD_MIN_TILES, NEVER_SPREAD, TILE_SIZE};
use splatview::render::{Raster, SplatScene, ViewParams};
use splatview::scene::{PinholeCamera, SceneBounds, SplatCloud};

use common::{TestView, upload};

/// `n` splats around the origin whose sizes span 0.005 to `largest` (1: a few
/// pixels to most of the view), elongated and turned every way.
fn mixed_sizes(n: usize, largest: f32) -> SplatCloud {
    let mut cloud = SplatCloud::new(0);
    let mut next = common::unit_noise(0x9E37_79B9_7F4A_7C15u64);
    for _ in 0..n {
        cloud
            .positions
            .push([next() - 0.5, next() - 0.5, next() - 0.5].map(|v| 2.0 * v));
        let size = 0.005 * (largest / 0.005).powf(next());
        cloud
            .log_scales
            .push([size.ln(), (0.2 * size).ln(), (0.5 * size).ln()]);
        cloud
            .rotations
            .push(splatview::scene::splats::normalize_quat([
                next() - 0.5,
                next() - 0.5,
                next() - 0.5,
                next() - 0.5,
            ]));
        cloud.opacity_logits.push(6.0 * next() - 3.0);
        cloud
            .sh_dc
            .push([next() * 2.0 - 1.0, next() * 2.0 - 1.0, next() * 2.0 - 1.0]);
    }
    cloud
}

/// One frame with the tiles, binning splats of more than `spread_min_tiles`
/// tiles by the workgroup: the image and the sorted pairs (tile, splat).
fn frame(
    ctx: &GpuContext,
    scene: &SplatScene,
    camera: PinholeCamera,
    spread_min_tiles: u32,
) -> (image::RgbImage, Vec<(u32, u32)>) {
    let mut test = TestView::new(ctx);
    test.renderer.tiles.spread_min_tiles = spread_min_tiles;
    let params = ViewParams {
        raster: Raster::Compute,
        ..ViewParams::new(camera)
    };
    let image = test.render(ctx, scene, &params);
    let tiles = test
        .view
        .view
        .tile_buffers()
        .expect("compute rasterizer ran");
    let read = |buffer: &wgpu::Buffer, bytes: u64| -> Vec<u32> {
        bytemuck::cast_slice(&read_buffer(&ctx.device, &ctx.queue, buffer, 0, bytes).expect("read"))
            .to_vec()
    };
    let wanted = read(&tiles.state, 4)[0];
    assert!(!tiles.overflows(wanted), "the pairs overflowed");
    let tile_count = camera.width.div_ceil(TILE_SIZE) * camera.height.div_ceil(TILE_SIZE);
    let passes = passes_for_key_bits(u32::BITS - (tile_count - 1).max(1).leading_zeros());
    let result = SortBuffers::result_index(passes);
    let bytes = u64::from(wanted) * 4;
    let keys = read(&tiles.pairs.keys[result], bytes);
    let values = read(&tiles.pairs.values[result], bytes);
    (image, keys.into_iter().zip(values).collect())
}

/// Binning with each of `thresholds` gives the pairs and image of binning
/// every splat alone; `min_large` splats at least exceed the first threshold.
fn assert_spreading_changes_nothing(
    name: &str,
    cloud: &SplatCloud,
    camera: PinholeCamera,
    thresholds: &[u32],
    min_large: usize,
) {
    let Some(ctx) = common::gpu() else { return };
    let scene = upload(ctx, cloud);
    let (alone_image, alone_pairs) = frame(ctx, &scene, camera, NEVER_SPREAD);
    // How many splats the first threshold spreads, from the pairs of each.
    let mut per_splat = std::collections::HashMap::<u32, u32>::new();
    for &(_, splat) in &alone_pairs {
        *per_splat.entry(splat).or_default() += 1;
    }
    let large = per_splat.values().filter(|&&p| p > thresholds[0]).count();
    eprintln!(
        "{name}: {} pairs of {} splats, {large} of them over {} tiles",
        alone_pairs.len(),
        per_splat.len(),
        thresholds[0]
    );
    assert!(large >= min_large, "{name}: only {large} splats to spread");
    for &spread_min_tiles in thresholds {
        let (image, pairs) = frame(ctx, &scene, camera, spread_min_tiles);
        assert!(
            pairs == alone_pairs,
            "{name}, spreading over {spread_min_tiles} tiles: {} pairs, {} alone; first difference at {:?}",
            pairs.len(),
            alone_pairs.len(),
            pairs.iter().zip(&alone_pairs).position(|(a, b)| a != b)
        );
        assert!(
            image.as_raw() == alone_image.as_raw(),
            "{name}, spreading over {spread_min_tiles} tiles: the image differs"
        );
    }
}

#[test]
fn spreading_large_splats_bins_the_same_pairs() {
    let cloud = mixed_sizes(3000, 1.0);
    let thresholds = [DEFAULT_SPREAD_MIN_TILES, 32, 4, 0];
    assert_spreading_changes_nothing("mixed sizes", &cloud, cube_view(), &thresholds, 1);
}

/// More splats to spread than the list holds (65,535, the most workgroups of one
/// dispatch dimension): those past it are binned alone, with the same pairs.
#[test]
fn splats_past_the_large_list_are_binned_alone() {
    let cloud = mixed_sizes(70_000, 0.03);
    assert_spreading_changes_nothing("70,000 small splats", &cloud, cube_view(), &[0], 65_536);
}

/// The framing view of the cube of side 2 around the origin, 320 x 180.
fn cube_view() -> PinholeCamera {
    let bounds = SceneBounds {
        min: Vec3::splat(-1.0),
        max: Vec3::splat(1.0),
    };
    OrbitCamera::framing(Some(bounds), 16.0 / 9.0).camera(320, 180)
}

#[test]
fn spreading_large_splats_bins_the_same_pairs_on_a_real_scene() {
    let cloud = splatview::io::load_splat_file(&common::testdata("splats/guitar.decoded.ply"))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut orbit = OrbitCamera::framing(SceneBounds::robust(&cloud), 16.0 / 9.0);
    // Close up: many splats span dozens of tiles.
    orbit.distance *= 0.5;
    let thresholds = [DEFAULT_SPREAD_MIN_TILES, 32, 4, 0];
    let camera = orbit.camera(640, 360);
    assert_spreading_changes_nothing("guitar close up", &cloud, camera, &thresholds, 1);
}
