//! The CPU reference cut: threshold, budget, frustum culling, transitions.

mod lod_util;

use std::collections::HashMap;

use glam::Vec3;
use lod_util::{build_default, camera_seeing_everything, load, random_cloud, viewpoints};
use splatview::reference::project::project_splat;
use splatview::reference::{render_reference, to_rgb8};
use splatview::scene::lod::view::NodeView;
use splatview::scene::lod::{CutParams, LodCut, LodHierarchy, cut};
use splatview::scene::{AaMode, PinholeCamera, SplatCloud};

fn all_leaves_params() -> CutParams {
    CutParams {
        threshold_px: 0.0,
        ..CutParams::default()
    }
}

#[test]
fn threshold_zero_draws_exactly_every_leaf() {
    for cloud in [random_cloud(5000, 10.0, 1, 1), load("guitar.decoded.ply")] {
        let h = build_default(&cloud);
        let camera = camera_seeing_everything(&cloud);
        for params in [
            all_leaves_params(),
            CutParams {
                threshold_px: 0.0,
                budget: Some(usize::MAX),
                ..CutParams::default()
            },
        ] {
            let result = cut(&h, &camera, &params);
            let expected: Vec<u32> = (0..cloud.len() as u32).collect();
            assert!(
                result.splats == expected,
                "{} drawn of {} leaves",
                result.len(),
                cloud.len()
            );
            assert!(result.opacity_factors.iter().all(|&f| f == 1.0));
            assert_eq!(result.nodes_culled, 0);
        }
        // And an unlimited budget with the default threshold is the plain threshold cut.
        let mut plain = cut(&h, &camera, &CutParams::default());
        let mut unlimited = cut(
            &h,
            &camera,
            &CutParams {
                budget: Some(usize::MAX),
                ..CutParams::default()
            },
        );
        // The same nodes; only under a budget do the priorities count what
        // the occlusion estimate hides.
        for result in [&mut plain, &mut unlimited] {
            result.expanded.iter_mut().for_each(|e| e.1 = 0.0);
            result.refused_priority.iter_mut().for_each(|p| *p = 0.0);
        }
        assert_eq!(plain, unlimited);
    }
}

/// Culling is conservative: every splat the CPU reference projects onto the image
/// survives a threshold-0 cut, from views inside and around the scene.
#[test]
fn threshold_zero_keeps_every_splat_the_renderer_draws() {
    let cloud = load("biker.ply");
    let h = build_default(&cloud);
    let mut cameras = viewpoints(&cloud, 320, 180);
    // From inside the scene, looking along each axis: many splats straddle the edges.
    let center = splatview::scene::SceneBounds::robust(&cloud).map_or(Vec3::ZERO, |b| b.center());
    for dir in [Vec3::X, Vec3::NEG_X, Vec3::Z, Vec3::NEG_Z, Vec3::Y] {
        cameras.push(PinholeCamera::look_at(
            center,
            center + dir,
            Vec3::NEG_Y + 0.1 * Vec3::X,
            1.2,
            160,
            90,
        ));
    }
    for (v, camera) in cameras.iter().enumerate() {
        let result = cut(&h, camera, &all_leaves_params());
        assert!(result.splats.iter().all(|&s| (s as usize) < cloud.len()));
        let drawn: std::collections::HashSet<u32> = result.splats.iter().copied().collect();
        let projected: Vec<usize> = (0..cloud.len())
            .filter(|&i| project_splat(&cloud, i, camera, AaMode::Classic).is_some())
            .collect();
        let missing = projected
            .iter()
            .filter(|&&i| !drawn.contains(&(i as u32)))
            .count();
        eprintln!(
            "view {v}: {} projected, {} in the cut, {} culled subtrees",
            projected.len(),
            result.len(),
            result.nodes_culled
        );
        assert_eq!(missing, 0, "view {v}: {missing} drawn splats were culled");
        assert!(
            result.len() < cloud.len() || v < 3,
            "view {v}: nothing was culled from inside the scene"
        );
    }
}

#[test]
fn threshold_zero_renders_identical_to_the_flat_scene() {
    let cloud = load("biker.ply");
    let h = build_default(&cloud);
    let camera = viewpoints(&cloud, 96, 54)[2];
    let result = cut(&h, &camera, &all_leaves_params());
    assert!(
        result.len() < cloud.len(),
        "the close view should cull something"
    );
    let subset = result.to_cloud(&cloud, &h).expect("same scene");
    let background = [0.1, 0.2, 0.3];
    let full = render_reference(&cloud, &camera, background, AaMode::Classic);
    let drawn = render_reference(&subset, &camera, background, AaMode::Classic);
    assert_eq!(to_rgb8(&full, 96, 54), to_rgb8(&drawn, 96, 54));
}

