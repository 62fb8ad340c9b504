//! Loading scenes off the UI thread, streamed: `io::stream::StreamingLoad` reads
//! and decodes on a background thread and wakes the event loop after each message;
//! the viewer drains them (`Viewer::pump_load`), uploads each chunk to the GPU as it
//! arrives, so the first frame shows while the file is still loading, and keeps
//! the previous scene until the new one has its first chunk (and restores it if
//! the load fails or is cancelled).

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::state::SceneInfo;
use super::{UserEvent, Waker};
use crate::io::stream::StreamingLoad;
use crate::scene::SplatCloud;

/// A load in progress.
pub struct LoadJob {
    pub path: PathBuf,
    pub started: Instant,
    pub stream: StreamingLoad,
    /// Splats received so far: kept until the load ends, for the scene's bounds,
    /// then dropped (the GPU holds the scene; a device loss reloads the file).
    pub cloud: SplatCloud,
    /// Total splats announced by the loader, once it has parsed the header.
    pub total_splats: Option<usize>,
    /// Short format name announced by the loader.
    pub format: Option<String>,
    /// The scene shown before this load, to restore if it fails.
    pub previous: Option<SceneInfo>,
    /// Whether the GPU side already switched to the new scene.
    pub switched: bool,
    /// Whether the camera frames the new scene (not for a reload after a device
    /// loss).
    pub reframe: bool,
}

impl LoadJob {
    pub fn spawn(path: PathBuf, waker: Waker, reframe: bool) -> Self {
        let stream =
            StreamingLoad::spawn_with_notify(path.clone(), move || waker(UserEvent::LoadProgress));
        Self {
            path,
            started: Instant::now(),
            stream,
            cloud: SplatCloud::new(0),
            total_splats: None,
            format: None,
            previous: None,
            switched: false,
            reframe,
        }
    }

    /// Stops the load; the loader thread ends soon and its messages are dropped.
    pub fn cancel(&self) {
        self.stream.cancel();
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
