//! Camera controllers: turn user input into camera poses. No winit, egui or wgpu
//! types, so everything here is unit-tested.

pub mod damping;
pub mod fly;
pub mod orbit;
pub mod path;
pub mod pose;
pub mod rig;
pub mod spline;
pub mod trackball;
pub mod up_axis;
pub mod wheel;

pub use orbit::OrbitCamera;
pub use pose::CameraPose;
pub use rig::{CameraMode, CameraRig, PointerInput};
pub use up_axis::UpAxis;
