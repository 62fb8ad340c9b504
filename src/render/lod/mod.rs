//! Level of detail on the GPU: a scene's hierarchy (`scene::lod`), its splats
//! (the scene's, then the merged interior nodes: the extended cloud) kept in
//! host memory, and a fixed pool of GPU pages holding the part the current cuts
//! need. Each frame, a cut (`scene::lod::cut::cut_with`) chooses the nodes to
//! draw, expanding only nodes whose children are resident; it becomes a draw
//! list (`render::DrawList`: pool index, opacity factor, level) the project pass
//! reads. Pages the cut wanted but could not use stream in afterwards (coarse
//! and in view first, a few per frame) into free or least-recently-used slots:
//! while a page is missing its parent draws, and no frame waits for a transfer.
//!
//! The pool is one `SplatScene` sized by the memory budget, in up to
//! `POOL_SEGMENT_BINDINGS` segments of one storage binding each, so a scene
//! larger than a binding or than the GPU's memory renders, never refuses.
//! docs/LOD.md describes the rules.

mod async_cut;
pub mod pages;
pub mod setup;

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::gpu::GpuError;
use crate::render::DrawList;
use crate::render::scene::SplatScene;
use crate::render::splat::gpu_data::{
    DrawEntry, GpuSplat, pool_segments_supported, sh_words_per_splat,
};
use crate::scene::lod::LodHierarchy;
use crate::scene::lod::cut::{CutParams, LodCut};
use crate::scene::{AaMode, PinholeCamera, SplatCloud};
pub use async_cut::CutNotifier;
use async_cut::{CutWorker, PendingCut, jumped, make_cut, turn_lead_px};
use pages::{PageLayout, PageTable};

/// Nodes per page by default: 2-6 MiB per page at SH degree 0-3.
pub const DEFAULT_PAGE_NODES: u32 = 1 << 16;

/// Fewest pages a pool should hold; smaller pages are used when one storage
/// binding holds fewer pages of the asked size.
const MIN_POOL_PAGES: u64 = 8;

/// `page_nodes`, halved until a binding of `binding` bytes holds at least
/// [`MIN_POOL_PAGES`] pages (attributes and SH of `sh_degree` each in one
/// binding); at least 1.
fn page_nodes_within(page_nodes: u32, binding: u64, sh_degree: u32) -> u32 {
    let bytes_per_node =
        (size_of::<GpuSplat>() as u64).max(u64::from(sh_words_per_splat(sh_degree)) * 4);
    let mut nodes = page_nodes.max(1);
    while nodes > 1 && binding / (u64::from(nodes) * bytes_per_node) < MIN_POOL_PAGES {
        nodes /= 2;
    }
    nodes
}

/// The colour the colour-by-level view gives `level` (`level_color` in
/// `shaders/splat_project.wgsl`: hues a golden-ratio step apart, softened
/// towards white), for the panel's legend.
pub fn level_color(level: u32) -> [f32; 3] {
    let hue = (level as f32 * 0.618_034).fract();
    let channel = |offset: f32| {
        let k = (offset + hue).fract() * 6.0 - 3.0;
        let pure = (k.abs() - 1.0).clamp(0.0, 1.0);
        1.0 + (pure - 1.0) * 0.8
    };
    [channel(1.0), channel(2.0 / 3.0), channel(1.0 / 3.0)]
}

/// The GPU memory budget for splat pages when the user sets none: 1 GiB on CPU
/// adapters (lavapipe), 4 GiB on GPUs (wgpu reports no memory size).
pub fn default_memory_budget(device_type: wgpu::DeviceType) -> u64 {
    if device_type == wgpu::DeviceType::Cpu {
        1 << 30
    } else {
        4 << 30
    }
}

/// What a frame's cut is asked for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LodParams {
    pub cut: CutParams,
    /// Keep the last cut (fly around it to inspect it).
    pub freeze: bool,
    /// Colour each splat by its level.
    pub color_by_level: bool,
    /// Pages uploaded per frame at most.
    pub pages_per_frame: usize,
}

impl Default for LodParams {
    fn default() -> Self {
        Self {
            cut: CutParams::default(),
            freeze: false,
            color_by_level: false,
            pages_per_frame: 4,
        }
    }
}

