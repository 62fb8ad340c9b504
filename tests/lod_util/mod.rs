//! Helpers of the lod_* integration tests: test scenes (real and generated),
//! cameras around them, and tree walks.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use splatview::controls::OrbitCamera;
use splatview::scene::lod::{BuildOptions, LodHierarchy, build};
use splatview::scene::{PinholeCamera, SceneBounds, SplatCloud};

/// Path of a scene in `../shared/testdata/splats`.
pub fn data_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/testdata/splats")
        .join(name)
}

pub fn load(name: &str) -> SplatCloud {
    let cloud = splatview::io::load_splat_file(&data_path(name)).unwrap_or_else(|e| panic!("{e}"));
    assert!(cloud.is_consistent(), "{name}");
    cloud
}

pub fn build_default(cloud: &SplatCloud) -> LodHierarchy {
    build(cloud, &BuildOptions::default(), None).expect("build")
}

/// A deterministic pseudo-random generator (64-bit LCG, Knuth's constants).
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next_f32(&mut self) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Uniform in `lo..hi`.
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.next_f32()
    }
}

/// `n` random splats in a cube of side `extent` at SH degree `sh_degree`, with
/// log scales in -5..-2, random rotations, opacities and colours.
pub fn random_cloud(n: usize, extent: f32, sh_degree: u32, seed: u64) -> SplatCloud {
    let mut rng = Lcg(seed);
    let mut cloud = SplatCloud::zeroed(n, sh_degree);
    for i in 0..n {
        cloud.positions[i] = [0; 3].map(|_| rng.range(-0.5, 0.5) * extent);
        cloud.log_scales[i] = [0; 3].map(|_| rng.range(-5.0, -2.0));
        let q = [0; 4].map(|_| rng.range(-1.0, 1.0));
        cloud.rotations[i] = splatview::scene::splats::normalize_quat(q);
        cloud.opacity_logits[i] = rng.range(-3.0, 4.0);
        cloud.sh_dc[i] = [0; 3].map(|_| rng.range(-1.5, 1.5));
    }
    for v in cloud.sh_rest.iter_mut() {
        *v = rng.range(-0.3, 0.3);
    }
    cloud
}

/// Three views of a scene: the default framing, an orbit to another side and
/// height, and a closer one (the views of tests/render_reference.rs).
pub fn viewpoints(cloud: &SplatCloud, width: u32, height: u32) -> Vec<PinholeCamera> {
    let base = OrbitCamera::framing(SceneBounds::robust(cloud), width as f32 / height as f32);
    let mut side = base;
    side.yaw += 2.0;
    side.pitch = 0.6;
    let mut close = base;
    close.yaw -= 2.2;
    close.pitch = -0.2;
    close.distance *= 0.6;
    [base, side, close]
        .iter()
        .map(|o| o.camera(width, height))
        .collect()
}

/// A camera so far away, with so wide a view, that every splat is in it.
pub fn camera_seeing_everything(cloud: &SplatCloud) -> PinholeCamera {
    let mut min = glam::Vec3::splat(f32::INFINITY);
    let mut max = glam::Vec3::splat(f32::NEG_INFINITY);
    for p in cloud.position_iter().filter(|p| p.is_finite()) {
        min = min.min(p);
        max = max.max(p);
    }
    let center = 0.5 * (min + max);
    let radius = 0.5 * (max - min).length() + 10.0;
    let orbit = OrbitCamera {
        target: center,
        distance: 4.0 * radius,
        yaw: 0.3,
        pitch: 0.2,
        world_up: glam::Vec3::NEG_Y,
        fov_y: 1.2,
    };
    orbit.camera(64, 64)
}

/// Leaves (scene splat indices) below `node`.
pub fn leaves_below(h: &LodHierarchy, node: usize, out: &mut Vec<u32>) {
    let n = &h.nodes()[node];
    if n.is_leaf() {
        out.push(n.splat);
    } else {
        for child in n.children() {
            leaves_below(h, child, out);
        }
    }
}

/// For each node, its ancestors' indices (root first), as a node -> path table.
pub fn node_of_splat(h: &LodHierarchy) -> Vec<usize> {
    let mut table = vec![usize::MAX; h.nodes().len()];
    for (i, node) in h.nodes().iter().enumerate() {
        table[node.splat as usize] = i;
    }
    table
}
