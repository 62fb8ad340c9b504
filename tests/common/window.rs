//! The window's path without a window: `ViewerCore` (the code the window runs
//! each redraw, overlay and all) drawing into an offscreen texture instead of the
//! surface's, which the test reads back.

use std::path::Path;
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use splatview::app::UserEvent;
use splatview::app::core::ViewerCore;
use splatview::gpu::GpuContext;
use splatview::gpu::readback::read_texture_rgba8;
use splatview::render::offscreen::{OFFSCREEN_FORMAT, create_output_texture, rgba_to_rgb};
use splatview::settings::Settings;

pub struct WindowHarness {
    pub core: ViewerCore,
    target: wgpu::Texture,
    events: Receiver<UserEvent>,
}

impl WindowHarness {
    /// A viewer of `size` pixels on a new headless device, overlay hidden,
    /// settings not saved.
    pub fn new(size: (u32, u32), settings: Settings) -> Self {
        Self::with_gpu(GpuContext::new_headless().expect("GPU"), size, settings)
    }

    /// As `new`, on `gpu` (a device with test limits, say).
    pub fn with_gpu(gpu: GpuContext, size: (u32, u32), settings: Settings) -> Self {
        let (sender, events) = channel();
        let sender = Mutex::new(sender);
        let waker: splatview::app::Waker = Arc::new(move |event| {
            if let Ok(sender) = sender.lock() {
                let _ = sender.send(event);
            }
        });
        let settings = Settings {
            show_overlay: false,
            window_size: [size.0, size.1],
            ..settings
        };
        let mut core =
            ViewerCore::new(gpu, OFFSCREEN_FORMAT, settings, size, waker).expect("viewer");
        // Notices stay: lavapipe's frames can outlast their time on screen.
        core.state.notice_times = None;
        let target = create_output_texture(
            &core.gpu.device,
            size.0,
            size.1,
            wgpu::TextureUsages::COPY_SRC,
        );
        Self {
            core,
            target,
            events,
        }
    }

    pub fn size(&self) -> (u32, u32) {
        (self.target.width(), self.target.height())
    }

    /// What the window does before each redraw: after a device loss, a new
    /// device (and a target on it).
    pub fn recover_if_lost(&mut self) {
        if self.core.device_lost().is_some() {
            self.core.recover(None).expect("recover");
            let (width, height) = self.size();
            self.target = create_output_texture(
                &self.core.gpu.device,
                width,
                height,
                wgpu::TextureUsages::COPY_SRC,
            );
        }
    }

    /// One redraw: the frame the window would present, read back.
    pub fn frame(&mut self) -> image::RgbImage {
        self.recover_if_lost();
        let size = self.size();
        let raw_input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(size.0 as f32, size.1 as f32),
            )),
            ..Default::default()
        };
        let view = self.target.create_view(&Default::default());
        let _ = self.core.frame(raw_input, &view, size, 1.0);
        let rgba = read_texture_rgba8(&self.core.gpu.device, &self.core.gpu.queue, &self.target)
            .expect("read the presented frame");
        rgba_to_rgb(size.0, size.1, &rgba).expect("size")
    }

    /// Opens `path` as the window does and pumps the loader until it is done
    /// (redrawing between chunks, as the window does while streaming).
    pub fn open(&mut self, path: &Path) {
        self.core.open_scene(path.to_owned());
        self.finish_load();
    }

    /// Adds `path` to the scene as the window's File > Add does and waits until
    /// it shows.
    pub fn add(&mut self, path: &Path) {
        self.core.add_scene(path.to_owned());
        self.settle();
    }

    /// Redraws (pumping loads and workers, waiting out throttled rebuilds)
    /// until the viewer has nothing left to catch up with; returns the last
    /// frame.
    pub fn settle(&mut self) -> image::RgbImage {
        let deadline = Instant::now() + Duration::from_secs(300);
        loop {
            assert!(Instant::now() < deadline, "the viewer did not settle");
            self.pump_events();
            self.core.pump_load();
            self.frame();
            if self.core.settled() && self.core.state.loading.is_none() {
                // One more frame shows what the last one prepared.
                return self.frame();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Pumps the running load until it ends; fails on any error message.
    pub fn finish_load(&mut self) {
        self.finish_load_allowing_errors();
        assert!(
            self.core.state.errors.is_empty(),
            "errors: {:?}",
            self.core.state.errors
        );
    }

    /// Pumps the running load until it ends.
    pub fn finish_load_allowing_errors(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(120);
        while self.core.state.loading.is_some() {
            assert!(Instant::now() < deadline, "the load did not finish");
            self.core.pump_load();
            if self.core.state.loading.is_some() {
                self.frame();
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }

    /// Hands what background threads reported (dialogs, screenshots, videos,
    /// loads) to the viewer, as the window's event loop does.
    pub fn pump_events(&mut self) {
        let _ = self.core.gpu.device.poll(wgpu::PollType::Poll);
        while let Ok(event) = self.events.try_recv() {
            match event {
                UserEvent::DialogClosed(dialog, outcome) => {
                    self.core.dialog_closed(dialog, outcome)
                }
                UserEvent::ScreenshotDone(result) => self.core.screenshot_done(result),
                UserEvent::VideoDone(result) => self.core.video_done(result),
                UserEvent::LoadProgress => self.core.pump_load(),
                UserEvent::FrameDone { .. } | UserEvent::WorkerNews => {}
            }
        }
    }

    /// Redraws until a screenshot is written; returns its path.
    pub fn wait_screenshot(&mut self) -> std::path::PathBuf {
        let deadline = Instant::now() + Duration::from_secs(300);
        loop {
            assert!(Instant::now() < deadline, "no screenshot within 300 s");
            self.frame();
            let _ = self.core.gpu.device.poll(wgpu::PollType::Poll);
            while let Ok(event) = self.events.try_recv() {
                if let UserEvent::ScreenshotDone(result) = event {
                    return result.unwrap_or_else(|e| panic!("{e}"));
                }
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}