/// What the last update did, for the overlay and `bench`.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct LodStats {
    /// Splats in the cut (entries of the draw list).
    pub cut_splats: usize,
    /// Shallowest and deepest level drawn.
    pub levels: Option<(usize, usize)>,
    /// CPU milliseconds of the cut and the draw list.
    pub cut_ms: f64,
    pub pages_resident: usize,
    pub pages_total: usize,
    /// Pages the cut wanted and could not have yet.
    pub pages_wanted: usize,
    /// Pages uploaded by this update.
    pub pages_uploaded: usize,
    /// Pages evicted since the scene was made (to make room for others).
    pub pages_evicted: usize,
    /// Pages given up since the scene was made for more valuable ones while
    /// the pool was full of pages the cut draws (their parents draw instead).
    pub pages_retired: usize,
    /// Bytes of the GPU page pool.
    pub pool_bytes: u64,
    /// The cut is held to this many splats, what one view can draw
    /// (`max_view_splats`), below the budget asked for (or with none).
    pub view_limit: Option<usize>,
    /// Segments of the pool (storage bindings of attributes and SH each).
    pub pool_segments: usize,
    /// The pool is smaller than the memory budget allows: the segments the
    /// project pass binds (`max_storage_buffer_binding_size` each) hold no more.
    pub pool_capped_by_binding: bool,
    /// Cuts made while the caller waited (`update`, or `update_async` after a
    /// jump of the camera) since the scene was made.
    pub cuts_waited: u64,
}

/// The splats a view draws: `lod`'s page pool, with its draw list set in
/// `params`, or `flat` (every splat) without level of detail.
pub fn splats_to_draw<'a>(
    lod: Option<&'a LodScene>,
    flat: &'a SplatScene,
    params: &mut crate::render::ViewParams<'a>,
    color_by_level: bool,
) -> &'a SplatScene {
    match lod {
        Some(lod) => {
            params.draw_list = Some(lod.draw_list(color_by_level));
            lod.pool()
        }
        None => flat,
    }
}

/// One scene's hierarchy, host copy and GPU page pool.
pub struct LodScene {
    hierarchy: Arc<LodHierarchy>,
    /// The extended cloud (scene splats, then interior nodes), in host memory.
    host: Arc<SplatCloud>,
    table: PageTable,
    pool: SplatScene,
    entries: Vec<DrawEntry>,
    generation: u64,
    stats: LodStats,
    /// A cut running on the worker thread ([`Self::update_async`]).
    pending: Option<PendingCut>,
    /// The thread that makes the cuts of [`Self::update_async`], started with
    /// the first.
    worker: Option<CutWorker>,
    /// What the applied cut was made for.
    cut_for: Option<(PinholeCamera, LodParams)>,
    /// Called when a cut on the worker thread is done.
    notify: Option<CutNotifier>,
    /// The camera of the last [`Self::update_async`] (the last frame's).
    last_camera: Option<PinholeCamera>,
    /// The most splats one view can draw (`max_view_splats`): cuts stay
    /// within it when the hierarchy has more nodes.
    max_draw: usize,
}

impl LodScene {
    /// A pool of pages of `page_nodes` nodes within `memory_budget` bytes (and the
    /// adapter's binding limits), with the coarsest pages uploaded. `host` must be
    /// `hierarchy.extended_cloud(scene)`.
    pub fn new(
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        hierarchy: Arc<LodHierarchy>,
        host: Arc<SplatCloud>,
        aa_mode: AaMode,
        memory_budget: u64,
        page_nodes: u32,
    ) -> Result<Self, GpuError> {
        let limits = device.limits();
        let binding = crate::render::scene::binding_bytes(&limits);
        let page_nodes = page_nodes_within(page_nodes, binding, host.sh_degree);
        let layout = PageLayout::treelets(hierarchy.nodes(), page_nodes);
        let pages = layout.page_count();
        let attribute_page = u64::from(page_nodes) * size_of::<GpuSplat>() as u64;
        let sh_page = u64::from(page_nodes) * u64::from(sh_words_per_splat(host.sh_degree)) * 4;
        let by_budget = memory_budget / (attribute_page + sh_page).max(1);
        // Slots per segment: whole pages, so that no page straddles two.
        let by_binding = (binding / attribute_page.max(1))
            .min(binding / sh_page.max(1))
            .max(1);
        let by_segments = by_binding * u64::from(pool_segments_supported(&limits));
        let slots = by_budget.min(by_segments).min(pages as u64).max(1);
        let table = PageTable::with_layout(layout, slots as u32);
        let pool = SplatScene::with_segments(
            device,
            (slots * u64::from(page_nodes)) as usize,
            (by_binding * u64::from(page_nodes)) as usize,
            host.sh_degree,
            aa_mode,
        )?;
        let max_draw =
            usize::try_from(crate::render::scene::max_view_splats(device)).unwrap_or(usize::MAX);
        let pool_segments = pool.segment_count();
        let mut scene = Self {
            hierarchy,
            host,
            table,
            pool,
            entries: Vec::new(),
            generation: 0,
            pending: None,
            worker: None,
            cut_for: None,
            notify: None,
            last_camera: None,
            max_draw,
            stats: LodStats {
                pages_total: pages,
                pool_segments,
                pool_capped_by_binding: by_segments < by_budget.min(pages as u64),
                ..Default::default()
            },
        };
        // Coarse pages first (breadth-first order), as many as fit.
        scene.table.begin_frame();
        for page in 0..(slots as u32).min(pages as u32) {
            scene.upload(queue, page);
        }
        scene.stats.pool_bytes = scene.pool.resident_bytes();
        scene.stats.pages_resident = scene.table.resident();
        Ok(scene)
    }

