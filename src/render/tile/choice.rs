//! Choosing the rasterizer by measurement: in `Auto`, the first frames of a scene
//! go through the hardware quads and the compute rasterizer with 8x8 and with
//! 16x16 tiles in turn (only the tile sizes under `Compute` with the tile size
//! left open), their GPU times of draw and compose (timestamps; the quads may
//! fold the compose into their draw) are compared, and the fastest is kept for
//! the scene.
//! Without timestamps nothing is measured and the quads are used. CPU adapters
//! measure only large scenes ([`CPU_MEASURE_MIN_SPLATS`]).

use super::{LARGE_TILE_SIZE, TILE_SIZE};
use crate::render::params::{Raster, TileSize};

/// On CPU adapters, `Auto` measures only frames of at least this many splats
/// and takes the quads at once below. On lavapipe (1280x720, 2026-11-30) the
/// quads draw the 100k-150k test scenes 2-3x faster than the tiles, so four
/// tile frames of measurement would only slow a scene's first seconds; at 1M
/// either may win: the synthetic 1M scene (246 fragments per pixel, where the
/// tiles' early stop pays) frames in 2,200-2,304 ms with the tiles against
/// 2,784-2,876 ms with the quads, biker tiled to 1M seen from inside (38
/// fragments per pixel) in 818-850 ms with the quads against 1,552-1,679 ms.
pub const CPU_MEASURE_MIN_SPLATS: u32 = 500_000;

/// Timed frames per candidate after the first one of each (shader compilation,
/// buffer creation).
const SAMPLES: usize = 3;
/// A later candidate (tiles after quads, 16x16 tiles after 8x8) is kept only
/// when it is this much faster than the best before it (hysteresis against
/// noise).
const COMPUTE_MARGIN: f64 = 0.9;

/// What a frame is drawn with: the quads, or the tiles of a side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RasterMode {
    /// `Hardware` or `Compute`.
    pub raster: Raster,
    /// Pixels per tile side of `Compute` (one of `TILE_SIZES`); `TILE_SIZE`
    /// for the quads, where it means nothing.
    pub tile_size: u32,
}

impl RasterMode {
    pub const QUADS: Self = Self {
        raster: Raster::Hardware,
        tile_size: TILE_SIZE,
    };

    pub const fn tiles(tile_size: u32) -> Self {
        Self {
            raster: Raster::Compute,
            tile_size,
        }
    }
}

/// The candidates in order of preference: quads, 8x8 tiles, 16x16 tiles.
const CANDIDATES: [RasterMode; 3] = [
    RasterMode::QUADS,
    RasterMode::tiles(TILE_SIZE),
    RasterMode::tiles(LARGE_TILE_SIZE),
];

fn index(mode: RasterMode) -> usize {
    CANDIDATES.iter().position(|&c| c == mode).unwrap_or(0)
}

/// Which candidates `raster` and `tile_size` leave open (indices into
/// `CANDIDATES`).
fn open(raster: Raster, tile_size: TileSize) -> impl Iterator<Item = usize> {
    let quads = matches!(raster, Raster::Auto | Raster::Hardware);
    let tiles = matches!(raster, Raster::Auto | Raster::Compute);
    let side = tile_size.fixed();
    (0..CANDIDATES.len()).filter(move |&i| {
        let mode = CANDIDATES[i];
        match mode.raster {
            Raster::Hardware => quads,
            _ => tiles && side.is_none_or(|s| s == mode.tile_size),
        }
    })
}

/// The decision of the measurement, with the median draw and compose
/// milliseconds of each candidate (NaN for one not measured).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RasterDecision {
    pub mode: RasterMode,
    pub quads_ms: f64,
    /// 8x8 tiles.
    pub tiles_ms: f64,
    /// 16x16 tiles.
    pub large_tiles_ms: f64,
}

impl RasterDecision {
    /// "12.34 ms with quads, 5.67 ms with 8x8 tiles": the candidates measured
    /// (`None` when none was).
    pub fn times_text(&self) -> Option<String> {
        times_text([self.quads_ms, self.tiles_ms, self.large_tiles_ms])
    }
}

