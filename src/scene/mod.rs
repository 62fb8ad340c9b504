//! CPU data model: splat clouds, cameras, bounds.

pub mod antialias;
pub mod bounds;
pub mod camera;
pub mod splats;
pub mod tile;

pub use antialias::{AaChoice, AaHint, AaMode};
pub use bounds::SceneBounds;
pub use camera::PinholeCamera;
pub use splats::SplatCloud;
