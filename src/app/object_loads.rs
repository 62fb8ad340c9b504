//! The viewer's side of loads (`app::loading`): starting them from the queue,
//! draining their messages, and what each purpose does with the result.
//!
//! - `Open`: splats stream into a new GPU scene; at the first chunk the objects
//!   shown before are moved aside (and put back if the load fails or is
//!   cancelled); a mesh replaces the scene once it has loaded and uploaded.
//! - `Add`: the object joins the scene when it has loaded (splats with their
//!   CPU copy, for the combined scene); the camera frames everything if the user
//!   has not moved it.
//! - `Reload`: the object's entry stays; its content comes back.
//! - `CompareB`: handed to the compare view.
//!
//! A file that cannot be read or recognised gives one message and changes
//! nothing.

use std::path::PathBuf;

use super::core::ViewerCore;
use super::loading::{
    LoadJob, LoadPurpose, LoadRequest, Loader, MeshMessage, PreviousScene, about_file,
};
use super::object_sync::SplatsBuilt;
use super::objects::{ObjectEntry, ObjectKind};
use super::scene_view::GpuMesh;
use super::state::LoadStatus;
use super::stream_preview::{StreamPreview, every_nth};
use crate::io::SceneFileKind;
use crate::io::cameras_json::load_cameras_json;
use crate::io::mesh::MeshLoadStage;
use crate::io::stream::LoadMessage;
use crate::render::MeshScene;
use crate::render::scene::max_scene_splats;
use crate::scene::mesh::MeshObject;
use crate::scene::{AaMode, SceneBounds, SplatCloud};

impl ViewerCore {
    /// Replaces the scene with `path` (loaded in the background; the current
    /// scene stays until the new one shows) and frames it. Loads queued or
    /// running are cancelled.
    pub fn open_scene(&mut self, path: PathBuf) {
        self.load_queue.clear();
        if let Some(job) = self.load.take() {
            job.cancel();
            if job.request.purpose == LoadPurpose::CompareB {
                self.b_failed(&job.request.path);
            }
            self.abort_job(job);
        }
        self.enqueue(path, LoadPurpose::Open);
    }

    /// Adds `path` to the scene as another object.
    pub fn add_scene(&mut self, path: PathBuf) {
        self.enqueue(path, LoadPurpose::Add);
    }

    /// Opens every file: the first replaces the scene, the others are added
    /// (`splatview a.ply b.glb`).
    pub fn open_scenes(&mut self, paths: Vec<PathBuf>) {
        let mut paths = paths.into_iter();
        if let Some(first) = paths.next() {
            self.open_scene(first);
        }
        for path in paths {
            self.add_scene(path);
        }
    }

    /// Queues `path` for `purpose` and starts it if nothing else loads.
    pub(super) fn enqueue(&mut self, path: PathBuf, purpose: LoadPurpose) {
        self.load_queue.push_back(LoadRequest { path, purpose });
        self.start_next_load();
    }

    /// Starts the next queued load when none runs: tells the file's kind from
    /// its content and picks the loader. A file that cannot be recognised is
    /// reported and skipped.
    pub(super) fn start_next_load(&mut self) {
        while self.load.is_none() {
            let Some(request) = self.load_queue.pop_front() else {
                self.state.loading = None;
                return;
            };
            let kind = match crate::io::detect_scene_file(&request.path) {
                Ok(kind) => kind,
                Err(err) => {
                    self.state.error(err.to_string());
                    if request.purpose == LoadPurpose::CompareB {
                        self.b_failed(&request.path);
                    }
                    continue;
                }
            };
            let job = match kind {
                SceneFileKind::Splats => LoadJob::splats(request, self.waker.clone()),
                SceneFileKind::Mesh(format) | SceneFileKind::PointCloud(format) => {
                    LoadJob::mesh(request, format, self.waker.clone())
                }
            };
            self.state.loading = Some(LoadStatus {
                path: job.path().to_owned(),
                elapsed: Default::default(),
                fraction: None,
                splats_loaded: 0,
                total_splats: None,
                bytes_read: 0,
                file_bytes: 0,
            });
            self.load = Some(job);
        }
    }

