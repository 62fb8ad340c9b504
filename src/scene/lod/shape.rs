//! The shape of the hierarchy and the spatial split that fills it.
//!
//! The tree is a k-d tree whose every node collapses `log2(branching)` binary
//! levels: a node covering `m` splats is cut at the median of the longest axis of
//! its splat centres' bounding box, each half again at its own longest axis, and
//! so on `log2(branching)` times (H3DGS's `PointbasedKdTreeGenerator` makes the
//! binary tree; branching 2 is exactly that). A part of one splat is a leaf.
//!
//! Because every cut is at the median (the left part takes `ceil(m / 2)`), the
//! shape — node count, parents, children, the range of the permuted splat list
//! each node covers — depends on the splat count alone. It is laid out first, in
//! breadth-first order (so a parent's index is below its children's, and each
//! node's children are contiguous), and the data only decides which splat lands
//! in which range. Each level's nodes cover disjoint ranges, so a level is split
//! in parallel.

use std::ops::Range;

/// The shape of a hierarchy over `splat_count` splats, breadth-first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeShape {
    /// The range of the permuted splat list each node covers.
    pub ranges: Vec<Range<u32>>,
    /// Parent of each node (`u32::MAX` for the root).
    pub parents: Vec<u32>,
    /// Children of each node (empty for leaves).
    pub children: Vec<Range<u32>>,
    /// Node index where each depth starts, plus the node count at the end.
    pub level_starts: Vec<u32>,
}

impl TreeShape {
    /// The shape for `splat_count` splats with up to `branching` (2, 4 or 8)
    /// children per node. `splat_count` must fit in `u32` with room for the nodes
    /// (the caller checks).
    pub fn new(splat_count: u32, branching: u32) -> Self {
        let levels = branching.max(2).ilog2();
        let mut shape = Self {
            ranges: Vec::new(),
            parents: Vec::new(),
            children: Vec::new(),
            level_starts: vec![0],
        };
        if splat_count == 0 {
            return shape;
        }
        let capacity =
            splat_count as usize + (splat_count as usize).div_ceil(branching as usize - 1);
        shape.ranges.reserve(capacity);
        shape.parents.reserve(capacity);
        shape.children.reserve(capacity);
        shape.ranges.push(0..splat_count);
        shape.parents.push(u32::MAX);
        let mut parts = Vec::with_capacity(branching as usize);
        let mut level_end = 1usize;
        let mut node = 0usize;
        while node < shape.ranges.len() {
            if node == level_end {
                shape.level_starts.push(node as u32);
                level_end = shape.ranges.len();
            }
            let range = shape.ranges[node].clone();
            let first = shape.ranges.len() as u32;
            if range.len() > 1 {
                parts.clear();
                split_sizes(range.len() as u32, levels, &mut parts);
                let mut start = range.start;
                for &size in &parts {
                    shape.ranges.push(start..start + size);
                    shape.parents.push(node as u32);
                    start += size;
                }
            }
            shape.children.push(first..shape.ranges.len() as u32);
            node += 1;
        }
        shape.level_starts.push(shape.ranges.len() as u32);
        shape
    }

    pub fn node_count(&self) -> usize {
        self.ranges.len()
    }

    /// Number of depths (1 for a single splat, 0 for none).
    pub fn depth_count(&self) -> usize {
        self.level_starts.len() - 1
    }

    pub fn is_leaf(&self, node: usize) -> bool {
        self.children[node].is_empty()
    }

    /// Nodes of depth `depth`.
    pub fn level(&self, depth: usize) -> Range<usize> {
        self.level_starts[depth] as usize..self.level_starts[depth + 1] as usize
    }
}

/// Sizes of the parts of `len` splats after `levels` median halvings (halving
/// stops at parts of one splat); the left part takes the extra splat.
fn split_sizes(len: u32, levels: u32, out: &mut Vec<u32>) {
    if levels == 0 || len <= 1 {
        out.push(len);
        return;
    }
    let left = len.div_ceil(2);
    split_sizes(left, levels - 1, out);
    split_sizes(len - left, levels - 1, out);
}

/// A splat centre and its index, the element the split moves around.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SplitItem {
    pub position: [f32; 3],
    pub splat: u32,
}

