//! How the window draws meshes and point clouds (persisted): lit or unlit
//! shading, back-face culling, the wireframe overlay and the size of point-cloud
//! dots. Each frame turns it into the renderer's `MeshParams`; `splatview render`
//! takes the same choices as flags (`--shading`, `--cull-back-faces`,
//! `--wireframe`, `--point-size`).

use serde::{Deserialize, Serialize};

use crate::render::MeshParams;
use crate::scene::mesh::shading::MeshShading;

/// Mesh shading as stored in the settings file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShadingSetting {
    /// A headlight with simple diffuse (the default).
    #[default]
    Lit,
    /// The material colour as a display value.
    Unlit,
}

impl ShadingSetting {
    pub fn shading(self) -> MeshShading {
        match self {
            Self::Lit => MeshShading::Lit,
            Self::Unlit => MeshShading::Unlit,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MeshSettings {
    pub shading: ShadingSetting,
    pub cull_back_faces: bool,
    pub wireframe: bool,
    /// Side of a point cloud's dots, pixels.
    pub point_size_px: f32,
}

impl Default for MeshSettings {
    fn default() -> Self {
        let params = MeshParams::default();
        Self {
            shading: ShadingSetting::Lit,
            cull_back_faces: params.cull_back_faces,
            wireframe: params.wireframe,
            point_size_px: params.point_size_px,
        }
    }
}

impl MeshSettings {
    pub const MIN_POINT_SIZE: f32 = 1.0;
    pub const MAX_POINT_SIZE: f32 = 32.0;

    /// The same settings with the point size in range (hand-edited files).
    pub fn clamped(&self) -> Self {
        let size = if self.point_size_px.is_finite() {
            self.point_size_px
        } else {
            MeshParams::default().point_size_px
        };
        Self {
            point_size_px: size.clamp(Self::MIN_POINT_SIZE, Self::MAX_POINT_SIZE),
            ..*self
        }
    }

    /// The renderer's mesh parameters for these settings.
    pub fn params(&self) -> MeshParams {
        let s = self.clamped();
        MeshParams {
            shading: s.shading.shading(),
            cull_back_faces: s.cull_back_faces,
            wireframe: s.wireframe,
            point_size_px: s.point_size_px,
            ..MeshParams::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_render_and_values_are_clamped() {
        assert_eq!(MeshSettings::default().params(), MeshParams::default());
        let wild = MeshSettings {
            shading: ShadingSetting::Unlit,
            cull_back_faces: true,
            wireframe: true,
            point_size_px: f32::NAN,
        };
        let params = wild.params();
        assert_eq!(params.shading, MeshShading::Unlit);
        assert!(params.cull_back_faces && params.wireframe);
        assert_eq!(params.point_size_px, MeshParams::default().point_size_px);
        let huge = MeshSettings {
            point_size_px: 1e9,
            ..MeshSettings::default()
        };
        assert_eq!(huge.params().point_size_px, MeshSettings::MAX_POINT_SIZE);
    }
}
