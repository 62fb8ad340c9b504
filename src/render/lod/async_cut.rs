//! The cut on a worker thread, so that a frame never waits for it.
//!
//! A cut reads the hierarchy (shared, immutable) and which pages are resident.
//! The worker gets a snapshot of the latter; the page table is not changed
//! while the cut runs (pages are uploaded and evicted only when a finished
//! cut is applied, before the next one starts), so the snapshot stays true
//! and every node the finished cut draws is where the snapshot said.
//! Spark 2.0 works the same way: its LoD is chosen in a worker and frames
//! draw the latest finished choice. The cuts of one scene are made one after
//! another by one long-lived thread (`CutWorker`).

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
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

/// Most of the view's larger side that [`turn_lead_px`] adds around it.
const MAX_LEAD_OF_SIDE: f32 = 0.25;

/// A step longer than this fraction of the scene's radius is a jump.
const JUMP_STEP_OF_RADIUS: f32 = 0.05;

/// The angle between two cameras' orientations (radians; 0 when unknown).
fn turn_angle(from: &PinholeCamera, to: &PinholeCamera) -> f32 {
    let rotation = |camera: &PinholeCamera| {
        glam::Quat::from_mat3(&glam::Mat3::from_mat4(camera.world_from_camera)).normalize()
    };
    let angle = rotation(from).angle_between(rotation(to));
    if angle.is_finite() { angle } else { 0.0 }
}

/// The largest turn the lead covers for `camera`.
fn max_lead_angle(camera: &PinholeCamera) -> f32 {
    let side = camera.width.max(camera.height) as f32;
    (MAX_LEAD_OF_SIDE * side / camera.fx.max(camera.fy)).atan()
}

/// Pixels to add around the view when cutting for `to` while the camera turns
/// from `from`: a cut made on the worker is drawn a cut later, when the camera
/// has turned on by about as much again, and the frustum test would leave
/// what then enters the view empty. The margin is the turn's angle in pixels
/// (`focal x tan(angle)`), at most a quarter of the view's larger side; 0
/// while the camera only moves (its translation reveals little at the edges)
/// or stands still.
pub(super) fn turn_lead_px(from: &PinholeCamera, to: &PinholeCamera) -> f32 {
    let angle = turn_angle(from, to);
    if angle <= 0.0 {
        return 0.0;
    }
    let focal = to.fx.max(to.fy);
    let side = to.width.max(to.height) as f32;
    (focal * angle.min(1.0).tan()).min(MAX_LEAD_OF_SIDE * side)
}

