//! `splatview compare A B --out-dir DIR`: renders two scenes (or one scene with two
//! settings) from the same camera, writes `DIR/a.png`, `DIR/b.png`, `DIR/diff.png`
//! (`|A - B|` heatmap with legend) and `DIR/flip.png`, and prints the metrics of B
//! against A.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use glam::Vec3;

use super::headless_adapter::HeadlessViewRenderer;
use super::{RenderOptions, ViewRenderer};
use crate::args::{UsageError, parse_vec3};
use crate::headless::{CameraSpec, HeadlessError, RenderJob, RenderOutput, RenderSettings};
use crate::metrics::{ImageMetrics, heatmap};
use crate::render::Raster;
use crate::scene::{AaChoice, PinholeCamera, SplatCloud};

/// Values that cannot work are usage errors (exit code 2), as in `render`.
fn usage(err: HeadlessError) -> anyhow::Error {
    match err {
        HeadlessError::Invalid(message) => UsageError(message).into(),
        other => other.into(),
    }
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Scene A (the reference).
    pub a: PathBuf,
    /// Scene B (compared with A; may be the same file with other settings).
    pub b: PathBuf,
    /// Folder for a.png, b.png, diff.png and flip.png; created if missing.
    #[arg(long)]
    pub out_dir: PathBuf,
    /// INRIA cameras.json; image size and intrinsics come from it.
    #[arg(long)]
    pub camera: Option<PathBuf>,
    /// Index into the cameras.json list.
    #[arg(long, default_value_t = 0, requires = "camera")]
    pub camera_index: usize,
    /// Look-at camera: eye position "x,y,z".
    #[arg(long, value_parser = parse_vec3, conflicts_with = "camera")]
    pub eye: Option<Vec3>,
    /// Look-at camera: target "x,y,z" (default: the centre of scene A).
    #[arg(long, value_parser = parse_vec3, requires = "eye")]
    pub target: Option<Vec3>,
    /// Look-at camera: world up "x,y,z" (default 0,-1,0: OpenCV/COLMAP scenes).
    #[arg(long, value_parser = parse_vec3, requires = "eye")]
    pub up: Option<Vec3>,
    /// Look-at camera: vertical field of view in degrees, in (0, 180), default
    /// 50 (needs --eye: framing views and cameras.json have their own).
    #[arg(long, requires = "eye")]
    pub fov_y: Option<f32>,
    /// Image width (overrides the cameras.json size; default 1280).
    #[arg(long)]
    pub width: Option<u32>,
    /// Image height (overrides the cameras.json size; default 720).
    #[arg(long)]
    pub height: Option<u32>,
    /// Background colour "r,g,b" in 0..1.
    #[arg(long, value_parser = crate::args::parse_color, default_value = "0,0,0")]
    pub background: Vec3,
    /// Highest SH degree for A (default: the scene's).
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=3))]
    pub a_sh: Option<u32>,
    /// Highest SH degree for B (default: the scene's).
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=3))]
    pub b_sh: Option<u32>,
    /// The |A-B| error (0..1, mean over RGB) drawn at the top of diff.png's scale.
    #[arg(long, default_value_t = 0.2)]
    pub diff_scale: f32,
    /// Anti-aliasing of both: auto (what each file asks for), classic,
    /// antialiased, mip or analytic (docs/ANTIALIASING.md).
    #[arg(long, default_value = "auto", value_parser = crate::args::parse_aa)]
    pub aa: AaChoice,
    /// Anti-aliasing of A (default: --aa), one of the --aa values.
    #[arg(long, value_parser = crate::args::parse_aa)]
    pub a_aa: Option<AaChoice>,
    /// Anti-aliasing of B (default: --aa), one of the --aa values.
    #[arg(long, value_parser = crate::args::parse_aa)]
    pub b_aa: Option<AaChoice>,
    /// Rasterizer for both renders: hardware (quads), compute (tiles) or auto.
    #[arg(long, default_value = "hardware", value_parser = crate::args::parse_raster)]
    pub raster: Raster,
    /// Print the metrics as JSON: {"psnr", "ssim", "flip"}.
    #[arg(long)]
    pub json: bool,
}

