//! Which pages of a level-of-detail hierarchy are resident on the GPU: a fixed
//! pool of slots, a page table, least-recently-used eviction and priority
//! streaming. Pure bookkeeping (no GPU types), so it is unit-tested.
//!
//! A page is `page_size` consecutive *positions* of a [`PageLayout`]: the nodes
//! laid out as treelets (connected pieces of the tree, each filled breadth-first
//! from its top, siblings never split across pages when they fit one), so a page
//! holds one region of the scene over a few levels, and a cut that follows the
//! camera touches few pages. (Laid out in plain breadth-first order instead, every
//! page holds one level's nodes from all over the scene, and any cut needs nearly
//! every page: on biker, 100% of the pages for an 18k-splat cut.) The same idea
//! as the cluster groups of virtualised geometry (Nanite's hierarchy pages) and
//! the spatial chunks H3DGS streams. Page 0 holds the root and is pinned.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::scene::lod::LodNode;
use crate::scene::lod::prefetch::prefetch;

/// Where each node sits in the paged order, and which node sits at each position.
#[derive(Clone, Debug, PartialEq)]
pub struct PageLayout {
    page_size: u32,
    /// Per node: its position.
    position_of: Vec<u32>,
    /// Per position: its node, or [`PageLayout::HOLE`].
    node_at: Vec<u32>,
}

impl PageLayout {
    /// A position that holds no node (padding so a sibling group starts a page).
    pub const HOLE: u32 = u32::MAX;

    /// Nodes in their own order (node `i` at position `i`).
    pub fn identity(node_count: usize, page_size: u32) -> Self {
        let ids: Vec<u32> = (0..node_count as u32).collect();
        Self {
            page_size: page_size.max(1),
            position_of: ids.clone(),
            node_at: ids,
        }
    }

    /// The treelet layout of a hierarchy (root at position 0). Treelets are taken
    /// coarse first: the root's, then one for each node whose children did not
    /// fit, in the order they were left; each fills the rest of the current page
    /// with whole sibling groups, breadth-first within its subtree. A treelet whose
    /// first group does not fit the rest of a page starts the next page (the rest
    /// stays empty), unless the group is larger than a page.
    pub fn treelets(nodes: &[LodNode], page_size: u32) -> Self {
        let page_size = page_size.max(1) as usize;
        let mut node_at: Vec<u32> = Vec::with_capacity(nodes.len());
        if nodes.is_empty() {
            return Self::identity(0, page_size as u32);
        }
        node_at.push(0);
        let has_children = |n: usize| nodes.get(n).is_some_and(|node| !node.is_leaf());
        let mut pending: VecDeque<usize> = VecDeque::new();
        if has_children(0) {
            pending.push_back(0);
        }
        while let Some(top) = pending.pop_front() {
            let mut local = VecDeque::from([top]);
            let mut room = page_size - node_at.len() % page_size;
            let mut first = true;
            while let Some(parent) = local.pop_front() {
                let group = nodes[parent].children();
                let len = group.len();
                if len > room {
                    if first && len <= page_size {
                        node_at.resize(node_at.len() + room, Self::HOLE);
                        room = page_size;
                    } else if !first {
                        pending.push_back(parent);
                        pending.extend(local.drain(..));
                        break;
                    }
                }
                first = false;
                for child in group {
                    node_at.push(child as u32);
                    if has_children(child) {
                        local.push_back(child);
                    }
                }
                room = room.saturating_sub(len);
            }
        }
        let mut position_of = vec![Self::HOLE; nodes.len()];
        for (position, &node) in node_at.iter().enumerate() {
            if let Some(slot) = position_of.get_mut(node as usize) {
                *slot = position as u32;
            }
        }
        Self {
            page_size: page_size as u32,
            position_of,
            node_at,
        }
    }

    pub fn page_size(&self) -> u32 {
        self.page_size
    }

    pub fn page_count(&self) -> usize {
        self.node_at.len().div_ceil(self.page_size as usize).max(1)
    }

    /// The position of `node` ([`Self::HOLE`] for a node outside the hierarchy).
    pub fn position_of(&self, node: u32) -> u32 {
        self.position_of
            .get(node as usize)
            .copied()
            .unwrap_or(Self::HOLE)
    }

    /// The page holding `node` (past the last page for a node outside the
    /// hierarchy).
    pub fn page_of(&self, node: u32) -> u32 {
        self.position_of(node) / self.page_size
    }

    /// Starts loading `node`'s row (what [`Self::position_of`] reads) into the
    /// cache.
    pub fn prefetch(&self, node: u32) {
        prefetch(&self.position_of, node as usize);
    }

