//! Render settings the user edits: level of detail (what to leave out to go
//! faster), the rasterizer and the anti-aliasing mode. The UI edits a
//! `LodSettings`; each frame turns it into the renderer's `ViewParams`. The UI
//! shows the fields the renderer reports it supports (`render::LodSupport`).

use serde::{Deserialize, Serialize};

use crate::render::{ComposeFolding, Raster, RenderLod, TileSize, ViewParams};
use crate::scene::splats::MAX_SH_DEGREE;
use crate::scene::{AaChoice, PinholeCamera};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LodSettings {
    /// Highest SH degree evaluated (0 = view-independent colour), 0..=3.
    pub sh_degree_cap: u32,
    /// Draw at most this many splats, keeping the most important (opacity times
    /// projected area). `None` draws all.
    pub splat_budget: Option<u32>,
    /// Skip splats whose projected radius is below this many pixels (0 = off).
    pub min_splat_px: f32,
    /// Skip splats whose opacity is below this (the reference rasterizer uses 1/255).
    pub opacity_cutoff: f32,
    /// Render the splats at this fraction of the window resolution, then scale up.
    pub resolution_scale: f32,
    /// Near clipping plane (camera-space depth); splats closer are not drawn.
    /// 0.2 as in the 3DGS reference rasterizer. Travels with the LOD settings
    /// because the renderer takes both each frame.
    pub near_plane: f32,
    /// Far clipping plane; `None` draws everything beyond the near plane.
    pub far_plane: Option<f32>,
    /// Hardware quads, the compute (tile) rasterizer, or the faster of the two
    /// measured on the first frames; same image within tolerance, different speed
    /// per GPU (docs/BENCHMARKS.md).
    pub raster: Raster,
    /// Side of the compute rasterizer's tiles: 8, 16, or measured (GPUs; 8
    /// on CPU adapters).
    pub tile_size: TileSize,
    /// Anti-aliasing: the mode the scene's file asks for, or a fixed one.
    pub aa: AaChoice,
    /// Bits of the depth sort key: 16, 24 (the default) or 32 (exact float
    /// order); fewer bits sort faster and may reorder splats at close depths.
    pub sort_key_bits: u32,
    /// Let the quads blend straight into the 8-bit view over the background
    /// (`ComposeFolding::All`): faster frames on CPU adapters, each blend step
    /// rounded to 8 bits (docs/BENCHMARKS.md). Off: they blend in half floats.
    pub fast_blend: bool,
}

impl Default for LodSettings {
    fn default() -> Self {
        Self {
            sh_degree_cap: MAX_SH_DEGREE,
            splat_budget: None,
            min_splat_px: 0.0,
            opacity_cutoff: 1.0 / 255.0,
            resolution_scale: 1.0,
            near_plane: 0.2,
            far_plane: None,
            raster: Raster::default(),
            tile_size: TileSize::Auto,
            aa: AaChoice::default(),
            sort_key_bits: crate::render::params::DEFAULT_SORT_KEY_BITS,
            fast_blend: false,
        }
    }
}

impl LodSettings {
    pub const MIN_RESOLUTION_SCALE: f32 = 0.25;
    pub const MAX_RESOLUTION_SCALE: f32 = 2.0;

    /// The same settings with every value in its valid range (settings files are
    /// edited by hand).
    pub fn clamped(&self) -> Self {
        let finite_or = |v: f32, default: f32| if v.is_finite() { v } else { default };
        Self {
            sh_degree_cap: self.sh_degree_cap.min(MAX_SH_DEGREE),
            splat_budget: self.splat_budget.map(|b| b.max(1)),
            min_splat_px: finite_or(self.min_splat_px, 0.0).clamp(0.0, 64.0),
            opacity_cutoff: finite_or(self.opacity_cutoff, 1.0 / 255.0).clamp(0.0, 1.0),
            resolution_scale: finite_or(self.resolution_scale, 1.0)
                .clamp(Self::MIN_RESOLUTION_SCALE, Self::MAX_RESOLUTION_SCALE),
            near_plane: finite_or(self.near_plane, 0.2).clamp(1e-4, 1e4),
            far_plane: self
                .far_plane
                .filter(|f| f.is_finite())
                .map(|f| f.max(finite_or(self.near_plane, 0.2).clamp(1e-4, 1e4) * 1.01)),
            raster: self.raster,
            tile_size: self.tile_size,
            aa: self.aa,
            fast_blend: self.fast_blend,
            sort_key_bits: match self.sort_key_bits {
                0..=16 => 16,
                17..=24 => 24,
                _ => 32,
            },
        }
    }

    /// The renderer's level of detail for these settings.
    pub fn render_lod(&self) -> RenderLod {
        let lod = self.clamped();
        RenderLod {
            sh_degree_cap: lod.sh_degree_cap,
            opacity_cutoff: lod.opacity_cutoff,
            min_splat_px: lod.min_splat_px,
            resolution_scale: lod.resolution_scale,
            splat_budget: lod.splat_budget,
            near_plane: lod.near_plane,
            far_plane: lod.far_plane.unwrap_or(f32::INFINITY),
        }
    }

    /// The view parameters of `camera` with these settings over `background`.
    pub fn view_params(&self, camera: PinholeCamera, background: [f32; 3]) -> ViewParams<'static> {
        ViewParams {
            lod: self.render_lod(),
            raster: self.raster,
            tile_size: self.tile_size,
            aa: self.aa,
            background,
            sort_key_bits: self.clamped().sort_key_bits,
            compose_folding: if self.fast_blend {
                ComposeFolding::All
            } else {
                ComposeFolding::Exact
            },
            ..ViewParams::new(camera)
        }
    }

    /// The SH degree to evaluate for a scene stored with `scene_degree`.
    pub fn effective_sh_degree(&self, scene_degree: u32) -> u32 {
        scene_degree.min(self.sh_degree_cap)
    }

    /// Size in pixels of the splat render target for a window of `width x height`.
    pub fn render_size(&self, width: u32, height: u32) -> (u32, u32) {
        let s = self.clamped().resolution_scale;
        let scale = |v: u32| ((v as f32 * s).round() as u32).max(1);
        (scale(width), scale(height))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamping_and_sizes() {
        let wild = LodSettings {
            sh_degree_cap: 9,
            splat_budget: Some(0),
            min_splat_px: f32::NAN,
            opacity_cutoff: 3.0,
            resolution_scale: 100.0,
            near_plane: -1.0,
            far_plane: Some(0.0),
            raster: Raster::Compute,
            tile_size: TileSize::Sixteen,
            aa: AaChoice::Mip,
            sort_key_bits: 20,
            fast_blend: true,
        };
        let c = wild.clamped();
        assert_eq!(c.sort_key_bits, 24);
        assert!(c.fast_blend);
        assert_eq!(c.near_plane, 1e-4);
        assert!(c.far_plane.is_some_and(|f| f > c.near_plane));
        assert_eq!(c.sh_degree_cap, 3);
        assert_eq!(c.splat_budget, Some(1));
        assert_eq!(c.min_splat_px, 0.0);
        assert_eq!(c.opacity_cutoff, 1.0);
        assert_eq!(c.resolution_scale, 2.0);
        let half = LodSettings {
            resolution_scale: 0.5,
            ..Default::default()
        };
        assert_eq!(half.render_size(1281, 720), (641, 360));
        assert_eq!(half.effective_sh_degree(3), 3);
        let dc = LodSettings {
            sh_degree_cap: 0,
            ..Default::default()
        };
        assert_eq!(dc.effective_sh_degree(2), 0);
    }
}
