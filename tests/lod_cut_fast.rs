//! The cut that visits only what the budget reaches (`cut::cut_with`) against
//! the exhaustive one that defines it (`cut_reference::cut_reference_with`): the
//! same drawn nodes, opacity factors and levels on real and random scenes, from
//! near and far, with and without a budget, with every node expandable and with
//! pages missing; and far fewer nodes visited when the budget binds.

mod lod_util;

use glam::Vec3;
use lod_util::{build_default, load, random_cloud, viewpoints};
use splatview::scene::lod::cut::cut_with;
use splatview::scene::lod::cut_reference::cut_reference_with;
use splatview::scene::lod::{CutParams, LodCut, LodHierarchy};
use splatview::scene::{PinholeCamera, SceneBounds, SplatCloud};

/// Cameras around `cloud` and two inside it.
fn cameras(cloud: &SplatCloud) -> Vec<PinholeCamera> {
    let mut cameras = viewpoints(cloud, 320, 180);
    let center = SceneBounds::robust(cloud).map_or(Vec3::ZERO, |b| b.center());
    for dir in [Vec3::X, Vec3::NEG_Z] {
        cameras.push(PinholeCamera::look_at(
            center,
            center + dir,
            Vec3::NEG_Y + 0.1 * Vec3::X,
            1.2,
            320,
            180,
        ));
    }
    cameras
}

/// What the renderer and the stats read of a cut (`refused` and
/// `nodes_visited` are allowed to differ).
fn drawn(cut: &LodCut) -> impl PartialEq + std::fmt::Debug + '_ {
    (
        &cut.splats,
        &cut.opacity_factors,
        &cut.nodes,
        &cut.levels,
        cut.nodes_expanded,
        cut.nodes_culled,
        cut.depth_range,
    )
}

fn compare(h: &LodHierarchy, name: &str, cameras: &[PinholeCamera]) -> (usize, usize) {
    let nodes = h.nodes().len();
    let (mut visited_fast, mut visited_reference) = (0, 0);
    for (v, camera) in cameras.iter().enumerate() {
        for threshold_px in [0.0, 1.0, 2.0, 8.0] {
            for budget in [None, Some(1), Some(100), Some(nodes / 16), Some(nodes / 4)] {
                let params = CutParams {
                    threshold_px,
                    budget,
                    ..CutParams::default()
                };
                // Every node expandable, and a pool missing every 5th page of
                // 64 nodes.
                let all = |_: u32| true;
                let paged = |node: u32| {
                    h.nodes()[node as usize]
                        .children()
                        .all(|c| (c / 64) % 5 != 3)
                };
                let fast = cut_with(h, camera, &params, all);
                let reference = cut_reference_with(h, camera, &params, all);
                assert_eq!(
                    drawn(&fast),
                    drawn(&reference),
                    "{name} view {v}, {params:?}"
                );
                if budget.is_none() {
                    assert_eq!(fast, reference, "{name} view {v}, {params:?}");
                }
                let fast_paged = cut_with(h, camera, &params, paged);
                let reference_paged = cut_reference_with(h, camera, &params, paged);
                assert_eq!(
                    drawn(&fast_paged),
                    drawn(&reference_paged),
                    "{name} view {v}, paged, {params:?}"
                );
                // The nodes refused above the cut-off are among the reference's.
                assert!(
                    fast_paged
                        .refused
                        .iter()
                        .all(|n| reference_paged.refused.contains(n)),
                    "{name} view {v}: refused a node the reference did not"
                );
                if budget == Some(nodes / 16) && threshold_px == 1.0 {
                    visited_fast += fast.nodes_visited;
                    visited_reference += reference.nodes_visited;
                }
            }
        }
    }
    eprintln!(
        "{name}: {nodes} nodes; under a budget of 1/16 of them at 1 px, {visited_fast} nodes \
         visited against {visited_reference} by the reference"
    );
    (visited_fast, visited_reference)
}

#[test]
fn the_fast_cut_equals_the_reference_on_real_and_random_scenes() {
    let biker = load("biker.ply");
    let h = build_default(&biker);
    let (fast, reference) = compare(&h, "biker", &cameras(&biker));
    assert!(
        fast * 2 < reference,
        "the budget did not bound the work: {fast} vs {reference} nodes visited"
    );
    let random = random_cloud(20_000, 10.0, 1, 7);
    compare(&build_default(&random), "random", &cameras(&random));
}