    /// The nodes of `page` in position order ([`Self::HOLE`] for padding).
    pub fn page_nodes(&self, page: u32) -> &[u32] {
        let size = self.page_size as usize;
        let first = (page as usize * size).min(self.node_at.len());
        let last = (first + size).min(self.node_at.len());
        &self.node_at[first..last]
    }
}

/// The resident pages of a [`PageTable`] at one moment.
#[derive(Clone, Debug)]
pub struct ResidentPages {
    layout: Arc<PageLayout>,
    resident: Vec<bool>,
}

impl ResidentPages {
    /// Whether `node`'s page was resident.
    pub fn is_resident(&self, node: u32) -> bool {
        let page = self.layout.page_of(node);
        self.resident.get(page as usize).copied().unwrap_or(false)
    }

    /// Starts loading `node`'s row of the layout into the cache.
    pub fn prefetch(&self, node: u32) {
        self.layout.prefetch(node);
    }
}

/// Where a page lives in the pool.
pub type Slot = u32;

/// The page table and the slots' use.
#[derive(Clone, Debug)]
pub struct PageTable {
    /// Shared with the residency snapshots that cuts on other threads read.
    layout: Arc<PageLayout>,
    /// Per page: its slot, if resident.
    slot_of_page: Vec<Option<Slot>>,
    /// Per slot: its page, if any.
    page_in_slot: Vec<Option<u32>>,
    /// Per slot: the frame it was last drawn from (LRU).
    last_used: Vec<u64>,
    pinned: Vec<bool>,
    /// Per slot: given up for a more valuable page. Cuts no longer see its
    /// page (snapshots leave it out), and it is freed once a draw list no
    /// longer uses it: its nodes' parents draw meanwhile, never nothing.
    retiring: Vec<bool>,
    frame: u64,
}

impl PageTable {
    /// A table for `node_count` nodes in their own order, in pages of
    /// `page_size` and `slots` slots (at least 1: page 0 is pinned in slot 0).
    pub fn new(node_count: usize, page_size: u32, slots: u32) -> Self {
        Self::with_layout(PageLayout::identity(node_count, page_size), slots)
    }

    /// A table for the pages of `layout` and `slots` slots.
    pub fn with_layout(layout: PageLayout, slots: u32) -> Self {
        let pages = layout.page_count();
        let slots = slots.max(1) as usize;
        let mut table = Self {
            layout: Arc::new(layout),
            slot_of_page: vec![None; pages],
            page_in_slot: vec![None; slots],
            last_used: vec![0; slots],
            pinned: vec![false; slots],
            retiring: vec![false; slots],
            frame: 0,
        };
        table.slot_of_page[0] = Some(0);
        table.page_in_slot[0] = Some(0);
        table.pinned[0] = true;
        table
    }

    pub fn page_size(&self) -> u32 {
        self.layout.page_size
    }

    pub fn layout(&self) -> &PageLayout {
        &self.layout
    }

    pub fn page_count(&self) -> usize {
        self.slot_of_page.len()
    }

    pub fn slot_count(&self) -> usize {
        self.page_in_slot.len()
    }

    /// Pages resident now.
    pub fn resident(&self) -> usize {
        self.page_in_slot.iter().filter(|p| p.is_some()).count()
    }

    /// The page holding `node`.
    pub fn page_of(&self, node: u32) -> u32 {
        self.layout.page_of(node)
    }

    /// Whether `node`'s page is resident (and not retiring).
    pub fn is_resident(&self, node: u32) -> bool {
        self.slot_of_page
            .get(self.page_of(node) as usize)
            .is_some_and(|slot| slot.is_some_and(|s| !self.retiring[s as usize]))
    }

    /// Starts loading `node`'s row of the layout (what [`Self::is_resident`]
    /// and [`Self::pool_index`] read) into the cache.
    pub fn prefetch(&self, node: u32) {
        self.layout.prefetch(node);
    }

    /// Where `node`'s data is in the pool, if resident.
    pub fn pool_index(&self, node: u32) -> Option<u32> {
        let slot = (*self.slot_of_page.get(self.page_of(node) as usize)?)?;
        let size = self.layout.page_size;
        Some(slot * size + self.layout.position_of(node) % size)
    }

    /// Which pages are resident now, for a cut made while the table may not
    /// change (on another thread, until its result is applied).
    pub fn snapshot(&self) -> ResidentPages {
        ResidentPages {
            layout: Arc::clone(&self.layout),
            resident: self
                .slot_of_page
                .iter()
                .map(|slot| slot.is_some_and(|s| !self.retiring[s as usize]))
                .collect(),
        }
    }

