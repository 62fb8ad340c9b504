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
    /// While comparing, B's visible splats (when B is rendered, not a photo).
    pub visible_splats_b: Option<u32>,
    /// Per-pass GPU times, when the renderer measures them; while comparing,
    /// A's passes ("A project", ...) then B's.
    pub gpu_passes: Vec<(String, f64)>,
    /// Size of the splat render target.
    pub render_size: (u32, u32),
    /// The automatic rasterizer choice and the median draw milliseconds (quads,
    /// tiles) it was made by.
    pub raster_decision: Option<(crate::render::Raster, f64, f64)>,
}

impl Stats {
    /// Replaces the pass times of the view named `side` ("" for the single
    /// view: all of them; "A" or "B" while comparing: that side's, keeping
    /// A's before B's). Stages nested under a pass keep their indent.
    pub fn set_passes(&mut self, side: &str, timings: &crate::gpu::profiler::PassTimings) {
        let side_of = |name: &str| match name.trim_start().split_once(' ') {
            Some((side @ ("A" | "B"), _)) => side.to_owned(),
            _ => String::new(),
        };
        if side.is_empty() {
            self.gpu_passes.clear();
        } else {
            self.gpu_passes.retain(|(name, _)| {
                let of = side_of(name);
                !of.is_empty() && of != side
            });
        }
        self.gpu_passes
            .extend(timings.named().into_iter().map(|(name, ms)| {
                let pass = name.trim_start();
                let indent = &name[..name.len() - pass.len()];
                let label = if side.is_empty() {
                    pass.to_owned()
                } else {
                    format!("{side} {pass}")
                };
                (format!("{indent}{label}"), ms)
            }));
        // Stable: A's passes keep their order, then B's.
        self.gpu_passes
            .sort_by_key(|(name, _)| side_of(name) == "B");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gpu::profiler::PassTimings;

    fn timings(draw: f64) -> PassTimings {
        PassTimings {
            draw,
            ..Default::default()
        }
    }

    #[test]
    fn compare_sides_keep_their_own_pass_times() {
        let mut stats = Stats::default();
        stats.set_passes("B", &timings(2.0));
        stats.set_passes("A", &timings(1.0));
        let names: Vec<&str> = stats.gpu_passes.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "A project",
                "A sort",
                "A draw",
                "A compose",
                "B project",
                "B sort",
                "B draw",
                "B compose"
            ]
        );
        stats.set_passes("A", &timings(3.0));
        let draw = |stats: &Stats, name: &str| {
            stats
                .gpu_passes
                .iter()
                .find(|(n, _)| n == name)
                .map(|p| p.1)
        };
        assert_eq!(
            (draw(&stats, "A draw"), draw(&stats, "B draw")),
            (Some(3.0), Some(2.0))
        );
        // Back to a single view: only its passes.
        stats.set_passes("", &timings(4.0));
        assert_eq!(stats.gpu_passes.len(), 4);
        assert_eq!(draw(&stats, "draw"), Some(4.0));
    }
}
