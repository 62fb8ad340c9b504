//! Building the hierarchy: shape, spatial split, leaf bounds, then the merge from
//! the deepest level up to the root.
//!
//! Every stage works one tree level at a time; the nodes of a level are
//! independent (disjoint splat ranges going down, children already merged going
//! up), so each level is cut into contiguous groups of nodes, one per thread
//! (`std::thread::scope`: two cores leave no room for a work-stealing pool to pay
//! for itself, and the nodes of a level hold nearly equal splat counts, so equal
//! node counts keep the groups balanced). The result does not depend on the
//! thread count: each node's outcome is a function of its own splats only (see
//! [`super::shape::split_node`]).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use glam::DVec3;

use super::merge::{Moments, ellipsoid_surface, merge};
use super::shape::{
    Halving, SplitItem, TreeShape, child_capacity, halving, split_node, split_once,
};
use super::{LodHierarchy, LodNode};
use crate::scene::SplatCloud;

/// How to build a hierarchy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuildOptions {
    /// Children per node: 2, 4 or 8 (see docs/LOD.md for the choice of 4).
    pub branching: u32,
    /// Worker threads; 0 takes `std::thread::available_parallelism()`.
    pub threads: usize,
}

impl Default for BuildOptions {
    fn default() -> Self {
        Self {
            branching: 4,
            threads: 0,
        }
    }
}

impl BuildOptions {
    fn thread_count(&self) -> usize {
        if self.threads > 0 {
            self.threads
        } else {
            std::thread::available_parallelism().map_or(1, |t| t.get())
        }
    }
}

/// Progress of a build running on another thread, and a way to stop it.
#[derive(Debug, Default)]
pub struct BuildProgress {
    done: AtomicU64,
    total: AtomicU64,
    cancelled: AtomicBool,
}

impl BuildProgress {
    /// Fraction of the work done, 0..=1 (0 before the build starts).
    pub fn fraction(&self) -> f32 {
        let total = self.total.load(Ordering::Relaxed);
        if total == 0 {
            return 0.0;
        }
        (self.done.load(Ordering::Relaxed) as f64 / total as f64).min(1.0) as f32
    }

    /// Asks the build to stop; it returns [`LodBuildError::Cancelled`] soon after.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    fn start(&self, total: u64) {
        self.done.store(0, Ordering::Relaxed);
        self.total.store(total.max(1), Ordering::Relaxed);
    }

    fn advance(&self, amount: u64) -> Result<(), LodBuildError> {
        self.done.fetch_add(amount, Ordering::Relaxed);
        if self.is_cancelled() {
            return Err(LodBuildError::Cancelled);
        }
        Ok(())
    }
}

/// Why a hierarchy could not be built.
#[derive(Debug, thiserror::Error)]
pub enum LodBuildError {
    #[error("level-of-detail build: branching {0} is not supported (expected 2, 4 or 8)")]
    BadBranching(u32),
    #[error(
        "level-of-detail build: {0} splats are too many (at most {max} fit 32-bit node indices)",
        max = MAX_SPLATS
    )]
    TooManySplats(usize),
    #[error("level-of-detail build: the scene's attribute arrays disagree in length")]
    InconsistentScene,
    #[error("level-of-detail build cancelled")]
    Cancelled,
    #[error("level-of-detail build: a worker thread panicked")]
    WorkerPanicked,
}

/// Most splats a hierarchy holds: leaves plus interior nodes must stay below
/// `u32::MAX` with branching 2 (about 2N nodes).
pub const MAX_SPLATS: usize = (u32::MAX / 2 - 1) as usize;

/// Merge levels with fewer nodes than this per thread are done on fewer threads.
const MIN_NODES_PER_THREAD: usize = 64;

/// Nodes with fewer splats than this are split on one thread.
const MIN_SPLATS_PER_THREAD: usize = 1 << 16;

