//! Anti-aliasing modes of the splat renderers, and the user's choice among them.
//!
//! A scene must be drawn the way it was trained: the mode changes the 2D
//! low-pass filter added to each projected covariance and whether opacity is
//! compensated for it (docs/ANTIALIASING.md gives the formulas and sources).
//! `AaChoice::Auto` takes the mode the scene's file asks for, which the loaders
//! report as an [`AaHint`]: the mode and why it was chosen.

use serde::{Deserialize, Serialize};

/// How a projected Gaussian is filtered before it is drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AaMode {
    /// INRIA 3DGS: 0.3 px dilation, opacity unchanged.
    #[default]
    Classic,
    /// gsplat `rasterize_mode="antialiased"` (SPZ's flag): 0.3 px dilation,
    /// opacity compensated by sqrt(det / det').
    Antialiased,
    /// Mip-Splatting's 2D Mip filter: 0.1 px dilation with compensation.
    Mip,
    /// Analytic-Splatting: no dilation, the Gaussian integrated over the pixel.
    Analytic,
}

impl AaMode {
    pub const ALL: [Self; 4] = [Self::Classic, Self::Antialiased, Self::Mip, Self::Analytic];

    /// The lowercase name used by the CLI, settings and reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Classic => "classic",
            Self::Antialiased => "antialiased",
            Self::Mip => "mip",
            Self::Analytic => "analytic",
        }
    }

    /// Variance in px² added to both diagonal entries of the projected 2D
    /// covariance before it is drawn: the 2D low-pass filter. 0.3 is the INRIA
    /// rasterizer's dilation (also gsplat's `eps2d` default); 0.1 is
    /// Mip-Splatting's `kernel_size` default; Analytic-Splatting adds none, as
    /// it integrates over the pixel instead.
    pub fn dilation(self) -> f64 {
        match self {
            Self::Classic | Self::Antialiased => 0.3,
            Self::Mip => 0.1,
            Self::Analytic => 0.0,
        }
    }

    /// Whether the opacity is multiplied by sqrt(max(0, det Σ / det Σ')), Σ' the
    /// dilated covariance, so the filtered Gaussian keeps the integral of the
    /// unfiltered one.
    pub fn compensates_opacity(self) -> bool {
        matches!(self, Self::Antialiased | Self::Mip)
    }

    /// The value of `FrameUniforms::aa_mode` (keep in sync with shaders/common/frame.wgsl).
    pub fn shader_code(self) -> u32 {
        match self {
            Self::Classic => 0,
            Self::Antialiased => 1,
            Self::Mip => 2,
            Self::Analytic => 3,
        }
    }
}

/// The mode a scene's file asks for, and why: shown in the scene panel and used
/// by [`AaChoice::Auto`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AaHint {
    pub mode: AaMode,
    /// What in the file decided it, in words ("SPZ antialiased flag", ...).
    pub reason: String,
}

impl Default for AaHint {
    /// A file with no anti-aliasing marker: classic.
    fn default() -> Self {
        Self::new(AaMode::Classic, "no anti-aliasing marker")
    }
}

impl AaHint {
    pub fn new(mode: AaMode, reason: impl Into<String>) -> Self {
        Self {
            mode,
            reason: reason.into(),
        }
    }

    /// SPZ header flag 0x1.
    pub fn spz_antialiased_flag() -> Self {
        Self::new(AaMode::Antialiased, "SPZ antialiased flag")
    }

    /// A `filter_3D` vertex property (Mip-Splatting's 3D filter) and no
    /// `SplatRenderMode` comment.
    pub fn filter_3d_property() -> Self {
        Self::new(AaMode::Mip, "filter_3D property (Mip-Splatting 3D filter)")
    }

    /// A PLY header line `comment SplatRenderMode: <value>` (the key and value in
    /// any case), or `None` for another comment or a value no tool defines.
    /// `mip` and `default` are brush's values (brush `crates/brush-serde`:
    /// `mip` is Mip-Splatting's 2D filter, `default` the classic dilation);
    /// `antialiased` and `analytic` are splatview's own, written by
    /// `io::ply::write_gaussian_ply` so its files keep their mode (brush reads
    /// them as `default`).
    pub fn from_ply_comment(comment: &str) -> Option<Self> {
        let (key, value) = comment.split_once(':')?;
        if !key.trim().eq_ignore_ascii_case(PLY_RENDER_MODE_KEY) {
            return None;
        }
        let value = value.trim().to_ascii_lowercase();
        let mode = match value.as_str() {
            "mip" => AaMode::Mip,
            "default" => AaMode::Classic,
            "antialiased" => AaMode::Antialiased,
            "analytic" => AaMode::Analytic,
            _ => return None,
        };
        Some(Self::new(
            mode,
            format!("PLY comment {PLY_RENDER_MODE_KEY}: {value}"),
        ))
    }

