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
    /// A's passes then B's.
    pub gpu_passes: Vec<PassTime>,
    /// Size of the splat render target.
    pub render_size: (u32, u32),
    /// The automatic rasterizer choice and the median draw milliseconds it was
    /// made by.
    pub raster_decision: Option<crate::render::tile::choice::RasterDecision>,
}

/// Which compared view a pass time belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareSide {
    A,
    B,
}

/// One GPU pass time of the Stats panel.
#[derive(Clone, Debug, PartialEq)]
pub struct PassTime {
    /// The compared view it belongs to; `None` for the single view.
    pub side: Option<CompareSide>,
    /// The pass, as `PassTimings::named` gives it (stages nested under a pass
    /// are indented).
    pub name: &'static str,
    pub ms: f64,
}

impl PassTime {
    /// The panel's label: "draw", or "A draw" while comparing, indent kept.
    pub fn label(&self) -> String {
        let pass = self.name.trim_start();
        let indent = &self.name[..self.name.len() - pass.len()];
        match self.side {
            None => self.name.to_owned(),
            Some(CompareSide::A) => format!("{indent}A {pass}"),
            Some(CompareSide::B) => format!("{indent}B {pass}"),
        }
    }
}

impl Stats {
    /// Replaces the pass times of `side` (`None`, the single view: all of
    /// them; A or B while comparing: that side's, keeping A's before B's).
    pub fn set_passes(
        &mut self,
        side: Option<CompareSide>,
        timings: &crate::gpu::profiler::PassTimings,
    ) {
        match side {
            None => self.gpu_passes.clear(),
            Some(side) => self
                .gpu_passes
                .retain(|pass| pass.side.is_some_and(|other| other != side)),
        }
        self.gpu_passes
            .extend(
                timings
                    .named()
                    .into_iter()
                    .map(|(name, ms)| PassTime { side, name, ms }),
            );
        // Stable: A's passes keep their order, then B's.
        self.gpu_passes
            .sort_by_key(|pass| pass.side == Some(CompareSide::B));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gpu::profiler::PassTimings;

    fn timings(draw: f64) -> PassTimings {
        PassTimings {
            draw,
            compose: Some(0.5),
            ..Default::default()
        }
    }

    #[test]
    fn compare_sides_keep_their_own_pass_times() {
        let mut stats = Stats::default();
        stats.set_passes(Some(CompareSide::B), &timings(2.0));
        stats.set_passes(Some(CompareSide::A), &timings(1.0));
        let labels: Vec<String> = stats.gpu_passes.iter().map(PassTime::label).collect();
        assert_eq!(
            labels,
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
        stats.set_passes(Some(CompareSide::A), &timings(3.0));
        let draw = |stats: &Stats, label: &str| {
            stats
                .gpu_passes
                .iter()
                .find(|p| p.label() == label)
                .map(|p| p.ms)
        };
        assert_eq!(
            (draw(&stats, "A draw"), draw(&stats, "B draw")),
            (Some(3.0), Some(2.0))
        );
        // Back to a single view: only its passes.
        stats.set_passes(None, &timings(4.0));
        assert_eq!(stats.gpu_passes.len(), 4);
        assert_eq!(draw(&stats, "draw"), Some(4.0));
        // A frame whose compose was folded into the draw lists no compose.
        let folded = PassTimings {
            compose: None,
            ..timings(5.0)
        };
        stats.set_passes(None, &folded);
        assert_eq!(stats.gpu_passes.len(), 3);
        assert_eq!(draw(&stats, "compose"), None);
    }

    #[test]
    fn nested_stages_keep_their_indent_after_the_side() {
        let pass = PassTime {
            side: Some(CompareSide::B),
            name: "  tile bin",
            ms: 1.0,
        };
        assert_eq!(pass.label(), "  B tile bin");
    }
}
