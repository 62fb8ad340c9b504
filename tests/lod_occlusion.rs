//! Occlusion in the budget's ranking (src/scene/lod/occlusion.rs): hidden
//! nodes are expanded last, so a budget goes to what is seen.

mod lod_util;

use glam::Vec3;
use lod_util::{build_default, load, random_cloud, viewpoints};
use splatview::metrics::psnr;
use splatview::reference::{render_reference, to_rgb8};
use splatview::scene::lod::occlusion::OcclusionMap;
use splatview::scene::lod::{CutParams, LodHierarchy, cut};
use splatview::scene::{AaMode, PinholeCamera, SplatCloud};

const WIDTH: u32 = 160;
const HEIGHT: u32 = 90;

fn camera() -> PinholeCamera {
    PinholeCamera::look_at(
        Vec3::new(0.0, 0.0, -8.0),
        Vec3::ZERO,
        Vec3::NEG_Y,
        40f32.to_radians(),
        WIDTH,
        HEIGHT,
    )
}

/// An opaque wall of muted colours at z = -1, wider than the view, in front of
/// a cluster of larger splats of varied colours at z = 1..3 that it hides from
/// [`camera`].
fn wall_and_hidden_cluster() -> SplatCloud {
    let mut wall = random_cloud(3000, 1.0, 0, 0xC0FF_EE11);
    for i in 0..wall.len() {
        let p = &mut wall.positions[i];
        *p = [p[0] * 10.0, p[1] * 6.0, -1.0 + 0.02 * p[2]];
        wall.log_scales[i] = [-1.5, -1.5, -5.0];
        wall.rotations[i] = [1.0, 0.0, 0.0, 0.0];
        wall.opacity_logits[i] = 5.0;
        // Muted colours: merging the wall loses less than merging the cluster.
        wall.sh_dc[i] = wall.sh_dc[i].map(|c| 0.3 * c);
    }
    let mut hidden = random_cloud(4096, 4.0, 0, 0x5EED_0C1D);
    for (p, s) in hidden.positions.iter_mut().zip(&mut hidden.log_scales) {
        p[2] = 2.0 + 0.5 * p[2];
        *s = s.map(|s| s + 1.0);
    }
    assert!(wall.append(&hidden));
    wall
}

fn is_hidden_cluster(extended: &SplatCloud, splat: u32) -> bool {
    extended.positions[splat as usize][2] > -0.5
}

fn quarter_cut(
    h: &LodHierarchy,
    cloud: &SplatCloud,
    occlusion: bool,
) -> splatview::scene::lod::LodCut {
    let params = CutParams {
        threshold_px: 0.0,
        budget: Some(cloud.len() / 8),
        occlusion,
        ..CutParams::default()
    };
    cut(h, &camera(), &params)
}

/// The map sees the wall: the hidden cluster's nodes are dark behind it, a
/// node in front of the wall, or beside the view's part of it, is in full light.
#[test]
fn the_map_sees_what_the_wall_hides() {
    let cloud = wall_and_hidden_cluster();
    let h = build_default(&cloud);
    let leaves = cut(
        &h,
        &camera(),
        &CutParams {
            threshold_px: 0.0,
            ..CutParams::default()
        },
    );
    let map = OcclusionMap::build(
        &h,
        &camera(),
        CutParams::default().near_plane,
        leaves.nodes.iter().map(|&n| (n, 1.0)),
    )
    .expect("occluders in view");
    let extended = h.extended_cloud(&cloud).expect("same scene");
    let (mut behind, mut behind_dark) = (0, 0);
    for (n, node) in h.nodes().iter().enumerate() {
        let visibility = map.visibility(node);
        assert!((0.0..=1.0).contains(&visibility), "node {n}: {visibility}");
        if node.is_leaf() && is_hidden_cluster(&extended, node.splat) {
            behind += 1;
            behind_dark += usize::from(visibility < 0.1);
        }
    }
    assert!(
        behind_dark * 10 >= behind * 9,
        "{behind_dark} of {behind} hidden leaves seen as hidden"
    );
    let mut probe = h.nodes()[0];
    probe.radius = 0.01;
    probe.center = [0.0, 0.0, -3.0];
    assert_eq!(map.visibility(&probe), 1.0, "in front of the wall");
    probe.center = [0.0, 0.0, 3.0];
    assert!(map.visibility(&probe) < 0.1, "behind the wall");
}

