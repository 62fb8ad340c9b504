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
