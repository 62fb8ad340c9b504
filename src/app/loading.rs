//! Loading files off the UI thread, one at a time from a queue.
//!
//! A file is told apart by content first (`io::detect_scene_file`, which reads
//! at most the first MiB). Splat files stream: `io::stream::StreamingLoad`
//! reads and decodes on a background thread and wakes the event loop after each
//! message; the viewer drains them (`ViewerCore::pump_load`). Opening a splat
//! file uploads each chunk as it arrives, so the first frame shows while the
//! file still loads, and keeps the previous scene until the first chunk (and
//! restores it if the load fails or is cancelled). Meshes and point clouds load
//! on a thread of their own through `io::mesh::load_mesh_file`, whose progress
//! callback reports reading, parsing and texture decoding and can cancel.
//!
//! What a load is for (`LoadPurpose`): replacing the scene, adding an object,
//! reloading an object from its file (after a device loss, or when a splat
//! object's CPU copy becomes needed), or loading the scene B is compared with.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, channel};
use std::time::Instant;

use super::objects::ObjectId;
use super::state::SceneInfo;
use super::{UserEvent, Waker};
use crate::io::LoadError;
use crate::io::mesh::MeshLoadProgress;
use crate::io::stream::StreamingLoad;
use crate::scene::SplatCloud;
use crate::scene::mesh::{MeshFormat, MeshObject};

/// What a load is for.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadPurpose {
    /// Replace the scene with the file, and frame it.
    Open,
    /// Add the file as another object.
    Add,
    /// Load object `id` again from its file, keeping its entry (placement,
    /// visibility). `to_gpu`: stream the splats straight into the GPU scene (the
    /// scene is that one object); otherwise keep them as the object's CPU copy.
    Reload { id: ObjectId, to_gpu: bool },
    /// The scene compared against (B).
    CompareB,
}

/// A file to load and why.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadRequest {
    pub path: PathBuf,
    pub purpose: LoadPurpose,
}

/// What `Open` moved aside at its first chunk, to put back if it fails.
pub struct PreviousScene {
    pub info: Option<SceneInfo>,
    pub objects: Vec<super::objects::ObjectEntry>,
    pub store: super::object_sync::ObjectStore,
    /// The LOD panel's preview explanation of that scene, if it was one.
    pub preview: Option<String>,
}

/// Splats streaming in.
pub struct SplatStream {
    pub stream: StreamingLoad,
    /// Splats received so far: for the bounds, and kept as the object's CPU copy
    /// when the purpose needs one.
    pub cloud: SplatCloud,
    /// Total splats announced by the loader, once it has parsed the header.
    pub total_splats: Option<usize>,
    /// Short format name announced by the loader.
    pub format: Option<String>,
    /// Whether chunks go to the GPU scene as they arrive.
    pub to_gpu: bool,
    /// Every how many splats one goes to the GPU scene: 1, or more when the
    /// file is larger than one GPU binding holds (the flat scene is then a
    /// preview, and the level-of-detail page pool draws the whole scene).
    pub gpu_stride: usize,
    /// Whether the GPU side already switched to the new scene.
    pub switched: bool,
    /// `Open`: the scene shown before, until the load has ended.
    pub previous: Option<PreviousScene>,
}

/// Messages of a mesh load thread.
pub enum MeshMessage {
    Progress(MeshLoadProgress),
    Done(Box<Result<MeshObject, LoadError>>),
}

/// A mesh or point cloud loading on its own thread.
pub struct MeshLoad {
    pub format: MeshFormat,
    pub receiver: Receiver<MeshMessage>,
    cancel: Arc<AtomicBool>,
}

impl MeshLoad {
    pub fn spawn(path: PathBuf, format: MeshFormat, waker: Waker) -> Self {
        let (sender, receiver) = channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let stop = cancel.clone();
        let failure = sender.clone();
        let thread_path = path.clone();
        let spawned = std::thread::Builder::new()
            .name("mesh loader".into())
            .spawn(move || {
                let mut report = |progress: MeshLoadProgress| {
                    let _ = sender.send(MeshMessage::Progress(progress));
                    waker(UserEvent::LoadProgress);
                    !stop.load(Ordering::Relaxed)
                };
                let result = crate::io::mesh::load_mesh_file(&thread_path, format, &mut report);
                let _ = sender.send(MeshMessage::Done(Box::new(result)));
                waker(UserEvent::LoadProgress);
            });
        if let Err(err) = spawned {
            let _ = failure.send(MeshMessage::Done(Box::new(Err(LoadError::Io {
                path,
                source: std::io::Error::other(format!("cannot start the loader thread: {err}")),
            }))));
        }
        Self {
            format,
            receiver,
            cancel,
        }
    }
}

/// How a file loads.
pub enum Loader {
    Splats(Box<SplatStream>),
    Mesh(MeshLoad),
}

/// A load in progress.
pub struct LoadJob {
    pub request: LoadRequest,
    pub started: Instant,
    pub loader: Loader,
}

impl LoadJob {
    /// Streams the splat file of `request`.
    pub fn splats(request: LoadRequest, waker: Waker) -> Self {
        let stream = StreamingLoad::spawn_with_notify(request.path.clone(), move || {
            waker(UserEvent::LoadProgress)
        });
        let to_gpu = matches!(
            request.purpose,
            LoadPurpose::Open | LoadPurpose::Reload { to_gpu: true, .. }
        );
        Self {
            request,
            started: Instant::now(),
            loader: Loader::Splats(Box::new(SplatStream {
                stream,
                cloud: SplatCloud::new(0),
                total_splats: None,
                format: None,
                to_gpu,
                gpu_stride: 1,
                switched: false,
                previous: None,
            })),
        }
    }

    /// Loads the mesh or point-cloud file of `request`.
    pub fn mesh(request: LoadRequest, format: MeshFormat, waker: Waker) -> Self {
        let load = MeshLoad::spawn(request.path.clone(), format, waker);
        Self {
            request,
            started: Instant::now(),
            loader: Loader::Mesh(load),
        }
    }

    pub fn path(&self) -> &Path {
        &self.request.path
    }

    /// Stops the load; its thread ends soon and its messages are dropped.
    pub fn cancel(&self) {
        match &self.loader {
            Loader::Splats(s) => s.stream.cancel(),
            Loader::Mesh(m) => m.cancel.store(true, Ordering::Relaxed),
        }
    }
}

/// `cameras.json` in the scene's folder, or in its parent (3DGS output folders keep
/// the PLY in `point_cloud/iteration_N/` and `cameras.json` at the top).
pub fn cameras_beside(scene: &Path) -> Option<PathBuf> {
    let dir = scene.parent()?;
    let candidates = [
        Some(dir.join("cameras.json")),
        dir.parent()
            .and_then(Path::parent)
            .map(|p| p.join("cameras.json")),
    ];
    candidates.into_iter().flatten().find(|p| p.is_file())
}

/// `message` about the file at `path`, naming it once (some loaders' warnings
/// name the file already).
pub(super) fn about_file(path: &Path, message: &str) -> String {
    let name = path.display().to_string();
    if message.starts_with(&name) {
        message.to_owned()
    } else {
        format!("{name}: {message}")
    }
}

#[cfg(test)]
mod tests {
    use super::about_file;

    #[test]
    fn warnings_name_the_file_once() {
        let path = std::path::Path::new("/data/pond.ply");
        assert_eq!(
            about_file(path, "/data/pond.ply: 3 points skipped"),
            "/data/pond.ply: 3 points skipped"
        );
        assert_eq!(
            about_file(path, "3 points skipped"),
            "/data/pond.ply: 3 points skipped"
        );
    }
}