impl CompareArgs {
    /// The camera the flags describe, framing scene A when none is given (the same
    /// rules as `splatview render`).
    pub fn view_camera(&self, a: &SplatCloud) -> Result<PinholeCamera, HeadlessError> {
        let camera = if let Some(file) = &self.camera {
            CameraSpec::Training {
                file: file.clone(),
                index: self.camera_index,
            }
        } else if let Some(eye) = self.eye {
            CameraSpec::LookAt {
                eye,
                target: self.target,
                up: self.up,
                fov_y_degrees: self
                    .fov_y
                    .unwrap_or(crate::controls::orbit::DEFAULT_FOV_Y_DEGREES),
            }
        } else {
            CameraSpec::Framing
        };
        let job = RenderJob {
            scenes: vec![self.a.clone()],
            camera,
            width: self.width,
            height: self.height,
            settings: RenderSettings::default(),
            output: RenderOutput::Image(PathBuf::new()),
        };
        crate::headless::resolve_camera(&job, crate::scene::SceneBounds::robust(a))
    }
}

pub fn run_compare(args: &CompareArgs) -> anyhow::Result<()> {
    crate::args::check_out_dir(&args.out_dir)?;
    if !(args.diff_scale.is_finite() && args.diff_scale > 0.0) {
        return Err(UsageError(format!(
            "--diff-scale must be a positive number, got {}",
            args.diff_scale
        ))
        .into());
    }
    let ctx = crate::gpu::GpuContext::new_headless()?;
    log::info!("adapter: {}", ctx.adapter_description());
    let limits = ctx.device.limits();
    crate::headless::check_size_flags(args.width, args.height, &limits).map_err(usage)?;
    let cloud_a = crate::io::load_splat_scene(&args.a)?.0;
    let cloud_b = crate::io::load_splat_scene(&args.b)?.0;
    let camera = args.view_camera(&cloud_a).map_err(usage)?;
    crate::headless::check_size(camera.width, camera.height, &limits).map_err(usage)?;
    let options = |max_sh_degree, aa| RenderOptions {
        background: args.background.to_array(),
        max_sh_degree,
        aa,
    };
    let image_a = HeadlessViewRenderer::new(&ctx, &cloud_a, args.raster)?
        .render_view(&camera, &options(args.a_sh, args.a_aa.unwrap_or(args.aa)))
        .with_context(|| format!("rendering {}", args.a.display()))?;
    let image_b = HeadlessViewRenderer::new(&ctx, &cloud_b, args.raster)?
        .render_view(&camera, &options(args.b_sh, args.b_aa.unwrap_or(args.aa)))
        .with_context(|| format!("rendering {}", args.b.display()))?;
    let metrics = write_comparison(&image_a, &image_b, &args.out_dir, args.diff_scale)?;
    if args.json {
        println!("{}", serde_json::to_string(&metrics)?);
    } else {
        println!(
            "B against A at {}x{}: PSNR {:.3} dB, SSIM {:.4}, FLIP {:.4}; images in {}",
            camera.width,
            camera.height,
            metrics.psnr,
            metrics.ssim,
            metrics.flip,
            args.out_dir.display()
        );
    }
    Ok(())
}

/// Writes `a.png`, `b.png`, `diff.png` and `flip.png` into `out_dir` (created if
/// missing) and returns the metrics of `b` against `a`.
pub fn write_comparison(
    a: &image::RgbImage,
    b: &image::RgbImage,
    out_dir: &Path,
    diff_scale: f32,
) -> anyhow::Result<ImageMetrics> {
    let comparison = crate::metrics::compare(a, b)?;
    std::fs::create_dir_all(out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    let diff = heatmap::abs_difference(a, b)?.to_image_with_legend(diff_scale, "|A - B|");
    let flip = comparison.flip_map.to_image_with_legend(1.0, "FLIP");
    for (name, image) in [
        ("a.png", a),
        ("b.png", b),
        ("diff.png", &diff),
        ("flip.png", &flip),
    ] {
        let path = out_dir.join(name);
        image
            .save_with_format(&path, image::ImageFormat::Png)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(comparison.metrics)
}
