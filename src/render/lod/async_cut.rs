//! The cut on a worker thread, so that a frame never waits for it.
//!
//! A cut reads the hierarchy (shared, immutable) and which pages are resident.
//! The worker gets a snapshot of the latter; the page table is not changed
//! while the cut runs (pages are uploaded and evicted only when a finished
//! cut is applied, before the next one starts), so the snapshot stays true
//! and every node the finished cut draws is where the snapshot said.
//! Spark 2.0 works the same way: its LoD is chosen in a worker and frames
//! draw the latest finished choice.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::LodParams;
use super::pages::ResidentPages;
use crate::scene::PinholeCamera;
use crate::scene::lod::cut::{LodCut, Residency, cut_with};
use crate::scene::lod::{LodHierarchy, LodNode};

/// The cut may expand a node when every child's page is resident.
pub(super) struct ChildrenResident<'a> {
    pub nodes: &'a [LodNode],
    pub pages: &'a ResidentPages,
}

impl Residency for ChildrenResident<'_> {
    fn can_expand(&self, node: u32) -> bool {
        self.nodes
            .get(node as usize)
            .is_some_and(|n| n.children().all(|c| self.pages.is_resident(c as u32)))
    }

    fn prefetch(&self, first_child: u32) {
        self.pages.prefetch(first_child);
    }
}

/// The cut of `hierarchy` for `camera` against `pages`, and how long it took.
pub(super) fn make_cut(
    hierarchy: &LodHierarchy,
    pages: &ResidentPages,
    camera: &PinholeCamera,
    params: &LodParams,
) -> (LodCut, Duration) {
    let started = Instant::now();
    let residency = ChildrenResident {
        nodes: hierarchy.nodes(),
        pages,
    };
    let cut = cut_with(hierarchy, camera, &params.cut, residency);
    (cut, started.elapsed())
}

/// Called on the worker thread when its cut is done (the window wakes its
/// event loop with it).
pub type CutNotifier = Arc<dyn Fn() + Send + Sync>;

/// A cut running on a worker thread.
pub(super) struct PendingCut {
    /// What it was asked for.
    pub camera: PinholeCamera,
    pub params: LodParams,
    /// Set by the worker once the cut is made, before it notifies (so that
    /// the frame it wakes finds the cut done; joining then waits at most for
    /// the thread to return).
    done: Arc<AtomicBool>,
    handle: JoinHandle<(LodCut, Duration)>,
}

impl PendingCut {
    /// Starts the cut on a new thread, calling `notify` there when it is done;
    /// `None` when no thread could be made (the caller cuts on its own thread
    /// instead).
    pub fn start(
        hierarchy: &Arc<LodHierarchy>,
        pages: ResidentPages,
        camera: PinholeCamera,
        params: LodParams,
        notify: Option<CutNotifier>,
    ) -> Option<Self> {
        let hierarchy = Arc::clone(hierarchy);
        let done = Arc::new(AtomicBool::new(false));
        let done_there = Arc::clone(&done);
        let handle = std::thread::Builder::new()
            .name("lod cut".into())
            .spawn(move || {
                let made = make_cut(&hierarchy, &pages, &camera, &params);
                done_there.store(true, Ordering::Release);
                if let Some(notify) = notify {
                    notify();
                }
                made
            })
            .inspect_err(|err| log::warn!("cannot start a cut thread: {err}"))
            .ok()?;
        Some(Self {
            camera,
            params,
            done,
            handle,
        })
    }

    /// Whether the cut is made (or the thread ended without it).
    pub fn is_finished(&self) -> bool {
        self.done.load(Ordering::Acquire) || self.handle.is_finished()
    }

    /// The finished cut (waits if it is not); `None` if the thread panicked.
    pub fn join(self) -> Option<(LodCut, Duration)> {
        self.handle
            .join()
            .inspect_err(|_| log::error!("the level-of-detail cut thread panicked"))
            .ok()
    }
}
