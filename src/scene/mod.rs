//! CPU data model: splat clouds, mesh objects, cameras, bounds, transforms,
//! level-of-detail hierarchy.

pub mod antialias;
pub mod bounds;
pub mod camera;
pub mod lod;
pub mod mesh;
pub mod objects;
pub mod sh_basis;
pub mod sh_rotation;
pub mod splats;
pub mod tile;
pub mod transform;

pub use antialias::{AaChoice, AaHint, AaMode};
pub use bounds::SceneBounds;
pub use camera::PinholeCamera;
pub use mesh::MeshObject;
pub use splats::SplatCloud;
pub use transform::Similarity;
