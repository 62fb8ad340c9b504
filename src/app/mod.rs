//! The windowed viewer: winit event handling. Window, surface and GPU state live
//! in `viewer::Viewer`; input goes to the camera controllers in `crate::controls`.

mod input;
mod viewer;

use std::path::PathBuf;

use winit::application::ApplicationHandler;
use winit::event::WindowEvent;
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop, EventLoopProxy};
use winit::window::WindowId;

use crate::scene::SplatCloud;
use viewer::Viewer;

/// Events the app sends itself from other threads.
#[derive(Debug)]
pub enum UserEvent {
    /// The GPU finished a frame that took this many milliseconds from its start.
    FrameDone { frame_ms: f64 },
}

/// Opens a window showing `scene_path`. A file that fails to load leaves an empty
/// scene and the error in the title bar and log, instead of exiting.
pub fn run_viewer(scene_path: PathBuf) -> anyhow::Result<()> {
    let (cloud, load_error) = match crate::io::load_splat_file(&scene_path) {
        Ok(cloud) => {
            log::info!(
                "loaded {}: {} splats, SH degree {}",
                scene_path.display(),
                cloud.len(),
                cloud.sh_degree
            );
            (cloud, None)
        }
        Err(err) => {
            log::error!("{err}");
            (SplatCloud::new(0), Some(err.to_string()))
        }
    };
    let event_loop = EventLoop::<UserEvent>::with_user_event().build()?;
    event_loop.set_control_flow(ControlFlow::Wait);
    let mut app = ViewerApp {
        scene_name: scene_path.file_name().map_or_else(
            || scene_path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        cloud,
        load_error,
        proxy: event_loop.create_proxy(),
        viewer: None,
        fatal: None,
    };
    event_loop.run_app(&mut app)?;
    app.fatal.map_or(Ok(()), Err)
}

struct ViewerApp {
    scene_name: String,
    cloud: SplatCloud,
    load_error: Option<String>,
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
        match Viewer::new(
            event_loop,
            &self.cloud,
            self.scene_name.clone(),
            self.load_error.clone(),
            self.proxy.clone(),
        ) {
            Ok(viewer) => self.viewer = Some(viewer),
            Err(err) => {
                log::error!("cannot start the viewer: {err:#}");
                self.fatal = Some(err);
                event_loop.exit();
            }
        }
    }

    fn user_event(&mut self, _event_loop: &ActiveEventLoop, event: UserEvent) {
        if let Some(viewer) = &mut self.viewer {
            match event {
                UserEvent::FrameDone { frame_ms } => viewer.frame_done(frame_ms),
            }
        }
    }

    fn window_event(&mut self, event_loop: &ActiveEventLoop, _id: WindowId, event: WindowEvent) {
        let Some(viewer) = &mut self.viewer else {
            return;
        };
        match event {
            WindowEvent::CloseRequested => event_loop.exit(),
            WindowEvent::Resized(size) => viewer.resize(size.width, size.height),
            WindowEvent::RedrawRequested => viewer.redraw(),
            other => viewer.handle_input(&other, event_loop),
        }
    }
}
