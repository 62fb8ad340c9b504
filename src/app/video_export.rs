//! Exporting the camera path as an MP4 from the window. Frames are rendered on
//! the window's device through the screenshot view (`screenshot::Screenshots`,
//! `ShotSink::VideoFrame`), one per window frame, read back without blocking,
//! and handed to an encoder thread (`video::VideoWriter`: OpenH264 + MP4), so
//! the window keeps drawing and answering input. The cameras are those of
//! `splatview render --path … --video` (`CameraPath::frame_times` over
//! `video_frame_count(fps)` frames).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Sender, channel};

use super::core::ViewerCore;
use super::screenshot::{ShotRequest, ShotSink};
use super::state::ExportStatus;
use super::{UserEvent, Waker};
use crate::video::{VideoError, VideoWriter, even_size};

/// An export in progress.
pub struct VideoExport {
    pub out: PathBuf,
    /// Frames the video will have.
    pub total: usize,
    /// Frames handed to the encoder.
    pub rendered: usize,
    encoded: Arc<AtomicUsize>,
    cancelled: Arc<AtomicBool>,
    frames: Option<Sender<image::RgbImage>>,
}

impl VideoExport {
    /// Creates `out` and starts the encoder thread for `total` frames of `size`
    /// at `fps`; it wakes the viewer with `UserEvent::VideoDone` at the end.
    pub fn start(
        out: PathBuf,
        size: (u32, u32),
        fps: f64,
        total: usize,
        waker: Waker,
    ) -> Result<Self, VideoError> {
        let mut writer = VideoWriter::create(&out, size.0, size.1, fps)?;
        let (frames, receiver) = channel::<image::RgbImage>();
        let encoded = Arc::new(AtomicUsize::new(0));
        let cancelled = Arc::new(AtomicBool::new(false));
        let (counter, stop, path) = (encoded.clone(), cancelled.clone(), out.clone());
        let spawned = std::thread::Builder::new()
            .name("video encoder".into())
            .spawn(move || {
                let mut failure = None;
                while let Ok(image) = receiver.recv() {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    if let Err(err) = writer.push(&image) {
                        failure = Some(err.to_string());
                        break;
                    }
                    counter.fetch_add(1, Ordering::Relaxed);
                }
                let result = if stop.load(Ordering::Relaxed) {
                    drop(writer);
                    let _ = std::fs::remove_file(&path);
                    Err(format!(
                        "video export cancelled; {} removed",
                        path.display()
                    ))
                } else if let Some(failure) = failure {
                    Err(failure)
                } else {
                    writer
                        .finish()
                        .map(|frames| (path, frames))
                        .map_err(|e| e.to_string())
                };
                waker(UserEvent::VideoDone(result));
            });
        if let Err(source) = spawned {
            return Err(VideoError::Create { path: out, source });
        }
        Ok(Self {
            out,
            total,
            rendered: 0,
            encoded,
            cancelled,
            frames: Some(frames),
        })
    }

    /// Frames the encoder has written.
    pub fn encoded(&self) -> usize {
        self.encoded.load(Ordering::Relaxed)
    }

    /// Hands the next rendered frame to the encoder; after the last one the
    /// file is finished.
    pub fn push(&mut self, image: image::RgbImage) {
        if let Some(frames) = &self.frames {
            let _ = frames.send(image);
            self.rendered += 1;
        }
        if self.rendered >= self.total {
            self.frames = None;
        }
    }

    /// Stops the export; the encoder removes the partial file.
    pub fn cancel(&mut self) {
        self.cancelled.store(true, Ordering::Relaxed);
        self.frames = None;
    }
}

impl ViewerCore {
    /// Starts exporting the camera path to `out`: queues every frame's camera
    /// (at the screenshot size, rounded down to even sides, and the settings'
    /// frame rate) and starts the encoder.
    pub fn start_video_export(&mut self, out: PathBuf) {
        if self.video.is_some() {
            self.state.notice("a video export is already running");
            return;
        }
        let path = self.state.path.path.clone();
        if path.len() < 2 {
            self.state
                .notice("add at least two keyframes (K) to export a video");
            return;
        }
        let fps = self.state.settings.video_fps.clamp(1, 240);
        let (width, height) = even_size(
            self.state
                .settings
                .screenshot_size
                .pixels(self.state.viewport),
        );
        if let Err(err) = self.gpu.check_image_size(width, height) {
            self.state.error(format!("video export: {err}"));
            return;
        }
        let total = path.video_frame_count(f64::from(fps));
        let export = match VideoExport::start(
            out.clone(),
            (width, height),
            f64::from(fps),
            total,
            self.waker.clone(),
        ) {
            Ok(export) => export,
            Err(err) => {
                self.state.error(err.to_string());
                return;
            }
        };
        for time in path.frame_times(total) {
            let Some(sample) = path.sample(time) else {
                continue;
            };
            self.screenshots.request(ShotRequest {
                camera: sample.pose.camera(sample.fov_y, width, height),
                background: self.state.settings.background,
                lod: self.state.settings.lod.clamped(),
                mesh: self.state.settings.mesh.params(),
                sink: ShotSink::VideoFrame,
            });
        }
        self.state.notice(format!(
            "exporting {total} frames ({width}x{height}, {fps} fps) to {}",
            out.display()
        ));
        self.state.export = Some(ExportStatus {
            out,
            total,
            rendered: 0,
            encoded: 0,
        });
        self.video = Some(export);
    }

    /// A rendered video frame arrived.
    pub(super) fn video_frame(&mut self, image: image::RgbImage) {
        if let Some(export) = &mut self.video {
            export.push(image);
        }
        self.sync_export_status();
    }

    /// Copies the export's counts into the state for the progress bar.
    pub(super) fn sync_export_status(&mut self) {
        if let (Some(export), Some(status)) = (&self.video, &mut self.state.export) {
            status.rendered = export.rendered;
            status.encoded = export.encoded();
        }
    }

    /// Stops the running export (its file is removed).
    pub fn cancel_export(&mut self) {
        if let Some(export) = &mut self.video {
            export.cancel();
            self.screenshots.drop_video_frames();
            self.state.export = None;
        }
    }

    /// The encoder finished (or failed, or was cancelled).
    pub fn video_done(&mut self, result: Result<(PathBuf, u64), String>) {
        let cancelled = self.video.is_some() && self.state.export.is_none();
        self.video = None;
        self.state.export = None;
        match result {
            Ok((path, frames)) => {
                self.state.notice(format!(
                    "video saved to {} ({frames} frames)",
                    path.display()
                ));
                self.state.last_saved = Some(path);
            }
            Err(message) if cancelled => self.state.notice(message),
            Err(message) => self.state.error(message),
        }
    }

    /// Whether a video export is running.
    pub fn exporting(&self) -> bool {
        self.video.is_some()
    }
}