    /// The value written after `SplatRenderMode:` for this hint's mode, or `None`
    /// for classic (no comment is written, as brush writes none for old scenes
    /// and any reader then draws classic).
    pub fn ply_comment_value(&self) -> Option<&'static str> {
        match self.mode {
            AaMode::Classic => None,
            AaMode::Mip => Some("mip"),
            AaMode::Antialiased => Some("antialiased"),
            AaMode::Analytic => Some("analytic"),
        }
    }
}

/// The PLY comment key brush writes (`comment SplatRenderMode: mip`).
pub const PLY_RENDER_MODE_KEY: &str = "SplatRenderMode";

/// What the user asks for: a fixed mode, or the one the scene's file names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AaChoice {
    #[default]
    Auto,
    Classic,
    Antialiased,
    Mip,
    Analytic,
}

impl AaChoice {
    pub const ALL: [Self; 5] = [
        Self::Auto,
        Self::Classic,
        Self::Antialiased,
        Self::Mip,
        Self::Analytic,
    ];

    /// The mode to draw with, given the mode the scene's file asks for.
    pub fn resolve(self, scene_mode: AaMode) -> AaMode {
        match self {
            Self::Auto => scene_mode,
            Self::Classic => AaMode::Classic,
            Self::Antialiased => AaMode::Antialiased,
            Self::Mip => AaMode::Mip,
            Self::Analytic => AaMode::Analytic,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Classic => "classic",
            Self::Antialiased => "antialiased",
            Self::Mip => "mip",
            Self::Analytic => "analytic",
        }
    }
}

impl From<AaMode> for AaChoice {
    /// The choice that always draws with `mode`.
    fn from(mode: AaMode) -> Self {
        match mode {
            AaMode::Classic => Self::Classic,
            AaMode::Antialiased => Self::Antialiased,
            AaMode::Mip => Self::Mip,
            AaMode::Analytic => Self::Analytic,
        }
    }
}

impl std::str::FromStr for AaChoice {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| {
                format!("unknown anti-aliasing mode {text:?}: expected auto, classic, antialiased, mip or analytic")
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_takes_the_scene_mode_and_fixed_choices_override_it() {
        for mode in AaMode::ALL {
            assert_eq!(AaChoice::Auto.resolve(mode), mode);
            assert_eq!(AaChoice::Classic.resolve(mode), AaMode::Classic);
            assert_eq!(AaChoice::Analytic.resolve(mode), AaMode::Analytic);
            assert_eq!(AaChoice::from(mode).resolve(AaMode::Classic), mode);
        }
        let codes: Vec<u32> = AaMode::ALL.iter().map(|m| m.shader_code()).collect();
        assert_eq!(codes, [0, 1, 2, 3]);
    }

    #[test]
    fn filters_per_mode() {
        let filters: Vec<(f64, bool)> = AaMode::ALL
            .iter()
            .map(|m| (m.dilation(), m.compensates_opacity()))
            .collect();
        assert_eq!(
            filters,
            [(0.3, false), (0.3, true), (0.1, true), (0.0, false)]
        );
    }

    #[test]
    fn ply_comments_name_their_mode() {
        let mode = |c: &str| AaHint::from_ply_comment(c).map(|h| h.mode);
        assert_eq!(mode("SplatRenderMode: mip"), Some(AaMode::Mip));
        assert_eq!(mode("splatrendermode:MIP "), Some(AaMode::Mip));
        assert_eq!(mode("SplatRenderMode: default"), Some(AaMode::Classic));
        assert_eq!(
            mode("SplatRenderMode: antialiased"),
            Some(AaMode::Antialiased)
        );
        assert_eq!(mode("SplatRenderMode: 2dgs"), None);
        assert_eq!(mode("mip"), None);
        assert_eq!(mode("Vertical axis: y"), None);
        let hint = AaHint::from_ply_comment("SplatRenderMode: MIP").expect("a mode");
        assert_eq!(hint.reason, "PLY comment SplatRenderMode: mip");
        // What the writer puts back is read as the same mode.
        for m in AaMode::ALL {
            let hint = AaHint::new(m, "");
            let back = hint.ply_comment_value().map_or(Some(AaMode::Classic), |v| {
                mode(&format!("SplatRenderMode: {v}"))
            });
            assert_eq!(back, Some(m));
        }
    }
}
