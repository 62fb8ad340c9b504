//! Making a [`LodScene`] from a decoded scene: the hierarchy (from the cache, or
//! built), its extended cloud, and the GPU page pool, timed for `bench` and the
//! stats. Used by `render`, `bench` and the window's background LOD build.

use std::sync::Arc;
use std::time::Instant;

use super::{DEFAULT_PAGE_NODES, LodParams, LodScene, default_memory_budget};
use crate::gpu::{GpuContext, GpuError};
use crate::scene::SplatCloud;
use crate::scene::lod::build::{BuildOptions, BuildProgress, LodBuildError};
use crate::scene::lod::cache::{CacheSource, LodCache, load_or_build_hierarchy};

/// Level of detail as the user asks for it (`--lod-budget`, `--lod-threshold`,
/// `--memory-budget`, or the window's LOD panel).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LodRequest {
    /// The cut's rules (threshold, splat budget, transitions) and debug views.
    pub params: LodParams,
    /// GPU bytes for splat pages (`None`: [`default_memory_budget`]).
    pub memory_budget: Option<u64>,
    /// Nodes per page (tests use small pages).
    pub page_nodes: u32,
}

impl Default for LodRequest {
    fn default() -> Self {
        Self {
            params: LodParams::default(),
            memory_budget: None,
            page_nodes: DEFAULT_PAGE_NODES,
        }
    }
}

/// Why a level-of-detail scene could not be made.
#[derive(Debug, thiserror::Error)]
pub enum LodSetupError {
    #[error(transparent)]
    Build(#[from] LodBuildError),
    #[error(transparent)]
    Gpu(#[from] GpuError),
    #[error("level of detail: the hierarchy does not match the scene it was built for")]
    Mismatch,
}

/// Where the hierarchy came from and what it cost.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LodSetupReport {
    /// Milliseconds to read or build the hierarchy.
    pub hierarchy_ms: f64,
    /// Whether it was built (false: read from the cache or beside the scene).
    pub built: bool,
    /// Read from the file beside the scene (`scene.ply.lod`).
    pub beside_scene: bool,
    /// Milliseconds to make the page pool and upload its first pages.
    pub upload_ms: f64,
}

/// A [`LodScene`] of `cloud` on `gpu`: the hierarchy from the file beside
/// `scene_path` (`scene.ply.lod`) or from `cache` when either holds a valid
/// one (a new build is written to the cache); built otherwise (`bench` gives
/// neither).
pub fn make_lod_scene(
    gpu: &GpuContext,
    cloud: &SplatCloud,
    scene_path: Option<&std::path::Path>,
    request: &LodRequest,
    cache: Option<&LodCache>,
    progress: Option<&BuildProgress>,
) -> Result<(LodScene, LodSetupReport), LodSetupError> {
    let started = Instant::now();
    let options = BuildOptions::default();
    let (hierarchy, source) =
        load_or_build_hierarchy(cache, scene_path, cloud, &options, progress)?;
    let built = matches!(source, CacheSource::Built { .. } | CacheSource::Uncached);
    let beside_scene = matches!(source, CacheSource::Beside(_));
    let hierarchy_ms = started.elapsed().as_secs_f64() * 1000.0;
    let started = Instant::now();
    let extended = hierarchy
        .extended_cloud(cloud)
        .ok_or(LodSetupError::Mismatch)?;
    let memory_budget = request
        .memory_budget
        .unwrap_or_else(|| default_memory_budget(gpu.adapter.get_info().device_type));
    let scene = LodScene::new(
        &gpu.device,
        &gpu.queue,
        Arc::new(hierarchy),
        Arc::new(extended),
        cloud.aa_hint.mode,
        memory_budget,
        request.page_nodes,
    )?;
    let report = LodSetupReport {
        hierarchy_ms,
        built,
        beside_scene,
        upload_ms: started.elapsed().as_secs_f64() * 1000.0,
    };
    Ok((scene, report))
}
