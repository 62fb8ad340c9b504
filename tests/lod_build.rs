//! The level-of-detail hierarchy build: structure, merge results, determinism,
//! and (ignored, for measurements) its speed.

mod lod_util;

use std::time::Instant;

use glam::Vec3;
use lod_util::{build_default, leaves_below, load, random_cloud};
use splatview::scene::SplatCloud;
use splatview::scene::lod::merge::{Moments, ellipsoid_surface};
use splatview::scene::lod::{BuildOptions, BuildProgress, LodBuildError, LodHierarchy, build};

/// Every scene splat is a leaf exactly once, and only scene splats are leaves.
fn assert_leaves_are_the_scene(h: &LodHierarchy, cloud: &SplatCloud) {
    h.validate().expect("valid hierarchy");
    let mut leaves = Vec::new();
    if !h.nodes().is_empty() {
        leaves_below(h, 0, &mut leaves);
    }
    leaves.sort_unstable();
    let expected: Vec<u32> = (0..cloud.len() as u32).collect();
    assert_eq!(leaves, expected);
    assert_eq!(h.interior().len() + cloud.len(), h.nodes().len());
}

#[test]
fn leaves_are_exactly_the_input_splats() {
    for &branching in &[2, 4, 8] {
        for &n in &[0usize, 1, 2, 3, 7, 64, 1000, 4097] {
            let cloud = random_cloud(n, 10.0, 1, n as u64 + 7);
            let options = BuildOptions {
                branching,
                threads: 2,
            };
            let h = build(&cloud, &options, None).expect("build");
            assert_leaves_are_the_scene(&h, &cloud);
            if n > 1 {
                let expected_depth = (n as f64).log(branching as f64).ceil() as usize + 1;
                assert!(
                    h.depth_count() <= expected_depth,
                    "n {n}, k {branching}: depth {}",
                    h.depth_count()
                );
            }
        }
    }
    let biker = load("biker.ply");
    let h = build_default(&biker);
    assert_leaves_are_the_scene(&h, &biker);
    eprintln!(
        "biker: {} nodes, {} merged, depth {}",
        h.nodes().len(),
        h.interior().len(),
        h.depth_count()
    );
}

#[test]
fn nodes_bound_and_weigh_what_is_below_them() {
    let cloud = random_cloud(3000, 20.0, 2, 11);
    let h = build_default(&cloud);
    let nodes = h.nodes();
    for (i, node) in nodes.iter().enumerate() {
        let center = Vec3::from(node.center);
        if node.is_leaf() {
            let s = node.splat as usize;
            assert_eq!(node.center, cloud.positions[s]);
            let largest = cloud.log_scales[s].iter().fold(f32::MIN, |a, &b| a.max(b));
            assert!((node.radius - 3.0 * largest.exp()).abs() <= 1e-6 * node.radius);
            continue;
        }
        // The sphere holds every child's sphere.
        let mut child_weights = 0.0f64;
        for c in node.children() {
            let child = &nodes[c];
            let reach = center.distance(Vec3::from(child.center)) + child.radius;
            assert!(
                reach <= node.radius,
                "node {i}: child {c} reaches {reach} > {}",
                node.radius
            );
            child_weights += f64::from(h.weights()[c]);
        }
        // The weight is the sum of the children's (H3DGS: parent opacity x surface).
        let w = f64::from(h.weights()[i]);
        assert!(
            (w - child_weights).abs() <= 1e-5 * w.max(1e-12),
            "node {i}: {w} vs {child_weights}"
        );
        // The merged Gaussian stays within the node.
        let m = (node.splat as usize) - cloud.len();
        let mean = Vec3::from(h.interior().positions[m]);
        assert!(mean.distance(center) <= node.radius);
    }
    // The root's weight is the scene's total `opacity x surface`.
    let total: f64 = (0..cloud.len())
        .map(|i| {
            Moments::of_splat(
                cloud.positions[i],
                cloud.log_scales[i],
                cloud.rotations[i],
                cloud.opacity_logits[i],
            )
            .weight
        })
        .sum();
    assert!((f64::from(h.weights()[0]) - total).abs() < 1e-4 * total);
}

#[test]
fn merged_gaussians_hold_their_childrens_weight_and_colour() {
    // Two levels by hand: 2 splats with branching 2 make one root.
    let mut cloud = random_cloud(2, 1.0, 0, 3);
    cloud.positions = vec![[-1.0, 0.0, 0.0], [1.0, 0.0, 0.0]];
    cloud.log_scales = vec![[0.1f32.ln(); 3]; 2];
    cloud.rotations = vec![[1.0, 0.0, 0.0, 0.0]; 2];
    cloud.opacity_logits = vec![(0.8f32 / 0.2).ln(), (0.2f32 / 0.8).ln()];
    cloud.sh_dc = vec![[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]];
    let h = build(
        &cloud,
        &BuildOptions {
            branching: 2,
            threads: 1,
        },
        None,
    )
    .expect("build");
    assert_eq!(h.nodes().len(), 3);
    let root = h.interior();
    // Opacity-weighted colour: 0.8 red + 0.2 blue; mean pulled towards the opaque splat.
    let dc = root.sh_dc[0];
    assert!(
        (dc[0] - 0.8).abs() < 1e-5 && dc[1].abs() < 1e-6 && (dc[2] - 0.2).abs() < 1e-5,
        "{dc:?}"
    );
    // 0.8 x (-1) + 0.2 x 1 = -0.6.
    assert!((root.positions[0][0] + 0.6).abs() < 1e-5);
    // Coverage preserved: opacity x surface of the root = sum of the children's.
    let o = 1.0 / (1.0 + (-f64::from(root.opacity_logits[0])).exp());
    let s = glam::DVec3::from(root.log_scales[0].map(|v| f64::from(v).exp()));
    let children = (0.8 + 0.2) * 3.0 * 0.01;
    assert!((o * ellipsoid_surface(s) - children).abs() < 1e-6);
}