    /// Cancels the running load and everything queued (the previous scene
    /// comes back).
    pub fn cancel_load(&mut self) {
        self.load_queue.clear();
        if let Some(job) = self.load.take() {
            job.cancel();
            if job.request.purpose == LoadPurpose::CompareB {
                self.b_failed(&job.request.path);
            }
            self.abort_job(job);
        }
        self.state.loading = None;
    }

    /// Puts back what `job` had replaced, if anything.
    fn abort_job(&mut self, job: LoadJob) {
        let Loader::Splats(stream) = job.loader else {
            return;
        };
        if !stream.switched {
            return;
        }
        self.scene_view.abort_stream();
        self.bump_generation();
        match stream.previous {
            Some(previous) => {
                self.state.scene = previous.info;
                self.state.objects = previous.objects;
                self.store = previous.store;
                self.state.hierarchy.preview = previous.preview;
            }
            None if job.request.purpose == LoadPurpose::Open => {
                self.state.scene = None;
                self.state.objects.clear();
                self.state.hierarchy.preview = None;
            }
            None => {}
        }
    }

    /// Drains the running load's messages; when it ends, starts the next.
    pub fn pump_load(&mut self) {
        loop {
            let Some(mut job) = self.load.take() else {
                return;
            };
            let outcome = match &job.loader {
                Loader::Splats(_) => self.pump_splats(&mut job),
                Loader::Mesh(_) => self.pump_mesh(&mut job),
            };
            match outcome {
                Pumped::Pending => {
                    self.load = Some(job);
                    return;
                }
                Pumped::Done => {}
                Pumped::Failed => {
                    if job.request.purpose == LoadPurpose::CompareB {
                        self.b_failed(&job.request.path);
                    }
                    self.abort_job(job);
                }
            }
            self.state.loading = None;
            self.start_next_load();
            if self.load.is_none() {
                return;
            }
        }
    }

    /// Splat stream messages, until none is waiting or the load has ended.
    fn pump_splats(&mut self, job: &mut LoadJob) -> Pumped {
        loop {
            let Loader::Splats(stream) = &mut job.loader else {
                return Pumped::Done;
            };
            let Some(message) = stream.stream.try_recv() else {
                return Pumped::Pending;
            };
            match message {
                LoadMessage::Progress(p) => {
                    if let Some(status) = &mut self.state.loading {
                        status.fraction = Some(if p.file_bytes == 0 {
                            0.0
                        } else if p.total_splats > 0 {
                            // Reading is fast; decoding is the long part.
                            0.2 * (p.bytes_read as f32 / p.file_bytes as f32)
                                + 0.8 * (p.splats_decoded as f32 / p.total_splats as f32)
                        } else {
                            0.2 * (p.bytes_read as f32 / p.file_bytes as f32)
                        });
                        status.splats_loaded = p.splats_decoded as u64;
                        status.bytes_read = p.bytes_read;
                        status.file_bytes = p.file_bytes;
                        status.total_splats = (p.total_splats > 0).then_some(p.total_splats as u64);
                    }
                }
                LoadMessage::Started {
                    format,
                    total_splats,
                    sh_degree,
                    aa_hint,
                    ..
                } => {
                    stream.total_splats = Some(total_splats);
                    stream.format = Some(format.to_string());
                    stream.cloud = SplatCloud::new(sh_degree);
                    stream.cloud.set_aa_hint(aa_hint);
                    stream.cloud.reserve(total_splats);
                }
                LoadMessage::Chunk {
                    first_splat,
                    splats,
                } => {
                    if stream.to_gpu && !stream.switched && !self.switch_to_stream(job) {
                        return Pumped::Failed;
                    }
                    let Loader::Splats(stream) = &mut job.loader else {
                        return Pumped::Done;
                    };
                    stream.cloud.append(&splats);
                    if stream.to_gpu {
                        let shown = every_nth(splats, first_splat, stream.gpu_stride);
                        if let Err(err) = self.scene_view.append_chunk(&self.gpu.queue, &shown) {
                            self.state
                                .error(format!("{}: {err}", job.request.path.display()));
                        }
                        self.bump_generation();
                    }
                }
                LoadMessage::Finished { elapsed } => {
                    log::info!(
                        "loaded {}: {} splats, SH degree {} in {:.2} s",
                        job.request.path.display(),
                        stream.cloud.len(),
                        stream.cloud.sh_degree,
                        elapsed.as_secs_f32()
                    );
                    self.finish_splats(job);
                    return Pumped::Done;
                }
                LoadMessage::Failed(err) => {
                    self.state.error(err.to_string());
                    return Pumped::Failed;
                }
                LoadMessage::Cancelled => return Pumped::Failed,
            }
        }
    }

