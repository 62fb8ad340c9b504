//! Anti-aliasing modes of the splat renderers, and the user's choice among them.
//!
//! A scene must be drawn the way it was trained: the mode changes the 2D
//! low-pass filter added to each projected covariance and whether opacity is
//! compensated for it (docs/ANTIALIASING.md gives the formulas and sources).
//! `AaChoice::Auto` takes the mode the scene's file asks for.

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
        }
        let codes: Vec<u32> = AaMode::ALL.iter().map(|m| m.shader_code()).collect();
        assert_eq!(codes, [0, 1, 2, 3]);
    }
}