/// [`RasterDecision::times_text`] of the median ms of quads, 8x8 and 16x16 tiles.
pub fn times_text(ms: [f64; 3]) -> Option<String> {
    let measured: Vec<String> = ms
        .into_iter()
        .zip(["quads", "8x8 tiles", "16x16 tiles"])
        .filter(|(ms, _)| ms.is_finite())
        .map(|(ms, what)| format!("{ms:.2} ms with {what}"))
        .collect();
    (!measured.is_empty()).then(|| measured.join(", "))
}

/// The measurement state of `Auto` (or of `Compute` with the tile size left
/// open) for one scene. The samples are kept per candidate, so a choice that
/// leaves other candidates open (`Auto` after `Compute`) measures only those
/// not measured yet.
#[derive(Clone, Debug, Default)]
pub struct RasterChooser {
    /// Draw and compose milliseconds of each of `CANDIDATES`, the first frame
    /// of each dropped.
    samples: [Vec<f64>; 3],
    seen: [usize; 3],
    /// A decision made without measuring, and the choice it holds for.
    forced: Option<(RasterMode, Raster, TileSize)>,
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

    /// Whether `raster` and `tile_size` leave more than one candidate, so
    /// that frames are measured until one is decided.
    pub fn measures(raster: Raster, tile_size: TileSize) -> bool {
        open(raster, tile_size).nth(1).is_some()
    }

    /// The mode for the next frame under `raster` and `tile_size`: the one
    /// candidate they leave, the decision, or the next candidate to measure.
    pub fn mode(&self, raster: Raster, tile_size: TileSize) -> RasterMode {
        let first = open(raster, tile_size).next().unwrap_or(0);
        if !Self::measures(raster, tile_size) {
            return CANDIDATES[first];
        }
        if let Some(decision) = self.decision(raster, tile_size) {
            return decision.mode;
        }
        let next = open(raster, tile_size)
            .find(|&i| self.samples[i].len() < SAMPLES)
            .unwrap_or(first);
        CANDIDATES[next]
    }

    /// Decides for `mode` under `raster` and `tile_size` without measuring
    /// (the decision's times are those measured so far, NaN for none).
    pub fn decide(&mut self, mode: RasterMode, raster: Raster, tile_size: TileSize) {
        self.forced = Some((mode, raster, tile_size));
    }

    /// The decision under `raster` and `tile_size` (a choice that leaves
    /// several candidates), once each is measured (or one was decided without
    /// measuring), with each
    /// candidate's median draw time. In order of preference (quads, 8x8, 16x16
    /// tiles), a later candidate wins only by `COMPUTE_MARGIN`.
    pub fn decision(&self, raster: Raster, tile_size: TileSize) -> Option<RasterDecision> {
        let forced = self
            .forced
            .filter(|&(_, r, t)| (r, t) == (raster, tile_size))
            .map(|(mode, _, _)| mode);
        let mode = match forced {
            Some(mode) => mode,
            None => {
                let measured = open(raster, tile_size).all(|c| self.samples[c].len() >= SAMPLES);
                if !Self::measures(raster, tile_size) || !measured {
                    return None;
                }
                let mut best: Option<(usize, f64)> = None;
                for c in open(raster, tile_size) {
                    let ms = median(&self.samples[c]);
                    if best.is_none_or(|(_, best_ms)| ms < best_ms * COMPUTE_MARGIN) {
                        best = Some((c, ms));
                    }
                }
                CANDIDATES[best?.0]
            }
        };
        Some(RasterDecision {
            mode,
            quads_ms: median(&self.samples[0]),
            tiles_ms: median(&self.samples[1]),
            large_tiles_ms: median(&self.samples[2]),
        })
    }

