//! `splatview render SCENE --path path.json --frames N --out-dir DIR`: a camera path
//! rendered to a PNG sequence through the same code as the window
//! (`render_to_image` -> `FrameRenderer::encode_frame`), with a progress bar.

use std::io::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;

use crate::cli::RenderArgs;
use crate::controls::path::CameraPath;
use crate::gpu::GpuContext;
use crate::render::FrameRenderer;
use crate::render::offscreen::{OFFSCREEN_FORMAT, render_to_image};
use crate::render::splat::SplatGpuData;
use crate::scene::SplatCloud;

const DEFAULT_WIDTH: u32 = 1280;
const DEFAULT_HEIGHT: u32 = 720;

pub fn render_path(
    args: &RenderArgs,
    cloud: &SplatCloud,
    path_file: &Path,
    out_dir: &Path,
) -> anyhow::Result<()> {
    let path = CameraPath::load(path_file)?;
    anyhow::ensure!(
        !path.is_empty(),
        "{}: the camera path has no keyframes",
        path_file.display()
    );
    anyhow::ensure!(args.frames > 0, "--frames must be at least 1");
    let width = args.width.unwrap_or(DEFAULT_WIDTH).max(1);
    let height = args.height.unwrap_or(DEFAULT_HEIGHT).max(1);
    std::fs::create_dir_all(out_dir).with_context(|| format!("creating {}", out_dir.display()))?;

    let ctx = GpuContext::new_headless()?;
    log::info!("adapter: {}", ctx.adapter_description());
    let mut renderer = FrameRenderer::new(&ctx.device, OFFSCREEN_FORMAT)?;
    renderer.raster = args.raster.into();
    let mut scene = SplatGpuData::new(&ctx.device, &renderer.splats, cloud)?;
    let background = args.background.to_array();
    let times = path.frame_times(args.frames);
    let started = Instant::now();
    for (i, &t) in times.iter().enumerate() {
        let Some(sample) = path.sample(t) else {
            continue;
        };
        let camera = sample.pose.camera(sample.fov_y, width, height);
        let image = render_to_image(&ctx, &mut renderer, &mut scene, &camera, background)?;
        let file = out_dir.join(format!("frame_{i:05}.png"));
        image
            .save(&file)
            .with_context(|| format!("writing {}", file.display()))?;
        progress(i + 1, times.len(), started);
    }
    eprintln!();
    println!(
        "rendered {} frames of {} ({:.1} s path) at {width}x{height} to {}",
        times.len(),
        path_file.display(),
        path.duration_s,
        out_dir.display()
    );
    Ok(())
}

/// `[#########           ]  45/100 frames  0.8 s/frame  ETA 44 s` on stderr.
fn progress(done: usize, total: usize, started: Instant) {
    const WIDTH: usize = 30;
    let filled = WIDTH * done / total.max(1);
    let per_frame = started.elapsed().as_secs_f64() / done.max(1) as f64;
    let eta = per_frame * (total - done) as f64;
    eprint!(
        "\r[{}{}] {done:>5}/{total} frames  {per_frame:.2} s/frame  ETA {eta:.0} s ",
        "#".repeat(filled),
        " ".repeat(WIDTH - filled)
    );
    let _ = std::io::stderr().flush();
}