#[test]
fn the_budget_is_respected_and_spent() {
    let cloud = load("biker.ply");
    let h = build_default(&cloud);
    for camera in viewpoints(&cloud, 1280, 720) {
        let unlimited = cut(&h, &camera, &all_leaves_params()).len();
        let mut previous = 0;
        for budget in [1usize, 10, 1000, 20_000, 38_000, 100_000, 1_000_000] {
            let params = CutParams {
                threshold_px: 0.0,
                budget: Some(budget),
                ..CutParams::default()
            };
            let result = cut(&h, &camera, &params);
            assert!(
                result.len() <= budget.max(1),
                "budget {budget}: {} drawn",
                result.len()
            );
            assert!(
                result.len() >= previous,
                "a larger budget drew fewer splats"
            );
            previous = result.len();
            // Spent: an expansion costs at most branching - 1 + 1 (fading parent) splats.
            if budget < unlimited {
                assert!(
                    result.len() + h.branching() as usize >= budget.min(unlimited),
                    "budget {budget}: only {} drawn of {unlimited}",
                    result.len()
                );
            }
            assert_partition_of_unity(&h, &result, &camera);
        }
        assert_eq!(previous, unlimited);
    }
}

#[test]
fn frustum_culling_removes_off_screen_subtrees() {
    let cloud = random_cloud(20_000, 10.0, 0, 4);
    let h = build_default(&cloud);
    // Looking away from the whole scene: nothing is drawn, and only the root is
    // visited.
    let away = PinholeCamera::look_at(
        Vec3::new(0.0, 0.0, -20.0),
        Vec3::new(0.0, 0.0, -40.0),
        Vec3::NEG_Y,
        0.8,
        64,
        64,
    );
    let result = cut(&h, &away, &all_leaves_params());
    assert!(result.is_empty());
    assert_eq!((result.nodes_visited, result.nodes_culled), (1, 1));
    // Looking at one corner: whole subtrees are skipped, and every drawn leaf's
    // sphere reaches into the (widened) view.
    let corner = PinholeCamera::look_at(
        Vec3::new(4.0, 4.0, -2.0),
        Vec3::new(4.0, 4.0, 5.0),
        Vec3::NEG_Y,
        0.5,
        64,
        64,
    );
    let result = cut(&h, &corner, &all_leaves_params());
    assert!(!result.is_empty());
    assert!(
        result.len() < cloud.len() / 10,
        "{} of {} drawn",
        result.len(),
        cloud.len()
    );
    assert!(
        result.nodes_visited < h.nodes().len() / 5,
        "{} nodes visited",
        result.nodes_visited
    );
    assert!(result.nodes_culled > 0);
    let view = NodeView::new(&corner, 2.0, 0.2, f32::INFINITY);
    let node_of = lod_util::node_of_splat(&h);
    for &s in &result.splats {
        assert!(view.is_visible(&h.nodes()[node_of[s as usize]]));
    }
}

/// Along every root-to-leaf path the factors of the drawn nodes sum to 1, unless
/// the path leaves the view (then to at most 1).
fn assert_partition_of_unity(h: &LodHierarchy, result: &LodCut, camera: &PinholeCamera) {
    let node_of = lod_util::node_of_splat(h);
    let factor: HashMap<usize, f32> = result
        .splats
        .iter()
        .zip(&result.opacity_factors)
        .map(|(&s, &f)| (node_of[s as usize], f))
        .collect();
    let view = NodeView::new(camera, 2.0, 0.2, f32::INFINITY);
    let nodes = h.nodes();
    let mut checked = 0;
    for leaf in (0..nodes.len()).filter(|&i| nodes[i].is_leaf()) {
        let (mut sum, mut in_view) = (0.0f32, true);
        let mut current = leaf;
        loop {
            sum += factor.get(&current).copied().unwrap_or(0.0);
            in_view &= view.is_visible(&nodes[current]);
            match nodes[current].parent {
                u32::MAX => break,
                parent => current = parent as usize,
            }
        }
        assert!(sum <= 1.0 + 1e-5, "factors above leaf {leaf} sum to {sum}");
        if in_view {
            assert!(
                (sum - 1.0).abs() <= 1e-5,
                "factors above leaf {leaf} sum to {sum}"
            );
            checked += 1;
        }
    }
    assert!(checked > 0 || result.is_empty());
}

