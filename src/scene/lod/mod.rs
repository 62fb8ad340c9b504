//! Level-of-detail hierarchy of a splat scene (docs/LOD.md).
//!
//! A tree whose leaves are exactly the scene's splats and whose interior nodes each
//! hold one Gaussian merged from its children by the Hierarchical 3DGS rule
//! ([`merge`]). Drawing a *cut* through the tree (every root-to-leaf path crosses
//! exactly one drawn node) shows the scene with fewer splats; [`cut`] chooses the
//! cut for a camera by projected size, frustum and splat budget.
//!
//! Storage is flat, for the GPU: [`LodNode`]s in breadth-first order (a parent's
//! index is below its children's, children are contiguous), a coverage weight per
//! node, and the merged Gaussians as a [`SplatCloud`] of their own. Splat indices
//! address the *extended* cloud: the scene's splats first (`0..splat_count`), then
//! the merged ones (`splat_count + i` is `interior[i]`).
//!
//! - [`build`]: the parallel build (k-d split in [`shape`], merge in [`merge`]);
//! - [`cache`]: the on-disk cache keyed by the scene's content;
//! - [`view`] and [`cut`]: the per-camera node measures and the CPU reference cut;
//! - [`colour_spread`]: how much colour each merge loses, which the budget ranks by;
//! - [`cli`]: `splatview lod-build`.

pub mod build;
pub mod cache;
pub mod colour_spread;
pub mod cut;
pub mod cut_reference;
pub mod eigen;
mod frontier;
pub mod merge;
pub mod occlusion;
pub mod prefetch;
mod radix;
mod scratch;
pub mod shape;
pub mod view;

use bytemuck::{Pod, Zeroable};

use super::SplatCloud;

pub use build::{BuildOptions, BuildProgress, LodBuildError, build};
pub use cache::{CacheSource, LodCache, LodCacheError};
pub use cut::{CutParams, LodCut, cut};
pub use scratch::keep_cut_scratch_on_this_thread;

/// `LodNode::parent` of the root.
pub const NO_PARENT: u32 = u32::MAX;

/// One node of the hierarchy, as the GPU cut will read it (32 bytes; a future
/// `shaders/lod_cut.wgsl` must keep the same layout).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct LodNode {
    /// Centre of a sphere that holds the 3-sigma ellipsoids of every splat below.
    pub center: [f32; 3],
    /// Its radius. The cut's screen-space size of the node is
    /// `focal * 2 * radius / distance` ([`view::NodeView`]). NaN when no splat
    /// below has a finite position: such nodes are never culled and always expanded.
    pub radius: f32,
    /// Index of the parent node; [`NO_PARENT`] for the root.
    pub parent: u32,
    /// Index of the first child; the children are `first_child..first_child + child_count`.
    pub first_child: u32,
    /// Number of children; 0 for a leaf.
    pub child_count: u32,
    /// The splat this node draws, in the extended cloud: a scene splat for a leaf,
    /// `splat_count + i` for the merged Gaussian `interior[i]`.
    pub splat: u32,
}

const _: () = assert!(size_of::<LodNode>() == 32);

impl LodNode {
    pub fn is_leaf(&self) -> bool {
        self.child_count == 0
    }

    pub fn children(&self) -> std::ops::Range<usize> {
        self.first_child as usize..(self.first_child + self.child_count) as usize
    }
}

/// A level-of-detail hierarchy over a scene of `splat_count` splats. Its invariants
/// (checked by [`LodHierarchy::validate`] whenever one is read from outside) let
/// the cut index without bounds failures.
#[derive(Clone, Debug, PartialEq)]
pub struct LodHierarchy {
    splat_count: u32,
    branching: u32,
    nodes: Vec<LodNode>,
    weights: Vec<f32>,
    level_starts: Vec<u32>,
    interior: SplatCloud,
    /// Derived from the rest when assembled (not stored in the cache).
    ranking_weights: Vec<f32>,
}

impl LodHierarchy {
    /// Splats of the scene (the leaves).
    pub fn splat_count(&self) -> usize {
        self.splat_count as usize
    }

    /// Largest number of children of a node.
    pub fn branching(&self) -> u32 {
        self.branching
    }

    /// All nodes, breadth-first; the root is node 0.
    pub fn nodes(&self) -> &[LodNode] {
        &self.nodes
    }

    /// Coverage weight of each node: the sum over the splats below of
    /// `opacity x (s₀s₁ + s₀s₂ + s₁s₂)` (the H3DGS merge weight, world units²).
    pub fn weights(&self) -> &[f32] {
        &self.weights
    }

    /// What the budgeted cut ranks coverage by: the coverage weight times
    /// `SPREAD_FLOOR` plus the node's colour spread, the weighted RMS distance of
    /// the scene colours below it from its merged colour ([`colour_spread`]).
    pub fn ranking_weights(&self) -> &[f32] {
        &self.ranking_weights
    }

    /// The merged Gaussians of the interior nodes (`splat_count + i` is entry `i`).
    pub fn interior(&self) -> &SplatCloud {
        &self.interior
    }

