//! The cut: which nodes to draw for a camera, and how opaque (on the CPU).
//!
//! The rules below define the result exactly (docs/LOD.md has them with
//! sources); `cut_reference` computes it the obvious way, and [`cut_with`] the
//! same result visiting only what the budget reaches:
//!
//! 1. **Expand by size.** A node is a *candidate* for expansion when it is interior,
//!    its sphere may be in the view ([`NodeView::is_visible`]), its projected
//!    diameter exceeds the threshold (`extent_px > threshold_px`; unknown sizes
//!    count as infinite) and its parent is expanded. Culled nodes draw nothing:
//!    their whole subtree is skipped.
//! 2. **Budget.** Without a budget every candidate is expanded. With one, the
//!    candidates are ranked by `p̂`, their priority capped by their parent's
//!    (`p̂ = min(p, p̂_parent)`, as PlayCanvas's budget balancer caps each finer
//!    level's priority by the coarser one), where
//!    `p = coverage_px x extent_px x (SPREAD_FLOOR + spread) / max(children - 1, 1)`
//!    (the last two factors of coverage folded into `LodHierarchy::ranking_weights`):
//!    opaque screen area times the size of the detail that expanding recovers,
//!    times how much its colours differ (the node's colour spread, the RMS
//!    distance of the scene colours below it from its merged colour:
//!    [`super::colour_spread`]), per extra splat (PlayCanvas ranks `lodCoverage x
//!    error reduction / added splats`). They are
//!    expanded in order of decreasing `p̂` (ties: lower node index first) until the
//!    next would take the drawn count over the budget; that one and all after it
//!    stay merged. Because `p̂` never grows going down and parents come first on
//!    ties, the expanded set is every candidate ranked above a cut-off: a GPU can
//!    find the cut-off with a histogram, as `splat_budget.wgsl` does for splats.
//!    The root is always drawn, so the budget is at least 1.
//! 3. **Smooth transitions.** An expanded node fades out while its children fade
//!    in, over a band of sizes: with `B = transition_band`,
//!    `t = clamp((extent_px - threshold) / ((B - 1) threshold), 0, 1)` (1 when
//!    `extent_px >= B threshold`, when `B <= 1` or at threshold 0). The parent is
//!    drawn with factor `F (1 - t)` while `t < 1` and its children inherit `F t`,
//!    where `F` is the parent's own inherited factor (1 at the root). Along any
//!    root-to-leaf path the factors of the drawn nodes sum to 1, and each moves
//!    continuously with the camera while the budget does not bind. H3DGS (its
//!    `computeTsIndexed` and rasterizer) blends the same band, 1x to 2x the target
//!    size, by interpolating each child's attributes towards its parent's; a
//!    factor per drawn splat gives the renderer one index list and one number per
//!    entry instead of a parent look-up per splat.
//!
//! The output lists the drawn splats (extended-cloud indices, ascending, so a cut
//! of only leaves keeps the scene's order) with an **opacity factor** each: the
//! renderer multiplies the splat's opacity (after the sigmoid) by it.

// `!(x <= y)` is deliberate: a NaN size must expand the node, as documented.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use super::LodHierarchy;
use super::frontier::{Frontier, Ranked};
use super::occlusion::{OcclusionMap, VISIBILITY_FLOOR};
use super::prefetch::prefetch;
use super::scratch::{CutScratch, EmitScratch};
use super::view::NodeView;
use crate::scene::SplatCloud;
use crate::scene::camera::{NEAR_PLANE, PinholeCamera};

/// What the cut is asked for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CutParams {
    /// Expand a node while its projected diameter exceeds this many pixels
    /// (0 expands everything in view: all visible leaves are drawn).
    pub threshold_px: f32,
    /// Draw at most this many splats (`None`: no limit). At least the root is drawn.
    pub budget: Option<usize>,
    /// Width of the fade between a node and its children, as a ratio of sizes:
    /// children fade in while the parent's extent grows from `threshold_px` to
    /// `transition_band * threshold_px`. 1 (or less) switches at once.
    pub transition_band: f32,
    /// Pixels added around the image before frustum culling (see [`NodeView`]).
    pub margin_px: f32,
    /// Near and far clipping depths (camera-space z) of the renderer.
    pub near_plane: f32,
    pub far_plane: Option<f32>,
    /// Under a budget, rank candidates by how visible they are too (rule 2;
    /// an estimate from a coarse cut: [`super::occlusion`]).
    pub occlusion: bool,
}