/// Builds the hierarchy of `cloud`. Deterministic: the same cloud and branching
/// give the same hierarchy whatever the thread count.
pub fn build(
    cloud: &SplatCloud,
    options: &BuildOptions,
    progress: Option<&BuildProgress>,
) -> Result<LodHierarchy, LodBuildError> {
    let branching = options.branching;
    if !matches!(branching, 2 | 4 | 8) {
        return Err(LodBuildError::BadBranching(branching));
    }
    if cloud.len() > MAX_SPLATS {
        return Err(LodBuildError::TooManySplats(cloud.len()));
    }
    if !cloud.is_consistent() {
        return Err(LodBuildError::InconsistentScene);
    }
    let threads = options.thread_count();
    let local_progress = BuildProgress::default();
    let progress = progress.unwrap_or(&local_progress);
    let n = cloud.len() as u32;
    let shape = TreeShape::new(n, branching);
    let depths = shape.depth_count();
    progress.start(2 * depths as u64 + 1);

    let started = std::time::Instant::now();
    // Split: top-down, each level's interior nodes in parallel.
    let mut items: Vec<SplitItem> = cloud
        .positions
        .iter()
        .enumerate()
        .map(|(i, &position)| SplitItem {
            position,
            splat: i as u32,
        })
        .collect();
    let halvings = branching.ilog2();
    for depth in 0..depths {
        let interior: Vec<usize> = shape.level(depth).filter(|&i| !shape.is_leaf(i)).collect();
        split_level(&mut items, &shape, &interior, halvings, threads)?;
        progress.advance(1)?;
    }

    let split_s = started.elapsed().as_secs_f64();
    // Node records: links and the splat each draws.
    let mut interior_rank = vec![u32::MAX; shape.node_count()];
    let mut interior_count = 0u32;
    for (node, rank) in interior_rank.iter_mut().enumerate() {
        if !shape.is_leaf(node) {
            *rank = interior_count;
            interior_count += 1;
        }
    }
    let mut nodes: Vec<LodNode> = (0..shape.node_count())
        .map(|i| {
            let children = &shape.children[i];
            LodNode {
                center: [0.0; 3],
                radius: 0.0,
                parent: shape.parents[i],
                first_child: children.start,
                child_count: children.len() as u32,
                splat: if shape.is_leaf(i) {
                    items[shape.ranges[i].start as usize].splat
                } else {
                    n + interior_rank[i]
                },
            }
        })
        .collect();
    drop(items);
    let mut weights = vec![0.0f32; nodes.len()];
    leaf_bounds(cloud, &mut nodes, &mut weights, threads)?;
    progress.advance(1)?;

    let bounds_s = started.elapsed().as_secs_f64();
    // Merge: bottom-up, each level's interior nodes in parallel.
    let mut interior = SplatCloud::zeroed(interior_count as usize, cloud.sh_degree);
    interior.set_aa_hint(cloud.aa_hint.clone());
    let mut interior_cov = vec![[0.0f32; 6]; interior_count as usize];
    for depth in (0..depths).rev() {
        let level: Vec<usize> = shape.level(depth).filter(|&i| !shape.is_leaf(i)).collect();
        let merged = merge_level(
            &MergeInputs {
                cloud,
                interior: &interior,
                interior_cov: &interior_cov,
                nodes: &nodes,
                weights: &weights,
            },
            &level,
            threads,
        )?;
        for (&node, result) in level.iter().zip(merged) {
            let rank = (nodes[node].splat - n) as usize;
            let m = result.gaussian;
            interior.positions[rank] = m.position;
            interior.log_scales[rank] = m.log_scale;
            interior.rotations[rank] = m.rotation;
            interior.opacity_logits[rank] = m.opacity_logit;
            interior.sh_dc[rank] = result.sh_dc;
            let rest = interior.rest_coeffs_per_splat() * 3;
            interior.sh_rest[rank * rest..(rank + 1) * rest].copy_from_slice(&result.sh_rest);
            interior_cov[rank] = m.moments.covariance.map(|c| c as f32);
            weights[node] = m.moments.weight as f32;
            nodes[node].center = result.center;
            nodes[node].radius = result.radius;
        }
        progress.advance(1)?;
    }
    let merge_s = started.elapsed().as_secs_f64();
    log::debug!(
        "level-of-detail build of {n} splats: split {split_s:.3} s, leaf bounds {:.3} s, merge {:.3} s",
        bounds_s - split_s,
        merge_s - bounds_s
    );
    let level_starts = shape.level_starts.clone();
    LodHierarchy::from_parts(
        n,
        branching,
        nodes,
        weights,
        level_starts,
        interior,
        &cloud.sh_dc,
    )
    // The shape and the merge make a valid tree by construction; a failure
    // here is a bug, reported rather than drawn.
    .map_err(|reason| {
        log::error!("level-of-detail build made an invalid hierarchy: {reason}");
        LodBuildError::InconsistentScene
    })
}

