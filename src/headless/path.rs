//! `splatview render SCENE --path path.json --frames N --out-dir DIR`: a camera path
//! rendered to a PNG sequence through the same code as the window
//! (`OffscreenView::render` -> `Renderer::encode_view`), with a progress bar.

use std::io::Write as _;
use std::path::Path;
use std::time::Instant;

use super::{HeadlessError, HeadlessScene, RenderJob, RenderSettings, check_size, requested_size};
use crate::controls::path::CameraPath;
use crate::gpu::GpuContext;
use crate::render::offscreen::OffscreenView;
use crate::scene::SplatCloud;

pub(super) fn run_path(
    gpu: GpuContext,
    job: &RenderJob,
    cloud: &SplatCloud,
    path_file: &Path,
    frames: usize,
    out_dir: &Path,
) -> Result<String, HeadlessError> {
    let path = CameraPath::load(path_file)?;
    if path.is_empty() {
        return Err(HeadlessError::Invalid(format!(
            "{}: the camera path has no keyframes",
            path_file.display()
        )));
    }
    if frames == 0 {
        return Err(HeadlessError::Invalid("--frames must be at least 1".into()));
    }
    let (width, height) = requested_size(job);
    check_size(width, height, &gpu.device.limits())?;
    std::fs::create_dir_all(out_dir).map_err(|source| HeadlessError::Write {
        path: out_dir.to_owned(),
        source,
    })?;
    let mut headless = HeadlessScene::new(gpu, cloud)?;
    let started = Instant::now();
    let written = render_path_frames(
        &mut headless,
        &path,
        frames,
        (width, height),
        &job.settings,
        |i, image| {
            let file = out_dir.join(format!("frame_{i:05}.png"));
            image.save(&file).map_err(|source| HeadlessError::Encode {
                path: file.clone(),
                source,
            })?;
            progress(i + 1, frames, started);
            Ok(())
        },
    )?;
    eprintln!();
    Ok(format!(
        "rendered {written} frames of {} ({:.1} s path) at {width}x{height} to {}",
        path_file.display(),
        path.duration_s,
        out_dir.display()
    ))
}

/// Renders `frames` evenly spaced frames of `path` at `size` with one view,
/// handing each image to `sink` (frame index, image). Returns the frames rendered.
pub fn render_path_frames(
    headless: &mut HeadlessScene,
    path: &CameraPath,
    frames: usize,
    size: (u32, u32),
    settings: &RenderSettings,
    mut sink: impl FnMut(usize, &image::RgbImage) -> Result<(), HeadlessError>,
) -> Result<usize, HeadlessError> {
    let mut view = OffscreenView::new(&headless.gpu.device, &headless.renderer);
    let mut written = 0;
    for (i, &t) in path.frame_times(frames).iter().enumerate() {
        let Some(sample) = path.sample(t) else {
            continue;
        };
        let camera = sample.pose.camera(sample.fov_y, size.0, size.1);
        let params = HeadlessScene::params(camera, settings);
        let image = view.render(&headless.gpu, &headless.renderer, &headless.scene, &params)?;
        sink(i, &image)?;
        written += 1;
    }
    Ok(written)
}

/// `[#########           ]  45/100 frames  0.8 s/frame  ETA 44 s` on stderr.
fn progress(done: usize, total: usize, started: Instant) {
    const WIDTH: usize = 30;
    let filled = WIDTH * done / total.max(1);
    let per_frame = started.elapsed().as_secs_f64() / done.max(1) as f64;
    let eta = per_frame * total.saturating_sub(done) as f64;
    eprint!(
        "\r[{}{}] {done:>5}/{total} frames  {per_frame:.2} s/frame  ETA {eta:.0} s ",
        "#".repeat(filled.min(WIDTH)),
        " ".repeat(WIDTH - filled.min(WIDTH))
    );
    let _ = std::io::stderr().flush();
}