impl Default for CutParams {
    fn default() -> Self {
        Self {
            threshold_px: 2.0,
            budget: None,
            transition_band: 2.0,
            margin_px: 2.0,
            near_plane: NEAR_PLANE,
            far_plane: None,
            occlusion: true,
        }
    }
}

/// The nodes drawn for one camera.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LodCut {
    /// Extended-cloud indices of the drawn splats, ascending.
    pub splats: Vec<u32>,
    /// Opacity factor of each drawn splat, in (0, 1].
    pub opacity_factors: Vec<f32>,
    /// Node of each drawn splat.
    pub nodes: Vec<u32>,
    /// Depth (level) of each drawn splat's node, 0 at the root.
    pub levels: Vec<u16>,
    /// Nodes that the size rule would expand but `can_expand` refused (a
    /// child's data is not on the GPU yet, for paging): their children are
    /// wanted next.
    pub refused: Vec<u32>,
    /// The ranking priority (rule 2's p̂) of each node of `refused`.
    pub refused_priority: Vec<f32>,
    /// Each expanded node and its priority, by node: what the pages holding
    /// its children are worth to this cut (paging keeps the most valuable
    /// ones when the pool is full).
    pub expanded: Vec<(u32, f32)>,
    /// Nodes whose visibility and size were evaluated.
    pub nodes_visited: usize,
    /// Nodes (subtrees) culled by the frustum.
    pub nodes_culled: usize,
    /// Nodes expanded.
    pub nodes_expanded: usize,
    /// Shallowest and deepest depth drawn (`None` when nothing is drawn).
    pub depth_range: Option<(usize, usize)>,
}

impl LodCut {
    pub fn len(&self) -> usize {
        self.splats.len()
    }

    pub fn is_empty(&self) -> bool {
        self.splats.is_empty()
    }

    /// The drawn splats as a cloud, with the opacity factors applied (a factor of
    /// 1 keeps the splat bit for bit). `scene` must be the hierarchy's scene.
    pub fn to_cloud(&self, scene: &SplatCloud, hierarchy: &LodHierarchy) -> Option<SplatCloud> {
        let n = hierarchy.splat_count();
        let interior = hierarchy.interior();
        if scene.len() != n || scene.sh_degree != interior.sh_degree {
            return None;
        }
        let mut out = SplatCloud::new(scene.sh_degree);
        out.set_aa_hint(scene.aa_hint.clone());
        out.reserve(self.splats.len());
        for (&splat, &factor) in self.splats.iter().zip(&self.opacity_factors) {
            let splat = splat as usize;
            if splat < n {
                out.push_from(scene, splat, [0.0; 3]);
            } else {
                out.push_from(interior, splat - n, [0.0; 3]);
            }
            if factor != 1.0
                && let Some(logit) = out.opacity_logits.last_mut()
            {
                *logit = scaled_opacity_logit(*logit, factor);
            }
        }
        Some(out)
    }
}

/// The logit of `sigmoid(logit) * factor`.
pub fn scaled_opacity_logit(logit: f32, factor: f32) -> f32 {
    let opacity = 1.0 / (1.0 + (-f64::from(logit)).exp()) * f64::from(factor);
    (opacity / (1.0 - opacity)).ln() as f32
}

/// A node reached by the traversal (its parent is a candidate).
#[derive(Clone, Copy, Debug)]
pub(super) struct Entry {
    pub node: u32,
    /// Index of the parent's entry (`u32::MAX` for the root).
    pub parent: u32,
    pub depth: u32,
    pub visible: bool,
    pub candidate: bool,
    pub expanded: bool,
    /// Transition weight of the children (1 = parent no longer drawn).
    pub t: f32,
    /// Budget priority, capped by the parent's.
    pub priority: f32,
    pub visible_children: u32,
}

impl Entry {
    pub fn reached(node: u32, parent: u32, depth: u32) -> Self {
        Self {
            node,
            parent,
            depth,
            visible: false,
            candidate: false,
            expanded: false,
            t: 1.0,
            priority: f32::INFINITY,
            visible_children: 0,
        }
    }