/// Reorders `items` (one node's range) so that each of its parts, as
/// [`split_sizes`] sizes them, holds the splats of that part: median halvings on
/// the longest axis of the centres' bounding box, `levels` deep. Ties and
/// non-finite coordinates are ordered by `f32::total_cmp` and then by splat index,
/// so the parts' contents do not depend on the input order.
pub fn split_node(items: &mut [SplitItem], levels: u32) {
    if levels == 0 || items.len() <= 1 {
        return;
    }
    let (low, high) = split_once(items);
    split_node(low, levels - 1);
    split_node(high, levels - 1);
}

/// One median halving of `items` (at least 2) on the longest axis: the lower
/// `ceil(len / 2)` first.
pub fn split_once(items: &mut [SplitItem]) -> (&mut [SplitItem], &mut [SplitItem]) {
    let axis = longest_axis(items);
    let left = items.len().div_ceil(2);
    if left < items.len() {
        items.select_nth_unstable_by(left, |a, b| {
            a.position[axis]
                .total_cmp(&b.position[axis])
                .then(a.splat.cmp(&b.splat))
        });
    }
    items.split_at_mut(left)
}

/// Axis of the largest extent of the finite centres (0 when none is finite).
fn longest_axis(items: &[SplitItem]) -> usize {
    let mut min = [f32::INFINITY; 3];
    let mut max = [f32::NEG_INFINITY; 3];
    for item in items {
        for axis in 0..3 {
            let v = item.position[axis];
            if v.is_finite() {
                min[axis] = min[axis].min(v);
                max[axis] = max[axis].max(v);
            }
        }
    }
    let extent = |axis: usize| {
        let e = max[axis] - min[axis];
        if e.is_finite() { e } else { 0.0 }
    };
    let mut best = 0;
    for axis in 1..3 {
        if extent(axis) > extent(best) {
            best = axis;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_counts_and_links() {
        for &(n, branching) in &[(1u32, 4u32), (2, 4), (5, 4), (17, 2), (100, 8), (1000, 4)] {
            let shape = TreeShape::new(n, branching);
            let leaves = (0..shape.node_count())
                .filter(|&i| shape.is_leaf(i))
                .count();
            assert_eq!(leaves, n as usize, "n = {n}, branching {branching}");
            for node in 0..shape.node_count() {
                let children = shape.children[node].clone();
                assert!(children.len() <= branching as usize);
                assert_ne!(children.len(), 1, "a single child would be a useless level");
                let mut start = shape.ranges[node].start;
                for child in children {
                    assert_eq!(shape.parents[child as usize], node as u32);
                    assert!(child as usize > node);
                    assert_eq!(shape.ranges[child as usize].start, start);
                    start = shape.ranges[child as usize].end;
                }
                if !shape.is_leaf(node) {
                    assert_eq!(start, shape.ranges[node].end);
                } else {
                    assert_eq!(shape.ranges[node].len(), 1);
                }
            }
            // Levels: depth d + 1 holds exactly the children of depth d.
            for depth in 0..shape.depth_count() {
                for node in shape.level(depth) {
                    for child in shape.children[node].clone() {
                        assert!(shape.level(depth + 1).contains(&(child as usize)));
                    }
                }
            }
        }
        assert_eq!(TreeShape::new(0, 4).node_count(), 0);
        // Balanced: 4^5 splats with branching 4 make a full tree of depth 6.
        let full = TreeShape::new(1024, 4);
        assert_eq!(full.depth_count(), 6);
        assert_eq!(full.node_count(), 1024 + 256 + 64 + 16 + 4 + 1);
    }

    #[test]
    fn split_puts_the_low_half_first_along_the_longest_axis() {
        let mut items: Vec<SplitItem> = (0..8)
            .map(|i| SplitItem {
                position: [0.0, (7 - i) as f32 * 10.0, (i % 3) as f32],
                splat: i,
            })
            .collect();
        split_node(&mut items, 2);
        let part = |range: Range<usize>| {
            let mut s: Vec<u32> = items[range].iter().map(|i| i.splat).collect();
            s.sort_unstable();
            s
        };
        // y decreases with the index, so the low-y half is splats 4..8.
        assert_eq!(part(0..2), [6, 7]);
        assert_eq!(part(2..4), [4, 5]);
        assert_eq!(part(4..6), [2, 3]);
        assert_eq!(part(6..8), [0, 1]);
    }
}
