//! CPU data model: splat clouds, cameras, bounds, level-of-detail hierarchy.

pub mod antialias;
pub mod bounds;
pub mod camera;
pub mod lod;
pub mod splats;
pub mod tile;

pub use antialias::{AaChoice, AaMode};
pub use bounds::SceneBounds;
pub use camera::PinholeCamera;
pub use splats::SplatCloud;
