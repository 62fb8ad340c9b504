//! Choosing the rasterizer by measurement: in `Auto`, the first frames of a scene
//! alternate between the hardware quads and the compute rasterizer, their draw-pass
//! GPU times (timestamps) are compared, and the faster one is kept for the scene.
//! Without timestamps nothing is measured and the quads are used.

use serde::{Deserialize, Serialize};

use super::RasterMode;

/// What the user asks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RasterChoice {
    /// The faster of the two on this GPU and scene, measured on the first frames.
    #[default]
    Auto,
    Hardware,
    Compute,
}

/// Timed frames per rasterizer after the first one of each (shader compilation,
/// buffer creation).
const SAMPLES: usize = 3;
/// The compute rasterizer is kept only when it is this much faster (hysteresis
/// against noise).
const COMPUTE_MARGIN: f64 = 0.9;

/// The measurement state of `Auto` for one scene.
#[derive(Clone, Debug, Default)]
pub struct RasterChooser {
    /// Draw-pass milliseconds per mode (index: `RasterMode as usize`), the first
    /// frame of each dropped.
    samples: [Vec<f64>; 2],
    seen: [usize; 2],
    decided: Option<RasterMode>,
}

fn index(mode: RasterMode) -> usize {
    match mode {
        RasterMode::Hardware => 0,
        RasterMode::Compute => 1,
    }
}

/// The median; NaN for no values (a decision made without measuring).
fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN)
}

impl RasterChooser {
    /// Forgets the measurements (a new scene).
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// The mode for the next frame under `choice`.
    pub fn mode(&self, choice: RasterChoice) -> RasterMode {
        match choice {
            RasterChoice::Hardware => RasterMode::Hardware,
            RasterChoice::Compute => RasterMode::Compute,
            RasterChoice::Auto => self.decided.unwrap_or({
                if self.samples[0].len() < SAMPLES {
                    RasterMode::Hardware
                } else {
                    RasterMode::Compute
                }
            }),
        }
    }

    /// Decides for `mode` without measuring (the decision's times are NaN).
    pub fn decide(&mut self, mode: RasterMode) {
        self.decided = Some(mode);
    }

    /// The decision, once made, with the two median draw times (quads, tiles).
    pub fn decision(&self) -> Option<(RasterMode, f64, f64)> {
        self.decided
            .map(|mode| (mode, median(&self.samples[0]), median(&self.samples[1])))
    }

    /// A frame drawn with `mode` took `draw_ms` on the GPU.
    pub fn record(&mut self, mode: RasterMode, draw_ms: f64) {
        if self.decided.is_some() || !draw_ms.is_finite() {
            return;
        }
        let i = index(mode);
        self.seen[i] += 1;
        if self.seen[i] == 1 || self.samples[i].len() >= SAMPLES {
            return;
        }
        self.samples[i].push(draw_ms);
        if self.samples.iter().all(|s| s.len() >= SAMPLES) {
            let (quads, tiles) = (median(&self.samples[0]), median(&self.samples[1]));
            self.decided = Some(if tiles < quads * COMPUTE_MARGIN {
                RasterMode::Compute
            } else {
                RasterMode::Hardware
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(chooser: &mut RasterChooser, quads_ms: f64, tiles_ms: f64) -> Vec<RasterMode> {
        let mut modes = Vec::new();
        for _ in 0..20 {
            let mode = chooser.mode(RasterChoice::Auto);
            modes.push(mode);
            let ms = match mode {
                RasterMode::Hardware => quads_ms,
                RasterMode::Compute => tiles_ms,
            };
            chooser.record(mode, ms);
        }
        modes
    }

    #[test]
    fn auto_measures_both_then_keeps_the_faster() {
        let mut chooser = RasterChooser::default();
        let modes = run(&mut chooser, 50.0, 5.0);
        // 1 + 3 frames of quads, 1 + 3 of tiles, then tiles for good.
        assert!(
            modes[..4].iter().all(|m| *m == RasterMode::Hardware),
            "{modes:?}"
        );
        assert!(
            modes[4..].iter().all(|m| *m == RasterMode::Compute),
            "{modes:?}"
        );
        assert_eq!(chooser.decision(), Some((RasterMode::Compute, 50.0, 5.0)));

        let mut chooser = RasterChooser::default();
        let modes = run(&mut chooser, 10.0, 30.0);
        assert!(
            modes[8..].iter().all(|m| *m == RasterMode::Hardware),
            "{modes:?}"
        );
        assert_eq!(chooser.decision().map(|d| d.0), Some(RasterMode::Hardware));
    }

    #[test]
    fn near_ties_keep_the_quads_and_reset_measures_again() {
        let mut chooser = RasterChooser::default();
        run(&mut chooser, 10.0, 9.5);
        assert_eq!(chooser.decision().map(|d| d.0), Some(RasterMode::Hardware));
        chooser.reset();
        assert_eq!(chooser.decision(), None);
        assert_eq!(chooser.mode(RasterChoice::Auto), RasterMode::Hardware);
    }

    #[test]
    fn explicit_choices_and_missing_timings() {
        let chooser = RasterChooser::default();
        assert_eq!(chooser.mode(RasterChoice::Compute), RasterMode::Compute);
        assert_eq!(chooser.mode(RasterChoice::Hardware), RasterMode::Hardware);
        // No timings ever recorded: Auto stays on the quads.
        assert_eq!(chooser.mode(RasterChoice::Auto), RasterMode::Hardware);
        let mut chooser = RasterChooser::default();
        chooser.decide(RasterMode::Hardware);
        let (mode, quads, tiles) = chooser.decision().expect("decided");
        assert_eq!(mode, RasterMode::Hardware);
        assert!(quads.is_nan() && tiles.is_nan());
        chooser.record(RasterMode::Compute, 1.0);
        assert_eq!(chooser.mode(RasterChoice::Auto), RasterMode::Hardware);
    }

    #[test]
    fn the_first_frame_of_each_mode_is_not_counted() {
        let mut chooser = RasterChooser::default();
        chooser.record(RasterMode::Hardware, 1000.0); // compiling shaders
        for _ in 0..3 {
            chooser.record(RasterMode::Hardware, 10.0);
        }
        chooser.record(RasterMode::Compute, 1000.0);
        for _ in 0..3 {
            chooser.record(RasterMode::Compute, 5.0);
        }
        assert_eq!(chooser.decision(), Some((RasterMode::Compute, 10.0, 5.0)));
    }
}
