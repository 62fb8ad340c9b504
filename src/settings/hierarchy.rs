//! The window's hierarchical level of detail (docs/LOD.md, "In the window"):
//! whether a splat scene is drawn through its hierarchy once built, and the
//! cut's rules. The LOD panel edits a `HierarchySettings`; each frame turns it
//! into the `LodParams` of `render::lod::LodScene::update`.

use serde::{Deserialize, Serialize};

use crate::render::lod::LodParams;
use crate::scene::lod::cut::CutParams;

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HierarchySettings {
    /// Build (or read from the cache) the hierarchy of a loaded splat scene and
    /// draw its cut. Off by default: the flat scene draws every splat.
    pub enabled: bool,
    /// Most splats in the cut (`None`: no limit).
    pub budget: Option<u32>,
    /// Expand a node while its projected diameter exceeds this many pixels.
    pub threshold_px: f32,
    /// GPU memory for splat pages, MiB (`None`: the adapter's default,
    /// `render::lod::default_memory_budget`).
    pub memory_budget_mib: Option<u32>,
    /// Keep the last cut while the camera moves (to inspect it).
    pub freeze: bool,
    /// Colour each splat by its level in the hierarchy.
    pub color_by_level: bool,
    /// Under a budget, rank nodes by how visible they are too: what is hidden
    /// is expanded last (`CutParams::occlusion`).
    pub occlusion: bool,
}

impl Default for HierarchySettings {
    fn default() -> Self {
        Self {
            enabled: false,
            budget: None,
            threshold_px: CutParams::default().threshold_px,
            memory_budget_mib: None,
            freeze: false,
            color_by_level: false,
            occlusion: true,
        }
    }
}

impl HierarchySettings {
    pub const MAX_THRESHOLD_PX: f32 = 256.0;
    /// Smallest memory budget the panel offers (one default page at SH3 is ~16 MiB).
    pub const MIN_MEMORY_MIB: u32 = 16;

    /// The same settings with every value in range (files are edited by hand).
    pub fn clamped(&self) -> Self {
        let threshold = if self.threshold_px.is_finite() {
            self.threshold_px.clamp(0.0, Self::MAX_THRESHOLD_PX)
        } else {
            Self::default().threshold_px
        };
        Self {
            budget: self.budget.map(|b| b.max(1)),
            threshold_px: threshold,
            memory_budget_mib: self.memory_budget_mib.map(|m| m.max(Self::MIN_MEMORY_MIB)),
            ..*self
        }
    }

    /// The memory budget in bytes, `None` for the adapter's default.
    pub fn memory_budget_bytes(&self) -> Option<u64> {
        self.clamped()
            .memory_budget_mib
            .map(|mib| u64::from(mib) << 20)
    }

    /// The cut's parameters, clipped at the view's `near_plane` and `far_plane`
    /// as the renderer clips the splats.
    pub fn params(&self, near_plane: f32, far_plane: Option<f32>) -> LodParams {
        let s = self.clamped();
        LodParams {
            cut: CutParams {
                threshold_px: s.threshold_px,
                budget: s.budget.map(|b| b as usize),
                occlusion: s.occlusion,
                near_plane,
                far_plane,
                ..CutParams::default()
            },
            freeze: s.freeze,
            color_by_level: s.color_by_level,
            ..LodParams::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamps_and_maps_to_params() {
        let wild = HierarchySettings {
            enabled: true,
            budget: Some(0),
            threshold_px: f32::NAN,
            memory_budget_mib: Some(1),
            freeze: true,
            color_by_level: true,
            occlusion: false,
        };
        let c = wild.clamped();
        assert_eq!(c.budget, Some(1));
        assert_eq!(c.threshold_px, 2.0);
        assert_eq!(c.memory_budget_mib, Some(HierarchySettings::MIN_MEMORY_MIB));
        assert_eq!(wild.memory_budget_bytes(), Some(16 << 20));
        let p = HierarchySettings {
            threshold_px: 1e9,
            budget: Some(1000),
            ..wild
        }
        .params(0.5, Some(9.0));
        assert_eq!(p.cut.threshold_px, HierarchySettings::MAX_THRESHOLD_PX);
        assert_eq!(p.cut.budget, Some(1000));
        assert_eq!((p.cut.near_plane, p.cut.far_plane), (0.5, Some(9.0)));
        assert!(p.freeze && p.color_by_level && !p.cut.occlusion);
        assert_eq!(HierarchySettings::default().memory_budget_bytes(), None);
        assert!(HierarchySettings::default().params(0.5, None).cut.occlusion);
    }
}