    /// Drawn splats that expanding this candidate adds (its visible children,
    /// and itself again while it fades out, minus itself).
    pub fn expansion_cost(&self) -> i64 {
        i64::from(self.visible_children) + i64::from(self.t < 1.0) - 1
    }
}

/// The per-node rules of the cut (visibility, size, fade, priority), shared
/// by [`cut_with`] and the exhaustive reference (`cut_reference`).
pub(super) struct Rules<'a> {
    pub hierarchy: &'a LodHierarchy,
    pub view: NodeView,
    pub threshold: f32,
    pub band: f32,
    /// Under a budget with `CutParams::occlusion`: what hides what.
    pub occlusion: Option<OcclusionMap>,
}

impl<'a> Rules<'a> {
    pub fn new(hierarchy: &'a LodHierarchy, camera: &PinholeCamera, params: &CutParams) -> Self {
        Self {
            hierarchy,
            view: NodeView::new(
                camera,
                params.margin_px.max(0.0),
                params.near_plane,
                params.far_plane.unwrap_or(f32::INFINITY),
            ),
            threshold: params.threshold_px.max(0.0),
            band: params.transition_band,
            occlusion: occlusion_map(hierarchy, camera, params),
        }
    }

    /// Evaluates `entries[index]` (visibility, and for a candidate its fade
    /// and priority) and counts it among its parent's visible children; true
    /// for a candidate (whether its children are resident is asked apart).
    pub fn evaluate(&self, entries: &mut [Entry], index: usize) -> bool {
        let entry = entries[index];
        let node = &self.hierarchy.nodes()[entry.node as usize];
        let visible = self.view.is_visible(node);
        entries[index].visible = visible;
        if entry.parent != u32::MAX && visible {
            entries[entry.parent as usize].visible_children += 1;
        }
        let extent = self.view.extent_px(node);
        let threshold = self.threshold;
        let wanted = visible && !node.is_leaf() && !(extent <= threshold);
        if !wanted {
            return false;
        }
        // Coverage times (SPREAD_FLOOR + colour spread), folded into one weight.
        let weighted_coverage = self
            .view
            .coverage_px(node, self.hierarchy.ranking_weights()[entry.node as usize]);
        let extra_splats = node.child_count.saturating_sub(1).max(1) as f32;
        let mut priority = weighted_coverage * extent / extra_splats;
        if let Some(occlusion) = &self.occlusion {
            priority *= VISIBILITY_FLOOR + (1.0 - VISIBILITY_FLOOR) * occlusion.visibility(node);
        }
        if priority.is_nan() {
            priority = f32::INFINITY;
        }
        if entry.parent != u32::MAX {
            priority = priority.min(entries[entry.parent as usize].priority);
        }
        let band = self.band;
        let reached = &mut entries[index];
        reached.priority = priority;
        reached.candidate = true;
        reached.t = if !(extent < band * threshold) {
            1.0
        } else {
            ((extent - threshold) / ((band - 1.0) * threshold)).clamp(0.0, 1.0)
        };
        true
    }

    /// Adds an entry for each child of candidate `entries[index]`, evaluated;
    /// returns the range of the new entries.
    pub fn reach_children(&self, entries: &mut Vec<Entry>, index: usize) -> std::ops::Range<usize> {
        let entry = entries[index];
        let first = entries.len();
        for child in self.hierarchy.nodes()[entry.node as usize].children() {
            entries.push(Entry::reached(child as u32, index as u32, entry.depth + 1));
            let reached = entries.len() - 1;
            self.evaluate(entries, reached);
        }
        first..entries.len()
    }
}

/// Budget of the coarse cut whose nodes stand for the scene's opacity
/// ([`occlusion_map`]): this fraction of the cut's budget.
const OCCLUDER_BUDGET_DIVISOR: usize = 8;
/// ... and at least this many nodes.
const MIN_OCCLUDERS: usize = 256;

/// The occlusion estimate of rule 2, from a coarse cut of the same view
/// (`None` without a budget, where ranking does not matter, or when not asked).
fn occlusion_map(
    hierarchy: &LodHierarchy,
    camera: &PinholeCamera,
    params: &CutParams,
) -> Option<OcclusionMap> {
    let budget = params.budget.filter(|_| params.occlusion)?;
    let coarse = CutParams {
        budget: Some((budget / OCCLUDER_BUDGET_DIVISOR).max(MIN_OCCLUDERS)),
        occlusion: false,
        ..*params
    };
    let occluders = cut_with(hierarchy, camera, &coarse, |_| true);
    OcclusionMap::build(
        hierarchy,
        camera,
        params.near_plane,
        occluders
            .nodes
            .iter()
            .copied()
            .zip(occluders.opacity_factors.iter().copied()),
    )
}

