//! CPU reference implementations of the GPU algorithms: slow, obvious, f64 where it
//! helps, and used by the tests to check the GPU paths.

pub mod analytic;
pub mod mesh;
pub mod project;
pub mod render;
pub mod sort;

pub use render::{render_reference, render_reference_over, to_rgb8};
pub use sort::sort_pairs;
