//! The shell's side of the UI's requests (`Effect`s) and of background results:
//! dialogs, loads, dropped files, screenshots, quitting, saving settings.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use winit::event_loop::ActiveEventLoop;

use super::loading::{LoadJob, LoadOutcome, format_label};
use super::screenshot::{ScreenshotJob, next_path};
use super::state::{Dialog, Effect, LoadStatus, SceneInfo};
use super::viewer::Viewer;
use crate::controls::path::CameraPath;
use crate::io::cameras_json::{load_cameras_json, parse_cameras_json};
use crate::scene::SceneBounds;

impl Viewer {
    pub(super) fn handle_effects(&mut self, event_loop: &ActiveEventLoop) {
        for effect in std::mem::take(&mut self.state.effects) {
            match effect {
                Effect::Dialog(dialog) => {
                    let start = self
                        .state
                        .scene_path()
                        .and_then(Path::parent)
                        .map(Path::to_owned);
                    super::dialogs::spawn(dialog, start, self.proxy.clone());
                }
                Effect::LoadScene(path) => self.open_scene(path),
                Effect::Screenshot { width, height } => self.screenshot(width, height),
                Effect::Quit => {
                    self.save_settings();
                    event_loop.exit();
                }
            }
        }
    }

    /// Starts loading `path` in the background (the current scene stays until then).
    pub fn open_scene(&mut self, path: PathBuf) {
        if let Some(old) = self.load.take() {
            old.cancel();
        }
        self.load_counter += 1;
        self.load = Some(LoadJob::spawn(
            path.clone(),
            self.load_counter,
            self.proxy.clone(),
        ));
        self.state.loading = Some(LoadStatus {
            path,
            elapsed: Default::default(),
            fraction: None,
            splats_loaded: 0,
            total_splats: None,
        });
        self.window.request_redraw();
    }

    /// A background load finished.
    pub fn loaded(&mut self, outcome: LoadOutcome) {
        if self.load.as_ref().is_none_or(|job| job.id != outcome.id) {
            return; // superseded
        }
        self.load = None;
        self.state.loading = None;
        let path = outcome.path;
        let cloud = match outcome.result {
            Ok(cloud) => cloud,
            Err(err) => {
                self.state.error(err.to_string());
                self.window.request_redraw();
                return;
            }
        };
        log::info!(
            "loaded {}: {} splats, SH degree {} in {:.2} s",
            path.display(),
            cloud.len(),
            cloud.sh_degree,
            outcome.elapsed.as_secs_f32()
        );
        self.generation += 1;
        let gpu_bytes = match self
            .scene_view
            .set_scene(&self.ctx.device, &cloud, self.generation)
        {
            Ok(bytes) => Some(bytes),
            Err(err) => {
                self.state.error(err.to_string());
                None
            }
        };
        let info = SceneInfo {
            name: path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
            format: format_label(&path),
            splat_count: cloud.len(),
            sh_degree: cloud.sh_degree,
            antialiased: cloud.antialiased,
            bounds: SceneBounds::robust(&cloud),
            gpu_bytes,
            path,
        };
        self.window.set_title(&format!("splatview - {}", info.name));
        self.state.set_scene(info, Arc::new(cloud));
        self.state.stats.visible_splats = None;
        match outcome.cameras {
            Some((file, Ok(cameras))) => {
                log::info!("{} training cameras from {}", cameras.len(), file.display());
                self.state.set_training_cameras(file, cameras);
            }
            Some((_, Err(err))) => self.state.error(err.to_string()),
            None => {}
        }
        self.save_settings();
        self.window.request_redraw();
    }

    /// A file dialog closed (`None`: cancelled).
    pub fn dialog_closed(&mut self, dialog: Dialog, path: Option<PathBuf>) {
        let Some(path) = path else {
            return;
        };
        match dialog {
            Dialog::OpenScene => self.open_scene(path),
            Dialog::OpenCameras => match load_cameras_json(&path) {
                Ok(cameras) => self.state.set_training_cameras(path, cameras),
                Err(err) => self.state.error(err.to_string()),
            },
            Dialog::LoadPath => match CameraPath::load(&path) {
                Ok(camera_path) => self.state.set_camera_path(path, camera_path),
                Err(err) => self.state.error(err.to_string()),
            },
            Dialog::SavePath => match self.state.path.path.save(&path) {
                Ok(()) => {
                    self.state
                        .notice(format!("saved camera path to {}", path.display()));
                    self.state.path.file = Some(path);
                }
                Err(err) => self.state.error(err.to_string()),
            },
        }
        self.window.request_redraw();
    }

    /// A file dropped onto the window: a camera path or cameras.json (by content),
    /// otherwise a scene.
    pub fn dropped(&mut self, path: PathBuf) {
        let is_json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        if !is_json {
            self.open_scene(path);
            return;
        }
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) => {
                self.state
                    .error(format!("{}: cannot read file: {err}", path.display()));
                return;
            }
        };
        if text.trim_start().starts_with('[') {
            match parse_cameras_json(&path, &text) {
                Ok(cameras) => self.state.set_training_cameras(path, cameras),
                Err(err) => self.state.error(err.to_string()),
            }
        } else {
            match CameraPath::from_json(&path, &text) {
                Ok(camera_path) => self.state.set_camera_path(path, camera_path),
                Err(err) => self.state.error(err.to_string()),
            }
        }
        self.window.request_redraw();
    }

    fn screenshot(&mut self, width: u32, height: u32) {
        let Some(cloud) = self.state.cloud.clone() else {
            self.state.notice("nothing to screenshot: no scene loaded");
            return;
        };
        let dir = self
            .state
            .settings
            .screenshot_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("."));
        let name = self
            .state
            .scene
            .as_ref()
            .map_or("splatview", |s| s.name.as_str());
        let out = next_path(&dir, name);
        let job = ScreenshotJob {
            cloud,
            generation: self.generation,
            camera: self.state.rig.camera(width, height),
            background: self.state.settings.background,
            lod: self.state.settings.lod.clamped(),
            out: out.clone(),
        };
        if self.screenshots.request(job) {
            self.state.notice(format!(
                "rendering a {width}x{height} screenshot to {} …",
                out.display()
            ));
        } else {
            self.state.error("the screenshot worker has stopped");
        }
    }

    pub fn screenshot_done(&mut self, result: Result<PathBuf, String>) {
        match result {
            Ok(path) => self
                .state
                .notice(format!("screenshot saved to {}", path.display())),
            Err(err) => self.state.error(err),
        }
        self.window.request_redraw();
    }

    pub fn save_settings(&mut self) {
        let size = self.window_size();
        self.state.sync_settings(size);
        if let Some(path) = &self.settings_path
            && let Err(err) = self.state.settings.save(path)
        {
            log::warn!("{err}");
        }
    }
}