/// Groups of consecutive entries of `list`, about equal in size, one per thread,
/// each of at least `min_per_group` entries (one group when the list is short).
fn groups<T>(list: &[T], threads: usize, min_per_group: usize) -> Vec<&[T]> {
    let threads = threads.min(list.len() / min_per_group.max(1)).max(1);
    list.chunks(list.len().div_ceil(threads).max(1)).collect()
}

/// [`split_node`] for a node large enough to share among `threads`: after each
/// cut the two sides are split on separate threads. Same result.
fn split_node_parallel(
    items: &mut [SplitItem],
    levels: u32,
    capacity: u64,
    threads: usize,
) -> Result<(), LodBuildError> {
    if threads <= 1 || items.len() < MIN_SPLATS_PER_THREAD {
        split_node(items, levels, capacity);
        return Ok(());
    }
    match halving(items.len() as u32, levels, capacity) {
        Halving::Part => Ok(()),
        Halving::Pass => split_node_parallel(items, levels - 1, capacity, threads),
        Halving::Cut(left) => {
            let (low, high) = split_once(items, left as usize);
            std::thread::scope(|scope| {
                let worker = scope.spawn(|| {
                    split_node_parallel(high, levels - 1, capacity, threads - threads / 2)
                });
                let low_result = split_node_parallel(low, levels - 1, capacity, threads / 2);
                worker.join().map_err(|_| LodBuildError::WorkerPanicked)??;
                low_result
            })
        }
    }
}

/// Splits every node of `interior` (one level, ascending) into its parts.
fn split_level(
    items: &mut [SplitItem],
    shape: &TreeShape,
    interior: &[usize],
    halvings: u32,
    threads: usize,
) -> Result<(), LodBuildError> {
    let split_group = |group: &[usize], span: &mut [SplitItem], offset: usize| {
        for &node in group {
            let range = &shape.ranges[node];
            split_node(
                &mut span[range.start as usize - offset..range.end as usize - offset],
                halvings,
                child_capacity(range.len() as u32, 1 << halvings),
            );
        }
    };
    if interior.len() < threads {
        // The top levels: few, large nodes, each split on all threads.
        for &node in interior {
            let range = &shape.ranges[node];
            split_node_parallel(
                &mut items[range.start as usize..range.end as usize],
                halvings,
                child_capacity(range.len() as u32, 1 << halvings),
                threads,
            )?;
        }
        return Ok(());
    }
    let groups = groups(interior, threads, 1);
    std::thread::scope(|scope| {
        let mut rest = items;
        let mut offset = 0usize;
        let mut workers = Vec::new();
        for group in groups {
            let (Some(&first), Some(&last)) = (group.first(), group.last()) else {
                continue;
            };
            let start = shape.ranges[first].start as usize;
            let end = shape.ranges[last].end as usize;
            let (_, tail) = std::mem::take(&mut rest).split_at_mut(start - offset);
            let (span, tail) = tail.split_at_mut(end - start);
            rest = tail;
            offset = end;
            workers.push(scope.spawn(move || split_group(group, span, start)));
        }
        join_all(workers)
    })
}

