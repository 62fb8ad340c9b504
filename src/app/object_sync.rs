//! The GPU side follows the scene panel: each frame `ViewerCore::sync_objects`
//! compares the object entries (`AppState::objects`: visibility, placement,
//! removals) with what the GPU holds and catches up.
//!
//! - **Meshes**: one `MeshScene` each; a moved object gets
//!   `MeshScene::set_transform`, a hidden one is left out of the draw, a removed
//!   one is dropped.
//! - **Splats** must be sorted together to blend right, so the GPU holds one
//!   `SplatScene` for all of them. With one splat object that has not been
//!   moved, that scene is the object's file, streamed straight to the GPU with
//!   no CPU copy (hiding it draws an empty scene). With several splat objects,
//!   or a moved one, the scene is rebuilt with `SceneObjects::combined_splats`
//!   from CPU copies of every splat object whenever a visibility or placement
//!   changes, at most every `REBUILD_INTERVAL` while a slider is dragged. A copy
//!   is kept only while it is needed; an object without one is reloaded from
//!   its file first (as after a device loss), and the current scene stays on
//!   screen meanwhile.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::core::ViewerCore;
use super::loading::{LoadPurpose, LoadRequest};
use super::objects::{ObjectEntry, ObjectId, splats_need_copies};
use crate::render::SplatScene;
use crate::scene::objects::{ObjectContent, SceneObject, SceneObjects};
use crate::scene::{Similarity, SplatCloud};

/// Shortest time between two rebuilds of the combined splat scene.
pub const REBUILD_INTERVAL: Duration = Duration::from_millis(250);

/// What the GPU splat scene holds.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum SplatsBuilt {
    /// No splats.
    #[default]
    Nothing,
    /// Object `id`'s file as it is (streamed, or uploaded from its copy).
    Direct(ObjectId),
    /// `combined_splats` of the objects (id, visible, placement) listed.
    Combined(Vec<(ObjectId, bool, Similarity)>),
}

/// The CPU copies of splat objects and what the GPU splat scene was built from.
#[derive(Default)]
pub struct ObjectStore {
    pub copies: BTreeMap<ObjectId, SplatCloud>,
    pub built: SplatsBuilt,
    last_rebuild: Option<Instant>,
    /// Milliseconds the last rebuild took (combine + upload).
    pub last_rebuild_ms: Option<f64>,
}

impl ObjectStore {
    /// CPU bytes of object `id`'s copy.
    pub fn copy_bytes(&self, id: ObjectId) -> u64 {
        self.copies.get(&id).map_or(0, |c| c.memory_bytes() as u64)
    }
}

/// (id, visible, placement) of every splat object, in order.
fn splat_signature(entries: &[ObjectEntry]) -> Vec<(ObjectId, bool, Similarity)> {
    entries
        .iter()
        .filter(|e| e.kind.is_splats())
        .map(|e| (e.id, e.visible, e.placement))
        .collect()
}

impl ViewerCore {
    /// Brings the GPU objects in line with the entries; returns when the next
    /// throttled rebuild is due, if one waits.
    pub(super) fn sync_objects(&mut self) -> Option<Instant> {
        self.sync_meshes();
        let due = self.sync_splats();
        self.update_object_memory();
        due
    }

    fn sync_meshes(&mut self) {
        let entries = &self.state.objects;
        let meshes = self.scene_view.meshes_mut();
        let before = meshes.len();
        meshes.retain(|m| entries.iter().any(|e| e.id == m.id));
        let mut changed = meshes.len() != before;
        for mesh in meshes.iter_mut() {
            let Some(entry) = entries.iter().find(|e| e.id == mesh.id) else {
                continue;
            };
            if mesh.visible != entry.visible {
                mesh.visible = entry.visible;
                changed = true;
            }
            if mesh.placement != entry.placement {
                mesh.scene
                    .set_transform(&self.gpu.queue, entry.placement.to_mat4());
                mesh.placement = entry.placement;
                changed = true;
            }
        }
        if changed {
            self.bump_generation();
        }
    }