/// What the cut asks about paging: may a node be expanded (are its children's
/// data on the GPU)? Any `Fn(u32) -> bool` answers it.
pub trait Residency {
    /// Whether `node` may be expanded (all its children resident).
    fn can_expand(&self, node: u32) -> bool;

    /// The cut will soon ask [`Self::can_expand`] of the node whose children
    /// start at `first_child`: start loading what the answer reads.
    fn prefetch(&self, _first_child: u32) {}
}

impl<F: Fn(u32) -> bool> Residency for F {
    fn can_expand(&self, node: u32) -> bool {
        self(node)
    }
}

/// Chooses the splats to draw for `camera` (see the module docs for the rules).
pub fn cut(hierarchy: &LodHierarchy, camera: &PinholeCamera, params: &CutParams) -> LodCut {
    cut_with(hierarchy, camera, params, |_| true)
}

/// [`cut`], expanding only nodes for which `can_expand(node)` holds (paging: all
/// children resident); a node it refuses is drawn itself, as a leaf of the cut,
/// and listed in [`LodCut::refused`].
///
/// The result is the exhaustive reference's (`cut_reference::cut_reference_with`,
/// tested equal), found without visiting what the budget would not reach: the
/// candidates wait in a frontier (frontier.rs) ranked by the rule-2 order, and a candidate's
/// children are reached only when it is taken from the frontier. Because the
/// capped priority never grows going down and parents win ties, every candidate
/// the reference ranks above its cut-off is taken before any below it, and the
/// first that does not fit ends the cut, as in the reference. Under a budget the
/// work follows the budget, not the scene. Residency is asked only of the
/// candidates taken; `refused` then lists only nodes met above the cut-off,
/// best first: the pages the budget would use.
pub fn cut_with(
    hierarchy: &LodHierarchy,
    camera: &PinholeCamera,
    params: &CutParams,
    residency: impl Residency,
) -> LodCut {
    if hierarchy.nodes().is_empty() {
        return LodCut::default();
    }
    let can_expand = |node| residency.can_expand(node);
    let rules = Rules::new(hierarchy, camera, params);
    let mut scratch = CutScratch::take();
    let CutScratch {
        entries,
        emit: emit_scratch,
    } = &mut *scratch;
    entries.clear();
    entries.push(Entry::reached(0, u32::MAX, 0));
    rules.evaluate(entries, 0);
    let mut refused = Vec::new();
    let Some(budget) = params.budget else {
        // No budget: every candidate is expanded, breadth-first.
        let mut next = 0;
        while next < entries.len() {
            if entries[next].candidate {
                if can_expand(entries[next].node) {
                    entries[next].expanded = true;
                    rules.reach_children(entries, next);
                } else {
                    entries[next].candidate = false;
                    refused.push((entries[next].node, entries[next].priority));
                }
            }
            next += 1;
        }
        let cut = emit(hierarchy, entries, refused, emit_scratch);
        scratch.keep();
        return cut;
    };

    let budget = i64::try_from(budget.max(1)).unwrap_or(i64::MAX);
    let mut drawn = i64::from(entries[0].visible);
    let mut frontier = Frontier::new();
    let (nodes, ranking_weights) = (hierarchy.nodes(), hierarchy.ranking_weights());
    let rank = |entries: &[Entry], e: usize| Ranked {
        priority: entries[e].priority,
        node: entries[e].node,
        entry: e as u32,
        first_child: nodes[entries[e].node as usize].first_child,
    };
    if entries[0].candidate {
        frontier.push(rank(entries, 0));
    }
    while let Some(next) = frontier.pop() {
        // The candidate after this one (unless this one's children outrank
        // it): start loading what taking it reads while this one is handled.
        if let Some(ahead) = frontier.peek() {
            let first_child = ahead.first_child as usize;
            prefetch(entries, ahead.entry as usize);
            prefetch(nodes, ahead.node as usize);
            for child in [first_child, first_child + 2, first_child + 3] {
                prefetch(nodes, child);
            }
            prefetch(ranking_weights, first_child);
            residency.prefetch(ahead.first_child);
        }
        let e = next.entry as usize;
        let node = entries[e].node;
        // Residency is asked only of the candidates the ranking reaches: a
        // refused one is drawn as it is, takes no budget, and is wanted (listed)
        // if expanding it would have fitted.
        if !can_expand(node) {
            entries[e].candidate = false;
            let children = hierarchy.nodes()[node as usize].child_count;
            if drawn + i64::from(children) - 1 <= budget {
                refused.push((node, entries[e].priority));
            }
            continue;
        }
        let children = rules.reach_children(entries, e);
        if drawn + entries[e].expansion_cost() > budget {
            break;
        }
        drawn += entries[e].expansion_cost();
        entries[e].expanded = true;
        for child in children {
            if entries[child].candidate {
                frontier.push(rank(entries, child));
            }
        }
    }
    let cut = emit(hierarchy, entries, refused, emit_scratch);
    scratch.keep();
    cut
}

