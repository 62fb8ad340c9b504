//! WGSL sources, embedded at build time, with `#include "path"` lines resolved.
//!
//! Shaders live in `shaders/`. A line of the exact form `#include "common/x.wgsl"`
//! is replaced by that file (once per shader; nested includes work). Per-pipeline
//! variation uses WGSL `override`s where WGSL allows them; what it does not (a
//! storage texture's format, a constant that sizes workgroup arrays) is a
//! variant with one declaration replaced (`shader_source_with`).

use std::borrow::Cow;

/// Every WGSL file of the project, by path relative to `shaders/`.
pub const SHADER_FILES: &[(&str, &str)] = &[
    (
        "common/frame.wgsl",
        include_str!("../../shaders/common/frame.wgsl"),
    ),
    (
        "common/sh.wgsl",
        include_str!("../../shaders/common/sh.wgsl"),
    ),
    (
        "common/quad_batches.wgsl",
        include_str!("../../shaders/common/quad_batches.wgsl"),
    ),
    (
        "common/sort_params.wgsl",
        include_str!("../../shaders/common/sort_params.wgsl"),
    ),
    (
        "common/pool_segments.wgsl",
        include_str!("../../shaders/common/pool_segments.wgsl"),
    ),
    (
        "common/pool_segment_single.wgsl",
        include_str!("../../shaders/common/pool_segment_single.wgsl"),
    ),
    (
        "splat_project.wgsl",
        include_str!("../../shaders/splat_project.wgsl"),
    ),
    (
        "splat_draw.wgsl",
        include_str!("../../shaders/splat_draw.wgsl"),
    ),
    (
        "common/workgroup_scan.wgsl",
        include_str!("../../shaders/common/workgroup_scan.wgsl"),
    ),
    (
        "splat_budget.wgsl",
        include_str!("../../shaders/splat_budget.wgsl"),
    ),
    (
        "splat_compact.wgsl",
        include_str!("../../shaders/splat_compact.wgsl"),
    ),
    (
        "common/tile_binning.wgsl",
        include_str!("../../shaders/common/tile_binning.wgsl"),
    ),
    (
        "tile_bin_large.wgsl",
        include_str!("../../shaders/tile_bin_large.wgsl"),
    ),
    ("compose.wgsl", include_str!("../../shaders/compose.wgsl")),
    ("diff.wgsl", include_str!("../../shaders/diff.wgsl")),
    ("lines.wgsl", include_str!("../../shaders/lines.wgsl")),
    ("mesh.wgsl", include_str!("../../shaders/mesh.wgsl")),
    (
        "sort_histogram.wgsl",
        include_str!("../../shaders/sort_histogram.wgsl"),
    ),
    (
        "sort_scan.wgsl",
        include_str!("../../shaders/sort_scan.wgsl"),
    ),
    (
        "sort_scatter.wgsl",
        include_str!("../../shaders/sort_scatter.wgsl"),
    ),
    (
        "common/subgroup_digits.wgsl",
        include_str!("../../shaders/common/subgroup_digits.wgsl"),
    ),
    (
        "sort_histogram_subgroup.wgsl",
        include_str!("../../shaders/sort_histogram_subgroup.wgsl"),
    ),
    (
        "sort_scatter_subgroup.wgsl",
        include_str!("../../shaders/sort_scatter_subgroup.wgsl"),
    ),
    (
        "common/splat_axes.wgsl",
        include_str!("../../shaders/common/splat_axes.wgsl"),
    ),
    (
        "common/analytic.wgsl",
        include_str!("../../shaders/common/analytic.wgsl"),
    ),
    (
        "common/tile_params.wgsl",
        include_str!("../../shaders/common/tile_params.wgsl"),
    ),
    ("tile_bin.wgsl", include_str!("../../shaders/tile_bin.wgsl")),
    (
        "tile_offsets.wgsl",
        include_str!("../../shaders/tile_offsets.wgsl"),
    ),
    (
        "tile_ranges.wgsl",
        include_str!("../../shaders/tile_ranges.wgsl"),
    ),
    (
        "tile_chunks.wgsl",
        include_str!("../../shaders/tile_chunks.wgsl"),
    ),
    (
        "tile_raster.wgsl",
        include_str!("../../shaders/tile_raster.wgsl"),
    ),
    (
        "tile_merge.wgsl",
        include_str!("../../shaders/tile_merge.wgsl"),
    ),
];

/// A shader file was missing or an include could not be resolved. Only reachable by a
/// programming error (all files are embedded), but reported rather than panicking.
#[derive(Debug, thiserror::Error)]
#[error("shader {file}: {reason}")]
pub struct ShaderError {
    pub file: String,
    pub reason: String,
}

fn raw_source(name: &str) -> Option<&'static str> {
    SHADER_FILES
        .iter()
        .find(|(path, _)| *path == name)
        .map(|(_, src)| *src)
}

/// The full source of `name` with includes resolved.
pub fn shader_source(name: &str) -> Result<String, ShaderError> {
    let mut out = String::new();
    let mut included = Vec::new();
    append_resolved(name, &mut out, &mut included, 0)?;
    Ok(out)
}

fn append_resolved(
    name: &str,
    out: &mut String,
    included: &mut Vec<String>,
    depth: usize,
) -> Result<(), ShaderError> {
    let err = |reason: String| ShaderError {
        file: name.to_owned(),
        reason,
    };
    if depth > 8 {
        return Err(err("includes nested too deeply".into()));
    }
    let src = raw_source(name).ok_or_else(|| err("no such embedded shader".into()))?;
    for line in src.lines() {
        if let Some(rest) = line.trim().strip_prefix("#include") {
            let target = rest.trim().trim_matches('"');
            if !included.iter().any(|done| done == target) {
                included.push(target.to_owned());
                append_resolved(target, out, included, depth + 1)?;
            }
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    Ok(())
}

/// The full source of `name` with includes resolved and every `from` replaced
/// by `to` (a variant of a shader, e.g. another storage texture format); an
/// error when `from` does not occur, so that a renamed token cannot leave the
/// variant silently identical.
pub fn shader_source_replacing(name: &str, from: &str, to: &str) -> Result<String, ShaderError> {
    shader_source_with(name, &[(from, to)])
}

/// [`shader_source_replacing`] for several `(from, to)` pairs, in order.
pub fn shader_source_with(
    name: &str,
    replacements: &[(&str, &str)],
) -> Result<String, ShaderError> {
    let mut source = shader_source(name)?;
    for (from, to) in replacements {
        if !source.contains(from) {
            return Err(ShaderError {
                file: name.to_owned(),
                reason: format!("no `{from}` to replace with `{to}`"),
            });
        }
        source = source.replace(from, to);
    }
    Ok(source)
}

/// Compiles a variant of an embedded shader (`shader_source_with`).
pub fn create_shader_module_with(
    device: &wgpu::Device,
    name: &str,
    replacements: &[(&str, &str)],
) -> Result<wgpu::ShaderModule, ShaderError> {
    let source = shader_source_with(name, replacements)?;
    Ok(device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(name),
        source: wgpu::ShaderSource::Wgsl(Cow::Owned(source)),
    }))
}

/// Compiles an embedded shader into a module.
pub fn create_shader_module(
    device: &wgpu::Device,
    name: &str,
) -> Result<wgpu::ShaderModule, ShaderError> {
    let source = shader_source(name)?;
    Ok(device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(name),
        source: wgpu::ShaderSource::Wgsl(Cow::Owned(source)),
    }))
}
