//! splatview: a real-time viewer for 3D Gaussian Splatting scenes.
//!
//! Data flows one way: file -> `io` -> `scene` (CPU) -> `render` (GPU buffers,
//! project, sort, draw, compose) -> window or PNG. See docs/ARCHITECTURE.md.

pub mod app;
pub mod args;
pub mod bench;
pub mod cli;
pub mod controls;
pub mod dataset;
pub mod default_scene;
pub mod eval;
pub mod gpu;
pub mod headless;
pub mod io;
pub mod lod_build;
pub mod metrics;
pub mod reference;
pub mod render;
pub mod scene;
pub mod settings;
pub mod text;
pub mod video;
