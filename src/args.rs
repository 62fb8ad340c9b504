//! Value parsers and the usage error shared by every subcommand's arguments
//! (`cli`, `bench`, `eval`): the bottom of the command-line modules, importing
//! none of them.

use glam::Vec3;

use crate::render::Raster;
use crate::scene::AaChoice;
use crate::scene::mesh::shading::MeshShading;

/// A value on the command line that cannot work: reported on one line with exit
/// code 2, like clap's own usage errors.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// `--tile-size` with a rasterizer that has no tiles: refused rather than
/// ignored.
pub fn check_tile_size(
    raster: Raster,
    tile_size: crate::render::TileSize,
) -> Result<(), UsageError> {
    match (raster, tile_size.fixed()) {
        (Raster::Hardware, Some(side)) => Err(UsageError(format!(
            "--tile-size {side} sizes the compute rasterizer's tiles: give --raster compute (or auto)"
        ))),
        _ => Ok(()),
    }
}

/// `--out-dir DIR`: a folder, or nothing yet (it is created); not a file.
pub fn check_out_dir(dir: &std::path::Path) -> Result<(), UsageError> {
    if dir.exists() && !dir.is_dir() {
        return Err(UsageError(format!(
            "--out-dir {}: a file of that name exists; give a folder",
            dir.display()
        )));
    }
    Ok(())
}

/// A count of at least 1 (`--test-every`).
pub fn parse_positive(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("{text:?} is not a whole number")),
    }
}

/// `--raster` values.
pub fn parse_raster(text: &str) -> Result<Raster, String> {
    text.parse()
}

/// `--aa` values.
pub fn parse_aa(text: &str) -> Result<AaChoice, String> {
    text.parse()
}

/// `--shading` values.
pub fn parse_shading(text: &str) -> Result<MeshShading, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "lit" => Ok(MeshShading::Lit),
        "unlit" => Ok(MeshShading::Unlit),
        _ => Err(format!("unknown shading {text:?}: expected lit or unlit")),
    }
}

/// Parses "x,y,z".
pub fn parse_vec3(text: &str) -> Result<Vec3, String> {
    let parts: Vec<f32> = text
        .split(',')
        .map(|p| p.trim().parse::<f32>())
        .collect::<Result<_, _>>()
        .map_err(|e| format!("expected three numbers \"x,y,z\": {e}"))?;
    match parts.as_slice() {
        [x, y, z] if parts.iter().all(|v| v.is_finite()) => Ok(Vec3::new(*x, *y, *z)),
        _ => Err(format!(
            "expected three finite numbers \"x,y,z\", got {text:?}"
        )),
    }
}

/// `--background` values: three numbers from 0 to 1, "r,g,b".
pub fn parse_color(text: &str) -> Result<Vec3, String> {
    let color = parse_vec3(text)?;
    if color.min_element() < 0.0 || color.max_element() > 1.0 {
        return Err(format!(
            "expected three numbers from 0 to 1 \"r,g,b\", got {text:?}"
        ));
    }
    Ok(color)
}

/// Level-of-detail flags of `render` and `bench`.
#[derive(Clone, Debug, clap::Args)]
pub struct LodArgs {
    /// Level of detail: draw at most this many splats, a cut of the scene's
    /// hierarchy (built once and cached; see docs/LOD.md). 0 (the default):
    /// no budget, and every splat drawn unless --lod-threshold is given.
    #[arg(long, default_value_t = 0)]
    pub lod_budget: usize,
    /// Level of detail: expand a hierarchy node while its projected size exceeds
    /// this many pixels (0 expands everything in view, within the budget).
    /// Given without --lod-budget, the cut has no budget (as the window's
    /// default). [default: 2]
    #[arg(long)]
    pub lod_threshold: Option<f32>,
    /// Level of detail: GPU memory for splat pages in MiB (default 1024 on CPU
    /// adapters such as lavapipe, 4096 on GPUs). Pages the cut does not need
    /// are evicted; a missing page draws its parent.
    #[arg(long)]
    pub memory_budget: Option<u64>,
    /// Level of detail: colour each splat by its level in the hierarchy.
    #[arg(long)]
    pub lod_color_by_level: bool,
    /// Level of detail: rank the budget's expansions by size, coverage and
    /// colour only, not also by how visible each node is (for comparison;
    /// docs/LOD.md).
    #[arg(long)]
    pub lod_no_occlusion: bool,
}

impl LodArgs {
    /// The request these flags make (`None`: LOD off), or why they cannot work.
    pub fn request(&self) -> Result<Option<crate::render::lod::setup::LodRequest>, UsageError> {
        if self.lod_budget == 0 && self.lod_threshold.is_none() {
            let needs_lod = [
                ("--memory-budget", self.memory_budget.is_some()),
                ("--lod-color-by-level", self.lod_color_by_level),
                ("--lod-no-occlusion", self.lod_no_occlusion),
            ];
            if let Some((flag, _)) = needs_lod.iter().find(|(_, given)| *given) {
                return Err(UsageError(format!(
                    "{flag} applies to the level of detail: give --lod-budget N (N > 0) or --lod-threshold PX too"
                )));
            }
            return Ok(None);
        }
        let threshold = self.lod_threshold.unwrap_or(2.0);
        if !(threshold.is_finite() && threshold >= 0.0) {
            return Err(UsageError(format!(
                "--lod-threshold must be a finite number of pixels >= 0, got {threshold}"
            )));
        }
        let memory_budget = match self.memory_budget {
            Some(0) => {
                return Err(UsageError(
                    "--memory-budget must be at least 1 MiB".to_string(),
                ));
            }
            Some(mib) => Some(mib.saturating_mul(1 << 20)),
            None => None,
        };
        let mut request = crate::render::lod::setup::LodRequest {
            memory_budget,
            ..Default::default()
        };
        // 0 with --lod-threshold: the threshold alone.
        request.params.cut.budget = (self.lod_budget > 0).then_some(self.lod_budget);
        request.params.cut.threshold_px = threshold;
        request.params.cut.occlusion = !self.lod_no_occlusion;
        request.params.color_by_level = self.lod_color_by_level;
        Ok(Some(request))
    }
}