    fn sync_splats(&mut self) -> Option<Instant> {
        let signature = splat_signature(&self.state.objects);
        // Copies of objects no longer in the scene go.
        self.store
            .copies
            .retain(|id, _| signature.iter().any(|(s, ..)| s == id));
        if signature.is_empty() {
            if self.store.built != SplatsBuilt::Nothing && !self.streaming_to_gpu() {
                self.scene_view.set_splats_hidden(false);
                self.set_splats(SplatCloud::new(0));
                self.store.built = SplatsBuilt::Nothing;
            }
            return None;
        }
        if !splats_need_copies(&self.state.objects) {
            let (id, visible, _) = signature[0];
            self.sync_direct(id, visible);
            return None;
        }
        let missing: Vec<ObjectId> = signature
            .iter()
            .map(|(id, ..)| *id)
            .filter(|id| !self.store.copies.contains_key(id))
            .collect();
        if !missing.is_empty() {
            for id in missing {
                self.request_reload(id, false);
            }
            return None;
        }
        if self.store.built == SplatsBuilt::Combined(signature.clone()) {
            return None;
        }
        if let Some(last) = self.store.last_rebuild {
            let due = last + REBUILD_INTERVAL;
            if Instant::now() < due {
                return Some(due);
            }
        }
        self.rebuild_combined(signature);
        None
    }

    /// One splat object drawn as it is: the GPU scene is its file (or its copy,
    /// uploaded once), hidden or not.
    fn sync_direct(&mut self, id: ObjectId, visible: bool) {
        match &self.store.built {
            SplatsBuilt::Direct(built) if *built == id => {}
            SplatsBuilt::Combined(sig) if sig.as_slice() == [(id, true, Similarity::IDENTITY)] => {
                // The combined scene of one untransformed object is the object.
                self.store.built = SplatsBuilt::Direct(id);
            }
            _ => {
                if let Some(copy) = self.store.copies.get(&id) {
                    let copy = copy.clone();
                    self.set_splats(copy);
                    self.store.built = SplatsBuilt::Direct(id);
                } else if !self.streaming_to_gpu() {
                    self.request_reload(id, true);
                    return;
                }
            }
        }
        if self.store.built == SplatsBuilt::Direct(id) {
            self.store.copies.clear();
            self.scene_view.set_splats_hidden(!visible);
        }
    }

    /// Builds the GPU scene from the copies (`combined_splats`) and uploads it.
    fn rebuild_combined(&mut self, signature: Vec<(ObjectId, bool, Similarity)>) {
        let started = Instant::now();
        let mut objects = SceneObjects::default();
        // Move the copies into a `SceneObjects` for `combined_splats` and back.
        let mut ids = Vec::new();
        for (id, visible, placement) in &signature {
            if let Some(cloud) = self.store.copies.remove(id) {
                let entry = self.state.object(*id);
                let mut object = SceneObject::new(
                    entry.map(|e| e.path.clone()).unwrap_or_default(),
                    ObjectContent::Splats(cloud),
                );
                object.visible = *visible;
                object.placement = *placement;
                objects.objects.push(object);
                ids.push(*id);
            }
        }
        let combined = objects
            .combined_splats()
            .unwrap_or_else(|| SplatCloud::new(0));
        for (id, object) in ids.into_iter().zip(objects.objects) {
            if let ObjectContent::Splats(cloud) = object.content {
                self.store.copies.insert(id, cloud);
            }
        }
        self.scene_view.set_splats_hidden(false);
        if self.set_splats(combined) {
            self.store.built = SplatsBuilt::Combined(signature);
        }
        self.store.last_rebuild = Some(Instant::now());
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        self.store.last_rebuild_ms = Some(ms);
        log::debug!("rebuilt the combined splat scene in {ms:.1} ms");
    }

