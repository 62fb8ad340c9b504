//! What one view asks of the renderer: `ViewParams` (camera, level of detail,
//! rasterizer, sort key bits, background, anti-aliasing, an optional depth
//! texture), and the plain types inside it. No GPU resources live here.

use serde::{Deserialize, Serialize};

use crate::scene::{AaChoice, PinholeCamera};

/// Default bits of the depth sort key (see shaders/splat_compact.wgsl).
pub const DEFAULT_SORT_KEY_BITS: u32 = 24;

/// How splats reach the accumulation texture: the one raster enum of the
/// settings, the CLI and the renderer. A frame is drawn with `Hardware` or
/// `Compute`; `Auto` resolves to one of them per view
/// (`render::tile::RasterChooser`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Raster {
    /// The faster of the two on this GPU and scene, measured on the first frames
    /// (on CPU adapters the quads at once below 500k splats:
    /// `tile::choice::CPU_MEASURE_MIN_SPLATS`).
    #[default]
    Auto,
    /// One instanced quad per splat through the hardware rasterizer, blended by the
    /// output merger.
    Hardware,
    /// Tile binning and per-tile front-to-back blending in compute shaders.
    Compute,
}

impl Raster {
    pub const ALL: [Self; 3] = [Self::Auto, Self::Hardware, Self::Compute];

    /// The name used on the command line, in settings and in bench reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Hardware => "hardware",
            Self::Compute => "compute",
        }
    }
}

impl std::str::FromStr for Raster {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.name().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| {
                format!("unknown rasterizer {text:?}: expected auto, hardware or compute")
            })
    }
}

/// Pixels per tile side of the compute rasterizer: measured per scene like
/// the rasterizer (`Auto`: 8x8 and 16x16 both tried, `render::tile::RasterChooser`),
/// or fixed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TileSize {
    #[default]
    Auto,
    Eight,
    Sixteen,
}

impl TileSize {
    pub const ALL: [Self; 3] = [Self::Auto, Self::Eight, Self::Sixteen];

    /// The name used on the command line: `auto`, `8` or `16`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Eight => "8",
            Self::Sixteen => "16",
        }
    }

    /// The fixed side in pixels (`None` for `Auto`).
    pub fn fixed(self) -> Option<u32> {
        match self {
            Self::Auto => None,
            Self::Eight => Some(8),
            Self::Sixteen => Some(16),
        }
    }
}

impl std::str::FromStr for TileSize {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| format!("unknown tile size {text:?}: expected auto, 8 or 16"))
    }
}

/// Level-of-detail parameters the splat passes apply.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RenderLod {
    /// Highest SH degree evaluated.
    pub sh_degree_cap: u32,
    /// Splats less opaque than this are culled (values below 1/255 act as 1/255).
    pub opacity_cutoff: f32,
    /// Splats whose quad half-extent is below this many pixels are culled.
    pub min_splat_px: f32,
    /// Splats are rendered at this fraction of the output resolution, then scaled
    /// (clamped so the render target fits the adapter).
    pub resolution_scale: f32,
    /// Draw at most this many splats, the most important (opacity x area) first.
    pub splat_budget: Option<u32>,
    /// Clipping planes (camera-space depth); far may be infinite.
    pub near_plane: f32,
    pub far_plane: f32,
}

impl Default for RenderLod {
    fn default() -> Self {
        Self {
            sh_degree_cap: crate::scene::splats::MAX_SH_DEGREE,
            opacity_cutoff: 0.0,
            min_splat_px: 0.0,
            resolution_scale: 1.0,
            splat_budget: None,
            near_plane: crate::scene::camera::NEAR_PLANE,
            far_plane: f32::INFINITY,
        }
    }
}

/// The level-of-detail controls the renderer honours; the UI disables the others
/// and says why.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LodSupport {
    pub sh_degree_cap: bool,
    pub splat_budget: bool,
    pub min_splat_px: bool,
    pub opacity_cutoff: bool,
    pub resolution_scale: bool,
}

impl LodSupport {
    pub const ALL: Self = Self {
        sh_degree_cap: true,
        splat_budget: true,
        min_splat_px: true,
        opacity_cutoff: true,
        resolution_scale: true,
    };
}

/// A depth buffer the splats are tested against (meshes drawn first): a
/// `DEPTH_FORMAT` texture of the view's render size holding
/// `near_plane / z_view` (reversed, 0 = nothing), written with the view's camera
/// and near plane. A splat is hidden at a pixel when the view depth of its
/// centre (the depth the sort uses) is greater than the depth there.
#[derive(Clone, Copy, Debug)]
pub struct DepthInput<'a> {
    pub view: &'a wgpu::TextureView,
    pub size: (u32, u32),
}

/// The splats to draw instead of all of the scene's: a level-of-detail cut.
/// Each entry names a scene splat, an opacity factor (the transition between
/// levels) and its level. `generation` changes whenever `entries` do (the view
/// uploads them again only then).
#[derive(Clone, Copy, Debug)]
pub struct DrawList<'a> {
    pub entries: &'a [crate::render::splat::gpu_data::DrawEntry],
    pub generation: u64,
    /// Colour each splat by its level (a debug view).
    pub color_by_level: bool,
}

