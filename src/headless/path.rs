//! `splatview render SCENE --path path.json --frames N --out-dir DIR` and
//! `… --path path.json --video out.mp4 --fps F`: a camera path rendered to a PNG
//! sequence or an MP4 (`crate::video`) through the same code as the window
//! (`OffscreenView::render` -> `Renderer::encode_view`), with a progress bar.
//! A video frame is the PNG of the same frame, up to compression.

use std::io::{IsTerminal as _, Write as _};
use std::path::Path;
use std::time::Instant;

use super::{HeadlessError, HeadlessScene, RenderJob, RenderSettings, check_size, requested_size};
use crate::controls::path::CameraPath;
use crate::gpu::GpuContext;
use crate::render::offscreen::OffscreenView;
use crate::scene::objects::SceneObjects;
use crate::video::VideoWriter;

/// How many PNG frames of a path to render.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PathFrames {
    /// This many, evenly spaced in time.
    Count(usize),
    /// One every 1/fps seconds of the path (as a video at that rate).
    PerSecond(f64),
}

impl PathFrames {
    /// The frame count for `path`, or why these frames cannot be.
    fn count(self, path: &CameraPath) -> Result<usize, HeadlessError> {
        match self {
            Self::Count(0) => Err(HeadlessError::Invalid("--frames must be at least 1".into())),
            Self::Count(count) => Ok(count),
            Self::PerSecond(fps) if (1.0..=240.0).contains(&fps) => Ok(path.video_frame_count(fps)),
            Self::PerSecond(fps) => Err(HeadlessError::Invalid(format!(
                "--fps must be from 1 to 240, got {fps}"
            ))),
        }
    }
}

/// "1 frame", "24 frames".
fn frames_text(count: u64) -> String {
    format!("{count} frame{}", if count == 1 { "" } else { "s" })
}

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
    end_progress();
    Ok(format!(
        "rendered {} of {} ({:.1} s path) at {width}x{height}, {fps} fps to {}",
        frames_text(written),
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
    frames: &PathFrames,
    out_dir: &Path,
) -> Result<String, HeadlessError> {
    let path = load_path(path_file)?;
    let frames = frames.count(&path)?;
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
    end_progress();
    Ok(format!(
        "rendered {} of {} ({:.1} s path) at {width}x{height} to {}",
        frames_text(written as u64),
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

/// `[#########           ]  45/100 frames  0.8 s/frame  ETA 44 s` on stderr,
/// redrawn in place: only where stderr is a terminal (a log file would get
/// every redraw).
fn progress(done: usize, total: usize, started: Instant) {
    const WIDTH: usize = 30;
    if !std::io::stderr().is_terminal() {
        return;
    }
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

/// Ends the progress line, if one was drawn.
fn end_progress() {
    if std::io::stderr().is_terminal() {
        eprintln!();
    }
}
