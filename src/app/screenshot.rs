//! Screenshots on the window's device: a shot is one frame of the scene view's
//! screenshot `SplatView` (the same resident scene, meshes included, any size,
//! e.g. 4K) recorded
//! into the window's next frame, read back without blocking while the window
//! keeps drawing, and written as a PNG on a helper thread. A compute-rasterizer
//! shot whose tile buffers overflowed is rendered again with grown buffers, as
//! `splatview render` does, so the PNG equals `render`'s image. Video export
//! queues its frames here too (`ShotSink::VideoFrame`): one in flight at a time,
//! so they arrive in order.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;

use super::{UserEvent, Waker};
use crate::gpu::readback::AsyncTextureReadback;
use crate::render::MeshParams;
use crate::scene::PinholeCamera;
use crate::settings::LodSettings;

/// Where a shot goes.
#[derive(Clone, Debug, PartialEq)]
pub enum ShotSink {
    /// A PNG file, written on the writer thread.
    Png(PathBuf),
    /// The next frame of the video being exported (`app::video_export`).
    VideoFrame,
}

/// What to shoot.
#[derive(Clone, Debug, PartialEq)]
pub struct ShotRequest {
    pub camera: PinholeCamera,
    pub background: [f32; 3],
    pub lod: LodSettings,
    /// How meshes are drawn.
    pub mesh: MeshParams,
    pub sink: ShotSink,
}

/// A shot that arrived.
#[derive(Debug)]
pub enum Finished {
    /// Handed to the PNG writer, which reports when the file is written.
    Png(PathBuf),
    /// A video frame, for the exporter.
    VideoFrame(image::RgbImage),
}

/// Renders after which a shot is written even if the tile buffers still
/// overflowed (they grow to the adapter's limit on the first retry).
const MAX_ATTEMPTS: u32 = 3;

struct InFlight {
    request: ShotRequest,
    readback: AsyncTextureReadback,
    attempts: u32,
}

/// Queued and in-flight shots, and the PNG writer thread.
pub struct Screenshots {
    queue: VecDeque<ShotRequest>,
    in_flight: Option<InFlight>,
    /// Set between recording a shot and submitting its frame.
    recorded: Option<InFlight>,
    writer: Option<Sender<(PathBuf, image::RgbImage)>>,
}

impl Screenshots {
    pub fn new(waker: Waker) -> Self {
        let (sender, receiver) = std::sync::mpsc::channel::<(PathBuf, image::RgbImage)>();
        let spawned = std::thread::Builder::new()
            .name("screenshot writer".into())
            .spawn(move || {
                while let Ok((path, image)) = receiver.recv() {
                    let result = image
                        .save(&path)
                        .map(|()| path.clone())
                        .map_err(|e| format!("screenshot failed: {}: {e}", path.display()));
                    waker(UserEvent::ScreenshotDone(result));
                }
            });
        let writer = match spawned {
            Ok(_) => Some(sender),
            Err(err) => {
                log::error!("cannot start the screenshot writer: {err}");
                None
            }
        };
        Self {
            queue: VecDeque::new(),
            in_flight: None,
            recorded: None,
            writer,
        }
    }

    /// Queues a shot.
    pub fn request(&mut self, request: ShotRequest) {
        self.queue.push_back(request);
    }

    /// Whether shots are waiting or being rendered (the window keeps polling).
    pub fn busy(&self) -> bool {
        !self.queue.is_empty() || self.in_flight.is_some() || self.recorded.is_some()
    }

    /// Whether a shot was rendered and is being read back.
    pub fn in_flight(&self) -> bool {
        self.in_flight.is_some()
    }

    /// The texels of the shot in flight, once they have arrived (RGBA8 rows).
    pub fn poll_texels(&mut self) -> Option<Result<Vec<u8>, String>> {
        let in_flight = self.in_flight.as_mut()?;
        in_flight
            .readback
            .poll()
            .map(|r| r.map_err(|e| e.to_string()))
    }

    /// The next queued shot to render, when none is in flight.
    pub fn queued(&self) -> Option<ShotRequest> {
        if self.in_flight.is_some() || self.recorded.is_some() {
            return None;
        }
        self.queue.front().cloned()
    }

    /// The shot from `queued` or `retry` was recorded into `encoder`: records
    /// the copy of its output `texture`.
    pub fn recorded(
        &mut self,
        device: &wgpu::Device,
        encoder: &mut wgpu::CommandEncoder,
        texture: &wgpu::Texture,
    ) {
        let (request, attempts) = match self.in_flight.take() {
            Some(retry) => (retry.request, retry.attempts + 1),
            None => match self.queue.pop_front() {
                Some(request) => (request, 1),
                None => return,
            },
        };
        self.recorded = Some(InFlight {
            request,
            readback: AsyncTextureReadback::record_copy(device, encoder, texture),
            attempts,
        });
    }