    /// Starts a new frame: pages used from now on count as recently used.
    pub fn begin_frame(&mut self) {
        self.frame += 1;
    }

    /// `node` is drawn this frame (its page must stay).
    pub fn touch(&mut self, node: u32) {
        if let Some(Some(slot)) = self.slot_of_page.get(self.page_of(node) as usize) {
            self.last_used[*slot as usize] = self.frame;
        }
    }

    /// Frees the retiring slots this frame's draw list does not use (call
    /// after touching what it draws).
    pub fn free_retired(&mut self) {
        for slot in 0..self.page_in_slot.len() {
            if self.retiring[slot] && self.last_used[slot] < self.frame {
                self.retiring[slot] = false;
                if let Some(page) = self.page_in_slot[slot].take() {
                    self.slot_of_page[page as usize] = None;
                }
            }
        }
    }

    /// Gives up the resident page worth least to this frame's cut when a
    /// wanted page's `priority` exceeds its worth (`worth` of a page; pages it
    /// has no worth for are kept; ties keep what is resident). The page
    /// retires ([`Self::free_retired`] frees it later); returns it. For a
    /// camera that stays, the pool so converges on the pages worth most,
    /// whatever it held before (the window and `render` draw the same): a
    /// page's worth resident is the priority it is wanted with when not, so
    /// no two pages trade places back and forth.
    pub fn retire_below(
        &mut self,
        priority: f32,
        worth: impl Fn(u32) -> Option<f32>,
    ) -> Option<u32> {
        let (slot, page, value) = (0..self.page_in_slot.len())
            .filter(|&s| !self.pinned[s] && !self.retiring[s])
            .filter_map(|s| {
                let page = self.page_in_slot[s]?;
                Some((s, page, worth(page)?))
            })
            .min_by(|a, b| a.2.total_cmp(&b.2).then(b.1.cmp(&a.1)))?;
        // NaN worth or priority: kept.
        if value.partial_cmp(&priority) != Some(std::cmp::Ordering::Less) {
            return None;
        }
        self.retiring[slot] = true;
        Some(page)
    }

    /// Slots given up and not freed yet.
    pub fn retiring(&self) -> usize {
        self.retiring.iter().filter(|&&r| r).count()
    }

