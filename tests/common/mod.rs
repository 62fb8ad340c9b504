//! Shared helpers of the integration tests.
#![allow(dead_code)]

pub mod aa_scene;

use std::path::PathBuf;
use std::sync::OnceLock;

pub mod mp4;
pub mod window;

use splatview::gpu::GpuContext;

/// Path of a file in `../shared/testdata`.
pub fn testdata(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/testdata")
        .join(relative)
}

/// The GPU shared by the tests of one binary. Without an adapter the test is
/// skipped, except under CI (`CI` set), where that is a failure.
pub fn gpu() -> Option<&'static GpuContext> {
    static GPU: OnceLock<Option<GpuContext>> = OnceLock::new();
    let ctx = GPU.get_or_init(|| match GpuContext::new_headless() {
        Ok(ctx) => {
            eprintln!("test adapter: {}", ctx.adapter_description());
            Some(ctx)
        }
        Err(err) => {
            eprintln!("no GPU adapter: {err}");
            None
        }
    });
    if ctx.is_none() && in_ci() {
        panic!("no GPU adapter found, and CI is set: GPU tests must not be skipped in CI");
    }
    ctx.as_ref()
}

/// Whether the tests run under CI (`CI` set and not "false").
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false")
}

/// A renderer and one offscreen view, for tests that render several frames.
pub struct TestView {
    pub renderer: splatview::render::Renderer,
    pub view: splatview::render::offscreen::OffscreenView,
}

impl TestView {
    pub fn new(ctx: &GpuContext) -> Self {
        let renderer = splatview::render::Renderer::new(&ctx.device).expect("renderer");
        let view = splatview::render::offscreen::OffscreenView::new(&ctx.device, &renderer);
        Self { renderer, view }
    }

    /// One frame of `scene` with `params`, read back (blocking).
    pub fn render(
        &mut self,
        ctx: &GpuContext,
        scene: &splatview::render::SplatScene,
        params: &splatview::render::ViewParams<'_>,
    ) -> image::RgbImage {
        let image = self
            .view
            .render(ctx, &self.renderer, scene, params)
            .unwrap_or_else(|e| panic!("render: {e}"));
        assert_no_gpu_errors(ctx);
        image
    }
}

/// `cloud` uploaded to `ctx`.
pub fn upload(
    ctx: &GpuContext,
    cloud: &splatview::scene::SplatCloud,
) -> splatview::render::SplatScene {
    splatview::render::SplatScene::new(&ctx.device, cloud).unwrap_or_else(|e| panic!("upload: {e}"))
}

/// One frame of `cloud` with `params` on a fresh renderer, scene and view.
pub fn render_params(
    ctx: &GpuContext,
    cloud: &splatview::scene::SplatCloud,
    params: &splatview::render::ViewParams<'_>,
) -> image::RgbImage {
    let scene = upload(ctx, cloud);
    TestView::new(ctx).render(ctx, &scene, params)
}

/// Fails on any GPU error the device reported outside error scopes (validation
/// errors are bugs even when the image looks right).
pub fn assert_no_gpu_errors(ctx: &GpuContext) {
    let errors = ctx.health.take_errors();
    assert!(errors.is_empty(), "GPU errors: {errors:?}");
}

/// A deterministic generator of values in 0..1 (xorshift64, the top 24 bits),
/// for generated test scenes; `seed` must not be 0.
pub fn unit_noise(seed: u64) -> impl FnMut() -> f32 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 40) as f32 / (1u64 << 24) as f32
    }
}