    /// First chunk of a streamed load to the GPU: switches the GPU scene (and,
    /// for `Open`, moves the objects shown so far aside). False when the scene
    /// cannot be shown.
    fn switch_to_stream(&mut self, job: &mut LoadJob) -> bool {
        let Loader::Splats(stream) = &mut job.loader else {
            return false;
        };
        let replace = job.request.purpose == LoadPurpose::Open;
        let total = stream.total_splats.unwrap_or(0);
        let preview = StreamPreview::plan(
            total,
            max_scene_splats(&self.gpu.device, stream.cloud.sh_degree),
            self.state.settings.hierarchy.budget,
        );
        stream.gpu_stride = preview.stride;
        if let Err(err) = self.scene_view.begin_stream(
            &self.gpu.device,
            total.div_ceil(stream.gpu_stride),
            stream.cloud.sh_degree,
            cloud_aa_mode(&stream.cloud),
            replace,
        ) {
            self.state.error(format!(
                "{}: cannot show this scene: {err}",
                job.request.path.display()
            ));
            job.cancel();
            return false;
        }
        stream.switched = true;
        self.state.stats.visible_splats = None;
        let preview = preview.message();
        if let Some(message) = &preview
            && !self.state.settings.hierarchy.enabled
        {
            self.state.settings.hierarchy.enabled = true;
            self.state.notice(format!(
                "{}: level of detail switched on: {message}",
                job.request.path.display()
            ));
        }
        let shown_before = std::mem::replace(&mut self.state.hierarchy.preview, preview);
        match job.request.purpose {
            LoadPurpose::Open => {
                stream.previous = Some(PreviousScene {
                    info: self.state.scene.clone(),
                    objects: std::mem::take(&mut self.state.objects),
                    store: std::mem::take(&mut self.store),
                    preview: shown_before,
                });
                let id = self.state.new_object_id();
                let entry = splat_entry(id, &job.request.path, stream);
                self.store.built = SplatsBuilt::Direct(id);
                self.state.objects.push(entry);
                self.state.summarize_objects();
                if let Some(info) = self.state.scene.clone() {
                    self.state.set_scene(info);
                }
            }
            LoadPurpose::Reload { id, .. } => {
                self.store.built = SplatsBuilt::Direct(id);
            }
            LoadPurpose::Add | LoadPurpose::CompareB => {}
        }
        self.bump_generation();
        true
    }