    /// A slot for `page`: a free one, or the least recently used page's, never
    /// one used this frame, retiring or pinned. Returns the slot and the page evicted from
    /// it; `None` when every slot is in use this frame.
    pub fn place(&mut self, page: u32) -> Option<(Slot, Option<u32>)> {
        if let Some(Some(slot)) = self.slot_of_page.get(page as usize) {
            // A retiring page made room for a better one: not brought back.
            return (!self.retiring[*slot as usize]).then_some((*slot, None));
        }
        if page as usize >= self.slot_of_page.len() {
            return None;
        }
        let slot = (0..self.page_in_slot.len())
            .filter(|&s| {
                !self.pinned[s]
                    && !self.retiring[s]
                    && (self.page_in_slot[s].is_none() || self.last_used[s] < self.frame)
            })
            .min_by_key(|&s| (self.page_in_slot[s].is_some(), self.last_used[s]))?;
        let evicted = self.page_in_slot[slot].take();
        if let Some(old) = evicted {
            self.slot_of_page[old as usize] = None;
        }
        self.page_in_slot[slot] = Some(page);
        self.slot_of_page[page as usize] = Some(slot as Slot);
        self.last_used[slot] = self.frame;
        Some((slot as Slot, evicted))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A complete tree of `depth` levels below the root, `branching` children
    /// each, in breadth-first order.
    fn complete_tree(branching: u32, depth: u32) -> Vec<LodNode> {
        let mut nodes = vec![LodNode {
            parent: u32::MAX,
            ..LodNode::default()
        }];
        let mut level = vec![0u32];
        for _ in 0..depth {
            let mut next = Vec::new();
            for &parent in &level {
                let first = nodes.len() as u32;
                nodes[parent as usize].first_child = first;
                nodes[parent as usize].child_count = branching;
                for i in 0..branching {
                    nodes.push(LodNode {
                        parent,
                        ..LodNode::default()
                    });
                    next.push(first + i);
                }
            }
            level = next;
        }
        nodes
    }

    #[test]
    fn treelet_pages_hold_one_region_each_and_never_split_siblings() {
        let nodes = complete_tree(4, 4); // 1 + 4 + 16 + 64 + 256 nodes
        let layout = PageLayout::treelets(&nodes, 8);
        // Every node has exactly one position.
        let mut seen = vec![false; nodes.len()];
        for page in 0..layout.page_count() as u32 {
            for &node in layout.page_nodes(page) {
                if node != PageLayout::HOLE {
                    assert!(!seen[node as usize], "node {node} placed twice");
                    seen[node as usize] = true;
                    let position = layout.position_of(node);
                    assert_eq!(position / 8, page);
                }
            }
        }
        assert!(seen.iter().all(|&s| s), "a node has no position");
        assert_eq!(layout.position_of(0), 0, "the root is in the pinned page");
        // Siblings share a page.
        for node in &nodes {
            let pages: Vec<u32> = node
                .children()
                .map(|c| layout.position_of(c as u32) / 8)
                .collect();
            assert!(
                pages.windows(2).all(|w| w[0] == w[1]),
                "siblings split: {pages:?}"
            );
        }
        // Past the first page, a page holds one depth-1 subtree, or where one
        // region's last treelet ends mid-page, the start of the next.
        let top_ancestor = |mut n: u32| {
            while nodes[n as usize].parent != 0 && nodes[n as usize].parent != u32::MAX {
                n = nodes[n as usize].parent;
            }
            n
        };
        let mut single = 0;
        for page in 1..layout.page_count() as u32 {
            let regions: std::collections::BTreeSet<u32> = layout
                .page_nodes(page)
                .iter()
                .filter(|&&n| n != PageLayout::HOLE)
                .map(|&n| top_ancestor(n))
                .collect();
            assert!(regions.len() <= 2, "page {page} mixes regions {regions:?}");
            single += usize::from(regions.len() == 1);
        }
        let pages = layout.page_count() - 1;
        assert!(
            single * 10 >= pages * 9,
            "{single} of {pages} pages hold one region"
        );
        // Few holes: at most one sibling group's worth per page.
        let holes = (0..layout.page_count() as u32)
            .flat_map(|p| layout.page_nodes(p).iter())
            .filter(|&&n| n == PageLayout::HOLE)
            .count();
        assert!(holes <= 3 * layout.page_count(), "{holes} holes");
    }

    #[test]
    fn pages_map_nodes_to_pool_indices() {
        let mut table = PageTable::new(100, 10, 3);
        assert_eq!(table.page_count(), 10);
        assert!(table.is_resident(3) && !table.is_resident(10));
        assert_eq!(table.pool_index(7), Some(7));
        table.begin_frame();
        assert_eq!(table.place(4), Some((1, None)));
        assert_eq!(table.pool_index(45), Some(15));
        assert_eq!(table.place(4), Some((1, None)), "already resident");
        assert_eq!(table.resident(), 2);
    }

    #[test]
    fn least_recently_used_pages_are_evicted_never_pinned_or_in_use() {
        let mut table = PageTable::new(100, 10, 3);
        table.begin_frame(); // frame 1
        table.place(1);
        table.place(2);
        table.begin_frame(); // frame 2: page 2 is drawn, page 1 is not
        table.touch(25);
        // Page 1 is the least recently used unpinned page.
        assert_eq!(table.place(3), Some((1, Some(1))));
        assert!(!table.is_resident(15) && table.is_resident(35));
        // Every slot is now pinned or used this frame: nothing can be placed.
        assert_eq!(table.place(4), None);
        table.begin_frame();
        assert!(table.place(4).is_some());
        assert!(table.is_resident(0), "page 0 is pinned");
    }

    #[test]
    fn a_full_pool_gives_up_its_least_valuable_page_once_no_longer_drawn() {
        let mut table = PageTable::new(100, 10, 3);
        table.begin_frame();
        table.place(1);
        table.place(2);
        table.begin_frame(); // both drawn: nothing free
        table.touch(15);
        table.touch(25);
        assert_eq!(table.place(3), None);
        let worth = |page: u32| [None, Some(5.0), Some(1.0)][page as usize];
        // Not worth more than the cheapest page: kept.
        assert_eq!(table.retire_below(1.0, worth), None);
        assert_eq!(table.retire_below(1.5, worth), Some(2));
        // Retiring: cuts no longer see it, but its data stays while drawn.
        assert!(!table.is_resident(25) && !table.snapshot().is_resident(25));
        assert!(table.pool_index(25).is_some());
        table.free_retired();
        assert_eq!(table.retiring(), 1, "still drawn this frame");
        assert_eq!(table.place(3), None);
        assert_eq!(table.place(2), None, "not brought back while retiring");
        table.begin_frame(); // a draw list without page 2
        table.touch(15);
        table.free_retired();
        assert_eq!(table.retiring(), 0);
        assert_eq!(table.pool_index(25), None);
        assert_eq!(table.place(3), Some((2, None)));
        assert!(table.is_resident(35));
    }
}
