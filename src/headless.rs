//! `splatview render`: one frame to a PNG through the window's code path
//! (`FrameRenderer::encode_frame`), into an `Rgba8Unorm` texture.

use anyhow::Context as _;

use crate::cli::RenderArgs;
use crate::controls::OrbitCamera;
use crate::gpu::GpuContext;
use crate::render::FrameRenderer;
use crate::render::offscreen::{OFFSCREEN_FORMAT, render_to_image};
use crate::render::splat::SplatGpuData;
use crate::render::tile::RasterMode;
use crate::scene::{PinholeCamera, SceneBounds, SplatCloud};

const DEFAULT_WIDTH: u32 = 1280;
const DEFAULT_HEIGHT: u32 = 720;

/// Picks the camera the render flags describe.
pub fn camera_from_args(args: &RenderArgs, cloud: &SplatCloud) -> anyhow::Result<PinholeCamera> {
    if let Some(path) = &args.camera {
        let cameras = crate::io::cameras_json::load_cameras_json(path)?;
        let count = cameras.len();
        let chosen = cameras
            .into_iter()
            .nth(args.camera_index)
            .with_context(|| {
                format!(
                    "{}: camera index {} out of range ({count} cameras)",
                    path.display(),
                    args.camera_index
                )
            })?;
        let cam = chosen.camera;
        let width = args.width.unwrap_or(cam.width);
        let height = args.height.unwrap_or(cam.height);
        return Ok(if (width, height) == (cam.width, cam.height) {
            cam
        } else {
            cam.resized(width, height)
        });
    }
    let width = args.width.unwrap_or(DEFAULT_WIDTH).max(1);
    let height = args.height.unwrap_or(DEFAULT_HEIGHT).max(1);
    let bounds = SceneBounds::robust(cloud);
    if let Some(eye) = args.eye {
        let target = args
            .target
            .or_else(|| bounds.map(|b| b.center()))
            .unwrap_or(glam::Vec3::ZERO);
        let up = args.up.unwrap_or(crate::controls::orbit::DEFAULT_WORLD_UP);
        anyhow::ensure!(
            args.fov_y > 0.0 && args.fov_y < 179.0,
            "--fov-y must be between 0 and 179 degrees"
        );
        return Ok(PinholeCamera::look_at(
            eye,
            target,
            up,
            args.fov_y.to_radians(),
            width,
            height,
        ));
    }
    Ok(OrbitCamera::framing(bounds, width as f32 / height as f32).camera(width, height))
}

pub fn run_render(args: &RenderArgs) -> anyhow::Result<()> {
    let cloud = crate::io::load_splat_file(&args.scene)?;
    if let (Some(path), Some(out_dir)) = (&args.path, &args.out_dir) {
        return crate::headless_path::render_path(args, &cloud, path, out_dir);
    }
    let out = args.out.as_ref().context("--out is required")?;
    let camera = camera_from_args(args, &cloud)?;
    let ctx = GpuContext::new_headless()?;
    log::info!("adapter: {}", ctx.adapter_description());
    let image = render_cloud_with(
        &ctx,
        &cloud,
        &camera,
        args.background.to_array(),
        args.raster.into(),
    )?;
    image
        .save(out)
        .with_context(|| format!("writing {}", out.display()))?;
    println!(
        "rendered {} splats at {}x{} to {}",
        cloud.len(),
        camera.width,
        camera.height,
        out.display()
    );
    Ok(())
}

/// Uploads `cloud` and renders one frame (convenience for tests and tools).
pub fn render_cloud(
    ctx: &GpuContext,
    cloud: &SplatCloud,
    camera: &PinholeCamera,
    background: [f32; 3],
) -> anyhow::Result<image::RgbImage> {
    render_cloud_with(ctx, cloud, camera, background, RasterMode::Hardware)
}

/// [`render_cloud`] with a choice of rasterizer.
pub fn render_cloud_with(
    ctx: &GpuContext,
    cloud: &SplatCloud,
    camera: &PinholeCamera,
    background: [f32; 3],
    raster: RasterMode,
) -> anyhow::Result<image::RgbImage> {
    let mut renderer = FrameRenderer::new(&ctx.device, OFFSCREEN_FORMAT)?;
    renderer.raster = raster;
    let mut scene = SplatGpuData::new(&ctx.device, &renderer.splats, cloud)?;
    Ok(render_to_image(
        ctx,
        &mut renderer,
        &mut scene,
        camera,
        background,
    )?)
}