    /// Index of the first node of each depth, then the node count.
    pub fn level_starts(&self) -> &[u32] {
        &self.level_starts
    }

    /// Number of levels (depths) of the tree; 0 for an empty scene.
    pub fn depth_count(&self) -> usize {
        self.level_starts.len().saturating_sub(1)
    }

    /// Depth of `node` (0 for the root).
    pub fn depth_of(&self, node: usize) -> usize {
        self.level_starts
            .partition_point(|&start| start as usize <= node)
            .saturating_sub(1)
    }

    /// The extended cloud: `scene` (which must be the cloud this was built from)
    /// followed by the merged Gaussians. `None` if `scene` does not match.
    pub fn extended_cloud(&self, scene: &SplatCloud) -> Option<SplatCloud> {
        if scene.len() != self.splat_count() || scene.sh_degree != self.interior.sh_degree {
            return None;
        }
        let mut extended = scene.clone();
        extended.append(&self.interior).then_some(extended)
    }

    /// Checks the structure: one root, parents before children, children
    /// contiguous and one level deeper, every scene splat a leaf exactly once, every
    /// merged Gaussian drawn by exactly one interior node, consistent array sizes.
    pub fn validate(&self) -> Result<(), String> {
        let n = self.splat_count as usize;
        let nodes = &self.nodes;
        let interior = self.interior.len();
        if !self.interior.is_consistent() {
            return Err("the merged Gaussians' arrays disagree in length".into());
        }
        if !(matches!(self.branching, 2 | 4 | 8)) {
            return Err(format!("branching {} is not 2, 4 or 8", self.branching));
        }
        if nodes.len() != n + interior || self.weights.len() != nodes.len() {
            return Err(format!(
                "{} nodes and {} weights for {n} splats and {interior} merged Gaussians",
                nodes.len(),
                self.weights.len()
            ));
        }
        let levels = &self.level_starts;
        if levels.first() != Some(&0)
            || levels.last().map(|&l| l as usize) != Some(nodes.len())
            || levels.windows(2).any(|w| w[0] >= w[1])
        {
            return Err("level boundaries are not increasing from 0 to the node count".into());
        }
        let claimed: u64 = nodes.iter().map(|node| u64::from(node.child_count)).sum();
        if claimed != nodes.len().saturating_sub(1) as u64 {
            return Err(format!("{claimed} child links for {} nodes", nodes.len()));
        }
        let mut seen = vec![false; nodes.len()];
        for depth in 0..levels.len() - 1 {
            let (start, end) = (levels[depth] as usize, levels[depth + 1] as usize);
            for (i, node) in nodes.iter().enumerate().take(end).skip(start) {
                if (i == 0) != (node.parent == NO_PARENT) {
                    return Err(format!("node {i}: only the root has no parent"));
                }
                if i > 0 {
                    let parent = nodes
                        .get(node.parent as usize)
                        .filter(|_| (node.parent as usize) < i)
                        .ok_or_else(|| format!("node {i}: parent {} out of order", node.parent))?;
                    if !parent.children().contains(&i) {
                        return Err(format!("node {i}: not among its parent's children"));
                    }
                }
                let splat = node.splat as usize;
                if node.is_leaf() != (splat < n) || splat >= n + interior {
                    return Err(format!(
                        "node {i}: splat {splat} does not fit a leaf flag of {}",
                        node.is_leaf()
                    ));
                }
                if std::mem::replace(&mut seen[splat], true) {
                    return Err(format!("node {i}: splat {splat} drawn by two nodes"));
                }
                if !node.is_leaf() {
                    let children = node.children();
                    let next = levels.get(depth + 2).map_or(0, |&l| l as usize);
                    if node.child_count as usize > self.branching as usize
                        || node.child_count < 2
                        || children.start < end
                        || children.end > next
                    {
                        return Err(format!(
                            "node {i}: children {children:?} are not on the next level"
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Assembles a hierarchy from its parts (build and cache), validates it and
    /// derives the colour spread from it and `scene_dc` (the scene's SH degree-0
    /// coefficients, one per leaf).
    fn from_parts(
        splat_count: u32,
        branching: u32,
        nodes: Vec<LodNode>,
        weights: Vec<f32>,
        level_starts: Vec<u32>,
        interior: SplatCloud,
        scene_dc: &[[f32; 3]],
    ) -> Result<Self, String> {
        if scene_dc.len() != splat_count as usize {
            return Err(format!(
                "{} scene colours for {splat_count} splats",
                scene_dc.len()
            ));
        }
        let mut hierarchy = Self {
            splat_count,
            branching,
            nodes,
            weights,
            level_starts,
            interior,
            ranking_weights: Vec::new(),
        };
        hierarchy.validate()?;
        let n = scene_dc.len();
        let spread =
            colour_spread::colour_spread(&hierarchy.nodes, &hierarchy.weights, |splat| match splat
                .checked_sub(n)
            {
                None => scene_dc[splat],
                Some(merged) => hierarchy.interior.sh_dc[merged],
            });
        hierarchy.ranking_weights = colour_spread::into_ranking_weights(&hierarchy.weights, spread);
        Ok(hierarchy)
    }
}