/// Which frames fold the compose pass into their draw, writing the output
/// itself. Only frames with nothing else under the splats can (no meshes,
/// frusta or depth input, rendered at the output's size); the others always
/// compose.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ComposeFolding {
    /// Every frame composes.
    Off,
    /// The tiles write the output themselves when it is an `Rgba8Unorm`
    /// texture made with `STORAGE_BINDING` (`tile::output::can_write_output`):
    /// they blend in f32 either way, so only the last rounding moves (74 dB
    /// between the two images, tests/render_compose_fold.rs).
    #[default]
    Exact,
    /// The tiles as in `Exact`, and the quads blend straight into the 8-bit
    /// output cleared to the background. Each blend step is then rounded to 8
    /// bits: 13-24% faster frames on lavapipe, but 48.8-51.4 dB against the CPU
    /// reference instead of 51.9-53.3 on real scenes, and 42.5 instead of 51.2
    /// where thousands of faint splats overlap (docs/BENCHMARKS.md, seventh
    /// session). Opt-in (`bench --fold-quads`, the window's
    /// "Fast 8-bit blending").
    All,
}

/// Everything one view of a scene is rendered with.
#[derive(Clone, Copy, Debug)]
pub struct ViewParams<'a> {
    /// The output camera: its size is the output's size.
    pub camera: PinholeCamera,
    pub lod: RenderLod,
    pub raster: Raster,
    /// The compute rasterizer's tile size (under `Compute` or `Auto`).
    pub tile_size: TileSize,
    /// Bits of the depth sort key: 16, 24 or 32 (exact float order).
    pub sort_key_bits: u32,
    /// Linear 0..1 colour behind the splats.
    pub background: [f32; 3],
    /// Anti-aliasing: `Auto` takes the mode the scene's file asks for.
    pub aa: AaChoice,
    pub depth: Option<DepthInput<'a>>,
    /// Draw these splats of the scene (a level-of-detail cut) instead of all.
    pub draw_list: Option<DrawList<'a>>,
    /// Which frames draw straight into the output, without the compose pass.
    pub compose_folding: ComposeFolding,
}

impl ViewParams<'_> {
    /// Defaults for `camera`: every splat, SH as stored, quads (tiles of a
    /// measured size when asked for the tiles), 24-bit keys, black
    /// background, the scene's anti-aliasing mode, no depth test, the exact
    /// compose folding.
    pub fn new(camera: PinholeCamera) -> Self {
        Self {
            camera,
            lod: RenderLod::default(),
            raster: Raster::Hardware,
            tile_size: TileSize::Auto,
            sort_key_bits: DEFAULT_SORT_KEY_BITS,
            background: [0.0; 3],
            aa: AaChoice::Auto,
            depth: None,
            draw_list: None,
            compose_folding: ComposeFolding::default(),
        }
    }

    /// The size splats are rendered at: the output size times the resolution
    /// scale, each side at least 1 and at most `max_side` pixels.
    pub fn render_size(&self, max_side: u32) -> (u32, u32) {
        let (width, height) = (self.camera.width.max(1), self.camera.height.max(1));
        let scale = self.lod.resolution_scale;
        if !scale.is_finite() || (scale - 1.0).abs() < 1e-6 {
            return (width.min(max_side), height.min(max_side));
        }
        let scale = scale.clamp(0.05, 4.0);
        let side = |v: u32| ((v as f32 * scale).round() as u32).clamp(1, max_side.max(1));
        (side(width), side(height))
    }

    /// The camera the splats are rendered with: the output camera at the render
    /// size.
    pub fn render_camera(&self, max_side: u32) -> PinholeCamera {
        let size = self.render_size(max_side);
        if size == (self.camera.width, self.camera.height) {
            self.camera
        } else {
            self.camera.resized(size.0, size.1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raster_names_round_trip() {
        for raster in Raster::ALL {
            assert_eq!(raster.name().parse::<Raster>(), Ok(raster));
        }
        assert!("quads".parse::<Raster>().is_err());
    }

    #[test]
    fn render_size_follows_the_scale_within_the_limit() {
        let camera = PinholeCamera::look_at(
            glam::Vec3::new(0.0, 0.0, -3.0),
            glam::Vec3::ZERO,
            glam::Vec3::NEG_Y,
            1.0,
            1000,
            500,
        );
        let mut params = ViewParams::new(camera);
        assert_eq!(params.render_size(16384), (1000, 500));
        params.lod.resolution_scale = 0.5;
        assert_eq!(params.render_size(16384), (500, 250));
        params.lod.resolution_scale = 2.0;
        assert_eq!(params.render_size(1500), (1500, 1000));
        let scaled = params.render_camera(16384);
        assert_eq!((scaled.width, scaled.height), (2000, 1000));
        assert!((scaled.fx - 2.0 * camera.fx).abs() < 1e-3);
    }
}