/// Dollies from far to near in 1.5% steps and returns the largest change of any
/// splat's factor (0 when not drawn) between steps, among splats whose node is in
/// view in both (leaving the frustum is not a pop: culling is conservative, so a
/// culled splat shows nothing), and the number of blended draws seen.
fn dolly(h: &LodHierarchy, params: &CutParams, steps: i32) -> (f32, usize) {
    let node_of = lod_util::node_of_splat(h);
    let camera_at = |step: i32| {
        let distance = 40.0 * 0.985f32.powi(step);
        PinholeCamera::look_at(
            Vec3::new(0.0, 0.0, -distance),
            Vec3::ZERO,
            Vec3::NEG_Y,
            0.9,
            256,
            256,
        )
    };
    let mut previous: Option<(HashMap<u32, f32>, PinholeCamera)> = None;
    let (mut largest_jump, mut blended) = (0.0f32, 0);
    for step in 0..steps {
        let camera = camera_at(step);
        let result = cut(h, &camera, params);
        assert_partition_of_unity(h, &result, &camera);
        blended += result.opacity_factors.iter().filter(|&&f| f < 1.0).count();
        let now: HashMap<u32, f32> = result
            .splats
            .iter()
            .copied()
            .zip(result.opacity_factors.iter().copied())
            .collect();
        if let Some((before, before_camera)) = &previous {
            let in_both = |splat: u32| {
                let node = &h.nodes()[node_of[splat as usize]];
                NodeView::new(&camera, 2.0, 0.2, f32::INFINITY).is_visible(node)
                    && NodeView::new(before_camera, 2.0, 0.2, f32::INFINITY).is_visible(node)
            };
            for splat in now.keys().chain(before.keys()) {
                let change = (now.get(splat).copied().unwrap_or(0.0)
                    - before.get(splat).copied().unwrap_or(0.0))
                .abs();
                if change > largest_jump && in_both(*splat) {
                    largest_jump = change;
                }
            }
        }
        previous = Some((now, camera));
    }
    (largest_jump, blended)
}

#[test]
fn transitions_sum_to_one_and_move_without_popping() {
    let cloud = random_cloud(30_000, 10.0, 0, 8);
    let h = build_default(&cloud);
    let params = CutParams {
        threshold_px: 8.0,
        transition_band: 2.0,
        ..CutParams::default()
    };
    let (largest_jump, blended) = dolly(&h, &params, 120);
    eprintln!(
        "band 2: largest factor change per 1.5% dolly step {largest_jump}; {blended} blended draws"
    );
    assert!(blended > 0, "no transition was seen");
    assert!(
        largest_jump < 0.1,
        "a splat popped: factor jumped by {largest_jump}"
    );
}

#[test]
fn without_a_band_nodes_pop() {
    // The same dolly with the band switched off: factors jump between 0 and 1,
    // which shows the continuity test above can fail.
    let cloud = random_cloud(30_000, 10.0, 0, 8);
    let h = build_default(&cloud);
    let params = CutParams {
        threshold_px: 8.0,
        transition_band: 1.0,
        ..CutParams::default()
    };
    let (largest_jump, blended) = dolly(&h, &params, 20);
    eprintln!("band 1: largest factor change per step {largest_jump}");
    assert_eq!(blended, 0);
    assert_eq!(largest_jump, 1.0);
}

#[test]
fn the_cut_is_deterministic_and_draws_merged_nodes_far_away() {
    let cloud: SplatCloud = load("guitar.decoded.ply");
    let h = build_default(&cloud);
    let camera = viewpoints(&cloud, 320, 180)[0];
    let params = CutParams {
        threshold_px: 16.0,
        ..CutParams::default()
    };
    let a = cut(&h, &camera, &params);
    let b = cut(&h, &camera, &params);
    assert_eq!(a, b);
    assert!(
        a.splats.iter().any(|&s| s as usize >= cloud.len()),
        "no merged Gaussian drawn"
    );
    assert!(
        a.len() < cloud.len(),
        "{} drawn of {}",
        a.len(),
        cloud.len()
    );
    let (lo, hi) = a.depth_range.expect("something drawn");
    assert!(lo < hi && hi < h.depth_count());
}