    /// A frame drawn with `mode` took `draw_ms` on the GPU (draw and compose).
    pub fn record(&mut self, mode: RasterMode, draw_ms: f64) {
        if !draw_ms.is_finite() {
            return;
        }
        let i = index(mode);
        self.seen[i] += 1;
        if self.seen[i] > 1 && self.samples[i].len() < SAMPLES {
            self.samples[i].push(draw_ms);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUADS: RasterMode = RasterMode::QUADS;
    const TILES: RasterMode = RasterMode::tiles(TILE_SIZE);
    const LARGE: RasterMode = RasterMode::tiles(LARGE_TILE_SIZE);

    /// 20 frames under `raster` / `tile_size`, each candidate taking its ms.
    fn run(
        chooser: &mut RasterChooser,
        (raster, tile_size): (Raster, TileSize),
        [quads, tiles, large]: [f64; 3],
    ) -> Vec<RasterMode> {
        let mut modes = Vec::new();
        for _ in 0..20 {
            let mode = chooser.mode(raster, tile_size);
            modes.push(mode);
            let ms = match index(mode) {
                0 => quads,
                1 => tiles,
                _ => large,
            };
            chooser.record(mode, ms);
        }
        modes
    }

    const AUTO: (Raster, TileSize) = (Raster::Auto, TileSize::Auto);

    #[test]
    fn auto_measures_every_candidate_then_keeps_the_fastest() {
        let mut chooser = RasterChooser::default();
        let modes = run(&mut chooser, AUTO, [50.0, 5.0, 20.0]);
        // 1 + 3 frames of each, in order, then the 8x8 tiles for good.
        assert!(modes[..4].iter().all(|m| *m == QUADS), "{modes:?}");
        assert!(modes[4..8].iter().all(|m| *m == TILES), "{modes:?}");
        assert!(modes[8..12].iter().all(|m| *m == LARGE), "{modes:?}");
        assert!(modes[12..].iter().all(|m| *m == TILES), "{modes:?}");
        let decision = chooser.decision(AUTO.0, AUTO.1).expect("decided");
        assert_eq!(decision.mode, TILES);
        assert_eq!(
            (
                decision.quads_ms,
                decision.tiles_ms,
                decision.large_tiles_ms
            ),
            (50.0, 5.0, 20.0)
        );

        let mut chooser = RasterChooser::default();
        let modes = run(&mut chooser, AUTO, [50.0, 30.0, 20.0]);
        assert!(modes[12..].iter().all(|m| *m == LARGE), "{modes:?}");

        let mut chooser = RasterChooser::default();
        let modes = run(&mut chooser, AUTO, [10.0, 30.0, 20.0]);
        assert!(modes[12..].iter().all(|m| *m == QUADS), "{modes:?}");
    }

    #[test]
    fn near_ties_keep_the_earlier_candidate_and_reset_measures_again() {
        let mut chooser = RasterChooser::default();
        run(&mut chooser, AUTO, [10.0, 9.5, 9.2]);
        assert_eq!(
            chooser.decision(AUTO.0, AUTO.1).map(|d| d.mode),
            Some(QUADS)
        );
        // 16x16 within the margin of 8x8, both well ahead of the quads.
        chooser.reset();
        run(&mut chooser, AUTO, [10.0, 5.0, 4.7]);
        assert_eq!(
            chooser.decision(AUTO.0, AUTO.1).map(|d| d.mode),
            Some(TILES)
        );
        chooser.reset();
        assert_eq!(chooser.decision(AUTO.0, AUTO.1), None);
        assert_eq!(chooser.mode(Raster::Auto, TileSize::Auto), QUADS);
    }

    #[test]
    fn fixed_choices_narrow_the_candidates() {
        // One candidate left: no measuring.
        for (raster, tile_size, mode) in [
            (Raster::Hardware, TileSize::Auto, QUADS),
            (Raster::Hardware, TileSize::Sixteen, QUADS),
            (Raster::Compute, TileSize::Eight, TILES),
            (Raster::Compute, TileSize::Sixteen, LARGE),
        ] {
            assert!(!RasterChooser::measures(raster, tile_size));
            let mut chooser = RasterChooser::default();
            let modes = run(&mut chooser, (raster, tile_size), [1.0, 2.0, 3.0]);
            assert!(modes.iter().all(|m| *m == mode), "{raster:?} {tile_size:?}");
            assert_eq!(chooser.decision(raster, tile_size), None);
        }
        // The tiles with the size left open measure the two sizes only.
        let mut chooser = RasterChooser::default();
        let modes = run(
            &mut chooser,
            (Raster::Compute, TileSize::Auto),
            [1.0, 9.0, 4.0],
        );
        assert!(modes[..4].iter().all(|m| *m == TILES), "{modes:?}");
        assert!(modes[8..].iter().all(|m| *m == LARGE), "{modes:?}");
        let tiles_open = (Raster::Compute, TileSize::Auto);
        let decision = chooser.decision(tiles_open.0, tiles_open.1);
        assert!(decision.is_some_and(|d| d.mode == LARGE && d.quads_ms.is_nan()));
        // Then Auto: only the quads are left to measure, and the decision
        // under Auto is its own.
        assert_eq!(chooser.decision(AUTO.0, AUTO.1), None);
        let modes = run(&mut chooser, AUTO, [1.0, 9.0, 4.0]);
        assert!(modes[..4].iter().all(|m| *m == QUADS), "{modes:?}");
        assert_eq!(
            chooser.decision(AUTO.0, AUTO.1).map(|d| d.mode),
            Some(QUADS)
        );
        assert_eq!(chooser.mode(tiles_open.0, tiles_open.1), LARGE);
        // Auto with a fixed size measures the quads and that size.
        let mut chooser = RasterChooser::default();
        let modes = run(
            &mut chooser,
            (Raster::Auto, TileSize::Sixteen),
            [9.0, 1.0, 4.0],
        );
        assert!(!modes.contains(&TILES), "{modes:?}");
        let decision = chooser.decision(Raster::Auto, TileSize::Sixteen);
        assert_eq!(decision.map(|d| d.mode), Some(LARGE));
    }

    #[test]
    fn missing_timings_and_decisions_without_measuring() {
        let chooser = RasterChooser::default();
        // No timings ever recorded: Auto stays on the quads.
        assert_eq!(chooser.mode(Raster::Auto, TileSize::Auto), QUADS);
        let mut chooser = RasterChooser::default();
        chooser.decide(QUADS, AUTO.0, AUTO.1);
        let decision = chooser.decision(AUTO.0, AUTO.1).expect("decided");
        assert_eq!(decision.mode, QUADS);
        assert!(decision.quads_ms.is_nan() && decision.tiles_ms.is_nan());
        chooser.record(TILES, 1.0);
        assert_eq!(chooser.mode(AUTO.0, AUTO.1), QUADS);
        // It holds for the choice it was made under only.
        assert_eq!(chooser.decision(Raster::Compute, TileSize::Auto), None);
        assert_eq!(chooser.mode(Raster::Compute, TileSize::Auto), TILES);
    }

    #[test]
    fn times_text_names_what_was_measured() {
        assert_eq!(times_text([f64::NAN; 3]), None);
        assert_eq!(
            times_text([12.345, f64::NAN, 4.0]).as_deref(),
            Some("12.35 ms with quads, 4.00 ms with 16x16 tiles")
        );
    }

    #[test]
    fn the_first_frame_of_each_mode_is_not_counted() {
        let mut chooser = RasterChooser::default();
        for (mode, ms) in [(QUADS, 10.0), (TILES, 5.0), (LARGE, 7.0)] {
            chooser.record(mode, 1000.0); // compiling shaders
            for _ in 0..3 {
                chooser.record(mode, ms);
            }
        }
        let decision = chooser.decision(AUTO.0, AUTO.1).expect("decided");
        assert_eq!(
            (
                decision.mode,
                decision.quads_ms,
                decision.tiles_ms,
                decision.large_tiles_ms
            ),
            (TILES, 10.0, 5.0, 7.0)
        );
    }
}
