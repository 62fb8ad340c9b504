//! A level-of-detail page pool larger than one storage binding spans several
//! segments (`SplatScene::with_segments`, shaders/common/pool_segments.wgsl):
//! writes that cross from one segment into the next land in both, and a pool
//! over several bindings renders exactly as the flat scene; a cut is held to
//! what one view can draw.

mod common;

use std::sync::Arc;

use splatview::controls::{OrbitCamera, UpAxis};
use splatview::gpu::GpuContext;
use splatview::gpu::readback::read_buffer;
use splatview::render::lod::{DEFAULT_PAGE_NODES, LodParams, LodScene};
use splatview::render::{SplatScene, ViewParams};
use splatview::scene::lod::build::{BuildOptions, build};
use splatview::scene::lod::cut::CutParams;
use splatview::scene::{AaMode, SceneBounds, SplatCloud};

use common::TestView;

fn playbot() -> SplatCloud {
    // 1,873 splats at SH 2: 32 bytes of attributes and 56 of SH each.
    splatview::io::load_splat_file(&common::testdata("splats/playbot_l6.ply")).expect("load")
}

/// The bytes of `scene`'s attributes and SH over all its segments, in order,
/// for its first `count` splats.
fn segment_bytes(ctx: &GpuContext, scene: &SplatScene, count: u64) -> (Vec<u8>, Vec<u8>) {
    let per_segment = u64::from(scene.segment_splats()).min(count);
    let sh_bytes = u64::from(scene.sh_words_per_splat()) * 4;
    let (mut attributes, mut sh) = (Vec::new(), Vec::new());
    let mut first = 0;
    for k in 0..scene.segment_count() {
        let (splats, sh_buffer) = scene.segment_buffers(k).expect("segment");
        let n = per_segment.min(count - first);
        attributes.extend(read_buffer(&ctx.device, &ctx.queue, splats, 0, n * 32).expect("read"));
        sh.extend(read_buffer(&ctx.device, &ctx.queue, sh_buffer, 0, n * sh_bytes).expect("read"));
        first += n;
    }
    assert_eq!(first, count, "the segments hold every splat");
    (attributes, sh)
}

/// `cloud`'s hierarchy in a page pool on `gpu` with a 1 GiB memory budget
/// and the default page size (halved to fit the bindings).
fn pool_of(gpu: &GpuContext, cloud: &SplatCloud) -> LodScene {
    let hierarchy = build(cloud, &BuildOptions::default(), None).expect("build");
    let extended = hierarchy.extended_cloud(cloud).expect("extended cloud");
    LodScene::new(
        &gpu.device,
        &gpu.queue,
        Arc::new(hierarchy),
        Arc::new(extended),
        AaMode::Classic,
        1 << 30,
        DEFAULT_PAGE_NODES,
    )
    .expect("pool")
}

#[test]
fn writes_across_a_segment_boundary_land_in_both_segments() {
    let Some(ctx) = common::gpu() else { return };
    let cloud = playbot();
    let mut segmented = SplatScene::with_segments(
        &ctx.device,
        cloud.len(),
        500,
        cloud.sh_degree,
        AaMode::Classic,
    )
    .expect("segmented scene");
    assert_eq!(segmented.segment_count(), 4);
    assert_eq!(segmented.segment_splats(), 500);
    // Chunks of 300 from the end backwards: several cross a boundary (at 500,
    // 1,000 and 1,500), and the order of writes does not matter.
    let starts: Vec<usize> = (0..cloud.len()).step_by(300).collect();
    for &start in starts.iter().rev() {
        let rows: Vec<usize> = (start..(start + 300).min(cloud.len())).collect();
        segmented
            .write_at(&ctx.queue, start as u32, &cloud.select(&rows))
            .expect("write");
    }
    assert_eq!(segmented.splat_count() as usize, cloud.len());
    let flat = SplatScene::new(&ctx.device, &cloud).expect("flat scene");
    let count = cloud.len() as u64;
    let (attributes, sh) = segment_bytes(ctx, &segmented, count);
    let (flat_attributes, flat_sh) = segment_bytes(ctx, &flat, count);
    assert!(attributes == flat_attributes, "attributes differ");
    assert!(sh == flat_sh, "SH differ");
}

