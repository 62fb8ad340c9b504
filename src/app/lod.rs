//! The window's hierarchical level of detail (docs/LOD.md, "In the window").
//!
//! Once a splat scene has loaded (the flat scene shows first, streaming as
//! always), and while LOD is enabled in the settings, a worker thread reads the
//! file again (the window keeps no CPU copy of a single scene) and reads its
//! hierarchy from the cache or builds it (`LodCache::load_or_build`, with a
//! progress bar and a cancel), then makes the extended cloud. The frame loop
//! polls the worker and, when it is done, makes a `LodScene` (the page pool) on
//! the window's device; from then on, when the camera or the LOD settings
//! changed, a cut runs on a worker thread (`LodScene::update_async`), and the
//! frame after it finishes applies it (draw list, page uploads with
//! `queue.write_buffer`); no frame waits, and the views draw the pool through
//! the last applied cut's draw list.
//!
//! LOD applies only while the GPU splat scene is one splat object drawn as its
//! file (`SplatsBuilt::Direct`): with several splat objects, or a moved one, the
//! GPU scene is a combination rebuilt on every change, and rebuilding its
//! hierarchy each time would cost seconds per edit; LOD then stays off with a
//! reason in the panel. The hierarchy and host copy are kept while their object
//! is in the scene, LOD on or off, so a device loss (`ViewerCore::recover`) or
//! switching LOD off and on only makes the page pool again.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::time::Instant;

use super::core::ViewerCore;
use super::lod_status::{LodBuildInfo, LodBuildStatus};
use super::object_sync::SplatsBuilt;
use super::objects::ObjectId;
use super::{UserEvent, Waker};
use crate::render::lod::{DEFAULT_PAGE_NODES, LodParams, LodScene, default_memory_budget};
use crate::render::{DrawList, SplatScene};
use crate::scene::lod::LodHierarchy;
use crate::scene::lod::build::{BuildOptions, BuildProgress, LodBuildError};
use crate::scene::lod::cache::{CacheSource, LodCache, load_or_build_hierarchy};
use crate::scene::{AaMode, PinholeCamera, SplatCloud};

/// Most updates an offline frame (screenshot, video frame) takes to bring in the
/// pages its cut needs (as `render` does).
const OFFLINE_MAX_UPDATES: usize = 256;

/// Which scene a hierarchy is of: one splat object's file.
#[derive(Clone, Debug, PartialEq)]
pub struct LodKey {
    pub id: ObjectId,
    pub path: PathBuf,
}

/// A hierarchy and its extended cloud, on the host.
struct Hierarchy {
    key: LodKey,
    hierarchy: Arc<LodHierarchy>,
    host: Arc<SplatCloud>,
    aa_mode: AaMode,
    info: LodBuildInfo,
}

struct BuildJob {
    key: LodKey,
    progress: Arc<BuildProgress>,
    receiver: Receiver<Result<Hierarchy, String>>,
    started: Instant,
}

/// The page pool on the current device (which knows what its cut was made for).
struct Pool {
    scene: LodScene,
    memory_budget: Option<u64>,
}

/// The LOD side of the viewer: a build in flight, the hierarchy in use and its
/// page pool.
#[derive(Default)]
pub struct WindowLod {
    job: Option<BuildJob>,
    built: Option<Hierarchy>,
    pool: Option<Pool>,
    /// A build the user cancelled, or one that failed: not started again until
    /// LOD is switched off and on or the scene changes.
    declined: Option<LodKey>,
    /// The declined build was cancelled (not failed).
    declined_by_cancel: bool,
    /// Pages are still streaming in: draw again soon.
    pub streaming: bool,
    /// A cut is running on the worker thread (it wakes the event loop when done).
    pub cutting: bool,
    /// The splats of a scene the GPU shows only a preview of (larger than one
    /// binding), kept from its load so the build need not read the file again.
    source: Option<(LodKey, Arc<SplatCloud>)>,
}

