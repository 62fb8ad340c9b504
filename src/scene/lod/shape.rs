//! The shape of the hierarchy and the spatial split that fills it.
//!
//! The tree is a k-d tree whose every node collapses `log2(branching)` binary
//! levels: a node's splats are cut on the longest axis of their centres' bounding
//! box, each side again on its own longest axis, and so on `log2(branching)`
//! times (H3DGS's `PointbasedKdTreeGenerator` makes the binary tree; branching 2
//! is exactly that). A part of one splat is a leaf.
//!
//! **Where the cuts fall.** A node of `m` splats has children that hold at most
//! `c = branching^(h-1)` splats each, where `branching^h >= m`. Each halving gives
//! its left side as many splats as full child subtrees fit (`c` times the number
//! of children that side will have) and the rest to the right; a side that needs
//! no cut passes down whole. So every node is full except along one path per
//! subtree, and a tree of `N` splats has about `N / (branching - 1)` interior
//! nodes. (Cutting at the median instead leaves many two- and three-splat nodes at
//! the bottom: 0.57 N interior nodes for biker with branching 4, against 0.33 N.)
//!
//! Because the cut positions depend only on counts, the shape — node count,
//! parents, children, the range of the permuted splat list each node covers —
//! depends on the splat count alone. It is laid out first, in breadth-first order
//! (so a parent's index is below its children's, and each node's children are
//! contiguous), and the data only decides which splat lands in which range. Each
//! level's nodes cover disjoint ranges, so a level is split in parallel.

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
                let len = range.len() as u32;
                split_sizes(len, levels, child_capacity(len, branching), &mut parts);
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

/// Most splats a child of a node of `len` splats holds: `branching^(h-1)` with
/// `branching^h >= len` (1 for `len <= branching`).
pub fn child_capacity(len: u32, branching: u32) -> u64 {
    let mut capacity = 1u64;
    while capacity * u64::from(branching) < u64::from(len) {
        capacity *= u64::from(branching);
    }
    capacity
}

/// What a halving does to a group of `len` splats with `levels` halvings left,
/// whose final parts hold at most `capacity` splats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Halving {
    /// The group is one part (one child).
    Part,
    /// No cut at this level: the group goes on to the next halving whole.
    Pass,
    /// Cut after the first `left` splats.
    Cut(u32),
}

pub fn halving(len: u32, levels: u32, capacity: u64) -> Halving {
    if levels == 0 || u64::from(len) <= capacity {
        return Halving::Part;
    }
    let half = capacity << (levels - 1);
    if u64::from(len) <= half {
        Halving::Pass
    } else {
        // half < len <= u32::MAX here.
        Halving::Cut(half as u32)
    }
}

/// Sizes of the parts of a node of `len` splats (see the module docs).
fn split_sizes(len: u32, levels: u32, capacity: u64, out: &mut Vec<u32>) {
    match halving(len, levels, capacity) {
        Halving::Part => out.push(len),
        Halving::Pass => split_sizes(len, levels - 1, capacity, out),
        Halving::Cut(left) => {
            split_sizes(left, levels - 1, capacity, out);
            split_sizes(len - left, levels - 1, capacity, out);
        }
    }
}

/// A splat centre and its index, the element the split moves around.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SplitItem {
    pub position: [f32; 3],
    pub splat: u32,
}

/// Reorders `items` (one node's range) so that each of its parts, as the module
/// docs size them, holds the splats of that part: `levels` halvings on the longest
/// axis of the centres' bounding box, parts of at most `capacity` splats. Ties and
/// non-finite coordinates are ordered by `f32::total_cmp` and then by splat index,
/// so the parts' contents do not depend on the input order.
pub fn split_node(items: &mut [SplitItem], levels: u32, capacity: u64) {
    match halving(items.len() as u32, levels, capacity) {
        Halving::Part => {}
        Halving::Pass => split_node(items, levels - 1, capacity),
        Halving::Cut(left) => {
            let (low, high) = split_once(items, left as usize);
            split_node(low, levels - 1, capacity);
            split_node(high, levels - 1, capacity);
        }
    }
}

/// Moves the `left` splats lowest on the longest axis first (`0 < left < len`).
pub fn split_once(items: &mut [SplitItem], left: usize) -> (&mut [SplitItem], &mut [SplitItem]) {
    let axis = longest_axis(items);
    if left < items.len() {
        items.select_nth_unstable_by(left, |a, b| {
            a.position[axis]
                .total_cmp(&b.position[axis])
                .then(a.splat.cmp(&b.splat))
        });
    }
    items.split_at_mut(left.min(items.len()))
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
    fn split_puts_the_low_parts_first_along_the_longest_axis() {
        let mut items: Vec<SplitItem> = (0..16)
            .map(|i| SplitItem {
                position: [0.0, (15 - i) as f32 * 10.0, (i % 3) as f32],
                splat: i,
            })
            .collect();
        assert_eq!(child_capacity(16, 4), 4);
        split_node(&mut items, 2, 4);
        let part = |range: Range<usize>| {
            let mut s: Vec<u32> = items[range].iter().map(|i| i.splat).collect();
            s.sort_unstable();
            s
        };
        // y decreases with the index, so the lowest-y quarter is splats 12..16.
        assert_eq!(part(0..4), [12, 13, 14, 15]);
        assert_eq!(part(4..8), [8, 9, 10, 11]);
        assert_eq!(part(8..12), [4, 5, 6, 7]);
        assert_eq!(part(12..16), [0, 1, 2, 3]);
    }

    #[test]
    fn nodes_are_full_but_for_one_path() {
        // 5 splats, branching 4: a full child of 4 and a leaf.
        let mut parts = Vec::new();
        split_sizes(5, 2, child_capacity(5, 4), &mut parts);
        assert_eq!(parts, [4, 1]);
        parts.clear();
        split_sizes(17, 2, child_capacity(17, 4), &mut parts);
        assert_eq!(parts, [16, 1]);
        parts.clear();
        split_sizes(3, 2, child_capacity(3, 4), &mut parts);
        assert_eq!(parts, [1, 1, 1]);
        // Interior nodes stay near N / (k - 1) for any N.
        for n in [152_746u32, 90_854, 100_001] {
            for k in [2u32, 4, 8] {
                let shape = TreeShape::new(n, k);
                let interior = shape.node_count() - n as usize;
                let bound = n as f64 / f64::from(k - 1) + 2.0 * shape.depth_count() as f64;
                assert!(
                    interior as f64 <= bound,
                    "n {n}, k {k}: {interior} interior nodes"
                );
            }
        }
    }
}
