//! The compare view's persisted choices: the layout (single, side by side,
//! split, flicker, difference), the split divider, the flicker rate, the
//! difference map and its scale, whether the cameras of A and B move together,
//! live metrics on or off, and B's render settings when B is "this scene with
//! other settings".

use serde::{Deserialize, Serialize};

use super::LodSettings;

/// How A and B share the view.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompareLayout {
    /// One source at a time (A, or B after "show other").
    Single,
    /// A on the left half, B on the right half, each rendered at half width.
    SideBySide,
    /// A and B at full size, cut by a draggable divider.
    #[default]
    Split,
    /// A and B alternating at `flicker_hz`.
    Flicker,
    /// A heatmap of the difference (`DiffMap`).
    Difference,
}

impl CompareLayout {
    pub const ALL: [Self; 5] = [
        Self::Single,
        Self::SideBySide,
        Self::Split,
        Self::Flicker,
        Self::Difference,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Single => "Single",
            Self::SideBySide => "Side by side",
            Self::Split => "Split",
            Self::Flicker => "Flicker",
            Self::Difference => "Difference",
        }
    }
}

/// Which error map the difference layout draws.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffMap {
    /// Mean over RGB of |A - B| (`metrics::heatmap::abs_difference`), drawn on
    /// the GPU every frame.
    #[default]
    AbsDifference,
    /// NVIDIA FLIP's per-pixel error (`metrics::flip`), computed with the live
    /// metrics on a worker thread.
    Flip,
}

impl DiffMap {
    pub fn label(self) -> &'static str {
        match self {
            Self::AbsDifference => "|A - B|",
            Self::Flip => "FLIP",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CompareSettings {
    pub layout: CompareLayout,
    /// Split layout: the divider is vertical (A left, B right) or horizontal
    /// (A above, B below).
    pub split_vertical: bool,
    /// Split layout: where the divider sits, 0..1 across the view.
    pub split_position: f32,
    /// Flicker layout: A/B changes per second.
    pub flicker_hz: f32,
    pub diff_map: DiffMap,
    /// The error drawn at the top of the |A - B| colour scale (as `compare
    /// --diff-scale`).
    pub diff_scale: f32,
    /// A and B move together.
    pub lock_cameras: bool,
    /// PSNR, SSIM and FLIP of the current view, measured on a worker thread.
    pub live_metrics: bool,
    /// B's render settings when B is this scene with other settings.
    pub b_lod: LodSettings,
}

impl Default for CompareSettings {
    fn default() -> Self {
        Self {
            layout: CompareLayout::Split,
            split_vertical: true,
            split_position: 0.5,
            flicker_hz: 2.0,
            diff_map: DiffMap::AbsDifference,
            diff_scale: 0.2,
            lock_cameras: true,
            live_metrics: true,
            b_lod: LodSettings {
                sh_degree_cap: 0,
                ..LodSettings::default()
            },
        }
    }
}

impl CompareSettings {
    pub const MIN_FLICKER_HZ: f32 = 0.2;
    pub const MAX_FLICKER_HZ: f32 = 30.0;
    pub const MIN_DIFF_SCALE: f32 = 0.005;
    pub const MAX_DIFF_SCALE: f32 = 1.0;

    /// Every value in range (hand-edited files).
    pub fn clamped(&self) -> Self {
        let finite_or = |v: f32, d: f32| if v.is_finite() { v } else { d };
        let d = Self::default();
        Self {
            split_position: finite_or(self.split_position, d.split_position).clamp(0.0, 1.0),
            flicker_hz: finite_or(self.flicker_hz, d.flicker_hz)
                .clamp(Self::MIN_FLICKER_HZ, Self::MAX_FLICKER_HZ),
            diff_scale: finite_or(self.diff_scale, d.diff_scale)
                .clamp(Self::MIN_DIFF_SCALE, Self::MAX_DIFF_SCALE),
            b_lod: self.b_lod.clamped(),
            ..*self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wild_values_are_clamped() {
        let wild = CompareSettings {
            split_position: 7.0,
            flicker_hz: f32::NAN,
            diff_scale: 0.0,
            ..CompareSettings::default()
        }
        .clamped();
        assert_eq!(wild.split_position, 1.0);
        assert_eq!(wild.flicker_hz, CompareSettings::default().flicker_hz);
        assert_eq!(wild.diff_scale, CompareSettings::MIN_DIFF_SCALE);
    }
}