    /// The GPU page pool the draw lists index (the scene to draw).
    pub fn pool(&self) -> &SplatScene {
        &self.pool
    }

    pub fn hierarchy(&self) -> &LodHierarchy {
        &self.hierarchy
    }

    pub fn stats(&self) -> LodStats {
        self.stats
    }

    /// Whether every page fits the pool (no streaming).
    pub fn fully_resident(&self) -> bool {
        self.table.slot_count() >= self.table.page_count()
    }

    /// Cuts the hierarchy for `camera` (unless frozen) and streams in up to
    /// `params.pages_per_frame` pages the cut wanted; [`Self::draw_list`] then
    /// gives what to draw. Waits for the cut (offline frames, tests); a cut
    /// still running from [`Self::update_async`] is dropped.
    pub fn update(&mut self, queue: &wgpu::Queue, camera: &PinholeCamera, params: &LodParams) {
        if params.freeze && !self.entries.is_empty() {
            return;
        }
        // Its snapshot of the pages would not hold after this update's uploads.
        self.pending = None;
        let asked = self.within_view(params);
        let (cut, cut_time) = make_cut(&self.hierarchy, &self.table.snapshot(), camera, &asked);
        self.apply(queue, &cut, params, cut_time);
        self.cut_for = Some((*camera, *params));
        self.stats.cuts_waited += 1;
    }

    /// [`Self::update`] without waiting: the cut runs on a worker thread. A
    /// finished cut is applied (its draw list, its page uploads); then, if no
    /// cut is running, one starts for `camera` when the last was made for
    /// another camera or other parameters, when pages are still streaming in,
    /// or when `again` (`bench`: a cut every frame). Until a cut is applied the
    /// previous draw list is drawn; the very first, and the one after the
    /// camera jumped since the last call (`async_cut::jumped`), are made at
    /// once. Returns whether a cut is running (draw again soon).
    pub fn update_async(
        &mut self,
        queue: &wgpu::Queue,
        camera: &PinholeCamera,
        params: &LodParams,
        again: bool,
    ) -> bool {
        let last_frame = self.last_camera.replace(*camera);
        if self.entries.is_empty() && self.pending.is_none() {
            self.update(queue, camera, params);
            return false;
        }
        if params.freeze {
            self.pending = None;
            return false;
        }
        // A jump since the last frame waits for its cut: the last one may show
        // little of the new view. Steady motion, however fast, does not.
        let scene_radius = self
            .hierarchy
            .nodes()
            .first()
            .map_or(f32::NAN, |n| n.radius);
        if last_frame.is_some_and(|last| jumped(&last, camera, scene_radius)) {
            self.update(queue, camera, params);
            return false;
        }
        if self.pending.as_ref().is_some_and(PendingCut::is_finished)
            && let Some(pending) = self.pending.take()
        {
            let (camera, params) = (pending.camera, pending.params);
            match pending.join() {
                Some((cut, cut_time)) => {
                    self.apply(queue, &cut, &params, cut_time);
                    self.cut_for = Some((camera, params));
                }
                None => self.cut_for = None,
            }
        }
        let streaming = self.stats.pages_wanted > 0 && self.making_room();
        if self.pending.is_none()
            && (again || streaming || self.cut_for != Some((*camera, *params)))
        {
            // While the camera turns, the view is widened by the turn since
            // the last cut (it is drawn a cut later). Such a cut is made for
            // other parameters, so once the camera stands still one more cut
            // is made exactly as asked.
            let mut asked = self.within_view(params);
            if let Some((previous, _)) = self.cut_for {
                asked.cut.margin_px += turn_lead_px(&previous, camera);
            }
            if self.worker.is_none() {
                self.worker = CutWorker::start();
            }
            self.pending = self.worker.as_ref().and_then(|worker| {
                PendingCut::start(
                    worker,
                    &self.hierarchy,
                    self.table.snapshot(),
                    *camera,
                    asked,
                    self.notify.clone(),
                )
            });
            if self.pending.is_none() {
                // No worker: a new one is tried for the next cut.
                self.worker = None;
                self.update(queue, camera, params);
            }
        }
        self.pending.is_some()
    }