    /// A splat load ended well.
    fn finish_splats(&mut self, job: &mut LoadJob) {
        let purpose = job.request.purpose.clone();
        let path = job.request.path.clone();
        let Loader::Splats(stream) = &mut job.loader else {
            return;
        };
        if stream.to_gpu && !stream.switched {
            // An empty file: no chunk ever came.
            if !self.switch_to_stream(job) {
                return;
            }
        }
        let Loader::Splats(stream) = &mut job.loader else {
            return;
        };
        let cloud = std::mem::replace(&mut stream.cloud, SplatCloud::new(0));
        // The GPU holds only a preview: the hierarchy is built from this copy
        // (the file is not read again).
        let preview_only = stream.to_gpu && stream.gpu_stride > 1;
        match purpose {
            LoadPurpose::Open => {
                self.scene_view.finish_stream();
                stream.previous = None;
                if let Some(entry) = self.state.objects.last_mut() {
                    entry.local_bounds = SceneBounds::robust(&cloud);
                    if let ObjectKind::Splats { count, .. } = &mut entry.kind {
                        *count = cloud.len();
                    }
                }
                self.state.summarize_objects();
                if self.state.camera_untouched {
                    self.state.frame_new_scene();
                }
                self.training_cameras_beside(&path);
                self.state.settings.add_recent(&path);
                // Persist the recent-files list now, not only on exit.
                self.save_settings();
                if let Some(id) = self.state.objects.last().map(|e| e.id)
                    && preview_only
                {
                    self.lod.offer_source(id, &path, cloud);
                }
            }
            LoadPurpose::Reload { id, to_gpu } => {
                if to_gpu {
                    self.scene_view.finish_stream();
                    if preview_only {
                        self.lod.offer_source(id, &path, cloud);
                    }
                } else if self.state.object(id).is_some() {
                    self.store.copies.insert(id, cloud);
                }
            }
            LoadPurpose::Add => {
                let id = self.state.new_object_id();
                let mut entry = splat_entry(id, &path, stream);
                entry.local_bounds = SceneBounds::robust(&cloud);
                // The stream's cloud was taken above: its numbers come from
                // the cloud (an added SH 2 scene was listed as SH 0).
                if let ObjectKind::Splats {
                    count,
                    sh_degree,
                    aa,
                    ..
                } = &mut entry.kind
                {
                    *count = cloud.len();
                    *sh_degree = cloud.sh_degree;
                    *aa = cloud.aa_hint.clone();
                }
                self.store.copies.insert(id, cloud);
                self.object_added(entry);
            }
            LoadPurpose::CompareB => self.b_loaded_splats(&path, cloud),
        }
    }

    /// An object joined the scene: listed, framed with the rest if the camera
    /// is where the scene opened.
    fn object_added(&mut self, entry: ObjectEntry) {
        let path = entry.path.clone();
        self.state.objects.push(entry);
        self.state.summarize_objects();
        if self.state.camera_untouched {
            self.state.frame_new_scene();
        }
        self.state.settings.add_recent(&path);
    }

    /// Mesh load messages, until none is waiting or the load has ended.
    fn pump_mesh(&mut self, job: &mut LoadJob) -> Pumped {
        loop {
            let Loader::Mesh(load) = &job.loader else {
                return Pumped::Done;
            };
            let Ok(message) = load.receiver.try_recv() else {
                return Pumped::Pending;
            };
            match message {
                MeshMessage::Progress(p) => {
                    if let Some(status) = &mut self.state.loading {
                        let part = if p.total > 0 {
                            p.done as f32 / p.total as f32
                        } else {
                            0.0
                        };
                        status.fraction = Some(match p.stage {
                            MeshLoadStage::Reading => 0.3 * part,
                            MeshLoadStage::Parsing => 0.3 + 0.5 * part,
                            MeshLoadStage::Textures => 0.8 + 0.2 * part,
                        });
                        if p.stage == MeshLoadStage::Reading {
                            status.bytes_read = p.done;
                            status.file_bytes = p.total;
                        }
                    }
                }
                MeshMessage::Done(result) => match *result {
                    Ok(mesh) => {
                        self.finish_mesh(&job.request, mesh);
                        return Pumped::Done;
                    }
                    Err(crate::io::LoadError::Cancelled { .. }) => return Pumped::Failed,
                    Err(err) => {
                        self.state.error(err.to_string());
                        return Pumped::Failed;
                    }
                },
            }
        }
    }

