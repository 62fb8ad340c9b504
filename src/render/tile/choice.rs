//! Choosing the rasterizer by measurement: in `Auto`, the first frames of a scene
//! alternate between the hardware quads and the compute rasterizer, their GPU
//! times of draw and compose (timestamps; the quads may fold the compose into
//! their draw) are compared, and the faster one is kept for the scene.
//! Without timestamps nothing is measured and the quads are used. CPU adapters
//! measure only large scenes ([`CPU_MEASURE_MIN_SPLATS`]).

use crate::render::params::Raster;

/// On CPU adapters, `Auto` measures only frames of at least this many splats
/// and takes the quads at once below. On lavapipe (1280x720, 2026-11-30) the
/// quads draw the 100k-150k test scenes 2-3x faster than the tiles, so four
/// tile frames of measurement would only slow a scene's first seconds; at 1M
/// either may win: the synthetic 1M scene (246 fragments per pixel, where the
/// tiles' early stop pays) frames in 2,200-2,304 ms with the tiles against
/// 2,784-2,876 ms with the quads, biker tiled to 1M seen from inside (38
/// fragments per pixel) in 818-850 ms with the quads against 1,552-1,679 ms.
pub const CPU_MEASURE_MIN_SPLATS: u32 = 500_000;

/// Timed frames per rasterizer after the first one of each (shader compilation,
/// buffer creation).
const SAMPLES: usize = 3;
/// The compute rasterizer is kept only when it is this much faster (hysteresis
/// against noise).
const COMPUTE_MARGIN: f64 = 0.9;

/// The measurement state of `Auto` for one scene.
#[derive(Clone, Debug, Default)]
pub struct RasterChooser {
    /// Draw and compose milliseconds of the quads ([0]) and the tiles ([1]), the first
    /// frame of each dropped.
    samples: [Vec<f64>; 2],
    seen: [usize; 2],
    decided: Option<Raster>,
}

fn index(mode: Raster) -> usize {
    usize::from(mode == Raster::Compute)
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
    pub fn mode(&self, choice: Raster) -> Raster {
        match choice {
            Raster::Hardware => Raster::Hardware,
            Raster::Compute => Raster::Compute,
            Raster::Auto => self.decided.unwrap_or({
                if self.samples[0].len() < SAMPLES {
                    Raster::Hardware
                } else {
                    Raster::Compute
                }
            }),
        }
    }

    /// Decides for `mode` without measuring (the decision's times are NaN).
    pub fn decide(&mut self, mode: Raster) {
        self.decided = Some(mode);
    }

    /// The decision, once made, with the two median draw times (quads, tiles).
    pub fn decision(&self) -> Option<(Raster, f64, f64)> {
        self.decided
            .map(|mode| (mode, median(&self.samples[0]), median(&self.samples[1])))
    }

    /// A frame drawn with `mode` took `draw_ms` on the GPU (draw and compose).
    pub fn record(&mut self, mode: Raster, draw_ms: f64) {
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
                Raster::Compute
            } else {
                Raster::Hardware
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(chooser: &mut RasterChooser, quads_ms: f64, tiles_ms: f64) -> Vec<Raster> {
        let mut modes = Vec::new();
        for _ in 0..20 {
            let mode = chooser.mode(Raster::Auto);
            modes.push(mode);
            let ms = if mode == Raster::Compute {
                tiles_ms
            } else {
                quads_ms
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
            modes[..4].iter().all(|m| *m == Raster::Hardware),
            "{modes:?}"
        );
        assert!(
            modes[4..].iter().all(|m| *m == Raster::Compute),
            "{modes:?}"
        );
        assert_eq!(chooser.decision(), Some((Raster::Compute, 50.0, 5.0)));

        let mut chooser = RasterChooser::default();
        let modes = run(&mut chooser, 10.0, 30.0);
        assert!(
            modes[8..].iter().all(|m| *m == Raster::Hardware),
            "{modes:?}"
        );
        assert_eq!(chooser.decision().map(|d| d.0), Some(Raster::Hardware));
    }

    #[test]
    fn near_ties_keep_the_quads_and_reset_measures_again() {
        let mut chooser = RasterChooser::default();
        run(&mut chooser, 10.0, 9.5);
        assert_eq!(chooser.decision().map(|d| d.0), Some(Raster::Hardware));
        chooser.reset();
        assert_eq!(chooser.decision(), None);
        assert_eq!(chooser.mode(Raster::Auto), Raster::Hardware);
    }

    #[test]
    fn explicit_choices_and_missing_timings() {
        let chooser = RasterChooser::default();
        assert_eq!(chooser.mode(Raster::Compute), Raster::Compute);
        assert_eq!(chooser.mode(Raster::Hardware), Raster::Hardware);
        // No timings ever recorded: Auto stays on the quads.
        assert_eq!(chooser.mode(Raster::Auto), Raster::Hardware);
        let mut chooser = RasterChooser::default();
        chooser.decide(Raster::Hardware);
        let (mode, quads, tiles) = chooser.decision().expect("decided");
        assert_eq!(mode, Raster::Hardware);
        assert!(quads.is_nan() && tiles.is_nan());
        chooser.record(Raster::Compute, 1.0);
        assert_eq!(chooser.mode(Raster::Auto), Raster::Hardware);
    }

    #[test]
    fn the_first_frame_of_each_mode_is_not_counted() {
        let mut chooser = RasterChooser::default();
        chooser.record(Raster::Hardware, 1000.0); // compiling shaders
        for _ in 0..3 {
            chooser.record(Raster::Hardware, 10.0);
        }
        chooser.record(Raster::Compute, 1000.0);
        for _ in 0..3 {
            chooser.record(Raster::Compute, 5.0);
        }
        assert_eq!(chooser.decision(), Some((Raster::Compute, 10.0, 5.0)));
    }
}