    /// `params` with the splat budget within what one view can draw, when the
    /// hierarchy has more nodes than that.
    /// Records in the stats whether the limit applies.
    fn within_view(&mut self, params: &LodParams) -> LodParams {
        let mut asked = *params;
        let budget = params.cut.budget.unwrap_or(usize::MAX);
        let limited = self.hierarchy.nodes().len() > self.max_draw && budget > self.max_draw;
        if limited {
            asked.cut.budget = Some(self.max_draw);
        }
        self.stats.view_limit = limited.then_some(self.max_draw);
        asked
    }

    /// `notify` is called (on the worker thread) whenever a cut started by
    /// [`Self::update_async`] is done: the window wakes its event loop with it.
    pub fn set_cut_notifier(&mut self, notify: CutNotifier) {
        self.notify = Some(notify);
    }

    /// Makes `cut` (made against the table as it is now) the draw list, and
    /// streams in up to `params.pages_per_frame` of the pages it wanted.
    fn apply(&mut self, queue: &wgpu::Queue, cut: &LodCut, params: &LodParams, cut_time: Duration) {
        let started = Instant::now();
        self.table.begin_frame();
        self.entries.clear();
        self.entries.reserve(cut.len());
        // The drawn nodes' page-table rows are scattered: load them ahead.
        const AHEAD: usize = 16;
        for (i, ((&node, &factor), &level)) in cut
            .nodes
            .iter()
            .zip(&cut.opacity_factors)
            .zip(&cut.levels)
            .enumerate()
        {
            if let Some(&ahead) = cut.nodes.get(i + AHEAD) {
                self.table.prefetch(ahead);
            }
            if let Some(index) = self.table.pool_index(node) {
                self.table.touch(node);
                self.entries.push(DrawEntry::new(index, factor, level));
            }
        }
        self.generation += 1;
        self.table.free_retired();
        // Pages the cut wanted: the children of the nodes it could not
        // expand, best first, each worth its refused parent's priority.
        // Resident children of a refused node stay (marked used this frame),
        // so streaming converges instead of evicting what the next cut needs.
        let nodes = Arc::clone(&self.hierarchy);
        let nodes = nodes.nodes();
        let mut wanted: Vec<(u32, f32)> = Vec::new();
        let mut kept: Vec<(u32, f32)> = Vec::new();
        for (&node, &priority) in cut.refused.iter().zip(&cut.refused_priority) {
            if let Some(n) = nodes.get(node as usize) {
                for child in n.children() {
                    let child = child as u32;
                    let page = self.table.page_of(child);
                    if self.table.is_resident(child) {
                        self.table.touch(child);
                        kept.push((page, priority));
                        continue;
                    }
                    match wanted.iter_mut().find(|w| w.0 == page) {
                        Some(w) => w.1 = w.1.max(priority),
                        None => wanted.push((page, priority)),
                    }
                }
            }
        }
        wanted.sort_by(|a, b| b.1.total_cmp(&a.1));
        // What each resident page is worth to this cut (the highest priority
        // of a node expanded into it, or of a refused parent keeping it),
        // reckoned only when the pool is full.
        let mut worth: Option<std::collections::HashMap<u32, f32>> = None;
        let mut uploaded = 0;
        for &(page, priority) in wanted.iter().take(params.pages_per_frame) {
            if self.upload(queue, page) {
                uploaded += 1;
                continue;
            }
            let worth = worth.get_or_insert_with(|| page_worth(&self.table, nodes, cut, &kept));
            if self
                .table
                .retire_below(priority, |p| worth.get(&p).copied())
                .is_some()
            {
                // Freed for this page once the next cut draws without it.
                self.stats.pages_retired += 1;
            }
        }
        self.stats = LodStats {
            cut_splats: self.entries.len(),
            levels: cut.depth_range,
            cut_ms: (cut_time + started.elapsed()).as_secs_f64() * 1000.0,
            pages_resident: self.table.resident(),
            pages_wanted: wanted.len(),
            pages_uploaded: uploaded,
            ..self.stats
        };
    }

