//! A splat scene larger than one GPU binding, streaming into the window: the
//! flat GPU scene gets every n-th splat (a preview, drawn until the
//! level-of-detail hierarchy is ready, and whenever LOD is switched off), and
//! the level-of-detail page pool draws the whole scene (docs/LOD.md, "Scenes
//! larger than one binding").

use crate::scene::SplatCloud;
use crate::text::group_digits;

/// How a streamed scene of `total` splats goes to the flat GPU scene.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamPreview {
    pub total: usize,
    /// Splats one flat scene holds on this device.
    pub fits: usize,
    /// Every how many splats one goes to the GPU (1: all of them).
    pub stride: usize,
}

impl StreamPreview {
    /// All splats when they fit; otherwise every n-th, at most `fits` of them
    /// and at most the LOD splat `budget` when one is set (the preview is drawn
    /// flat, so it costs what that many splats cost).
    pub fn plan(total: usize, fits: u64, budget: Option<u32>) -> Self {
        let fits = usize::try_from(fits).unwrap_or(usize::MAX).max(1);
        let shown = match budget {
            Some(budget) if total > fits => fits.min(budget.max(1) as usize),
            _ => fits,
        };
        Self {
            total,
            fits,
            stride: total.div_ceil(shown).max(1),
        }
    }

    /// Splats the flat GPU scene gets.
    pub fn shown(&self) -> usize {
        self.total.div_ceil(self.stride)
    }

    /// What the LOD panel says while the flat scene is a preview.
    pub fn message(&self) -> Option<String> {
        (self.stride > 1).then(|| {
            format!(
                "{} splats are more than one GPU binding holds ({} here): the level of \
                 detail draws the scene; without it the view shows every {} splat ({})",
                group_digits(self.total as u64),
                group_digits(self.fits as u64),
                ordinal(self.stride),
                group_digits(self.shown() as u64),
            )
        })
    }
}

/// The splats of `chunk` (whose first splat is number `first` of the file)
/// whose number is a multiple of `stride`: all of them when `stride` is 1.
pub fn every_nth(chunk: SplatCloud, first: usize, stride: usize) -> SplatCloud {
    if stride <= 1 {
        return chunk;
    }
    let start = (stride - first % stride) % stride;
    let picked: Vec<usize> = (start..chunk.len()).step_by(stride).collect();
    chunk.select(&picked)
}

/// "2nd", "3rd", "11th", ...
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::{StreamPreview, every_nth, ordinal};
    use crate::scene::SplatCloud;

    #[test]
    fn every_nth_counts_across_chunks() {
        let mut cloud = SplatCloud::zeroed(10, 0);
        for (i, p) in cloud.positions.iter_mut().enumerate() {
            p[0] = i as f32;
        }
        let xs = |c: &SplatCloud| {
            c.positions
                .iter()
                .map(|p| p[0] as usize)
                .collect::<Vec<_>>()
        };
        // Chunk of file splats 10..20, every 3rd of the file: 12, 15, 18.
        assert_eq!(xs(&every_nth(cloud.clone(), 10, 3)), vec![2, 5, 8]);
        assert_eq!(xs(&every_nth(cloud.clone(), 0, 4)), vec![0, 4, 8]);
        assert_eq!(xs(&every_nth(cloud.clone(), 7, 1)).len(), 10);
        // Chunks of 10 from 0 to 100, every 7th: 15 splats, as `shown` says.
        let picked: usize = (0..10)
            .map(|c| every_nth(cloud.clone(), c * 10, 7).len())
            .sum();
        let plan = StreamPreview {
            total: 100,
            fits: 15,
            stride: 7,
        };
        assert_eq!(picked, plan.shown());
    }

    #[test]
    fn a_scene_that_fits_is_shown_whole() {
        let plan = StreamPreview::plan(1_000, 4_096, Some(10));
        assert_eq!(plan.stride, 1);
        assert_eq!(plan.message(), None);
        assert_eq!(StreamPreview::plan(0, 4_096, None).stride, 1);
    }

    #[test]
    fn a_larger_scene_is_previewed_within_the_binding_and_the_budget() {
        // 8M splats, 4,194,304 fit: every 2nd; under a 500k budget, every 16th.
        let plan = StreamPreview::plan(8_000_000, 4_194_304, None);
        assert_eq!((plan.stride, plan.shown()), (2, 4_000_000));
        let plan = StreamPreview::plan(8_000_000, 4_194_304, Some(500_000));
        assert_eq!((plan.stride, plan.shown()), (16, 500_000));
        let message = plan.message().expect("a preview");
        assert!(message.contains("8,000,000 splats"), "{message}");
        assert!(message.contains("every 16th splat (500,000)"), "{message}");
        // A budget above what fits does not raise the preview past a binding.
        let plan = StreamPreview::plan(8_000_000, 4_194_304, Some(6_000_000));
        assert!(plan.shown() <= 4_194_304);
        assert_eq!(ordinal(1), "1st");
        assert_eq!(ordinal(2), "2nd");
        assert_eq!(ordinal(13), "13th");
        assert_eq!(ordinal(23), "23rd");
    }
}