/// Under a budget, the wall's detail is expanded before the cluster it hides,
/// though the cluster's colours vary more than the wall's (which ranks the
/// cluster first when visibility is left out), and the picture is closer to
/// the full render.
#[test]
fn a_budget_goes_to_what_is_seen() {
    let cloud = wall_and_hidden_cluster();
    let h = build_default(&cloud);
    let extended = h.extended_cloud(&cloud).expect("same scene");
    let render = |c: &SplatCloud| {
        to_rgb8(
            &render_reference(c, &camera(), [0.0; 3], AaMode::Classic),
            WIDTH,
            HEIGHT,
        )
    };
    let full = render(&cloud);
    let mut hidden_drawn = Vec::new();
    let mut db = Vec::new();
    for occlusion in [true, false] {
        let result = quarter_cut(&h, &cloud, occlusion);
        let hidden = result
            .splats
            .iter()
            .filter(|&&s| is_hidden_cluster(&extended, s))
            .count();
        let subset = result.to_cloud(&cloud, &h).expect("same scene");
        let quality = psnr(&full, &render(&subset)).expect("same size");
        eprintln!(
            "occlusion {occlusion}: {} drawn, {hidden} of the hidden cluster, {quality:.2} dB",
            result.len()
        );
        hidden_drawn.push(hidden);
        db.push(quality);
    }
    assert!(
        hidden_drawn[0] * 3 < hidden_drawn[1],
        "hidden splats drawn with / without occlusion: {hidden_drawn:?}"
    );
    // Measured: 112 against 370 hidden splats, 27.22 against 26.97 dB.
    assert!(db[0] > db[1] + 0.1, "PSNR with / without occlusion: {db:?}");
}

/// Occlusion only ranks: without a budget every candidate is expanded, and
/// the cut is the same with or without it.
#[test]
fn without_a_budget_occlusion_changes_nothing() {
    let cloud = load("biker.ply");
    let h = build_default(&cloud);
    for camera in viewpoints(&cloud, 320, 180) {
        let params = |occlusion| CutParams {
            occlusion,
            ..CutParams::default()
        };
        assert_eq!(
            cut(&h, &camera, &params(true)),
            cut(&h, &camera, &params(false))
        );
    }
}

/// A parent's sphere holds its children's, so it is nearer and touches more
/// cells: it is not less visible than a child, but where a child's sphere
/// touches its parent's from inside and rounding puts it a hair outside
/// (biker, three views, the map of a coarse cut: one pair in 203,664 on the
/// first view).
#[test]
fn a_parent_is_never_less_visible_than_its_children() {
    let cloud = load("biker.ply");
    let h = build_default(&cloud);
    for (v, camera) in viewpoints(&cloud, 320, 180).iter().enumerate() {
        let coarse = cut(
            &h,
            camera,
            &CutParams {
                budget: Some(cloud.len() / 32),
                ..CutParams::default()
            },
        );
        let map = OcclusionMap::build(
            &h,
            camera,
            CutParams::default().near_plane,
            coarse
                .nodes
                .iter()
                .copied()
                .zip(coarse.opacity_factors.iter().copied()),
        )
        .expect("occluders in view");
        let nodes = h.nodes();
        let (mut pairs, mut darker_parents, mut hidden) = (0, 0, 0);
        for node in nodes.iter().filter(|n| !n.is_leaf()) {
            let parent = map.visibility(node);
            for c in node.children() {
                let child = map.visibility(&nodes[c]);
                pairs += 1;
                darker_parents += usize::from(parent < child);
                hidden += usize::from(child < 0.1);
            }
        }
        eprintln!(
            "view {v}: {pairs} pairs, {hidden} children hidden, {darker_parents} parents darker"
        );
        assert!(
            darker_parents * 10_000 <= pairs,
            "view {v}: {darker_parents} of {pairs}"
        );
        assert!(hidden > 0, "view {v}: nothing hidden");
    }
}

/// Degenerate inputs give an answer, never a panic: no occluder in front of
/// the camera (no map: nothing is hidden), a 1x1 image, non-finite splats.
#[test]
fn degenerate_inputs_are_answered() {
    let mut cloud = random_cloud(3000, 2.0, 0, 0xDE6E_0001);
    cloud.positions[7] = [f32::NAN, 0.0, 0.0];
    cloud.log_scales[8] = [f32::INFINITY; 3];
    cloud.opacity_logits[9] = f32::NAN;
    let h = build_default(&cloud);
    let near = CutParams::default().near_plane;
    let occluders = || h.nodes().iter().enumerate().map(|(n, _)| (n as u32, 1.0));
    // Looking away from every splat: nothing in front, no map.
    let away = PinholeCamera::look_at(
        Vec3::new(0.0, 0.0, -8.0),
        Vec3::new(0.0, 0.0, -20.0),
        Vec3::NEG_Y,
        1.0,
        64,
        36,
    );
    assert!(OcclusionMap::build(&h, &away, near, occluders()).is_none());
    assert!(OcclusionMap::build(&h, &camera(), near, std::iter::empty()).is_none());
    for (width, height) in [(1, 1), (0, 0), (4096, 1)] {
        let tiny = PinholeCamera::look_at(
            Vec3::new(0.0, 0.0, -8.0),
            Vec3::ZERO,
            Vec3::NEG_Y,
            1.0,
            width,
            height,
        );
        // A 0x0 image has a focal length of 0: nothing projects, no map.
        let map = OcclusionMap::build(&h, &tiny, near, occluders());
        assert_eq!(map.is_some(), width > 0, "{width}x{height}");
        for node in h.nodes() {
            let v = map.as_ref().map_or(1.0, |m| m.visibility(node));
            assert!((0.0..=1.0).contains(&v), "{v}");
        }
        let params = CutParams {
            budget: Some(500),
            ..CutParams::default()
        };
        assert!(cut(&h, &tiny, &params).len() <= 500);
    }
}