impl WindowLod {
    /// Stops the build in flight (its thread ends soon after).
    pub fn cancel(&mut self) {
        if let Some(job) = self.job.take() {
            job.progress.cancel();
            log::info!(
                "level of detail: build of {} cancelled",
                job.key.path.display()
            );
            self.declined = Some(job.key);
            self.declined_by_cancel = true;
        }
    }

    /// Forgets the page pool (its device is gone); the hierarchy stays, and the
    /// next `sync_lod` makes a pool on the new device.
    pub fn drop_gpu(&mut self) {
        self.pool = None;
    }

    /// Keeps the loaded splats of object `id` (file `path`) for its hierarchy
    /// build, unless the hierarchy of that file is already at hand.
    pub fn offer_source(&mut self, id: ObjectId, path: &std::path::Path, cloud: SplatCloud) {
        let key = LodKey {
            id,
            path: path.to_owned(),
        };
        let have = self.built.as_ref().is_some_and(|b| b.key == key);
        self.source = (!have).then(|| (key, Arc::new(cloud)));
    }

    /// The pool to draw and its draw list, when LOD is drawn.
    pub fn draw(&self, color_by_level: bool) -> Option<(&SplatScene, DrawList<'_>)> {
        self.pool
            .as_ref()
            .map(|p| (p.scene.pool(), p.scene.draw_list(color_by_level)))
    }
}

/// Reads `path` again (unless its splats are given) and reads its hierarchy
/// from the cache or builds it.
fn build_hierarchy(
    key: LodKey,
    source: Option<Arc<SplatCloud>>,
    progress: &BuildProgress,
) -> Result<Hierarchy, String> {
    let started = Instant::now();
    let cloud = match source {
        Some(cloud) => cloud,
        None => Arc::new(
            crate::io::load_splat_file(&key.path)
                .map_err(|err| format!("level of detail: cannot read the scene again: {err}"))?,
        ),
    };
    let options = BuildOptions::default();
    let cancelled = |err: LodBuildError| match err {
        LodBuildError::Cancelled => "level-of-detail build cancelled".to_owned(),
        other => other.to_string(),
    };
    let (hierarchy, source) = load_or_build_hierarchy(
        LodCache::platform().as_ref(),
        Some(&key.path),
        &cloud,
        &options,
        Some(progress),
    )
    .map_err(cancelled)?;
    let beside_scene = matches!(source, CacheSource::Beside(_));
    let from_cache = beside_scene || matches!(source, CacheSource::Loaded);
    let host = hierarchy.extended_cloud(&cloud).ok_or_else(|| {
        "level of detail: the hierarchy does not match the scene it was built for".to_owned()
    })?;
    let info = LodBuildInfo {
        hierarchy_ms: started.elapsed().as_secs_f64() * 1000.0,
        from_cache,
        beside_scene,
        nodes: hierarchy.nodes().len(),
        depth: hierarchy.depth_count(),
    };
    Ok(Hierarchy {
        key,
        aa_mode: cloud.aa_hint.mode,
        hierarchy: Arc::new(hierarchy),
        host: Arc::new(host),
        info,
    })
}

fn spawn_build(key: LodKey, source: Option<Arc<SplatCloud>>, waker: Waker) -> BuildJob {
    let progress = Arc::new(BuildProgress::default());
    let (sender, receiver) = channel();
    let worker_progress = Arc::clone(&progress);
    let worker_key = key.clone();
    std::thread::spawn(move || {
        let result = build_hierarchy(worker_key, source, &worker_progress);
        let _ = sender.send(result);
        waker(UserEvent::WorkerNews);
    });
    BuildJob {
        key,
        progress,
        receiver,
        started: Instant::now(),
    }
}

