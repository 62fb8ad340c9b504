//! Loading scenes off the UI thread, streamed: `io::stream::StreamingLoad` reads
//! and decodes on a background thread and wakes the event loop after each message;
//! the viewer drains them (`Viewer::pump_load`), uploads each chunk to the GPU as it
//! arrives, so the first frame shows while the file is still loading, and keeps
//! the previous scene until the new one has its first chunk (and restores it if
//! the load fails or is cancelled).

use std::path::{Path, PathBuf};
use std::time::Instant;

use winit::event_loop::EventLoopProxy;

use super::UserEvent;
use super::state::SceneInfo;
use crate::io::stream::StreamingLoad;
use crate::scene::SplatCloud;

/// A load in progress.
pub struct LoadJob {
    pub path: PathBuf,
    pub started: Instant,
    pub stream: StreamingLoad,
    /// Splats received so far (the CPU copy the overlay and screenshots use).
    pub cloud: SplatCloud,
    /// Total splats announced by the loader, once it has parsed the header.
    pub total_splats: Option<usize>,
    /// Short format name announced by the loader.
    pub format: Option<String>,
    /// The scene shown before this load, to restore if it fails.
    pub previous: Option<(SceneInfo, std::sync::Arc<SplatCloud>)>,
    /// Whether the GPU side already switched to the new scene.
    pub switched: bool,
}

impl LoadJob {
    pub fn spawn(path: PathBuf, proxy: EventLoopProxy<UserEvent>) -> Self {
        let stream = StreamingLoad::spawn_with_notify(path.clone(), move || {
            let _ = proxy.send_event(UserEvent::LoadProgress);
        });
        Self {
            path,
            started: Instant::now(),
            stream,
            cloud: SplatCloud::new(0),
            total_splats: None,
            format: None,
            previous: None,
            switched: false,
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
