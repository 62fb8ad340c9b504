//! Camera controllers: turn user input into camera poses. No winit or wgpu types.

pub mod orbit;

pub use orbit::OrbitCamera;
