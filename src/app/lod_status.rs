//! What the window shows of the hierarchical level of detail (the LOD panel and
//! the build's progress bar): plain data the core (`app::lod`) writes each frame
//! and the UI reads. No GPU types.

use std::time::Duration;

use crate::render::lod::LodStats;

/// A hierarchy build (or cache read) running on a worker thread.
#[derive(Clone, Debug, PartialEq)]
pub struct LodBuildStatus {
    /// The scene's file name.
    pub name: String,
    /// 0..=1 (0 while the file is read again or the cache is checked).
    pub fraction: f32,
    pub elapsed: Duration,
}

/// How the hierarchy in use was obtained.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LodBuildInfo {
    /// Milliseconds to read the file again and read or build the hierarchy.
    pub hierarchy_ms: f64,
    /// Read from the cache (false: built and written to it).
    pub from_cache: bool,
    /// Read from the hierarchy file beside the scene (`scene.ply.lod`), not
    /// the cache (`from_cache` is true too).
    pub beside_scene: bool,
    /// Nodes of the hierarchy (splats plus merged interior nodes).
    pub nodes: usize,
    /// Levels of the hierarchy.
    pub depth: usize,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct LodStatus {
    /// The build in progress.
    pub building: Option<LodBuildStatus>,
    /// Whether the window draws the hierarchy's cut now.
    pub active: bool,
    /// The last cut's numbers, while active.
    pub stats: Option<LodStats>,
    /// The hierarchy of the scene shown, once read or built.
    pub build: Option<LodBuildInfo>,
    /// Why LOD is not drawn although enabled (several splat objects, a moved
    /// object, a cancelled or failed build).
    pub unavailable: Option<String>,
    /// Set when the splat scene is larger than one GPU binding: the flat scene
    /// is a preview of every n-th splat, and this says so.
    pub preview: Option<String>,
}