    /// The shot due could not be rendered: forget it (the caller reports why).
    pub fn drop_current(&mut self) {
        if self.in_flight.take().is_none() {
            self.queue.pop_front();
        }
    }

    /// Call after submitting the frame that recorded a shot.
    pub fn after_submit(&mut self) {
        if let Some(mut recorded) = self.recorded.take() {
            recorded.readback.after_submit();
            self.in_flight = Some(recorded);
        }
    }

    /// The shot in flight needs rendering again (its tile buffers overflowed and
    /// have grown): the request to record into this frame, unless it was tried
    /// often enough.
    pub fn retry(&self) -> Option<ShotRequest> {
        let in_flight = self.in_flight.as_ref()?;
        (in_flight.attempts < MAX_ATTEMPTS).then(|| in_flight.request.clone())
    }

    /// The shot in flight arrived and is final: a PNG goes to the writer, a
    /// video frame back to the caller. Errors say why it failed.
    pub fn finish(&mut self, texels: Result<Vec<u8>, String>) -> Result<Finished, String> {
        let Some(in_flight) = self.in_flight.take() else {
            return Err("no screenshot was being taken".into());
        };
        let (width, height) = in_flight.readback.size();
        let texels = texels?;
        let image = crate::render::offscreen::rgba_to_rgb(width, height, &texels)
            .ok_or_else(|| "screenshot read-back has the wrong size".to_owned())?;
        let out = match in_flight.request.sink {
            ShotSink::VideoFrame => return Ok(Finished::VideoFrame(image)),
            ShotSink::Png(out) => out,
        };
        let writer = self
            .writer
            .as_ref()
            .ok_or_else(|| "the screenshot writer has stopped".to_owned())?;
        writer
            .send((out.clone(), image))
            .map_err(|_| "the screenshot writer has stopped".to_owned())?;
        Ok(Finished::Png(out))
    }

    /// Drops the queued video frames (an export was cancelled); a frame in
    /// flight still arrives and is ignored by the caller.
    pub fn drop_video_frames(&mut self) {
        self.queue.retain(|r| r.sink != ShotSink::VideoFrame);
    }

    /// Video frames waiting to be rendered.
    pub fn queued_video_frames(&self) -> usize {
        self.queue
            .iter()
            .filter(|r| r.sink == ShotSink::VideoFrame)
            .count()
    }
}

/// `<dir>/<scene>-NNN.png`, the first that does not exist yet.
pub fn next_path(dir: &Path, scene_name: &str) -> PathBuf {
    next_free(dir, scene_name, ".png")
}

/// The next free `<dir>/<scene>-NNN-compare` folder, for the images of a
/// screenshot taken while comparing.
pub fn next_compare_dir(dir: &Path, scene_name: &str) -> PathBuf {
    next_free(dir, scene_name, "-compare")
}

/// `<dir>/<scene stem>-NNN<suffix>`, the first that does not exist yet.
fn next_free(dir: &Path, scene_name: &str, suffix: &str) -> PathBuf {
    let stem = Path::new(scene_name)
        .file_stem()
        .map_or_else(|| "splatview".into(), |s| s.to_string_lossy().into_owned());
    (1..100_000)
        .map(|i| dir.join(format!("{stem}-{i:03}{suffix}")))
        .find(|p| !p.exists())
        .unwrap_or_else(|| dir.join(format!("{stem}{suffix}")))
}

/// Writes a screenshot taken while comparing into `folder` on a thread (FLIP
/// takes seconds): the pair read back from the screen and their difference
/// maps; the viewer hears of it as of any screenshot.
pub(super) fn write_compare_shot(
    folder: PathBuf,
    a: image::RgbImage,
    b: image::RgbImage,
    diff_scale: f32,
    waker: Waker,
) {
    let notify = waker.clone();
    let spawned = std::thread::Builder::new()
        .name("compare screenshot".into())
        .spawn(move || {
            let result = crate::eval::compare::write_comparison(&a, &b, &folder, diff_scale)
                .map(|_| folder.join("a.png"))
                .map_err(|err| format!("{err:#}"));
            waker(UserEvent::ScreenshotDone(result));
        });
    if let Err(err) = spawned {
        notify(UserEvent::ScreenshotDone(Err(format!(
            "cannot start the screenshot writer: {err}"
        ))));
    }
}