    /// Updates until the cut needs no page that is not resident, or no page can
    /// be brought in (the pool is full of pages this cut draws), at most
    /// `max_updates` times: what an offline render (`render`, screenshots) draws,
    /// where a window frame would not wait. Returns the number of updates.
    pub fn update_until_resident(
        &mut self,
        queue: &wgpu::Queue,
        camera: &PinholeCamera,
        params: &LodParams,
        max_updates: usize,
    ) -> usize {
        let params = LodParams {
            freeze: false,
            pages_per_frame: params.pages_per_frame.max(16),
            ..*params
        };
        for update in 1..=max_updates.max(1) {
            self.update(queue, camera, &params);
            if self.stats.pages_wanted == 0 || !self.making_room() {
                return update;
            }
        }
        max_updates.max(1)
    }

    /// Whether the last update brought pages in, or gave some up for better
    /// ones (freed once the next cut draws without them): another cut will
    /// draw more of what is wanted.
    fn making_room(&self) -> bool {
        self.stats.pages_uploaded > 0 || self.table.retiring() > 0
    }

    /// The draw list of the last update (indices into [`Self::pool`]).
    pub fn draw_list(&self, color_by_level: bool) -> DrawList<'_> {
        DrawList {
            entries: &self.entries,
            generation: self.generation,
            color_by_level,
        }
    }

    /// Puts `page` into a slot and uploads its nodes' splats; false when no slot
    /// could be freed this frame.
    fn upload(&mut self, queue: &wgpu::Queue, page: u32) -> bool {
        let Some((slot, evicted)) = self.table.place(page) else {
            return false;
        };
        if evicted.is_some() {
            self.stats.pages_evicted += 1;
        }
        let nodes = self.hierarchy.nodes();
        // Padding positions get the root's splat: never drawn, as no node maps there.
        let splat_of = |node: u32| {
            nodes
                .get(node as usize)
                .or(nodes.first())
                .map(|n| n.splat as usize)
        };
        let rows: Vec<usize> = self
            .table
            .layout()
            .page_nodes(page)
            .iter()
            .filter_map(|&node| splat_of(node))
            .collect();
        let chunk = self.host.select(&rows);
        let offset = slot * self.table.page_size();
        if let Err(err) = self.pool.write_at(queue, offset, &chunk) {
            log::error!("level of detail: page {page} does not fit its slot: {err}");
            return false;
        }
        true
    }
}

/// What each resident page is worth to `cut`: the highest priority of a node
/// expanded into it (siblings share a page) or of a refused node whose
/// resident children it holds (`kept`).
fn page_worth(
    table: &PageTable,
    nodes: &[crate::scene::lod::LodNode],
    cut: &LodCut,
    kept: &[(u32, f32)],
) -> std::collections::HashMap<u32, f32> {
    let mut worth = std::collections::HashMap::new();
    let expanded = cut.expanded.iter().filter_map(|&(node, priority)| {
        let first = nodes.get(node as usize).filter(|n| !n.is_leaf())?;
        Some((table.page_of(first.first_child), priority))
    });
    for (page, priority) in expanded.chain(kept.iter().copied()) {
        let value = worth.entry(page).or_insert(priority);
        *value = value.max(priority);
    }
    worth
}

#[cfg(test)]
mod tests {
    use super::page_nodes_within;

    #[test]
    fn level_colours_follow_the_shader() {
        // Level 0: hue 0, red softened towards white (mix(1, pure, 0.8)).
        let [r, g, b] = super::level_color(0);
        assert!((r - 1.0).abs() < 1e-6 && (g - 0.2).abs() < 1e-6 && (b - 0.2).abs() < 1e-6);
        // Neighbouring levels differ clearly.
        for level in 0..12 {
            let (a, b) = (super::level_color(level), super::level_color(level + 1));
            let distance: f32 = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).sum();
            assert!(distance > 0.3, "levels {level} and {}", level + 1);
        }
    }

    #[test]
    fn pages_shrink_until_a_binding_holds_enough_of_them() {
        // 128 MiB holds 21 SH3 pages of 65,536 nodes (96 B of SH each): kept.
        assert_eq!(page_nodes_within(1 << 16, 128 << 20, 3), 1 << 16);
        // 1 MiB at SH0 (32 B a node): 4,096 nodes make 8 pages.
        assert_eq!(page_nodes_within(1 << 16, 1 << 20, 0), 4096);
        // Nothing fits: one node a page, never zero.
        assert_eq!(page_nodes_within(1 << 16, 16, 3), 1);
        assert_eq!(page_nodes_within(0, 1 << 20, 0), 1);
    }
}