impl ViewerCore {
    /// The scene LOD should be drawn for now, or why none (`Err`); `Ok(None)`
    /// while a load streams into the GPU scene (no cut is drawn meanwhile).
    fn lod_target(&self) -> Result<Option<LodKey>, String> {
        if !self.state.settings.hierarchy.enabled {
            return Err(String::new());
        }
        if self.streaming_to_gpu() {
            return Ok(None);
        }
        let SplatsBuilt::Direct(id) = self.store.built else {
            let splat_objects = self
                .state
                .objects
                .iter()
                .filter(|e| e.kind.is_splats())
                .count();
            return Err(match splat_objects {
                0 => "no splat scene".to_owned(),
                1 => {
                    "off while the splat object is moved (its placement is not identity)".to_owned()
                }
                _ => "off while the scene has several splat objects".to_owned(),
            });
        };
        match self.state.object(id) {
            Some(entry) if entry.visible => Ok(Some(LodKey {
                id,
                path: entry.path.clone(),
            })),
            Some(_) => Err("the splat object is hidden".to_owned()),
            None => Err("no splat scene".to_owned()),
        }
    }

    /// Starts, polls or drops the hierarchy build and the page pool so that
    /// they follow the settings and the scene; updates the panel's status.
    pub(super) fn sync_lod(&mut self) {
        let target = self.lod_target();
        if !self.state.settings.hierarchy.enabled {
            self.lod.declined = None;
        }
        match &target {
            // A load streams into the GPU scene: draw it, not the old cut (the
            // hierarchy stays, for a reload of the same scene).
            Ok(None) => {
                if self.lod.pool.take().is_some() {
                    self.bump_generation();
                }
            }
            Ok(Some(key)) => {
                if self.lod.built.as_ref().is_some_and(|b| b.key != *key) {
                    self.lod.built = None;
                    self.lod.pool = None;
                }
                if self.lod.job.as_ref().is_some_and(|j| j.key != *key) {
                    self.lod.cancel();
                }
                if self.lod.built.is_none()
                    && self.lod.job.is_none()
                    && self.lod.declined.as_ref() != Some(key)
                {
                    let source = self
                        .lod
                        .source
                        .take()
                        .filter(|(source_key, _)| source_key == key)
                        .map(|(_, cloud)| cloud);
                    self.lod.job = Some(spawn_build(key.clone(), source, self.waker.clone()));
                }
            }
            Err(_) => {
                self.lod.cancel();
                self.lod.declined = None;
                // The flat scene draws and the page pool's GPU memory is
                // freed, but the hierarchy stays on the host while its object
                // is in the scene: switching LOD on again (or showing the
                // object again) makes the pool at once, without reading the
                // cache again (seconds for millions of splats).
                if self.lod.pool.take().is_some() {
                    self.bump_generation();
                }
                if self
                    .lod
                    .built
                    .as_ref()
                    .is_some_and(|b| self.state.object(b.key.id).is_none())
                {
                    self.lod.built = None;
                }
            }
        }
        self.poll_lod_build();
        self.ensure_lod_pool(matches!(target, Ok(Some(_))));
        let status = &mut self.state.hierarchy;
        status.unavailable = match (&target, &self.lod.declined) {
            (Err(reason), _) if !reason.is_empty() => Some(reason.clone()),
            (Ok(Some(key)), Some(declined)) if key == declined => Some(
                if self.lod.declined_by_cancel {
                    "build cancelled: switch LOD off and on to build it"
                } else {
                    "build failed (the message says why): switch LOD off and on to try again"
                }
                .to_owned(),
            ),
            _ => None,
        };
        status.building = self.lod.job.as_ref().map(|job| LodBuildStatus {
            name: job
                .key
                .path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            fraction: job.progress.fraction(),
            elapsed: job.started.elapsed(),
        });
        status.active = self.lod.pool.is_some();
        // The hierarchy of the scene shown, not one of an earlier scene.
        status.build = self.lod.built.as_ref().map(|built| built.info);
        if !status.active {
            status.stats = None;
        }
    }