    /// Uploads `cloud` as the GPU splat scene; false (with a message) when it
    /// does not fit.
    fn set_splats(&mut self, cloud: SplatCloud) -> bool {
        match SplatScene::new(&self.gpu.device, &cloud) {
            Ok(scene) => {
                self.scene_view.set_splats(scene);
                self.bump_generation();
                true
            }
            Err(err) => {
                self.state
                    .error(format!("cannot show the splat objects together: {err}"));
                false
            }
        }
    }

    /// Queues a reload of object `id` from its file unless one is queued or
    /// running.
    pub(super) fn request_reload(&mut self, id: ObjectId, to_gpu: bool) {
        let purpose = LoadPurpose::Reload { id, to_gpu };
        let running = self.load.as_ref().is_some_and(
            |job| matches!(job.request.purpose, LoadPurpose::Reload { id: r, .. } if r == id),
        );
        let queued = self
            .load_queue
            .iter()
            .any(|r| matches!(r.purpose, LoadPurpose::Reload { id: r, .. } if r == id));
        if running || queued {
            return;
        }
        let Some(path) = self.state.object(id).map(|e| e.path.clone()) else {
            return;
        };
        self.load_queue.push_front(LoadRequest { path, purpose });
        self.start_next_load();
    }

    /// Whether a load is streaming splats straight into the GPU scene.
    pub(super) fn streaming_to_gpu(&self) -> bool {
        self.load.as_ref().is_some_and(|job| {
            matches!(
                job.request.purpose,
                LoadPurpose::Open | LoadPurpose::Reload { to_gpu: true, .. }
            )
        })
    }

    /// Each entry's CPU and GPU memory, and the scene summary.
    fn update_object_memory(&mut self) {
        let splat_total: usize = self
            .state
            .objects
            .iter()
            .filter(|e| e.visible)
            .map(|e| match &e.kind {
                super::objects::ObjectKind::Splats { count, .. } => *count,
                super::objects::ObjectKind::Mesh { .. } => 0,
            })
            .sum();
        let resident = self.scene_view.scene().resident_bytes();
        let meshes: BTreeMap<ObjectId, u64> = self
            .scene_view
            .meshes()
            .iter()
            .map(|m| (m.id, m.scene.gpu_bytes()))
            .collect();
        let mut changed = false;
        for i in 0..self.state.objects.len() {
            let entry = &self.state.objects[i];
            let (cpu, gpu) = match &entry.kind {
                super::objects::ObjectKind::Splats { count, .. } => {
                    let share = if entry.visible && splat_total > 0 {
                        resident as f64 * *count as f64 / splat_total as f64
                    } else {
                        0.0
                    };
                    (self.store.copy_bytes(entry.id), share.round() as u64)
                }
                super::objects::ObjectKind::Mesh { .. } => {
                    (0, meshes.get(&entry.id).copied().unwrap_or(0))
                }
            };
            let entry = &mut self.state.objects[i];
            if (entry.cpu_bytes, entry.gpu_bytes) != (cpu, gpu) {
                entry.cpu_bytes = cpu;
                entry.gpu_bytes = gpu;
                changed = true;
            }
        }
        let bounds = super::objects::visible_bounds(&self.state.objects);
        let stale_bounds = self
            .state
            .scene
            .as_ref()
            .is_some_and(|s| s.bounds != bounds);
        if (changed || stale_bounds)
            && !self.state.objects.is_empty()
            && self.load_shows_scene_info()
        {
            self.state.summarize_objects();
        }
    }

    /// Whether the scene summary may be rebuilt from the entries (not while an
    /// `Open` streams in, whose summary the loader keeps).
    fn load_shows_scene_info(&self) -> bool {
        !self
            .load
            .as_ref()
            .is_some_and(|job| job.request.purpose == LoadPurpose::Open)
    }

    /// Marks the rendered images stale under a new scene generation.
    pub(super) fn bump_generation(&mut self) {
        self.generation += 1;
        self.scene_view.set_generation(self.generation);
    }
}
