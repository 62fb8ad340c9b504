//! What the overlay reports about the scene and the work in progress: the scene
//! summary, load and export progress, frame statistics. Plain data, filled by the
//! viewer core and read by the UI (re-exported from `state`).

use std::path::PathBuf;
use std::time::Duration;

use crate::scene::{AaHint, SceneBounds};

/// A summary of the loaded scene for the overlay (with several objects: the
/// first object's file, the splats of all of them, the bounds of the visible
/// ones; `objects` lists each).
#[derive(Clone, Debug, PartialEq)]
pub struct SceneInfo {
    pub path: PathBuf,
    pub name: String,
    pub format: String,
    pub splat_count: usize,
    pub sh_degree: u32,
    /// The anti-aliasing mode the file asks for, and why.
    pub aa: AaHint,
    pub bounds: Option<SceneBounds>,
    /// GPU memory of the scene's buffers, once uploaded.
    pub gpu_bytes: Option<u64>,
}

/// Progress of a video export, for its progress bar.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportStatus {
    pub out: PathBuf,
    pub total: usize,
    /// Frames rendered and handed to the encoder.
    pub rendered: usize,
    /// Frames the encoder has written.
    pub encoded: usize,
}

/// Progress of a background load, for the progress bar.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadStatus {
    pub path: PathBuf,
    pub elapsed: Duration,
    /// 0..=1 when the loader reports progress; `None` shows a busy bar.
    pub fraction: Option<f32>,
    pub splats_loaded: u64,
    pub total_splats: Option<u64>,
    /// Bytes of the file read so far, and its size (0 until known).
    pub bytes_read: u64,
    pub file_bytes: u64,
}

/// Frame statistics for the overlay.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    /// Time from encoding a frame to the GPU finishing it, milliseconds.
    pub frame_ms: Option<f64>,
    /// Splats drawn in the last rendered frame (read back from the GPU).
    pub visible_splats: Option<u32>,
    /// Per-pass GPU times, when the renderer measures them.
    pub gpu_passes: Vec<(String, f64)>,
    /// Size of the splat render target.
    pub render_size: (u32, u32),
    /// The automatic rasterizer choice and the median draw milliseconds (quads,
    /// tiles) it was made by.
    pub raster_decision: Option<(crate::render::Raster, f64, f64)>,
}
