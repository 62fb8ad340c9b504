//! `splatview render SCENE --path path.json --frames N --out-dir DIR` and
//! `… --path path.json --video out.mp4 --fps F`: a camera path rendered to a PNG
//! sequence or an MP4 (`crate::video`) through the same code as the window
//! (`OffscreenView::render` -> `Renderer::encode_view`), with a progress bar.
//! A video frame is the PNG of the same frame, up to compression.

use std::io::Write as _;
use std::path::Path;
use std::time::Instant;

use super::{HeadlessError, HeadlessScene, RenderJob, RenderSettings, check_size, requested_size};
use crate::controls::path::CameraPath;
use crate::gpu::GpuContext;
use crate::render::offscreen::OffscreenView;
use crate::scene::objects::SceneObjects;
use crate::video::VideoWriter;

/// The path in `path_file`, refused when it has no keyframes.
fn load_path(path_file: &Path) -> Result<CameraPath, HeadlessError> {
    let path = CameraPath::load(path_file)?;
    if path.is_empty() {
        return Err(HeadlessError::Invalid(format!(
            "{}: the camera path has no keyframes",
            path_file.display()
        )));
    }
    Ok(path)
}

pub(super) fn run_video(
    gpu: GpuContext,
    job: &RenderJob,
    objects: &SceneObjects,
    path_file: &Path,
    fps: f64,
    out: &Path,
) -> Result<String, HeadlessError> {
    let path = load_path(path_file)?;
    let (width, height) = requested_size(job);
    check_size(width, height, &gpu.device.limits())?;
    crate::video::check_video(width, height, fps)
        .map_err(|err| HeadlessError::Invalid(err.to_string()))?;
    let frames = path.video_frame_count(fps);
    let mut headless =
        HeadlessScene::from_objects_with_lod(gpu, objects, job.settings.hierarchy.as_ref())?;
    let mut writer = VideoWriter::create(out, width, height, fps)?;
    let started = Instant::now();
    render_path_frames(
        &mut headless,
        &path,
        frames,
        (width, height),
        &job.settings,
        |i, image| {
            writer.push(image)?;
            progress(i + 1, frames, started);
            Ok(())
        },
    )?;
    let written = writer.finish()?;
    eprintln!();
    Ok(format!(
        "rendered {written} frames of {} ({:.1} s path) at {width}x{height}, {fps} fps to {}",
        path_file.display(),
        path.duration_s,
        out.display()
    ))
}

pub(super) fn run_path(
    gpu: GpuContext,
    job: &RenderJob,
    objects: &SceneObjects,
    path_file: &Path,
    frames: usize,
    out_dir: &Path,
) -> Result<String, HeadlessError> {
    let path = load_path(path_file)?;
    if frames == 0 {
        return Err(HeadlessError::Invalid("--frames must be at least 1".into()));
    }
    let (width, height) = requested_size(job);
    check_size(width, height, &gpu.device.limits())?;
    std::fs::create_dir_all(out_dir).map_err(|source| HeadlessError::Write {
        path: out_dir.to_owned(),
        source,
    })?;
    let mut headless =
        HeadlessScene::from_objects_with_lod(gpu, objects, job.settings.hierarchy.as_ref())?;
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
        let image = super::render_with(headless, &mut view, camera, settings)?;
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
