//! Loading scenes off the UI thread. The loader thread reads and parses the file
//! (and a `cameras.json` beside it), then wakes the event loop with the result;
//! the UI keeps drawing (with a progress bar) meanwhile.
//!
//! When the streaming loader (`io::stream::StreamingLoad`) lands, this module
//! forwards its `LoadMessage`s: `Progress` into `LoadStatus::fraction`, and each
//! `Chunk` to the GPU side (chunked upload into `SplatGpuData`, see
//! `SceneView::set_scene`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use winit::event_loop::EventLoopProxy;

use super::UserEvent;
use crate::io::LoadError;
use crate::io::cameras_json::{TrainingCamera, load_cameras_json};
use crate::scene::SplatCloud;

/// What a finished load hands the UI.
#[derive(Debug)]
pub struct LoadOutcome {
    pub path: PathBuf,
    pub result: Result<SplatCloud, LoadError>,
    /// `cameras.json` beside the scene, if there is one.
    pub cameras: Option<(PathBuf, Result<Vec<TrainingCamera>, LoadError>)>,
    pub elapsed: Duration,
    /// The id `LoadJob::spawn` returned (a newer load supersedes older ones).
    pub id: u64,
}

/// A load in progress.
pub struct LoadJob {
    pub path: PathBuf,
    pub started: Instant,
    pub id: u64,
    cancelled: Arc<AtomicBool>,
}

impl LoadJob {
    pub fn spawn(path: PathBuf, id: u64, proxy: EventLoopProxy<UserEvent>) -> Self {
        let cancelled = Arc::new(AtomicBool::new(false));
        let job = Self {
            path: path.clone(),
            started: Instant::now(),
            id,
            cancelled: cancelled.clone(),
        };
        let spawned = std::thread::Builder::new()
            .name("scene loader".into())
            .spawn(move || {
                let started = Instant::now();
                let result = crate::io::load_splat_file(&path);
                if cancelled.load(Ordering::Relaxed) {
                    return;
                }
                let cameras = cameras_beside(&path).map(|file| {
                    let cams = load_cameras_json(&file);
                    (file, cams)
                });
                let outcome = LoadOutcome {
                    path,
                    result,
                    cameras,
                    elapsed: started.elapsed(),
                    id,
                };
                let _ = proxy.send_event(UserEvent::Loaded(Box::new(outcome)));
            });
        if let Err(err) = spawned {
            log::error!("cannot start the loader thread: {err}");
        }
        job
    }

    /// The result of this load will be dropped when it arrives.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
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

/// A short label of the format (from the file's first bytes).
pub fn format_label(path: &Path) -> String {
    use std::io::Read as _;
    let mut head = [0u8; 4];
    let ok = std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head));
    match ok {
        Ok(()) if head.starts_with(b"ply") => "3DGS PLY".into(),
        _ => path
            .extension()
            .map_or_else(|| "unknown".into(), |e| e.to_string_lossy().to_uppercase()),
    }
}
