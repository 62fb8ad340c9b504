//! World up axis. Scenes come with different conventions (COLMAP: -y up; many
//! exports: +y or +z up), so the viewer lets the user pick one and flip it.

use glam::Vec3;
use serde::{Deserialize, Serialize};

/// One of the six signed world axes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UpAxis {
    #[serde(rename = "+x")]
    PosX,
    #[serde(rename = "-x")]
    NegX,
    #[serde(rename = "+y")]
    PosY,
    /// 3DGS scenes trained from COLMAP (OpenCV axes).
    #[default]
    #[serde(rename = "-y")]
    NegY,
    #[serde(rename = "+z")]
    PosZ,
    #[serde(rename = "-z")]
    NegZ,
}

impl UpAxis {
    pub const ALL: [UpAxis; 6] = [
        UpAxis::PosX,
        UpAxis::NegX,
        UpAxis::PosY,
        UpAxis::NegY,
        UpAxis::PosZ,
        UpAxis::NegZ,
    ];

    pub fn vector(self) -> Vec3 {
        match self {
            UpAxis::PosX => Vec3::X,
            UpAxis::NegX => Vec3::NEG_X,
            UpAxis::PosY => Vec3::Y,
            UpAxis::NegY => Vec3::NEG_Y,
            UpAxis::PosZ => Vec3::Z,
            UpAxis::NegZ => Vec3::NEG_Z,
        }
    }

    /// The same axis, pointing the other way (turns an upside-down scene upright).
    pub fn flipped(self) -> Self {
        match self {
            UpAxis::PosX => UpAxis::NegX,
            UpAxis::NegX => UpAxis::PosX,
            UpAxis::PosY => UpAxis::NegY,
            UpAxis::NegY => UpAxis::PosY,
            UpAxis::PosZ => UpAxis::NegZ,
            UpAxis::NegZ => UpAxis::PosZ,
        }
    }

    /// The next of the six (for cycling with one key).
    pub fn next(self) -> Self {
        let i = Self::ALL.iter().position(|&a| a == self).unwrap_or(0);
        Self::ALL[(i + 1) % Self::ALL.len()]
    }

    /// The signed axis closest to `v` (e.g. the mean "up" of the training cameras).
    pub fn nearest(v: Vec3) -> Self {
        Self::ALL
            .into_iter()
            .max_by(|a, b| a.vector().dot(v).total_cmp(&b.vector().dot(v)))
            .unwrap_or_default()
    }

    pub fn label(self) -> &'static str {
        match self {
            UpAxis::PosX => "+X",
            UpAxis::NegX => "-X",
            UpAxis::PosY => "+Y",
            UpAxis::NegY => "-Y",
            UpAxis::PosZ => "+Z",
            UpAxis::NegZ => "-Z",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flip_and_cycle() {
        for axis in UpAxis::ALL {
            assert_eq!(axis.flipped().vector(), -axis.vector());
            assert_eq!(axis.flipped().flipped(), axis);
            assert_eq!(
                UpAxis::nearest(axis.vector() * 2.0 + Vec3::splat(0.1)),
                axis
            );
        }
        let mut a = UpAxis::PosX;
        for _ in 0..6 {
            a = a.next();
        }
        assert_eq!(a, UpAxis::PosX);
    }
}