#[test]
fn build_is_deterministic_whatever_the_thread_count() {
    let cloud = random_cloud(40_000, 50.0, 1, 99);
    let one = build(
        &cloud,
        &BuildOptions {
            branching: 4,
            threads: 1,
        },
        None,
    )
    .expect("build");
    let two = build(
        &cloud,
        &BuildOptions {
            branching: 4,
            threads: 2,
        },
        None,
    )
    .expect("build");
    let three = build(
        &cloud,
        &BuildOptions {
            branching: 4,
            threads: 3,
        },
        None,
    )
    .expect("build");
    assert!(
        one == two && two == three,
        "hierarchies differ between thread counts"
    );
    // Shuffling the input changes indices, not the tree's geometry: the root's
    // sphere and merged Gaussian come out the same up to rounding.
    let mut order: Vec<usize> = (0..cloud.len()).collect();
    order.reverse();
    let reversed = build(&cloud.select(&order), &BuildOptions::default(), None).expect("build");
    assert_eq!(reversed.nodes()[0].center, one.nodes()[0].center);
    let (a, b) = (
        one.interior().positions[0],
        reversed.interior().positions[0],
    );
    assert!(
        Vec3::from(a).distance(Vec3::from(b)) < 1e-4,
        "{a:?} vs {b:?}"
    );
}

#[test]
fn degenerate_splats_do_not_break_the_build() {
    let mut cloud = random_cloud(500, 5.0, 0, 5);
    cloud.positions[3] = [f32::NAN, 0.0, 0.0];
    cloud.positions[4] = [f32::INFINITY, 1.0, 0.0];
    cloud.log_scales[5] = [-87.3; 3];
    cloud.opacity_logits[6] = f32::NEG_INFINITY;
    cloud.opacity_logits[7] = f32::INFINITY;
    for i in 100..200 {
        // A cluster of identical transparent splats.
        cloud.positions[i] = [1.0, 1.0, 1.0];
        cloud.opacity_logits[i] = f32::NEG_INFINITY;
    }
    let h = build_default(&cloud);
    assert_leaves_are_the_scene(&h, &cloud);
    let interior = h.interior();
    for i in 0..interior.len() {
        assert!(
            interior.log_scales[i].iter().all(|v| v.is_finite()),
            "merged {i}"
        );
        assert!(
            interior.rotations[i].iter().all(|v| v.is_finite()),
            "merged {i}"
        );
        assert!(!interior.opacity_logits[i].is_nan(), "merged {i}");
    }
}

#[test]
fn progress_reaches_one_and_cancel_stops_the_build() {
    let cloud = random_cloud(5000, 5.0, 0, 1);
    let progress = BuildProgress::default();
    build(&cloud, &BuildOptions::default(), Some(&progress)).expect("build");
    assert_eq!(progress.fraction(), 1.0);
    let cancelled = BuildProgress::default();
    cancelled.cancel();
    assert!(matches!(
        build(&cloud, &BuildOptions::default(), Some(&cancelled)),
        Err(LodBuildError::Cancelled)
    ));
    assert!(matches!(
        build(
            &cloud,
            &BuildOptions {
                branching: 3,
                threads: 0
            },
            None
        ),
        Err(LodBuildError::BadBranching(3))
    ));
}

/// Build speed on biker and on biker tiled to 2M splats (in memory; the same
/// scene `splatview scale biker.ply --to 2000000` writes). Measurement only:
/// `cargo test --test lod_build -- --ignored --nocapture`.
#[test]
#[ignore]
fn build_throughput() {
    let _ = env_logger::builder()
        .is_test(true)
        .filter_level(log::LevelFilter::Debug)
        .try_init();
    let biker = load("biker.ply");
    let big = splatview::scene::tile::tile_to_count(&biker, 2_000_000, Vec3::NEG_Y);
    for (name, cloud) in [("biker", &biker), ("biker x 2M", &big)] {
        for threads in [1, 2] {
            let options = BuildOptions {
                branching: 4,
                threads,
            };
            let (mut best, mut best_cpu) = (f64::INFINITY, f64::INFINITY);
            for _ in 0..3 {
                let (start, cpu) = (Instant::now(), process_cpu_seconds());
                let h = build(cloud, &options, None).expect("build");
                best = best.min(start.elapsed().as_secs_f64());
                best_cpu = best_cpu.min(process_cpu_seconds() - cpu);
                assert_eq!(h.splat_count(), cloud.len());
            }
            eprintln!(
                "{name}: {} splats, {threads} thread(s): best {best:.3} s wall = {:.2} M splats/s; {best_cpu:.2} CPU-s = {:.2} M splats per CPU-second",
                cloud.len(),
                cloud.len() as f64 / best / 1e6,
                cloud.len() as f64 / best_cpu / 1e6,
            );
        }
    }
}

/// CPU time (user + system) of this process so far, from /proc/self/stat (Linux;
/// 0 elsewhere), to measure on a shared machine where wall time depends on load.
fn process_cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the parenthesised command name; utime and stime are 14 and 15.
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: f64 = fields.get(11..13).map_or(0.0, |f| {
        f.iter().filter_map(|v| v.parse::<f64>().ok()).sum()
    });
    ticks / 100.0
}