/// Rule 3: the drawn nodes of `entries` (parents before children) with their
/// opacity factors, sorted by splat.
/// `refused` holds each refused node with its priority.
/// `scratch`'s vectors are working memory (kept for the next cut).
pub(super) fn emit(
    hierarchy: &LodHierarchy,
    entries: &[Entry],
    refused: Vec<(u32, f32)>,
    scratch: &mut EmitScratch,
) -> LodCut {
    let nodes = hierarchy.nodes();
    let (refused, refused_priority) = refused.into_iter().unzip();
    let mut result = LodCut {
        refused,
        refused_priority,
        nodes_visited: entries.len(),
        ..Default::default()
    };
    let EmitScratch {
        factors,
        drawn,
        order,
        spare,
    } = scratch;
    factors.clear();
    factors.resize(entries.len(), 0.0);
    drawn.clear();
    // Entries are read in order, their parents and nodes wherever they are:
    // those are loaded a few entries ahead.
    const AHEAD: usize = 16;
    for (i, entry) in entries.iter().enumerate() {
        if let Some(ahead) = entries.get(i + AHEAD) {
            prefetch(entries, ahead.parent as usize);
            prefetch(factors, ahead.parent as usize);
            prefetch(nodes, ahead.node as usize);
        }
        let inherited = match entry.parent {
            u32::MAX => 1.0,
            p if entries[p as usize].expanded => factors[p as usize] * entries[p as usize].t,
            _ => continue,
        };
        if !entry.visible {
            result.nodes_culled += 1;
            continue;
        }
        factors[i] = inherited;
        let own = if entry.expanded {
            result.nodes_expanded += 1;
            result.expanded.push((entry.node, entry.priority));
            inherited * (1.0 - entry.t)
        } else {
            inherited
        };
        if own > 0.0 {
            drawn.push((
                nodes[entry.node as usize].splat,
                own,
                entry.node,
                entry.depth.min(u32::from(u16::MAX)) as u16,
            ));
            let depth = entry.depth as usize;
            result.depth_range = Some(match result.depth_range {
                None => (depth, depth),
                Some((lo, hi)) => (lo.min(depth), hi.max(depth)),
            });
        }
    }
    // One order whatever the traversal's (the same cut compares equal).
    result.expanded.sort_unstable_by_key(|&(node, _)| node);
    // By splat: the keys are sorted, then the records gathered (prefetched).
    order.clear();
    order.extend(
        (0..)
            .zip(drawn.iter())
            .map(|(place, d)| u64::from(d.0) << 32 | place),
    );
    super::radix::sort_by_high_word_using(order, spare);
    let count = order.len();
    result.splats.reserve_exact(count);
    result.opacity_factors.reserve_exact(count);
    result.nodes.reserve_exact(count);
    result.levels.reserve_exact(count);
    for (i, &key) in order.iter().enumerate() {
        if let Some(&ahead) = order.get(i + AHEAD) {
            prefetch(drawn, ahead as u32 as usize);
        }
        let (splat, factor, node, level) = drawn[key as u32 as usize];
        result.splats.push(splat);
        result.opacity_factors.push(factor);
        result.nodes.push(node);
        result.levels.push(level);
    }
    result
}
