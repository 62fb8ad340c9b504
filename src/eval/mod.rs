//! Evaluating renders against photos and against each other: `splatview metrics`,
//! `splatview eval` and `splatview compare` (docs/COMPARE.md).
//!
//! The evaluation renders through a small seam, [`ViewRenderer`]: anything that
//! turns a camera and [`RenderOptions`] into an 8-bit image. Today one adapter,
//! [`headless_adapter::HeadlessViewRenderer`], implements it with the headless
//! renderer; tests implement it with closures.

pub mod cli;
pub mod compare;
pub mod headless_adapter;
pub mod report;
mod run;

pub use run::{EvalOptions, EvalReport, ImageResult, SkippedView, evaluate, fit_photo};

use crate::scene::PinholeCamera;

/// Render settings an evaluation asks for, per view.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RenderOptions {
    /// Background colour in 0..1 (3DGS evaluates on black, or white for
    /// white-background datasets).
    pub background: [f32; 3],
    /// Highest SH degree to evaluate; `None` for the scene's own.
    pub max_sh_degree: Option<u32>,
    /// Anti-aliasing: the mode the scene's file asks for, or a fixed one.
    pub aa: crate::scene::AaChoice,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            background: [0.0; 3],
            max_sh_degree: None,
            aa: crate::scene::AaChoice::Auto,
        }
    }
}

/// Renders one view to an 8-bit RGB image of the camera's size (rounded to 8
/// bits, as 3DGS saves renders before measuring them).
pub trait ViewRenderer {
    fn render_view(
        &mut self,
        camera: &PinholeCamera,
        options: &RenderOptions,
    ) -> anyhow::Result<image::RgbImage>;
}

impl<F> ViewRenderer for F
where
    F: FnMut(&PinholeCamera, &RenderOptions) -> anyhow::Result<image::RgbImage>,
{
    fn render_view(
        &mut self,
        camera: &PinholeCamera,
        options: &RenderOptions,
    ) -> anyhow::Result<image::RgbImage> {
        self(camera, options)
    }
}