#[test]
fn a_pool_over_several_bindings_renders_like_the_flat_scene() {
    let Some(ctx) = common::gpu() else { return };
    let cloud = playbot();
    // 64 KiB bindings: the flat scene's SH (105 KB) do not fit one, a view
    // can draw 2,048 splats, and one binding holds 9 pages of 128 nodes.
    let small = GpuContext::new_headless_with_limits(|limits| {
        limits.max_storage_buffer_binding_size = 64 << 10;
    })
    .expect("device with small bindings");
    assert!(
        SplatScene::new(&small.device, &cloud).is_err(),
        "the flat scene is refused under 64 KiB bindings"
    );
    let mut lod = pool_of(&small, &cloud);
    let nodes = lod.hierarchy().nodes().len();
    let stats = lod.stats();
    eprintln!(
        "playbot, {nodes} nodes under 64 KiB bindings: {} pages in {} segments, {} bytes",
        stats.pages_total, stats.pool_segments, stats.pool_bytes
    );
    assert!(stats.pool_segments >= 2, "one segment: {stats:?}");
    assert!(lod.fully_resident(), "every page resident: {stats:?}");
    assert!(!stats.pool_capped_by_binding);

    let mut small_view = TestView::new(&small);
    let mut flat_view = TestView::new(ctx);
    let flat = common::upload(ctx, &cloud);
    let every_leaf = LodParams {
        cut: CutParams {
            threshold_px: 0.0,
            ..CutParams::default()
        },
        ..LodParams::default()
    };
    for yaw in [0.0f32, 2.5] {
        let mut orbit =
            OrbitCamera::initial_view(SceneBounds::robust(&cloud), UpAxis::default(), 1.5);
        orbit.yaw += yaw;
        let camera = orbit.camera(180, 120);
        lod.update(&small.queue, &camera, &every_leaf);
        assert_eq!(lod.stats().cut_splats, cloud.len(), "yaw {yaw}");
        let params = ViewParams {
            draw_list: Some(lod.draw_list(false)),
            ..ViewParams::new(camera)
        };
        let image = small_view.render(&small, lod.pool(), &params);
        let expected = flat_view.render(ctx, &flat, &ViewParams::new(camera));
        let lit = expected.pixels().filter(|p| p.0 != [0, 0, 0]).count();
        assert!(
            lit > 180 * 120 / 20,
            "yaw {yaw}: little drawn ({lit} pixels)"
        );
        assert!(
            image == expected,
            "yaw {yaw}: the pool over several bindings differs from the flat scene"
        );
    }
}

/// A hierarchy with more nodes than one view can draw (its projected splats
/// and sort each in one binding) gets that limit as its cut's budget, and the
/// view draws the cut without a GPU error.
#[test]
fn a_cut_is_held_to_what_one_view_can_draw() {
    if common::gpu().is_none() {
        return;
    }
    let cloud = playbot();
    // 32 KiB bindings: a view draws at most 1,024 of playbot's 1,873 splats.
    let small = GpuContext::new_headless_with_limits(|limits| {
        limits.max_storage_buffer_binding_size = 32 << 10;
    })
    .expect("device with small bindings");
    let mut lod = pool_of(&small, &cloud);
    let orbit = OrbitCamera::initial_view(SceneBounds::robust(&cloud), UpAxis::default(), 1.5);
    let camera = orbit.camera(180, 120);
    let mut view = TestView::new(&small);
    for budget in [None, Some(5000), Some(600)] {
        let params = LodParams {
            cut: CutParams {
                threshold_px: 0.0,
                budget,
                ..CutParams::default()
            },
            ..LodParams::default()
        };
        lod.update_until_resident(&small.queue, &camera, &params, 64);
        let stats = lod.stats();
        eprintln!("budget {budget:?}: {stats:?}");
        let expected_limit = if budget == Some(600) {
            None
        } else {
            Some(1024)
        };
        assert_eq!(stats.view_limit, expected_limit, "budget {budget:?}");
        assert!(
            stats.cut_splats <= budget.unwrap_or(1024).min(1024) && stats.cut_splats > 500,
            "budget {budget:?}: {} splats in the cut",
            stats.cut_splats
        );
        let draw = ViewParams {
            draw_list: Some(lod.draw_list(false)),
            ..ViewParams::new(camera)
        };
        let image = view.render(&small, lod.pool(), &draw);
        let lit = image.pixels().filter(|p| p.0 != [0, 0, 0]).count();
        assert!(lit > 180 * 120 / 20, "budget {budget:?}: {lit} pixels lit");
    }
}