    fn poll_lod_build(&mut self) {
        let Some(job) = &self.lod.job else {
            return;
        };
        let result = match job.receiver.try_recv() {
            Ok(result) => result,
            Err(TryRecvError::Empty) => return,
            Err(TryRecvError::Disconnected) => {
                Err("level of detail: the build thread stopped".to_owned())
            }
        };
        let Some(job) = self.lod.job.take() else {
            return;
        };
        match result {
            Ok(hierarchy) => {
                log::info!(
                    "level of detail: {} nodes, {} levels in {:.0} ms ({})",
                    hierarchy.info.nodes,
                    hierarchy.info.depth,
                    hierarchy.info.hierarchy_ms,
                    if hierarchy.info.from_cache {
                        "from the cache"
                    } else {
                        "built"
                    }
                );
                self.lod.built = Some(hierarchy);
            }
            Err(message) => {
                let cancelled = job.progress.is_cancelled();
                if !cancelled {
                    self.state.error(format!("{message}; the flat scene stays"));
                }
                self.lod.declined = Some(job.key);
                self.lod.declined_by_cancel = cancelled;
            }
        }
    }

    /// Makes the page pool on this device from the hierarchy (again when the
    /// memory budget changed); drops it when LOD should not draw.
    fn ensure_lod_pool(&mut self, wanted: bool) {
        let budget = self.state.settings.hierarchy.memory_budget_bytes();
        let Some(built) = &self.lod.built else {
            return;
        };
        if !wanted {
            return;
        }
        if self
            .lod
            .pool
            .as_ref()
            .is_some_and(|p| p.memory_budget == budget)
        {
            return;
        }
        let bytes = budget
            .unwrap_or_else(|| default_memory_budget(self.gpu.adapter.get_info().device_type));
        match LodScene::new(
            &self.gpu.device,
            &self.gpu.queue,
            Arc::clone(&built.hierarchy),
            Arc::clone(&built.host),
            built.aa_mode,
            bytes,
            DEFAULT_PAGE_NODES,
        ) {
            Ok(mut scene) => {
                let waker = self.waker.clone();
                scene.set_cut_notifier(Arc::new(move || waker(UserEvent::WorkerNews)));
                self.lod.pool = Some(Pool {
                    scene,
                    memory_budget: budget,
                });
                self.bump_generation();
            }
            Err(err) => {
                self.state.error(format!(
                    "level of detail: cannot make the page pool: {err}; the flat scene stays"
                ));
                self.lod.declined = Some(built.key.clone());
                self.lod.declined_by_cancel = false;
                self.lod.built = None;
                self.lod.pool = None;
            }
        }
    }

    /// The cut's parameters from the settings, for the LOD settings' clip planes.
    pub(super) fn lod_params(&self) -> LodParams {
        let clip = self.state.settings.lod.clamped();
        self.state
            .settings
            .hierarchy
            .params(clip.near_plane, clip.far_plane)
    }

    /// Keeps the cut following `camera` without waiting: a cut runs on a
    /// worker thread when the camera or the settings changed since the last
    /// one, or pages are still streaming in; the frame draws the last finished
    /// cut (`LodScene::update_async`).
    pub(super) fn update_lod(&mut self, camera: &PinholeCamera) {
        let params = self.lod_params();
        let Some(pool) = &mut self.lod.pool else {
            self.lod.streaming = false;
            self.lod.cutting = false;
            return;
        };
        // The worker wakes the event loop when its cut is done.
        self.lod.cutting = pool
            .scene
            .update_async(&self.gpu.queue, camera, &params, false);
        let stats = pool.scene.stats();
        self.lod.streaming = stats.pages_wanted > 0 && stats.pages_uploaded > 0;
        self.state.hierarchy.stats = Some(stats);
    }

    /// Brings the cut for an offline frame's `camera` fully in (as `render`
    /// does); the window's next frame updates its own cut again.
    pub(super) fn update_lod_offline(&mut self, camera: &PinholeCamera) {
        let params = self.lod_params();
        if let Some(pool) = &mut self.lod.pool {
            pool.scene
                .update_until_resident(&self.gpu.queue, camera, &params, OFFLINE_MAX_UPDATES);
        }
    }
}