/// Bounding sphere (3 sigma of the largest axis) and coverage weight of each leaf.
fn leaf_bounds(
    cloud: &SplatCloud,
    nodes: &mut [LodNode],
    weights: &mut [f32],
    threads: usize,
) -> Result<(), LodBuildError> {
    let fill = |nodes: &mut [LodNode], weights: &mut [f32]| {
        for (node, weight) in nodes.iter_mut().zip(weights.iter_mut()) {
            if !node.is_leaf() {
                continue;
            }
            let i = node.splat as usize;
            let [a, b, c] = cloud.log_scales[i].map(|v| f64::from(v).exp());
            let opacity = 1.0 / (1.0 + (-f64::from(cloud.opacity_logits[i])).exp());
            node.center = cloud.positions[i];
            let largest = cloud.log_scales[i]
                .iter()
                .fold(f32::NEG_INFINITY, |a, &b| a.max(b));
            node.radius = 3.0 * largest.exp();
            *weight = (opacity * ellipsoid_surface(DVec3::new(a, b, c))) as f32;
        }
    };
    let chunk = nodes.len().div_ceil(threads.max(1)).max(1);
    if threads <= 1 || nodes.len() < MIN_NODES_PER_THREAD * threads {
        fill(nodes, weights);
        return Ok(());
    }
    std::thread::scope(|scope| {
        let workers: Vec<_> = nodes
            .chunks_mut(chunk)
            .zip(weights.chunks_mut(chunk))
            .map(|(n, w)| scope.spawn(move || fill(n, w)))
            .collect();
        join_all(workers)
    })
}

fn join_all(workers: Vec<std::thread::ScopedJoinHandle<'_, ()>>) -> Result<(), LodBuildError> {
    let mut result = Ok(());
    for worker in workers {
        if worker.join().is_err() {
            result = Err(LodBuildError::WorkerPanicked);
        }
    }
    result
}

/// What the merge of one level reads: the scene, the merged Gaussians of the
/// deeper levels and the node records.
struct MergeInputs<'a> {
    cloud: &'a SplatCloud,
    interior: &'a SplatCloud,
    interior_cov: &'a [[f32; 6]],
    nodes: &'a [LodNode],
    weights: &'a [f32],
}

/// One merged node: its Gaussian, averaged SH and bounding sphere.
struct MergedNode {
    gaussian: super::merge::MergedGaussian,
    sh_dc: [f32; 3],
    sh_rest: Vec<f32>,
    center: [f32; 3],
    radius: f32,
}

fn merge_level(
    inputs: &MergeInputs<'_>,
    level: &[usize],
    threads: usize,
) -> Result<Vec<MergedNode>, LodBuildError> {
    let merge_group = |group: &[usize]| -> Vec<MergedNode> {
        group.iter().map(|&node| merge_node(inputs, node)).collect()
    };
    let groups = groups(level, threads, MIN_NODES_PER_THREAD);
    if groups.len() <= 1 {
        return Ok(merge_group(level));
    }
    std::thread::scope(|scope| {
        let workers: Vec<_> = groups
            .into_iter()
            .map(|group| scope.spawn(move || merge_group(group)))
            .collect();
        let mut merged = Vec::with_capacity(level.len());
        for worker in workers {
            merged.extend(worker.join().map_err(|_| LodBuildError::WorkerPanicked)?);
        }
        Ok(merged)
    })
}