/// Whether the camera went from `from` (the last frame's) to `to` in a jump
/// that a cut drawn one cut late could not cover: a turn past the lead's cap,
/// or a step longer than [`JUMP_STEP_OF_RADIUS`] of `scene_radius` (a
/// training camera, Frame scene; on a slow machine also a quick drag). Such a
/// frame waits for its cut, as the old cut may show little of the new view.
pub(super) fn jumped(from: &PinholeCamera, to: &PinholeCamera, scene_radius: f32) -> bool {
    let step = (to.position() - from.position()).length();
    turn_angle(from, to) > max_lead_angle(to) || step > JUMP_STEP_OF_RADIUS * scene_radius
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

/// One cut for the worker: what to cut, and where the result goes.
struct CutJob {
    hierarchy: Arc<LodHierarchy>,
    pages: ResidentPages,
    camera: PinholeCamera,
    params: LodParams,
    notify: Option<CutNotifier>,
    done: Arc<AtomicBool>,
    result: Sender<(LodCut, Duration)>,
}

/// The thread that makes a scene's cuts, one after another, for as long as
/// the scene lives. One long-lived thread rather than one per cut, so that the
/// cut's working memory, which it keeps (`scene/lod/scratch.rs`; tens of MB
/// for a 500k-splat cut), is reused instead of coming as fresh pages the kernel
/// zeroes: 16-50% of an 8M-splat scene's cut on lavapipe (docs/BENCHMARKS.md,
/// twelfth session).
pub(super) struct CutWorker {
    jobs: Sender<CutJob>,
}

impl CutWorker {
    /// Starts the thread; `None` when none could be made.
    pub fn start() -> Option<Self> {
        let (jobs, receiver) = channel::<CutJob>();
        std::thread::Builder::new()
            .name("lod cut".into())
            .spawn(move || {
                crate::scene::lod::keep_cut_scratch_on_this_thread();
                // Ends when the scene (the sender) is dropped.
                for job in receiver {
                    let made = std::panic::catch_unwind(AssertUnwindSafe(|| {
                        make_cut(&job.hierarchy, &job.pages, &job.camera, &job.params)
                    }));
                    match made {
                        // A dropped `PendingCut` no longer wants it.
                        Ok(made) => drop(job.result.send(made)),
                        Err(_) => log::error!("the level-of-detail cut panicked"),
                    }
                    // The result (or, after a panic, the closed channel) is
                    // there before the flag says so.
                    drop(job.result);
                    job.done.store(true, Ordering::Release);
                    if let Some(notify) = job.notify {
                        notify();
                    }
                }
            })
            .inspect_err(|err| log::warn!("cannot start the cut thread: {err}"))
            .ok()?;
        Some(Self { jobs })
    }
}

/// A cut the worker thread is making (or has made).
pub(super) struct PendingCut {
    /// What it was asked for.
    pub camera: PinholeCamera,
    pub params: LodParams,
    /// Set by the worker once the cut is made and sent, before it notifies
    /// (so that the frame it wakes finds the cut done).
    done: Arc<AtomicBool>,
    result: Receiver<(LodCut, Duration)>,
}

impl PendingCut {
    /// Hands the cut to `worker`, which calls `notify` when it is done; `None`
    /// when the worker is gone (the caller cuts on its own thread instead).
    pub fn start(
        worker: &CutWorker,
        hierarchy: &Arc<LodHierarchy>,
        pages: ResidentPages,
        camera: PinholeCamera,
        params: LodParams,
        notify: Option<CutNotifier>,
    ) -> Option<Self> {
        let done = Arc::new(AtomicBool::new(false));
        let (sender, result) = channel();
        let job = CutJob {
            hierarchy: Arc::clone(hierarchy),
            pages,
            camera,
            params,
            notify,
            done: Arc::clone(&done),
            result: sender,
        };
        worker
            .jobs
            .send(job)
            .inspect_err(|_| log::warn!("the cut thread has stopped"))
            .ok()?;
        Some(Self {
            camera,
            params,
            done,
            result,
        })
    }

    /// Whether the cut is made (or failed).
    pub fn is_finished(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }

    /// The finished cut (waits if it is not); `None` if it panicked.
    pub fn join(self) -> Option<(LodCut, Duration)> {
        self.result.recv().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use glam::{Mat4, Quat, Vec3};

    fn camera(yaw: f32, position: Vec3) -> PinholeCamera {
        let pose = Mat4::from_rotation_translation(Quat::from_rotation_y(yaw), position);
        PinholeCamera::from_fov_y(1.0, 400, 200, pose)
    }

    #[test]
    fn the_lead_follows_the_turn_and_not_the_move() {
        let still = camera(0.3, Vec3::ZERO);
        assert_eq!(turn_lead_px(&still, &still), 0.0);
        assert_eq!(
            turn_lead_px(&still, &camera(0.3, Vec3::new(5.0, 1.0, 2.0))),
            0.0
        );
        // A turn of 0.05 rad: focal x tan(0.05), about 9.3 px at 200 px high.
        let focal = still.fx.max(still.fy);
        let lead = turn_lead_px(&still, &camera(0.35, Vec3::ZERO));
        assert!((lead - focal * 0.05f32.tan()).abs() < 0.05, "{lead}");
        // A large turn is capped at a quarter of the larger side.
        assert_eq!(turn_lead_px(&still, &camera(2.0, Vec3::ZERO)), 100.0);
    }

    #[test]
    fn turns_past_the_lead_and_long_steps_are_jumps() {
        let still = camera(0.3, Vec3::ZERO);
        assert!(!jumped(&still, &still, 10.0));
        // The lead covers atan(100 px / focal), about 0.49 rad here.
        assert!(!jumped(&still, &camera(0.7, Vec3::ZERO), 10.0));
        assert!(jumped(&still, &camera(0.9, Vec3::ZERO), 10.0));
        // Steps: 5% of the radius is the limit.
        assert!(!jumped(
            &still,
            &camera(0.3, Vec3::new(0.4, 0.0, 0.0)),
            10.0
        ));
        assert!(jumped(&still, &camera(0.3, Vec3::new(0.6, 0.0, 0.0)), 10.0));
        // An unknown radius never makes a step a jump.
        assert!(!jumped(&still, &camera(0.3, Vec3::X * 100.0), f32::NAN));
    }
}
