//! The windowed viewer: winit event handling (`mod.rs`) and the window shell
//! (`viewer`: window, surface, egui input) around `core::ViewerCore`, the viewer
//! without its window (state, GPU device, scene view, egui, background work),
//! which tests drive with an offscreen target. The UI state
//! (`state::AppState`) and the `Command`s live apart from the GPU side and are
//! drawn and edited by `ui`. Imports flow one way: the model (`state`,
//! `command`, `compare`, `objects`, `file_browser`) knows nothing of `ui`, `ui`
//! reads the model, and the shell (`core`, `scene_view`, `compare_frame`)
//! draws `ui`. Slow work runs on threads that wake the event loop when done:
//! loading, file dialogs, screenshot writing, video encoding.

pub mod command;
pub mod compare;
mod compare_frame;
pub mod compare_view;
pub mod core;
pub mod dialogs;
mod eval_worker;
pub mod file_browser;
pub mod ground_truth;
mod handlers;
pub mod loading;
mod lod;
pub mod lod_status;
mod metrics_worker;
pub mod notices;
mod object_loads;
mod object_sync;
pub mod objects;
pub mod scene_view;
pub mod screenshot;
pub mod state;
pub mod status;
mod stream_preview;
pub mod ui;
pub mod video_export;
mod viewer;

use std::path::PathBuf;
use std::sync::Arc;

use winit::application::ApplicationHandler;
use winit::event::{StartCause, WindowEvent};
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop, EventLoopProxy};
use winit::window::WindowId;

use crate::settings::Settings;
use dialogs::DialogOutcome;
use state::Dialog;
use viewer::Viewer;

/// Events the app sends itself from other threads.
#[derive(Debug)]
pub enum UserEvent {
    /// The GPU finished a frame that took this many milliseconds from its start.
    FrameDone { frame_ms: f64 },
    /// The background scene loader has news (progress, a chunk, the end).
    LoadProgress,
    /// A file dialog closed (chosen, cancelled, or it could not open).
    DialogClosed(Dialog, DialogOutcome),
    /// A screenshot was written (or failed).
    ScreenshotDone(Result<PathBuf, String>),
    /// A video export ended: the file and its frame count, or why not.
    VideoDone(Result<(PathBuf, u64), String>),
    /// A worker (live metrics, dataset evaluation, photo loading) has news;
    /// the next frame reads it.
    WorkerNews,
}

/// Wakes the viewer from another thread with news (the window sends it through
/// its event loop; tests may ignore it).
pub type Waker = Arc<dyn Fn(UserEvent) + Send + Sync>;

/// What the window opens with.
#[derive(Clone, Debug, Default)]
pub struct Launch {
    /// The first is the scene, the others are added to it as objects.
    pub scenes: Vec<PathBuf>,
    /// B, compared with the scene.
    pub compare: Option<PathBuf>,
    /// A dataset for ground truth.
    pub dataset: Option<PathBuf>,
}

/// Opens a window and loads what `launch` names in the background. Files that
/// fail to load show an error in the overlay instead of exiting.
pub fn run_viewer(launch: Launch) -> anyhow::Result<()> {
    let settings_path = match Settings::default_path() {
        Ok(path) => Some(path),
        Err(err) => {
            log::warn!("{err}; settings will not be saved");
            None
        }
    };
    let settings = match settings_path.as_deref().map(Settings::load) {
        Some(Ok(settings)) => settings,
        Some(Err(err)) => {
            log::warn!("{err}");
            Settings::default()
        }
        None => Settings::default(),
    };
    let event_loop = EventLoop::<UserEvent>::with_user_event().build()?;
    event_loop.set_control_flow(ControlFlow::Wait);
    let mut app = ViewerApp {
        settings: Some(settings),
        settings_path,
        launch,
        proxy: event_loop.create_proxy(),
        viewer: None,
        fatal: None,
    };
    event_loop.run_app(&mut app)?;
    app.fatal.map_or(Ok(()), Err)
}

struct ViewerApp {
    settings: Option<Settings>,
    settings_path: Option<PathBuf>,
    launch: Launch,
    proxy: EventLoopProxy<UserEvent>,
    viewer: Option<Viewer>,
    /// An error that ended the app (e.g. no GPU), returned from `run_viewer`.
    fatal: Option<anyhow::Error>,
}

impl ApplicationHandler<UserEvent> for ViewerApp {
    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        if self.viewer.is_some() {
            return;
        }
        let settings = self.settings.take().unwrap_or_default();
        match Viewer::new(
            event_loop,
            settings,
            self.settings_path.clone(),
            self.proxy.clone(),
        ) {
            Ok(mut viewer) => {
                let launch = std::mem::take(&mut self.launch);
                // The dataset first: a training output opens its scene, which
                // scenes named on the command line then replace.
                if let Some(dir) = launch.dataset {
                    viewer.core.open_dataset(&dir);
                }
                if !launch.scenes.is_empty() {
                    viewer.core.open_scenes(launch.scenes);
                }
                if let Some(b) = launch.compare {
                    viewer.core.open_b(b);
                }
                self.viewer = Some(viewer);
            }
            Err(err) => {
                log::error!("cannot start the viewer: {err:#}");
                self.fatal = Some(err);
                event_loop.exit();
            }
        }
    }

    fn new_events(&mut self, _event_loop: &ActiveEventLoop, cause: StartCause) {
        if let (StartCause::ResumeTimeReached { .. }, Some(viewer)) = (cause, &mut self.viewer) {
            viewer.wake_up();
        }
    }

    fn user_event(&mut self, _event_loop: &ActiveEventLoop, event: UserEvent) {
        let Some(viewer) = &mut self.viewer else {
            return;
        };
        match event {
            UserEvent::FrameDone { frame_ms } => viewer.frame_done(frame_ms),
            UserEvent::LoadProgress => viewer.core.pump_load(),
            UserEvent::DialogClosed(dialog, outcome) => viewer.core.dialog_closed(dialog, outcome),
            UserEvent::ScreenshotDone(result) => viewer.core.screenshot_done(result),
            UserEvent::VideoDone(result) => viewer.core.video_done(result),
            UserEvent::WorkerNews => {}
        }
        viewer.window.request_redraw();
    }

    fn window_event(&mut self, event_loop: &ActiveEventLoop, _id: WindowId, event: WindowEvent) {
        let Some(viewer) = &mut self.viewer else {
            return;
        };
        match event {
            WindowEvent::CloseRequested => {
                viewer.core.save_settings();
                event_loop.exit();
            }
            WindowEvent::RedrawRequested => viewer.redraw(event_loop),
            WindowEvent::DroppedFile(path) => {
                // Shift adds the file to the scene, Ctrl opens it as B.
                let modifiers = viewer.modifiers();
                viewer.core.dropped_with(path, modifiers);
                viewer.window.request_redraw();
            }
            other => {
                viewer.on_window_event(&other);
                if let WindowEvent::Resized(size) = other {
                    viewer.resize(size.width, size.height);
                }
            }
        }
    }

    fn about_to_wait(&mut self, event_loop: &ActiveEventLoop) {
        let flow = match self.viewer.as_ref().and_then(|v| v.next_wake()) {
            Some(at) => ControlFlow::WaitUntil(at),
            None => ControlFlow::Wait,
        };
        event_loop.set_control_flow(flow);
    }
}