    /// A mesh or point cloud loaded: uploaded, then used for the request's
    /// purpose. An upload that fails changes nothing.
    fn finish_mesh(&mut self, request: &LoadRequest, mesh: MeshObject) {
        for warning in &mesh.warnings {
            self.state.notice(about_file(&request.path, warning));
        }
        if request.purpose == LoadPurpose::CompareB {
            self.b_loaded_mesh(&request.path, mesh);
            return;
        }
        let scene = match MeshScene::new(
            &self.gpu.device,
            &self.gpu.queue,
            &self.scene_view.renderer.meshes,
            &mesh,
        ) {
            Ok(scene) => scene,
            Err(err) => {
                self.state.error(format!(
                    "{}: cannot show this mesh: {err}",
                    request.path.display()
                ));
                return;
            }
        };
        for warning in &scene.warnings {
            self.state.notice(about_file(&request.path, warning));
        }
        let kind = ObjectKind::Mesh {
            format: mesh.format,
            triangles: mesh.triangle_count(),
            points: mesh.point_count(),
        };
        let bounds = mesh.bounds_under(glam::Mat4::IDENTITY);
        match request.purpose {
            LoadPurpose::Open => {
                self.scene_view.clear();
                self.store = Default::default();
                self.state.objects.clear();
                self.state.hierarchy.preview = None;
                let id = self.state.new_object_id();
                self.add_gpu_mesh(id, scene, true);
                self.state
                    .objects
                    .push(ObjectEntry::new(id, request.path.clone(), kind, bounds));
                self.state.summarize_objects();
                if let Some(info) = self.state.scene.clone() {
                    self.state.set_scene(info);
                }
                self.state.hint_mesh_up();
                self.state.settings.add_recent(&request.path);
                self.save_settings();
            }
            LoadPurpose::Add => {
                let id = self.state.new_object_id();
                self.add_gpu_mesh(id, scene, true);
                self.object_added(ObjectEntry::new(id, request.path.clone(), kind, bounds));
            }
            LoadPurpose::Reload { id, .. } => {
                if let Some(entry) = self.state.object(id).cloned() {
                    self.add_gpu_mesh(id, scene, entry.visible);
                }
            }
            LoadPurpose::CompareB => {}
        }
    }

    /// Puts a mesh on the GPU list (its placement is written by the next sync).
    fn add_gpu_mesh(&mut self, id: super::objects::ObjectId, scene: MeshScene, visible: bool) {
        let meshes = self.scene_view.meshes_mut();
        meshes.retain(|m| m.id != id);
        meshes.push(GpuMesh {
            id,
            scene,
            visible,
            placement: crate::scene::Similarity::IDENTITY,
        });
        self.bump_generation();
    }

    /// Loads `cameras.json` beside a freshly opened scene, if there is one.
    fn training_cameras_beside(&mut self, scene: &std::path::Path) {
        if self.state.dataset.is_some() {
            return; // The dataset's cameras (with their photos) stay.
        }
        if let Some(file) = super::loading::cameras_beside(scene) {
            match load_cameras_json(&file) {
                Ok(cameras) => {
                    log::info!("{} training cameras from {}", cameras.len(), file.display());
                    self.state.set_training_cameras(file, cameras);
                }
                Err(err) => self.state.error(err.to_string()),
            }
        }
    }
}

/// Where a load stands after its waiting messages were handled.
enum Pumped {
    Pending,
    Done,
    /// Failed or cancelled: what it replaced comes back.
    Failed,
}

/// The entry of a splat file streaming in.
fn splat_entry(
    id: super::objects::ObjectId,
    path: &std::path::Path,
    stream: &super::loading::SplatStream,
) -> ObjectEntry {
    ObjectEntry::new(
        id,
        path.to_owned(),
        ObjectKind::Splats {
            format: stream.format.clone().unwrap_or_else(|| "unknown".into()),
            count: stream.total_splats.unwrap_or(stream.cloud.len()),
            sh_degree: stream.cloud.sh_degree,
            aa: stream.cloud.aa_hint.clone(),
        },
        SceneBounds::robust(&stream.cloud),
    )
}

/// The anti-aliasing mode a loaded cloud's file asks for.
pub(super) fn cloud_aa_mode(cloud: &SplatCloud) -> AaMode {
    cloud.aa_hint.mode
}