/// Merges the children of `node` (all of them leaves or already merged).
fn merge_node(inputs: &MergeInputs<'_>, node: usize) -> MergedNode {
    let n = inputs.cloud.len();
    let children = inputs.nodes[node].children();
    let mut moments = [Moments {
        mean: DVec3::ZERO,
        covariance: [0.0; 6],
        weight: 0.0,
    }; 8];
    let count = children.len().min(moments.len());
    for (slot, child) in moments.iter_mut().zip(children.clone()) {
        let splat = inputs.nodes[child].splat as usize;
        *slot = if splat < n {
            let c = inputs.cloud;
            Moments::of_splat(
                c.positions[splat],
                c.log_scales[splat],
                c.rotations[splat],
                c.opacity_logits[splat],
            )
        } else {
            Moments {
                mean: DVec3::from(inputs.interior.positions[splat - n].map(f64::from)),
                covariance: inputs.interior_cov[splat - n].map(f64::from),
                weight: f64::from(inputs.weights[child]),
            }
        };
    }
    let mut child_weights = [0.0f64; 8];
    let gaussian = merge(&moments[..count], &mut child_weights[..count]);

    let rest = inputs.cloud.rest_coeffs_per_splat() * 3;
    let mut sh_dc = [0.0f32; 3];
    let mut sh_rest = vec![0.0f32; rest];
    for (child, &w) in children.clone().zip(child_weights.iter()) {
        if w <= 0.0 {
            continue;
        }
        let w = w as f32;
        let splat = inputs.nodes[child].splat as usize;
        let (dc, coeffs) = if splat < n {
            (inputs.cloud.sh_dc[splat], inputs.cloud.sh_rest_of(splat))
        } else {
            (
                inputs.interior.sh_dc[splat - n],
                inputs.interior.sh_rest_of(splat - n),
            )
        };
        for c in 0..3 {
            sh_dc[c] += w * dc[c];
        }
        for (acc, v) in sh_rest.iter_mut().zip(coeffs) {
            *acc += w * v;
        }
    }
    let (center, radius) = enclosing_sphere(children.map(|c| &inputs.nodes[c]));
    MergedNode {
        gaussian,
        sh_dc,
        sh_rest,
        center,
        radius,
    }
}

/// A sphere holding every finite child sphere: centred on the box around them,
/// with the radius rounded up so that f32 tests stay conservative. NaN when no
/// child sphere is finite.
fn enclosing_sphere<'a>(children: impl Iterator<Item = &'a LodNode> + Clone) -> ([f32; 3], f32) {
    let finite =
        |node: &&LodNode| node.radius.is_finite() && node.center.iter().all(|c| c.is_finite());
    let mut min = DVec3::INFINITY;
    let mut max = DVec3::NEG_INFINITY;
    for child in children.clone().filter(finite) {
        let c = DVec3::from(child.center.map(f64::from));
        let r = f64::from(child.radius);
        min = min.min(c - r);
        max = max.max(c + r);
    }
    if !(min.is_finite() && max.is_finite()) {
        return ([f32::NAN; 3], f32::NAN);
    }
    let center = (0.5 * (min + max)).as_vec3();
    let center64 = center.as_dvec3();
    let radius = children
        .filter(finite)
        .map(|child| {
            (DVec3::from(child.center.map(f64::from)) - center64).length() + f64::from(child.radius)
        })
        .fold(0.0f64, f64::max);
    // Round up past f32 rounding of the centre, the radius and the tests' arithmetic.
    let radius = (radius * (1.0 + 1e-5)) as f32 + f32::MIN_POSITIVE;
    (center.to_array(), radius)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enclosing_sphere_holds_its_children() {
        let child = |c: [f32; 3], r: f32| LodNode {
            center: c,
            radius: r,
            ..LodNode::default()
        };
        let children = [
            child([0.0, 0.0, 0.0], 1.0),
            child([10.0, 0.0, 0.0], 0.5),
            child([f32::NAN, 0.0, 0.0], 1.0),
            child([3.0, 4.0, 0.0], 2.0),
        ];
        let (center, radius) = enclosing_sphere(children.iter());
        for c in &children[..2] {
            let d = glam::Vec3::from(c.center).distance(glam::Vec3::from(center));
            assert!(d + c.radius <= radius, "{d} + {} > {radius}", c.radius);
        }
        let (_, nan) = enclosing_sphere(children[2..3].iter());
        assert!(nan.is_nan());
    }
}
